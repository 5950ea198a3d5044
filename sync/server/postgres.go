package server

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"jiezhen/data"
)

//go:embed migrations/postgres/*.sql
var pgMigrations embed.FS

// Postgres is the Store on a PostgreSQL server, for a city that runs
// several districtd replicas on one database (docs/ARCHITECTURE.md,
// "Engines and replicas").
//
// It runs the SQLite store's own statements (sqlTx) through
// database/sql with pgx's stdlib driver: the queries are written once,
// and pgSQL rewrites SQLite's placeholders and the few functions that
// differ. pgx caches each statement's preparation per connection.
//
// Every statement is planned for its own arguments (plan_cache_mode
// force_custom_plan, unless the URL sets it): the plan PostgreSQL would
// otherwise cache per connection after a statement's fifth run is made
// without the arguments and from the statistics of that moment. A write
// that publishes 100,000 items into tables that were empty when it began
// then looked each search document up through the home's sort index,
// reading every document of its kind, and a pull's page was a merge join
// that read the feed from its first change (docs/PERFORMANCE.md, "The
// district on PostgreSQL"). Planning costs a tenth of a millisecond for
// a write's small statements, a millisecond or two for a pull's page.
//
// Writes serialise as on SQLite: each write transaction first takes the
// transaction-scoped advisory lock writeLockKey, held until it commits.
// A second writer, on any replica, waits for the first one's commit to
// become visible before it reads anything or assigns a sequence number,
// so sequence numbers commit in the order they are given and a reader's
// snapshot always holds a prefix of the feed.
//
// Within one replica, writes queue for one goroutine that runs whatever
// has queued in one transaction, each in its own savepoint, as SQLite's
// writer does (group commit): one lock and one commit serve them all, and
// writers waiting for the lock hold one connection of the replica's pool,
// not all of them, so reads go on meanwhile.
type Postgres struct {
	db     *sql.DB
	closed atomic.Bool
	writeQueue
	closeOnce sync.Once
	// writeTrips counts the writer's round trips to the server (pgPipe).
	writeTrips atomic.Int64
}

var _ Store = (*Postgres)(nil)

// writeLockKey and migrateLockKey are the advisory locks of writes and of
// migrations ("jiezhen" and "jiezhenm" in ASCII).
const (
	writeLockKey   = 0x6a69657a68656e
	migrateLockKey = 0x6a69657a68656e6d
)

// pgConns caps one replica's connections to the server.
const pgConns = 16

// RedactURL is a database address fit for logs and errors: a URL's
// password replaced by "xxxxx".
func RedactURL(s string) string {
	if !IsPostgresURL(s) {
		return s
	}
	u, err := url.Parse(s)
	if err != nil {
		return "postgres://(an address that does not parse)"
	}
	return u.Redacted()
}

// OpenPostgres connects to the database at the URL and brings its schema
// up to date (migrations/postgres, under migrateLockKey so that replicas
// starting together apply each migration once).
func OpenPostgres(ctx context.Context, dbURL string) (*Postgres, error) {
	name := RedactURL(dbURL)
	cfg, err := pgx.ParseConfig(dbURL)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %s", name, redactErr(err, dbURL))
	}
	if _, set := cfg.RuntimeParams["plan_cache_mode"]; !set {
		cfg.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	}
	db := sql.OpenDB(pipeConnector{stdlib.GetConnector(*cfg)})
	db.SetMaxOpenConns(pgConns)
	db.SetMaxIdleConns(pgConns)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: %s", name, redactErr(err, dbURL))
	}
	if err := migratePG(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: %w", name, err)
	}
	if err := backfillSearch(ctx, db, true); err != nil {
		db.Close()
		return nil, err
	}
	if err := backfillFacts(ctx, db, true); err != nil {
		db.Close()
		return nil, err
	}
	p := &Postgres{db: db, writeQueue: newWriteQueue()}
	go p.run(p.commit)
	return p, nil
}

// OpenStore opens the store a --db value names: a PostgreSQL URL
// (IsPostgresURL) or a SQLite file.
func OpenStore(ctx context.Context, db string) (Store, error) {
	if IsPostgresURL(db) {
		return OpenPostgres(ctx, db)
	}
	return OpenSQLite(ctx, db)
}

// MigratePostgres brings the schema of the database at the URL up to
// date and closes it again (internal/pgtest readies its template with it).
func MigratePostgres(dbURL string) error {
	st, err := OpenPostgres(context.Background(), dbURL)
	if err != nil {
		return err
	}
	return st.Close()
}

