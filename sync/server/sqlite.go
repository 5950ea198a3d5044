package server

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	_ "modernc.org/sqlite" // the pure-Go driver keeps districtd CGO_ENABLED=0

	"jiezhen/data"
	"jiezhen/data/dbfile"
)

//go:embed migrations/*.sql
var migrations embed.FS

// SQLite is the embedded Store: one file in WAL mode, one writing
// connection that every write transaction queues for, and a pool of
// read-only connections that read snapshots alongside it.
type SQLite struct {
	w, r *sql.DB
	// wc is the writing connection, held by the writer goroutine. It runs
	// its transactions by hand (BEGIN IMMEDIATE ... COMMIT) so that the
	// statements prepared on it in wstmts outlive each transaction: a
	// sql.Tx would have them parsed again every time.
	wc     *sql.Conn
	wstmts map[string]*sql.Stmt
	// readers are the reading connections, each with its own prepared
	// statements, handed out one per Read for the same reason.
	readers chan *reader

	// Writes queue for one goroutine that runs whatever has queued in one
	// transaction (group commit): with synchronous=FULL every commit
	// waits for the disk, and many kiosks pushing at once would otherwise
	// queue behind one fsync each.
	writeQueue
	cpStopped chan struct{}
	closeOnce sync.Once
}

type reader struct {
	c     *sql.Conn
	stmts map[string]*sql.Stmt
}

// readConns is how many snapshots can be read at once.
const readConns = 8

type writeJob struct {
	ctx  context.Context
	fn   func(Tx) error
	done chan error
}

// maxGroup caps how many writes share a commit, so that one commit never
// holds the writer for long.
const maxGroup = 64

// writeQueue is the group commit both engines share: writes queue for
// one goroutine (run) that hands whatever has queued, up to maxGroup, to
// the engine's commit in one batch.
type writeQueue struct {
	jobs    chan *writeJob
	quit    chan struct{}
	stopped chan struct{}
}

func newWriteQueue() writeQueue {
	return writeQueue{jobs: make(chan *writeJob), quit: make(chan struct{}), stopped: make(chan struct{})}
}

// submit queues fn and returns what its commit returned.
func (q *writeQueue) submit(ctx context.Context, fn func(Tx) error) error {
	job := &writeJob{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case q.jobs <- job:
	case <-q.quit:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once taken, the write may commit: wait for the answer even if ctx
	// ends meanwhile, or the caller could report a failure that did not
	// happen.
	return <-job.done
}

// batchErrs is what a commit answers each write of its batch, in order.
type batchErrs []error

// failAll fails every write of the batch not failed yet with err.
func (errs batchErrs) failAll(err error) {
	for i := range errs {
		if errs[i] == nil {
			errs[i] = fmt.Errorf("database: %w", err)
		}
	}
}

// run hands the queued writes to commit in batches until quit closes, and
// each write the answer commit gave it.
func (q *writeQueue) run(commit func([]*writeJob, batchErrs)) {
	defer close(q.stopped)
	for {
		var batch []*writeJob
		select {
		case j := <-q.jobs:
			batch = append(batch, j)
		case <-q.quit:
			return
		}
	more:
		for len(batch) < maxGroup {
			select {
			case j := <-q.jobs:
				batch = append(batch, j)
			default:
				break more
			}
		}
		errs := make(batchErrs, len(batch))
		commit(batch, errs)
		for i, j := range batch {
			j.done <- errs[i]
		}
	}
}

// ErrClosed is returned by writes to a closed store.
var ErrClosed = errors.New("database: closed")

var _ Store = (*SQLite)(nil)

// OpenSQLite opens or creates the database at path and brings its schema
// up to date.
func OpenSQLite(ctx context.Context, path string) (*SQLite, error) {
	return OpenSQLiteWith(ctx, path, SQLiteOptions{})
}

// SQLiteOptions tune OpenSQLiteWith.
type SQLiteOptions struct {
	// QuickCheck runs PRAGMA quick_check before anything is written: a
	// damaged file is refused with an error wrapping dbfile.ErrDamaged.
	QuickCheck bool
}

// OpenSQLiteWith is OpenSQLite with options. A new file is created
// readable by its owner only (the -wal and -shm SQLite makes beside it
// take its mode), and a main file lost beside its -wal is refused rather
// than started afresh (dbfile.Prepare).
func OpenSQLiteWith(ctx context.Context, path string, opts SQLiteOptions) (*SQLite, error) {
	if path == "" {
		return nil, errors.New("open database: no file named")
	}
	if _, err := dbfile.Prepare(path); err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	dsn := func(extra ...string) string {
		// busy_timeout first, so the pragmas after it wait for a
		// concurrent districtd command instead of failing.
		q := []string{"_pragma=busy_timeout(10000)", "_pragma=journal_mode(WAL)",
			"_pragma=synchronous(FULL)", "_pragma=foreign_keys(1)"}
		return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + strings.Join(append(q, extra...), "&")
	}
	// The writer never checkpoints on commit: the checkpointer does it
	// beside it, so a commit does not wait for the WAL to be copied back.
	// secure_delete: what a write replaces or deletes is zeroed in the
	// file, so the personal data sealing replaces (docs/ARCHITECTURE.md,
	// "Personal data at rest") leaves no clear copy in free pages.
	w, err := sql.Open("sqlite", dsn("_txlock=immediate", "_pragma=wal_autocheckpoint(0)", "_pragma=secure_delete(1)"))
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	w.SetMaxOpenConns(2) // the writing connection and the checkpointer's
	w.SetConnMaxIdleTime(0)
	if err := dbfile.Connect(ctx, w, 10*time.Second); err != nil {
		w.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}
	if opts.QuickCheck {
		if err := dbfile.Check(ctx, w, false); err != nil {
			w.Close()
			return nil, fmt.Errorf("open database %s: %w", path, err)
		}
	}
	if err := migrate(ctx, w); err != nil {
		w.Close()
		return nil, err
	}
	if err := backfillSearch(ctx, w, false); err != nil {
		w.Close()
		return nil, err
	}
	if err := backfillFacts(ctx, w, false); err != nil {
		w.Close()
		return nil, err
	}
	// The readers map the file (up to 1 GiB) instead of reading it a page
	// at a time: a kiosk's first sync reads every body of its scope once,
	// and the read calls and copies were a tenth of a pull's page reads.
	r, err := sql.Open("sqlite", dsn("_pragma=query_only(1)", "_pragma=mmap_size(1073741824)"))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}
	r.SetMaxOpenConns(readConns)
	r.SetMaxIdleConns(readConns)
	wc, err := w.Conn(ctx)
	if err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}
	readers := make(chan *reader, readConns)
	for range readConns {
		c, err := r.Conn(ctx)
		if err != nil {
			close(readers)
			for rd := range readers {
				rd.c.Close()
			}
			wc.Close()
			w.Close()
			r.Close()
			return nil, fmt.Errorf("open database: %w", err)
		}
		readers <- &reader{c: c, stmts: map[string]*sql.Stmt{}}
	}
	s := &SQLite{w: w, r: r, wc: wc, wstmts: map[string]*sql.Stmt{}, readers: readers, writeQueue: newWriteQueue(), cpStopped: make(chan struct{})}
	go s.run(s.commit)
	go s.checkpointer()
	return s, nil
}

