package admin

import (
	"testing"

	"github.com/chromedp/chromedp"

	"jiezhen/sync/server"
	"jiezhen/ui/internal/webtest"
)

// The reports page in Chromium with JavaScript off, at a phone's and a
// PC's size, for each report with its tables and charts: screenshots, no
// sideways scrolling, and no axe-core violation.
func TestBrowserReports(t *testing.T) {
	ctx := webtest.Browser(t)
	o := newTestOffice(t)
	dir := webtest.ShotDir(t)
	o.browserSession(t, ctx, o.addUser("区管理员", []server.Role{server.RoleAdmin, server.RoleEditor}))
	for _, pg := range []struct{ name, path string }{
		{"admin-reports-monthly", Prefix + "reports/"},
		{"admin-reports-street", Prefix + "reports/?kind=monthly&period=2026-11&street=" + demoStreet},
		{"admin-reports-quarterly", Prefix + "reports/?kind=quarterly&period=2026Q4&street="},
		{"admin-reports-annual", Prefix + "reports/?kind=annual&period=2026&street=" + demoStreet},
	} {
		t.Run(pg.name, func(t *testing.T) {
			for _, vp := range webtest.Viewports {
				if err := chromedp.Do(ctx, webtest.Scripts(false), chromedp.EmulateViewport(vp.W, vp.H)); err != nil {
					t.Fatal(err)
				}
				resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(o.url+pg.path))
				if err != nil {
					t.Fatalf("%s: %v", vp.Name, err)
				}
				if resp.Status != 200 {
					t.Fatalf("%s: status %d", pg.path, resp.Status)
				}
				webtest.Inspect(t, ctx, dir, pg.name, pg.path, vp.Name, vp.W)
			}
		})
	}
}
