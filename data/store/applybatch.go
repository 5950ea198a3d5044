package store

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"unsafe"

	"jiezhen/data"
)

// The batch apply path. Applying change by change costs four to six SQL
// statements per change, and each statement's fixed cost through
// database/sql and the driver is a large part of the whole. applyAll
// instead
//
//   - decodes the bodies on every core, ahead of the writer and mostly
//     while it writes (prepare, startPrepare);
//   - cuts the changes into chunks of up to chunkSize in which no item
//     occurs twice, and per chunk looks the stored versions up with one
//     query per kind, decides in Go what each change does, and writes the
//     results with a few multi-row statements per table.
//
// A chunk ends before an item would occur in it a second time, so every
// change of an item sees the writes of the ones before it, exactly as in
// sequential application: the result (rows, versions, search marks,
// counts) is the same as that of apply called change by
// change.

// chunkSize is the most changes written together. At 256 a batch of 100k
// changes runs about 5,000 statements, whose fixed cost is a few percent
// of the writer's time (chosen, not tuned).
const chunkSize = 256

// rowStep and maxRows shape the multi-row statements: a statement has a
// multiple of rowStep rows (or fewer than rowStep), at most maxRows, so a
// batch prepares a few dozen distinct statements per table, not one per
// row count.
const (
	rowStep = 16
	maxRows = chunkSize
)

// prepareWindow is how many changes one decoding job takes, and
// prepareAhead how many jobs may be decoded ahead of the writer: enough
// to keep the writer fed without holding a whole large batch decoded.
const (
	prepareWindow = 256
	prepareAhead  = 8
)

// prepared is one change as decoded ahead of the write transaction, with
// the arguments of its writes.
type prepared struct {
	c    *data.Change
	spec *kindSpec
	err  error // the change cannot be applied; nothing else is set

	// For an upsert:
	args  []any // the kind table's row: id, version, street, spec.cols..., doc
	hours []hourRow

	// Set by the chunk: the upsert is to be written, and whether the item
	// was stored before.
	write, existed bool
}

// prepare checks and decodes one change in the order apply does, so the
// same change fails with the same error. maxSeq is the batch's cursor.
func prepare(c *data.Change, maxSeq int64) prepared {
	p := prepared{c: c}
	if c.Seq > maxSeq {
		p.err = fmt.Errorf("beyond the batch cursor %d", maxSeq)
		return p
	}
	spec, ok := kindSpecs[c.Kind]
	if !ok {
		p.err = fmt.Errorf("unknown kind %q", c.Kind)
		return p
	}
	p.spec = spec
	if c.ID == "" {
		p.err = fmt.Errorf("change has no id")
		return p
	}
	switch c.Op {
	case data.OpDelete:
	case data.OpUpsert:
		r, err := spec.columns(c.ID, c.Body)
		if err != nil {
			p.err = err
			return p
		}
		p.args = make([]any, 0, len(r.vals)+4)
		p.args = append(p.args, c.ID, c.Version, r.street)
		p.args = append(p.args, r.vals...)
		p.args = append(p.args, docString(c.Body))
		p.hours = r.hours
	default:
		p.err = fmt.Errorf("unknown op %q", c.Op)
	}
	return p
}

// docString is body as the doc argument of its row's INSERT, without
// copying it: the driver copies its arguments into SQLite's memory when it
// binds them, and the prepared changes, the only holders of the string,
// end with the Apply call, during which the caller's bodies stay as they
// are. A batch of 100k changes copies about 100 MB less.
func docString(body []byte) string {
	if len(body) == 0 {
		return ""
	}
	return unsafe.String(&body[0], len(body))
}

// window is a run of consecutive changes decoded by one job; items is
// ready once done is closed.
type window struct {
	items []prepared
	done  chan struct{}
}

