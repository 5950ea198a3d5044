package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"jiezhen/data"
)

// KioskNumber returns the number recorded as this kiosk's in the district
// (RecordKioskNumber), 0 when none is.
func (s *Store) KioskNumber(ctx context.Context) (int64, error) {
	var n int64
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		n, err = kioskNumber(ctx, tx)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("kiosk number: %w", err)
	}
	return n, nil
}

func kioskNumber(ctx context.Context, tx *sql.Tx) (int64, error) {
	var n int64
	err := tx.QueryRowContext(ctx, "SELECT number FROM kiosk_number WHERE id = 1").Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return n, err
}

// ErrKioskRenumbered is RecordKioskNumber's refusal to change the number
// while cases filed under the recorded one wait to be sent.
var ErrKioskRenumbered = errors.New("kiosk renumbered with cases waiting")

// RecordKioskNumber records n (from 1) as this kiosk's number, and
// returns the number recorded before, 0 for none. Recording the number
// already there changes nothing.
//
// Another number is recorded only when no case waits in the outbox: a
// waiting case carries a reference made with the old number, which the
// district would replace at sync, leaving the resident with a receipt
// that finds nothing. Then it fails with ErrKioskRenumbered and an error
// naming both numbers.
func (s *Store) RecordKioskNumber(ctx context.Context, n int64, now time.Time) (int64, error) {
	if n < 1 {
		return 0, fmt.Errorf("record kiosk number: %d is not a number from 1", n)
	}
	var old int64
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		var err error
		if old, err = kioskNumber(ctx, tx); err != nil || old == n {
			return err
		}
		if old != 0 {
			var waiting int
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM outbox WHERE kind = ?", data.ItemCase).Scan(&waiting); err != nil {
				return err
			}
			if waiting > 0 {
				return fmt.Errorf("this database is kiosk %d's and %d case(s) filed under that number wait to be sent, but this start makes it kiosk %d: sync with kiosk %d's token first, or start with kiosk %d's token (a lost or revoked one is replaced by 'districtd kiosk token %d'): %w",
					old, waiting, n, old, old, old, ErrKioskRenumbered)
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO kiosk_number(id, number, since) VALUES (1, ?, ?)
			ON CONFLICT(id) DO UPDATE SET number = excluded.number, since = excluded.since`, n, now.UnixMilli())
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("record kiosk number: %w", err)
	}
	return old, nil
}
