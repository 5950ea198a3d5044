package admin

import (
	"net/http"
	"strings"
	"testing"

	"jiezhen/sync/server"
)

// The home page greets the user, shows its roles and the sections they
// open, with the security headers of the website and no caching.
func TestHome(t *testing.T) {
	o := newTestOffice(t)
	c := o.signIn("李监察", []server.Role{server.RoleInspector, server.RoleHandler})
	resp, body := c.get(Prefix)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("home: %d\n%s", resp.StatusCode, body)
	}
	for _, want := range []string{"李监察", "监察", "承办", `name="csrf" value="` + c.csrf + `"`, `action="/admin/signout"`} {
		if !strings.Contains(body, want) {
			t.Errorf("home lacks %q", want)
		}
	}
	h := resp.Header
	if !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") || h.Get("X-Content-Type-Options") != "nosniff" ||
		h.Get("Cache-Control") != "no-store" {
		t.Errorf("headers: %v", h)
	}
	for _, css := range []string{"/admin/static/site.css", "/admin/static/admin.css"} {
		resp, body := c.get(css)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") || len(body) < 100 {
			t.Errorf("%s: %d %q", css, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	// English by the website's switch.
	resp, _ = c.get(Prefix + "?lang=en")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != Prefix {
		t.Fatalf("?lang=en: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, body := c.get(Prefix); !strings.Contains(body, "Inspector") || !strings.Contains(body, `lang="en"`) {
		t.Error("the home in English")
	}
	// An unknown page: 404 when signed in, sign-in otherwise.
	if resp, _ := c.get(Prefix + "nothing/here"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown page: %d", resp.StatusCode)
	}
	if resp, _ := o.anon().get(Prefix + "nothing/here"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("unknown page without a session: %d", resp.StatusCode)
	}
	if resp, body := o.anon().get(signInPath); resp.StatusCode != 200 || !strings.Contains(body, `name="password"`) {
		t.Errorf("sign-in page: %d", resp.StatusCode)
	}
	// Sign-out ends the session.
	if resp, _ := c.post(Prefix+"signout", nil); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != signInPath {
		t.Fatalf("sign-out: %d", resp.StatusCode)
	}
	if resp, _ := c.get(Prefix); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("home after sign-out: %d", resp.StatusCode)
	}
	if len(o.auditLines("signout")) != 1 {
		t.Error("sign-out not audited")
	}
}

// After 30 minutes unused the session is over: the next request signs in
// again.
func TestSessionIdle(t *testing.T) {
	o := newTestOffice(t)
	c := o.signIn("张三", []server.Role{server.RoleEditor})
	o.clock.Add(29 * 60e9)
	if resp, _ := c.get(Prefix); resp.StatusCode != http.StatusOK {
		t.Fatalf("after 29 minutes: %d", resp.StatusCode)
	}
	o.clock.Add(30 * 60e9)
	if resp, _ := c.get(Prefix); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != signInPath {
		t.Fatalf("after 30 minutes idle: %d", resp.StatusCode)
	}
}