// startPrepare decodes changes on GOMAXPROCS goroutines, at most
// prepareAhead windows ahead of the consumer, and delivers the windows in
// order. stop must be called when the consumer is done, early or not: it
// returns once no goroutine reads changes any more.
func startPrepare(changes []data.Change, maxSeq int64) (windows <-chan *window, stop func()) {
	order := make(chan *window, prepareAhead)
	if len(changes) <= prepareWindow {
		// Not worth the goroutines.
		w := &window{items: make([]prepared, len(changes)), done: make(chan struct{})}
		for i := range changes {
			w.items[i] = prepare(&changes[i], maxSeq)
		}
		close(w.done)
		order <- w
		close(order)
		return order, func() {}
	}

	type job struct {
		lo int
		w  *window
	}
	jobs := make(chan job)
	quit := make(chan struct{})
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for j := range jobs {
				for i := range j.w.items {
					j.w.items[i] = prepare(&changes[j.lo+i], maxSeq)
				}
				close(j.w.done)
			}
		})
	}
	wg.Go(func() {
		defer close(order)
		defer close(jobs)
		for lo := 0; lo < len(changes); lo += prepareWindow {
			w := &window{items: make([]prepared, min(prepareWindow, len(changes)-lo)), done: make(chan struct{})}
			// Queued for the consumer before it is handed to a worker:
			// the consumer then only ever waits for windows in work.
			select {
			case order <- w:
			case <-quit:
				return
			}
			select {
			case jobs <- job{lo, w}:
			case <-quit:
				return
			}
		}
	})
	var once sync.Once
	return order, func() {
		once.Do(func() {
			close(quit)
			wg.Wait()
		})
	}
}

// changeError names the change an error is about, on one line.
func changeError(c *data.Change, err error) error {
	return fmt.Errorf("change seq %d (%s %s): %w", c.Seq, c.Kind, c.ID, err)
}

// applyAll applies changes in order with the meaning of calling apply on
// each, faster (see the top of this file). Changes with Seq above maxSeq
// are refused. An error names the change it is about; the caller must
// roll the transaction back, since part of the batch may be written.
func (a *applier) applyAll(changes []data.Change, maxSeq int64, res *ApplyResult) error {
	windows, stop := startPrepare(changes, maxSeq)
	defer stop()
	if err := a.loadWaiting(); err != nil {
		return err
	}
	rebuild, err := a.dropBulkIndexes(changes)
	if err != nil {
		return err
	}
	if !a.more {
		// A stream of batches in one transaction (ApplyBundle) keeps
		// the versions of the tables it found empty from one to the next.
		defer func() { a.fresh = nil }()
	}
	// Weeks no provider has any more are removed at the end: the lookup
	// needs provider_by_hours, which may be down until then.
	a.dropLater = map[string]bool{}
	defer func() { a.dropLater = nil }()
	ch := chunk{a: a, seen: make(map[itemKey]struct{}, chunkSize)}
	for w := range windows {
		<-w.done
		for i := range w.items {
			p := &w.items[i]
			if p.err != nil {
				return changeError(p.c, p.err)
			}
			if w, ok := a.waiting[itemKey{p.c.Kind, p.c.ID}]; ok {
				// An item with a staff edit waiting: one by one too.
				if err := ch.flush(res); err != nil {
					return err
				}
				delete(a.fresh, p.spec)
				if err := a.applyWaiting(p.c, w, res); err != nil {
					return changeError(p.c, err)
				}
				continue
			}
			if p.c.Op == data.OpDelete {
				// Deletes are rare in a feed: one by one, between chunks.
				if err := ch.flush(res); err != nil {
					return err
				}
				delete(a.fresh, p.spec)
				if err := a.apply(p.c, res); err != nil {
					return changeError(p.c, err)
				}
				continue
			}
			k := itemKey{p.c.Kind, p.c.ID}
			if _, again := ch.seen[k]; again || len(ch.items) == chunkSize {
				if err := ch.flush(res); err != nil {
					return err
				}
			}
			ch.seen[k] = struct{}{}
			ch.items = append(ch.items, p)
		}
	}
	if err := ch.flush(res); err != nil {
		return err
	}
	for _, q := range rebuild {
		if _, err := a.tx.ExecContext(a.ctx, q); err != nil {
			return fmt.Errorf("rebuild index: %w", err)
		}
	}
	if !a.more {
		if err := restoreDeferred(a.ctx, a.tx); err != nil {
			return err
		}
	}
	drops := a.dropLater
	a.dropLater = nil
	for key := range drops {
		if err := a.dropHours(sql.NullString{String: key, Valid: true}); err != nil {
			return err
		}
	}
	return nil
}

