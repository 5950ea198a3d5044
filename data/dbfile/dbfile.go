// Package dbfile looks after an SQLite database's files on disk, for the
// kiosk's store and the district's alike: they hold personal data, so they
// are created readable by their owner only whatever the umask, a wider
// existing file is reported, and the checks that tell a damaged database
// from a new one (docs/ARCHITECTURE.md, "Files on disk") live here.
package dbfile

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"
)

// ErrDamaged: the database file is damaged or parts of it are gone. The
// programs refuse to go on rather than start as if the database were new.
var ErrDamaged = errors.New("the database is damaged")

// Private is the mode of every file holding personal data; PrivateDir is
// the mode of a folder the programs create for them.
const (
	Private    fs.FileMode = 0o600
	PrivateDir fs.FileMode = 0o700
)

// Sides are the suffixes of the files SQLite keeps beside a database.
var Sides = []string{"-wal", "-shm", "-journal"}

// Prepare gets path ready for SQLite to open. A missing file is created
// empty with mode 0600 (SQLite then gives its -wal and -shm the same
// mode), and created reports it so that a failed command can Remove what
// it made. A missing or empty file with a non-empty -wal beside it is the
// remainder of a database whose main file was lost: refused (ErrDamaged),
// since SQLite would start it afresh and drop the -wal. Existing -wal and
// -shm files of a private database are made private too.
func Prepare(path string) (created bool, err error) {
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return false, fmt.Errorf("open %s: %w", path, err)
	case !info.Mode().IsRegular():
		return false, fmt.Errorf("open %s: not a regular file", path)
	}
	if info == nil || info.Size() == 0 {
		if w, err := os.Stat(path + "-wal"); err == nil && w.Size() > 0 {
			what := "missing"
			if info != nil {
				what = "empty"
			}
			return false, fmt.Errorf("%s is %s but its write-ahead log %s-wal is not: the main file was lost; restore it from a backup (the log alone cannot be read): %w",
				path, what, path, ErrDamaged)
		}
	}
	if info == nil {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, Private)
		if errors.Is(err, fs.ErrExist) {
			return false, nil // another process has just created it
		}
		if err != nil {
			return false, fmt.Errorf("create %s: %w", path, err)
		}
		// The umask may only have taken bits away; Chmod sets exactly.
		if err := errors.Join(f.Chmod(Private), f.Close()); err != nil {
			os.Remove(path)
			return false, fmt.Errorf("create %s: %w", path, err)
		}
		return true, nil
	}
	if info.Mode().Perm()&0o077 == 0 {
		for _, side := range Sides {
			if s, err := os.Stat(path + side); err == nil && s.Mode().Perm()&0o077 != 0 {
				os.Chmod(path+side, s.Mode().Perm()&^0o077)
			}
		}
	}
	return false, nil
}

// Remove deletes a database Prepare created, with the files SQLite made
// beside it. Call it only after the database is closed.
func Remove(path string) {
	for _, side := range append([]string{""}, Sides...) {
		os.Remove(path + side)
	}
}

// Warning returns one line when the database at path, or a file beside
// it, can be read by other users than its owner, and "" otherwise.
func Warning(path string) string {
	var wide []string
	for _, side := range append([]string{""}, Sides...) {
		if s, err := os.Stat(path + side); err == nil && s.Mode().Perm()&0o077 != 0 {
			wide = append(wide, fmt.Sprintf("%s%s is mode %04o", path, side, s.Mode().Perm()))
		}
	}
	if len(wide) == 0 {
		return ""
	}
	return fmt.Sprintf("warning: %s, readable by other users, and it holds personal data: chmod 600 %s*",
		strings.Join(wide, ", "), path)
}

// Querier is what Check needs of a database handle.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Check runs PRAGMA quick_check, or the full integrity_check, and returns
// nil when SQLite answers "ok", otherwise an error wrapping ErrDamaged
// with SQLite's first finding.
func Check(ctx context.Context, db Querier, full bool) error {
	pragma := "PRAGMA quick_check(1)"
	if full {
		pragma = "PRAGMA integrity_check(1)"
	}
	rows, err := db.QueryContext(ctx, pragma)
	if err != nil {
		return err
	}
	defer rows.Close()
	var first string
	if rows.Next() {
		if err := rows.Scan(&first); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if first == "ok" {
		return nil
	}
	first = strings.TrimPrefix(first, "*** in database main ***\n")
	return fmt.Errorf("%w (%s)", ErrDamaged, strings.ReplaceAll(first, "\n", "; "))
}

// Connect makes db's first connection, which runs the connection's
// pragmas. Two processes opening the same new file at once both switch it
// to WAL, and SQLite then answers one of them SQLITE_BUSY at once, without
// waiting out busy_timeout (it would deadlock); Connect tries again until
// the other is done, for up to wait. The migrations after it queue on
// BEGIN IMMEDIATE, which does wait.
func Connect(ctx context.Context, db *sql.DB, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	for {
		err := db.PingContext(ctx)
		if err == nil || !busy(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// busy reports SQLite's SQLITE_BUSY (5), in any of its extended forms,
// from a driver error that has the code.
func busy(err error) bool {
	var c interface{ Code() int }
	return errors.As(err, &c) && c.Code()&0xff == 5
}
