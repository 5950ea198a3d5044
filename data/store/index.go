package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"sync"
)

// DefaultIndexBatch is how many rows the background indexer indexes per
// write transaction: about 0.3 s of trigram indexing on the kiosk's two
// cores, so an outbox write queued behind it still waits less than a
// tap's worth. Smaller batches flush more small FTS5 segments that then
// have to be merged: 500 made a full catch-up 1.6 times slower.
const DefaultIndexBatch = 5000

// IndexPending derives the search documents of the items marked in
// search_queue from their rows, brings search_docs and the full-text index
// up to date with them, batch items per write transaction, and returns how
// many items it handled. Each batch writes the documents, the index
// entries and clears the marks in one transaction, so a crash loses no
// work it has not also left marked.
func (s *Store) IndexPending(ctx context.Context, batch int) (int, error) {
	if batch <= 0 {
		batch = DefaultIndexBatch
	}
	total := 0
	for {
		if s.indexHold.Load() {
			return total, nil // a sync is under way; its end wakes the indexer
		}
		n, err := s.indexBatch(ctx, batch)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
}

// indexBatch handles the batch items marked first. The index and the
// documents change in whole statements over that range of search_queue;
// only the text is derived in Go, on every core.
func (s *Store) indexBatch(ctx context.Context, batch int) (int, error) {
	var n int
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		var hi sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT max(seq), count(*) FROM
			(SELECT seq FROM search_queue ORDER BY seq LIMIT ?)`, batch).Scan(&hi, &n)
		if err != nil || !hi.Valid {
			return err
		}
		// Old documents out, with their index entries: every search_docs
		// row is in search_fts.
		old := `SELECT d.rowid FROM search_queue q CROSS JOIN search_docs d ON d.kind = q.kind AND d.id = q.id WHERE q.seq <= ?1`
		for _, q := range []string{
			`DELETE FROM search_fts WHERE rowid IN (` + old + `)`,
			`DELETE FROM search_docs WHERE rowid IN (` + old + `)`,
		} {
			if _, err := tx.ExecContext(ctx, q, hi.Int64); err != nil {
				return err
			}
		}
		// The current documents of the items that still have a row, in
		// the order they were marked.
		var docs []queued
		for _, kind := range kindOrder {
			spec := kindSpecs[kind]
			if !spec.searchable {
				continue
			}
			rows, err := tx.QueryContext(ctx, `SELECT q.seq, q.id, k.doc FROM search_queue q JOIN `+spec.table+
				` k ON k.id = q.id WHERE q.kind = ?2 AND q.seq <= ?1`, hi.Int64, string(kind))
			if err != nil {
				return err
			}
			err = scanRows(rows, func(rows *sql.Rows) error {
				d := queued{spec: spec}
				if err := rows.Scan(&d.seq, &d.id, &d.doc); err != nil {
					return err
				}
				docs = append(docs, d)
				return nil
			})
			if err != nil {
				return err
			}
		}
		slices.SortFunc(docs, func(a, b queued) int { return cmp.Compare(a.seq, b.seq) })
		deriveAll(s.log, docs)
		var top int64
		if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(rowid), 0) FROM search_docs").Scan(&top); err != nil {
			return err
		}
		a := newApplier(ctx, tx)
		defer a.close()
		args := make([]any, 0, 4*len(docs))
		for _, d := range docs {
			args = append(args, string(d.spec.kind), d.id, d.title, d.text)
		}
		if err := a.execRows("INSERT INTO search_docs(kind, id, title, text) VALUES", 4, "", args); err != nil {
			return err
		}
		for _, q := range []string{
			`INSERT INTO search_fts(rowid, title, text) SELECT rowid, title, text FROM search_docs WHERE rowid > ?2`,
			`DELETE FROM search_queue WHERE seq <= ?1`,
		} {
			if _, err := tx.ExecContext(ctx, q, hi.Int64, top); err != nil {
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

// queued is an item of search_queue with its row's doc and the search text
// derived from it.
type queued struct {
	seq         int64
	spec        *kindSpec
	id, doc     string
	title, text string
}

// derive decodes the doc as Apply did and keeps the searchable text.
func (d *queued) derive() error {
	r, err := d.spec.decode(d.id, []byte(d.doc))
	if err != nil {
		return fmt.Errorf("%s %s: %w", d.spec.kind, d.id, err)
	}
	d.title, d.text = r.title, r.text
	return nil
}

// deriveAll derives the text of docs on every core. Apply stored only docs
// that decode, so a failure means a doc a later version reads more
// strictly: it is logged and the item gets an empty search document, found
// by no search, rather than stopping the indexer for good.
func deriveAll(log *slog.Logger, docs []queued) {
	workers := min(runtime.GOMAXPROCS(0), (len(docs)+63)/64)
	var wg sync.WaitGroup
	for w := range max(workers, 1) {
		wg.Go(func() {
			for i := w; i < len(docs); i += max(workers, 1) {
				if err := docs[i].derive(); err != nil {
					log.Warn("store: indexing", "error", err)
				}
			}
		})
	}
	wg.Wait()
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
				s.log.Warn("store: indexing", "error", err)
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
