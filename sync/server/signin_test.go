package server

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"jiezhen/data/pin"
	"jiezhen/internal/pgtest"
)

func TestMain(m *testing.M) {
	// Passwords cost little in tests; districtd's own tests run the real cost.
	PasswordCost = pin.Params{MemoryKiB: 1024, Passes: 1, Lanes: 1}
	code := m.Run()
	removeBenchDistrict()
	pgtest.Stop()
	os.Exit(code)
}

func TestCheckPassword(t *testing.T) {
	for pw, want := range map[string]error{
		"short":                  ErrPasswordShort,
		"天河南街道的春天很温暖":            ErrPasswordShort, // 11 characters
		"天河南街道的春天很温暖。":           nil,
		"correct horse battery":  nil,
		"password1234":           ErrPasswordCommon,
		"Password!2026":          ErrPasswordCommon,
		"2026iloveyou!":          ErrPasswordCommon,
		"123456789012":           ErrPasswordCommon,
		"098765432109":           ErrPasswordCommon,
		"qwertyuiopas":           ErrPasswordCommon,
		"aaaaaaaaaaaa":           ErrPasswordCommon,
		"abcabcabcabc":           ErrPasswordCommon,
		"woaini5201314":          ErrPasswordCommon,
		"monkeymonkeymonkey":     ErrPasswordCommon,
		"tab\there and more":     ErrPasswordControl,
		strings.Repeat("长", 257): ErrPasswordLong,
	} {
		if got := CheckPassword(pw); got != want {
			t.Errorf("CheckPassword(%q) = %v, want %v", pw, got, want)
		}
	}
	if len(commonPasswords) < 3000 {
		t.Fatalf("%d common passwords loaded", len(commonPasswords))
	}
}

const goodPassword = "天河南街道的春天很温暖。"

