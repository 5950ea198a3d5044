// Package store is the kiosk's SQLite database: embedded numbered
// migrations, one writer and a read pool on the same file, the one apply
// path for content changes with the sync cursor, list and detail queries,
// full-text search, and the outbox of writes waiting for the district.
//
// Every write goes through a single connection (SetMaxOpenConns(1),
// BEGIN IMMEDIATE), so writers queue in Go instead of failing with
// SQLITE_BUSY; reads go through a pool of query_only connections and, in WAL
// mode, never wait for the writer and never see half a transaction.
package store

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"jiezhen/data/dbfile"
)

var (
	// ErrNotDatabase: the file exists but is not an SQLite database, or is
	// damaged beyond opening. The file is left as it was.
	ErrNotDatabase = errors.New("not a SQLite database")
	// ErrNewerSchema: the database was written by a newer program. The file
	// is left as it was.
	ErrNewerSchema = errors.New("schema is newer than this program")
	// ErrDamaged: the file fails SQLite's check (Options.QuickCheck,
	// Options.IntegrityCheck), its main file was lost beside a -wal, or
	// rows it once held (the kiosk's number, its street) are gone. The
	// kiosk refuses to start on it rather than start empty.
	ErrDamaged = dbfile.ErrDamaged
	// ErrNotFound: no item with that kind and id.
	ErrNotFound = errors.New("not found")
	// ErrRedacted: a dead letter whose personal data the retention sweep
	// removed cannot be sent again; it can only be discarded.
	ErrRedacted = errors.New("its personal data was removed after the retention period, so it cannot be sent again")
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Options tune Open. The zero value is what the kiosk runs with.
type Options struct {
	// NoIndexer disables the background goroutine that brings the
	// full-text index up to date after each Apply; the caller then runs
	// IndexPending itself. Search stays correct either way.
	NoIndexer bool
	// Readers is the size of the read pool; 0 picks one from the CPU count.
	Readers int
	// QuickCheck runs PRAGMA quick_check on an existing file before
	// anything is written to it, IntegrityCheck the full integrity_check;
	// a file that fails is refused with ErrDamaged.
	QuickCheck, IntegrityCheck bool
	// Log receives what the store reports without failing a call (an
	// item the indexer cannot derive text for); nil means slog.Default().
	Log *slog.Logger
	// Now is the kiosk's clock, for what the store stamps itself: when
	// the district acknowledged a case (where its retention starts), when
	// an item was refused, queued or trusted, when the caller gave no
	// time; nil means time.Now.
	Now func() time.Time
}

// Store is the kiosk's database. It is safe for concurrent use.
type Store struct {
	path    string
	created bool    // Open made the file
	w       *sql.DB // the single writer
	r       *sql.DB // read pool, query_only
	version int

	log *slog.Logger     // Options.Log
	now func() time.Time // Options.Now

	kick chan struct{} // wakes the indexer; nil when it is disabled
	stop context.CancelFunc
	done chan struct{}
	// indexHold is set while a sync has pages still to come: the
	// indexer then leaves the writer to the sync, and its last page (or
	// RestoreIndexes when it stops early) wakes the indexer again.
	indexHold atomic.Bool

	// tokenHash is the SHA-256 of the kiosk's token (UseToken), which
	// opens the staff PIN key; never written anywhere.
	tokenHash atomic.Pointer[[]byte]

	// carry is what one page of a sync hands the next (see carried);
	// a transaction takes it, and puts a new one back only once it has
	// committed. wconn is the writer's driver connection of the current
	// write transaction (set by writeTx).
	carry atomic.Pointer[carried]
	wconn any

	closeOnce sync.Once
}

// Open opens or creates the database at path with default options.
func Open(ctx context.Context, path string) (*Store, error) {
	return OpenWith(ctx, path, Options{})
}

// OpenWith opens or creates the database at path, migrates it to the
// program's schema and starts the background indexer unless opts disable it.
//
// Nothing is written to an existing file until it has been checked: a file
// that is not SQLite, is damaged, or carries a newer schema is refused with
// a one-line error (wrapping ErrNotDatabase, ErrDamaged or ErrNewerSchema)
// and stays byte for byte as it was, with no -wal or -shm file created
// next to it. A new file is created readable by its owner only, and
// removed again if Open fails.
func OpenWith(ctx context.Context, path string, opts Options) (s *Store, err error) {
	migs, err := migrations()
	if err != nil {
		return nil, err
	}
	latest := len(migs)
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	created, err := dbfile.Prepare(abs)
	if err != nil {
		return nil, err
	}
	if created {
		defer func() {
			if err != nil {
				dbfile.Remove(abs)
			}
		}()
	}
	if err := checkExisting(ctx, abs, latest, opts); err != nil {
		return nil, err
	}

	// synchronous=FULL on the writer: in WAL mode NORMAL may lose the last
	// commits on power loss, and an outbox item must survive once the
	// resident has seen the receipt (docs/SYNC.md guarantee 4). busy_timeout
	// comes first so the pragmas after it already wait out another process.
	// A 64 MiB page cache keeps a large batch from spilling dirty pages to
	// the WAL mid-transaction and reading them back (it halved
	// BenchmarkApply); it is an upper bound, not an allocation. Statement
	// journals of the multi-row inserts stay in memory (temp_store). New
	// databases get 16 KiB pages: a 100k-item apply then writes a quarter
	// of the WAL frames (two system calls each) and splits fewer pages; an
	// existing file keeps its page size. page_size must precede the switch
	// to WAL, which the driver makes after the _pragma list. secure_delete
	// overwrites what is deleted or rewritten, so the personal data of a
	// settled case does not live on in free pages (Sweep, track.go).
	w, err := sql.Open("sqlite", fileURI(abs, url.Values{
		"_pragma":       {"busy_timeout(10000)", "page_size(16384)", "foreign_keys(1)", "synchronous(FULL)", "cache_size(-65536)", "temp_store(MEMORY)", "secure_delete(1)"},
		"_journal_mode": {"WAL"},
		"_txlock":       {"immediate"},
	}))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", abs, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)

	if err := dbfile.Connect(ctx, w, 10*time.Second); err != nil {
		w.Close()
		return nil, openError(abs, err)
	}
	s = &Store{path: abs, created: created, w: w, log: opts.Log, now: opts.Now}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	// Indexes a first sync left to build come back before any migration
	// runs, so that a migration finds the schema its predecessors made.
	if err := s.restoreBeforeMigrating(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("%s: build deferred indexes: %w", abs, err)
	}
	if err := s.migrate(ctx, migs); err != nil {
		w.Close()
		return nil, err
	}
	if err := s.checkMarks(ctx); err != nil {
		w.Close()
		return nil, err
	}

	// Readers open only after the writer has made the file WAL and
	// migrated it. query_only makes an accidental write through the read
	// pool an error instead of a second writer.
	r, err := sql.Open("sqlite", fileURI(abs, url.Values{
		"_pragma": {"busy_timeout(10000)", "foreign_keys(1)", "query_only(1)"},
	}))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s: %w", abs, err)
	}
	n := opts.Readers
	if n <= 0 {
		n = max(4, runtime.NumCPU())
	}
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	r.SetConnMaxLifetime(0)
	r.SetConnMaxIdleTime(0)
	s.r = r

	if !opts.NoIndexer {
		s.startIndexer()
	}
	return s, nil
}

