package web

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"jiezhen/ui/internal/webtest"
)

// From filing to rating through the real programs: in one headless
// chromium a resident files an appeal and a 依申请公开 request on the
// website served by `districtd serve` with JavaScript off, the district
// answers both with `districtd cases set`, and the resident, now with
// JavaScript on, tracks both to their replies and rates the appeal, which
// `districtd cases list` then shows.
func TestBrowserDistrictd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds districtd and runs it with a browser")
	}
	ctx := webtest.Browser(t)
	bin := webtest.DistrictdProgram(t)
	db := filepath.Join(t.TempDir(), "district.db")
	base := webtest.DistrictdServing(t, bin, db)
	home := base + "/s/" + demoStreet + "/"

	// file sends the form on the loaded page and returns the reference its
	// receipt shows.
	file := func(what string) string {
		t.Helper()
		loc := webtest.ClickToPage(t, ctx, `form.form button[type="submit"]`)
		if !strings.HasPrefix(loc, home+"receipt/") {
			t.Fatalf("after filing the %s: at %s, want the receipt", what, loc)
		}
		ref := strings.TrimSpace(webtest.PageText(t, ctx, ".receipt .ref"))
		if ref == "" || !strings.HasSuffix(loc, "/"+ref) {
			t.Fatalf("the %s's receipt at %s shows the reference %q", what, loc, ref)
		}
		return ref
	}
	err := chromedp.Do(ctx, webtest.Scripts(false), chromedp.EmulateViewport(360, 800), chromedp.Navigate(home+"appeal"),
		chromedp.Click(`#f-appeal_type-complaint`), chromedp.Click(`#f-category-noise`),
		chromedp.SendKeys(`#f-description`, "夜间施工噪音很大"), chromedp.SendKeys(`#f-location`, "天河南一路12号附近"),
		chromedp.SendKeys(`#f-applicant_name`, testName), chromedp.SendKeys(`#f-mobile`, testMobile))
	if err != nil {
		t.Fatal(err)
	}
	appeal := file("appeal")
	err = chromedp.Do(ctx, chromedp.Navigate(home+"disclosure"),
		chromedp.SendKeys(`#f-applicant_name`, testName), chromedp.SendKeys(`#f-id_number`, testID), chromedp.SendKeys(`#f-mobile`, testMobile),
		chromedp.SendKeys(`#f-information`, "2026年老旧小区改造项目的招标文件"), chromedp.Click(`#f-delivery`))
	if err != nil {
		t.Fatal(err)
	}
	disclosure := file("request")

	// The district answers, as the README's walkthrough does.
	const appealReply, disclosureReply = "已责令施工单位晚上十点后停止施工。", "招标文件已通过电子邮件发送给您。"
	for _, args := range [][]string{
		{appeal, "dispatched", "--department", "城管科", "--reason", "已转城管科处理"},
		{appeal, "in_progress", "--reason", "城管科已到现场核查"},
		{appeal, "replied", "--reason", appealReply},
		{appeal, "completed", "--reason", "已办结"},
		{disclosure, "in_progress", "--reason", "正在检索相关信息"},
		{disclosure, "replied", "--reply-type", "disclosed", "--reason", disclosureReply},
		{disclosure, "completed", "--reason", "已办结"},
	} {
		webtest.DistrictdCLI(t, bin, append([]string{"cases", "--db", db, "set"}, args...)...)
	}

	// track opens a case's timeline from the tracking form and checks it
	// shows the reply.
	track := func(ref, reply string) string {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(home+"track"), chromedp.SendKeys("#ref", ref),
			chromedp.SendKeys("#lastfour", testMobile[len(testMobile)-4:])); err != nil {
			t.Fatal(err)
		}
		loc := webtest.ClickToPage(t, ctx, `form[action$="/track"] button`)
		if !strings.HasPrefix(loc, home+"track/") {
			t.Fatalf("tracking %s: at %s, want its timeline", ref, loc)
		}
		if got := webtest.PageText(t, ctx, ".feedback"); !strings.Contains(got, reply) {
			t.Fatalf("the timeline of %s shows the reply %q, want %q", ref, got, reply)
		}
		return loc
	}
	if err := chromedp.Do(ctx, webtest.Scripts(true)); err != nil {
		t.Fatal(err)
	}
	track(appeal, appealReply)
	if err := chromedp.Do(ctx, chromedp.Click("#r-5"), chromedp.SendKeys("#comment", "处理及时")); err != nil {
		t.Fatal(err)
	}
	if loc := webtest.ClickToPage(t, ctx, `form[action$="/rate"] button`); !strings.HasSuffix(loc, "?done=rated") {
		t.Fatalf("after rating: %s", loc)
	}
	timeline := track(disclosure, disclosureReply)
	if got := webtest.PageText(t, ctx, ".feedback"); !strings.Contains(got, "予以公开") {
		t.Fatalf("the request's reply does not say 予以公开: %q", got)
	}
	webtest.Inspect(t, ctx, webtest.ShotDir(t), "timeline-replied", strings.TrimPrefix(timeline, base), "phone", 360)

	got := map[string]map[string]any{}
	for _, line := range strings.Split(strings.TrimSpace(webtest.DistrictdCLI(t, bin, "cases", "--db", db, "list")), "\n") {
		var c map[string]any
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			t.Fatalf("cases list: %q: %v", line, err)
		}
		got[c["ref"].(string)] = c
	}
	a, d := got[appeal], got[disclosure]
	if a["status"] != "rated" || a["rating"] != float64(5) || a["channel"] != "web" {
		t.Errorf("the appeal in cases list: %v", a)
	}
	if d["status"] != "completed" || d["reply_type"] != "disclosed" || d["channel"] != "web" {
		t.Errorf("the request in cases list: %v", d)
	}
}
