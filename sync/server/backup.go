package server

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"jiezhen/data/dbfile"
)

// IsPostgresURL reports whether a --db value names a PostgreSQL database
// rather than a SQLite file.
func IsPostgresURL(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// Backup copies the district database db into a new file out, readable
// by its owner only, while districtd serve may be writing to it, from one
// consistent moment: on SQLite, VACUUM INTO reads one snapshot (a read
// transaction; writers go on meanwhile) and writes a compact copy, which
// is checked (quick_check); on PostgreSQL, pg_dump writes its custom
// format from one snapshot, which pg_restore --list then reads back.
// The copy is written to a temporary file beside out, synced and only
// then linked to out: out appears whole or not at all, and never over a
// file. docs/DEPLOY.md says how to restore either.
func Backup(ctx context.Context, db, out string) error {
	if out == "" {
		return errors.New("no output file named")
	}
	if _, err := os.Lstat(out); err == nil {
		return existsError(out)
	}
	if IsPostgresURL(db) {
		return writeNew(out, func(tmp string) error { return pgDump(ctx, db, tmp) })
	}
	if _, err := os.Stat(db); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("database %s does not exist", db)
		}
		return fmt.Errorf("database %s: %w", db, err)
	}
	return writeNew(out, func(tmp string) error { return backupSQLite(ctx, db, tmp, out) })
}

func existsError(out string) error {
	return fmt.Errorf("%s exists; a backup never overwrites a file", out)
}

// writeNew has write fill an empty temporary file (mode 0600) beside out,
// syncs it and links it to out, syncing the folder; the temporary file
// goes in any case.
func writeNew(out string, write func(tmp string) error) error {
	f, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".tmp-*")
	if err != nil {
		return fmt.Errorf("backup %s: %w", out, err)
	}
	tmp := f.Name()
	f.Close()
	defer os.Remove(tmp)
	if err := write(tmp); err != nil {
		return err
	}
	if f, err = os.OpenFile(tmp, os.O_RDWR, 0); err == nil {
		err = f.Sync()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("backup %s: %w", out, err)
	}
	// A link never replaces a file; where the file system has no links
	// (a FAT drive), a rename after one more look.
	if err := os.Link(tmp, out); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return existsError(out)
		}
		if _, serr := os.Lstat(out); serr == nil {
			return existsError(out)
		}
		if err := os.Rename(tmp, out); err != nil {
			return fmt.Errorf("backup %s: %w", out, err)
		}
	}
	if d, err := os.Open(filepath.Dir(out)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// backupSQLite writes the SQLite database db into the empty file tmp and
// checks the copy; errors name out, the file the caller asked for.
func backupSQLite(ctx context.Context, db, tmp, out string) error {
	// mode=rw: a backup never creates the database it copies.
	src, err := sql.Open("sqlite", "file:"+(&url.URL{Path: db}).EscapedPath()+"?mode=rw&_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer src.Close()
	src.SetMaxOpenConns(1)
	// VACUUM INTO accepts an empty file, which writeNew made 0600.
	if _, err := src.ExecContext(ctx, "VACUUM INTO ?", tmp); err != nil {
		return fmt.Errorf("backup of %s: %w", db, err)
	}
	cp, err := sql.Open("sqlite", "file:"+(&url.URL{Path: tmp}).EscapedPath()+"?mode=ro")
	if err != nil {
		return err
	}
	defer cp.Close()
	if err := dbfile.Check(ctx, cp, false); err != nil {
		return fmt.Errorf("backup %s: %w", out, err)
	}
	return nil
}

// pgDump writes the PostgreSQL database at dbURL into the file tmp with
// pg_dump's custom format: compressed, and pg_restore restores it in one
// transaction, in parallel or a table at a time, as whichever role
// restores it (--no-owner, --no-privileges: docs/DEPLOY.md), and prints
// it as SQL. pg_dump reads one snapshot (a repeatable-read transaction
// that blocks no writer); since writes commit one at a time in sequence
// order (writeLockKey), that snapshot holds a prefix of the feed, like
// SQLite's. The URL's password reaches pg_dump only in its environment
// (PGPASSWORD), never in its arguments, and never in an error.
func pgDump(ctx context.Context, dbURL, tmp string) error {
	name := RedactURL(dbURL)
	conn, password, err := pgConnArgs(dbURL)
	if err != nil {
		return err
	}
	env := os.Environ()
	if password != "" {
		env = append(env, "PGPASSWORD="+password)
	}
	run := func(tool string, args ...string) error {
		bin, err := exec.LookPath(tool)
		if err != nil {
			return fmt.Errorf("%s is not in PATH: install PostgreSQL's client programs of the server's major version or newer (Debian: postgresql-client)", tool)
		}
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Env = env
		cmd.Stdout = io.Discard
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("backup of %s: %s", name, toolError(tool, stderr.String(), err, password))
		}
		return nil
	}
	// --file: pg_dump writes into the 0600 file, seekable, so the
	// archive records where each table's data is (pg_restore -j).
	if err := run("pg_dump", "--format=custom", "--file="+tmp, "--dbname="+conn); err != nil {
		return err
	}
	return run("pg_restore", "--list", tmp)
}

// pgConnArgs is dbURL without its password, for a PostgreSQL client's
// arguments, and the password, from the URL's user or its password
// parameter.
func pgConnArgs(dbURL string) (conn, password string, err error) {
	u, err := url.Parse(dbURL)
	if err != nil {
		// url.Parse's error quotes the URL, password and all.
		return "", "", errors.New("the database URL does not parse: give postgres://USER@HOST[:PORT]/DATABASE")
	}
	if u.User != nil {
		if p, ok := u.User.Password(); ok {
			password = p
			u.User = url.User(u.User.Username())
		}
	}
	if q := u.Query(); q.Has("password") {
		if password == "" {
			password = q.Get("password")
		}
		q.Del("password")
		u.RawQuery = q.Encode()
	}
	return u.String(), password, nil
}

// toolError is one line of what a PostgreSQL client program said before
// it failed: its error, detail and hint lines (or else its last line),
// without the password.
func toolError(tool, stderr string, err error, password string) string {
	var said []string
	last := ""
	for _, l := range strings.Split(stderr, "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		last = l
		for _, k := range []string{": error: ", ": detail: ", ": hint: "} {
			if strings.Contains(l, k) {
				said = append(said, l)
				break
			}
		}
	}
	if len(said) == 0 && last != "" {
		said = append(said, last)
	}
	msg := strings.Join(said, "; ")
	if msg == "" {
		msg = tool + ": " + err.Error()
	}
	if strings.Contains(msg, "version mismatch") {
		msg += " (use the " + tool + " of the server's major version or newer)"
	}
	if password != "" {
		msg = strings.ReplaceAll(msg, password, "xxxxx")
	}
	return msg
}
