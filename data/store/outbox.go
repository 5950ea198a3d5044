package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"jiezhen/data"
)

// ErrDuplicateID: an outbox item with the same id but a different body is
// already queued. The id is the idempotency key, so the first one stays.
var ErrDuplicateID = errors.New("same id, different body")

// OutboxItem is a write waiting to go to the district: an application, an
// appeal, an opinion, a rating or a staff edit.
type OutboxItem struct {
	ID            string          `json:"id"` // client-generated; the idempotency key
	Kind          data.ItemKind   `json:"kind"`
	Body          json.RawMessage `json:"body"`
	CreatedAt     time.Time       `json:"created_at"`
	Attempts      int             `json:"attempts"`
	NextAttemptAt time.Time       `json:"next_attempt_at"`
	LastError     string          `json:"last_error,omitempty"`

	// Case, when set, is stored in the cases table in the same
	// transaction, so the resident's receipt and the queued write become
	// durable together.
	Case *data.Case `json:"-"`
}

// Enqueue queues an item durably: when it returns nil the item survives a
// crash or power cut (WAL with synchronous=FULL). Enqueueing the same id
// with the same body again is a no-op; with a different body it fails with
// ErrDuplicateID.
func (s *Store) Enqueue(ctx context.Context, it OutboxItem) error {
	if it.ID == "" || it.Kind == "" {
		return fmt.Errorf("enqueue: item needs an id and a kind")
	}
	if !json.Valid(it.Body) {
		return fmt.Errorf("enqueue %s: body is not JSON", it.ID)
	}
	if err := checkBody(it); err != nil {
		return fmt.Errorf("enqueue %s: %w", it.ID, err)
	}
	if it.CreatedAt.IsZero() {
		it.CreatedAt = s.now()
	}
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		var body string
		err := tx.QueryRowContext(ctx, "SELECT body FROM outbox WHERE id = ?", it.ID).Scan(&body)
		if err == nil {
			if bytes.Equal([]byte(body), it.Body) {
				return nil
			}
			return ErrDuplicateID
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if err := enqueueTx(ctx, tx, it); err != nil {
			return err
		}
		if it.Case != nil {
			return putCase(ctx, tx, it.Case)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("enqueue %s: %w", it.ID, err)
	}
	return nil
}

// checkBody keeps a resident's case, opinion, rating or correction to the
// field rules the district keeps (data.CheckFields) before it is queued,
// so the kiosk never stores what the district would refuse for its fields.
func checkBody(it OutboxItem) error {
	var v any
	switch it.Kind {
	case data.ItemCase:
		v = &data.Case{}
	case data.ItemOpinion:
		v = &data.Opinion{}
	case data.ItemRating:
		v = &data.RatingBody{}
	case data.ItemCorrection:
		v = &data.Correction{}
	default:
		return nil
	}
	if err := json.Unmarshal(it.Body, v); err != nil {
		return fmt.Errorf("the %s body does not decode", it.Kind)
	}
	return data.CheckFields(v)
}

// enqueueTx inserts a new outbox item in tx. Its callers give it the
// time (it.CreatedAt): their caller's, or the store's clock.
func enqueueTx(ctx context.Context, tx *sql.Tx, it OutboxItem) error {
	if it.CreatedAt.IsZero() {
		return fmt.Errorf("outbox item %s has no time", it.ID)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO outbox(id, kind, body, created_at, attempts, next_attempt_at, last_error)
		VALUES(?, ?, ?, ?, ?, ?, ?)`, it.ID, it.Kind, string(it.Body), it.CreatedAt.UnixMilli(),
		it.Attempts, unixMilli(it.NextAttemptAt), it.LastError)
	return err
}

func unixMilli(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func timeOf(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}

// Pending lists the items waiting to be sent, in the order they were
// queued, at most limit (0 means DefaultLimit). The order is the outbox's
// rowid, not created_at, which is the kiosk's clock: a clock set back
// between two writes must not send the second first (a second staff edit
// of an item before the first would be a conflict). SQLite gives a new row
// a rowid above every existing one, so rowid order is queue order.
func (s *Store) Pending(ctx context.Context, limit int) ([]OutboxItem, error) {
	if limit <= 0 {
		limit = DefaultLimit
	}
	rows, err := s.r.QueryContext(ctx, `SELECT id, kind, body, created_at, attempts, next_attempt_at, last_error
		FROM outbox ORDER BY rowid LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("outbox pending: %w", err)
	}
	var out []OutboxItem
	err = scanRows(rows, func(rows *sql.Rows) error {
		var it OutboxItem
		var body string
		var created, next int64
		if err := rows.Scan(&it.ID, &it.Kind, &body, &created, &it.Attempts, &next, &it.LastError); err != nil {
			return err
		}
		it.Body = json.RawMessage(body)
		it.CreatedAt, it.NextAttemptAt = timeOf(created), timeOf(next)
		out = append(out, it)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("outbox pending: %w", err)
	}
	return out, nil
}

// Retry records a failed attempt and when to try again.
func (s *Store) Retry(ctx context.Context, id string, lastErr string, next time.Time) error {
	_, err := s.w.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?
		WHERE id = ?`, unixMilli(next), lastErr, id)
	if err != nil {
		return fmt.Errorf("outbox retry %s: %w", id, err)
	}
	return nil
}

// Done removes an item the district has acknowledged. Removing an absent
// item is not an error: an acknowledgement may be processed twice.
func (s *Store) Done(ctx context.Context, id string) error {
	if _, err := s.w.ExecContext(ctx, "DELETE FROM outbox WHERE id = ?", id); err != nil {
		return fmt.Errorf("outbox done %s: %w", id, err)
	}
	return nil
}

// DeadLetter moves an item the district refused for good to the
// dead-letter list, with the reason, so the queue behind it moves on and
// staff can see it.
func (s *Store) DeadLetter(ctx context.Context, id, reason string) error {
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `INSERT INTO dead_letters(id, kind, body, reason, failed_at)
			SELECT id, kind, body, ?, ? FROM outbox WHERE id = ?
			ON CONFLICT(id) DO UPDATE SET reason = excluded.reason, code = excluded.code, failed_at = excluded.failed_at`,
			reason, s.now().UnixMilli(), id)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM outbox WHERE id = ?", id)
		return err
	})
	if err != nil {
		return fmt.Errorf("dead-letter %s: %w", id, err)
	}
	return nil
}

// DeadLetterItem is an outbox item the district refused for good.
type DeadLetterItem struct {
	ID       string          `json:"id"`
	Kind     data.ItemKind   `json:"kind"`
	Body     json.RawMessage `json:"body"`
	Reason   string          `json:"reason"`
	FailedAt time.Time       `json:"failed_at"`
	// Code is the kind of refusal (a wire.RefusalCode), empty when none
	// was given; Reason is then all there is.
	Code string `json:"code,omitempty"`
	// Ref is the case's reference, when the item is a case.
	Ref string `json:"ref,omitempty"`
	// RedactedAt is when the retention sweep removed the item's personal
	// data from Body (Store.Sweep); nil while it is as queued. A redacted
	// item cannot be sent again.
	RedactedAt *time.Time `json:"redacted_at,omitempty"`
}

// DeadLetters lists refused items, latest first.
func (s *Store) DeadLetters(ctx context.Context, limit int) ([]DeadLetterItem, error) {
	if limit <= 0 {
		limit = DefaultLimit
	}
	rows, err := s.r.QueryContext(ctx, `SELECT id, kind, body, reason, failed_at,
			CASE WHEN kind = ? AND json_valid(body) THEN coalesce(json_extract(body, '$.ref'), '') ELSE '' END, redacted_at, code
		FROM dead_letters ORDER BY failed_at DESC, id LIMIT ?`, data.ItemCase, limit)
	if err != nil {
		return nil, fmt.Errorf("dead letters: %w", err)
	}
	var out []DeadLetterItem
	err = scanRows(rows, func(rows *sql.Rows) error {
		var d DeadLetterItem
		var body string
		var at int64
		var redacted sql.NullInt64
		if err := rows.Scan(&d.ID, &d.Kind, &body, &d.Reason, &at, &d.Ref, &redacted, &d.Code); err != nil {
			return err
		}
		d.Body, d.FailedAt = json.RawMessage(body), timeOf(at)
		if redacted.Valid {
			t := timeOf(redacted.Int64)
			d.RedactedAt = &t
		}
		out = append(out, d)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("dead letters: %w", err)
	}
	return out, nil
}

// OutboxCount returns how many items are queued.
func (s *Store) OutboxCount(ctx context.Context) (int, error) {
	return s.count(ctx, "SELECT count(*) FROM outbox")
}

// DeadLetterCount returns how many items were refused for good.
func (s *Store) DeadLetterCount(ctx context.Context) (int, error) {
	return s.count(ctx, "SELECT count(*) FROM dead_letters")
}

// ConflictCount returns how many conflicts wait for staff.
func (s *Store) ConflictCount(ctx context.Context) (int, error) {
	return s.count(ctx, "SELECT count(*) FROM conflicts WHERE resolved_at IS NULL")
}

func (s *Store) count(ctx context.Context, query string) (int, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, query).Scan(&n); err != nil {
		return 0, fmt.Errorf("count: %w", err)
	}
	return n, nil
}

// putCase inserts or replaces a case as filed or as last reported.
func putCase(ctx context.Context, tx *sql.Tx, c *data.Case) error {
	return upsertCase(ctx, tx, c)
}

// Cases returns the cases filed on this kiosk, latest first.
func (s *Store) Cases(ctx context.Context, p Page) ([]data.Case, error) {
	limit, offset := p.bounds()
	rows, err := s.r.QueryContext(ctx, "SELECT doc FROM cases ORDER BY submitted_at DESC, id LIMIT ? OFFSET ?", limit, offset)
	if err != nil {
		return nil, fmt.Errorf("cases: %w", err)
	}
	var out []data.Case
	err = scanRows(rows, func(rows *sql.Rows) error {
		var doc string
		var c data.Case
		if err := rows.Scan(&doc); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(doc), &c); err != nil {
			return err
		}
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("cases: %w", err)
	}
	return out, nil
}

// Case returns one case by id or by reference number.
func (s *Store) Case(ctx context.Context, idOrRef string) (data.Case, error) {
	var doc string
	var c data.Case
	err := s.r.QueryRowContext(ctx, "SELECT doc FROM cases WHERE id = ?1 OR ref = ?1 LIMIT 1", idOrRef).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("case %s: %w", idOrRef, ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("case %s: %w", idOrRef, err)
	}
	if err := json.Unmarshal([]byte(doc), &c); err != nil {
		return c, fmt.Errorf("case %s: %w", idOrRef, err)
	}
	return c, nil
}
