package admin

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"jiezhen/data"
	"jiezhen/data/store"
	syncclient "jiezhen/sync/client"
	"jiezhen/sync/server"
	"jiezhen/ui/admin/replynotice/pdftext"
	"jiezhen/ui/internal/webtest"
)

// A kiosk files cases with the real sync agent; in one headless chromium
// with JavaScript off an admin lists a department and a reply template;
// the intake department's handler dispatches an appeal from the queue,
// which leaves its queue, and answers a 依申请公开 request, whose 告知书
// PDF downloads with the applicant, the reference and the legal basis in
// its text; the department's handler takes the appeal through a templated
// reply to completion; with the district's clock a month on, an inspector issues a 督办
// on a case left open, which the handler's queue then shows. Every page
// type passes axe-core at a phone's and a PC's size.
func TestBrowserCases(t *testing.T) {
	ctx := webtest.Browser(t)
	o := newTestOffice(t)
	bg := context.Background()
	dir := webtest.ShotDir(t)

	// A kiosk of the demo street, its store and its sync agent against the
	// district's API on the same platform.
	api := http.NewServeMux()
	api.Handle("/api/", server.Handler(o.p))
	apiSrv := httptest.NewServer(api)
	t.Cleanup(apiSrv.Close)
	k, token, err := o.p.AddKiosk(bg, demoStreet, "一楼大厅")
	if err != nil {
		t.Fatal(err)
	}
	kst, err := store.Open(bg, filepath.Join(t.TempDir(), "kiosk.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { kst.Close() })
	agent, err := syncclient.New(bg, kst, syncclient.Config{District: apiSrv.URL, Token: token, Street: demoStreet})
	if err != nil {
		t.Fatal(err)
	}
	if err := agent.Once(bg); err != nil {
		t.Fatalf("first sync: %v", err)
	}
	file := func(c data.Case, days int) string {
		t.Helper()
		c.Street, c.Status, c.SubmittedAt = demoStreet, data.StatusSubmitted, o.clock.Now()
		filed, err := kst.FileCase(bg, c, k.ID, days)
		if err != nil {
			t.Fatal(err)
		}
		return filed.Ref
	}
	appeal := file(testAppeal("", demoStreet), 13)
	disclosure := file(testDisclosure(""), data.DisclosureDays)
	left := file(testAppeal("", demoStreet), 13)
	if err := agent.Once(bg); err != nil {
		t.Fatalf("push: %v", err)
	}

	var signInAs func(server.User)
	// signIn gives the browser a session of a new user (a handler of the
	// intake department, testIntake).
	signIn := func(name string, roles []server.Role, streets ...string) {
		t.Helper()
		signInAs(o.addUser(name, roles, streets...))
	}
	signInAs = func(u server.User) {
		t.Helper()
		token, err := o.p.StartSession(bg, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		yes := true
		if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: sessionCookie, Value: token,
				URL: o.url + Prefix, Path: Prefix, HTTPOnly: &yes, SameSite: network.CookieSameSiteStrict})
			return err
		})); err != nil {
			t.Fatal(err)
		}
	}
	// inspect loads a page at each viewport with JavaScript off and checks
	// it (screenshots, no sideways scrolling, axe-core).
	inspect := func(name, path string) {
		t.Helper()
		for _, vp := range webtest.Viewports {
			resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(o.url+path))
			if err == nil && resp.Status != http.StatusOK {
				t.Fatalf("%s: status %d", path, resp.Status)
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := chromedp.Do(ctx, webtest.Scripts(false), chromedp.EmulateViewport(vp.W, vp.H), chromedp.Navigate(o.url+path)); err != nil {
				t.Fatal(err)
			}
			webtest.Inspect(t, ctx, dir, name, path, vp.Name, vp.W)
		}
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1440, 900), chromedp.Navigate(o.url+path)); err != nil {
			t.Fatal(err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		return webtest.PageText(t, ctx, sel)
	}
	submit := func(sel string) string {
		t.Helper()
		return webtest.ClickToPage(t, ctx, sel)
	}
	if err := chromedp.Do(ctx, webtest.Scripts(false)); err != nil {
		t.Fatal(err)
	}

	// The admin's lists.
	signIn("区管理员", []server.Role{server.RoleAdmin})
	inspect("admin-departments", Prefix+"departments/")
	if err := chromedp.Do(ctx, chromedp.SendKeys("#dep-name", "城管科")); err != nil {
		t.Fatal(err)
	}
	submit(`form[action="/admin/departments/add"] button`)
	inspect("admin-templates", Prefix+"templates/")
	if err := chromedp.Do(ctx, chromedp.SetValue("#tpl-kind", "appeal"), chromedp.SendKeys("#tpl-title", "路灯维修"),
		chromedp.SendKeys("#tpl-text", "已通知供电部门，路灯已修复，感谢您的反映。")); err != nil {
		t.Fatal(err)
	}
	submit(`form[action="/admin/templates/save"] button`)
	if !strings.Contains(text("main"), "路灯维修") {
		t.Fatal("the template is not listed")
	}

	// The intake's handler: the kiosk's cases are in the queue.
	signIn("承办甲", []server.Role{server.RoleHandler}, demoStreet)
	inspect("admin-cases-start", Prefix+"cases/")
	queue := text("table.queue")
	for _, ref := range []string{appeal, disclosure, left} {
		if !strings.Contains(queue, ref) {
			t.Fatalf("the queue lacks %s:\n%s", ref, queue)
		}
	}
	if loc := submit(`a[href="` + casePath(appeal) + `"]`); !strings.HasSuffix(loc, casePath(appeal)) {
		t.Fatalf("the queue's link leads to %s", loc)
	}
	inspect("admin-case", casePath(appeal))
	// Dispatched, the appeal is the department's: the intake's handler is
	// back at its queue, without it.
	if loc := submit(`#move-dispatched button[type="submit"]`); !strings.HasSuffix(loc, Prefix+"cases/") {
		t.Fatalf("after the dispatch: at %s", loc)
	}
	if queue := text("table.queue"); strings.Contains(queue, appeal) || !strings.Contains(queue, disclosure) {
		t.Fatalf("the intake's queue after the dispatch:\n%s", queue)
	}

	// The disclosure request, the intake's: a reply of a type, then its
	// 告知书.
	if err := chromedp.Do(ctx, chromedp.Navigate(o.url+casePath(disclosure)), chromedp.SetValue("#rt", "not_exist"),
		chromedp.SendKeys("#reason-replied", "经检索，本机关未制作2025年老旧小区改造资金使用情况。")); err != nil {
		t.Fatal(err)
	}
	submit(`#move-replied button[type="submit"]`)
	downloads := t.TempDir()
	if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads})
		return err
	}), chromedp.Click(`a[href$="/notice.pdf"]`)); err != nil {
		t.Fatal(err)
	}
	pdf := waitFile(t, downloads, ".pdf")
	pdfText := pdftext.Text(t, pdf)
	for _, s := range []string{"王小五", disclosure, "第三十六条第（四）项", "政府信息公开申请答复告知书"} {
		if !strings.Contains(pdfText, s) {
			t.Errorf("the downloaded 告知书 lacks %q:\n%s", s, pdfText)
		}
	}
	inspect("admin-notice", casePath(disclosure)+"/notice")
	if err := chromedp.Do(ctx, chromedp.Navigate(o.url+casePath(disclosure)), chromedp.SendKeys("#reason-completed", "告知书已送达")); err != nil {
		t.Fatal(err)
	}
	submit(`#move-completed button[type="submit"]`)
	if got := text(".case-head"); !strings.Contains(got, "已办结") {
		t.Fatalf("the disclosure request is not completed: %s", got)
	}

	// The department's handler takes the appeal on.
	signInAs(o.addUserIn("城管甲", []server.Role{server.RoleHandler}, "城管科", demoStreet))
	if err := chromedp.Do(ctx, chromedp.Navigate(o.url+casePath(appeal))); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text("main"), "城管科") {
		t.Fatal("the dispatch is not shown")
	}
	submit(`#move-in_progress button[type="submit"]`)
	if err := chromedp.Do(ctx, chromedp.SendKeys("#note", "内部：与城管科电话确认，周三前修复")); err != nil {
		t.Fatal(err)
	}
	submit(`form[action$="/note"] button`)
	inspect("admin-case-handled", casePath(appeal))
	submit(`form.template button`)
	if err := chromedp.Do(ctx, webtest.Scripts(true)); err != nil {
		t.Fatal(err)
	}
	reply, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#reason-replied").value`))
	if err != nil || reply != "已通知供电部门，路灯已修复，感谢您的反映。" {
		t.Fatalf("the reply box holds %q (%v), want the template", reply, err)
	}
	if err := chromedp.Do(ctx, webtest.Scripts(false)); err != nil {
		t.Fatal(err)
	}
	submit(`#move-replied button[type="submit"]`)
	if err := chromedp.Do(ctx, chromedp.SendKeys("#reason-completed", "回访确认路灯已修复")); err != nil {
		t.Fatal(err)
	}
	submit(`#move-completed button[type="submit"]`)
	if got := text(".case-head"); !strings.Contains(got, "已办结") {
		t.Fatalf("the appeal is not completed: %s", got)
	}

	// What the kiosk gets back: the reply and the department, never the
	// note.
	if err := agent.Once(bg); err != nil {
		t.Fatalf("pull: %v", err)
	}
	c, err := kst.Case(bg, appeal)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(c)
	if c.Status != data.StatusCompleted || c.Department != "城管科" || strings.Contains(string(b), "周三前修复") {
		t.Fatalf("the kiosk's copy: %s", b)
	}

	// A month on by the district's clock the case left open is overdue:
	// an inspector issues a 督办.
	o.clock.Add(30 * 24 * time.Hour)
	signIn("监察丙", []server.Role{server.RoleInspector})
	inspect("admin-supervision", Prefix+"supervision/")
	if got := text("main"); !strings.Contains(got, left) || strings.Contains(got, appeal) {
		t.Fatalf("the overdue list:\n%s", got)
	}
	submit(`a[href="` + casePath(left) + `"]`)
	inspect("admin-case-inspector", casePath(left))
	if err := chromedp.Do(ctx, chromedp.SendKeys("#sup", "已超期，请于三日内办结并报告")); err != nil {
		t.Fatal(err)
	}
	submit(`form[action$="/supervise"] button`)
	if !strings.Contains(text(".timeline"), "已超期，请于三日内办结并报告") {
		t.Fatal("the timeline lacks the 督办")
	}

	// New cases arrive meanwhile; the handler's queue has the overdue one
	// first, with its 督办.
	consult := testAppeal("", demoStreet)
	consult.AppealType, consult.Description = data.AppealConsult, "咨询办理居住证需要准备哪些材料"
	file(consult, data.DefaultAppealDays[data.AppealConsult])
	file(testAppeal("", demoStreet), 13)
	web := testDisclosure("")
	web.Request.Information = "本街道2026年度部门预算及“三公”经费"
	file(web, data.DisclosureDays)
	if err := agent.Once(bg); err != nil {
		t.Fatalf("push: %v", err)
	}
	signIn("承办乙", []server.Role{server.RoleHandler}, demoStreet)
	inspect("admin-cases", Prefix+"cases/")
	got := text("table.queue")
	if !strings.Contains(got, "督办") || !strings.Contains(got, "已超期，请于三日内办结并报告") {
		t.Fatalf("the handler's queue lacks the 督办:\n%s", got)
	}
	if first := text("table.queue tbody tr"); !strings.Contains(first, left) || !strings.Contains(first, "已超期") {
		t.Fatalf("the queue's first row is not the overdue case: %s", first)
	}
}

// waitFile waits for a finished download with the suffix in dir and
// returns its bytes.
func waitFile(t *testing.T, dir, suffix string) []byte {
	t.Helper()
	for range 100 {
		names, _ := filepath.Glob(filepath.Join(dir, "*"+suffix))
		if len(names) == 1 {
			if b, err := os.ReadFile(names[0]); err == nil && len(b) > 0 {
				return b
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no %s file downloaded in %s", suffix, dir)
	return nil
}
