package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"jiezhen/data"
)

// What the sync agent needs from the store beyond Apply and the outbox:
// pages of the district's feed that may carry the kiosk's own cases, the
// time of the last complete sync, a reset of a scope, and recording the
// district's answer to a pushed item in the same transaction that takes
// the item out of the outbox.

// ApplyPage is Apply for a page of the district's feed: changes of kind
// data.KindCase update the cases table, everything else is applied as Apply
// does, and the feed's cursor moves to cursor and the cursor of the
// kiosk's cases to casesCursor (a negative one leaves it where it is, or
// moves it with cursor when it was in step), all
// in one transaction. When syncedAt is not zero the page is the last of a
// complete sync, and syncedAt is recorded as the feed's last sync in the
// same transaction.
//
// Case changes need no version test: within a feed they arrive in
// sequence order and their cursor never moves back, so a later one is
// always newer, and replaying an overlapping page writes the same state.
//
// A page with a zero syncedAt has more pages after it: the list indexes of
// the kind tables it finds empty are then dropped and built once by the
// sync's last page (deferIndexes), or by RestoreIndexes or the next Open
// if the sync stops before it.
func (s *Store) ApplyPage(ctx context.Context, feed string, changes []data.Change, cursor, casesCursor int64, syncedAt time.Time) (ApplyResult, error) {
	return s.applyPage(ctx, feed, changes, cursor, casesCursor, syncedAt, syncedAt.IsZero())
}

func (s *Store) applyPage(ctx context.Context, feed string, changes []data.Change, cursor, casesCursor int64, syncedAt time.Time, more bool) (ApplyResult, error) {
	res := ApplyResult{Cursor: cursor}
	var next *carried
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		prev := s.carry.Swap(nil)
		current, currentCases, err := cursors(ctx, tx, feed)
		if err != nil {
			return err
		}
		if cursor < current {
			return fmt.Errorf("apply %s: cursor %d is below the stored %d: %w", feed, cursor, current, ErrCursorBackwards)
		}
		if casesCursor < 0 {
			// Cases in step with the content stay in step; cases behind
			// it stay where they are.
			casesCursor = currentCases
			if currentCases == current {
				casesCursor = cursor
			}
		}
		if casesCursor < currentCases {
			return fmt.Errorf("apply %s: the cases' cursor %d is below the stored %d: %w", feed, casesCursor, currentCases, ErrCursorBackwards)
		}
		casesCursor = min(casesCursor, cursor)
		a := newApplier(ctx, tx)
		defer a.close()
		a.more = more
		if prev != nil {
			mark, err := s.markNow(ctx, tx)
			if err != nil {
				return err
			}
			if mark == prev.mark {
				a.carried = prev.fresh
			}
		}
		// Content goes through Apply's batch path; the cases, a handful
		// per page, one by one. The two touch different tables, so the
		// order between them does not matter; within each it is kept.
		content := changes
		var cases []*data.Change
		for i := range changes {
			if changes[i].Kind == data.KindCase {
				content = nil
				break
			}
		}
		if content == nil {
			content = make([]data.Change, 0, len(changes))
			for i := range changes {
				if c := &changes[i]; c.Kind == data.KindCase {
					cases = append(cases, c)
				} else {
					content = append(content, *c)
				}
			}
		}
		if err := a.applyAll(content, cursor, &res); err != nil {
			return fmt.Errorf("apply %s: %w", feed, err)
		}
		for _, c := range cases {
			if c.Seq > casesCursor {
				return fmt.Errorf("apply %s: change seq %d (%s %s): beyond the batch's cases cursor %d", feed, c.Seq, c.Kind, c.ID, casesCursor)
			}
			if err := a.applyCase(c, &res); err != nil {
				return fmt.Errorf("apply %s: change seq %d (%s %s): %w", feed, c.Seq, c.Kind, c.ID, err)
			}
		}
		if syncedAt.IsZero() {
			_, err = tx.ExecContext(ctx, `INSERT INTO sync_state(feed, cursor) VALUES(?, ?)
				ON CONFLICT(feed) DO UPDATE SET cursor = excluded.cursor`, feed, cursor)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO sync_state(feed, cursor, last_sync_at) VALUES(?, ?, ?)
				ON CONFLICT(feed) DO UPDATE SET cursor = excluded.cursor, last_sync_at = excluded.last_sync_at`,
				feed, cursor, syncedAt.UnixMilli())
		}
		if err != nil {
			return err
		}
		if err := setCasesCursor(ctx, tx, feed, casesCursor, cursor); err != nil {
			return err
		}
		if more && len(a.fresh) > 0 {
			mark, err := s.markNow(ctx, tx)
			if err != nil {
				return err
			}
			next = &carried{mark: mark, fresh: a.fresh}
		}
		return nil
	})
	if err != nil {
		return ApplyResult{}, err
	}
	if next != nil {
		s.carry.Store(next)
	}
	// A sync with pages to come keeps the indexer off the writer: on a
	// kiosk's first sync, trigram indexing between the pages made the
	// sync five times as long, and search is right without the index
	// meanwhile (queued items are read from their rows).
	s.indexHold.Store(more)
	if !more {
		s.kickIndexer()
	}
	return res, nil
}

// setCasesCursor records the cursor of the kiosk's cases: a row while it
// is behind the feed's cursor, none once it has caught up.
func setCasesCursor(ctx context.Context, tx *sql.Tx, feed string, cases, content int64) error {
	if cases >= content {
		_, err := tx.ExecContext(ctx, "DELETE FROM sync_state WHERE feed = ?", casesFeed(feed))
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO sync_state(feed, cursor) VALUES(?, ?)
		ON CONFLICT(feed) DO UPDATE SET cursor = excluded.cursor`, casesFeed(feed), cases)
	return err
}

