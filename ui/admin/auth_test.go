package admin

import (
	"bytes"
	"context"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"jiezhen/data/pin"
	"jiezhen/internal/pgtest"
	"jiezhen/sync/server"
)

func TestMain(m *testing.M) {
	// Passwords cost little here; districtd's tests run the real cost.
	server.PasswordCost = pin.Params{MemoryKiB: 1024, Passes: 1, Lanes: 1}
	code := m.Run()
	removeBenchData()
	pgtest.Stop()
	os.Exit(code)
}

const testPassword = "天河南街道的春天很温暖。"

var secretRe = regexp.MustCompile(`<p class="secret"[^>]*>([A-Z2-7 ]+)</p>`)

// code is the TOTP code of secret on the district's clock.
func (o *testOffice) code(secret string) string {
	o.t.Helper()
	c, err := totp.GenerateCode(secret, o.clock.Now())
	if err != nil {
		o.t.Fatal(err)
	}
	return c
}

// enrolByHTTP enrols a new user through the enrolment pages, as a person
// does, and returns the TOTP secret the page showed.
func (o *testOffice) enrolByHTTP(name string, roles ...server.Role) string {
	o.t.Helper()
	_, token, err := o.p.AddUser(context.Background(), name, roles, nil, o.departmentFor(roles))
	if err != nil {
		o.t.Fatal(err)
	}
	c := o.anon()
	path := enrolPath + token
	if resp, _ := c.post(path, url.Values{"password": {testPassword}, "confirm": {testPassword}}); resp.StatusCode != http.StatusSeeOther {
		o.t.Fatalf("enrol password: %d", resp.StatusCode)
	}
	_, body := c.get(path)
	m := secretRe.FindStringSubmatch(body)
	if m == nil {
		o.t.Fatalf("no secret on the enrolment page:\n%s", body)
	}
	secret := strings.ReplaceAll(m[1], " ", "")
	if resp, _ := c.post(path+"/code", url.Values{"code": {o.code(secret)}}); resp.StatusCode != http.StatusSeeOther {
		o.t.Fatalf("enrol code: %d", resp.StatusCode)
	}
	o.clock.Add(30 * time.Second)
	return secret
}

// signInByHTTP signs in through the sign-in form.
func (o *testOffice) signInByHTTP(name, password, code string) (*client, *http.Response, string) {
	o.t.Helper()
	c := o.anon()
	resp, body := c.post(signInPath, url.Values{"name": {name}, "password": {password}, "code": {code}})
	return c, resp, body
}

