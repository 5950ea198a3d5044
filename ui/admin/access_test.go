package admin

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"jiezhen/sync/server"
)

// concrete turns a route's pattern into a path to request: each wildcard
// becomes "x", {$} nothing.
func concrete(pattern string) string {
	p := strings.ReplaceAll(pattern, "{$}", "")
	return regexp.MustCompile(`\{[^}]*\}`).ReplaceAllString(p, "x")
}

// Every guarded route, those added later included: without a session it
// sends the browser to sign in; a user of each role gets 403 and an
// audit line unless the route lists the role; with a role it lists, the
// route is not refused.
func TestAccessEveryRoute(t *testing.T) {
	o := newTestOffice(t)
	routes := o.office.routes()
	if len(routes) == 0 {
		t.Fatal("no routes")
	}
	anon := o.anon()
	users := map[server.Role]server.User{}
	for _, r := range server.Roles {
		users[r] = o.addUser("only-"+string(r), []server.Role{r})
	}
	seen := map[string]bool{}
	for _, rt := range routes {
		key := rt.Method + " " + rt.Pattern
		if seen[key] {
			t.Errorf("%s: listed twice", key)
		}
		seen[key] = true
		if !strings.HasPrefix(rt.Pattern, Prefix) {
			t.Errorf("%s: not under %s", key, Prefix)
		}
		if len(rt.Roles) == 0 {
			t.Errorf("%s: open to no role", key)
		}
		path := concrete(rt.Pattern)
		send := func(c *client) (*http.Response, string) {
			if rt.Method == http.MethodPost {
				return c.post(path, url.Values{})
			}
			req, err := http.NewRequest(rt.Method, o.url+path, nil)
			if err != nil {
				t.Fatal(err)
			}
			return c.do(req)
		}
		t.Run(key, func(t *testing.T) {
			resp, _ := send(anon)
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != signInPath {
				t.Errorf("without a session: %d to %q, want 303 to %s", resp.StatusCode, resp.Header.Get("Location"), signInPath)
			}
			for _, role := range server.Roles {
				c := o.session(users[role]) // a session of its own: the route may end it
				before := len(o.auditLines("denied"))
				resp, body := send(c)
				denied := o.auditLines("denied")
				if slices.Contains(rt.Roles, role) {
					if resp.StatusCode == http.StatusForbidden || len(denied) != before {
						t.Errorf("%s: %d, though the route is open to the role", role, resp.StatusCode)
					}
					continue
				}
				if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "无权访问") {
					t.Errorf("%s: %d, want 403", role, resp.StatusCode)
				}
				if len(denied) != before+1 || denied[0].UserID != c.user.ID || denied[0].Target != rt.Method+" "+path {
					t.Errorf("%s: no audit line for the refusal: %+v", role, denied)
				}
			}
		})
	}
}

// A POST without the session's CSRF token, with a wrong one, or sent by a
// browser from another site is refused and changes nothing.
func TestForgedPostsRefused(t *testing.T) {
	o := newTestOffice(t)
	// Every role, so that no route refuses it for its role first.
	c := o.signIn("管理员", server.Roles)
	var posts []string
	for _, rt := range o.office.routes() {
		if rt.Method == http.MethodPost {
			posts = append(posts, concrete(rt.Pattern))
		}
	}
	if len(posts) == 0 {
		t.Fatal("no POST routes")
	}
	for _, path := range posts {
		for _, f := range []struct {
			name   string
			form   url.Values
			header http.Header
		}{
			{"no csrf field", url.Values{}, nil},
			{"a wrong csrf field", url.Values{"csrf": {"x" + c.csrf}}, nil},
			{"another site's origin", url.Values{"csrf": {c.csrf}}, http.Header{"Origin": {"https://evil.example"}}},
			{"a cross-site fetch", url.Values{"csrf": {c.csrf}}, http.Header{"Sec-Fetch-Site": {"cross-site"}}},
		} {
			resp, _ := c.postRaw(path, f.form, f.header)
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("POST %s with %s: %d, want 403", path, f.name, resp.StatusCode)
			}
		}
	}
	// The session is still there: sign-out with no token ended nothing.
	if resp, _ := c.get(Prefix); resp.StatusCode != http.StatusOK {
		t.Fatalf("after the forged posts: home %d", resp.StatusCode)
	}
	if n := len(o.auditLines("csrf")); n != 2*len(posts) {
		t.Errorf("%d csrf audit lines, want %d", n, 2*len(posts))
	}
}

// streetAllowed refuses another street's object with 403 and an audit
// line naming the street, and lets the user's own and district-wide ones
// through; a user of the whole district sees every street.
func TestStreetAllowed(t *testing.T) {
	o := newTestOffice(t)
	street := o.signIn("街道编辑", []server.Role{server.RoleEditor}, demoStreet)
	district := o.signIn("区编辑", []server.Role{server.RoleEditor})
	h := o.office.guard(route{Method: "GET", Pattern: Prefix + "test/{street}", Roles: allRoles,
		Handle: func(w http.ResponseWriter, r *http.Request, u *server.User) {
			if o.office.streetAllowed(w, r, u, r.PathValue("street")) {
				fmt.Fprint(w, "ok")
			}
		}})
	try := func(c *client, code string) int {
		t.Helper()
		req := httptest.NewRequest("GET", Prefix+"test/"+code, nil)
		req.SetPathValue("street", code)
		base, _ := url.Parse(o.url + Prefix)
		for _, ck := range c.c.Jar.Cookies(base) {
			req.AddCookie(ck)
		}
		w := httptest.NewRecorder()
		h(w, req)
		return w.Code
	}
	for _, c := range []struct {
		c    *client
		code string
		want int
	}{
		{street, demoStreet, 200}, {street, "", 200}, {street, otherStreet, 403},
		{district, demoStreet, 200}, {district, otherStreet, 200},
	} {
		if got := try(c.c, c.code); got != c.want {
			t.Errorf("%s for street %q: %d, want %d", c.c.user.Name, c.code, got, c.want)
		}
	}
	denied := o.auditLines("denied")
	if len(denied) != 1 || denied[0].Street != otherStreet || denied[0].UserID != street.user.ID {
		t.Fatalf("audit of the refusal: %+v", denied)
	}
}
