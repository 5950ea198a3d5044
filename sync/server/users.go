package server

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"jiezhen/data"
)

// The back office's accounts, sessions and audit (docs/ADMIN.md). Staff
// of the district and its streets sign in to the back office in a browser
// with a password and a TOTP code; each account holds one or more roles,
// and street-scoped accounts see only their streets' data, which the
// store queries enforce.

// Role is what a back office user may do.
type Role string

// The roles (docs/ADMIN.md, "Roles").
const (
	RoleAdmin     Role = "admin"     // 区管理员: accounts, streets, kiosks, keys
	RoleEditor    Role = "editor"    // 编辑: drafts content for its streets
	RoleReviewer  Role = "reviewer"  // 审核: reviews and publishes (保密审查)
	RoleHandler   Role = "handler"   // 承办: handles the cases of its streets dispatched to its department
	RoleInspector Role = "inspector" // 监察: reads everything, supervises overdue cases
)

// Roles lists every role in the order pages show them.
var Roles = []Role{RoleAdmin, RoleEditor, RoleReviewer, RoleHandler, RoleInspector}

var roleLabels = map[Role][2]string{
	RoleAdmin:     {"区管理员", "District admin"},
	RoleEditor:    {"编辑", "Editor"},
	RoleReviewer:  {"审核", "Reviewer"},
	RoleHandler:   {"承办", "Case handler"},
	RoleInspector: {"监察", "Inspector"},
}

// Label is the role's name in the language.
func (r Role) Label(l data.Lang) string {
	ls, ok := roleLabels[r]
	if !ok {
		return string(r)
	}
	if l == data.EN {
		return ls[1]
	}
	return ls[0]
}

// ParseRole reads a role's name as the CLI and forms give it.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if _, ok := roleLabels[r]; !ok {
		names := make([]string, len(Roles))
		for i, r := range Roles {
			names[i] = string(r)
		}
		return "", fmt.Errorf("unknown role %q: the roles are %s", s, strings.Join(names, ", "))
	}
	return r, nil
}

// ErrForbidden is a read or change of something the user may not reach:
// a row of another street, or an action outside the user's roles. The
// back office answers it with 403 and an audit line, never the row.
var ErrForbidden = errors.New("forbidden")

// ErrNoSession is a session token that is missing, unknown, expired or of
// a disabled user.
var ErrNoSession = errors.New("no session")

// User is a back office account as the pages see it: no secrets.
type User struct {
	ID      int64
	Name    string
	Roles   []Role
	Streets []string // empty: the whole district
	// Department is a handler's department (Departments): it handles
	// the cases dispatched there. "" for other roles, and for a handler
	// made before handlers had one, who reaches no case until it has.
	Department string
	// Enrolled: the password and the second factor are set.
	Enrolled    bool
	Disabled    bool
	LockedUntil time.Time // zero when not locked
	CreatedAt   time.Time
}

// Has reports whether the user holds role r.
func (u User) Has(r Role) bool { return slices.Contains(u.Roles, r) }

// HasAny reports whether the user holds one of rs.
func (u User) HasAny(rs ...Role) bool {
	for _, r := range rs {
		if u.Has(r) {
			return true
		}
	}
	return false
}

// SeesStreet reports whether the user may see data of street code: ""
// (district-wide) and its own streets; a user with no streets sees all.
func (u User) SeesStreet(code string) bool {
	return code == "" || len(u.Streets) == 0 || slices.Contains(u.Streets, code)
}

// Access says what the user may reach, for the audit: its roles and
// street codes ("all" for the whole district), no personal data.
func (u User) Access() string {
	rs := make([]string, len(u.Roles))
	for i, r := range u.Roles {
		rs[i] = string(r)
	}
	st := strings.Join(u.Streets, ",")
	if st == "" {
		st = "all"
	}
	out := "roles=" + strings.Join(rs, ",") + " streets=" + st
	if u.Department != "" {
		out += " department=" + u.Department
	}
	return out
}