// bulkMin is the fewest upserts of one kind for which a batch may rebuild
// the kind table's secondary indexes (a variable for the tests).
var bulkMin = 2000

// dropBulkIndexes drops the secondary indexes of every kind table that
// the batch upserts at least bulkMin items into, and at least as many as
// the table holds, and returns the statements that create them again.
// Inserting 100k rows into the list indexes one by one costs about a third
// of applying them; building an index afresh sorts its entries once and
// writes each page once. It happens inside the batch's transaction, so
// readers never see a table without its indexes, and a rollback restores
// them. This is the first sync of a kiosk and a bundle import; a sync
// page or a day's changes stay far below either bound.
//
// A kind table that is empty at the start of such a batch holds only what
// the batch writes, so its stored versions are kept in a.fresh instead of
// being looked up (a chunk's lookup), until a change of the kind is
// applied one by one.
func (a *applier) dropBulkIndexes(changes []data.Change) ([]string, error) {
	upserts := map[data.Kind]int{}
	for i := range changes {
		if changes[i].Op == data.OpUpsert {
			upserts[changes[i].Kind]++
		}
	}
	deferred, err := deferredTables(a.ctx, a.tx)
	if err != nil {
		return nil, err
	}
	var create []string
	for _, kind := range kindOrder {
		n, spec := upserts[kind], kindSpecs[kind]
		if deferred[spec.table] {
			// Filled by the pages of this sync so far: the versions the
			// page before kept, when nothing else has written since.
			if m := a.carried[spec]; m != nil {
				if a.fresh == nil {
					a.fresh = map[*kindSpec]map[string]storedItem{}
				}
				a.fresh[spec] = m
			}
			continue
		}
		if n == 0 {
			continue
		}
		if a.more {
			done, err := a.deferIndexes(spec)
			if err != nil {
				return nil, err
			}
			if done {
				continue
			}
		}
		if n < bulkMin {
			continue
		}
		var rows int
		if err := a.tx.QueryRowContext(a.ctx, "SELECT count(*) FROM "+spec.table).Scan(&rows); err != nil {
			return nil, err
		}
		if rows == 0 {
			if a.fresh == nil {
				a.fresh = map[*kindSpec]map[string]storedItem{}
			}
			a.fresh[spec] = make(map[string]storedItem, n)
		}
		if n < rows {
			continue
		}
		q, err := a.dropIndexes(spec.table)
		if err != nil {
			return nil, err
		}
		create = append(create, q...)
	}
	return create, nil
}

// deferIndexes drops the secondary indexes of spec's table, recording
// them in deferred_index, when the table is empty: the batch is part of a
// sync that has more pages to come (a.more), so the indexes are built
// once when the last page is applied (restoreDeferred) instead of being
// updated row by row through every page after the first. A kiosk's first
// sync of 100k changes commits every 10k, and those updates cost about a
// third of its writes. Readers meanwhile see the tables without their
// list indexes: their queries give the same answers, only slower, and
// the tables hold just what the sync has written so far.
func (a *applier) deferIndexes(spec *kindSpec) (bool, error) {
	var any bool
	if err := a.tx.QueryRowContext(a.ctx, "SELECT EXISTS(SELECT 1 FROM "+spec.table+")").Scan(&any); err != nil || any {
		return false, err
	}
	names, create, err := a.indexes(spec.table)
	if err != nil {
		return false, err
	}
	if a.fresh == nil {
		a.fresh = map[*kindSpec]map[string]storedItem{}
	}
	a.fresh[spec] = map[string]storedItem{}
	for i, name := range names {
		if _, err := a.tx.ExecContext(a.ctx, `INSERT INTO deferred_index(name, tbl, sql) VALUES(?, ?, ?)`, name, spec.table, create[i]); err != nil {
			return false, err
		}
		if _, err := a.tx.ExecContext(a.ctx, `DROP INDEX "`+name+`"`); err != nil {
			return false, err
		}
	}
	return true, nil
}

