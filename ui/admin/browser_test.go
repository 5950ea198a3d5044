package admin

import (
	"context"
	"strings"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"jiezhen/sync/server"
	"jiezhen/ui/internal/webtest"
)

// In headless Chromium with JavaScript off, as staff may have it: an
// admin enrols with a password and a TOTP code (computed from the key
// the page shows), signs in, and opens the users and audit pages; every
// page type is looked at in a phone's and a PC's size, screenshotted and
// checked with axe-core (ui/internal/webtest, docs/WEB.md "Tests").
func TestBrowserEnrolAndSignIn(t *testing.T) {
	ctx := webtest.Browser(t)
	o := newTestOffice(t)
	dir := webtest.ShotDir(t)
	bg := context.Background()
	_, token, err := o.p.AddUser(bg, "区管理员王芳", []server.Role{server.RoleAdmin, server.RoleInspector}, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	o.addUser("街道编辑李明", []server.Role{server.RoleEditor, server.RoleReviewer}, demoStreet)

	// look inspects the page loaded now at both sizes.
	look := func(name string) {
		t.Helper()
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		for _, vp := range webtest.Viewports {
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(vp.W, vp.H)); err != nil {
				t.Fatal(err)
			}
			webtest.Inspect(t, ctx, dir, "admin-"+name, strings.TrimPrefix(loc, o.url), vp.Name, vp.W)
		}
	}
	// open loads a path with JavaScript off and checks its status.
	open := func(path string, status int64) {
		t.Helper()
		if err := chromedp.Do(ctx, webtest.Scripts(false), chromedp.EmulateViewport(1440, 900)); err != nil {
			t.Fatal(err)
		}
		resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(o.url+path))
		if err != nil {
			t.Fatal(err)
		}
		if resp.Status != status {
			t.Fatalf("%s: status %d, want %d", path, resp.Status, status)
		}
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
		return strings.TrimPrefix(loc, o.url)
	}
	typeIn := func(sel, text string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.SendKeys(sel, text)); err != nil {
			t.Fatalf("type into %s: %v", sel, err)
		}
	}

	// Enrolment, step 1: a common password is refused at its field.
	enrol := enrolPath + token
	open(enrol, 200)
	look("enrol-password")
	typeIn("#password", "password1234")
	typeIn("#confirm", "password1234")
	submit("form.form button")
	look("enrol-password-error")
	typeIn("#password", testPassword)
	typeIn("#confirm", testPassword)
	if loc := submit("form.form button"); loc != enrol {
		t.Fatalf("after the password: at %s", loc)
	}
	// Step 2: the QR code shows under the CSP, and the key as text.
	look("enrol-totp")
	if err := chromedp.Do(ctx, webtest.Scripts(true)); err != nil {
		t.Fatal(err)
	}
	w, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelector("img.qr").naturalWidth`))
	if err != nil || w < 200 {
		t.Fatalf("the QR code did not load: width %d, %v", w, err)
	}
	shown, err := chromedp.Run(ctx, chromedp.TextContent("#secret"))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, webtest.Scripts(false)); err != nil {
		t.Fatal(err)
	}
	secret := strings.ReplaceAll(strings.TrimSpace(shown), " ", "")
	code := func() string {
		t.Helper()
		c, err := totp.GenerateCode(secret, o.clock.Now())
		if err != nil {
			t.Fatalf("the key shown, %q: %v", shown, err)
		}
		return c
	}
	typeIn("#code", code())
	if loc := submit("form.form button"); loc != signInPath+"?enrolled=1" {
		t.Fatalf("after the code: at %s", loc)
	}
	look("signin-enrolled")

	// Sign in: a wrong try first, then the next code.
	o.clock.Add(30 * time.Second)
	typeIn("#name", "区管理员王芳")
	typeIn("#password", "not my password")
	typeIn("#code", code())
	submit("form.form button")
	look("signin-failed")
	// The name stays filled in; the password and the code do not.
	typeIn("#password", testPassword)
	typeIn("#code", code())
	if loc := submit("form.form button"); loc != Prefix {
		t.Fatalf("after signing in: at %s", loc)
	}
	look("home")

	// The users pages and the audit, through the links on the pages.
	if loc := submit(`.sections a[href="/admin/users/"]`); loc != Prefix+"users/" {
		t.Fatalf("the users link: %s", loc)
	}
	look("users")
	o.department(testIntake, true)
	submit(`a[href="/admin/users/new"]`)
	look("user-new")
	typeIn("#name", "承办人赵六")
	if err := chromedp.Do(ctx, chromedp.Click("#role-handler"), chromedp.SetValue("#department", testIntake),
		chromedp.Click("#street-"+demoStreet)); err != nil {
		t.Fatal(err)
	}
	if loc := submit("form.form button"); !strings.HasPrefix(loc, Prefix+"users/") {
		t.Fatalf("after adding: at %s", loc)
	}
	text, err := chromedp.Run(ctx, chromedp.TextContent(".done"))
	if err != nil || !strings.Contains(text, "/admin/enrol/") {
		t.Fatalf("the enrolment link is not shown: %q %v", text, err)
	}
	look("user")
	submit(`.sections a[href="/admin/audit/"]`)
	look("audit")
	if got, err := chromedp.Run(ctx, chromedp.TextContent("main table tbody")); err != nil || !strings.Contains(got, "user.add") || !strings.Contains(got, "signin.fail") {
		t.Fatalf("the audit page: %q %v", got, err)
	}
	open(Prefix+"audit/?source=kiosk", 200)
	look("audit-kiosk")
	open(Prefix+"nothing", 404)
	look("notfound")
	// Signing out from the bar.
	if loc := submit(`.who button`); loc != signInPath {
		t.Fatalf("after signing out: at %s", loc)
	}
	look("signin")
	open(enrol, 410)
	look("enrol-gone")
}