// Account is a user's row with its secrets, as the store keeps it. Its
// TOTP keys are sealed under the data key in the store and read open
// through the platform's sealing layer (sealed.go).
type Account struct {
	User
	Password     string    // the argon2id hash, "" until enrolled
	TOTPSecret   string    // base32, "" until enrolled
	TOTPStep     int64     // the last TOTP time step accepted
	EnrolHash    string    // SHA-256 of the enrolment token, "" when none
	EnrolExpires time.Time // when the enrolment token stops working
	EnrolTOTP    string    // the TOTP secret offered during enrolment
	Failures     int       // wrong sign-ins since the last good one
	DisabledAt   time.Time // when Disabled was set
}

// Session is a signed-in user's session.
type Session struct {
	UserID    int64
	CSRF      string // the token every form posts back
	CreatedAt time.Time
	LastSeen  time.Time
	Flash     string // a one-time message for the next page, taken by Session
}

// SessionRecord is a session as the store keeps it, under the hash of
// its token.
type SessionRecord struct {
	Session
	TokenHash string
}

// AdminAuditRecord is one line of the back office's audit.
type AdminAuditRecord struct {
	ID       int64     `json:"id"`
	At       time.Time `json:"at"`
	UserID   int64     `json:"user_id"`
	UserName string    `json:"user"`
	Action   string    `json:"action"`
	Target   string    `json:"target,omitempty"`
	Street   string    `json:"street,omitempty"`
	Detail   string    `json:"detail,omitempty"`
}

// UsersReadTx reads the back office's accounts, sessions and audit.
type UsersReadTx interface {
	// Account, AccountByName and AccountByEnrol return ErrNotFound when
	// there is no such user.
	Account(id int64) (Account, error)
	AccountByName(name string) (Account, error)
	AccountByEnrol(hash string) (Account, error)
	// Accounts lists every user by name.
	Accounts() ([]Account, error)
	SessionByHash(hash string) (SessionRecord, error)
	// AdminAudit lists the back office's audit lines that f selects,
	// newest first, and how many there are in all.
	AdminAudit(f AuditFilter) ([]AdminAuditRecord, int, error)
	// StaffAudit is AdminAudit for the kiosk staff's audit (Audit's
	// rows), by the time received.
	StaffAudit(f AuditFilter) ([]AuditRecord, int, error)
}

// UsersTx writes them.
type UsersTx interface {
	AddAccount(a Account) (int64, error)
	// PutAccount stores every field of an existing account.
	PutAccount(a Account) error
	AddSession(s SessionRecord) error
	// TouchSession sets a session's last use and its flash message.
	TouchSession(hash string, lastSeen time.Time, flash string) error
	DeleteSession(hash string) error
	// DeleteSessions ends every session of a user.
	DeleteSessions(userID int64) error
	AddAdminAudit(a AdminAuditRecord) error
}

// AuditFilter selects audit lines, of the back office or of kiosks'
// staff; zero fields select all. Limit 0 is no limit.
type AuditFilter struct {
	User     string // the user's (or kiosk staff member's) name
	Action   string
	Street   string
	Streets  []string  // the reader's streets: only lines of these, when any
	From, To time.Time // From inclusive, To exclusive
	Offset   int
	Limit    int
}

// Timing of accounts and sessions.
const (
	SessionIdle = 30 * time.Minute // a session unused this long is over
	EnrolTTL    = 72 * time.Hour   // an enrolment link works this long
)

// userName is checked as a name (data.Limits).
type userName struct {
	Name string `json:"name" limit:"name"`
}

