package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"jiezhen/data"
)

// ContentFeed is the feed name of the district's content changes.
const ContentFeed = "content"

// ErrCursorBackwards: Apply was asked to move a feed's cursor backwards.
var ErrCursorBackwards = errors.New("cursor would move backwards")

// ApplyResult counts what one Apply did.
type ApplyResult struct {
	Upserted  int   `json:"upserted"`  // inserted or replaced by a newer version
	Deleted   int   `json:"deleted"`   // removed (a delete of an absent item counts too)
	Unchanged int   `json:"unchanged"` // same version already stored: idempotent no-op
	Skipped   int   `json:"skipped"`   // older than the stored version: ignored
	Cursor    int64 `json:"cursor"`    // the feed's cursor after the batch
}

// Apply applies a batch of changes from feed and moves the feed's cursor to
// cursor, all in one write transaction: readers see either none of the
// batch or all of it with the new cursor, and a crash leaves one or the
// other. Changes are applied in order; per item, a version below the
// stored one is skipped (the store already has something newer), an equal
// one is a no-op, so re-applying an overlapping page or bundle is safe.
//
// Any change that cannot be applied (unknown kind, a body that does not
// decode into the kind's type, a sequence beyond cursor) rolls back the
// whole batch with a one-line error naming its seq, kind and id. A cursor
// lower than the feed's current one is refused with ErrCursorBackwards.
//
// Deletes leave no tombstone: within a feed changes arrive in sequence
// order and the cursor never moves back, so an older upsert of a deleted
// item can only come in the same batch, before its delete.
//
// Neither the search documents nor the full-text index are written here
// (indexing costs ~15 times the rest): the changed items are marked in
// search_queue and the background indexer derives their documents from
// their rows; Search reads queued items from their rows meanwhile.
//
// Apply is ApplyPage without recording a completed sync: bundles, the
// demo loader and tests use it.
func (s *Store) Apply(ctx context.Context, feed string, changes []data.Change, cursor int64) (ApplyResult, error) {
	return s.applyPage(ctx, feed, changes, cursor, -1, time.Time{}, false)
}

// casesFeed names the sync_state row that holds the cursor of the
// kiosk's own cases in feed while it is behind the feed's cursor (after a
// bundle, which carries content only, moved the feed's cursor). Without
// that row the cases are at the feed's cursor.
func casesFeed(feed string) string { return feed + "#cases" }

// Cursors returns the feed's cursor and the cursor of the kiosk's own
// cases in it, which is behind the first only after a bundle moved it.
func (s *Store) Cursors(ctx context.Context, feed string) (content, cases int64, err error) {
	err = s.readTx(ctx, func(tx *sql.Tx) (err error) {
		content, cases, err = cursors(ctx, tx, feed)
		return err
	})
	return content, cases, err
}

func cursors(ctx context.Context, tx *sql.Tx, feed string) (content, cases int64, err error) {
	err = tx.QueryRowContext(ctx, `SELECT
		coalesce((SELECT cursor FROM sync_state WHERE feed = ?1), 0),
		coalesce((SELECT cursor FROM sync_state WHERE feed = ?2), (SELECT cursor FROM sync_state WHERE feed = ?1), 0)`,
		feed, casesFeed(feed)).Scan(&content, &cases)
	return content, min(content, cases), err
}

// Cursor returns the feed's cursor: the sequence number of the last change
// applied from it, 0 before the first.
func (s *Store) Cursor(ctx context.Context, feed string) (int64, error) {
	var c int64
	err := s.r.QueryRowContext(ctx, "SELECT cursor FROM sync_state WHERE feed = ?", feed).Scan(&c)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return c, err
}

// applier holds the statements of one apply transaction, prepared on first
// use: a batch of 100k changes then parses each statement once.
type applier struct {
	ctx   context.Context
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
	hours map[string]bool // week keys known to be in hours_spans
	// dropLater, when set, collects the week keys dropHours is to check
	// instead of checking them at once (applyAll does it at the end).
	dropLater map[string]bool
	// waiting holds the items with a staff edit waiting for the district
	// (loaded by applyAll; nil when there are none).
	waiting map[itemKey]*waitRow
	// fresh, when set, holds the stored versions of the kind tables that
	// were empty when the batch began (dropBulkIndexes).
	fresh map[*kindSpec]map[string]storedItem
	// more says that the batch is a page of a sync with more pages to
	// come, so that indexes may stay deferred past it (deferIndexes).
	more bool
	// carried is fresh as the sync's page before left it, when no other
	// write came between (see carried); dropBulkIndexes takes the maps
	// of the tables still deferred.
	carried map[*kindSpec]map[string]storedItem
}

func newApplier(ctx context.Context, tx *sql.Tx) *applier {
	return &applier{ctx: ctx, tx: tx, stmts: map[string]*sql.Stmt{}, hours: map[string]bool{}}
}

func (a *applier) close() {
	for _, st := range a.stmts {
		st.Close()
	}
}

func (a *applier) stmt(query string) (*sql.Stmt, error) {
	if st, ok := a.stmts[query]; ok {
		return st, nil
	}
	st, err := a.tx.PrepareContext(a.ctx, query)
	if err != nil {
		return nil, err
	}
	a.stmts[query] = st
	return st, nil
}