// deferredTables returns the tables that have indexes in deferred_index.
func deferredTables(ctx context.Context, tx *sql.Tx) (map[string]bool, error) {
	rs, err := tx.QueryContext(ctx, "SELECT DISTINCT tbl FROM deferred_index")
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	err = scanRows(rs, func(rows *sql.Rows) error {
		var t string
		if err := rows.Scan(&t); err != nil {
			return err
		}
		out[t] = true
		return nil
	})
	return out, err
}

// restoreDeferred builds the indexes recorded in deferred_index and
// clears the record, in tx.
func restoreDeferred(ctx context.Context, tx *sql.Tx) error {
	names, create, err := namedSQL(ctx, tx, "SELECT name, sql FROM deferred_index ORDER BY name")
	if err != nil || len(names) == 0 {
		return err
	}
	for i, q := range create {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("build deferred index %s: %w", names[i], err)
		}
	}
	_, err = tx.ExecContext(ctx, "DELETE FROM deferred_index")
	return err
}

// RestoreIndexes builds any list indexes a sync that stopped before its
// last page left deferred. Open does it too; the sync agent calls it when
// a pull ends early, so the screens do not stay on the slower queries
// until the next complete sync.
//
// It also ends the indexer's pause for the sync (see ApplyPage).
func (s *Store) RestoreIndexes(ctx context.Context) error {
	s.indexHold.Store(false)
	s.carry.Store(nil) // the sync is over: no page follows to use it
	defer s.kickIndexer()
	return s.writeTx(ctx, func(tx *sql.Tx) error { return restoreDeferred(ctx, tx) })
}

// dropIndexes drops the indexes of table made by CREATE INDEX and returns
// the statements that create them again.
func (a *applier) dropIndexes(table string) ([]string, error) {
	names, create, err := a.indexes(table)
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		if _, err := a.tx.ExecContext(a.ctx, `DROP INDEX "`+name+`"`); err != nil {
			return nil, err
		}
	}
	return create, nil
}

// indexes returns the names of table's indexes made by CREATE INDEX and
// the statements that make them.
func (a *applier) indexes(table string) (names, create []string, err error) {
	return namedSQL(a.ctx, a.tx, `SELECT name, sql FROM sqlite_schema
		WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name`, table)
}

// namedSQL reads the (name, sql) rows query returns.
func namedSQL(ctx context.Context, tx *sql.Tx, query string, args ...any) (names, sqls []string, err error) {
	rs, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, nil, err
	}
	err = scanRows(rs, func(rows *sql.Rows) error {
		var name, q string
		if err := rows.Scan(&name, &q); err != nil {
			return err
		}
		names, sqls = append(names, name), append(sqls, q)
		return nil
	})
	return names, sqls, err
}

// storedItem is what a chunk's lookup reads of a stored item.
type storedItem struct {
	version int64
	hours   sql.NullString
}

type itemKey struct {
	kind data.Kind
	id   string
}

// chunk is up to chunkSize changes, no two of the same item, written
// together.
type chunk struct {
	a     *applier
	items []*prepared
	seen  map[itemKey]struct{}

	// Reused between flushes.
	byKind   map[*kindSpec][]*prepared
	stored   map[string]int64
	args     []any             // rows of items not stored yet
	upd      []any             // rows replacing stored items
	oldHours map[string]string // stored providers' week keys
	weeks    []week            // upserted providers' weeks
	dropped  []string          // week keys providers no longer have
	pending  []any
}