// migrate applies the embedded migrations numbered above the database's
// user_version, each in its own transaction with the version bump. The
// version is read again inside each transaction, which takes the write
// lock at once (_txlock=immediate) and waits out busy_timeout for it: a
// second process opening the same new file at the same moment (`serve
// --demo` and `kiosk add`) waits for the first one's migration and then
// skips it.
func migrate(ctx context.Context, db *sql.DB) error {
	var have int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&have); err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	if have > len(names) {
		return fmt.Errorf("open database: its schema version %d is newer than this districtd knows (%d)", have, len(names))
	}
	for i, name := range names {
		n, err := strconv.Atoi(strings.SplitN(path.Base(name), "_", 2)[0])
		if err != nil || n != i+1 {
			return fmt.Errorf("migration %s is out of sequence", name)
		}
		if n <= have {
			continue
		}
		text, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("migrate to %d: %w", n, err)
		}
		var now int
		if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&now); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate to %d: %w", n, err)
		}
		if now >= n {
			tx.Rollback()
			continue
		}
		if _, err := tx.ExecContext(ctx, string(text)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate to %d: %w", n, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", n)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate to %d: %w", n, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migrate to %d: %w", n, err)
		}
	}
	return nil
}

// Close closes both handles.
func (s *SQLite) Close() error {
	s.closeOnce.Do(func() { close(s.quit) })
	<-s.stopped
	<-s.cpStopped
	if s.wstmts != nil {
		for _, st := range s.wstmts {
			st.Close()
		}
		s.wstmts = nil
		s.wc.Close()
		// Reads in progress finish first: take every reader back.
		for range readConns {
			rd := <-s.readers
			for _, st := range rd.stmts {
				st.Close()
			}
			rd.c.Close()
		}
	}
	return errors.Join(s.r.Close(), s.w.Close())
}

