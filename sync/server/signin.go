package server

import (
	"bufio"
	"bytes"
	"context"
	"crypto/subtle"
	"embed"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"

	"jiezhen/data/pin"
)

// Enrolment, sign-in and the administration of back office accounts
// (docs/ADMIN.md, "Accounts and sessions"): a password hashed with
// argon2id and a TOTP second factor; five wrong sign-ins lock an account
// for 15 minutes, counted in the database.

// Password rules.
const (
	MinPasswordLength = 12  // characters
	MaxPasswordLength = 256 // characters
)

// PasswordCost is argon2id's cost for back office passwords: 64 MiB and
// three passes, about a quarter of a second on the district's server.
// Tests lower it.
var PasswordCost = pin.Params{MemoryKiB: 64 * 1024, Passes: 3, Lanes: 1}

// Sign-in limits.
const (
	SignInMaxFailures = 5
	SignInLockout     = 15 * time.Minute
)

// TOTP as authenticator apps expect it: 6 digits, 30 s, SHA-1, one step
// of clock skew either way.
const (
	totpPeriod = 30
	totpSkew   = 1
	totpIssuer = "Jiezhen"
)

// Errors of enrolment and sign-in. ErrSignIn is all a person signing in
// learns, whatever was wrong (the audit has the reason).
var (
	ErrSignIn          = errors.New("the name, password or code is wrong, or the account is locked")
	ErrEnrolment       = errors.New("the enrolment link is unknown, used or expired")
	ErrPasswordShort   = fmt.Errorf("a password needs at least %d characters", MinPasswordLength)
	ErrPasswordLong    = fmt.Errorf("a password has at most %d characters", MaxPasswordLength)
	ErrPasswordCommon  = errors.New("the password is too common or too easy to guess")
	ErrPasswordControl = errors.New("a password has no control characters")
	ErrCode            = errors.New("the code is not the one the app shows now")
)

//go:embed passwords/*.lst
var passwordFiles embed.FS

// commonPasswords are the known common passwords, lower case
// (passwords/: docs/ADMIN.md, "Passwords").
var commonPasswords = loadPasswords()

func loadPasswords() map[string]bool {
	out := map[string]bool{}
	names, _ := passwordFiles.ReadDir("passwords")
	for _, n := range names {
		b, err := passwordFiles.ReadFile("passwords/" + n.Name())
		if err != nil {
			panic(err)
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			l := strings.TrimSpace(sc.Text())
			if l == "" || strings.HasPrefix(l, "#") {
				continue
			}
			out[strings.ToLower(l)] = true
		}
	}
	return out
}

// sequences are runs of keys and digits people type as passwords.
var sequences = []string{
	"012345678901234567890123456789", "987654321098765432109876543210", "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz",
	"qwertyuiopasdfghjklzxcvbnm", "qwertyuiop", "asdfghjkl", "zxcvbnm", "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
	"1q2w3e4r5t6y7u8i9o0p", "qazwsxedcrfvtgbyhnujmikolp",
}

// CheckPassword says what is wrong with a new password, nil if nothing:
// at least MinPasswordLength characters, and not a common password, nor
// one with digits or signs around it, nor one thing repeated, nor a run of
// keys or digits.
func CheckPassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPasswordLength:
		return ErrPasswordShort
	case n > MaxPasswordLength:
		return ErrPasswordLong
	}
	for _, r := range pw {
		if unicode.IsControl(r) {
			return ErrPasswordControl
		}
	}
	if commonPassword(pw) {
		return ErrPasswordCommon
	}
	return nil
}

func commonPassword(pw string) bool {
	l := strings.ToLower(pw)
	if commonPasswords[l] {
		return true
	}
	core := strings.TrimFunc(l, func(r rune) bool { return !unicode.IsLetter(r) })
	if commonPasswords[core] {
		return true
	}
	for size := 1; size <= len(l)/2; size++ {
		if len(l)%size == 0 && strings.Repeat(l[:size], len(l)/size) == l {
			return true
		}
		if core != "" && len(core)%size == 0 && size < len(core) && strings.Repeat(core[:size], len(core)/size) == core &&
			commonPasswords[core[:size]] {
			return true
		}
	}
	for _, s := range sequences {
		if strings.Contains(s, l) {
			return true
		}
	}
	return false
}