// flush writes the chunk and empties it.
func (ch *chunk) flush(res *ApplyResult) error {
	if len(ch.items) == 0 {
		return nil
	}
	if err := ch.write(res); err != nil {
		first, last := ch.items[0].c, ch.items[len(ch.items)-1].c
		if first == last {
			return changeError(first, err)
		}
		return fmt.Errorf("changes seq %d to %d (%s %s to %s %s): %w", first.Seq, last.Seq, first.Kind, first.ID, last.Kind, last.ID, err)
	}
	ch.items = ch.items[:0]
	clear(ch.seen)
	return nil
}

func (ch *chunk) write(res *ApplyResult) error {
	a := ch.a
	if ch.byKind == nil {
		ch.byKind = map[*kindSpec][]*prepared{}
		ch.stored = map[string]int64{}
		ch.oldHours = map[string]string{}
	}
	for spec, ps := range ch.byKind {
		ch.byKind[spec] = ps[:0]
	}
	for _, p := range ch.items {
		ch.byKind[p.spec] = append(ch.byKind[p.spec], p)
	}

	// Per kind, in a fixed order: the stored versions, the decisions,
	// the rows.
	for _, kind := range kindOrder {
		spec := kindSpecs[kind]
		ps := ch.byKind[spec]
		if len(ps) == 0 {
			continue
		}
		if err := ch.lookup(spec, ps); err != nil {
			return err
		}
		ch.args, ch.upd = ch.args[:0], ch.upd[:0]
		for _, p := range ps {
			c := p.c
			stored, exists := ch.stored[c.ID]
			switch {
			case exists && c.Version < stored:
				res.Skipped++
				continue
			case exists && c.Version == stored:
				res.Unchanged++
				continue
			}
			res.Upserted++
			p.write, p.existed = true, exists
			if fresh := a.fresh[spec]; fresh != nil {
				it := storedItem{version: c.Version}
				if spec.kind == data.KindProvider {
					it.hours.String, it.hours.Valid = p.args[len(p.args)-2].(string)
				}
				fresh[c.ID] = it
			}
			if exists {
				ch.upd = append(ch.upd, p.args...)
			} else {
				ch.args = append(ch.args, p.args...)
			}
			if spec.kind == data.KindProvider {
				ch.weeks = append(ch.weeks, week{p.args[len(p.args)-2], p.hours})
				if old, ok := ch.oldHours[c.ID]; ok && old != p.args[len(p.args)-2] {
					ch.dropped = append(ch.dropped, old)
				}
			}
		}
		if len(ch.upd) > 0 {
			if err := a.execRows(insertHead("INSERT", spec), len(spec.cols)+4, upsertTail(spec), ch.upd); err != nil {
				return err
			}
		}
		if len(ch.args) > 0 {
			if err := a.execRows(insertHead("INSERT OR FAIL", spec), len(spec.cols)+4, "", ch.args); err != nil {
				return err
			}
		}
	}

	// The providers' weeks, and the weeks they no longer have.
	if err := a.addHours(ch.weeks); err != nil {
		return err
	}
	for _, key := range ch.dropped {
		if err := a.dropHours(sql.NullString{String: key, Valid: true}); err != nil {
			return err
		}
	}
	ch.weeks, ch.dropped = ch.weeks[:0], ch.dropped[:0]

	// Search marks: the indexer derives the search document from the
	// row just written (search.go reads queued items from their rows).
	ch.pending = ch.pending[:0]
	for _, p := range ch.items {
		if p.write && p.spec.searchable {
			ch.pending = append(ch.pending, string(p.spec.kind), p.c.ID)
		}
	}
	if len(ch.pending) > 0 {
		return a.execRows("INSERT OR IGNORE INTO search_queue(kind, id) VALUES", 2, "", ch.pending)
	}
	return nil
}

// kindOrder is the order in which a chunk writes the kinds.
var kindOrder = []data.Kind{data.KindStreet, data.KindCalendar, data.KindNotice, data.KindCatalog,
	data.KindService, data.KindProvider, data.KindConsultation, data.KindStaff}

