package store

import (
	"context"
	"database/sql"
	"errors"
	"log"
)

// DefaultIndexBatch is how many rows the background indexer indexes per
// write transaction: about 0.3 s of trigram indexing on the kiosk's two
// cores, so an outbox write queued behind it still waits less than a
// tap's worth. Smaller batches flush more small FTS5 segments that then
// have to be merged: 500 made a full catch-up 1.6 times slower.
const DefaultIndexBatch = 5000

// IndexPending brings the full-text index up to date with search_docs, batch
// rows per write transaction, and returns how many rows it indexed. Each
// batch removes the stale entries, inserts the current text and clears the
// pending marks in one transaction, so a crash loses no work it has not
// also left marked.
func (s *Store) IndexPending(ctx context.Context, batch int) (int, error) {
	if batch <= 0 {
		batch = DefaultIndexBatch
	}
	total := 0
	for {
		n, err := s.indexBatch(ctx, batch)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
}

// indexBatch indexes the pending rows with the lowest rowids. It works in
// whole statements over a rowid range instead of row by row from Go: the
// cost is then FTS5's tokenizing and little else.
func (s *Store) indexBatch(ctx context.Context, batch int) (int, error) {
	var n int
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		var hi sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT max(rowid), count(*) FROM
			(SELECT rowid FROM search_pending ORDER BY rowid LIMIT ?)`, batch).Scan(&hi, &n)
		if err != nil || !hi.Valid {
			return err
		}
		steps := []string{
			// Stale entries out: only those the index really holds, since
			// contentless_delete keeps a tombstone for every delete.
			`DELETE FROM search_fts WHERE rowid IN
				(SELECT rowid FROM search_pending WHERE rowid <= ?1 AND in_fts)`,
			// Current text in; a deleted document has no row to join.
			`INSERT INTO search_fts(rowid, title, text)
				SELECT d.rowid, d.title, d.text FROM search_pending p JOIN search_docs d ON d.rowid = p.rowid
				WHERE p.rowid <= ?1`,
			`DELETE FROM search_pending WHERE rowid <= ?1`,
		}
		for _, q := range steps {
			if _, err := tx.ExecContext(ctx, q, hi.Int64); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// startIndexer runs IndexPending in the background whenever Apply kicks
// it, and once at start for work left by the previous run.
func (s *Store) startIndexer() {
	ctx, cancel := context.WithCancel(context.Background())
	s.stop = cancel
	s.done = make(chan struct{})
	s.kick = make(chan struct{}, 1)
	s.kick <- struct{}{}
	go func() {
		defer close(s.done)
		for {
			select {
			case <-ctx.Done():
				return
			case <-s.kick:
			}
			if _, err := s.IndexPending(ctx, DefaultIndexBatch); err != nil && !errors.Is(ctx.Err(), context.Canceled) {
				// Search stays correct without the index (pending rows
				// are scanned), so a failure here is logged, not fatal;
				// the next Apply retries.
				log.Printf("store: indexing: %v", err)
			}
		}
	}()
}

// kickIndexer wakes the indexer without waiting: one pending wake-up is
// enough, since a run indexes everything pending.
func (s *Store) kickIndexer() {
	if s.kick == nil {
		return
	}
	select {
	case s.kick <- struct{}{}:
	default:
	}
}
