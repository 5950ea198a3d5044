package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"jiezhen/data"
)

// applyOneByOne is the reference for applyAll: apply called change by
// change, as Apply did before the batch path, with the cursor.
func applyOneByOne(s *Store, changes []data.Change, cursor int64) (ApplyResult, error) {
	ctx := context.Background()
	res := ApplyResult{Cursor: cursor}
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		a := newApplier(ctx, tx)
		defer a.close()
		for i := range changes {
			if err := a.apply(&changes[i], &res); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sync_state(feed, cursor) VALUES(?, ?)
			ON CONFLICT(feed) DO UPDATE SET cursor = excluded.cursor`, ContentFeed, cursor)
		return err
	})
	return res, err
}

// dumpStore returns every content, hours, search and cursor row in a
// fixed order, rowids included, for comparing two stores exactly.
func dumpStore(t *testing.T, s *Store) string {
	t.Helper()
	var b strings.Builder
	queries := []string{
		"SELECT rowid, * FROM notice ORDER BY rowid",
		"SELECT rowid, * FROM catalog ORDER BY rowid",
		"SELECT rowid, * FROM service ORDER BY rowid",
		"SELECT rowid, * FROM provider ORDER BY rowid",
		"SELECT rowid, * FROM consultation ORDER BY rowid",
		"SELECT rowid, * FROM calendar ORDER BY rowid",
		"SELECT rowid, * FROM street ORDER BY rowid",
		"SELECT * FROM hours_spans ORDER BY 1, 2, 3",
		"SELECT rowid, * FROM search_docs ORDER BY rowid",
		"SELECT * FROM search_queue ORDER BY seq",
		"SELECT * FROM sync_state ORDER BY feed",
		"SELECT * FROM attachment_file ORDER BY path",
	}
	for _, q := range queries {
		rows, err := s.r.Query(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		fmt.Fprintf(&b, "%s\n", q)
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%v\n", vals)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return b.String()
}

// mixedChanges makes n changes over a small pool of items, so that items
// recur within a batch and across chunks: upserts with versions out of
// order, repeats of the same version, deletes, upserts after deletes,
// providers whose hours change.
func mixedChanges(t testing.TB, n int, firstSeq int64, seed uint64) []data.Change {
	r := rand.New(rand.NewPCG(seed, 7))
	out := make([]data.Change, n)
	for i := range out {
		seq := firstSeq + int64(i)
		v := int64(1 + r.IntN(6))
		var c data.Change
		switch k := r.IntN(4); k {
		case 0, 1:
			id := "n" + strconv.Itoa(r.IntN(60))
			c = upsert(t, seq, data.KindNotice, id, v, notice(id, fmt.Sprintf("停水通知 %s v%d", id, v), fmt.Sprintf("正文 %d", v)))
		case 2:
			id := "p" + strconv.Itoa(r.IntN(40))
			var h data.WeekHours
			for d := range 7 {
				if (d+int(v))%3 != 0 {
					h[d] = []data.Span{{Start: 480 + 30*int(v), End: 1020}}
				}
			}
			if v%2 == 0 {
				h[5] = append(h[5], data.Span{Start: 1200, End: 120}) // past midnight
			}
			c = upsert(t, seq, data.KindProvider, id, v, data.Provider{ID: id, Name: fmt.Sprintf("长者饭堂 %s v%d", id, v),
				Category: "长者饭堂", Hours: h, Description: fmt.Sprintf("描述 %d", v)})
		case 3:
			id := strconv.Itoa(2020 + r.IntN(5))
			y, _ := strconv.Atoi(id)
			c = upsert(t, seq, data.KindCalendar, id, v, data.CalendarYear{Year: y})
		}
		if r.IntN(6) == 0 {
			c = data.Change{Seq: seq, Kind: c.Kind, ID: c.ID, Op: data.OpDelete, Version: v}
		}
		out[i] = c
	}
	return out
}

// TestApplyAllMatchesOneByOne: the batch path leaves exactly the rows,
// rowids and pending marks that change-by-change application leaves, and
// counts the same, over batches larger than a chunk and a decoding window
// in which items recur.
func TestApplyAllMatchesOneByOne(t *testing.T) {
	t.Run("incremental", testApplyAllMatchesOneByOne)
	t.Run("bulk", func(t *testing.T) {
		// Every round upserts more items of each kind than are stored:
		// the list indexes are rebuilt each time.
		defer func(n int) { bulkMin = n }(bulkMin)
		bulkMin = 10
		testApplyAllMatchesOneByOne(t)
	})
	t.Run("bulk upserts only", func(t *testing.T) {
		// No deletes: the stored versions of the tables that began empty
		// are taken from what the batch wrote, for the whole batch.
		defer func(n int) { bulkMin, noDeletes = n, false }(bulkMin)
		bulkMin, noDeletes = 10, true
		testApplyAllMatchesOneByOne(t)
	})
}

// noDeletes makes testApplyAllMatchesOneByOne leave the deletes out.
var noDeletes bool

func testApplyAllMatchesOneByOne(t *testing.T) {
	ctx := context.Background()
	batch, one := func() (*Store, *Store) {
		a, _ := openTest(t, Options{NoIndexer: true})
		b, _ := openTest(t, Options{NoIndexer: true})
		return a, b
	}()
	seq := int64(1)
	for round, n := range []int{1500, 700, 3, 1200} {
		cs := mixedChanges(t, n, seq, uint64(round))
		seq += int64(n)
		if noDeletes {
			kept := cs[:0]
			for _, c := range cs {
				if c.Op != data.OpDelete {
					kept = append(kept, c)
				}
			}
			cs = kept
		}
		got, err := batch.Apply(ctx, ContentFeed, cs, seq-1)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		want, err := applyOneByOne(one, cs, seq-1)
		if err != nil {
			t.Fatalf("round %d, one by one: %v", round, err)
		}
		if got != want {
			t.Errorf("round %d: result %+v, one by one %+v", round, got, want)
		}
		if n > chunkSize && (got.Skipped == 0 || got.Unchanged == 0 || got.Deleted == 0 && !noDeletes) {
			t.Errorf("round %d does not exercise every outcome: %+v", round, got)
		}
		if g, w := schemaOf(t, batch), schemaOf(t, one); g != w {
			t.Fatalf("round %d: schemas differ\n%s\n%s", round, g, w)
		}
		if g, w := dumpStore(t, batch), dumpStore(t, one); g != w {
			t.Fatalf("round %d: stores differ\nbatch:\n%s\none by one:\n%s", round, firstDiff(g, w), firstDiff(w, g))
		}
		// Index half the rounds, so later rounds replace indexed documents.
		if round%2 == 0 {
			for _, s := range []*Store{batch, one} {
				if _, err := s.IndexPending(ctx, 0); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

// firstDiff returns the line of a where a and b first differ, with a
// little context.
func firstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range la {
		if i >= len(lb) || la[i] != lb[i] {
			return strings.Join(la[max(0, i-3):min(len(la), i+2)], "\n")
		}
	}
	return "(same prefix)"
}

// TestApplyAllSameItemInOneBatch spells out the cases that make a chunk
// end early: the same item upserted and deleted, versions out of order,
// deleted and upserted again.
func TestApplyAllSameItemInOneBatch(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Options{NoIndexer: true})
	res := apply(t, s, 7,
		upsert(t, 1, data.KindNotice, "n1", 1, notice("n1", "停水通知", "v1")),
		data.Change{Seq: 2, Kind: data.KindNotice, ID: "n1", Op: data.OpDelete, Version: 1},
		upsert(t, 3, data.KindNotice, "n2", 3, notice("n2", "燃气检修通知", "v3")),
		upsert(t, 4, data.KindNotice, "n2", 2, notice("n2", "燃气通知", "v2")),   // older: skipped
		upsert(t, 5, data.KindNotice, "n2", 3, notice("n2", "燃气检修通知", "v3")), // same: no-op
		upsert(t, 6, data.KindNotice, "n3", 1, notice("n3", "旧标题", "v1")),
		upsert(t, 7, data.KindNotice, "n3", 2, notice("n3", "停电通知", "v2")),
	)
	want := ApplyResult{Upserted: 4, Deleted: 1, Skipped: 1, Unchanged: 1, Cursor: 7}
	if res != want {
		t.Errorf("result %+v, want %+v", res, want)
	}
	if _, err := s.Notice(ctx, "n1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("n1 after upsert and delete: %v", err)
	}
	if n, _ := s.Notice(ctx, "n2"); n.Title != "燃气检修通知" {
		t.Errorf("n2: %+v", n)
	}
	if n, _ := s.Notice(ctx, "n3"); n.Title != "停电通知" {
		t.Errorf("n3: %+v", n)
	}
	if got := hitIDs(search(t, s, Query{Text: "通知"})); !same(got, "n3", "n2") {
		t.Errorf("search 通知: %v", got)
	}
	if got := hitIDs(search(t, s, Query{Text: "旧标题"})); len(got) != 0 {
		t.Errorf("search finds replaced text: %v", got)
	}
}

// TestApplyAllBadChangeRollsBack: one bad change in the middle of a
// 1,000-change batch, after several chunks have been written, rolls the
// whole batch back with one line naming it.
func TestApplyAllBadChangeRollsBack(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Options{NoIndexer: true})
	apply(t, s, 1, upsert(t, 1, data.KindNotice, "n0", 1, notice("n0", "原有通知", "x")))
	before := dumpStore(t, s)

	cs := mixedChanges(t, 1000, 2, 42)
	bad := &cs[700]
	*bad = data.Change{Seq: bad.Seq, Kind: data.KindService, ID: "s-bad", Op: data.OpUpsert, Version: 1, Body: []byte(`{"name": 7}`)}
	_, err := s.Apply(ctx, ContentFeed, cs, 1001)
	if err == nil {
		t.Fatal("bad batch applied")
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") || !strings.Contains(msg, "seq 702 (service s-bad)") {
		t.Errorf("error %q does not name seq, kind and id on one line", msg)
	}
	if after := dumpStore(t, s); after != before {
		t.Errorf("batch partly applied:\n%s", firstDiff(after, before))
	}

	// The same batch without the bad change applies, and also when its
	// context is cancelled halfway it rolls back as a whole.
	*bad = upsert(t, bad.Seq, data.KindNotice, "n-ok", 1, notice("n-ok", "t", "b"))
	cctx, cancel := context.WithCancel(ctx)
	go func() {
		time.Sleep(time.Millisecond)
		cancel()
	}()
	if _, err := s.Apply(cctx, ContentFeed, cs, 1001); err == nil {
		t.Log("applied before the cancel took effect")
	} else if after := dumpStore(t, s); after != before {
		t.Errorf("cancelled batch partly applied:\n%s", firstDiff(after, before))
	}
	if _, err := s.Apply(ctx, ContentFeed, cs, 1001); err != nil {
		t.Fatal(err)
	}
}

// schemaOf lists the store's tables and indexes with their SQL.
func schemaOf(t *testing.T, s *Store) string {
	t.Helper()
	rows, err := s.r.Query("SELECT type, name, coalesce(sql, '') FROM sqlite_schema ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	err = scanRows(rows, func(rows *sql.Rows) error {
		var typ, name, q string
		if err := rows.Scan(&typ, &name, &q); err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %s %s\n", typ, name, q)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestApplyBulkRebuildsIndexes: a batch that rebuilds the list indexes
// leaves the schema as it was, lists that use the indexes, and on failure
// rolls the dropped indexes back with everything else.
func TestApplyBulkRebuildsIndexes(t *testing.T) {
	defer func(n int) { bulkMin = n }(bulkMin)
	bulkMin = 100
	ctx := context.Background()
	s, _ := openTest(t, Options{NoIndexer: true})
	schema := schemaOf(t, s)

	var cs []data.Change
	for i := range 300 {
		id := fmt.Sprintf("n%03d", i)
		n := notice(id, "通知 "+id, "正文")
		n.Category = []string{"通知", "公告", "公示"}[i%3]
		cs = append(cs, upsert(t, int64(i+1), data.KindNotice, id, 1, n))
	}
	bad := data.Change{Seq: 301, Kind: data.KindNotice, ID: "n-bad", Op: data.OpUpsert, Version: 1}
	if _, err := s.Apply(ctx, ContentFeed, append(cs[:300:300], bad), 301); err == nil {
		t.Fatal("bad batch applied")
	}
	if got := schemaOf(t, s); got != schema {
		t.Fatalf("schema after a failed bulk batch:\n%s\nwant:\n%s", got, schema)
	}
	if res := apply(t, s, 300, cs...); res.Upserted != 300 {
		t.Fatalf("bulk batch: %+v", res)
	}
	if got := schemaOf(t, s); got != schema {
		t.Fatalf("schema after a bulk batch:\n%s\nwant:\n%s", got, schema)
	}
	rows, total, err := s.ListNotices(ctx, NoticeFilter{Category: "公告"}, Page{Limit: 5})
	if err != nil || total != 100 || len(rows) != 5 {
		t.Fatalf("list after bulk: %d rows of %d, %v", len(rows), total, err)
	}
	var plan string
	if err := s.r.QueryRow("EXPLAIN QUERY PLAN SELECT count(*) FROM notice WHERE category = ?", "公告").Scan(new(int), new(int), new(int), &plan); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plan, "notice_by_category") {
		t.Errorf("category count does not use its index: %s", plan)
	}
}
