package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"jiezhen/data"
)

// onRequestEntry is the catalogue entry publishOnRequest adds.
const onRequestEntry = "cat-on-request"

// publishOnRequest publishes a copy of the demo's public catalogue entry
// cat-gz-2012-16 as disclosed on request (依申请公开) to the demo street,
// and returns both.
func (s *site) publishOnRequest() (public, onRequest data.CatalogEntry) {
	s.t.Helper()
	ctx := context.Background()
	it, err := s.p.Content(ctx, data.KindCatalog, "cat-gz-2012-16")
	if err != nil {
		s.t.Fatal(err)
	}
	if err := decode(it, &public); err != nil {
		s.t.Fatal(err)
	}
	if !public.IsPublic() {
		s.t.Fatalf("the demo's %s is %q, not public", public.ID, public.Disclosure)
	}
	onRequest = public
	onRequest.ID, onRequest.Street, onRequest.Disclosure = onRequestEntry, demoStreet, "依申请公开"
	if _, err := s.p.Publish(ctx, &data.ContentSet{Catalog: []data.CatalogEntry{onRequest}}); err != nil {
		s.t.Fatal(err)
	}
	return public, onRequest
}

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

// 申请公开此信息 is offered on a catalogue entry only while its document is
// not public (依申请公开): it opens the request with the document named,
// as the kiosk fills it in. An entry already public (主动公开) offers
// nothing, and its request page answers 404.
func TestDisclosureOfferedOnlyWhenNotPublic(t *testing.T) {
	s := newSite(t)
	public, onRequest := s.publishOnRequest()
	home := "/s/" + demoStreet + "/"
	const offer = "申请公开此信息"

	_, body := s.get(home + "catalog/" + public.ID)
	if strings.Contains(body, offer) || strings.Contains(body, "disclosure?entry=") {
		t.Errorf("the public entry offers %s", offer)
	}
	if resp, _ := s.get(home + "disclosure?entry=" + public.ID); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the public entry's request page: %d, want 404", resp.StatusCode)
	}
	if resp, _ := s.get(home + "disclosure?entry=no-such-entry"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown entry's request page: %d, want 404", resp.StatusCode)
	}

	_, body = s.get(home + "catalog/" + onRequest.ID)
	link := `href="` + home + `disclosure?entry=` + onRequest.ID + `">` + offer + `</a>`
	if !strings.Contains(body, link) {
		t.Fatalf("the entry disclosed on request does not offer %s (%s)", offer, link)
	}
	resp, body := s.get(home + "disclosure?entry=" + onRequest.ID)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("its request page: %d", resp.StatusCode)
	}
	want := onRequest.RequestDescription()
	if want != "《印发2012年广州市政务公开工作要点的通知》（穗府办〔2012〕16号 · 007482910/2012-00016）" {
		t.Errorf("the description is %q", want)
	}
	if !strings.Contains(html.UnescapeString(body), ">"+want+"</textarea>") {
		t.Errorf("the information asked for is not filled in with %q", want)
	}
	if !strings.Contains(body, `<a href="`+home+`catalog/`+onRequest.ID+`">`) {
		t.Error("the request page's trail does not lead back to the entry")
	}
	// The form posts to the plain address and files the request about it.
	v := url.Values{"form_id": {formIDRe.FindStringSubmatch(body)[1]}, "applicant_name": {testName}, "id_number": {testID},
		"mobile": {testMobile}, "requester": {"person"}, "information": {want}, "delivery": {"email"}, "email": {"wang@example.com"}}
	if !strings.Contains(body, `action="`+home+`disclosure"`) {
		t.Error("the request form does not post to " + home + "disclosure")
	}
	if resp, body := s.post(home+"disclosure", v); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST: %d\n%s", resp.StatusCode, body)
	}
	recs := s.webCases()
	if len(recs) != 1 || recs[0].Case.Request == nil || recs[0].Case.Request.Information != want {
		t.Errorf("filed %+v", recs)
	}
}