// applyCase stores the district's view of one of the kiosk's cases, or
// removes it. The district's view has no personal data; the outbox keeps
// its own copy of anything not yet sent.
func (a *applier) applyCase(c *data.Change, res *ApplyResult) error {
	if c.ID == "" {
		return fmt.Errorf("change has no id")
	}
	switch c.Op {
	case data.OpDelete:
		if _, err := a.exec("DELETE FROM cases WHERE id = ?", c.ID); err != nil {
			return err
		}
		res.Deleted++
		return nil
	case data.OpUpsert:
		var k data.Case
		if err := decodeBody(c.Body, &k, c.ID, &k.ID); err != nil {
			return err
		}
		k.ID = c.ID
		if err := upsertCase(a.ctx, a.tx, &k); err != nil {
			return err
		}
		res.Upserted++
		return nil
	}
	return fmt.Errorf("unknown op %q", c.Op)
}

// LastSync returns when the feed last completed a sync, by the kiosk's
// clock (for display only), or the zero time if never.
func (s *Store) LastSync(ctx context.Context, feed string) (time.Time, error) {
	var last sql.NullInt64
	err := s.r.QueryRowContext(ctx, "SELECT last_sync_at FROM sync_state WHERE feed = ?", feed).Scan(&last)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, fmt.Errorf("last sync: %w", err)
	}
	if !last.Valid {
		return time.Time{}, nil
	}
	return time.UnixMilli(last.Int64), nil
}

// notWaiting excludes the items of kind ?1 with a waiting staff edit.
const notWaiting = "id NOT IN (SELECT id FROM staff_waiting WHERE kind = ?1)"

// ResetScope carries out the district's order to refetch a scope: in one
// transaction it removes the content of the street and the district-wide
// content (street ""), which is what the kiosk's feed holds, and the
// kiosk's cases that the district already has, and sets the feed's cursor
// to 0. The outbox is kept, and so are cases still queued in it, and the
// cases with a phone4 hash: the feed never carries the hash, so the
// refetch could not restore it, and overwrites or deletes the rest of the
// row. The last sync time is kept too: the kiosk did sync then.
func (s *Store) ResetScope(ctx context.Context, feed, street string) error {
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		for _, k := range data.ContentKinds {
			spec := kindSpecs[k]
			if spec.searchable {
				// Marked for the indexer, which removes their search
				// documents once their rows are gone.
				if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO search_queue(kind, id)
					SELECT ?1, id FROM `+spec.table+` WHERE (street = ?2 OR street = '') AND `+notWaiting, string(k), street); err != nil {
					return err
				}
			}
			// Provider hours go with their provider (ON DELETE CASCADE).
			// Items with a staff edit waiting stay as the kiosk shows
			// them; the refetch brings the district's version aside.
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+spec.table+" WHERE (street = ?2 OR street = '') AND "+notWaiting,
				string(k), street); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM cases WHERE id NOT IN (SELECT id FROM outbox) AND phone4 = ''"); err != nil {
			return err
		}
		if err := forgetStreets(ctx, tx); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sync_state(feed, cursor) VALUES(?, 0)
			ON CONFLICT(feed) DO UPDATE SET cursor = 0`, feed); err != nil {
			return err
		}
		return setCasesCursor(ctx, tx, feed, 0, 0)
	})
	if err != nil {
		return fmt.Errorf("reset %s: %w", street, err)
	}
	s.kickIndexer()
	return nil
}

