package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"jiezhen/data"
)

// Streets returns every street held, in code order.
func (s *Store) Streets(ctx context.Context) ([]data.Street, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT doc FROM street ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("streets: %w", err)
	}
	var out []data.Street
	err = scanRows(rows, func(rows *sql.Rows) error {
		var doc string
		if err := rows.Scan(&doc); err != nil {
			return err
		}
		var st data.Street
		if err := json.Unmarshal([]byte(doc), &st); err != nil {
			return err
		}
		out = append(out, st)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("streets: %w", err)
	}
	return out, nil
}
