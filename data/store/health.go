package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"syscall"
	"time"

	"jiezhen/data"
)

// Health is what the staff's kiosk health screen shows, from one
// snapshot of the database.
type Health struct {
	Waiting     map[data.ItemKind]int // outbox items by kind
	DeadLetters int                   //
	Conflicts   int                   // unresolved
	Counts      map[data.Kind]int     // content items by kind
	Cursor      int64                 // of the content feed
	LastSync    *time.Time            // nil until a sync has completed
	TrustedKeys []string              // base64 public keys of bundle signers
	DiskFree    uint64                // bytes free where the database lives
}

// Health reports the state of the kiosk's store.
func (s *Store) Health(ctx context.Context) (Health, error) {
	st, err := s.Status(ctx)
	if err != nil {
		return Health{}, err
	}
	h := Health{Waiting: map[data.ItemKind]int{}, DeadLetters: st.DeadLetters, Conflicts: st.Conflicts,
		Counts: st.Counts, Cursor: st.Cursor, LastSync: st.LastSync}
	err = s.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT kind, count(*) FROM outbox GROUP BY kind")
		if err != nil {
			return err
		}
		err = scanRows(rows, func(rows *sql.Rows) error {
			var kind data.ItemKind
			var n int
			if err := rows.Scan(&kind, &n); err != nil {
				return err
			}
			h.Waiting[kind] = n
			return nil
		})
		if err != nil {
			return err
		}
		rows, err = tx.QueryContext(ctx, "SELECT key FROM bundle_keys WHERE state = 'trusted' ORDER BY since, key")
		if err != nil {
			return err
		}
		return scanRows(rows, func(rows *sql.Rows) error {
			var k string
			if err := rows.Scan(&k); err != nil {
				return err
			}
			h.TrustedKeys = append(h.TrustedKeys, k)
			return nil
		})
	})
	if err != nil {
		return Health{}, fmt.Errorf("health: %w", err)
	}
	var fs syscall.Statfs_t
	if err := syscall.Statfs(filepath.Dir(s.path), &fs); err != nil {
		return Health{}, fmt.Errorf("health: disk space: %w", err)
	}
	h.DiskFree = fs.Bavail * uint64(fs.Bsize)
	return h, nil
}
