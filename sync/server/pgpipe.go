package server

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
)

// pgQuerier is what a PostgreSQL sqlTx runs its statements on: a read
// transaction (*sql.Tx), or the writer's connection (*sql.Conn) inside
// the transaction the writer began on it.
type pgQuerier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// pgPipe holds back the statements of a PostgreSQL write whose result
// nobody reads (sqlTx.exec: inserts, updates, savepoints) and sends them
// in the same round trip as the write's next statement that has an
// answer (a query, or a statement whose result is read), pipelined as a
// pgx batch, or on their own when a job or the transaction ends. A write
// under the district's lock is mostly such statements between a few
// lookups, and each round trip waits for two processes to be scheduled
// (docs/ARCHITECTURE.md, "Engines and replicas").
//
// A held-back statement's error comes out of the call that sends it, that
// is from a later call of the same write, which fails the write as the
// statement's own error would have: the store never branches on a write
// statement's error.
//
// The statements wait on the connection itself (pipeConn), so that
// database/sql's own calls on it send them first.
type pgPipe struct {
	conn *sql.Conn
	// trips counts the round trips to the server, for the tests.
	trips *atomic.Int64
}

// pgPipeMax caps what a pipe holds back: a write that publishes many
// items sends them a few hundred statements at a time.
const pgPipeMax = 256

// pgHeld is one held-back statement, already in PostgreSQL's form.
type pgHeld struct {
	q    string
	args []any
}

// on runs f on the driver's connection.
func (p *pgPipe) on(f func(*pipeConn) error) error {
	return p.conn.Raw(func(dc any) error {
		pc, ok := dc.(*pipeConn)
		if !ok {
			return fmt.Errorf("database: the driver's connection is a %T, not a pipeConn", dc)
		}
		return f(pc)
	})
}

// hold queues a statement and reports how many are held. Byte slices are
// copied: the caller may reuse its buffer before the statement is sent.
func (p *pgPipe) hold(q string, args []any) (int, error) {
	for i, a := range args {
		switch b := a.(type) {
		case []byte:
			args[i] = slices.Clone(b)
		case json.RawMessage:
			args[i] = slices.Clone(b)
		}
	}
	n := 0
	err := p.on(func(pc *pipeConn) error {
		pc.held = append(pc.held, pgHeld{q, args})
		n = len(pc.held)
		return nil
	})
	return n, err
}

// held is how many statements wait.
func (p *pgPipe) held() int {
	n := 0
	p.on(func(pc *pipeConn) error { n = len(pc.held); return nil })
	return n
}

// discard drops the held statements from n on (a failed job's, never
// sent).
func (p *pgPipe) discard(n int) {
	p.on(func(pc *pipeConn) error { pc.held = pc.held[:min(n, len(pc.held))]; return nil })
}

// flush sends what is held back, in one round trip, and returns the
// first error. PostgreSQL skips the statements after a failed one; what
// was held back is gone either way.
func (p *pgPipe) flush(ctx context.Context) error {
	return p.on(func(pc *pipeConn) error {
		if len(pc.held) == 0 {
			return nil
		}
		p.trips.Add(1)
		br, err := pc.send(ctx, "", nil)
		if err != nil {
			return err
		}
		return br.Close()
	})
}

// now runs statements without arguments at once, by the simple protocol:
// nothing to prepare, which matters in a transaction a failed statement
// has aborted, where PostgreSQL refuses to prepare anything but the
// statements that end it, and a batch that prepares several at once
// then leaves pgx's cache of them out of step with the server. What is
// held back must have been discarded.
func (p *pgPipe) now(ctx context.Context, q string) error {
	return p.on(func(pc *pipeConn) error {
		if len(pc.held) > 0 {
			return fmt.Errorf("database: %d statements held back before %q", len(pc.held), q)
		}
		p.trips.Add(1)
		_, err := pc.Conn.Conn().Exec(ctx, q)
		return err
	})
}

// pipeConnector makes pgx's database/sql connections pipeConns.
type pipeConnector struct{ driver.Connector }

func (c pipeConnector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	sc, ok := dc.(*stdlib.Conn)
	if !ok {
		dc.Close()
		return nil, fmt.Errorf("database: pgx's connector gave a %T", dc)
	}
	return &pipeConn{Conn: sc}, nil
}

// pipeConn is a pgx database/sql connection that sends the statements a
// pgPipe holds on it ahead of its next query or statement, in the same
// round trip.
type pipeConn struct {
	*stdlib.Conn
	held []pgHeld
}