// Enrolment is what the enrolment page shows: whose link it is, whether
// the password is set, and the TOTP secret to add to an authenticator
// app (as text and as an otpauth: URL for the QR code).
type Enrolment struct {
	User        User
	PasswordSet bool
	Secret      string
	URL         string
}

// otpKey is the otpauth: key of a secret for a user.
func otpKey(name, secret string) (*otp.Key, error) {
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil {
		return nil, fmt.Errorf("the stored TOTP secret: %w", err)
	}
	return totp.Generate(totp.GenerateOpts{Issuer: totpIssuer, AccountName: name, Secret: raw})
}

// enrolling finds the account of an enrolment token that still works.
func (p *Platform) enrolling(tx ReadTx, token string) (Account, error) {
	if token == "" {
		return Account{}, ErrEnrolment
	}
	a, err := tx.AccountByEnrol(hashToken(token))
	if errors.Is(err, ErrNotFound) {
		return Account{}, ErrEnrolment
	}
	if err != nil {
		return Account{}, err
	}
	if a.Disabled || !p.clock().Before(a.EnrolExpires) {
		return Account{}, ErrEnrolment
	}
	return a, nil
}

// Enrolment returns the enrolment of a token, giving it a TOTP secret
// the first time; ErrEnrolment when the token is unknown, used or
// expired.
func (p *Platform) Enrolment(ctx context.Context, token string) (Enrolment, error) {
	var e Enrolment
	err := p.store.Write(ctx, func(tx Tx) error {
		a, err := p.enrolling(tx, token)
		if err != nil {
			return err
		}
		if a.EnrolTOTP == "" {
			k, err := totp.Generate(totp.GenerateOpts{Issuer: totpIssuer, AccountName: a.Name})
			if err != nil {
				return err
			}
			a.EnrolTOTP = k.Secret()
			if err := tx.PutAccount(a); err != nil {
				return err
			}
		}
		secret, err := totpKey(a.EnrolTOTP)
		if err != nil {
			return err
		}
		k, err := otpKey(a.Name, secret)
		if err != nil {
			return err
		}
		e = Enrolment{User: a.User, PasswordSet: a.Password != "", Secret: secret, URL: k.URL()}
		return nil
	})
	return e, err
}

// EnrolPassword sets the password of an enrolment (CheckPassword's
// rules), which signs in nothing until the second factor is confirmed.
func (p *Platform) EnrolPassword(ctx context.Context, token, password string) error {
	if err := CheckPassword(password); err != nil {
		return err
	}
	if err := p.store.Read(ctx, func(tx ReadTx) error { _, err := p.enrolling(tx, token); return err }); err != nil {
		return err
	}
	hash, err := pin.HashWith(password, PasswordCost)
	if err != nil {
		return err
	}
	return p.store.Write(ctx, func(tx Tx) error {
		a, err := p.enrolling(tx, token)
		if err != nil {
			return err
		}
		a.Password = hash
		return tx.PutAccount(a)
	})
}

// totpStep finds the time step at now whose code is code (one step of
// skew either way), 0 when none.
func totpStep(secret, code string, now time.Time) int64 {
	if len(code) != 6 {
		return 0
	}
	step := now.Unix() / totpPeriod
	for _, s := range []int64{step, step - 1, step + 1} {
		want, err := hotp.GenerateCodeCustom(secret, uint64(s), hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return s
		}
	}
	return 0
}