// code is the TOTP code of secret on the platform's clock.
func (e *env) code(secret string) string {
	e.t.Helper()
	c, err := totp.GenerateCode(secret, e.clock.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// enrol adds a user and enrols it, returning it and its TOTP secret.
func (e *env) enrol(name string, roles ...Role) (User, string) {
	e.t.Helper()
	ctx := context.Background()
	u, tok, err := e.p.AddUser(ctx, name, roles, nil, "")
	if err != nil {
		e.t.Fatal(err)
	}
	en, err := e.p.Enrolment(ctx, tok)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.p.EnrolPassword(ctx, tok, goodPassword); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.p.EnrolConfirm(ctx, tok, e.code(en.Secret)); err != nil {
		e.t.Fatal(err)
	}
	e.clock.Add(30 * time.Second) // the next code is a new one
	return u, en.Secret
}

func actions(t *testing.T, e *env) []string {
	t.Helper()
	lines, _, err := e.p.AdminAuditLines(context.Background(), AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(lines) - 1; i >= 0; i-- {
		out = append(out, lines[i].Action+":"+lines[i].Detail)
	}
	return out
}

func TestEnrolThenSignIn(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u, tok, err := e.p.AddUser(ctx, "王管理", []Role{RoleAdmin}, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	en, err := e.p.Enrolment(ctx, tok)
	if err != nil || en.PasswordSet || en.User.ID != u.ID || len(en.Secret) < 32 || !strings.HasPrefix(en.URL, "otpauth://totp/Jiezhen:") {
		t.Fatalf("enrolment: %+v %v", en, err)
	}
	if again, _ := e.p.Enrolment(ctx, tok); again.Secret != en.Secret {
		t.Fatal("the secret changed between two looks at the page")
	}
	// No second factor before the password.
	if _, err := e.p.EnrolConfirm(ctx, tok, e.code(en.Secret)); !errors.Is(err, ErrEnrolment) {
		t.Fatalf("confirm before the password: %v", err)
	}
	if err := e.p.EnrolPassword(ctx, tok, "password1234"); err != ErrPasswordCommon {
		t.Fatalf("a common password: %v", err)
	}
	if err := e.p.EnrolPassword(ctx, tok, goodPassword); err != nil {
		t.Fatal(err)
	}
	// Not enrolled yet: the password alone signs nothing in.
	if _, err := e.p.SignIn(ctx, "王管理", goodPassword, e.code(en.Secret)); err != ErrSignIn {
		t.Fatalf("sign-in before the code is confirmed: %v", err)
	}
	if _, err := e.p.EnrolConfirm(ctx, tok, "000000"); err != ErrCode {
		t.Fatalf("a wrong code: %v", err)
	}
	e.clock.Add(30 * time.Second)
	got, err := e.p.EnrolConfirm(ctx, tok, e.code(en.Secret))
	if err != nil || !got.Enrolled {
		t.Fatalf("confirm: %+v %v", got, err)
	}
	// The link is spent.
	if _, err := e.p.Enrolment(ctx, tok); err != ErrEnrolment {
		t.Fatalf("the link after enrolling: %v", err)
	}
	// The code that confirmed the enrolment does not sign in: it was used.
	if _, err := e.p.SignIn(ctx, "王管理", goodPassword, e.code(en.Secret)); err != ErrSignIn {
		t.Fatalf("sign-in with the code already used: %v", err)
	}
	e.clock.Add(30 * time.Second)
	code := e.code(en.Secret)
	if got, err := e.p.SignIn(ctx, " 王管理 ", goodPassword, code); err != nil || got.ID != u.ID {
		t.Fatalf("sign-in: %+v %v", got, err)
	}
	if _, err := e.p.SignIn(ctx, "王管理", goodPassword, code); err != ErrSignIn {
		t.Fatalf("the same code twice: %v", err)
	}
	if _, err := e.p.SignIn(ctx, "nobody", goodPassword, code); err != ErrSignIn {
		t.Fatalf("an unknown name: %v", err)
	}
	want := []string{"signin.fail:not enrolled", "enrol:", "signin.fail:code used before", "signin:", "signin.fail:code used before", "signin.fail:unknown name"}
	if got := actions(t, e); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("audit:\n%q\nwant\n%q", got, want)
	}
}

func TestEnrolmentExpires(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, tok, _ := e.p.AddUser(ctx, "迟到", []Role{RoleEditor}, nil, "")
	e.clock.Add(EnrolTTL - time.Second)
	if _, err := e.p.Enrolment(ctx, tok); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(time.Second)
	if _, err := e.p.Enrolment(ctx, tok); err != ErrEnrolment {
		t.Fatalf("after 72 hours: %v", err)
	}
	if err := e.p.EnrolPassword(ctx, tok, goodPassword); err != ErrEnrolment {
		t.Fatalf("password after 72 hours: %v", err)
	}
	if _, err := e.p.Enrolment(ctx, "made-up"); err != ErrEnrolment {
		t.Fatalf("an unknown token: %v", err)
	}
}

func TestSignInLockout(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, secret := e.enrol("李四", RoleEditor)
	for i := 0; i < SignInMaxFailures; i++ {
		if _, err := e.p.SignIn(ctx, "李四", "wrong password!", e.code(secret)); err != ErrSignIn {
			t.Fatalf("try %d: %v", i+1, err)
		}
	}
	// Locked: the right password and code fail too, for 15 minutes.
	e.clock.Add(14 * time.Minute)
	if _, err := e.p.SignIn(ctx, "李四", goodPassword, e.code(secret)); err != ErrSignIn {
		t.Fatalf("while locked: %v", err)
	}
	u, err := e.p.UserByName(ctx, "李四")
	if err != nil || u.LockedUntil.IsZero() {
		t.Fatalf("locked until: %+v %v", u, err)
	}
	e.clock.Add(time.Minute)
	if _, err := e.p.SignIn(ctx, "李四", goodPassword, e.code(secret)); err != nil {
		t.Fatalf("after 15 minutes: %v", err)
	}
	got := actions(t, e)
	if n := strings.Count(strings.Join(got, " "), "signin.fail:password"); n != 5 {
		t.Errorf("%d failures audited: %q", n, got)
	}
	if !strings.Contains(strings.Join(got, " "), "lockout:5 wrong sign-ins signin.fail:password signin.locked: signin:") {
		t.Errorf("audit: %q", got)
	}
}

func TestResetAndDisable(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u, secret := e.enrol("赵六", RoleEditor)
	tok, err := e.p.StartSession(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	got, enrol, err := e.p.ResetUser(ctx, u.ID)
	if err != nil || got.Enrolled || enrol == "" {
		t.Fatalf("reset: %+v %v", got, err)
	}
	if _, _, err := e.p.Session(ctx, tok); !errors.Is(err, ErrNoSession) {
		t.Fatalf("a session after the reset: %v", err)
	}
	if _, err := e.p.SignIn(ctx, "赵六", goodPassword, e.code(secret)); err != ErrSignIn {
		t.Fatalf("the old password after the reset: %v", err)
	}
	if _, err := e.p.Enrolment(ctx, enrol); err != nil {
		t.Fatalf("the new link: %v", err)
	}
	if _, err := e.p.SetUserDisabled(ctx, u.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := e.p.Enrolment(ctx, enrol); err != ErrEnrolment {
		t.Fatalf("the link of a disabled user: %v", err)
	}
	if _, err := e.p.StartSession(ctx, u.ID); err == nil {
		t.Fatal("a session for a disabled user")
	}
	if _, err := e.p.SetUserDisabled(ctx, u.ID, true); err == nil || !strings.Contains(err.Error(), "already disabled") {
		t.Fatalf("disabling twice: %v", err)
	}
	if _, _, err := e.p.ResetUser(ctx, u.ID); err == nil || !strings.Contains(err.Error(), "enable it first") {
		t.Fatalf("resetting a disabled user: %v", err)
	}
	if _, err := e.p.SetUserDisabled(ctx, u.ID, false); err != nil {
		t.Fatal(err)
	}
	if got, err := e.p.SetUserAccess(ctx, u.ID, []Role{RoleReviewer, RoleEditor}, []string{streetB}, ""); err != nil ||
		len(got.Roles) != 2 || got.Streets[0] != streetB {
		t.Fatalf("access: %+v %v", got, err)
	}
	if _, err := e.p.SetUserAccess(ctx, u.ID, []Role{"root"}, nil, ""); err == nil {
		t.Fatal("a made-up role")
	}
	if _, err := e.p.SetUserAccess(ctx, 999, []Role{RoleAdmin}, nil, ""); err == nil || err.Error() != "there is no user 999" {
		t.Fatalf("an unknown user: %v", err)
	}
}