// send sends the held statements and then query (if any) as one batch,
// and reads the held statements' results. On an error the batch is
// closed; otherwise the caller reads query's result and closes it.
func (c *pipeConn) send(ctx context.Context, query string, argsV []driver.NamedValue) (pgx.BatchResults, error) {
	held := c.held
	c.held = nil
	b := &pgx.Batch{}
	for _, h := range held {
		b.Queue(h.q, h.args...)
	}
	if query != "" {
		args := make([]any, len(argsV))
		for i, v := range argsV {
			args[i] = v.Value
		}
		b.Queue(query, args...)
	}
	br := c.Conn.Conn().SendBatch(ctx, b)
	for range held {
		if _, err := br.Exec(); err != nil {
			br.Close()
			return nil, err
		}
	}
	return br, nil
}

func (c *pipeConn) QueryContext(ctx context.Context, query string, argsV []driver.NamedValue) (driver.Rows, error) {
	if len(c.held) == 0 {
		return c.Conn.QueryContext(ctx, query, argsV)
	}
	br, err := c.send(ctx, query, argsV)
	if err != nil {
		return nil, err
	}
	rows, err := br.Query()
	if err != nil {
		br.Close()
		return nil, err
	}
	return &pipeRows{br: br, rows: rows, m: c.Conn.Conn().TypeMap()}, nil
}

func (c *pipeConn) ExecContext(ctx context.Context, query string, argsV []driver.NamedValue) (driver.Result, error) {
	if len(c.held) == 0 {
		return c.Conn.ExecContext(ctx, query, argsV)
	}
	br, err := c.send(ctx, query, argsV)
	if err != nil {
		return nil, err
	}
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	return driver.RowsAffected(tag.RowsAffected()), nil
}

// ResetSession drops anything still held before the pool hands the
// connection to another caller.
func (c *pipeConn) ResetSession(ctx context.Context) error {
	c.held = nil
	return c.Conn.ResetSession(ctx)
}

// pipeRows is a query's result read from a batch, as database/sql wants
// it: each value as one of driver.Value's types, as pgx's own
// database/sql rows give them.
type pipeRows struct {
	br    pgx.BatchResults
	rows  pgx.Rows
	m     *pgtype.Map
	conv  []func([]byte) (driver.Value, error)
	names []string
}

func (r *pipeRows) Columns() []string {
	if r.names == nil {
		for _, fd := range r.rows.FieldDescriptions() {
			r.names = append(r.names, fd.Name)
		}
	}
	return r.names
}

func (r *pipeRows) Close() error {
	r.rows.Close()
	err := r.rows.Err()
	if cerr := r.br.Close(); err == nil {
		err = cerr
	}
	return err
}

func (r *pipeRows) Next(dest []driver.Value) error {
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return io.EOF
	}
	if r.conv == nil {
		for _, fd := range r.rows.FieldDescriptions() {
			r.conv = append(r.conv, valueOf(r.m, fd.DataTypeOID, fd.Format))
		}
	}
	for i, raw := range r.rows.RawValues() {
		if raw == nil {
			dest[i] = nil
			continue
		}
		v, err := r.conv[i](raw)
		if err != nil {
			return fmt.Errorf("database: column %d: %w", i, err)
		}
		dest[i] = v
	}
	return nil
}

// valueOf decodes a column of the type oid into a driver.Value: integers
// as int64, floats as float64, booleans, bytea and JSON as bytes, times
// as time.Time, and anything else as its text.
func valueOf(m *pgtype.Map, oid uint32, format int16) func([]byte) (driver.Value, error) {
	scan := func(dst any, out func() driver.Value) func([]byte) (driver.Value, error) {
		plan := m.PlanScan(oid, format, dst)
		return func(src []byte) (driver.Value, error) {
			if err := plan.Scan(src, dst); err != nil {
				return nil, err
			}
			return out(), nil
		}
	}
	switch oid {
	case pgtype.Int2OID, pgtype.Int4OID, pgtype.Int8OID:
		var d int64
		return scan(&d, func() driver.Value { return d })
	case pgtype.Float4OID, pgtype.Float8OID:
		var d float64
		return scan(&d, func() driver.Value { return d })
	case pgtype.BoolOID:
		var d bool
		return scan(&d, func() driver.Value { return d })
	case pgtype.ByteaOID, pgtype.JSONOID, pgtype.JSONBOID:
		var d []byte
		return scan(&d, func() driver.Value { return slices.Clone(d) })
	case pgtype.TimestamptzOID:
		var d pgtype.Timestamptz
		return scan(&d, func() driver.Value { v, _ := d.Value(); return v })
	case pgtype.TimestampOID:
		var d pgtype.Timestamp
		return scan(&d, func() driver.Value { v, _ := d.Value(); return v })
	case pgtype.DateOID:
		var d pgtype.Date
		return scan(&d, func() driver.Value { v, _ := d.Value(); return v })
	}
	var d string
	return scan(&d, func() driver.Value { return d })
}
