package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A 行政执法 item (占道经营查处, which the demo marks online with a form)
// is read on the website but never applied for: its guide has no 在线申报
// and offers 我要反映 instead, and its form's address answers 404 to GET
// and POST alike, filing nothing. An item residents apply for keeps its
// 在线申报.
func TestNoApplyForEnforcement(t *testing.T) {
	s := newSite(t)
	services := "/s/" + demoStreet + "/services/"
	const enforcement = "svc-zhandao-jingying"
	resp, body := s.get(services + enforcement)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET its guide: %d", resp.StatusCode)
	}
	if !strings.Contains(body, "占道经营查处") {
		t.Fatal("the guide does not show the item")
	}
	for _, not := range []string{enforcement + "/apply", "在线申报", "网上办理", "可在街道自助终端申报"} {
		if strings.Contains(body, not) {
			t.Errorf("the enforcement guide offers to apply: it holds %q", not)
		}
	}
	if !strings.Contains(body, `href="/s/`+demoStreet+`/appeal">我要反映</a>`) {
		t.Error("the enforcement guide does not lead to 我要反映")
	}
	if resp, _ := s.get(services + enforcement + "/apply"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET its 在线申报 form: %d, want 404", resp.StatusCode)
	}
	before := len(s.webCases())
	v := url.Values{"form_id": {strings.Repeat("ab", 16)}, "applicant_name": {testName}, "id_number": {testID}, "mobile": {testMobile}}
	if resp, _ := s.post(services+enforcement+"/apply", v); resp.StatusCode != http.StatusNotFound {
		t.Errorf("POST its 在线申报 form: %d, want 404", resp.StatusCode)
	}
	if n := len(s.webCases()); n != before {
		t.Errorf("%d cases filed by the refused form", n-before)
	}

	// The category's list still shows it to read.
	if _, body := s.get(services + "?category=enforcement"); !strings.Contains(body, "占道经营查处") {
		t.Error("the enforcement list does not show 占道经营查处")
	}
	// A guide residents apply for keeps 在线申报 and its form.
	if _, body := s.get(services + "svc-linshi-jiuzhu"); !strings.Contains(body, `svc-linshi-jiuzhu/apply">在线申报</a>`) {
		t.Error("临时救助 lost its 在线申报")
	}
	if resp, _ := s.get(services + "svc-linshi-jiuzhu/apply"); resp.StatusCode != http.StatusOK {
		t.Errorf("GET 临时救助's form: %d", resp.StatusCode)
	}
}
