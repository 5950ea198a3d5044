package web

import (
	"context"
	"database/sql"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"jiezhen/data"
	"jiezhen/sync/server"
)

// What the tests file: a resident's personal data, which must never show
// in a URL, a log line, a page title or a receipt.
const (
	testName   = "王小明"
	testID     = "440106199001011235"
	testMobile = "13912345678"
)

var formIDRe = regexp.MustCompile(`name="form_id" value="([0-9a-f]{32})"`)

// formOf GETs a form page and returns its form id.
func (s *site) formOf(path string) string {
	s.t.Helper()
	resp, body := s.get(path)
	if resp.StatusCode != http.StatusOK {
		s.t.Fatalf("GET %s: %d\n%s", path, resp.StatusCode, body)
	}
	m := formIDRe.FindStringSubmatch(body)
	if m == nil {
		s.t.Fatalf("GET %s: no form id in\n%s", path, body)
	}
	return m[1]
}

// post POSTs a form as a browser without script would, not following
// the redirect. header adds request headers (name, value, ...).
func (s *site) post(path string, v url.Values, header ...string) (*http.Response, string) {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.url+path, strings.NewReader(v.Encode()))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return resp, string(b)
}

func (s *site) webCases() []server.CaseRecord {
	s.t.Helper()
	recs, err := s.p.Cases(context.Background(), server.CaseFilter{Street: demoStreet})
	if err != nil {
		s.t.Fatal(err)
	}
	// Only the website's: other tests of the same site file by kiosk.
	var web []server.CaseRecord
	for _, r := range recs {
		if r.Case.Channel == data.ChannelWeb {
			web = append(web, r)
		}
	}
	return web
}

func (s *site) opinionCount() int {
	s.t.Helper()
	driver, dsn := "sqlite", "file:"+s.db+"?mode=ro"
	if server.IsPostgresURL(s.db) {
		driver, dsn = "pgx", s.db
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		s.t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT count(*) FROM opinions WHERE kiosk = 0").Scan(&n); err != nil {
		s.t.Fatal(err)
	}
	return n
}

// noPersonal fails if text holds any of the test's personal data.
func noPersonal(t *testing.T, what, text string) {
	t.Helper()
	for _, p := range []string{testName, testID, testMobile, url.QueryEscape(testName)} {
		if strings.Contains(text, p) {
			t.Errorf("%s holds personal data %q", what, p)
		}
	}
}

