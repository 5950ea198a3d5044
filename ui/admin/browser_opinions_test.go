package admin

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"jiezhen/data"
	"jiezhen/sync/server"
	"jiezhen/ui/internal/webtest"
)

// browserSession gives the browser a session of user u, as signing in
// would.
func (o *testOffice) browserSession(t *testing.T, ctx context.Context, u server.User) {
	t.Helper()
	token, err := o.p.StartSession(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	httpOnly := true
	err = chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: sessionCookie, Value: token,
			URL: o.url + Prefix, Path: Prefix, HTTPOnly: &httpOnly, SameSite: network.CookieSameSiteStrict})
		return err
	}))
	if err != nil {
		t.Fatal(err)
	}
}

// The opinions and kiosk pages in Chromium with JavaScript off, at a
// phone's and a PC's size: screenshots, no sideways scrolling, and no
// axe-core violation, forms with their errors included.
func TestBrowserOpinionsAndKiosks(t *testing.T) {
	ctx := webtest.Browser(t)
	o := newTestOffice(t)
	dir := webtest.ShotDir(t)
	ids := o.giveOpinions(openConsultation, "t1", 3)
	o.giveOpinions(openConsultation, "t2", 2)
	reviewer := o.addUser("审核员", []server.Role{server.RoleReviewer, server.RoleAdmin})
	if _, err := o.p.MarkOpinion(context.Background(), reviewer, ids[0], data.OutcomeAdopted, "已纳入改造方案，明年实施。"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := o.p.AddKiosk(context.Background(), demoStreet, "社区服务中心一楼"); err != nil {
		t.Fatal(err)
	}
	o.clock.Add(25 * time.Hour) // the kiosk has gone quiet
	if _, _, err := o.p.AddKiosk(context.Background(), otherStreet, "林和街道办事大厅"); err != nil {
		t.Fatal(err)
	}
	o.browserSession(t, ctx, reviewer)

	base := Prefix + "opinions/" + openConsultation
	pages := []struct {
		name, path string
		status     int64
		submit     string // a button to press once loaded: the page is what it leads to
	}{
		{"admin-consultations", Prefix + "opinions/", 200, ""},
		{"admin-consultation", base, 200, ""},
		{"admin-mark", base + "/mark/" + ids[1], 200, ""},
		{"admin-mark-errors", base + "/mark/" + ids[1], 200, `form.form button[type="submit"]`},
		{"admin-feedback-open", base + "/feedback", 200, ""},
		{"admin-feedback", Prefix + "opinions/zj-2026-02/feedback", 200, ""},
		{"admin-kiosks", Prefix + "kiosks/", 200, ""},
		{"admin-kiosks-add-errors", Prefix + "kiosks/", 200, `form.form button[type="submit"]`},
		{"admin-kiosk-token", Prefix + "kiosks/", 200, `.row-actions form[action$="/2/token"] button`},
	}
	for _, pg := range pages {
		t.Run(pg.name, func(t *testing.T) {
			for _, vp := range webtest.Viewports {
				if err := chromedp.Do(ctx, webtest.Scripts(false), chromedp.EmulateViewport(vp.W, vp.H)); err != nil {
					t.Fatal(err)
				}
				resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(o.url+pg.path))
				if err != nil {
					t.Fatalf("%s: %v", vp.Name, err)
				}
				if resp.Status != pg.status {
					t.Fatalf("%s: status %d, want %d", pg.path, resp.Status, pg.status)
				}
				if pg.submit != "" {
					webtest.ClickToPage(t, ctx, pg.submit)
				}
				webtest.Inspect(t, ctx, dir, pg.name, pg.path, vp.Name, vp.W)
			}
		})
	}
	if resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(o.url+Prefix+"kiosks/")); err != nil || resp.Status != http.StatusOK {
		t.Fatalf("the fleet after: %v", err)
	}
}
