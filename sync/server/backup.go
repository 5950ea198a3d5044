package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"

	"jiezhen/data/dbfile"
)

// IsPostgresURL reports whether a --db value names a PostgreSQL database
// rather than a SQLite file.
func IsPostgresURL(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// Backup copies the district database db into a new file out, readable
// by its owner only, while districtd serve may be writing to it: SQLite's
// VACUUM INTO reads one consistent snapshot (a read transaction; writers
// go on meanwhile) and writes a compact copy. out must not exist; nothing
// is left there when the copy fails. The copy is synced and checked
// (quick_check) before Backup returns. docs/DEPLOY.md says how to
// restore it.
func Backup(ctx context.Context, db, out string) error {
	if IsPostgresURL(db) {
		// pg_dump goes here, once the PostgreSQL store exists.
		return errors.New("PostgreSQL backup needs the PostgreSQL store")
	}
	if out == "" {
		return errors.New("no output file named")
	}
	if _, err := os.Stat(db); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("database %s does not exist", db)
		}
		return fmt.Errorf("database %s: %w", db, err)
	}
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s exists; a backup never overwrites a file", out)
		}
		return err
	}
	f.Close()
	if err := backup(ctx, db, out); err != nil {
		os.Remove(out)
		return err
	}
	return nil
}

func backup(ctx context.Context, db, out string) error {
	// mode=rw: a backup never creates the database it copies.
	src, err := sql.Open("sqlite", "file:"+(&url.URL{Path: db}).EscapedPath()+"?mode=rw&_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer src.Close()
	src.SetMaxOpenConns(1)
	// VACUUM INTO accepts an empty file, which Backup made 0600.
	if _, err := src.ExecContext(ctx, "VACUUM INTO ?", out); err != nil {
		return fmt.Errorf("backup of %s: %w", db, err)
	}
	f, err := os.OpenFile(out, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("backup %s: %w", out, err)
	}
	cp, err := sql.Open("sqlite", "file:"+(&url.URL{Path: out}).EscapedPath()+"?mode=ro")
	if err != nil {
		return err
	}
	defer cp.Close()
	if err := dbfile.Check(ctx, cp, false); err != nil {
		return fmt.Errorf("backup %s: %w", out, err)
	}
	return nil
}