// EnrolConfirm ends an enrolment whose password is set with a code from
// the authenticator app: the account can then sign in, and the token is
// spent. A wrong code is ErrCode.
func (p *Platform) EnrolConfirm(ctx context.Context, token, code string) (User, error) {
	var u User
	now := p.clock()
	err := p.store.Write(ctx, func(tx Tx) error {
		a, err := p.enrolling(tx, token)
		if err != nil {
			return err
		}
		if a.Password == "" || a.EnrolTOTP == "" {
			return ErrEnrolment
		}
		secret, err := totpKey(a.EnrolTOTP)
		if err != nil {
			return err
		}
		step := totpStep(secret, strings.TrimSpace(code), p.now())
		if step == 0 {
			return ErrCode
		}
		a.TOTPSecret, a.TOTPStep, a.EnrolTOTP, a.EnrolHash, a.EnrolExpires = secret, step, "", "", time.Time{}
		a.Failures, a.LockedUntil = 0, time.Time{}
		if err := tx.PutAccount(a); err != nil {
			return err
		}
		a.Enrolled = true
		u = a.User
		return tx.AddAdminAudit(AdminAuditRecord{At: now, UserID: a.ID, UserName: a.Name, Action: "enrol"})
	})
	return u, err
}

// dummyHash stands in for the password of a name that has none, so that
// a wrong name takes as long as a wrong password.
var dummyHash = sync.OnceValue(func() string {
	h, err := pin.HashWith("no password matches this", PasswordCost)
	if err != nil {
		panic(err)
	}
	return h
})

// SignIn checks a name, password and TOTP code and returns the user; any
// failure is ErrSignIn. Each failure counts against the account; the
// SignInMaxFailures-th locks it for SignInLockout, during which nothing
// signs it in. A code is taken once: a second sign-in with the code of a
// step already used fails. Every outcome is written to the audit.
func (p *Platform) SignIn(ctx context.Context, name, password, code string) (User, error) {
	name = strings.TrimSpace(name)
	var a Account
	known := false
	err := p.store.Read(ctx, func(tx ReadTx) error {
		var err error
		a, err = tx.AccountByName(name)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		known = err == nil
		return err
	})
	if err != nil {
		return User{}, err
	}
	now := p.clock()
	audit := func(tx Tx, a Account, action, detail string) error {
		return tx.AddAdminAudit(AdminAuditRecord{At: now, UserID: a.ID, UserName: a.Name, Action: action, Detail: detail})
	}
	stored := dummyHash()
	if known && a.Password != "" {
		stored = a.Password
	}
	passOK, err := pin.Check(stored, nil, password)
	if err != nil {
		return User{}, err
	}
	if !known {
		// No name in the audit: a password is sometimes typed there.
		if err := p.store.Write(ctx, func(tx Tx) error { return audit(tx, Account{}, "signin.fail", "unknown name") }); err != nil {
			return User{}, err
		}
		return User{}, ErrSignIn
	}
	var u User
	var failed bool
	err = p.store.Write(ctx, func(tx Tx) error {
		failed = false
		a, err := tx.Account(a.ID)
		if err != nil {
			return err
		}
		reason := ""
		switch {
		case a.Disabled:
			reason = "disabled"
		case !a.Enrolled:
			reason = "not enrolled"
		case now.Before(a.LockedUntil):
			failed = true
			return audit(tx, a, "signin.locked", "")
		case !passOK:
			reason = "password"
		}
		step := int64(0)
		if reason == "" {
			secret, err := totpKey(a.TOTPSecret)
			if err != nil {
				return err
			}
			if step = totpStep(secret, strings.TrimSpace(code), p.now()); step == 0 {
				reason = "code"
			} else if step <= a.TOTPStep {
				reason = "code used before"
			}
		}
		if reason != "" {
			failed = true
			a.Failures++
			if a.Failures >= SignInMaxFailures {
				a.Failures, a.LockedUntil = 0, now.Add(SignInLockout)
				if err := audit(tx, a, "lockout", fmt.Sprintf("%d wrong sign-ins", SignInMaxFailures)); err != nil {
					return err
				}
			}
			if err := tx.PutAccount(a); err != nil {
				return err
			}
			return audit(tx, a, "signin.fail", reason)
		}
		a.Failures, a.LockedUntil, a.TOTPStep = 0, time.Time{}, step
		if err := tx.PutAccount(a); err != nil {
			return err
		}
		u = a.User
		return audit(tx, a, "signin", "")
	})
	if err != nil {
		return User{}, err
	}
	if failed {
		return User{}, ErrSignIn
	}
	return u, nil
}