// Close stops the indexer and closes the database. Pending index work is
// kept and resumed by the next Open.
func (s *Store) Close() error {
	var err error
	s.closeOnce.Do(func() {
		if s.stop != nil {
			s.stop()
			<-s.done
		}
		err = errors.Join(s.r.Close(), s.w.Close())
	})
	return err
}

// Path returns the database file's absolute path.
func (s *Store) Path() string { return s.path }

// Created reports whether Open created the file: a command that fails
// after it closes the store and removes the file (dbfile.Remove), so that
// no empty database is left behind.
func (s *Store) Created() bool { return s.created }

// SchemaVersion returns the schema version the database is at, which is
// the number of the last migration applied.
func (s *Store) SchemaVersion() int { return s.version }

// fileURI builds a file: URI so that SQLite's own parameters (mode=ro)
// apply; the driver strips the query from plain names. url.URL escapes
// '?', '#' and '%' in the path, which SQLite decodes again.
func fileURI(abs string, q url.Values) string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: q.Encode()}
	return u.String()
}

var sqliteHeader = []byte("SQLite format 3\x00")

// checkExisting looks at an existing, non-empty file before anything may
// write to it: the header first (reading bytes cannot change a file), then
// the schema version through a read-only connection. A missing or empty
// file is a new database and passes. opts asks for SQLite's check of the
// whole file too.
func checkExisting(ctx context.Context, abs string, latest int, opts Options) error {
	f, err := os.Open(abs)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open %s: %w", abs, err)
	}
	head := make([]byte, len(sqliteHeader))
	n, err := io.ReadFull(f, head)
	f.Close()
	switch {
	case n == 0 && (err == io.EOF):
		return nil
	case err != nil && err != io.ErrUnexpectedEOF:
		return fmt.Errorf("open %s: %w", abs, err)
	case !bytes.Equal(head[:n], sqliteHeader):
		return fmt.Errorf("open %s: %w", abs, ErrNotDatabase)
	}

	// mode=ro opens the file O_RDONLY, but on a WAL database it still
	// creates the -wal and -shm files. When there is no -wal file every
	// committed page is in the main file, so immutable=1 (no locks, no
	// shared memory) reads it exactly and creates nothing. When there is
	// one, a previous run did not close cleanly: its committed pages may be
	// only in the WAL, so read through it; the side files exist already.
	// Reading sqlite_schema makes SQLite parse page 1 and the schema, which
	// is where a damaged file shows first.
	q := url.Values{"mode": {"ro"}, "_pragma": {"busy_timeout(10000)"}}
	if _, err := os.Stat(abs + "-wal"); errors.Is(err, os.ErrNotExist) {
		q.Set("immutable", "1")
	}
	ro, err := sql.Open("sqlite", fileURI(abs, q))
	if err != nil {
		return fmt.Errorf("open %s: %w", abs, err)
	}
	defer ro.Close()
	var version int
	if err := ro.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return openError(abs, err)
	}
	var objects int
	if err := ro.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&objects); err != nil {
		return openError(abs, err)
	}
	if version > latest {
		return fmt.Errorf("%s: schema version %d is newer than this program's %d; upgrade the kiosk: %w",
			abs, version, latest, ErrNewerSchema)
	}
	if opts.QuickCheck || opts.IntegrityCheck {
		if err := dbfile.Check(ctx, ro, opts.IntegrityCheck); errors.Is(err, ErrDamaged) {
			return fmt.Errorf("%s: %w; restore it from a backup", abs, err)
		} else if err != nil {
			return openError(abs, err)
		}
	}
	return nil
}