// Each form files a case (or an opinion) into the district's workflow,
// with Channel web, the district's deadline and a reference from its own
// series; its receipt shows the reference and nothing personal; the
// same form sent twice is filed once and gets the same receipt.
func TestFileForms(t *testing.T) {
	s := newSite(t)
	s.web.limit.burst = 100 // this test posts more than a resident does
	ctx := context.Background()
	cal, today, err := s.p.Calendar(ctx)
	if err != nil {
		t.Fatal(err)
	}
	home := "/s/" + demoStreet + "/"
	cases := []struct {
		name, form string
		values     url.Values
		kind       data.CaseKind
		days       int
		change     string // a free-text field, to send other answers
		check      func(t *testing.T, c data.Case)
	}{
		{"application", home + "services/svc-linshi-jiuzhu/apply", url.Values{
			"applicant_name": {testName}, "id_number": {testID}, "mobile": {testMobile},
			"family_size": {"3"}, "happened_on": {"2026-10-08"}, "monthly_income": {"1800"},
			"difficulty": {"支出型（医疗、教育等必需支出）"}, "situation": {"家人住院，医疗费用支出较大"},
			"help_needed": {"生活费用", "医疗费用"},
		}, data.CaseApplication, -1, "situation", func(t *testing.T, c data.Case) {
			if c.Service != "svc-linshi-jiuzhu" || c.Values["help_needed"] != "生活费用\n医疗费用" || c.Applicant.IDNumber != testID {
				t.Errorf("application: %+v %+v", c.Values, c.Applicant)
			}
		}},
		{"appeal", home + "appeal", url.Values{
			"appeal_type": {"complaint"}, "category": {"noise"}, "description": {"夜间施工噪音很大"},
			"location": {"天河南一路12号附近"}, "applicant_name": {testName}, "mobile": {testMobile}, "public": {"yes"},
		}, data.CaseAppeal, data.DefaultAppealDays[data.AppealComplaint], "description", func(t *testing.T, c data.Case) {
			if !c.Public || c.Anonymous || c.AppealType != data.AppealComplaint || c.Category != "noise" || c.Applicant.Mobile != testMobile {
				t.Errorf("appeal: %+v", c)
			}
		}},
		{"disclosure", home + "disclosure", url.Values{
			"applicant_name": {testName}, "id_number": {testID}, "mobile": {testMobile}, "requester": {"organisation"},
			"information": {"2026年天河南街道老旧小区改造项目的招标文件"}, "delivery": {"email"}, "email": {"wang@example.com"},
			"address": {"不需要的地址"},
		}, data.CaseDisclosure, data.DisclosureDays, "information", func(t *testing.T, c data.Case) {
			if c.Request.Requester != data.RequesterOrganisation || c.Applicant.Email != "wang@example.com" || c.Applicant.Address != "" {
				t.Errorf("disclosure: %+v %+v", c.Request, c.Applicant)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(s.webCases())
			v := url.Values{}
			for k, vs := range tc.values {
				v[k] = vs
			}
			v.Set("form_id", s.formOf(tc.form))
			resp, body := s.post(tc.form, v)
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("POST: %d\n%s", resp.StatusCode, body)
			}
			loc := resp.Header.Get("Location")
			noPersonal(t, "the receipt's URL", loc)
			recs := s.webCases()
			if len(recs) != before+1 {
				t.Fatalf("%d cases after filing, want %d", len(recs), before+1)
			}
			rec := recs[len(recs)-1]
			c := rec.Case
			if c.Channel != data.ChannelWeb || rec.Kiosk != 0 || c.Kiosk != "" || c.Kind != tc.kind || c.Status != data.StatusReceived {
				t.Errorf("filed case: channel %q kiosk %d/%q kind %q status %q", c.Channel, rec.Kiosk, c.Kind, c.Kiosk, c.Status)
			}
			if k, err := data.ReferenceKiosk(c.Ref); err != nil || k != 0 {
				t.Errorf("reference %s: kiosk field %d (%v), want the district's 0", c.Ref, k, err)
			}
			days := tc.days
			if days < 0 {
				svc, _ := s.p.Content(ctx, data.KindService, c.Service)
				var item data.ServiceItem
				if err := decode(svc, &item); err != nil {
					t.Fatal(err)
				}
				days, _ = item.DeadlineDays()
			}
			if want := cal.AddWorkdays(today, days); c.Deadline != want {
				t.Errorf("deadline %s, want %s (%d working days from %s)", c.Deadline, want, days, today)
			}
			if want := "/s/" + demoStreet + "/receipt/" + c.Ref; loc != want {
				t.Errorf("redirected to %s, want %s", loc, want)
			}
			tc.check(t, c)

			resp, page := s.get(loc)
			if resp.StatusCode != http.StatusOK || !strings.Contains(page, c.Ref) || !strings.Contains(page, "/s/"+demoStreet+"/track") {
				t.Errorf("receipt: %d, want the reference %s and the tracking link\n%s", resp.StatusCode, c.Ref, page)
			}
			if want := c.Deadline.Chinese(); !strings.Contains(page, want) {
				t.Errorf("receipt lacks the deadline %s", want)
			}
			noPersonal(t, "the receipt", page)

			// The same form again: nothing stored, the same receipt.
			resp2, _ := s.post(tc.form, v)
			if resp2.StatusCode != http.StatusSeeOther || resp2.Header.Get("Location") != loc {
				t.Errorf("second POST: %d to %q, want 303 to %s", resp2.StatusCode, resp2.Header.Get("Location"), loc)
			}
			if n := len(s.webCases()); n != before+1 {
				t.Errorf("%d cases after the second POST, want %d", n, before+1)
			}
			// The same form with other answers: the first stands.
			v.Set(tc.change, "另一个内容")
			if resp3, _ := s.post(tc.form, v); resp3.StatusCode != http.StatusConflict {
				t.Errorf("the same form with other answers: %d, want 409", resp3.StatusCode)
			}
			if n := len(s.webCases()); n != before+1 {
				t.Errorf("%d cases after the changed POST, want %d", n, before+1)
			}
		})
	}

	t.Run("opinion", func(t *testing.T) {
		form := home + "consultations/zj-2026-04/opinion"
		v := url.Values{"form_id": {s.formOf(form)}, "topic": {"t1"}, "opinion": {"建议增加夜间照明"}, "anonymous": {"yes"}}
		for range 2 {
			resp, body := s.post(form, v)
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != home+"consultations/zj-2026-04/opinion/sent" {
				t.Fatalf("POST: %d to %q\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
			}
		}
		if n := s.opinionCount(); n != 1 {
			t.Errorf("%d opinions from the website, want 1", n)
		}
		if resp, _ := s.get(home + "consultations/zj-2026-04/opinion/sent"); resp.StatusCode != http.StatusOK {
			t.Errorf("thanks page: %d", resp.StatusCode)
		}
		if resp, _ := s.get(home + "consultations/zj-2026-02/opinion"); resp.StatusCode != http.StatusConflict {
			t.Errorf("a closed consultation's form: %d, want 409", resp.StatusCode)
		}
	})

	noPersonal(t, "the logs", s.logs.String())
	// A receipt is only for a case filed on the website, of its street.
	if resp, _ := s.get("/s/" + otherStreet + "/receipt/" + s.webCases()[0].Case.Ref); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another street's receipt: %d, want 404", resp.StatusCode)
	}
}