// redactErr is err's text without the URL's password, should the driver
// quote it.
func redactErr(err error, dbURL string) string {
	msg := err.Error()
	if u, perr := url.Parse(dbURL); perr == nil && u.User != nil {
		if p, ok := u.User.Password(); ok && p != "" {
			msg = strings.ReplaceAll(msg, p, "xxxxx")
		}
	}
	return msg
}

// migratePG applies the migrations numbered above the database's
// schema_version, each in its own transaction with the version bump, while
// holding a session advisory lock: a second replica starting at the same
// moment waits, then finds the migrations applied. Like migrate, it
// refuses a gap in the numbers and a schema newer than it knows.
func migratePG(ctx context.Context, db *sql.DB) error {
	names, err := fs.Glob(pgMigrations, "migrations/postgres/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for i, name := range names {
		n, err := strconv.Atoi(strings.SplitN(path.Base(name), "_", 2)[0])
		if err != nil || n != i+1 {
			return fmt.Errorf("migration %s is out of sequence", name)
		}
	}
	c, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, "SELECT pg_advisory_lock($1)", int64(migrateLockKey)); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer c.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1)", int64(migrateLockKey))
	if _, err := c.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)"); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var have int
	switch err := c.QueryRowContext(ctx, "SELECT version FROM schema_version").Scan(&have); {
	case errors.Is(err, sql.ErrNoRows):
		if _, err := c.ExecContext(ctx, "INSERT INTO schema_version(version) VALUES(0)"); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
	case err != nil:
		return fmt.Errorf("migrate: %w", err)
	}
	if have > len(names) {
		return fmt.Errorf("its schema version %d is newer than this districtd knows (%d)", have, len(names))
	}
	for i, name := range names[have:] {
		n := have + i + 1
		text, err := pgMigrations.ReadFile(name)
		if err != nil {
			return err
		}
		tx, err := c.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("migrate to %d: %w", n, err)
		}
		if _, err := tx.ExecContext(ctx, string(text)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate to %d: %w", n, err)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE schema_version SET version = $1", n); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate to %d: %w", n, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migrate to %d: %w", n, err)
		}
	}
	return nil
}

// Close stops the writer, once the write it runs has ended, and closes
// the pool.
func (p *Postgres) Close() error {
	p.closeOnce.Do(func() {
		p.closed.Store(true)
		close(p.quit)
		<-p.stopped
	})
	return p.db.Close()
}

// DB is the pool, for tests and tools that look beneath the store.
func (p *Postgres) DB() *sql.DB { return p.db }

// Read runs fn on one snapshot (a read-only repeatable-read transaction).
func (p *Postgres) Read(ctx context.Context, fn func(ReadTx) error) error {
	tx, err := p.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return fmt.Errorf("database: %w", err)
	}
	defer tx.Rollback()
	return fn(&sqlTx{ctx: ctx, pg: tx})
}

// Write runs fn in a transaction that first takes writeLockKey, shared
// with the writes that queue meanwhile (see Postgres): a write whose fn
// fails is rolled back alone, and each returns once the commit that holds
// it is done.
func (p *Postgres) Write(ctx context.Context, fn func(Tx) error) error {
	if p.closed.Load() {
		return ErrClosed
	}
	return p.submit(ctx, fn)
}