// checkUser says in one line what is wrong with a new user's name, roles,
// streets or department, against the streets published and the
// departments listed in tx, and returns the department to store: a
// handler's, which it must have; none for other roles.
func checkUser(tx ReadTx, name string, roles []Role, streets []string, department string) (string, error) {
	if name == "" {
		return "", errors.New("the user needs a name")
	}
	if err := data.CheckFields(userName{name}); err != nil {
		return "", err
	}
	if len(roles) == 0 {
		return "", errors.New("the user needs at least one role")
	}
	for _, r := range roles {
		if _, err := ParseRole(string(r)); err != nil {
			return "", err
		}
	}
	for _, s := range streets {
		if err := knownStreet(tx, s); err != nil {
			return "", err
		}
	}
	if !slices.Contains(roles, RoleHandler) {
		return "", nil
	}
	return checkDepartment(tx, department)
}

// checkDepartment says in one line what is wrong with a handler's
// department: missing, or not one of the district's.
func checkDepartment(tx ReadTx, department string) (string, error) {
	department = strings.TrimSpace(department)
	deps, err := tx.Departments()
	if err != nil {
		return "", err
	}
	names := make([]string, len(deps))
	for i, d := range deps {
		names[i] = d.Name
	}
	switch {
	case len(names) == 0:
		return "", errors.New("a handler needs a department, and the district lists none yet: an admin adds them on the back office's departments page")
	case department == "":
		return "", fmt.Errorf("a handler needs a department, one of the district's: %s", strings.Join(names, ", "))
	case !slices.Contains(names, department):
		return "", fmt.Errorf("%q is not one of the district's departments: %s", department, strings.Join(names, ", "))
	}
	return department, nil
}

// uniq returns the values sorted without repeats.
func uniq[T ~string](vs []T) []T {
	out := slices.Clone(vs)
	slices.Sort(out)
	return slices.Compact(out)
}

