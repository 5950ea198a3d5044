package server

import (
	"database/sql"
	"strings"
	"time"
)

// The SQLite rows of the back office's accounts, sessions and audit
// (migration 0009_users.sql; a handler's department, 0016).

const accountColumns = `id, name, roles, streets, department, password, totp_secret, totp_step, COALESCE(enrol_hash, ''),
	enrol_expires, enrol_totp, failures, locked_until, disabled_at, created_at`

func scanAccount(sc scanner) (Account, error) {
	var a Account
	var roles, streets string
	var expires, locked, created int64
	var disabled sql.NullInt64
	err := sc.Scan(&a.ID, &a.Name, &roles, &streets, &a.Department, &a.Password, &a.TOTPSecret, &a.TOTPStep, &a.EnrolHash,
		&expires, &a.EnrolTOTP, &a.Failures, &locked, &disabled, &created)
	if err != nil {
		return a, err
	}
	for _, r := range strings.Fields(roles) {
		a.Roles = append(a.Roles, Role(r))
	}
	a.Streets = strings.Fields(streets)
	a.Enrolled = a.Password != "" && a.TOTPSecret != ""
	if a.Disabled = disabled.Valid; a.Disabled {
		a.DisabledAt = fromMillis(disabled.Int64)
	}
	if expires != 0 {
		a.EnrolExpires = fromMillis(expires)
	}
	if locked != 0 {
		a.LockedUntil = fromMillis(locked)
	}
	a.CreatedAt = fromMillis(created)
	return a, nil
}

func (t *sqlTx) account(q string, args ...any) (Account, error) {
	as, err := queryAll(t, scanAccount, "SELECT "+accountColumns+" FROM users "+q, args...)
	if err != nil {
		return Account{}, err
	}
	if len(as) == 0 {
		return Account{}, ErrNotFound
	}
	return as[0], nil
}

func (t *sqlTx) Account(id int64) (Account, error) { return t.account("WHERE id = ?", id) }

func (t *sqlTx) AccountByName(name string) (Account, error) { return t.account("WHERE name = ?", name) }

func (t *sqlTx) AccountByEnrol(hash string) (Account, error) {
	return t.account("WHERE enrol_hash = ?", hash)
}

func (t *sqlTx) Accounts() ([]Account, error) {
	return queryAll(t, scanAccount, "SELECT "+accountColumns+" FROM users ORDER BY name")
}

// accountArgs are an account's stored values after its id, in the order
// of accountColumns.
func accountArgs(a Account) []any {
	roles := make([]string, len(a.Roles))
	for i, r := range a.Roles {
		roles[i] = string(r)
	}
	var enrol, disabled any
	if a.EnrolHash != "" {
		enrol = a.EnrolHash
	}
	if a.Disabled {
		disabled = millis(a.DisabledAt)
	}
	var expires, locked int64
	if !a.EnrolExpires.IsZero() {
		expires = millis(a.EnrolExpires)
	}
	if !a.LockedUntil.IsZero() {
		locked = millis(a.LockedUntil)
	}
	return []any{a.Name, strings.Join(roles, " "), strings.Join(a.Streets, " "), a.Department, a.Password, a.TOTPSecret, a.TOTPStep,
		enrol, expires, a.EnrolTOTP, a.Failures, locked, disabled, millis(a.CreatedAt)}
}