func (a *applier) exec(query string, args ...any) (sql.Result, error) {
	st, err := a.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(a.ctx, args...)
}

func (a *applier) apply(c *data.Change, res *ApplyResult) error {
	spec, ok := kindSpecs[c.Kind]
	if !ok {
		return fmt.Errorf("unknown kind %q", c.Kind)
	}
	if c.ID == "" {
		return fmt.Errorf("change has no id")
	}
	st, err := a.stmt("SELECT version, " + oldHoursCol(spec) + " FROM " + spec.table + " WHERE id = ?")
	if err != nil {
		return err
	}
	var stored int64
	var oldHours sql.NullString
	err = st.QueryRowContext(a.ctx, c.ID).Scan(&stored, &oldHours)
	exists := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}

	switch c.Op {
	case data.OpDelete:
		if exists && c.Version < stored {
			res.Skipped++
			return nil
		}
		res.Deleted++
		if !exists {
			return nil
		}
		if _, err := a.exec("DELETE FROM "+spec.table+" WHERE id = ?", c.ID); err != nil {
			return err
		}
		if spec.kind == data.KindStreet {
			if err := forgetStreets(a.ctx, a.tx); err != nil {
				return err
			}
		}
		if err := a.dropHours(oldHours); err != nil {
			return err
		}
		if spec.searchable {
			return a.queueSearch(spec.kind, c.ID)
		}
		return nil

	case data.OpUpsert:
		// Decode before the version test, so a malformed body is refused
		// even when it would have been skipped: it is a producer bug either way.
		r, err := spec.decode(c.ID, c.Body)
		if err != nil {
			return err
		}
		switch {
		case exists && c.Version < stored:
			res.Skipped++
			return nil
		case exists && c.Version == stored:
			res.Unchanged++
			return nil
		}
		args := make([]any, 0, len(r.vals)+4)
		args = append(args, c.ID, c.Version, r.street)
		args = append(args, r.vals...)
		args = append(args, string(c.Body))
		if _, err := a.exec(upsertSQL(spec), args...); err != nil {
			return err
		}
		if spec.kind == data.KindProvider {
			if err := a.addHours([]week{{r.vals[len(r.vals)-1], r.hours}}); err != nil {
				return err
			}
			if oldHours.Valid && oldHours.String != r.vals[len(r.vals)-1] {
				if err := a.dropHours(oldHours); err != nil {
					return err
				}
			}
		}
		if spec.searchable {
			if err := a.queueSearch(spec.kind, c.ID); err != nil {
				return err
			}
		}
		res.Upserted++
		return nil
	}
	return fmt.Errorf("unknown op %q", c.Op)
}

// upsertSQL is the INSERT ... ON CONFLICT statement of a kind's table. It
// is built from the spec's columns, which are constants, never input.
func upsertSQL(spec *kindSpec) string {
	cols := append([]string{"id", "version", "street"}, spec.cols...)
	cols = append(cols, "doc")
	set := make([]string, 0, len(cols)-1)
	for _, c := range cols[1:] {
		set = append(set, c+" = excluded."+c)
	}
	return "INSERT INTO " + spec.table + "(" + strings.Join(cols, ", ") + ") VALUES(?" +
		strings.Repeat(", ?", len(cols)-1) + ") ON CONFLICT(id) DO UPDATE SET " + strings.Join(set, ", ")
}

// oldHoursCol is what the version lookup of a kind reads besides the
// version: a provider's hours key, NULL for other kinds.
func oldHoursCol(spec *kindSpec) string {
	if spec.kind == data.KindProvider {
		return "hours"
	}
	return "NULL"
}

// week is a provider's opening hours: the key (NULL for none) and rows.
type week struct {
	key  any
	rows []hourRow
}

// addHours makes sure that hours_spans holds the weeks ws, writing those
// not stored yet in one statement. A week that is there is there whole:
// its key spells out its rows.
func (a *applier) addHours(ws []week) error {
	var args []any
	for _, w := range ws {
		key, ok := w.key.(string)
		if !ok || a.hours[key] {
			continue
		}
		a.hours[key] = true
		for _, h := range w.rows {
			args = append(args, key, h.weekday, h.start, h.end)
		}
	}
	if len(args) == 0 {
		return nil
	}
	return a.execRows("INSERT INTO hours_spans(hours, weekday, start_min, end_min) VALUES", 4, " ON CONFLICT DO NOTHING", args)
}

// dropHours removes the week key from hours_spans once no provider
// refers to it any more: after a provider with that week is deleted or
// given other hours.
func (a *applier) dropHours(key sql.NullString) error {
	if !key.Valid {
		return nil
	}
	if a.dropLater != nil {
		a.dropLater[key.String] = true
		return nil
	}
	delete(a.hours, key.String)
	_, err := a.exec("DELETE FROM hours_spans WHERE hours = ?1 AND NOT EXISTS (SELECT 1 FROM provider WHERE hours = ?1)", key.String)
	return err
}

// queueSearch marks the item for the indexer, which derives its search
// document from its row (or removes the document when there is no row).
func (a *applier) queueSearch(kind data.Kind, id string) error {
	_, err := a.exec("INSERT OR IGNORE INTO search_queue(kind, id) VALUES(?, ?)", string(kind), id)
	return err
}
