package admin

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"jiezhen/data"
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
// route is not refused; and on a case's routes a handler of another
// department is refused (accessByDepartment).
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
	t.Run("a handler's department", accessByDepartment)
}

// accessByDepartment walks every route of one case, those added later
// included (TestAccessEveryRoute runs it): a handler reaches only the
// cases of its department. The case is an appeal dispatched to
// 城管科; a handler of another department, the intake's (who dispatched
// it) and one made before handlers had a department get 403 and an
// audit line on each, the queue lists it to none of them, and the case
// is left as it was; the department's own handler is not refused.
func accessByDepartment(t *testing.T) {
	o := newTestOffice(t)
	ctx := context.Background()
	ref := o.fileCase(testAppeal("a-1", demoStreet))
	o.department("城管科", false)
	o.department("民政科", false)
	intake := o.addUser("受理员", []server.Role{server.RoleHandler}, demoStreet)
	if _, err := o.p.HandleCase(ctx, intake, server.CaseMove{Ref: ref, To: data.StatusDispatched, Department: "城管科"}); err != nil {
		t.Fatal(err)
	}
	own := o.session(o.addUserIn("城管员", []server.Role{server.RoleHandler}, "城管科", demoStreet))
	older := o.addUser("旧承办", []server.Role{server.RoleHandler}, demoStreet)
	o.exec(fmt.Sprintf("UPDATE users SET department = '' WHERE id = %d", older.ID))
	refused := []*client{
		o.session(o.addUserIn("民政员", []server.Role{server.RoleHandler}, "民政科", demoStreet)),
		o.session(intake),
		o.session(older),
	}
	forms := map[string]url.Values{
		"move":     {"to": {"in_progress"}},
		"note":     {"note": {"看看"}},
		"handover": {"to": {otherStreet}, "reason": {"转过去"}},
	}
	n := 0
	for _, rt := range o.office.routes() {
		if !strings.Contains(rt.Pattern, "{ref}") || !slices.Contains(rt.Roles, server.RoleHandler) {
			continue
		}
		n++
		path := concrete(strings.Replace(rt.Pattern, "{ref}", url.PathEscape(ref), 1))
		t.Run(rt.Method+" "+rt.Pattern, func(t *testing.T) {
			for _, c := range refused {
				o.wantForbidden(c, rt.Method, path, forms[path[strings.LastIndex(path, "/")+1:]])
			}
			// The department's handler: an empty form, so nothing moves.
			var resp *http.Response
			if rt.Method == http.MethodPost {
				resp, _ = own.post(path, url.Values{})
			} else {
				resp, _ = own.get(path)
			}
			if resp.StatusCode == http.StatusForbidden {
				t.Errorf("the department's handler: %d", resp.StatusCode)
			}
		})
	}
	if n < 6 {
		t.Fatalf("%d routes of a case open to handlers", n)
	}
	for _, c := range refused {
		if _, body := c.get(Prefix + "cases/"); strings.Contains(body, ref) {
			t.Errorf("%s's queue lists another department's case", c.user.Name)
		}
	}
	for _, page := range []string{Prefix, Prefix + "cases/"} {
		if _, body := refused[2].get(page); !strings.Contains(body, "还没有指定承办部门") {
			t.Errorf("%s of a handler without a department does not say why no case shows", page)
		}
		if _, body := refused[0].get(page); strings.Contains(body, "还没有指定承办部门") {
			t.Errorf("%s of a handler with a department says it has none", page)
		}
	}
	if _, body := own.get(Prefix + "cases/"); !strings.Contains(body, ref) {
		t.Error("the department's queue lacks its case")
	}
	f, err := o.p.CaseFile(ctx, server.User{Roles: []server.Role{server.RoleInspector}}, ref, false)
	if err != nil || f.Rec.Case.Status != data.StatusDispatched || f.Rec.Assigned != demoStreet || len(f.Timeline) != 2 {
		t.Fatalf("the case after the refusals: %+v %v", f.Rec.Case, err)
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
