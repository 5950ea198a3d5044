package admin

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"jiezhen/assets"
	"jiezhen/data"
	"jiezhen/internal/pgtest"
	"jiezhen/sync/server"
	"jiezhen/ui/web"
)

// The demo content's two streets.
const (
	demoStreet  = "440106005"
	otherStreet = "440106006"
)

// testClock is the district's clock in tests: 2026-12-08 10:00 in China
// unless a test moves it.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testOffice is the back office over a real district database (SQLite
// in a temporary directory) holding the demo content, served over real
// HTTP with the website beside it, as districtd serves them.
type testOffice struct {
	t      testing.TB
	p      *server.Platform
	clock  *testClock
	url    string
	office *Office
	logs   *syncBuffer
	db     string
}

// syncBuffer is a log the server's goroutines write to.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newTestOffice(t testing.TB) *testOffice {
	t.Helper()
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "district.db")
	if pgtest.Enabled() {
		db = pgtest.URL(t, server.MigratePostgres)
	}
	st, err := server.OpenStore(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	o := &testOffice{t: t, clock: &testClock{t: time.Date(2026, 12, 8, 2, 0, 0, 0, time.UTC)}, logs: &syncBuffer{}, db: db}
	o.p = server.New(st, server.Options{Now: o.clock.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	// Personal data sealed, as districtd serve stores it.
	kf, err := server.NewKeyFile(filepath.Join(t.TempDir(), "district.key"))
	if err != nil {
		t.Fatal(err)
	}
	if err := o.p.UseKeyFile(ctx, kf); err != nil {
		t.Fatal(err)
	}
	set, err := data.ReadContentFiles(assets.Demo, "demo/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.p.Publish(ctx, set); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(o.logs, nil))
	o.office = New(o.p, log)
	mux := http.NewServeMux()
	mux.Handle(Prefix, o.office.Handler())
	mux.Handle("/", web.New(o.p, log).Handler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	o.url = srv.URL
	return o
}

// client is a browser's session with the back office: a cookie jar, and
// the session's CSRF token that post adds to every form. It follows no
// redirects.
type client struct {
	o    *testOffice
	c    *http.Client
	csrf string
	user server.User
}

// anon is a client without a session.
func (o *testOffice) anon() *client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		o.t.Fatal(err)
	}
	return &client{o: o, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// testIntake is the intake department the tests' handlers work for
// unless a test gives them another: it handles the cases dispatched to
// no department.
const testIntake = "综合受理"

// department lists a department, once.
func (o *testOffice) department(name string, intake bool) {
	o.t.Helper()
	deps, err := o.p.Departments(context.Background())
	if err != nil {
		o.t.Fatal(err)
	}
	if slices.ContainsFunc(deps, func(d server.Department) bool { return d.Name == name }) {
		return
	}
	if _, err := o.p.AddDepartment(context.Background(), server.Department{Name: name, Intake: intake}); err != nil {
		o.t.Fatal(err)
	}
}

// departmentFor is the department of a user with roles: testIntake for a
// handler, listed first; none for the others.
func (o *testOffice) departmentFor(roles []server.Role) string {
	o.t.Helper()
	if !slices.Contains(roles, server.RoleHandler) {
		return ""
	}
	o.department(testIntake, true)
	return testIntake
}

// addUser adds a user (not enrolled) with its roles and streets; a
// handler works for testIntake.
func (o *testOffice) addUser(name string, roles []server.Role, streets ...string) server.User {
	o.t.Helper()
	return o.addUserIn(name, roles, o.departmentFor(roles), streets...)
}

// addUserIn adds a user (not enrolled) with its roles, department and
// streets.
func (o *testOffice) addUserIn(name string, roles []server.Role, department string, streets ...string) server.User {
	o.t.Helper()
	u, _, err := o.p.AddUser(context.Background(), name, roles, streets, department)
	if err != nil {
		o.t.Fatal(err)
	}
	return u
}

// signIn adds a user with the roles and streets and returns a client
// signed in as it (the session started directly, as sign-in does once
// the password and the code pass).
func (o *testOffice) signIn(name string, roles []server.Role, streets ...string) *client {
	o.t.Helper()
	u := o.addUser(name, roles, streets...)
	return o.session(u)
}

// session returns a client signed in as an existing user.
func (o *testOffice) session(u server.User) *client {
	o.t.Helper()
	ctx := context.Background()
	token, err := o.p.StartSession(ctx, u.ID)
	if err != nil {
		o.t.Fatal(err)
	}
	_, s, err := o.p.Session(ctx, token)
	if err != nil {
		o.t.Fatal(err)
	}
	c := o.anon()
	base, _ := url.Parse(o.url + Prefix)
	c.c.Jar.SetCookies(base, []*http.Cookie{{Name: sessionCookie, Value: token, Path: Prefix}})
	c.csrf, c.user = s.CSRF, u
	return c
}

// do sends a request and returns the answer with its body read.
func (c *client) do(req *http.Request) (*http.Response, string) {
	c.o.t.Helper()
	resp, err := c.c.Do(req)
	if err != nil {
		c.o.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.o.t.Fatal(err)
	}
	return resp, string(b)
}

// get fetches a path.
func (c *client) get(path string) (*http.Response, string) {
	c.o.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.o.url+path, nil)
	if err != nil {
		c.o.t.Fatal(err)
	}
	return c.do(req)
}

// post sends a form to a path with the session's CSRF token added.
func (c *client) post(path string, form url.Values) (*http.Response, string) {
	c.o.t.Helper()
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	if c.csrf != "" && !f.Has("csrf") {
		f.Set("csrf", c.csrf)
	}
	return c.postRaw(path, f, nil)
}

// postRaw sends a form as it is, with extra headers.
func (c *client) postRaw(path string, form url.Values, header http.Header) (*http.Response, string) {
	c.o.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.o.url+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.o.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header[k] = v
	}
	return c.do(req)
}

// exec runs statements on the district database beside the platform,
// as an older districtd or an operator would have left it.
func (o *testOffice) exec(statements ...string) {
	o.t.Helper()
	driver := "sqlite"
	if server.IsPostgresURL(o.db) {
		driver = "pgx"
	}
	raw, err := sql.Open(driver, o.db)
	if err != nil {
		o.t.Fatal(err)
	}
	defer raw.Close()
	for _, q := range statements {
		if _, err := raw.Exec(q); err != nil {
			o.t.Fatal(err)
		}
	}
}

// auditLines are the back office's audit lines of action, newest first.
func (o *testOffice) auditLines(action string) []server.AdminAuditRecord {
	o.t.Helper()
	out, _, err := o.p.AdminAuditLines(context.Background(), server.AuditFilter{Action: action})
	if err != nil {
		o.t.Fatal(err)
	}
	return out
}

// wantForbidden sends a request as c (a POST with form and the session's
// CSRF token, any other method without a body) and fails the test unless
// it gets the 403 page and one new audit line "denied" naming c's user
// and the request. Page families use it for their street checks.
func (o *testOffice) wantForbidden(c *client, method, path string, form url.Values) {
	o.t.Helper()
	before := len(o.auditLines("denied"))
	var resp *http.Response
	if method == http.MethodPost {
		resp, _ = c.post(path, form)
	} else {
		req, err := http.NewRequest(method, o.url+path, nil)
		if err != nil {
			o.t.Fatal(err)
		}
		resp, _ = c.do(req)
	}
	if resp.StatusCode != http.StatusForbidden {
		o.t.Errorf("%s %s as %s: %d, want 403", method, path, c.user.Name, resp.StatusCode)
		return
	}
	denied := o.auditLines("denied")
	target := method + " " + strings.SplitN(path, "?", 2)[0]
	if len(denied) != before+1 || denied[0].UserID != c.user.ID || denied[0].Target != target {
		o.t.Errorf("%s %s as %s: no audit line for the refusal", method, path, c.user.Name)
	}
}
