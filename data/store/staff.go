package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"jiezhen/data"
	"jiezhen/data/pin"
)

// Street staff on the kiosk: their accounts come from the district's feed
// (kind data.KindStaff); signing in checks the PIN against the account's
// verifier, keyed with the street's PIN key (pinkey.go), and counts wrong
// PINs in the database, so a lock survives a restart; every staff action
// is an outbox item of kind data.ItemAudit that goes to the district like
// any other write.

// Sign-in limits: MaxPINFailures wrong PINs in a row lock the account for
// LockFor.
const (
	MaxPINFailures = 5
	LockFor        = 15 * time.Minute
)

// Audit actions the store records itself; the UI records others (sign-out,
// bundle import, export) with AuditAction.
const (
	AuditSignIn        = "sign_in"
	AuditPINFailed     = "pin_failed"
	AuditLocked        = "locked"
	AuditEdit          = "edit"
	AuditKeepMine      = "conflict_keep_mine"
	AuditDropMine      = "conflict_drop_mine"
	AuditRetryDead     = "dead_letter_retry"
	AuditDiscardDead   = "dead_letter_discard"
	AuditSignOut       = "sign_out"
	AuditBundleImport  = "bundle_import"
	AuditOutboxExport  = "outbox_export"
	maxAuditFieldRunes = 500
)

// LockedError: the account is locked after too many wrong PINs.
type LockedError struct{ Until time.Time }

func (e *LockedError) Error() string {
	return fmt.Sprintf("too many wrong PINs: the account is locked until %s", e.Until.In(chinaTime).Format("15:04"))
}

// WrongPINError: the PIN is wrong; Left more wrong PINs lock the account.
type WrongPINError struct{ Left int }

func (e *WrongPINError) Error() string {
	return fmt.Sprintf("wrong PIN: %d more tries before the account is locked", e.Left)
}

// chinaTime is the time zone the kiosk's staff read times in.
var chinaTime = time.FixedZone("CST", 8*3600)

// StaffAccounts returns the staff accounts the kiosk holds (its street's,
// from the feed), by name.
func (s *Store) StaffAccounts(ctx context.Context) ([]data.Staff, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT doc FROM staff ORDER BY name, id")
	if err != nil {
		return nil, fmt.Errorf("staff accounts: %w", err)
	}
	var out []data.Staff
	err = scanRows(rows, func(rows *sql.Rows) error {
		var doc string
		if err := rows.Scan(&doc); err != nil {
			return err
		}
		var st data.Staff
		if err := json.Unmarshal([]byte(doc), &st); err != nil {
			return err
		}
		out = append(out, st)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("staff accounts: %w", err)
	}
	return out, nil
}

func staffByID(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, id string) (data.Staff, error) {
	var doc string
	var st data.Staff
	err := q.QueryRowContext(ctx, "SELECT doc FROM staff WHERE id = ?", id).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return st, fmt.Errorf("there is no staff account %q on this kiosk: %w", id, ErrNotFound)
	}
	if err != nil {
		return st, err
	}
	if err := json.Unmarshal([]byte(doc), &st); err != nil {
		return st, err
	}
	return st, nil
}