// checkMarks refuses a database whose kiosk number or street content is
// gone although it once held them (the store_marks table): that is
// a damaged or tampered file, not a new kiosk.
func (s *Store) checkMarks(ctx context.Context) error {
	var number, street int
	var hasNumber, hasStreet bool
	err := s.w.QueryRowContext(ctx, `SELECT kiosk_number, street,
		EXISTS (SELECT 1 FROM kiosk_number), EXISTS (SELECT 1 FROM street) FROM store_marks WHERE id = 1`).
		Scan(&number, &street, &hasNumber, &hasStreet)
	var gone string
	switch {
	case errors.Is(err, sql.ErrNoRows):
		gone = "its own record of what it held"
	case err != nil:
		return openError(s.path, err)
	case number == 1 && !hasNumber:
		gone = "the kiosk's recorded number"
	case street == 1 && !hasStreet:
		gone = "the street content it held"
	default:
		return nil
	}
	return fmt.Errorf("%s: %s is gone: %w; restore it from a backup", s.path, gone, ErrDamaged)
}

// forgetStreets clears the street mark when the kiosk itself has removed
// every street, in the transaction that removed them.
func forgetStreets(ctx context.Context, tx interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}) error {
	_, err := tx.ExecContext(ctx, "UPDATE store_marks SET street = 0 WHERE NOT EXISTS (SELECT 1 FROM street)")
	return err
}