func (t *sqlTx) AddAccount(a Account) (int64, error) {
	var id int64
	err := t.one(`INSERT INTO users(name, roles, streets, department, password, totp_secret, totp_step, enrol_hash,
		enrol_expires, enrol_totp, failures, locked_until, disabled_at, created_at)
		VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, accountArgs(a), &id)
	return id, err
}

func (t *sqlTx) PutAccount(a Account) error {
	res, err := t.execResult(`UPDATE users SET name = ?, roles = ?, streets = ?, department = ?, password = ?, totp_secret = ?,
		totp_step = ?, enrol_hash = ?, enrol_expires = ?, enrol_totp = ?, failures = ?, locked_until = ?,
		disabled_at = ?, created_at = ? WHERE id = ?`, append(accountArgs(a), a.ID)...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return ErrNotFound
	}
	return err
}

func (t *sqlTx) SessionByHash(hash string) (SessionRecord, error) {
	var s SessionRecord
	var created, seen int64
	err := t.one("SELECT token_hash, user_id, csrf, created_at, last_seen, flash FROM sessions WHERE token_hash = ?",
		[]any{hash}, &s.TokenHash, &s.UserID, &s.CSRF, &created, &seen, &s.Flash)
	s.CreatedAt, s.LastSeen = fromMillis(created), fromMillis(seen)
	return s, err
}

func (t *sqlTx) AddSession(s SessionRecord) error {
	return t.exec("INSERT INTO sessions(token_hash, user_id, csrf, created_at, last_seen, flash) VALUES(?, ?, ?, ?, ?, ?)",
		s.TokenHash, s.UserID, s.CSRF, millis(s.CreatedAt), millis(s.LastSeen), s.Flash)
}

func (t *sqlTx) TouchSession(hash string, lastSeen time.Time, flash string) error {
	return t.exec("UPDATE sessions SET last_seen = ?, flash = ? WHERE token_hash = ?", millis(lastSeen), flash, hash)
}

func (t *sqlTx) DeleteSession(hash string) error {
	return t.exec("DELETE FROM sessions WHERE token_hash = ?", hash)
}

func (t *sqlTx) DeleteSessions(userID int64) error {
	return t.exec("DELETE FROM sessions WHERE user_id = ?", userID)
}

func (t *sqlTx) AddAdminAudit(a AdminAuditRecord) error {
	return t.exec(`INSERT INTO admin_audit(at, user_id, user_name, action, target, street, detail)
		VALUES(?, ?, ?, ?, ?, ?, ?)`, millis(a.At), a.UserID, a.UserName, a.Action, a.Target, a.Street, a.Detail)
}

func scanAdminAudit(sc scanner) (AdminAuditRecord, error) {
	var a AdminAuditRecord
	var at int64
	err := sc.Scan(&a.ID, &at, &a.UserID, &a.UserName, &a.Action, &a.Target, &a.Street, &a.Detail)
	a.At = fromMillis(at)
	return a, err
}

// auditWhere is the WHERE clause of f over an audit table whose user,
// street and time columns are named.
func auditWhere(f AuditFilter, user, street, at string) (string, []any) {
	var where []string
	var args []any
	if f.User != "" {
		where, args = append(where, user+" = ?"), append(args, f.User)
	}
	if f.Action != "" {
		where, args = append(where, "action = ?"), append(args, f.Action)
	}
	if f.Street != "" {
		where, args = append(where, street+" = ?"), append(args, f.Street)
	}
	if len(f.Streets) > 0 {
		where = append(where, street+" IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(f.Streets)), ", ")+")")
		for _, s := range f.Streets {
			args = append(args, s)
		}
	}
	if !f.From.IsZero() {
		where, args = append(where, at+" >= ?"), append(args, millis(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, at+" < ?"), append(args, millis(f.To))
	}
	if len(where) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(where, " AND "), args
}

// auditPage counts the rows of table that cond selects and reads the
// page of f.
func auditPage[T any](t *sqlTx, f AuditFilter, scan func(scanner) (T, error), columns, table, cond, order string, args []any) ([]T, int, error) {
	var n int
	if err := t.one("SELECT count(*) FROM "+table+cond, args, &n); err != nil {
		return nil, 0, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = noLimit
	}
	out, err := queryAll(t, scan, "SELECT "+columns+" FROM "+table+cond+" ORDER BY "+order+" LIMIT ? OFFSET ?",
		append(args, limit, f.Offset)...)
	return out, n, err
}

func (t *sqlTx) AdminAudit(f AuditFilter) ([]AdminAuditRecord, int, error) {
	cond, args := auditWhere(f, "user_name", "street", "at")
	return auditPage(t, f, scanAdminAudit, "id, at, user_id, user_name, action, target, street, detail",
		"admin_audit", cond, "at DESC, id DESC", args)
}

func scanStaffAudit(sc scanner) (AuditRecord, error) {
	var a AuditRecord
	var at, received int64
	err := sc.Scan(&a.ID, &a.Kiosk, &a.Street, &a.Staff, &a.StaffID, &a.Action, &a.Detail, &at, &received)
	a.At, a.ReceivedAt = fromMillis(at), fromMillis(received)
	return a, err
}

func (t *sqlTx) StaffAudit(f AuditFilter) ([]AuditRecord, int, error) {
	cond, args := auditWhere(f, "staff", "street", "received_at")
	return auditPage(t, f, scanStaffAudit, "id, kiosk, street, staff, staff_id, action, detail, at, received_at",
		"audit", cond, "received_at DESC, rowid DESC", args)
}
