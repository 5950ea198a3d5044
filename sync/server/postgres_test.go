package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"jiezhen/data"
)

// TestPostgresBigWriteReadsLinearly: a write that publishes thousands of
// items into empty tables looks each one up through the unique indexes,
// reading a bounded number of rows per item. With the plans a connection
// caches (made while the tables were empty) it looked every search
// document up through the home's sort index, reading all the documents
// of the kind per item: a publish of 100,000 items ran for hours.
func TestPostgresBigWriteReadsLinearly(t *testing.T) {
	const n = 3000
	st := openPostgres(t)
	var read int64
	err := st.Write(context.Background(), func(tx Tx) error {
		before := rowsRead(t, tx.(*sqlTx))
		if err := putNotices(tx, streetA, n); err != nil {
			return err
		}
		read = rowsRead(t, tx.(*sqlTx)) - before
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if read > 50*n {
		t.Errorf("publishing %d items read %d rows, %d per item", n, read, read/n)
	}
}

// TestPostgresPullReadsLinearly: a kiosk paging through a large feed of
// district-wide changes reads each page's rows, not the feed from its
// start. With cached plans, made from the statistics of a district whose
// feed is all district-wide, every page after the fifth was a merge join
// that read the feed from its first change, and its street's empty range
// was looked for among all the changes after the cursor.
func TestPostgresPullReadsLinearly(t *testing.T) {
	const n, limit = 3000, 100
	ctx := context.Background()
	st := openPostgres(t)
	if err := st.Write(ctx, func(tx Tx) error { return putNotices(tx, "", n) }); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().Exec("VACUUM ANALYZE"); err != nil {
		t.Fatal(err)
	}
	var read int64
	got := 0
	err := st.Read(ctx, func(tx ReadTx) error {
		var after int64
		before := rowsRead(t, tx.(*sqlTx))
		for {
			page, err := tx.Feed(Scope{Street: streetA, Kiosk: 1}, after, after, limit)
			if err != nil || len(page) == 0 {
				read = rowsRead(t, tx.(*sqlTx)) - before
				return err
			}
			got += len(page)
			after = page[len(page)-1].Seq
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if got != n {
		t.Fatalf("pulled %d changes, want %d", got, n)
	}
	if read > 5*n {
		t.Errorf("pulling %d changes read %d rows, %d per change", n, read, read/n)
	}
}

// putNotices publishes n notices of street ("" for district-wide), each
// of about 1.5 kB as real ones are: a feed of short rows is read faster
// whole than through its indexes.
func putNotices(tx Tx, street string, n int) error {
	text := strings.Repeat("请居民携带身份证到服务中心办理。", 30)
	for i := range n {
		id := fmt.Sprintf("big-%05d", i)
		body, _ := json.Marshal(data.Notice{ID: id, Street: street, Title: fmt.Sprintf("第%d号通知", i),
			Category: "通知", Publisher: "天河南街道办事处", Published: data.MustDate("2026-11-02"), Body: text})
		if _, err := tx.PutItem(Item{Kind: data.KindNotice, ID: id, Street: street, Version: 1, Body: body}); err != nil {
			return err
		}
	}
	return nil
}

// rowsRead is how many table rows the connection of tx has read and not
// yet reported to the statistics: the transaction's reads are the
// difference between two calls in it.
func rowsRead(t *testing.T, tx *sqlTx) int64 {
	t.Helper()
	var n int64
	if err := tx.row(`SELECT coalesce(sum(coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0)), 0)
		FROM pg_stat_xact_user_tables`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPushRoundTrips: on PostgreSQL a kiosk's push of three appeals,
// which runs under the district's write lock, reaches the server in few
// round trips: its inserts and updates go with its next lookup or at its
// end (pgPipe), its items are looked up in the ledger and among the filed
// cases in one statement, the database's lack of a data key is read once,
// the counters are moved in memory, and a new case's view is not looked
// for. One round trip per statement made it 29 here.
func TestPushRoundTrips(t *testing.T) {
	st := openPostgres(t)
	e := newEnvOn(t, st)
	before := st.writeTrips.Load()
	e.push(e.tokA1, appeal(t, "rt-1", streetA), appeal(t, "rt-2", streetA), appeal(t, "rt-3", streetA))
	trips := st.writeTrips.Load() - before
	t.Logf("a push of three appeals: %d round trips", trips)
	if trips > 12 {
		t.Errorf("a push of three appeals took %d round trips to the server", trips)
	}
}

// TestWriterCalendar: the PostgreSQL writer reads the calendar once per
// transaction for the filings' deadlines, and what a write does to it is
// what the writes after it in the same transaction see: a calendar item
// written is there, one written by a write that then failed is not.
func TestWriterCalendar(t *testing.T) {
	st := openPostgres(t)
	ctx := context.Background()
	var seen [3][]string
	years := func(tx Tx, into *[]string) error {
		items, err := tx.LiveItems(data.KindCalendar)
		*into = nil
		for _, it := range items {
			*into = append(*into, it.ID)
		}
		return err
	}
	put := func(tx Tx, id string) error {
		_, err := tx.PutItem(Item{Kind: data.KindCalendar, ID: id, Version: 1, Body: []byte(`{}`)})
		return err
	}
	job := func(fn func(Tx) error) *writeJob { return &writeJob{ctx: ctx, fn: fn, done: make(chan error, 1)} }
	errFails := errors.New("fails")
	batch := []*writeJob{
		job(func(tx Tx) error {
			if err := years(tx, &seen[0]); err != nil {
				return err
			}
			return put(tx, "2027")
		}),
		job(func(tx Tx) error {
			if err := years(tx, &seen[1]); err != nil {
				return err
			}
			if err := put(tx, "2028"); err != nil {
				return err
			}
			var after []string
			if err := years(tx, &after); err != nil {
				return err
			}
			return errFails
		}),
		job(func(tx Tx) error { return years(tx, &seen[2]) }),
	}
	errs := make(batchErrs, len(batch))
	st.commit(batch, errs)
	for i, want := range []error{nil, errFails, nil} {
		if err := errs[i]; !errors.Is(err, want) {
			t.Fatalf("write %d: %v, want %v", i, err, want)
		}
	}
	want := [3]string{"[]", "[2027]", "[2027]"}
	for i := range seen {
		if got := fmt.Sprint(seen[i]); got != want[i] {
			t.Errorf("write %d saw the calendar %s, want %s", i, got, want[i])
		}
	}
}

// TestWriterAfterARefusedStatement: a statement the database refuses
// aborts the writer's transaction until the write is rolled back to its
// savepoint; the writes after it in the transaction still run, their
// new statements prepared, and commit. Rolled back in the next write's
// batch, the statements to prepare were refused and pgx's cache of
// prepared statements fell out of step with the server's ("already
// exists") for the rest of the connection's life.
func TestWriterAfterARefusedStatement(t *testing.T) {
	st := openPostgres(t)
	ctx := context.Background()
	job := func(fn func(Tx) error) *writeJob { return &writeJob{ctx: ctx, fn: fn, done: make(chan error, 1)} }
	put := func(id string) *writeJob {
		return job(func(tx Tx) error {
			if _, err := tx.LiveItems(data.KindNotice); err != nil {
				return err
			}
			_, err := tx.PutItem(Item{Kind: data.KindNotice, ID: id, Version: 1, Body: []byte(`{}`)})
			return err
		})
	}
	refused := job(func(tx Tx) error {
		return tx.(*sqlTx).exec("INSERT INTO counters(name, value) VALUES('seq', 0)")
	})
	for round := range 2 {
		batch := []*writeJob{refused, put(fmt.Sprint("after-", round)), refused, put(fmt.Sprint("later-", round))}
		errs := make(batchErrs, len(batch))
		st.commit(batch, errs)
		for i, err := range errs {
			if (err == nil) != (i%2 == 1) {
				t.Fatalf("round %d, write %d: %v", round, i, err)
			}
		}
	}
	err := st.Read(ctx, func(tx ReadTx) error {
		items, err := tx.LiveItems(data.KindNotice)
		if len(items) != 4 {
			t.Errorf("%d notices stored, want 4", len(items))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