func TestEnrolPages(t *testing.T) {
	o := newTestOffice(t)
	_, token, err := o.p.AddUser(context.Background(), "周管理", []server.Role{server.RoleAdmin}, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	c := o.anon()
	path := enrolPath + token
	resp, body := c.get(path)
	if resp.StatusCode != 200 || !strings.Contains(body, "设置密码") || !strings.Contains(body, "周管理") || strings.Contains(body, `class="secret"`) {
		t.Fatalf("the enrolment page: %d\n%s", resp.StatusCode, body)
	}
	for _, c2 := range []struct {
		pw, confirm, want string
	}{
		{"short", "short", "至少需要 12 个字符"},
		{testPassword, testPassword + "x", "两次输入的密码不一致"},
		{"password1234", "password1234", "太常见"},
	} {
		resp, body := c.post(path, url.Values{"password": {c2.pw}, "confirm": {c2.confirm}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, c2.want) || !strings.Contains(body, `aria-invalid="true"`) {
			t.Errorf("password %q/%q: %d, want 422 with %q", c2.pw, c2.confirm, resp.StatusCode, c2.want)
		}
	}
	if resp, _ := c.post(path, url.Values{"password": {testPassword}, "confirm": {testPassword}}); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != path {
		t.Fatalf("a good password: %d", resp.StatusCode)
	}
	resp, body = c.get(path)
	m := secretRe.FindStringSubmatch(body)
	if resp.StatusCode != 200 || m == nil || !strings.Contains(body, `src="`+path+`/totp.png"`) {
		t.Fatalf("the second step: %d\n%s", resp.StatusCode, body)
	}
	secret := strings.ReplaceAll(m[1], " ", "")
	resp, img := c.get(path + "/totp.png")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("the QR code: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if _, err := png.Decode(bytes.NewReader([]byte(img))); err != nil {
		t.Fatalf("the QR code is no PNG: %v", err)
	}
	if resp, body := c.post(path+"/code", url.Values{"code": {"123456"}}); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "验证码不正确") {
		t.Fatalf("a wrong code: %d", resp.StatusCode)
	}
	resp, _ = c.post(path+"/code", url.Values{"code": {o.code(secret)}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != signInPath+"?enrolled=1" {
		t.Fatalf("the right code: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	// The link is spent.
	for _, p := range []string{path, path + "/totp.png"} {
		if resp, body := c.get(p); resp.StatusCode != http.StatusGone || (p == path && !strings.Contains(body, "已使用或已过期")) {
			t.Errorf("%s after enrolling: %d", p, resp.StatusCode)
		}
	}
	if resp, _ := c.post(path, url.Values{"password": {testPassword}, "confirm": {testPassword}}); resp.StatusCode != http.StatusGone {
		t.Errorf("a password after enrolling: %d", resp.StatusCode)
	}
	if strings.Contains(o.logs.String(), token) {
		t.Error("the token is in the log")
	}
	if len(o.auditLines("enrol")) != 1 {
		t.Error("the enrolment is not audited")
	}
}

func TestSignInPages(t *testing.T) {
	o := newTestOffice(t)
	secret := o.enrolByHTTP("吴编辑", server.RoleEditor)
	// Wrong password, wrong code, unknown name: the same line.
	for _, f := range [][3]string{
		{"吴编辑", "not the password", o.code(secret)},
		{"吴编辑", testPassword, "000000"},
		{"无此人", testPassword, o.code(secret)},
	} {
		_, resp, body := o.signInByHTTP(f[0], f[1], f[2])
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "用户名、密码或动态验证码不正确") || resp.Header.Get("Set-Cookie") != "" {
			t.Errorf("sign-in %q: %d", f, resp.StatusCode)
		}
	}
	c, resp, _ := o.signInByHTTP("吴编辑", testPassword, o.code(secret))
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != Prefix {
		t.Fatalf("sign-in: %d", resp.StatusCode)
	}
	ck := resp.Header.Get("Set-Cookie")
	for _, want := range []string{sessionCookie + "=", "Path=/admin/", "HttpOnly", "SameSite=Strict"} {
		if !strings.Contains(ck, want) {
			t.Errorf("the session cookie %q lacks %s", ck, want)
		}
	}
	if strings.Contains(ck, "Secure") || strings.Contains(ck, "Max-Age") || strings.Contains(ck, "Expires") {
		t.Errorf("the session cookie %q: Secure without TLS, or kept after the browser closes", ck)
	}
	if resp, body := c.get(Prefix); resp.StatusCode != 200 || !strings.Contains(body, "吴编辑") {
		t.Fatalf("home after sign-in: %d", resp.StatusCode)
	}
	// The same code again (same 30 s step) signs in nobody.
	if _, resp, _ := o.signInByHTTP("吴编辑", testPassword, o.code(secret)); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("the code used again: %d", resp.StatusCode)
	}
	// A cross-site sign-in post is refused before it is read.
	resp, _ = o.anon().postRaw(signInPath, url.Values{"name": {"吴编辑"}}, http.Header{"Origin": {"https://evil.example"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site sign-in: %d", resp.StatusCode)
	}
	fails := o.auditLines("signin.fail")
	if len(fails) != 4 || len(o.auditLines("signin")) != 1 {
		t.Fatalf("audit: %d failures, %d sign-ins", len(fails), len(o.auditLines("signin")))
	}
}

func TestSignInLockoutPages(t *testing.T) {
	o := newTestOffice(t)
	secret := o.enrolByHTTP("郑承办", server.RoleHandler)
	for i := 0; i < server.SignInMaxFailures; i++ {
		o.signInByHTTP("郑承办", "wrong password!", o.code(secret))
	}
	_, resp, body := o.signInByHTTP("郑承办", testPassword, o.code(secret))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "锁定 15 分钟") {
		t.Fatalf("locked: %d", resp.StatusCode)
	}
	if len(o.auditLines("lockout")) != 1 || len(o.auditLines("signin.locked")) != 1 {
		t.Fatal("the lockout is not audited")
	}
	o.clock.Add(server.SignInLockout)
	if _, resp, _ := o.signInByHTTP("郑承办", testPassword, o.code(secret)); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("after the lockout: %d", resp.StatusCode)
	}
}

// Under TLS the session cookie is Secure and responses carry HSTS.
func TestSignInTLS(t *testing.T) {
	o := newTestOffice(t)
	secret := o.enrolByHTTP("钱管理", server.RoleAdmin)
	srv := httptest.NewTLSServer(o.office.Handler())
	defer srv.Close()
	cl := srv.Client()
	cl.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := cl.PostForm(srv.URL+signInPath, url.Values{"name": {"钱管理"}, "password": {testPassword}, "code": {o.code(secret)}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Set-Cookie"), "; Secure") ||
		resp.Header.Get("Strict-Transport-Security") == "" {
		t.Fatalf("sign-in over TLS: %d, cookie %q, HSTS %q", resp.StatusCode, resp.Header.Get("Set-Cookie"), resp.Header.Get("Strict-Transport-Security"))
	}
}

// One address trying many sign-ins is held back (429) whatever accounts
// it tries, before any password is checked.
func TestSignInRateLimited(t *testing.T) {
	o := newTestOffice(t)
	for i := range 10 {
		if _, resp, _ := o.signInByHTTP("user"+itoa(int64(i)), "not a password", "000000"); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("try %d: %d", i+1, resp.StatusCode)
		}
	}
	_, resp, body := o.signInByHTTP("another", "not a password", "000000")
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "一分钟后再试") {
		t.Fatalf("the 11th try: %d", resp.StatusCode)
	}
	if n := len(o.auditLines("signin.fail")); n != 10 {
		t.Fatalf("%d failures audited, want the 10 that were checked", n)
	}
}