// userByName finds an account by name with a one-line error.
func userByName(tx ReadTx, name string) (Account, error) {
	a, err := tx.AccountByName(name)
	if errors.Is(err, ErrNotFound) {
		return a, fmt.Errorf("there is no user named %q", name)
	}
	return a, err
}

// UserByName returns the user of that name, with a one-line error when
// there is none.
func (p *Platform) UserByName(ctx context.Context, name string) (User, error) {
	var u User
	err := p.store.Read(ctx, func(tx ReadTx) error {
		a, err := userByName(tx, strings.TrimSpace(name))
		u = a.User
		return err
	})
	return u, err
}

// changeAccount runs fn on account id in a write, with a one-line error
// when there is no such user.
func (p *Platform) changeAccount(ctx context.Context, id int64, fn func(tx Tx, a *Account) error) (User, error) {
	var u User
	err := p.store.Write(ctx, func(tx Tx) error {
		a, err := tx.Account(id)
		if errors.Is(err, ErrNotFound) {
			return fmt.Errorf("there is no user %d", id)
		}
		if err != nil {
			return err
		}
		if err := fn(tx, &a); err != nil {
			return err
		}
		if err := tx.PutAccount(a); err != nil {
			return err
		}
		a.Enrolled = a.Password != "" && a.TOTPSecret != ""
		u = a.User
		return nil
	})
	return u, err
}

// ResetUser gives a user a new enrolment token (valid for EnrolTTL): its
// password and second factor are void at once, its sessions end, its
// lockout is lifted, and it signs in again only once enrolled anew.
func (p *Platform) ResetUser(ctx context.Context, id int64) (User, string, error) {
	token, err := newSecret()
	if err != nil {
		return User{}, "", err
	}
	now := p.clock()
	u, err := p.changeAccount(ctx, id, func(tx Tx, a *Account) error {
		if a.Disabled {
			return fmt.Errorf("user %q is disabled: enable it first", a.Name)
		}
		a.Password, a.TOTPSecret, a.TOTPStep, a.EnrolTOTP = "", "", 0, ""
		a.EnrolHash, a.EnrolExpires = hashToken(token), now.Add(EnrolTTL)
		a.Failures, a.LockedUntil = 0, time.Time{}
		return tx.DeleteSessions(a.ID)
	})
	if err != nil {
		return User{}, "", err
	}
	return u, token, nil
}

// SetUserDisabled disables a user (its sessions end and its enrolment
// link stops working) or enables it again.
func (p *Platform) SetUserDisabled(ctx context.Context, id int64, disabled bool) (User, error) {
	now := p.clock()
	return p.changeAccount(ctx, id, func(tx Tx, a *Account) error {
		if a.Disabled == disabled {
			if disabled {
				return fmt.Errorf("user %q is already disabled", a.Name)
			}
			return fmt.Errorf("user %q is not disabled", a.Name)
		}
		a.Disabled, a.DisabledAt = disabled, now
		if !disabled {
			return nil
		}
		a.EnrolHash, a.EnrolExpires, a.EnrolTOTP = "", time.Time{}, ""
		return tx.DeleteSessions(a.ID)
	})
}

// SetUserAccess replaces a user's roles, streets and department, checked
// as AddUser checks them. The user's sessions go on with the new access.
func (p *Platform) SetUserAccess(ctx context.Context, id int64, roles []Role, streets []string, department string) (User, error) {
	roles, streets = uniq(roles), uniq(streets)
	return p.changeAccount(ctx, id, func(tx Tx, a *Account) error {
		dep, err := checkUser(tx, a.Name, roles, streets, department)
		if err != nil {
			return err
		}
		a.Roles, a.Streets, a.Department = roles, streets, dep
		return nil
	})
}

// StaffAudit lists the kiosk staff's audit lines f selects (User is the
// staff member's name), newest first, with how many there are in all.
func (p *Platform) StaffAudit(ctx context.Context, f AuditFilter) ([]AuditRecord, int, error) {
	var out []AuditRecord
	var n int
	err := p.store.Read(ctx, func(tx ReadTx) (err error) {
		out, n, err = tx.StaffAudit(f)
		return err
	})
	return out, n, err
}