// SignIn checks a staff member's PIN at time now. A verifier keyed with
// the street's PIN key needs the kiosk's token (UseToken; ErrNoToken) and
// a key it opens (ErrNoPINKey); an account from before the keys has a
// plain argon2id hash, checked without them. A wrong PIN is a
// *WrongPINError; the MaxPINFailures-th wrong PIN in a row locks the
// account for LockFor and is a *LockedError, as is every attempt while
// locked (the PIN is not even checked then). The count and the lock are in
// the database, and the sign-in or the failed PIN is audited in the same
// transaction that records it.
func (s *Store) SignIn(ctx context.Context, staffID, p string, now time.Time) (data.Staff, error) {
	st, err := staffByID(ctx, s.r, staffID)
	if err != nil {
		return data.Staff{}, fmt.Errorf("sign in: %w", err)
	}
	if until, err := s.lockedUntil(ctx, s.r, staffID); err != nil {
		return data.Staff{}, fmt.Errorf("sign in: %w", err)
	} else if now.Before(until) {
		return data.Staff{}, &LockedError{Until: until}
	}
	// A verifier keyed with the street's PIN key needs the key, which
	// opens only with the kiosk's token. Without either nothing is
	// checked or counted: it is not a wrong PIN.
	var key []byte
	if pin.Keyed(st.PINHash) {
		hash := s.tokenHash.Load()
		if hash == nil {
			return data.Staff{}, ErrNoToken
		}
		if key, err = s.pinKey(ctx, st.Street, *hash); err != nil {
			return data.Staff{}, err
		}
	}
	// The hash is checked outside the write transaction: it takes half a
	// second on purpose, and other writers need not wait for it.
	ok := pin.Valid(p)
	if ok {
		if ok, err = pin.Check(st.PINHash, key, p); err != nil {
			return data.Staff{}, fmt.Errorf("sign in: the account's PIN hash cannot be checked: %w", err)
		}
	}
	var result error
	err = s.writeTx(ctx, func(tx *sql.Tx) error {
		result = nil
		until, err := s.lockedUntil(ctx, tx, staffID)
		if err != nil {
			return err
		}
		if now.Before(until) {
			// Another attempt locked it meanwhile.
			result = &LockedError{Until: until}
			return nil
		}
		if ok {
			if _, err := tx.ExecContext(ctx, `INSERT INTO staff_signin(staff_id, failures, locked_until) VALUES(?, 0, 0)
				ON CONFLICT(staff_id) DO UPDATE SET failures = 0, locked_until = 0`, staffID); err != nil {
				return err
			}
			return enqueueAudit(ctx, tx, st, AuditSignIn, "", now)
		}
		var failures int
		err = tx.QueryRowContext(ctx, `INSERT INTO staff_signin(staff_id, failures, locked_until) VALUES(?, 1, 0)
			ON CONFLICT(staff_id) DO UPDATE SET failures = failures + 1 RETURNING failures`, staffID).Scan(&failures)
		if err != nil {
			return err
		}
		if failures < MaxPINFailures {
			result = &WrongPINError{Left: MaxPINFailures - failures}
			return enqueueAudit(ctx, tx, st, AuditPINFailed, fmt.Sprintf("%d of %d", failures, MaxPINFailures), now)
		}
		until = now.Add(LockFor)
		if _, err := tx.ExecContext(ctx, "UPDATE staff_signin SET failures = 0, locked_until = ? WHERE staff_id = ?",
			until.UnixMilli(), staffID); err != nil {
			return err
		}
		result = &LockedError{Until: until}
		if err := enqueueAudit(ctx, tx, st, AuditPINFailed, fmt.Sprintf("%d of %d", failures, MaxPINFailures), now); err != nil {
			return err
		}
		return enqueueAudit(ctx, tx, st, AuditLocked, "until "+until.UTC().Format(time.RFC3339), now)
	})
	if err != nil {
		return data.Staff{}, fmt.Errorf("sign in: %w", err)
	}
	if result != nil {
		return data.Staff{}, result
	}
	return st, nil
}

func (s *Store) lockedUntil(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, staffID string) (time.Time, error) {
	var until int64
	err := q.QueryRowContext(ctx, "SELECT locked_until FROM staff_signin WHERE staff_id = ?", staffID).Scan(&until)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && until == 0) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	return time.UnixMilli(until), nil
}

// AuditAction records a staff action done outside the store (sign-out,
// bundle import, outbox export) as an audit item in the outbox.
func (s *Store) AuditAction(ctx context.Context, by data.Staff, action, detail string, now time.Time) error {
	if action == "" {
		return fmt.Errorf("audit: the action is empty")
	}
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		return enqueueAudit(ctx, tx, by, action, detail, now)
	})
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// enqueueAudit queues one audit item in tx.
func enqueueAudit(ctx context.Context, tx *sql.Tx, by data.Staff, action, detail string, now time.Time) error {
	if by.ID == "" {
		return fmt.Errorf("no staff member is signed in")
	}
	b, err := json.Marshal(data.AuditBody{Action: clipRunes(action), Staff: clipRunes(by.Name), StaffID: by.ID,
		Detail: clipRunes(detail), At: now.UTC()})
	if err != nil {
		return err
	}
	return enqueueTx(ctx, tx, OutboxItem{ID: "audit-" + randomHex(), Kind: data.ItemAudit, Body: b, CreatedAt: now})
}

func clipRunes(s string) string {
	r := []rune(s)
	if len(r) <= maxAuditFieldRunes {
		return s
	}
	return string(r[:maxAuditFieldRunes])
}

func randomHex() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return hex.EncodeToString(b[:])
}