// Outcome is what the district made of a pushed outbox item, as far as the
// kiosk has to record it.
type Outcome int

const (
	// Accepted: the district has the item (now, or from an earlier
	// attempt whose answer was lost).
	Accepted Outcome = iota + 1
	// Conflicted: a stale staff edit; the district's version is kept in
	// conflicts next to the local one for staff to decide.
	Conflicted
	// Refused: a permanent error in the item; it moves to dead letters.
	Refused
)

// Answer is the district's answer to one pushed item.
type Answer struct {
	Outcome Outcome

	// Accepted: the district's reference and time.
	Ref string
	At  time.Time
	// Case, for an accepted case, is the local case as it now stands
	// (with Ref set and personal data removed); it replaces the local
	// copy in the same transaction.
	Case *data.Case

	// Version, for an accepted staff edit, is the item's version at the
	// district (0 when not known).
	Version int64

	// Conflicted: the local edit and the district's current item.
	Conflict *Conflict

	// Refused: the district's reason, and the kind of refusal (a
	// wire.RefusalCode) when known.
	Reason string
	Code   string
}

// Conflict is a staff edit the district did not take because the item
// had changed since the version the edit was made on. Both versions are
// kept; nothing is dropped.
type Conflict struct {
	ID            int64           `json:"id"`
	ItemKind      data.Kind       `json:"item_kind"`
	ItemID        string          `json:"item_id"`
	BaseVersion   int64           `json:"base_version"`
	Local         json.RawMessage `json:"local"`  // the edit as made on the kiosk
	Server        json.RawMessage `json:"server"` // the district's current item; null if it was deleted
	ServerVersion int64           `json:"server_version"`
	CreatedAt     time.Time       `json:"created_at"`
}

// Settle records the district's answer to the outbox item id and takes
// the item out of the outbox, in one transaction: a crash leaves either
// the item queued (and the next push gets the same answer again, since
// the district deduplicates by id) or the answer recorded. Settling an
// item that is no longer queued does nothing: an answer may arrive twice.
func (s *Store) Settle(ctx context.Context, id string, a Answer) error {
	return s.SettleAll(ctx, []Settlement{{ID: id, Answer: a}})
}

// Settlement is the answer to one outbox item.
type Settlement struct {
	ID     string
	Answer Answer
}

