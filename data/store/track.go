package store

import (
	"context"
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"jiezhen/data"
)

// Tracking a case by its reference and the last four digits of the
// mobile given, rating it, and the retention of personal data.

// Tracking errors and limits: the rules both the kiosk and the district
// apply (data/track.go).
var (
	ErrTrackNoMatch = data.ErrTrackNoMatch
	ErrTrackLimited = data.ErrTrackLimited
)

const (
	TrackMaxFailures   = data.TrackMaxFailures
	TrackFailureWindow = data.TrackFailureWindow
)

// DefaultRetention is how long personal data may stay on the kiosk after
// the district has acknowledged a case.
const DefaultRetention = 24 * time.Hour

// phone4Iterations makes one phone4 hash cost about 20 ms, so that trying
// all 10,000 four-digit endings of one case takes minutes of CPU even to
// someone who has the database file and its key (ARCHITECTURE.md).
const phone4Iterations = 60000

// phone4Hash is the stored form of the last four digits of a case's
// mobile: PBKDF2-SHA256 keyed by the kiosk's random key and the case's id.
func phone4Hash(key []byte, caseID, phone4 string) string {
	salt := append(append([]byte{}, key...), caseID...)
	h, err := pbkdf2.Key(sha256.New, phone4, salt, phone4Iterations, 16)
	if err != nil {
		panic(err) // only for invalid parameters, which these are not
	}
	return hex.EncodeToString(h)
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func kioskKey(ctx context.Context, q execer) ([]byte, error) {
	var key []byte
	if err := q.QueryRowContext(ctx, "SELECT key FROM kiosk_secret WHERE id = 1").Scan(&key); err != nil {
		return nil, fmt.Errorf("kiosk key: %w", err)
	}
	return key, nil
}

// lastFour returns the last four digits of a mobile, or "".
func lastFour(mobile string) string {
	var digits []byte
	for i := 0; i < len(mobile); i++ {
		if mobile[i] >= '0' && mobile[i] <= '9' {
			digits = append(digits, mobile[i])
		}
	}
	if len(digits) < 4 {
		return ""
	}
	return string(digits[len(digits)-4:])
}

// upsertCase writes a case row. The tracking columns are filled from the
// case while it still has its applicant and never emptied by a later
// write of the same case without one (the district's view, the settled
// copy): the reference as filed, the phone4 hash and the masked contact.
func upsertCase(ctx context.Context, q execer, c *data.Case) error {
	if c.ID == "" {
		return fmt.Errorf("case has no id")
	}
	doc, err := json.Marshal(c)
	if err != nil {
		return err
	}
	trackRef := ""
	if data.CheckReference(c.Ref) == nil {
		trackRef = data.NormalizeReference(c.Ref)
	}
	var phone4, contact string
	if a := c.Applicant; a != nil && !c.Anonymous {
		if p4 := lastFour(a.Mobile); p4 != "" {
			key, err := kioskKey(ctx, q)
			if err != nil {
				return err
			}
			phone4 = phone4Hash(key, c.ID, p4)
		}
		contact = strings.TrimSpace(data.MaskName(strings.TrimSpace(a.Name)) + "  " + data.MaskMobile(a.Mobile))
	}
	_, err = q.ExecContext(ctx, `INSERT INTO cases(id, ref, kind, status, submitted_at, doc, track_ref, phone4, contact)
		VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(id) DO UPDATE SET ref = excluded.ref, kind = excluded.kind, status = excluded.status,
			submitted_at = excluded.submitted_at, doc = excluded.doc,
			track_ref = CASE WHEN cases.track_ref <> '' THEN cases.track_ref ELSE excluded.track_ref END,
			phone4 = CASE WHEN cases.phone4 <> '' THEN cases.phone4 ELSE excluded.phone4 END,
			contact = CASE WHEN cases.contact <> '' THEN cases.contact ELSE excluded.contact END`,
		c.ID, c.Ref, string(c.Kind), string(c.Status), unixMilli(c.SubmittedAt), string(doc), trackRef, phone4, contact)
	return err
}

// Tracked is a case found by tracking, with what the kiosk knows of it
// beyond the case itself.
type Tracked struct {
	Case data.Case
	// PublicOnly: found by the reference alone (an anonymous appeal);
	// only its public part may be shown.
	PublicOnly    bool
	Contact       string // masked
	Queued        bool   // still in the outbox
	LocalRating   data.Rating
	LocalRatingAt time.Time
}

// Track finds the case with reference ref (as typed) for a resident who
// gives phone4, the last four digits of the mobile on the case. A named
// case is shown only with the right four digits (and never when the
// kiosk does not hold their hash); an anonymous appeal by the reference
// alone, in its public part. A wrong phone4 and an unknown reference are the same
// ErrTrackNoMatch, and each counts as a failed try of that reference:
// after TrackMaxFailures within TrackFailureWindow every try of it gets
// ErrTrackLimited until the window has passed. A malformed reference is
// the error of data.CheckReference, and counts for nothing.
func (s *Store) Track(ctx context.Context, ref, phone4 string, now time.Time) (Tracked, error) {
	if err := data.CheckReference(ref); err != nil {
		return Tracked{}, err
	}
	phone4 = strings.TrimSpace(phone4)
	if phone4 != "" && (len(phone4) != 4 || strings.Trim(phone4, "0123456789") != "") {
		return Tracked{}, fmt.Errorf("the last four digits of the mobile are four digits")
	}
	norm := data.NormalizeReference(ref)
	var out Tracked
	failed := false
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		since := now.Add(-TrackFailureWindow).UnixMilli()
		var fails int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM track_failures WHERE ref = ? AND at > ?", norm, since).Scan(&fails); err != nil {
			return err
		}
		if fails >= TrackMaxFailures {
			return ErrTrackLimited
		}
		var (
			id, doc, hash, contact string
			rating                 int
			ratedAt                sql.NullInt64
			queued                 bool
		)
		err := tx.QueryRowContext(ctx, `SELECT id, doc, phone4, contact, rating, rated_at,
				EXISTS(SELECT 1 FROM outbox WHERE outbox.id = cases.id)
			FROM cases WHERE track_ref = ? ORDER BY submitted_at DESC LIMIT 1`, norm).
			Scan(&id, &doc, &hash, &contact, &rating, &ratedAt, &queued)
		found := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var c data.Case
		if found {
			if err := json.Unmarshal([]byte(doc), &c); err != nil {
				return fmt.Errorf("case %s: %w", id, err)
			}
		}
		match := false
		public := false
		if found {
			switch {
			case c.Anonymous:
				match, public = true, true
			case hash == "":
				// A named case whose four digits the kiosk does not
				// know cannot be shown to anyone.
				return ErrTrackNoMatch
			case phone4 == "":
				// Not a try: the four digits were not given.
				return ErrTrackNoMatch
			default:
				key, err := kioskKey(ctx, tx)
				if err != nil {
					return err
				}
				match = subtle.ConstantTimeCompare([]byte(phone4Hash(key, id, phone4)), []byte(hash)) == 1
			}
		} else if phone4 == "" {
			return ErrTrackNoMatch
		}
		if !match {
			if _, err := tx.ExecContext(ctx, "DELETE FROM track_failures WHERE at <= ?", since); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO track_failures(ref, at) VALUES(?, ?)", norm, now.UnixMilli()); err != nil {
				return err
			}
			failed = true // committed: the failure counts
			return nil
		}
		out.Case = c
		out.PublicOnly, out.Contact, out.Queued = public, contact, queued
		out.LocalRating = data.Rating(rating)
		if ratedAt.Valid {
			out.LocalRatingAt = time.UnixMilli(ratedAt.Int64)
		}
		return nil
	})
	if err != nil {
		return Tracked{}, err
	}
	if failed {
		return Tracked{}, ErrTrackNoMatch
	}
	return out, nil
}