// AddUser adds a back office user with its roles and streets (none: the
// whole district), and for a handler its department, and returns it with
// a one-time enrolment token, valid for EnrolTTL, that the enrolment page
// takes (docs/ADMIN.md). Only the token's hash is stored.
func (p *Platform) AddUser(ctx context.Context, name string, roles []Role, streets []string, department string) (User, string, error) {
	name = strings.TrimSpace(name)
	roles, streets = uniq(roles), uniq(streets)
	token, err := newSecret()
	if err != nil {
		return User{}, "", err
	}
	now := p.clock()
	a := Account{User: User{Name: name, Roles: roles, Streets: streets, CreatedAt: now},
		EnrolHash: hashToken(token), EnrolExpires: now.Add(EnrolTTL)}
	err = p.store.Write(ctx, func(tx Tx) error {
		if a.Department, err = checkUser(tx, name, roles, streets, department); err != nil {
			return err
		}
		if _, err := tx.AccountByName(name); err == nil {
			return fmt.Errorf("there is already a user named %q", name)
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		a.ID, err = tx.AddAccount(a)
		return err
	})
	if err != nil {
		return User{}, "", err
	}
	return a.User, token, nil
}

// Users lists every back office user by name.
func (p *Platform) Users(ctx context.Context) ([]User, error) {
	var out []User
	err := p.store.Read(ctx, func(tx ReadTx) error {
		as, err := tx.Accounts()
		for _, a := range as {
			out = append(out, a.User)
		}
		return err
	})
	return out, err
}

// UserByID returns a user, ErrNotFound when there is none.
func (p *Platform) UserByID(ctx context.Context, id int64) (User, error) {
	var u User
	err := p.store.Read(ctx, func(tx ReadTx) error {
		a, err := tx.Account(id)
		u = a.User
		return err
	})
	return u, err
}

// newCSRF returns a session's random CSRF token.
func newCSRF() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make a token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// StartSession opens a session for an enrolled user who has just signed
// in, and returns its token (the cookie's value; only its hash is
// stored).
func (p *Platform) StartSession(ctx context.Context, userID int64) (string, error) {
	token, err := newSecret()
	if err != nil {
		return "", err
	}
	csrf, err := newCSRF()
	if err != nil {
		return "", err
	}
	now := p.clock()
	err = p.store.Write(ctx, func(tx Tx) error {
		a, err := tx.Account(userID)
		if err != nil {
			return err
		}
		if a.Disabled {
			return fmt.Errorf("user %d is disabled", userID)
		}
		return tx.AddSession(SessionRecord{TokenHash: hashToken(token),
			Session: Session{UserID: userID, CSRF: csrf, CreatedAt: now, LastSeen: now}})
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// Session returns the user and session of a session token, marks it used
// now, and takes its flash message (the returned Session still has it).
// A token unknown, unused for SessionIdle, or of a disabled user is
// ErrNoSession; an expired session is removed.
func (p *Platform) Session(ctx context.Context, token string) (User, Session, error) {
	if token == "" {
		return User{}, Session{}, ErrNoSession
	}
	var u User
	var s Session
	now := p.clock()
	var expired bool
	err := p.store.Write(ctx, func(tx Tx) error {
		expired = false
		rec, err := tx.SessionByHash(hashToken(token))
		if errors.Is(err, ErrNotFound) {
			return ErrNoSession
		}
		if err != nil {
			return err
		}
		if now.Sub(rec.LastSeen) >= SessionIdle {
			expired = true
			return tx.DeleteSession(rec.TokenHash)
		}
		a, err := tx.Account(rec.UserID)
		if err != nil {
			return err
		}
		if a.Disabled {
			expired = true
			return tx.DeleteSession(rec.TokenHash)
		}
		u, s = a.User, rec.Session
		s.LastSeen = now
		return tx.TouchSession(rec.TokenHash, now, "")
	})
	if err == nil && expired {
		err = ErrNoSession
	}
	if err != nil {
		return User{}, Session{}, err
	}
	return u, s, nil
}

// SetFlash leaves a one-time message for the session's next page.
func (p *Platform) SetFlash(ctx context.Context, token, msg string) error {
	return p.store.Write(ctx, func(tx Tx) error {
		rec, err := tx.SessionByHash(hashToken(token))
		if err != nil {
			return err
		}
		return tx.TouchSession(rec.TokenHash, rec.LastSeen, msg)
	})
}

// EndSession ends a session (sign-out); an unknown token is no error.
func (p *Platform) EndSession(ctx context.Context, token string) error {
	return p.store.Write(ctx, func(tx Tx) error { return tx.DeleteSession(hashToken(token)) })
}

// CSRFMatches compares a posted CSRF token with the session's in
// constant time.
func (s Session) CSRFMatches(posted string) bool {
	return s.CSRF != "" && subtle.ConstantTimeCompare([]byte(s.CSRF), []byte(posted)) == 1
}

// maxAuditDetail caps an audit line's detail, in characters.
const maxAuditDetail = 500

// AdminAudit writes a line of the back office's audit: user u did action
// on target (an object's kind and id, a path), with a short detail that
// holds no personal data.
func (p *Platform) AdminAudit(ctx context.Context, u User, action, target, detail string) error {
	return p.AdminAuditIn(ctx, u, "", action, target, detail)
}

// AdminAuditIn is AdminAudit on an object of a street, so the audit page
// can filter by it.
func (p *Platform) AdminAuditIn(ctx context.Context, u User, street, action, target, detail string) error {
	if r := []rune(detail); len(r) > maxAuditDetail {
		detail = string(r[:maxAuditDetail]) + "…"
	}
	rec := AdminAuditRecord{At: p.clock(), UserID: u.ID, UserName: u.Name, Action: action, Target: target,
		Street: street, Detail: detail}
	return p.store.Write(ctx, func(tx Tx) error { return tx.AddAdminAudit(rec) })
}

// AdminAuditLines lists the back office's audit lines f selects, newest
// first, with how many there are in all.
func (p *Platform) AdminAuditLines(ctx context.Context, f AuditFilter) ([]AdminAuditRecord, int, error) {
	var out []AdminAuditRecord
	var n int
	err := p.store.Read(ctx, func(tx ReadTx) (err error) {
		out, n, err = tx.AdminAudit(f)
		return err
	})
	return out, n, err
}
