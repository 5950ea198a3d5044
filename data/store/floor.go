package store

import (
	"context"
	"database/sql"

	"jiezhen/data"
)

// InsertRaw writes changes as plain INSERTs of (kind:id, kind, version,
// body) into a table raw of their own, created on first use, in one
// transaction on the store's writer, with the writer's settings. It is
// the floor the apply path and the pull are measured against in
// docs/PERFORMANCE.md (BenchmarkBulkInsertRaw, BenchmarkPull): no
// decoding, no per-kind columns, no search marks, no cursor. Nothing else
// uses it.
func (s *Store) InsertRaw(ctx context.Context, changes []data.Change) error {
	return s.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS raw(id TEXT PRIMARY KEY, kind TEXT, version INTEGER, doc TEXT)"); err != nil {
			return err
		}
		st, err := tx.PrepareContext(ctx, "INSERT INTO raw(id, kind, version, doc) VALUES(?, ?, ?, ?)")
		if err != nil {
			return err
		}
		defer st.Close()
		for _, c := range changes {
			if _, err := st.ExecContext(ctx, string(c.Kind)+":"+c.ID, string(c.Kind), c.Version, string(c.Body)); err != nil {
				return err
			}
		}
		return nil
	})
}