// SettleAll is Settle for the answers to a whole push, in one transaction:
// each item still leaves the outbox in the transaction that records its
// answer, and a batch costs one commit (one fsync) instead of one per item.
func (s *Store) SettleAll(ctx context.Context, answers []Settlement) error {
	now := s.now()
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		for _, st := range answers {
			if err := settle(ctx, tx, st.ID, st.Answer, now); err != nil {
				return fmt.Errorf("settle %s: %w", st.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.kickIndexer() // an accepted staff edit may show a newer district version
	return nil
}

// settle records one answer at now, the store's clock.
func settle(ctx context.Context, tx *sql.Tx, id string, a Answer, now time.Time) error {
	var kind data.ItemKind
	var body string
	err := tx.QueryRowContext(ctx, "SELECT kind, body FROM outbox WHERE id = ?", id).Scan(&kind, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	if kind == data.ItemStaffEdit {
		if err := settleEdit(ctx, tx, id, a); err != nil {
			return err
		}
	}
	switch a.Outcome {
	case Accepted:
		// The local copy is replaced only while it is still as filed:
		// if the feed has already brought the district's view (the
		// answer to an earlier attempt was lost), that view stays.
		var status string
		err := tx.QueryRowContext(ctx, "SELECT status FROM cases WHERE id = ?", id).Scan(&status)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		asFiled := errors.Is(err, sql.ErrNoRows) || status == string(data.StatusSubmitted)
		if a.Case != nil && asFiled {
			if err := putCase(ctx, tx, a.Case); err != nil {
				return err
			}
		} else if a.Ref != "" {
			if _, err := tx.ExecContext(ctx, "UPDATE cases SET ref = ? WHERE id = ?", a.Ref, id); err != nil {
				return err
			}
		}
		// The retention of the case's personal data counts from now.
		if _, err := tx.ExecContext(ctx, "UPDATE cases SET acked_at = coalesce(acked_at, ?) WHERE id = ?", now.UnixMilli(), id); err != nil {
			return err
		}
	case Conflicted:
		c := a.Conflict
		if c == nil {
			return fmt.Errorf("conflict without the versions")
		}
		server := string(c.Server)
		if server == "" {
			server = "null"
		}
		created := c.CreatedAt
		if created.IsZero() {
			created = now
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO conflicts(item_kind, item_id, base_version, local, server, server_version, created_at)
			VALUES(?, ?, ?, ?, ?, ?, ?)`, string(c.ItemKind), c.ItemID, c.BaseVersion, string(c.Local), server,
			c.ServerVersion, created.UnixMilli())
		if err != nil {
			return err
		}
	case Refused:
		_, err := tx.ExecContext(ctx, `INSERT INTO dead_letters(id, kind, body, reason, code, failed_at) VALUES(?, ?, ?, ?, ?, ?)
			ON CONFLICT(id) DO UPDATE SET reason = excluded.reason, code = excluded.code, failed_at = excluded.failed_at`,
			id, kind, body, a.Reason, a.Code, now.UnixMilli())
		if err != nil {
			return err
		}
	default:
		return fmt.Errorf("unknown outcome %d", a.Outcome)
	}
	_, err = tx.ExecContext(ctx, "DELETE FROM outbox WHERE id = ?", id)
	return err
}

// Conflicts lists the conflicts that wait for staff, oldest first.
func (s *Store) Conflicts(ctx context.Context, limit int) ([]Conflict, error) {
	if limit <= 0 {
		limit = DefaultLimit
	}
	rows, err := s.r.QueryContext(ctx, `SELECT id, item_kind, item_id, base_version, local, server, server_version, created_at
		FROM conflicts WHERE resolved_at IS NULL ORDER BY id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("conflicts: %w", err)
	}
	var out []Conflict
	err = scanRows(rows, func(rows *sql.Rows) error {
		var c Conflict
		var kind, local, server string
		var at int64
		if err := rows.Scan(&c.ID, &kind, &c.ItemID, &c.BaseVersion, &local, &server, &c.ServerVersion, &at); err != nil {
			return err
		}
		c.ItemKind, c.Local, c.Server, c.CreatedAt = data.Kind(kind), json.RawMessage(local), json.RawMessage(server), timeOf(at)
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("conflicts: %w", err)
	}
	return out, nil
}

// carried is what a page of a sync with more to come leaves the next
// one: the stored versions of the kind tables the sync has filled from
// empty (applier.fresh), so that the next pages do not look up the
// versions of their items (a sixth of a first sync's writes went into
// those lookups, which find nothing in a new kiosk). It holds only while
// nothing else has written to the database: mark is taken at the end of
// the page's transaction and compared at the start of the next one's.
type carried struct {
	mark  writeMark
	fresh map[*kindSpec]map[string]storedItem
}

// writeMark tells whether anything has written to the database between
// two transactions of the writer: its driver connection, the rows that
// connection has changed (total_changes) and SQLite's data_version,
// which moves when any other connection, of this process or another,
// commits.
type writeMark struct {
	conn                 any
	changes, dataVersion int64
}

// markNow returns the write mark inside tx, a transaction of writeTx.
func (s *Store) markNow(ctx context.Context, tx *sql.Tx) (writeMark, error) {
	m := writeMark{conn: s.wconn}
	err := tx.QueryRowContext(ctx, "SELECT total_changes(), data_version FROM pragma_data_version").Scan(&m.changes, &m.dataVersion)
	return m, err
}