// WriteAside runs fn in a transaction of its own, without writeLockKey
// (Store): concurrent with the district's ordered writes, which it meets
// only at row locks of the rows both change, and committed without
// waiting for the write-ahead log to reach the disk, since what goes
// through it is a kiosk's latest state, not what a resident filed. A fn
// that assigned a sequence number or changed the search counts is refused
// and rolled back: those need the order.
func (p *Postgres) WriteAside(ctx context.Context, fn func(Tx) error) error {
	if p.closed.Load() {
		return ErrClosed
	}
	tx, err := p.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("database: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "SET LOCAL synchronous_commit = off"); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	t := &sqlTx{ctx: ctx, pg: tx}
	if err := fn(t); err != nil {
		return err
	}
	if len(t.pgCounters) > 0 || len(t.pgCounts) > 0 || len(t.fts) > 0 {
		return errors.New("database: a write outside the district's order touched the feed or the search")
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	return nil
}

// commit runs a batch of writes in one transaction on one connection of
// the pool, its statements pipelined (pgPipe): the transaction's start
// and the lock in one round trip, each job's lookups, each job's writes
// in one round trip at its end, and the commit in one. Its statements run
// without the callers' contexts: the transaction is the batch's, and
// cancelling one statement would abort it for all.
func (p *Postgres) commit(batch []*writeJob, errs batchErrs) {
	bg := context.Background()
	conn, err := p.db.Conn(bg)
	if err != nil {
		errs.failAll(err)
		return
	}
	pipe := &pgPipe{conn: conn, trips: &p.writeTrips}
	open := false
	defer func() {
		if open {
			// A failed batch: what it wrote goes. A connection that
			// cannot even roll back is closed rather than handed to the
			// next caller inside a transaction.
			pipe.discard(0)
			if pipe.now(bg, "ROLLBACK") != nil {
				conn.Raw(func(dc any) error {
					if pc, ok := dc.(*pipeConn); ok {
						pc.Conn.Conn().Close(bg)
					}
					return nil
				})
			}
		}
		conn.Close()
	}()
	open = true
	pipe.hold("BEGIN", nil)
	pipe.hold("SELECT pg_advisory_xact_lock($1)", []any{int64(writeLockKey)})
	if err := pipe.flush(bg); err != nil {
		errs.failAll(err)
		return
	}
	t := &sqlTx{ctx: bg, pg: conn, pgw: pipe}
	ok := 0
	for i, j := range batch {
		if err := j.ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		mark := pipe.held()
		sent := pipe.trips.Load()
		countersAt := maps.Clone(t.pgCountersAt)
		pipe.hold("SAVEPOINT job", nil)
		if errs[i] = runJob(t, j.fn); errs[i] == nil {
			// runJob's pgFlush sent the job's writes.
			pipe.hold("RELEASE SAVEPOINT job", nil)
			ok++
			continue
		}
		// What the write held back goes with it.
		t.pgCounters, t.pgCounts = nil, nil
		t.pgCountersAt = countersAt
		t.pgCalendar = nil
		if pipe.trips.Load() == sent {
			// Nothing of the job reached the server.
			pipe.discard(mark)
			continue
		}
		// At once: the transaction may be aborted (pgPipe.now).
		pipe.discard(0)
		if err := pipe.now(bg, "ROLLBACK TO SAVEPOINT job; RELEASE SAVEPOINT job"); err != nil {
			errs.failAll(err)
			return
		}
	}
	if ok == 0 {
		return
	}
	for name, n := range t.pgCountersAt {
		q, args := pgStatement(pgCounterSQL, []any{name, n})
		pipe.hold(q, args)
	}
	pipe.hold("COMMIT", nil)
	if err := pipe.flush(bg); err != nil {
		errs.failAll(err)
		return
	}
	open = false
}

// noLimit stands for no LIMIT in both engines (SQLite's -1 is an error on
// PostgreSQL).
const noLimit = math.MaxInt64

var pgQueries sync.Map // SQLite statement -> PostgreSQL statement

var (
	// seq IN (SELECT value FROM json_each(?)): the list's numbers.
	pgJSONInts = regexp.MustCompile(`\b(seq|rowid) IN \(SELECT value FROM json_each\((\?\d*)\)\)`)
	pgJSONList = regexp.MustCompile(`SELECT value FROM json_each\((\?\d*)\)`)
	// A parameter only tested for NULL has no type on PostgreSQL.
	pgIsNull = regexp.MustCompile(`(\?\d*) IS NULL`)
	// A named parameter, with the character before it (not a cast's ::).
	pgNamed = regexp.MustCompile(`[^:]:[a-z_]+\b`)
	// SQLite's choice of an index.
	pgIndexedBy = regexp.MustCompile(` INDEXED BY [a-z_0-9]+`)
	// SQLite's unary + that keeps a column off an index.
	pgUnaryPlus = regexp.MustCompile(`(\s)\+([a-z_])`)
)

// pgSQL is the PostgreSQL form of one of the store's SQLite statements:
// ?NNN and ? numbered as SQLite numbers them become $N, a JSON list read
// with json_each becomes json_array_elements_text, SQLite's unary +
// on a column and INDEXED BY go, and INSERT OR IGNORE becomes ON CONFLICT
// DO NOTHING.
func pgSQL(q string) string {
	if v, ok := pgQueries.Load(q); ok {
		return v.(string)
	}
	out := pgRewrite(q)
	pgQueries.Store(q, out)
	return out
}

// pgRewrite is pgSQL without its cache.
func pgRewrite(q string) string {
	s := pgJSONInts.ReplaceAllString(q, "$1 IN (SELECT value::bigint FROM json_array_elements_text($2::json))")
	s = pgJSONList.ReplaceAllString(s, "SELECT value FROM json_array_elements_text($1::json)")
	s = pgUnaryPlus.ReplaceAllString(s, "$1$2")
	s = pgIsNull.ReplaceAllString(s, "CAST($1 AS text) IS NULL")
	s = pgIndexedBy.ReplaceAllString(s, "")
	if rest, ok := strings.CutPrefix(s, "INSERT OR IGNORE "); ok {
		s = "INSERT " + rest + " ON CONFLICT DO NOTHING"
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	most := 0
	inStr := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\'' {
			inStr = !inStr
		}
		if c != '?' || inStr {
			b.WriteByte(c)
			continue
		}
		j := i + 1
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		n := most + 1
		if j > i+1 {
			n, _ = strconv.Atoi(s[i+1 : j])
		}
		most = max(most, n)
		b.WriteString("$" + strconv.Itoa(n))
		i = j - 1
	}
	return b.String()
}

// pgStatement is the PostgreSQL form of a statement of the store and its
// arguments: SQLite's named parameters (:name, all of a statement's
// arguments given with sql.Named) become numbered ones in the order they
// first appear, and the arguments those the statement uses (PostgreSQL
// cannot type a parameter it does not see); then pgSQL and pgArgs.
func pgStatement(q string, args []any) (string, []any) {
	if len(args) == 0 {
		return pgSQL(q), args
	}
	if _, ok := args[0].(sql.NamedArg); !ok {
		return pgSQL(q), pgArgs(args)
	}
	values := map[string]any{}
	for _, a := range args {
		if n, ok := a.(sql.NamedArg); ok {
			values[n.Name] = n.Value
		}
	}
	var used []any
	number := map[string]int{}
	q = pgNamed.ReplaceAllStringFunc(q, func(m string) string {
		name := m[2:]
		v, ok := values[name]
		if !ok {
			return m
		}
		if number[name] == 0 {
			used = append(used, v)
			number[name] = len(used)
		}
		return m[:1] + "?" + strconv.Itoa(number[name])
	})
	return pgSQL(q), pgArgs(used)
}

// pgArgs stores booleans as SQLite does, as 0 and 1: the columns are
// integers in both engines.
func pgArgs(args []any) []any {
	for i, a := range args {
		if b, ok := a.(bool); ok {
			n := int64(0)
			if b {
				n = 1
			}
			args[i] = n
		}
	}
	return args
}

func (t *sqlTx) pgFeed(scope Scope, after, casesAfter int64, limit int) ([]data.Change, error) {
	rows, err := t.query(`SELECT seq, kind, id, op, version, body FROM feed WHERE seq IN (
		(SELECT seq FROM feed WHERE kiosk = 0 AND street = '' AND seq > ?1 ORDER BY seq LIMIT ?4)
		UNION ALL
		(SELECT seq FROM feed WHERE kiosk = 0 AND street = ?2 AND ?2 <> '' AND seq > ?1 ORDER BY seq LIMIT ?4)
		UNION ALL
		(SELECT seq FROM feed WHERE kiosk <> 0 AND kiosk = ?3 AND seq > ?5 ORDER BY seq LIMIT ?4)
	) ORDER BY seq LIMIT ?4`, after, scope.Street, scope.Kiosk, limit, casesAfter)
	if err != nil {
		return nil, err
	}
	return scanChanges(rows, limit)
}

func (t *sqlTx) pgPublicAppeals(f PublicFilter) ([]CaseRecord, error) {
	q := "SELECT " + caseCols + ` FROM cases WHERE kind = ? AND doc::jsonb->'public' = 'true'::jsonb
		AND (? = '' OR street = ?) AND (? = '' OR doc::jsonb->>'appeal_type' = ?)
		AND (? = 0 OR coalesce(doc::jsonb#>>'{reply,text}', '') <> '')
		ORDER BY doc::jsonb#>>'{reply,at}' DESC NULLS LAST, received_at DESC, ref DESC`
	return queryAll(t, scanCase, q, data.CaseAppeal, f.Street, f.Street, f.Type, f.Type, f.Answered)
}

// pgSearchQuery is Search's query on PostgreSQL: every term a
// case-insensitive substring of the title or the text, which pg_trgm's
// GIN indexes answer for terms of three characters or more; the newest
// searchCap matches, those with every term in the title first. It has no
// bm25: among title matches and among the others, newer ranks first.
func pgSearchQuery(street string, terms []string) (string, []any) {
	var likes, title []string
	args := []any{street}
	var targs []any
	for _, term := range terms {
		p := "%" + data.LikeEscape(term) + "%"
		likes = append(likes, `(d.title ILIKE ? ESCAPE '\' OR d.text ILIKE ? ESCAPE '\')`)
		args = append(args, p, p)
		title = append(title, `d.title ILIKE ? ESCAPE '\'`)
		targs = append(targs, p)
	}
	q := `SELECT kind, rowid, r FROM (SELECT d.kind, d.rowid, CASE WHEN ` + strings.Join(title, " AND ") +
		` THEN -1 ELSE 0 END AS r FROM search_docs d
		WHERE d.street IN (?, '') AND ` + strings.Join(likes, " AND ") + ` ORDER BY d.rowid DESC LIMIT ` + strconv.Itoa(searchCap) + `) s
		ORDER BY r, rowid DESC`
	return q, append(targs, args...)
}

// pgSeqCounter is the feed's counter: the last seq given.
const pgSeqCounter = "seq"

// pgNextSeq gives the next sequence number of a PostgreSQL write.
func (t *sqlTx) pgNextSeq() (int64, error) { return t.pgNext(pgSeqCounter) }

// pgNext moves a counter on by one and gives its new value. The counter
// is read once and written back once (pgFlush, or in the writer once per
// transaction, commit): the write holds writeLockKey, so no other one
// moves it meanwhile, and updating one row once per use made a publish of
// 100,000 items walk 100,000 dead versions of it per change, and a
// minute of filings walk thousands of versions of the day's reference
// counter per case.
func (t *sqlTx) pgNext(name string) (int64, error) {
	n, ok := t.pgHeldCounter(name)
	if !ok {
		switch err := t.one("SELECT value FROM counters WHERE name = ?", []any{name}, &n); {
		case errors.Is(err, ErrNotFound):
			n = 0
		case err != nil:
			return 0, err
		}
	}
	if t.pgCounters == nil {
		t.pgCounters = map[string]int64{}
	}
	n++
	t.pgCounters[name] = n
	return n, nil
}

// pgHeldCounter is a counter's value as this write, or the writes before
// it in the writer's transaction, left it, if they moved it.
func (t *sqlTx) pgHeldCounter(name string) (int64, bool) {
	if n, ok := t.pgCounters[name]; ok {
		return n, true
	}
	n, ok := t.pgCountersAt[name]
	return n, ok
}

// pgCounterSQL writes a counter's value.
const pgCounterSQL = "INSERT INTO counters(name, value) VALUES(?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value"

// searchCount is one row of search_counts.
type searchCount struct {
	kind             data.Kind
	street, category string
}

// pgCount holds back a change of a search count until the write ends,
// for the same reason as pgNextSeq.
func (t *sqlTx) pgCount(kind data.Kind, street, category string, d int64) {
	if t.pgCounts == nil {
		t.pgCounts = map[searchCount]int64{}
	}
	t.pgCounts[searchCount{kind, street, category}] += d
}

// pgFlush writes what a PostgreSQL write held back.
func (t *sqlTx) pgFlush() error {
	if t.pgw != nil {
		// The writer's later jobs go on from here, unless this one fails
		// before it is released; the transaction writes the counters
		// when it commits.
		if len(t.pgCounters) > 0 && t.pgCountersAt == nil {
			t.pgCountersAt = map[string]int64{}
		}
		maps.Copy(t.pgCountersAt, t.pgCounters)
	} else {
		for name, n := range t.pgCounters {
			if err := t.exec(pgCounterSQL, name, n); err != nil {
				return err
			}
		}
	}
	for c, d := range t.pgCounts {
		if d == 0 {
			continue
		}
		if err := t.exec(`INSERT INTO search_counts(kind, street, category, n) VALUES(?, ?, ?, ?)
			ON CONFLICT(kind, street, category) DO UPDATE SET n = search_counts.n + excluded.n`, c.kind, c.street, c.category, d); err != nil {
			return err
		}
	}
	if len(t.pgCounts) > 0 {
		if err := t.exec("DELETE FROM search_counts WHERE n = 0"); err != nil {
			return err
		}
	}
	if t.pgw != nil {
		if err := t.pgw.flush(t.ctx); err != nil {
			return err
		}
	}
	t.pgCounters, t.pgCounts = nil, nil
	return nil
}

// Migrated reports an error unless the database carries every migration
// this binary has (districtd's /readyz).
func (p *Postgres) Migrated(ctx context.Context) error {
	var have int
	if err := p.db.QueryRowContext(ctx, "SELECT version FROM schema_version").Scan(&have); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	names, err := fs.Glob(pgMigrations, "migrations/postgres/*.sql")
	if err != nil {
		return err
	}
	if have != len(names) {
		return fmt.Errorf("database schema is at version %d, this districtd needs %d", have, len(names))
	}
	return nil
}

// DBStats gives the pool's statistics, for the metrics.
func (p *Postgres) DBStats() map[string]sql.DBStats {
	return map[string]sql.DBStats{"postgres": p.db.Stats()}
}
