package server

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io/fs"

	"jiezhen/data"
)

func (t *sqlTx) GaugeKiosks() ([]GaugeKiosk, error) {
	return queryAll(t, func(sc scanner) (GaugeKiosk, error) {
		var r GaugeKiosk
		var at, cursor sql.NullInt64
		err := sc.Scan(&r.Seen.Kiosk, &r.Street, &at, &cursor)
		if at.Valid {
			r.Seen.At, r.Seen.Cursor = fromMillis(at.Int64), cursor.Int64
		}
		return r, err
	}, `SELECT id, street, seen_at, cursor FROM kiosks WHERE revoked_at IS NULL`)
}

func (t *sqlTx) FeedAfter(street string, after int64, limit int) (int64, error) {
	var n int64
	err := t.one(`SELECT
		(SELECT count(*) FROM (SELECT 1 FROM feed WHERE kiosk = 0 AND street = '' AND seq > ?1 LIMIT ?3) AS district) +
		(SELECT count(*) FROM (SELECT 1 FROM feed WHERE kiosk = 0 AND street = ?2 AND ?2 <> '' AND seq > ?1 LIMIT ?3) AS own)`,
		[]any{after, street, limit}, &n)
	return min(n, int64(limit)), err
}

func (t *sqlTx) Backlog(open, running []data.Status, today data.Date) (map[string][2]int64, error) {
	// The statuses go in as JSON arrays, so the statement is the same
	// prepared one whatever they are.
	o, err := json.Marshal(open)
	if err != nil {
		return nil, err
	}
	r, err := json.Marshal(running)
	if err != nil {
		return nil, err
	}
	deadline := "json_extract(doc, '$.deadline')"
	if t.pg != nil {
		deadline = "(doc::jsonb->>'deadline')"
	}
	rows, err := t.query(`SELECT street, count(*),
		coalesce(sum(CASE WHEN status IN (SELECT value FROM json_each(?2))
			AND coalesce(`+deadline+`, '') <> ''
			AND `+deadline+` < ?3 THEN 1 ELSE 0 END), 0)
		FROM cases WHERE status IN (SELECT value FROM json_each(?1)) GROUP BY street`,
		string(o), string(r), today.String())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][2]int64{}
	for rows.Next() {
		var street string
		var n [2]int64
		if err := rows.Scan(&street, &n[0], &n[1]); err != nil {
			return nil, err
		}
		out[street] = n
	}
	return out, rows.Err()
}

// Migrated reports an error unless the database carries every migration
// this binary has (districtd's /readyz).
func (s *SQLite) Migrated(ctx context.Context) error {
	// Through a reader: the read pool's connections are all held by
	// them, so the pool itself would wait for one forever.
	var have int
	err := s.Read(ctx, func(tx ReadTx) error {
		return tx.(*sqlTx).one("PRAGMA user_version", nil, &have)
	})
	if err != nil {
		return fmt.Errorf("database: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	if have != len(names) {
		return fmt.Errorf("database schema is at version %d, this districtd needs %d", have, len(names))
	}
	return nil
}

// DBStats gives the connection pools' statistics by name ("write",
// "read"), for the metrics. The readers hold their connections for the
// store's life, so database/sql counts them all in use; the read pool's
// in use and idle are those of the store's own pool of readers.
func (s *SQLite) DBStats() map[string]sql.DBStats {
	r := s.r.Stats()
	r.Idle = len(s.readers)
	r.InUse = r.OpenConnections - r.Idle
	return map[string]sql.DBStats{"write": s.w.Stats(), "read": r}
}