// Read runs fn on a read-only snapshot.
func (s *SQLite) Read(ctx context.Context, fn func(ReadTx) error) error {
	var rd *reader
	select {
	case rd = <-s.readers:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { s.readers <- rd }()
	if _, err := rd.c.ExecContext(ctx, "BEGIN"); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	// A read changes nothing: ending it either way only lets the
	// snapshot go.
	defer rd.c.ExecContext(context.Background(), "ROLLBACK")
	return fn(&sqlTx{ctx: ctx, p: rd.c, stmts: rd.stmts})
}

// Write runs fn in an immediate transaction on the single writer. Writes
// that queue meanwhile share the transaction, each in its own savepoint:
// a write whose fn fails is rolled back alone, and each returns only when
// the commit that holds it is durable.
func (s *SQLite) Write(ctx context.Context, fn func(Tx) error) error {
	return s.submit(ctx, fn)
}

// WriteAside is Write: SQLite has one writer, and the queue is the order.
func (s *SQLite) WriteAside(ctx context.Context, fn func(Tx) error) error {
	return s.Write(ctx, fn)
}

func (s *SQLite) commit(batch []*writeJob, errs batchErrs) {
	// The transaction is the batch's, not any one caller's: one caller
	// going away must not roll back the others.
	bg := context.Background()
	exec := func(q string) error {
		_, err := s.wc.ExecContext(bg, q)
		return err
	}
	if err := exec("BEGIN IMMEDIATE"); err != nil {
		errs.failAll(err)
		return
	}
	done := false
	defer func() {
		if !done {
			exec("ROLLBACK")
		}
	}()
	t := &sqlTx{ctx: bg, p: s.wc, stmts: s.wstmts}
	ok := 0
	for i, j := range batch {
		if err := j.ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		if err := exec("SAVEPOINT job"); err != nil {
			errs.failAll(err)
			return
		}
		t.ctx = j.ctx
		errs[i] = runJob(t, j.fn)
		t.ctx = bg
		if errs[i] != nil {
			if err := exec("ROLLBACK TO job"); err != nil {
				// The savepoint cannot be undone: nothing in this batch
				// can be trusted.
				errs.failAll(err)
				return
			}
		} else {
			ok++
		}
		if err := exec("RELEASE job"); err != nil {
			errs.failAll(err)
			return
		}
	}
	if ok == 0 {
		return
	}
	if err := exec("COMMIT"); err != nil {
		errs.failAll(err)
		return
	}
	done = true
}

// checkpointEvery is how often the WAL is copied back into the database.
const checkpointEvery = time.Second

// walRestartPages: past this many WAL pages (about 16 MiB) the
// checkpointer waits for readers to move on so that the WAL starts over;
// under steady load a passive checkpoint never quite finishes, and the
// WAL would otherwise grow without end.
const walRestartPages = 4000

// checkpointer copies committed pages from the WAL into the database file
// in the background, so that a commit never waits for it.
func (s *SQLite) checkpointer() {
	defer close(s.cpStopped)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	checkpoint := func(mode string) (logPages int) {
		var busy, done int
		err := s.w.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &logPages, &done)
		if err != nil {
			return 0
		}
		return logPages
	}
	for {
		select {
		case <-t.C:
			if checkpoint("PASSIVE") > walRestartPages {
				checkpoint("RESTART")
			}
		case <-s.quit:
			checkpoint("PASSIVE")
			return
		}
	}
}

// runJob runs one write, turning a panic into an error: the writer
// goroutine serves every request and must outlive a bug in one.
func runJob(t *sqlTx, fn func(Tx) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("database write panicked: %v", r)
		}
	}()
	t.fts = t.fts[:0]
	if err := fn(t); err != nil {
		return err
	}
	if t.pg != nil {
		return t.pgFlush()
	}
	return t.flushIndex()
}