// Timeline is Track followed by data.BuildTimeline with the kiosk's
// calendar and last sync: what the tracking screen and `kiosk track` show.
func (s *Store) Timeline(ctx context.Context, ref, phone4 string, now time.Time, lang data.Lang) (data.Timeline, Tracked, error) {
	tr, err := s.Track(ctx, ref, phone4, now)
	if err != nil {
		return data.Timeline{}, tr, err
	}
	years, err := s.Calendar(ctx)
	if err != nil {
		return data.Timeline{}, tr, err
	}
	cal, err := data.NewCalendar(years...)
	if err != nil {
		return data.Timeline{}, tr, err
	}
	last, err := s.LastSync(ctx, ContentFeed)
	if err != nil {
		return data.Timeline{}, tr, err
	}
	tl := data.BuildTimeline(tr.Case, data.TrackInput{
		Now: now, Calendar: cal, LastSync: last, PublicOnly: tr.PublicOnly, Contact: tr.Contact,
		Queued: tr.Queued, LocalRating: tr.LocalRating, LocalRatingAt: tr.LocalRatingAt, Lang: lang,
	})
	return tl, tr, nil
}

// ErrRated is returned by Rate for a case already rated on this kiosk or
// by the district.
var ErrRated = errors.New("this case has already been rated")