// openError turns SQLite's "not a database" and "malformed" codes into one
// line naming the file and wrapping ErrNotDatabase.
func openError(abs string, err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_NOTADB:
			return fmt.Errorf("open %s: %w", abs, ErrNotDatabase)
		case sqlite3.SQLITE_CORRUPT:
			return fmt.Errorf("open %s: %w (the file is damaged)", abs, ErrNotDatabase)
		}
	}
	return fmt.Errorf("open %s: %w", abs, err)
}

type migration struct {
	version int
	name    string
	sql     string
}

// restoreBeforeMigrating is RestoreIndexes for a file that may predate
// the deferred_index table.
func (s *Store) restoreBeforeMigrating(ctx context.Context) error {
	var n int
	err := s.w.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'deferred_index'").Scan(&n)
	if err != nil || n == 0 {
		return err
	}
	return s.RestoreIndexes(ctx)
}

// migrations returns the embedded migrations in order; their numbers must
// run 1, 2, 3... without gaps, because the highest is the schema version.
func migrations() ([]migration, error) {
	entries, err := migrationFS.ReadDir("migrations")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number and '_'", e.Name())
		}
		b, err := migrationFS.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, migration{v, e.Name(), string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: expected number %d", m.name, i+1)
		}
	}
	return out, nil
}

// migrate applies the migrations the file has not seen, each in its own
// transaction together with its user_version, so a crash leaves the file
// at a whole version. The version is read again inside each (BEGIN
// IMMEDIATE) transaction: another process opening the same new file at
// the same moment waits for the write lock and then skips what the first
// one applied.
func (s *Store) migrate(ctx context.Context, migs []migration) error {
	var current int
	if err := s.w.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err != nil {
		return openError(s.path, err)
	}
	if current > len(migs) { // written by a newer program since checkExisting
		return fmt.Errorf("%s: schema version %d is newer than this program's %d; upgrade the kiosk: %w",
			s.path, current, len(migs), ErrNewerSchema)
	}
	for _, m := range migs[current:] {
		err := s.writeTx(ctx, func(tx *sql.Tx) error {
			var now int
			if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&now); err != nil || now >= m.version {
				return err
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version))
			return err
		})
		if err != nil {
			return fmt.Errorf("%s: migration %s: %w", s.path, m.name, err)
		}
	}
	rows, err := s.w.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return fmt.Errorf("%s: foreign key check: %w", s.path, err)
	}
	defer rows.Close()
	if rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fk int
		if err := rows.Scan(&table, &rowid, &parent, &fk); err != nil {
			return fmt.Errorf("%s: foreign key check: %w", s.path, err)
		}
		return fmt.Errorf("%s: foreign key check: row %d of %s has no parent in %s", s.path, rowid.Int64, table, parent)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: foreign key check: %w", s.path, err)
	}
	s.version = len(migs)
	return nil
}

// writeTx runs fn in one write transaction on the single writer
// connection. _txlock=immediate makes BEGIN take the write lock at once, so
// a transaction never fails halfway for want of upgrading a read lock.
//
// ctx bounds the wait for the connection and interrupts fn's statements,
// which are run with it, but the transaction is not bound to it: database/sql
// rolls a transaction whose context is done back on a goroutine of its own
// and closes its connection there, so Close, which cancels the indexer,
// could return while the writer was still open, rolling back, and
// checkpointing the WAL, racing the next process to open the file. Here
// the rollback is done, and the connection back in the pool, before
// writeTx returns.
func (s *Store) writeTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := conn.Raw(func(dc any) error { s.wconn = dc; return nil }); err != nil {
		return err
	}
	tx, err := conn.BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := ctx.Err(); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// readTx runs fn in one read transaction, so that several queries (a page
// and its total) see the same snapshot.
func (s *Store) readTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(tx)
}