// preparer is what a sqlTx prepares its statements on: a read
// transaction, or the writing connection inside its hand-run transaction.
type preparer interface {
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// sqlTx carries its context because it lives exactly as long as the
// transaction it belongs to. It prepares each statement once: a push of
// 500 items runs the same dozen statements for every item, and parsing
// them each time was most of its cost.
type sqlTx struct {
	ctx   context.Context
	p     preparer
	stmts map[string]*sql.Stmt
	// fts are the search documents written whose full-text entries wait
	// for the end of the write (see index).
	fts []int64
	// pg is set on PostgreSQL (postgres.go): statements run on it
	// directly, rewritten by pgSQL, and p and stmts are unused.
	pg pgQuerier
	// pgw is set in the PostgreSQL writer: statements without a result
	// wait in it for the next one that has one (pgPipe).
	pgw *pgPipe
	// pgCounters and pgCounts are what a PostgreSQL write holds back
	// until it ends (pgFlush): the counters it moved (the feed's last seq,
	// "seq", and in the writer the serials), and the search counts'
	// changes. pgCountersAt are the counters as the writes done so far in
	// the writer's transaction left them, written when it commits.
	pgCounters   map[string]int64
	pgCounts     map[searchCount]int64
	pgCountersAt map[string]int64
	// pgCalendar is the live calendar items as the PostgreSQL writer
	// last read them in its transaction (every filing reads them for its
	// deadline); a write of a calendar item, or a failed write, drops it.
	pgCalendar []Item
}

func (t *sqlTx) stmt(q string) (*sql.Stmt, error) {
	if st, ok := t.stmts[q]; ok {
		return st, nil
	}
	st, err := t.p.PrepareContext(t.ctx, q)
	if err != nil {
		return nil, err
	}
	t.stmts[q] = st
	return st, nil
}

func (t *sqlTx) exec(q string, args ...any) error {
	if t.pgw != nil {
		q, args = pgStatement(q, args)
		n, err := t.pgw.hold(q, args)
		if err == nil && n >= pgPipeMax {
			err = t.pgw.flush(t.ctx)
		}
		return err
	}
	_, err := t.execResult(q, args...)
	return err
}

// pgReady counts the round trip of a statement that has an answer; in the
// PostgreSQL writer, what it holds back goes in the same one (pgPipe).
func (t *sqlTx) pgReady() error {
	if t.pgw != nil {
		t.pgw.trips.Add(1)
	}
	return nil
}

func (t *sqlTx) execResult(q string, args ...any) (sql.Result, error) {
	if t.pg != nil {
		q, args = pgStatement(q, args)
		if err := t.pgReady(); err != nil {
			return nil, err
		}
		return t.pg.ExecContext(t.ctx, q, args...)
	}
	st, err := t.stmt(q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(t.ctx, args...)
}

func (t *sqlTx) query(q string, args ...any) (*sql.Rows, error) {
	if t.pg != nil {
		q, args = pgStatement(q, args)
		if err := t.pgReady(); err != nil {
			return nil, err
		}
		return t.pg.QueryContext(t.ctx, q, args...)
	}
	st, err := t.stmt(q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(t.ctx, args...)
}

// row runs a query for one row; a prepare error comes out of Scan.
func (t *sqlTx) row(q string, args ...any) scanner {
	if t.pg != nil {
		q, args = pgStatement(q, args)
		if err := t.pgReady(); err != nil {
			return errScanner{err}
		}
		return t.pg.QueryRowContext(t.ctx, q, args...)
	}
	st, err := t.stmt(q)
	if err != nil {
		return errScanner{err}
	}
	return st.QueryRowContext(t.ctx, args...)
}

type scanner interface{ Scan(...any) error }

type errScanner struct{ err error }

func (e errScanner) Scan(...any) error { return e.err }

func (t *sqlTx) one(q string, args []any, dst ...any) error {
	err := t.row(q, args...).Scan(dst...)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

func millis(t time.Time) int64 { return t.UnixMilli() }

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

func nullBody(b json.RawMessage) any {
	if b == nil {
		return nil
	}
	return string(b)
}

func (t *sqlTx) LastSeq() (int64, error) {
	if t.pg != nil {
		if n, ok := t.pgHeldCounter(pgSeqCounter); ok {
			return n, nil
		}
	}
	var n int64
	err := t.one("SELECT value FROM counters WHERE name = 'seq'", nil, &n)
	return n, err
}

func (t *sqlTx) ScopeEnd(scope Scope) (int64, error) {
	var n int64
	fn := "max" // SQLite's scalar max
	if t.pg != nil {
		fn = "greatest"
	}
	err := t.one(`SELECT `+fn+`(
		coalesce((SELECT max(seq) FROM feed WHERE kiosk = 0 AND street = ''), 0),
		coalesce((SELECT max(seq) FROM feed WHERE kiosk = 0 AND street = ?1 AND ?1 <> ''), 0))`,
		[]any{scope.Street}, &n)
	return n, err
}

func (t *sqlTx) Behind(scope Scope, after, casesAfter int64) (int64, error) {
	var n int64
	err := t.one(`SELECT
		(SELECT count(*) FROM feed WHERE kiosk = 0 AND street = '' AND seq > ?1) +
		(SELECT count(*) FROM feed WHERE kiosk = 0 AND street = ?2 AND ?2 <> '' AND seq > ?1) +
		(SELECT count(*) FROM feed WHERE kiosk <> 0 AND kiosk = ?3 AND seq > ?4)`,
		[]any{after, scope.Street, scope.Kiosk, casesAfter}, &n)
	return n, err
}

func (t *sqlTx) Feed(scope Scope, after, casesAfter int64, limit int) ([]data.Change, error) {
	if t.pg != nil {
		return t.pgFeed(scope, after, casesAfter, limit)
	}
	// First the page's sequence numbers: one index range per scope, each
	// cut at the limit, merged by seq, all from the covering indexes.
	// Merging whole rows instead copied every body of the three ranges
	// through SQLite's temporary sort trees, a third of the query's time.
	seqs, err := t.query(`SELECT seq FROM (
		SELECT * FROM (SELECT seq FROM feed
			WHERE kiosk = 0 AND street = '' AND seq > ?1 ORDER BY seq LIMIT ?4)
		UNION ALL
		SELECT * FROM (SELECT seq FROM feed
			WHERE kiosk = 0 AND street = ?2 AND ?2 <> '' AND seq > ?1 ORDER BY seq LIMIT ?4)
		UNION ALL
		SELECT * FROM (SELECT seq FROM feed
			WHERE kiosk <> 0 AND kiosk = ?3 AND seq > ?5 ORDER BY seq LIMIT ?4)
	) ORDER BY seq LIMIT ?4`, after, scope.Street, scope.Kiosk, limit, casesAfter)
	if err != nil {
		return nil, err
	}
	list := []byte{'['}
	for seqs.Next() {
		var seq int64
		if err := seqs.Scan(&seq); err != nil {
			seqs.Close()
			return nil, err
		}
		if len(list) > 1 {
			list = append(list, ',')
		}
		list = strconv.AppendInt(list, seq, 10)
	}
	seqs.Close()
	if err := seqs.Err(); err != nil {
		return nil, err
	}
	if len(list) == 1 {
		return []data.Change{}, nil
	}
	list = append(list, ']')
	// Then the rows, looked up by rowid in order (no sort).
	rows, err := t.query(`SELECT seq, kind, id, op, version, body FROM feed
		WHERE seq IN (SELECT value FROM json_each(?)) ORDER BY seq`, string(list))
	if err != nil {
		return nil, err
	}
	return scanChanges(rows, limit)
}

// scanChanges reads a page of the feed and closes rows.
func scanChanges(rows *sql.Rows, limit int) ([]data.Change, error) {
	defer rows.Close()
	out := make([]data.Change, 0, min(limit, 1024))
	for rows.Next() {
		var c data.Change
		var body sql.NullString
		if err := rows.Scan(&c.Seq, &c.Kind, &c.ID, &c.Op, &c.Version, &body); err != nil {
			return nil, err
		}
		if body.Valid && body.String != "" {
			// The driver made the string for this row; the page only
			// reads the body, so it shares the string's bytes instead
			// of copying a megabyte a page.
			c.Body = unsafe.Slice(unsafe.StringData(body.String), len(body.String))
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

const itemCols = "kind, id, street, kiosk, version, deleted, body, seq"

func scanItem(sc scanner) (Item, error) {
	var it Item
	var body sql.NullString
	if err := sc.Scan(&it.Kind, &it.ID, &it.Street, &it.Kiosk, &it.Version, &it.Deleted, &body, &it.Seq); err != nil {
		return it, err
	}
	if body.Valid {
		it.Body = json.RawMessage(body.String)
	}
	return it, nil
}

func (t *sqlTx) Item(kind data.Kind, id string) (Item, error) {
	it, err := scanItem(t.row("SELECT "+itemCols+" FROM items WHERE kind = ? AND id = ?", kind, id))
	if errors.Is(err, sql.ErrNoRows) {
		return it, ErrNotFound
	}
	return it, err
}

func (t *sqlTx) LiveItems(kind data.Kind) ([]Item, error) {
	cache := kind == data.KindCalendar && t.pgw != nil
	if cache && t.pgCalendar != nil {
		return slices.Clone(t.pgCalendar), nil
	}
	items, err := t.items("SELECT "+itemCols+" FROM items WHERE kind = ? AND deleted = 0 ORDER BY id", kind)
	if err == nil && cache {
		t.pgCalendar = slices.Clone(items)
		if t.pgCalendar == nil {
			t.pgCalendar = []Item{}
		}
	}
	return items, err
}

func (t *sqlTx) StreetItems(kind data.Kind, street string) ([]Item, error) {
	return t.items("SELECT "+itemCols+" FROM items WHERE kind = ? AND deleted = 0 AND street IN (?, '') ORDER BY id", kind, street)
}

func (t *sqlTx) items(q string, args ...any) ([]Item, error) {
	return queryAll(t, scanItem, q, args...)
}

// queryAll runs q and scans every row it returns with scan.
func queryAll[T any](t *sqlTx, scan func(scanner) (T, error), q string, args ...any) ([]T, error) {
	rows, err := t.query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func (t *sqlTx) nextSeq() (int64, error) {
	if t.pg != nil {
		return t.pgNextSeq()
	}
	var n int64
	err := t.one("UPDATE counters SET value = value + 1 WHERE name = 'seq' RETURNING value", nil, &n)
	return n, err
}

func (t *sqlTx) feedRow(it Item, street string, kiosk int64, op data.Op, body json.RawMessage) (int64, error) {
	seq, err := t.nextSeq()
	if err != nil {
		return 0, err
	}
	err = t.exec(`INSERT INTO feed(seq, kind, id, street, kiosk, op, version, body) VALUES(?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(kind, id, street, kiosk) DO UPDATE SET seq = excluded.seq, op = excluded.op,
			version = excluded.version, body = excluded.body`,
		seq, it.Kind, it.ID, street, kiosk, op, it.Version, nullBody(body))
	return seq, err
}

func (t *sqlTx) PutItem(it Item) (int64, error) {
	if it.Kind == data.KindCalendar {
		t.pgCalendar = nil
	}
	var old Item
	err := ErrNotFound
	if !it.New {
		old, err = t.Item(it.Kind, it.ID)
	}
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return 0, err
	case old.Street != it.Street || old.Kiosk != it.Kiosk:
		// The deletion for the old scope goes first: a kiosk that sees
		// both (a district-wide item becoming its street's) applies the
		// deletion and then the upsert, never the other way round.
		if _, err := t.feedRow(it, old.Street, old.Kiosk, data.OpDelete, nil); err != nil {
			return 0, err
		}
	}
	op, body := data.OpUpsert, it.Body
	if it.Deleted {
		op, body = data.OpDelete, nil
	}
	seq, err := t.feedRow(it, it.Street, it.Kiosk, op, body)
	if err != nil {
		return 0, err
	}
	err = t.exec(`INSERT INTO items(kind, id, street, kiosk, version, deleted, body, seq) VALUES(?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(kind, id) DO UPDATE SET street = excluded.street, kiosk = excluded.kiosk, version = excluded.version,
			deleted = excluded.deleted, body = excluded.body, seq = excluded.seq`,
		it.Kind, it.ID, it.Street, it.Kiosk, it.Version, it.Deleted, nullBody(body), seq)
	if err != nil {
		return 0, err
	}
	return seq, t.index(it)
}

const kioskCols = "id, street, name, created_at, revoked_at, reset_pending, seen_at, app_version, outbox, dead_letters, cursor"

func scanKiosk(sc scanner) (Kiosk, error) {
	var k Kiosk
	var created int64
	var revoked, seen, outbox, dead, cursor sql.NullInt64
	if err := sc.Scan(&k.ID, &k.Street, &k.Name, &created, &revoked, &k.ResetPending,
		&seen, &k.Seen.Version, &outbox, &dead, &cursor); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return k, ErrNotFound
		}
		return k, err
	}
	k.CreatedAt = fromMillis(created)
	if revoked.Valid {
		at := fromMillis(revoked.Int64)
		k.RevokedAt = &at
	}
	if seen.Valid {
		at := fromMillis(seen.Int64)
		k.Seen.At = &at
	}
	if outbox.Valid {
		n := int(outbox.Int64)
		k.Seen.Outbox = &n
	}
	if dead.Valid {
		n := int(dead.Int64)
		k.Seen.DeadLetters = &n
	}
	if cursor.Valid {
		k.Seen.Cursor = &cursor.Int64
	}
	return k, nil
}

func (t *sqlTx) Kiosk(id int64) (Kiosk, error) {
	return scanKiosk(t.row("SELECT "+kioskCols+" FROM kiosks WHERE id = ?", id))
}

func (t *sqlTx) KioskByTokenHash(hash string) (Kiosk, error) {
	return scanKiosk(t.row("SELECT "+kioskCols+" FROM kiosks WHERE token_hash = ?", hash))
}

func (t *sqlTx) Kiosks() ([]Kiosk, error) {
	return queryAll(t, scanKiosk, "SELECT "+kioskCols+" FROM kiosks ORDER BY id")
}

func (t *sqlTx) TokenHashes(street string) (map[int64]string, error) {
	rows, err := t.query("SELECT id, token_hash FROM kiosks WHERE street = ? AND revoked_at IS NULL ORDER BY id", street)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var h string
		if err := rows.Scan(&id, &h); err != nil {
			return nil, err
		}
		out[id] = h
	}
	return out, rows.Err()
}

func (t *sqlTx) PINKey(street string) ([]byte, error) {
	var key []byte
	err := t.one("SELECT key FROM pin_keys WHERE street = ?", []any{street}, &key)
	return key, err
}

func (t *sqlTx) AddPINKey(street string, key []byte, at time.Time) error {
	return t.exec("INSERT INTO pin_keys(street, key, created_at) VALUES(?, ?, ?)", street, key, millis(at))
}

func (t *sqlTx) AddKiosk(k Kiosk, tokenHash string) (int64, error) {
	var id int64
	err := t.one("INSERT INTO kiosks(street, name, token_hash, created_at) VALUES(?, ?, ?, ?) RETURNING id",
		[]any{k.Street, k.Name, tokenHash, millis(k.CreatedAt)}, &id)
	return id, err
}

func (t *sqlTx) SetTokenHash(id int64, tokenHash string) error {
	return t.exec("UPDATE kiosks SET token_hash = ? WHERE id = ?", tokenHash, id)
}

func (t *sqlTx) RevokeKiosk(id int64, at time.Time) error {
	return t.exec("UPDATE kiosks SET revoked_at = ? WHERE id = ?", millis(at), id)
}

func (t *sqlTx) ReinstateKiosk(id int64) error {
	return t.exec("UPDATE kiosks SET revoked_at = NULL WHERE id = ?", id)
}

func (t *sqlTx) Entry(id string) (Entry, error) {
	e := Entry{ID: id}
	var result string
	var at int64
	if err := t.one("SELECT kiosk, kind, hash, result, at FROM ledger WHERE id = ?", []any{id},
		&e.Kiosk, &e.Kind, &e.Hash, &result, &at); err != nil {
		return e, err
	}
	return e, e.finish(result, at)
}

// finish fills in what an entry's row holds encoded.
func (e *Entry) finish(result string, at int64) error {
	e.At = fromMillis(at)
	if err := json.Unmarshal([]byte(result), &e.Result); err != nil {
		return fmt.Errorf("ledger entry %s: %w", e.ID, err)
	}
	return nil
}

// idIn is the condition "id is in the JSON list ?". PostgreSQL cannot
// tell how long the list is, and for a table of a few thousand rows it
// read the whole table rather than look each id up; an array makes it
// use the primary key.
func (t *sqlTx) idIn() string {
	if t.pg != nil {
		return "id = ANY(ARRAY(SELECT json_array_elements_text(?::json)))"
	}
	return "id IN (SELECT value FROM json_each(?))"
}

func (t *sqlTx) Seen(ids, caseIDs []string) (map[string]Entry, map[string]bool, error) {
	lists := make([]any, 2)
	for i, l := range [][]string{ids, caseIDs} {
		b, err := json.Marshal(append([]string{}, l...))
		if err != nil {
			return nil, nil, err
		}
		lists[i] = string(b)
	}
	rows, err := t.query(`SELECT 'l', id, kiosk, kind, hash, result, at FROM ledger WHERE `+t.idIn()+`
		UNION ALL SELECT 'c', id, 0, '', '', '', 0 FROM cases WHERE `+t.idIn(), lists...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	entries, filed := map[string]Entry{}, map[string]bool{}
	for rows.Next() {
		var from, result string
		var e Entry
		var at int64
		if err := rows.Scan(&from, &e.ID, &e.Kiosk, &e.Kind, &e.Hash, &result, &at); err != nil {
			return nil, nil, err
		}
		if from == "c" {
			filed[e.ID] = true
			continue
		}
		if err := e.finish(result, at); err != nil {
			return nil, nil, err
		}
		entries[e.ID] = e
	}
	return entries, filed, rows.Err()
}

func (t *sqlTx) PutEntry(e Entry) error {
	result, err := json.Marshal(e.Result)
	if err != nil {
		return err
	}
	return t.exec("INSERT INTO ledger(id, kiosk, kind, hash, result, at) VALUES(?, ?, ?, ?, ?, ?)",
		e.ID, e.Kiosk, e.Kind, e.Hash, string(result), millis(e.At))
}

const caseCols = "kiosk, received_at, version, assigned, phone4_hash, doc"

func scanCase(sc scanner) (CaseRecord, error) {
	var c CaseRecord
	var received int64
	var doc string
	if err := sc.Scan(&c.Kiosk, &received, &c.Version, &c.Assigned, &c.Phone4Hash, &doc); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return c, ErrNotFound
		}
		return c, err
	}
	c.ReceivedAt = fromMillis(received)
	if err := json.Unmarshal([]byte(doc), &c.Case); err != nil {
		return c, fmt.Errorf("case record does not decode: %w", err)
	}
	return c, nil
}

func (t *sqlTx) Case(id string) (CaseRecord, error) {
	return scanCase(t.row("SELECT "+caseCols+" FROM cases WHERE id = ?", id))
}

func (t *sqlTx) CaseByRef(ref string) (CaseRecord, error) {
	return scanCase(t.row("SELECT "+caseCols+" FROM cases WHERE ref = ?", ref))
}

func (t *sqlTx) Cases(f CaseFilter) ([]CaseRecord, error) {
	q := "SELECT " + caseCols + " FROM cases WHERE (? = '' OR status = ?) AND (? = '' OR street = ?) ORDER BY received_at, ref"
	return queryAll(t, scanCase, q, f.Status, f.Status, f.Street, f.Street)
}

func (t *sqlTx) CasesAfter(after string, limit int) ([]CaseRecord, error) {
	return queryAll(t, scanCase, "SELECT "+caseCols+" FROM cases WHERE id > ? ORDER BY id LIMIT ?", after, limit)
}

func scanAPIKey(sc scanner) (APIKey, error) {
	var k APIKey
	var created int64
	if err := sc.Scan(&k.ID, &k.Name, &created); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return k, ErrNotFound
		}
		return k, err
	}
	k.CreatedAt = fromMillis(created)
	return k, nil
}

func (t *sqlTx) APIKeyByHash(hash string) (APIKey, error) {
	return scanAPIKey(t.row("SELECT id, name, created_at FROM api_keys WHERE key_hash = ?", hash))
}

func (t *sqlTx) APIKeys() ([]APIKey, error) {
	return queryAll(t, scanAPIKey, "SELECT id, name, created_at FROM api_keys ORDER BY id")
}

func (t *sqlTx) AddAPIKey(k APIKey, keyHash string) (int64, error) {
	var id int64
	err := t.one("INSERT INTO api_keys(name, key_hash, created_at) VALUES(?, ?, ?) RETURNING id",
		[]any{k.Name, keyHash, millis(k.CreatedAt)}, &id)
	return id, err
}

func (t *sqlTx) RemoveAPIKey(id int64) (bool, error) {
	var n int64
	err := t.one("DELETE FROM api_keys WHERE id = ? RETURNING id", []any{id}, &n)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

func (t *sqlTx) PublicAppeals(f PublicFilter) ([]CaseRecord, error) {
	if t.pg != nil {
		return t.pgPublicAppeals(f)
	}
	q := "SELECT " + caseCols + ` FROM cases WHERE kind = ? AND json_extract(doc, '$.public') = 1
		AND (? = '' OR street = ?) AND (? = '' OR json_extract(doc, '$.appeal_type') = ?)
		AND (? = 0 OR coalesce(json_extract(doc, '$.reply.text'), '') != '')
		ORDER BY json_extract(doc, '$.reply.at') DESC, received_at DESC, ref DESC`
	return queryAll(t, scanCase, q, data.CaseAppeal, f.Street, f.Street, f.Type, f.Type, f.Answered)
}

func (t *sqlTx) NextSerial(series string) (int64, error) {
	if t.pgw != nil {
		return t.pgNext("serial:" + series)
	}
	var n int64
	err := t.one(`INSERT INTO counters(name, value) VALUES(?, 1)
		ON CONFLICT(name) DO UPDATE SET value = counters.value + 1 RETURNING value`, []any{"serial:" + series}, &n)
	return n, err
}

func (t *sqlTx) PutCase(c CaseRecord) error {
	doc, err := json.Marshal(c.Case)
	if err != nil {
		return err
	}
	assigned := c.Assigned
	if assigned == "" {
		assigned = c.Case.Street
	}
	err = t.exec(`INSERT INTO cases(id, ref, kind, street, kiosk, status, received_at, version, doc, assigned, channel, open, due, phone4_hash, department)
		VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(id) DO UPDATE SET status = excluded.status, version = excluded.version, doc = excluded.doc,
			assigned = excluded.assigned, channel = excluded.channel, open = excluded.open, due = excluded.due,
			phone4_hash = excluded.phone4_hash, department = excluded.department`,
		c.Case.ID, c.Case.Ref, c.Case.Kind, c.Case.Street, c.Kiosk, c.Case.Status, millis(c.ReceivedAt), c.Version, string(doc),
		assigned, string(c.Case.Channel), caseOpen(&c.Case), caseDue(&c.Case), c.Phone4Hash, c.Case.Department)
	if err != nil {
		return err
	}
	// The reports' facts go with the case, in its transaction
	// (sqlite_report.go). received_at never changes once stored.
	return t.exec(putFacts, factsArgs(&c.Case, c.ReceivedAt)...)
}

func (t *sqlTx) AddOpinion(o OpinionRecord) error {
	doc, err := json.Marshal(o.Opinion)
	if err != nil {
		return err
	}
	return t.exec("INSERT INTO opinions(id, ref, consultation, topic, street, kiosk, received_at, late, doc) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)",
		o.Opinion.ID, o.Ref, o.Opinion.Consultation, o.Opinion.Topic, o.Street, o.Kiosk, millis(o.ReceivedAt), o.Late, string(doc))
}

func (t *sqlTx) UpdateOpinion(o OpinionRecord) error {
	doc, err := json.Marshal(o.Opinion)
	if err != nil {
		return err
	}
	return t.exec("UPDATE opinions SET doc = ? WHERE id = ?", string(doc), o.Opinion.ID)
}

func (t *sqlTx) OpinionsAfter(after string, limit int) ([]OpinionRecord, error) {
	return queryAll(t, scanOpinion, "SELECT "+opinionCols+" FROM opinions WHERE id > ? ORDER BY id LIMIT ?", after, limit)
}

func (t *sqlTx) AddRating(r RatingRecord) error {
	return t.exec("INSERT INTO ratings(id, case_id, rating, comment, kiosk, received_at) VALUES(?, ?, ?, ?, ?, ?)",
		r.ID, r.Case, int(r.Rating), r.Comment, r.Kiosk, millis(r.ReceivedAt))
}

func (t *sqlTx) AddAudit(a AuditRecord) error {
	return t.exec(`INSERT INTO audit(id, kiosk, street, staff, staff_id, action, detail, at, received_at)
		VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.ID, a.Kiosk, a.Street, a.Staff, a.StaffID, a.Action, a.Detail,
		millis(a.At), millis(a.ReceivedAt))
}

func (t *sqlTx) Audit() ([]AuditRecord, error) {
	rows, err := t.query(`SELECT id, kiosk, street, staff, staff_id, action, detail, at, received_at
		FROM audit ORDER BY received_at, rowid`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AuditRecord
	for rows.Next() {
		var a AuditRecord
		var at, received int64
		if err := rows.Scan(&a.ID, &a.Kiosk, &a.Street, &a.Staff, &a.StaffID, &a.Action, &a.Detail, &at, &received); err != nil {
			return nil, err
		}
		a.At, a.ReceivedAt = fromMillis(at), fromMillis(received)
		out = append(out, a)
	}
	return out, rows.Err()
}

func (t *sqlTx) OrderReset(street string) (int, error) {
	res, err := t.execResult("UPDATE kiosks SET reset_pending = 1 WHERE street = ? AND revoked_at IS NULL", street)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

func (t *sqlTx) ResetDone(kiosk int64) error {
	return t.exec("UPDATE kiosks SET reset_pending = 0 WHERE id = ?", kiosk)
}

func (t *sqlTx) File(path string) (StoredFile, error) {
	f := StoredFile{Path: path}
	var added int64
	err := t.one("SELECT sha256, type, size, name, added_at FROM files WHERE path = ?", []any{path},
		&f.SHA256, &f.Type, &f.Size, &f.Name, &added)
	f.AddedAt = fromMillis(added)
	return f, err
}

func (t *sqlTx) FileData(path string) ([]byte, error) {
	var b []byte
	err := t.one("SELECT data FROM files WHERE path = ?", []any{path}, &b)
	return b, err
}

func (t *sqlTx) Files() ([]StoredFile, error) {
	rows, err := t.query("SELECT path, sha256, type, size, name, added_at FROM files ORDER BY path")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []StoredFile
	for rows.Next() {
		var f StoredFile
		var added int64
		if err := rows.Scan(&f.Path, &f.SHA256, &f.Type, &f.Size, &f.Name, &added); err != nil {
			return nil, err
		}
		f.AddedAt = fromMillis(added)
		out = append(out, f)
	}
	return out, rows.Err()
}

func (t *sqlTx) DeleteFile(path string) (bool, error) {
	res, err := t.execResult("DELETE FROM files WHERE path = ?", path)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (t *sqlTx) PutFile(f StoredFile, data []byte) (bool, error) {
	res, err := t.execResult(`INSERT INTO files(path, sha256, type, size, name, added_at, data) VALUES(?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(path) DO NOTHING`, f.Path, f.SHA256, f.Type, f.Size, f.Name, millis(f.AddedAt), data)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (t *sqlTx) TrackFailures(key string, since time.Time) (int, error) {
	var n int
	err := t.one("SELECT count(*) FROM track_failures WHERE key = ? AND at > ?", []any{key, millis(since)}, &n)
	return n, err
}

func (t *sqlTx) AddTrackFailure(key string, at, expired time.Time) error {
	if err := t.exec("DELETE FROM track_failures WHERE at <= ?", millis(expired)); err != nil {
		return err
	}
	return t.exec("INSERT INTO track_failures(key, at) VALUES(?, ?)", key, millis(at))
}

func (t *sqlTx) Setting(name string) (string, error) {
	var v string
	err := t.one("SELECT value FROM settings WHERE name = ?", []any{name}, &v)
	if errors.Is(err, ErrNotFound) {
		return "", nil
	}
	return v, err
}

func (t *sqlTx) SetSetting(name, value string) error {
	if value == "" {
		return t.exec("DELETE FROM settings WHERE name = ?", name)
	}
	return t.exec("INSERT INTO settings(name, value) VALUES(?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value", name, value)
}

func (t *sqlTx) TrackGrant(tokenHash string) (TrackGrant, error) {
	var g TrackGrant
	var expires int64
	err := t.one("SELECT case_id, street, public_only, expires FROM track_grants WHERE token_hash = ?", []any{tokenHash},
		&g.Case, &g.Street, &g.PublicOnly, &expires)
	g.Expires = fromMillis(expires)
	return g, err
}

func (t *sqlTx) AddTrackGrant(tokenHash string, g TrackGrant, now time.Time) error {
	if err := t.exec("DELETE FROM track_grants WHERE expires <= ?", millis(now)); err != nil {
		return err
	}
	return t.exec("INSERT INTO track_grants(token_hash, case_id, street, public_only, expires) VALUES(?, ?, ?, ?, ?)",
		tokenHash, g.Case, g.Street, g.PublicOnly, millis(g.Expires))
}