// Rate queues the resident's rating of a completed case, with an optional
// comment, for the district (an outbox item of kind data.ItemRating) and
// records it on the case, in one transaction: a case is rated once.
func (s *Store) Rate(ctx context.Context, caseID string, r data.Rating, comment string, at time.Time) error {
	if r < data.RatingVeryUnsatisfied || r > data.RatingVerySatisfied {
		return fmt.Errorf("rate: rating %d is not one of the five levels", r)
	}
	body, err := json.Marshal(data.RatingBody{Case: caseID, Rating: r, Comment: comment})
	if err != nil {
		return err
	}
	it := OutboxItem{ID: "rating-" + randomHex(), Kind: data.ItemRating, Body: body, CreatedAt: at}
	if err := checkBody(it); err != nil {
		return fmt.Errorf("rate %s: %w", caseID, err)
	}
	err = s.writeTx(ctx, func(tx *sql.Tx) error {
		var doc string
		var local int
		err := tx.QueryRowContext(ctx, "SELECT doc, rating FROM cases WHERE id = ?", caseID).Scan(&doc, &local)
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
		if local != 0 || c.Rating != 0 || c.Status == data.StatusRated {
			return ErrRated
		}
		if c.Status != data.StatusCompleted {
			return fmt.Errorf("only a completed case can be rated; this one is %s", c.Status.Label(data.ZH))
		}
		if c.Anonymous {
			return fmt.Errorf("an anonymous appeal cannot be rated: ratings carry a name")
		}
		if err := enqueueTx(ctx, tx, it); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "UPDATE cases SET rating = ?, rated_at = ? WHERE id = ?", int(r), at.UnixMilli(), caseID)
		return err
	})
	if err != nil {
		return fmt.Errorf("rate %s: %w", caseID, err)
	}
	return nil
}

// SweepResult is what a retention sweep did.
type SweepResult struct {
	Cases       int `json:"cases"`        // cases whose personal data was removed
	DeadLetters int `json:"dead_letters"` // dead letters whose personal data was removed
	// Files counts the attachment files removed because no notice or
	// service refers to them any more.
	Files int `json:"files,omitempty"`
}

