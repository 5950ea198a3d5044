package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"jiezhen/sync/server"
)

// The first admin as the README makes one: `districtd user add` prints
// the enrolment link under the public URL, the person enrols on the
// running district with a password and a TOTP code and signs in; reset,
// list, disable and enable; every change in the back office's audit.
func TestUserCommands(t *testing.T) {
	db := published(t)
	fails(t, exitUsage, `unknown role "boss": the roles are admin, editor, reviewer, handler, inspector`,
		"user", "add", "--db", db, "--name", "甲", "--role", "boss")
	fails(t, exitUsage, "missing --role", "user", "add", "--db", db, "--name", "甲")
	fails(t, exitFail, `street "999" is not published`, "user", "add", "--db", db, "--name", "甲", "--role", "editor", "--street", "999")
	fails(t, exitUsage, "want --name NAME or --id N", "user", "reset", "--db", db)
	fails(t, exitFail, `there is no user named "nobody"`, "user", "reset", "--db", db, "--name", "nobody")

	// Without a public URL the link is a path, and stderr says so.
	code, out, errs := districtd(t, "user", "add", "--db", db, "--name", "张编辑", "--role", "editor", "--street", "440106005")
	if code != 0 || !regexp.MustCompile(`^/admin/enrol/[A-Za-z0-9_-]{43}\n$`).MatchString(out) ||
		!strings.Contains(errs, "shown only this once") || !strings.Contains(errs, "no public URL is set") {
		t.Fatalf("user add: exit %d, stdout %q, stderr %q", code, out, errs)
	}

	const public = "https://jiezhen.example.gov.cn"
	base, _, stop := startServeWith(t, serveConfig{db: db, publicURL: public})
	defer stop()
	code, out, errs = districtd(t, "user", "add", "--db", db, "--name", "区管理员", "--role", "admin", "--role", "inspector")
	if code != 0 || !strings.HasPrefix(out, public+"/admin/enrol/") || strings.Contains(errs, "no public URL") {
		t.Fatalf("user add with the public URL: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	link, _ := url.Parse(strings.TrimSpace(out))

	// Enrol and sign in on the running district.
	secret, cl := enrolByHTTP(t, base, link.Path)
	// The code just used does not sign in; the next one does.
	signInByHTTP(t, cl, base, "区管理员", secret, time.Now().Add(30*time.Second))

	var users []map[string]any
	for _, l := range lines(ok(t, "user", "list", "--db", db)) {
		var u map[string]any
		if err := json.Unmarshal([]byte(l), &u); err != nil {
			t.Fatal(err)
		}
		users = append(users, u)
	}
	if len(users) != 2 || users[0]["name"] != "区管理员" || users[0]["state"] != "active" || users[1]["state"] != "not_enrolled" ||
		len(users[1]["streets"].([]any)) != 1 || strings.Contains(ok(t, "user", "list", "--db", db), "argon2") {
		t.Fatalf("user list: %v", users)
	}

	// A new enrolment ends the admin's session and voids the old link.
	code, out, _ = districtd(t, "user", "reset", "--db", db, "--name", "区管理员")
	if code != 0 || !strings.HasPrefix(out, public+"/admin/enrol/") || strings.TrimSpace(out) == link.String() {
		t.Fatalf("user reset: %d %q", code, out)
	}
	resp, _ := cl.Get(base + "/admin/")
	resp.Body.Close()
	if resp.Request.URL.Path != "/admin/signin" {
		t.Fatalf("the session after the reset: at %s", resp.Request.URL)
	}
	id := int(users[1]["id"].(float64))
	ok(t, "user", "disable", "--db", db, "--id", itoa(id))
	fails(t, exitFail, "already disabled", "user", "disable", "--db", db, "--id", itoa(id))
	if !strings.Contains(ok(t, "user", "list", "--db", db), `"state":"disabled"`) {
		t.Fatal("disabled")
	}
	ok(t, "user", "enable", "--db", db, "--name", "张编辑")

	st, err := server.OpenStore(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	lines, _, err := server.New(st, server.Options{}).AdminAuditLines(context.Background(), server.AuditFilter{User: "districtd"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i := len(lines) - 1; i >= 0; i-- {
		got = append(got, lines[i].Action)
	}
	if strings.Join(got, " ") != "user.add user.add user.reset user.disable user.enable" {
		t.Fatalf("the audit of the commands: %q", got)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// adminPassword is the password enrolByHTTP sets.
const adminPassword = "街道办的第一位管理员2026"

// postForm posts a form with cl and returns the answer after redirects
// and its body.
func postForm(t *testing.T, cl *http.Client, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	resp, err := cl.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// enrolByHTTP enrols on a running district through the enrolment link's
// pages, as a person does with an authenticator app (adminPassword, a
// code of the key the page shows), and returns the key and the browser.
func enrolByHTTP(t *testing.T, base, linkPath string) (string, *http.Client) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	cl := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	resp, body := postForm(t, cl, base+linkPath, url.Values{"password": {adminPassword}, "confirm": {adminPassword}})
	m := regexp.MustCompile(`<p class="secret"[^>]*>([A-Z2-7 ]+)</p>`).FindStringSubmatch(body)
	if resp.StatusCode != 200 || m == nil {
		t.Fatalf("enrol: %d\n%s", resp.StatusCode, body)
	}
	secret := strings.ReplaceAll(m[1], " ", "")
	code6, _ := totp.GenerateCode(secret, time.Now())
	if resp, body := postForm(t, cl, base+linkPath+"/code", url.Values{"code": {code6}}); resp.StatusCode != 200 || !strings.Contains(body, "账号已启用") {
		t.Fatalf("enrol code: %d\n%s", resp.StatusCode, body)
	}
	return secret, cl
}

// signInByHTTP signs the admin name in on a running district with the
// code of secret at the time at, and fails unless it lands on the home
// page with the admin's sections.
func signInByHTTP(t *testing.T, cl *http.Client, base, name, secret string, at time.Time) {
	t.Helper()
	code, _ := totp.GenerateCode(secret, at)
	resp, body := postForm(t, cl, base+"/admin/signin", url.Values{"name": {name}, "password": {adminPassword}, "code": {code}})
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/admin/" || !strings.Contains(body, name) || !strings.Contains(body, `href="/admin/users/"`) {
		t.Fatalf("sign-in: %d at %s\n%s", resp.StatusCode, resp.Request.URL, body)
	}
}

// A handler is added with its department, one of the district's: without
// --department, or with one the district does not list, the command
// refuses in one line and adds no one; the list shows the department.
func TestUserAddHandlerDepartment(t *testing.T) {
	db := published(t)
	add := []string{"user", "add", "--db", db, "--name", "承办甲", "--role", "handler", "--street", "440106005"}
	fails(t, exitFail, "a handler needs a department, and the district lists none yet: an admin adds them on the back office's departments page", add...)
	ctx := context.Background()
	st, err := server.OpenStore(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	_, err = server.New(st, server.Options{}).AddDepartment(ctx, server.Department{Name: "城管科"})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	fails(t, exitFail, "a handler needs a department, one of the district's: 城管科", add...)
	fails(t, exitFail, `"园林科" is not one of the district's departments: 城管科`, append(add, "--department", "园林科")...)
	if out := ok(t, "user", "list", "--db", db); out != "" {
		t.Fatalf("users after the refusals: %s", out)
	}
	ok(t, append(add, "--department", "城管科")...)
	if out := ok(t, "user", "list", "--db", db); !strings.Contains(out, `"department":"城管科"`) {
		t.Fatalf("user list: %s", out)
	}
}
