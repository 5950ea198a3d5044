package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// A kiosk serves one street. The district knows each token's street
// (wire.KioskInfo); the kiosk knows the street it holds. A token of
// another street is refused before anything is pushed (sync/client),
// and moving a kiosk to another street is an explicit reset (ResetKiosk).

// KioskStreets returns the street this kiosk serves as far as its
// database says: the one recorded (RecordKioskStreet, ResetKiosk), else
// the one its bundles are for, else the streets whose content it holds
// (one as a rule; several only in a database loaded by hand). None: the
// kiosk has no street yet.
func (s *Store) KioskStreets(ctx context.Context) ([]string, error) {
	var out []string
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = kioskStreets(ctx, tx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("kiosk street: %w", err)
	}
	return out, nil
}

func kioskStreets(ctx context.Context, tx *sql.Tx) ([]string, error) {
	var street string
	err := tx.QueryRowContext(ctx, "SELECT street FROM kiosk_street WHERE id = 1").Scan(&street)
	if err == nil {
		return []string{street}, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	err = tx.QueryRowContext(ctx, "SELECT street FROM bundle_state WHERE id = 1").Scan(&street)
	if err == nil && street != "" {
		return []string{street}, nil
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, "SELECT id FROM street ORDER BY id")
	if err != nil {
		return nil, err
	}
	var out []string
	err = scanRows(rows, func(rows *sql.Rows) error {
		var code string
		if err := rows.Scan(&code); err != nil {
			return err
		}
		out = append(out, code)
		return nil
	})
	return out, err
}

// RecordKioskStreet records street as the one this kiosk serves. Recording
// the street already recorded changes nothing; another one is refused:
// only ResetKiosk moves a kiosk.
func (s *Store) RecordKioskStreet(ctx context.Context, street string, now time.Time) error {
	if street == "" {
		return errors.New("record kiosk street: no street")
	}
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		var old string
		err := tx.QueryRowContext(ctx, "SELECT street FROM kiosk_street WHERE id = 1").Scan(&old)
		switch {
		case err == nil && old == street:
			return nil
		case err == nil:
			return fmt.Errorf("this kiosk is street %s's, not %s's (kiosk reset moves it)", old, street)
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO kiosk_street(id, street, since) VALUES (1, ?, ?)", street, now.UnixMilli())
		return err
	})
	if err != nil {
		return fmt.Errorf("record kiosk street: %w", err)
	}
	return nil
}

// ErrOutboxNotEmpty is ResetKiosk's refusal while items wait to be sent.
var ErrOutboxNotEmpty = errors.New("items wait in the outbox")

// ResetKiosk moves the kiosk to street: in one transaction it removes
// every content item, the search index, the kiosk's cases, conflicts,
// sign-in and tracking counters, held attachment files, both cursors and
// the last sync time, the recorded kiosk number and the newest issued-at
// of bundles, and records street as the kiosk's and its bundles'. The next sync,
// with a token of that street, starts from nothing. The trusted bundle
// keys (the district's) and the dead letters (the district's refusals,
// for staff to read and discard) stay.
//
// It is refused, changing nothing, while any item waits in the outbox:
// those items are the old street's, and would be refused as another
// street's. They go first with a sync, or on a USB drive (kiosk export)
// to the district, which answers them at the next sync.
func (s *Store) ResetKiosk(ctx context.Context, street string, now time.Time) error {
	if street == "" {
		return errors.New("reset kiosk: no street")
	}
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		var waiting int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM outbox").Scan(&waiting); err != nil {
			return err
		}
		if waiting > 0 {
			return fmt.Errorf("%d item(s) wait in the outbox: %w", waiting, ErrOutboxNotEmpty)
		}
		if err := deleteAllContent(ctx, tx); err != nil {
			return err
		}
		for _, q := range []string{
			"DELETE FROM cases", "DELETE FROM conflicts", "DELETE FROM staff_signin",
			"DELETE FROM track_failures", "DELETE FROM attachment_file", "DELETE FROM kiosk_number",
			"DELETE FROM staff_pin_key", // the old street's key opens no account of the new one
			// A kiosk moved on purpose is a new one as far as the start's
			// check of what it once held goes (checkMarks).
			"UPDATE store_marks SET kiosk_number = 0, street = 0",
		} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO bundle_state(id, newest_issued_at, street) VALUES (1, 0, ?)
			ON CONFLICT(id) DO UPDATE SET newest_issued_at = 0, street = excluded.street`, street); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO kiosk_street(id, street, since) VALUES (1, ?, ?)
			ON CONFLICT(id) DO UPDATE SET street = excluded.street, since = excluded.since`, street, now.UnixMilli())
		return err
	})
	if err != nil {
		return fmt.Errorf("reset kiosk: %w", err)
	}
	s.kickIndexer()
	return nil
}