// Sweep removes the personal data of every case the district
// acknowledged at least retention before now, keeping what tracking
// needs (the reference, status, history, reply, masked contact and phone4
// hash), and of every resident's item the district refused at least
// retention before now (a dead letter, and the case's own copy when it
// is a case: see redactDeadLetters), drops expired tracking failures and
// the attachment files no content refers to any more, and checkpoints the
// WAL into the database file and truncates it. The writer runs with secure_delete,
// so the bytes of what was removed are overwritten, not left in free
// pages; the checkpoint takes the old page images out of the -wal file.
func (s *Store) Sweep(ctx context.Context, now time.Time, retention time.Duration) (SweepResult, error) {
	var res SweepResult
	cutoff := now.Add(-retention).UnixMilli()
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, doc FROM cases WHERE acked_at IS NOT NULL AND acked_at <= ?
			AND (json_extract(doc, '$.applicant') IS NOT NULL OR json_extract(doc, '$.values') IS NOT NULL
				OR json_extract(doc, '$.request') IS NOT NULL OR json_extract(doc, '$.corrections') IS NOT NULL OR coalesce(json_extract(doc, '$.description'), '') <> ''
				OR coalesce(json_extract(doc, '$.location'), '') <> '')`, cutoff)
		if err != nil {
			return err
		}
		docs := map[string]string{}
		err = scanRows(rows, func(rows *sql.Rows) error {
			var id, doc string
			if err := rows.Scan(&id, &doc); err != nil {
				return err
			}
			docs[id] = doc
			return nil
		})
		if err != nil {
			return err
		}
		for id, doc := range docs {
			var c data.Case
			if err := json.Unmarshal([]byte(doc), &c); err != nil {
				return fmt.Errorf("case %s: %w", id, err)
			}
			c = c.WithoutPersonal()
			b, err := json.Marshal(&c)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "UPDATE cases SET doc = ? WHERE id = ?", string(b), id); err != nil {
				return err
			}
			res.Cases++
		}
		if res.DeadLetters, err = redactDeadLetters(ctx, tx, cutoff, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM track_failures WHERE at <= ?", now.Add(-TrackFailureWindow).UnixMilli()); err != nil {
			return err
		}
		r, err := tx.ExecContext(ctx, `DELETE FROM attachment_file WHERE path NOT IN (
			SELECT json_extract(a.value, '$.file') FROM notice, json_each(notice.doc, '$.attachments') a
				WHERE json_extract(a.value, '$.file') IS NOT NULL
			UNION
			SELECT json_extract(m.value, '$.template.file') FROM service, json_each(service.doc, '$.materials') m
				WHERE json_extract(m.value, '$.template.file') IS NOT NULL)`)
		if err != nil {
			return err
		}
		n, err := r.RowsAffected()
		res.Files = int(n)
		return err
	})
	if err != nil {
		return res, fmt.Errorf("sweep: %w", err)
	}
	if err := s.Checkpoint(ctx); err != nil {
		return res, fmt.Errorf("sweep: %w", err)
	}
	return res, nil
}

// Checkpoint copies the WAL into the database file and truncates it.
// A reader in the middle of a transaction can keep it from completing;
// the next sweep tries again.
func (s *Store) Checkpoint(ctx context.Context) error {
	var busy, logged, moved int
	if err := s.w.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logged, &moved); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if busy != 0 {
		return fmt.Errorf("checkpoint: the database is busy")
	}
	return nil
}

// deadLetterKept are the fields of a dead letter's body that the sweep
// keeps: what the item was (its id, kind, reference, service, appeal type,
// consultation and topic, rating level) and when, never who or what they
// wrote. Every other field goes, whatever its name, so a field added to a
// body later is removed too until it is listed here.
var deadLetterKept = map[string]bool{
	"id": true, "ref": true, "kind": true, "street": true, "kiosk": true, "status": true,
	"submitted_at": true, "deadline": true, "anonymous": true, "service": true,
	"appeal_type": true, "category": true, "case": true, "consultation": true,
	"topic": true, "rating": true, "at": true,
}

// deadLetterStaffKinds are the dead letters that carry no resident's
// data: staff edits of public content and audit records.
var deadLetterStaffKinds = []data.ItemKind{data.ItemStaffEdit, data.ItemAudit}

// redactDeadLetters removes the personal data of the residents' dead
// letters refused at cutoff or earlier: their bodies keep only the fields
// of deadLetterKept, and a refused case's own row in cases (which the
// district never acknowledged, so the case sweep does not reach it) loses
// what data.Case.WithoutPersonal removes. It returns how many dead
// letters it redacted.
func redactDeadLetters(ctx context.Context, tx *sql.Tx, cutoff int64, now time.Time) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, kind, body FROM dead_letters
		WHERE redacted_at IS NULL AND failed_at <= ? AND kind NOT IN (?, ?)`,
		cutoff, deadLetterStaffKinds[0], deadLetterStaffKinds[1])
	if err != nil {
		return 0, err
	}
	type letter struct {
		id, body string
		kind     data.ItemKind
	}
	var found []letter
	err = scanRows(rows, func(rows *sql.Rows) error {
		var l letter
		if err := rows.Scan(&l.id, &l.kind, &l.body); err != nil {
			return err
		}
		found = append(found, l)
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, l := range found {
		if _, err := tx.ExecContext(ctx, "UPDATE dead_letters SET body = ?, redacted_at = ? WHERE id = ?",
			redactBody(l.body), now.UnixMilli(), l.id); err != nil {
			return 0, err
		}
		if l.kind != data.ItemCase {
			continue
		}
		var doc string
		err := tx.QueryRowContext(ctx, "SELECT doc FROM cases WHERE id = ?", l.id).Scan(&doc)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return 0, err
		}
		var c data.Case
		if err := json.Unmarshal([]byte(doc), &c); err != nil {
			return 0, fmt.Errorf("case %s: %w", l.id, err)
		}
		c = c.WithoutPersonal()
		b, err := json.Marshal(&c)
		if err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE cases SET doc = ? WHERE id = ?", string(b), l.id); err != nil {
			return 0, err
		}
	}
	return len(found), nil
}

// redactBody is a dead letter's body with only the fields of
// deadLetterKept; a body that is not a JSON object becomes {}.
func redactBody(body string) string {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &fields); err != nil {
		return "{}"
	}
	for k := range fields {
		if !deadLetterKept[k] {
			delete(fields, k)
		}
	}
	b, err := json.Marshal(fields)
	if err != nil {
		return "{}"
	}
	return string(b)
}
