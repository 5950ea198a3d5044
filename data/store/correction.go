package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"jiezhen/data"
)

// Errors of QueueCorrection, for a message to the resident.
var (
	ErrNotInCorrection  = errors.New("the case is not waiting for a correction")
	ErrCorrectionQueued = errors.New("a correction of this case is already waiting to be sent")
	ErrNothingSupplied  = errors.New("the correction supplies nothing")
)

// QueueCorrection queues what the resident supplies for their case
// returned for correction (data.StatusCorrection, with what is missing in
// the reason of its last move): an application's corrected form values, a
// disclosure request's restated information, a note. The case is the
// kiosk's own, by id or reference. It is queued durably, like a case, and
// returns the outbox item's id; the district moves the case back to
// received and the feed brings that back. Checking the values against the
// service's form is the caller's, as when the case was filed; the district
// checks them again.
func (s *Store) QueueCorrection(ctx context.Context, caseIDOrRef string, corr data.Correction, at time.Time) (string, error) {
	corr.Information = strings.TrimSpace(corr.Information)
	corr.Note = strings.TrimSpace(corr.Note)
	corr.At = time.Time{}
	if len(corr.Values) == 0 && corr.Information == "" && corr.Note == "" {
		return "", ErrNothingSupplied
	}
	if utf8.RuneCountInString(corr.Note) > data.MaxCorrectionNote {
		return "", fmt.Errorf("the note is longer than %d characters", data.MaxCorrectionNote)
	}
	if err := data.CheckFields(corr); err != nil {
		return "", err
	}
	id := "corr-" + randomHex()
	if at.IsZero() {
		at = s.now()
	}
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		var doc string
		err := tx.QueryRowContext(ctx, "SELECT doc FROM cases WHERE id = ?1 OR ref = ?1 LIMIT 1", caseIDOrRef).Scan(&doc)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		var c data.Case
		if err := json.Unmarshal([]byte(doc), &c); err != nil {
			return err
		}
		if c.Status != data.StatusCorrection {
			return ErrNotInCorrection
		}
		switch {
		case len(corr.Values) > 0 && c.Kind != data.CaseApplication:
			return errors.New("only an application's correction has form values")
		case corr.Information != "" && c.Kind != data.CaseDisclosure:
			return errors.New("only a disclosure request's correction restates its information")
		}
		var n int
		err = tx.QueryRowContext(ctx, "SELECT count(*) FROM outbox WHERE kind = ? AND json_extract(body, '$.case') = ?",
			data.ItemCorrection, c.ID).Scan(&n)
		if err != nil {
			return err
		}
		if n > 0 {
			return ErrCorrectionQueued
		}
		corr.Case = c.ID
		body, err := json.Marshal(corr)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO outbox(id, kind, body, created_at, attempts, next_attempt_at, last_error)
			VALUES(?, ?, ?, ?, 0, 0, '')`, id, data.ItemCorrection, string(body), at.UnixMilli())
		return err
	})
	if err != nil {
		return "", fmt.Errorf("correction of case %s: %w", caseIDOrRef, err)
	}
	return id, nil
}

// CorrectionQueued reports whether a correction of the case (by id) is
// waiting in the outbox, so that the tracking screen can say it was
// supplied and has not reached the district yet.
func (s *Store) CorrectionQueued(ctx context.Context, caseID string) (bool, error) {
	var n int
	err := s.r.QueryRowContext(ctx, "SELECT count(*) FROM outbox WHERE kind = ? AND json_extract(body, '$.case') = ?",
		data.ItemCorrection, caseID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("correction queued %s: %w", caseID, err)
	}
	return n > 0, nil
}
