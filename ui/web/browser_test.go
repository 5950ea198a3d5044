package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"jiezhen/data"
	"jiezhen/data/report"
	"jiezhen/sync/server"
	"jiezhen/ui/internal/webtest"
	"jiezhen/ui/reportdoc"
)

func TestBrowser(t *testing.T) {
	ctx := webtest.Browser(t)
	s := newSite(t)
	filed := fileAppeals(t, s.p)
	s.publishOnRequest()
	dir := webtest.ShotDir(t)
	home := "/s/" + demoStreet + "/"
	pages := []struct {
		name, path string
		status     int64
	}{
		{"streets", "/", 200},
		{"home", home, 200},
		{"notices", home + "notices/", 200},
		{"notice", home + "notices/" + filesNotice, 200},
		{"catalog", home + "catalog/", 200},
		{"catalog-topic", home + "catalog/?topic=政务公开", 200},
		{"catalog-entry", home + "catalog/cat-gz-2012-16", 200},
		{"catalog-entry-on-request", home + "catalog/" + onRequestEntry, 200},
		{"services", home + "services/", 200},
		{"service", home + "services/" + filesService, 200},
		{"service-enforcement", home + "services/svc-zhandao-jingying", 200},
		{"providers", home + "providers/", 200},
		{"consultations", home + "consultations/", 200},
		{"consultation-open", home + "consultations/zj-2026-03", 200},
		{"consultation-closed", home + "consultations/zj-2026-02", 200},
		{"appeals", home + "appeals/", 200},
		{"appeals-filtered", home + "appeals/?type=complaint&year=2026&month=12", 200},
		{"appeal", home + "appeals/" + filed.Public, 200},
		{"apply", home + "services/svc-linshi-jiuzhu/apply", 200},
		{"appeal-form", home + "appeal", 200},
		{"disclosure", home + "disclosure", 200},
		{"disclosure-entry", home + "disclosure?entry=" + onRequestEntry, 200},
		{"opinion", home + "consultations/zj-2026-04/opinion", 200},
		{"opinion-sent", home + "consultations/zj-2026-04/opinion/sent", 200},
		{"notfound", home + "notices/none", 404},
		{"badrequest", home + "catalog/?year=20x", 400},
		{"search-form", home + "search", 200},
		{"search", home + "search?q=" + url.QueryEscape("长者饭堂"), 200},
		{"search-short", home + "search?q=" + url.QueryEscape("停水"), 200},
		{"search-none", home + "search?q=" + url.QueryEscape("不存在的词语"), 200},
		{"figures", home + "figures", 200},
	}
	if _, err := s.p.PublishFigures(context.Background(), s.p.LastMonth()); err != nil {
		t.Fatal(err)
	}
	viewports := []struct {
		name string
		w, h int64
	}{{"phone", 360, 800}, {"pc", 1440, 900}}
	var checkAt func(t *testing.T, name, base, path string, status int64)
	// check loads a page at each viewport with JavaScript off, checks its
	// status, and inspects it (screenshots, no sideways scrolling, axe).
	check := func(t *testing.T, name, path string, status int64) {
		t.Helper()
		checkAt(t, name, s.url, path, status)
	}
	checkAt = func(t *testing.T, name, base, path string, status int64) {
		t.Helper()
		for _, vp := range viewports {
			if err := chromedp.Do(ctx, webtest.Scripts(false), chromedp.EmulateViewport(vp.w, vp.h)); err != nil {
				t.Fatal(err)
			}
			resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(base+path))
			if err != nil {
				t.Fatalf("%s: %v", vp.name, err)
			}
			if resp.Status != status {
				t.Fatalf("%s: status %d, want %d", path, resp.Status, status)
			}
			webtest.Inspect(t, ctx, dir, name, path, vp.name, vp.w)
		}
	}
	for _, pg := range pages {
		t.Run(pg.name, func(t *testing.T) { check(t, pg.name, pg.path, pg.status) })
	}
	// The district's reports as HTML files (ui/reportdoc), from this
	// site's district.
	reports := reportPages(t, s.p)
	for _, name := range []string{"monthly", "monthly-street", "quarterly", "annual"} {
		t.Run("report-"+name, func(t *testing.T) { checkAt(t, "report-"+name, reports, "/"+name, 200) })
	}

	// On a 1920 px screen the reading pages keep a readable measure: no
	// paragraph of text runs wider than about 45 characters of the body
	// font (the stylesheet's 40em, with room for a list's indent).
	t.Run("wide", func(t *testing.T) {
		for _, pg := range []struct{ name, path string }{
			{"home", home}, {"notice", home + "notices/" + filesNotice}, {"catalog-entry", home + "catalog/cat-gz-2012-16"},
			{"service", home + "services/" + filesService}, {"search", home + "search?q=" + url.QueryEscape("长者饭堂")},
		} {
			if err := chromedp.Do(ctx, webtest.Scripts(false), chromedp.EmulateViewport(1920, 1080), chromedp.Navigate(s.url+pg.path)); err != nil {
				t.Fatal(err)
			}
			webtest.Inspect(t, ctx, dir, pg.name, pg.path, "wide", 1920)
			if err := chromedp.Do(ctx, webtest.Scripts(true)); err != nil {
				t.Fatal(err)
			}
			ratio, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`(() => {
				const em = parseFloat(getComputedStyle(document.body).fontSize);
				let w = 0;
				for (const p of document.querySelectorAll("main p")) w = Math.max(w, p.getBoundingClientRect().width);
				return w / em;
			})()`))
			if err != nil {
				t.Fatal(err)
			}
			if ratio > 45 {
				t.Errorf("%s at 1920 px: a paragraph %.0f characters wide", pg.path, ratio)
			}
		}
	})

	// 办件查询 as a resident does it with JavaScript off: the form, the
	// timeline of a completed case filed at a kiosk, its rating; and the
	// timeline of a case waiting for 补正 with its form.
	t.Run("track", func(t *testing.T) {
		k := s.kiosk()
		ref := s.fileCase(k, appealCase("browser-appeal"))
		s.move(ref, data.StatusReplied, "已联系供电部门修复路灯")
		s.move(ref, data.StatusCompleted, "回访确认路灯已修复")
		check(t, "track-form", home+"track?ref="+url.QueryEscape(ref), 200)
		if err := chromedp.Do(ctx, webtest.Scripts(false), chromedp.EmulateViewport(360, 800), chromedp.Navigate(s.url+home+"track?ref="+url.QueryEscape(ref))); err != nil {
			t.Fatal(err)
		}
		submit := func(sel string) string {
			t.Helper()
			if _, err := chromedp.Run(ctx, chromedp.WaitEvent(cdppage.LoadEventFired, nil, chromedp.Click(sel))); err != nil {
				t.Fatalf("submit %s: %v", sel, err)
			}
			loc, err := chromedp.Run(ctx, chromedp.Location())
			if err != nil {
				t.Fatal(err)
			}
			return loc
		}
		if err := chromedp.Do(ctx, chromedp.SendKeys("#lastfour", "5678")); err != nil {
			t.Fatal(err)
		}
		loc := submit(`form[action$="/track"] button`)
		if !strings.Contains(loc, "/track/") || strings.Contains(loc, "5678") {
			t.Fatalf("after the form: %s", loc)
		}
		timeline := strings.TrimPrefix(loc, s.url)
		check(t, "timeline-rate", timeline, 200)
		if err := chromedp.Do(ctx, webtest.Scripts(false), chromedp.EmulateViewport(360, 800), chromedp.Navigate(loc),
			chromedp.Click("#r-5"), chromedp.SendKeys("#comment", "修得很快")); err != nil {
			t.Fatal(err)
		}
		if loc := submit(`form[action$="/rate"] button`); !strings.HasSuffix(loc, "?done=rated") {
			t.Fatalf("after rating: %s", loc)
		}
		recs, err := s.p.Cases(context.Background(), server.CaseFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var rated *server.CaseRecord
		for i := range recs {
			if recs[i].Case.Ref == ref {
				rated = &recs[i]
			}
		}
		if rated == nil || rated.Case.Rating != data.RatingVerySatisfied {
			t.Fatalf("the district's case after rating in the browser: %+v", rated)
		}
		check(t, "timeline-rated", timeline+"?done=rated", 200)

		disc := data.Case{ID: "browser-disc", Kind: data.CaseDisclosure, Street: demoStreet, Status: data.StatusSubmitted,
			SubmittedAt: time.Date(2026, 12, 8, 1, 0, 0, 0, time.UTC),
			Request:     &data.DisclosureRequest{Information: "2025年道路维修资金", Purpose: "了解情况", Delivery: data.DeliveryEmail},
			Applicant:   &data.Person{Name: "王五", IDNumber: "440106199001011235", Mobile: "13700001111", Email: "w@example.com", Address: "天河南一路2号"}}
		dref := s.fileCase(k, disc)
		s.move(dref, data.StatusCorrection, "请说明所需信息的具体年份和路段")
		check(t, "timeline-correction", s.trackTo(dref, "1111"), 200)
	})

	// With JavaScript off, a resident sends an appeal empty (the error
	// summary), fills it in and reaches the receipt; then a 依申请公开
	// request. Each state is looked at in both sizes.
	t.Run("filing", func(t *testing.T) {
		look := func(name string) {
			t.Helper()
			for _, vp := range viewports {
				if err := chromedp.Do(ctx, chromedp.EmulateViewport(vp.w, vp.h)); err != nil {
					t.Fatal(err)
				}
				webtest.Inspect(t, ctx, dir, name, name, vp.name, vp.w)
			}
		}
		submit := func() {
			t.Helper()
			if _, err := chromedp.Run(ctx, chromedp.WaitEvent(cdppage.LoadEventFired, nil, chromedp.Click(`form.form button[type="submit"]`))); err != nil {
				t.Fatalf("submit: %v", err)
			}
		}
		// eval runs the test's own script on the loaded page.
		eval := func(expr string) string {
			t.Helper()
			if err := chromedp.Do(ctx, webtest.Scripts(true)); err != nil {
				t.Fatal(err)
			}
			defer chromedp.Do(ctx, webtest.Scripts(false))
			v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		path := func() string { t.Helper(); return eval(`location.pathname`) }
		typeIn := func(sel, text string) chromedp.Action[chromedp.Void] { return chromedp.SendKeys(sel, text) }
		if err := chromedp.Do(ctx, webtest.Scripts(false), chromedp.EmulateViewport(360, 800), chromedp.Navigate(s.url+home+"appeal")); err != nil {
			t.Fatal(err)
		}
		submit()
		if n := eval(`String(document.querySelectorAll('.error-summary a[href^="#f-"]').length)`); n != "5" {
			t.Fatalf("the empty appeal: %s links in the error summary, want one per required field (5)", n)
		}
		look("appeal-errors")
		err := chromedp.Do(ctx,
			chromedp.Click(`#f-appeal_type-complaint`), chromedp.Click(`#f-category-noise`),
			typeIn(`#f-description`, "夜间施工噪音很大"), typeIn(`#f-location`, "天河南一路12号附近"),
			typeIn(`#f-applicant_name`, testName), typeIn(`#f-mobile`, testMobile), chromedp.Click(`#f-public`))
		if err != nil {
			t.Fatal(err)
		}
		submit()
		if p := path(); !strings.HasPrefix(p, home+"receipt/") {
			t.Fatalf("after filing the appeal: at %s, want the receipt", p)
		}
		look("receipt")

		if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 800), chromedp.Navigate(s.url+home+"disclosure"),
			typeIn(`#f-applicant_name`, testName), typeIn(`#f-id_number`, testID), typeIn(`#f-mobile`, testMobile),
			typeIn(`#f-information`, "2026年老旧小区改造项目的招标文件"), chromedp.Click(`#f-delivery`)); err != nil {
			t.Fatal(err)
		}
		submit()
		if p := path(); !strings.HasPrefix(p, home+"receipt/") {
			t.Fatalf("after filing the request: at %s, want the receipt", p)
		}
		look("receipt-disclosure")

		recs := s.webCases()
		if len(recs) != 2 || recs[0].Case.Kind != data.CaseAppeal || !recs[0].Case.Public || recs[0].Case.Description != "夜间施工噪音很大" ||
			recs[1].Case.Kind != data.CaseDisclosure || recs[1].Case.Request.Requester != data.RequesterPerson {
			t.Fatalf("filed from the browser: %+v", recs)
		}
	})

	// 大字 and English, chosen by plain links with JavaScript off, hold
	// while the resident moves on.
	t.Run("switches", func(t *testing.T) {
		if err := chromedp.Do(ctx, webtest.Scripts(false), chromedp.EmulateViewport(360, 800), chromedp.Navigate(s.url+home)); err != nil {
			t.Fatal(err)
		}
		click := func(sel string) {
			t.Helper()
			if _, err := chromedp.Run(ctx, chromedp.WaitEvent(cdppage.LoadEventFired, nil, chromedp.Click(sel))); err != nil {
				t.Fatalf("click %s: %v", sel, err)
			}
		}
		click(`.prefs a[href$="size=large"]`)
		click(`.sections a[href$="/services/"]`)
		click(`.prefs a[href$="lang=en"]`)
		click(`.list a[href*="/services/"]`)
		if err := chromedp.Do(ctx, webtest.Scripts(true)); err != nil {
			t.Fatal(err)
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.className + " " + document.documentElement.lang + " " + location.pathname`))
		if err != nil {
			t.Fatal(err)
		}
		if want := "large en " + home + "services/"; !strings.HasPrefix(got, want) {
			t.Fatalf("after 大字, a section, English and an item: %q, want %q…", got, want)
		}
		shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "service-large-en-phone.png"), shot, 0o644); err != nil {
			t.Fatal(err)
		}
		vs, err := webtest.RunAxe(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			t.Errorf("large English page: axe %s: %s\n  %s", v.ID, v.Help, strings.Join(v.Nodes, "\n  "))
		}
	})
}

// reportPages serves the reports of p's district as districtd writes
// them in HTML, at /monthly (the district's last month with its charts),
// /monthly-street, /quarterly and /annual.
func reportPages(t *testing.T, p *server.Platform) string {
	t.Helper()
	ctx := context.Background()
	m := p.LastMonth()
	monthly, err := p.MonthlyReport(ctx, m, "", true)
	if err != nil {
		t.Fatal(err)
	}
	street, err := p.MonthlyReport(ctx, m, demoStreet, true)
	if err != nil {
		t.Fatal(err)
	}
	q, err := p.QuarterlyReport(ctx, report.QuarterPeriod(m.From.Date().Year, (int(m.From.Date().Month)+2)/3), data.ZH)
	if err != nil {
		t.Fatal(err)
	}
	a, err := p.AnnualReport(ctx, report.YearPeriod(m.From.Date().Year), demoStreet, nil)
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string]*reportdoc.Doc{"/monthly": reportdoc.MonthlyDoc(monthly), "/monthly-street": reportdoc.MonthlyDoc(street),
		"/quarterly": reportdoc.QuarterlyDoc(q), "/annual": reportdoc.AnnualDoc(a)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, ok := docs[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := reportdoc.WriteHTML(w, d); err != nil {
			t.Error(err)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