// lookup fills ch.stored with the stored versions of the items ps.
func (ch *chunk) lookup(spec *kindSpec, ps []*prepared) error {
	clear(ch.stored)
	clear(ch.oldHours)
	if fresh := ch.a.fresh[spec]; fresh != nil {
		for _, p := range ps {
			if it, ok := fresh[p.c.ID]; ok {
				ch.stored[p.c.ID] = it.version
				if it.hours.Valid {
					ch.oldHours[p.c.ID] = it.hours.String
				}
			}
		}
		return nil
	}
	ids := ch.args[:0]
	for _, p := range ps {
		ids = append(ids, p.c.ID)
	}
	ch.args = ids
	st, args, err := ch.a.inStmt("SELECT id, version, "+oldHoursCol(spec)+" FROM "+spec.table+" WHERE id IN", ids)
	if err != nil {
		return err
	}
	rows, err := st.QueryContext(ch.a.ctx, args...)
	if err != nil {
		return err
	}
	return scanRows(rows, func(rows *sql.Rows) error {
		var id string
		var v int64
		var hours sql.NullString
		if err := rows.Scan(&id, &v, &hours); err != nil {
			return err
		}
		ch.stored[id] = v
		if hours.Valid {
			ch.oldHours[id] = hours.String
		}
		return nil
	})
}

// inStmt returns the statement "head (?, ?, ...)" for vals and its
// arguments: vals padded by repeating the first, which changes nothing in
// an IN list, to a multiple of rowStep, so that a batch prepares a few
// such statements, not one per count.
func (a *applier) inStmt(head string, vals []any) (*sql.Stmt, []any, error) {
	n := (len(vals) + rowStep - 1) / rowStep * rowStep
	st, err := a.stmt(head + " (?" + strings.Repeat(", ?", n-1) + ")")
	if err != nil {
		return nil, nil, err
	}
	args := make([]any, n)
	copy(args, vals)
	for i := len(vals); i < n; i++ {
		args[i] = vals[0]
	}
	return st, args, nil
}

// rowsStmts cuts args, rows of width values each, into statements
// "head (?, ...), (?, ...) tail" of at most maxRows rows, each a multiple
// of rowStep rows or shorter than rowStep, and calls fn with each.
func (a *applier) rowsStmts(head string, width int, tail string, args []any, fn func(*sql.Stmt, []any) error) error {
	row := "(?" + strings.Repeat(", ?", width-1) + ")"
	for n := len(args) / width; n > 0; {
		m := min(n, maxRows)
		if m >= rowStep {
			m -= m % rowStep
		}
		st, err := a.stmt(head + " " + row + strings.Repeat(", "+row, m-1) + tail)
		if err != nil {
			return err
		}
		if err := fn(st, args[:m*width]); err != nil {
			return err
		}
		args, n = args[m*width:], n-m
	}
	return nil
}

func (a *applier) execRows(head string, width int, tail string, args []any) error {
	return a.rowsStmts(head, width, tail, args, func(st *sql.Stmt, args []any) error {
		_, err := st.ExecContext(a.ctx, args...)
		return err
	})
}

// insertHead and upsertTail are upsertSQL around its VALUES rows; verb
// is "INSERT" or "INSERT OR FAIL".
func insertHead(verb string, spec *kindSpec) string {
	cols := append([]string{"id", "version", "street"}, spec.cols...)
	cols = append(cols, "doc")
	return verb + " INTO " + spec.table + "(" + strings.Join(cols, ", ") + ") VALUES"
}

func upsertTail(spec *kindSpec) string {
	cols := append(append([]string{"version", "street"}, spec.cols...), "doc")
	set := make([]string, len(cols))
	for i, c := range cols {
		set[i] = c + " = excluded." + c
	}
	return " ON CONFLICT(id) DO UPDATE SET " + strings.Join(set, ", ")
}