// A form with bad answers comes back 422 with an error summary linking to
// each bad field, the message at the field and the answers kept; nothing
// is stored, and the page title says there is an error without personal
// data.
func TestFormErrors(t *testing.T) {
	s := newSite(t)
	home := "/s/" + demoStreet + "/"
	for _, tc := range []struct {
		form   string
		values url.Values
		bad    []string // the fields the summary must link to
		kept   string   // an answer the page must keep
	}{
		{home + "appeal", url.Values{"appeal_type": {"complaint"}, "description": {"楼下餐馆油烟很大"}, "applicant_name": {testName}, "mobile": {"1391234"}},
			[]string{"f-category", "f-mobile"}, "楼下餐馆油烟很大"},
		{home + "disclosure", url.Values{"applicant_name": {testName}, "id_number": {"440106199001011234"}, "mobile": {testMobile}, "information": {"某文件"}, "delivery": {"post"}},
			[]string{"f-id_number", "f-address"}, "某文件"},
		{home + "services/svc-linshi-jiuzhu/apply", url.Values{"applicant_name": {testName}, "id_number": {testID}, "mobile": {testMobile}, "family_size": {"三"}},
			[]string{"f-family_size", "f-difficulty"}, testName},
		{home + "consultations/zj-2026-04/opinion", url.Values{"topic": {"t9"}, "opinion": {"意见"}},
			[]string{"f-topic", "f-applicant_name", "f-mobile"}, "意见"},
	} {
		tc.values.Set("form_id", s.formOf(tc.form))
		resp, body := s.post(tc.form, tc.values)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d, want 422", tc.form, resp.StatusCode)
			continue
		}
		if !strings.Contains(body, `class="error-summary"`) {
			t.Errorf("%s: no error summary", tc.form)
		}
		for _, id := range tc.bad {
			if !strings.Contains(body, `href="#`+id+`"`) || !strings.Contains(body, `id="`+id+`"`) || !strings.Contains(body, `id="`+id+`-error"`) {
				t.Errorf("%s: the summary does not link to field %s, or the field has no message", tc.form, id)
			}
		}
		if !strings.Contains(body, tc.kept) {
			t.Errorf("%s: the answer %q was not kept", tc.form, tc.kept)
		}
		title := regexp.MustCompile(`<title>([^<]*)</title>`).FindStringSubmatch(body)
		if title == nil || !strings.HasPrefix(title[1], "有错误：") {
			t.Errorf("%s: title %q does not say there is an error", tc.form, title)
		} else {
			noPersonal(t, "the title", title[1])
		}
		if !strings.Contains(body, `value="`+tc.values.Get("form_id")+`"`) {
			t.Errorf("%s: the form lost its id", tc.form)
		}
	}
	if n := len(s.webCases()); n != 0 {
		t.Errorf("%d cases stored from bad forms", n)
	}
	if n := s.opinionCount(); n != 0 {
		t.Errorf("%d opinions stored from a bad form", n)
	}
	// 同意公开显示 starts unchecked.
	if _, body := s.get(home + "appeal"); !regexp.MustCompile(`<input type="checkbox" id="f-public" name="public" value="yes" aria-describedby`).MatchString(body) {
		t.Errorf("the consent box is not there unchecked")
	}
	// A form without the id the site gave it is not filed.
	if resp, _ := s.post(home+"appeal", url.Values{"appeal_type": {"help"}, "category": {"other"}, "description": {"求助"}, "anonymous": {"yes"}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a form without its id: %d, want 400", resp.StatusCode)
	}
	noPersonal(t, "the logs", s.logs.String())
}

// Posts are limited: a body over the size limit is 413, a flood from one
// address is slowed with a 429 page in words and logged with the address
// only, and a cross-site post is refused; none of them stores anything.
func TestFormAbuse(t *testing.T) {
	s := newSite(t)
	form := "/s/" + demoStreet + "/appeal"
	v := url.Values{"form_id": {s.formOf(form)}, "appeal_type": {"help"}, "category": {"other"},
		"description": {strings.Repeat("长", maxFormBytes/3+10)}, "applicant_name": {testName}, "mobile": {testMobile}}
	if resp, _ := s.post(form, v); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("an oversized form: %d, want 413", resp.StatusCode)
	}
	v.Set("description", "小区门口路灯不亮")
	if resp, _ := s.post(form, v, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a cross-site post: %d, want 403", resp.StatusCode)
	}
	if n := len(s.webCases()); n != 0 {
		t.Fatalf("%d cases stored", n)
	}
	// The same good form over and over: the first is filed, the rest
	// answer its receipt until the limit, then 429.
	var codes []int
	for range postBurst + 3 {
		resp, _ := s.post(form, v)
		codes = append(codes, resp.StatusCode)
	}
	resp, body := s.post(form, v)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "提交太频繁了") {
		t.Errorf("a flood: %d (Retry-After %q), want 429 with a page in words; codes %v", resp.StatusCode, resp.Header.Get("Retry-After"), codes)
	}
	if n := len(s.webCases()); n != 1 {
		t.Errorf("%d cases stored by the flood, want 1", n)
	}
	logs := s.logs.String()
	if strings.Count(logs, "rate-limited") != 1 || !strings.Contains(logs, "addr=127.0.0.1") {
		t.Errorf("the flood is not logged once with its address:\n%s", logs)
	}
	noPersonal(t, "the logs", logs)
}
