package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"jiezhen/data"
)

func openTest(t *testing.T, opts Options) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kiosk.db")
	s, err := OpenWith(context.Background(), path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		checkIntegrity(t, s)
		s.Close()
	})
	return s, path
}

// checkIntegrity runs PRAGMA integrity_check, which also checks the FTS5
// index against its shadow tables, and FTS5's own integrity-check command.
//
// The pragma runs on a connection of its own: FTS5 caches the index
// structure per connection and revalidates it when a statement opens a
// cursor on the table or a write begins, but its integrity check, which is
// neither, reads with whatever structure the connection cached last. On a
// pooled reader that last searched before the indexer merged or cleared
// segments, it reads segments that are gone and reports "fts5: corruption
// found reading blob" for a sound file (TestIntegrityCheckAfterIndexChanges).
// The command runs on the writer, whose cache is never stale.
func checkIntegrity(t *testing.T, s *Store) {
	t.Helper()
	db, err := sql.Open("sqlite", fileURI(s.path, url.Values{"mode": {"ro"}, "_pragma": {"busy_timeout(10000)"}}))
	if err != nil {
		t.Fatalf("integrity_check: %v", err)
	}
	defer db.Close()
	var res string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil {
		t.Fatalf("integrity_check: %v", err)
	}
	if res != "ok" {
		t.Fatalf("integrity_check: %s", res)
	}
	if _, err := s.w.Exec("INSERT INTO search_fts(search_fts, rank) VALUES('integrity-check', 0)"); err != nil {
		t.Fatalf("fts5 integrity-check: %v", err)
	}
}

func body(t testing.TB, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func upsert(t testing.TB, seq int64, kind data.Kind, id string, version int64, v any) data.Change {
	return data.Change{Seq: seq, Kind: kind, ID: id, Op: data.OpUpsert, Version: version, Body: body(t, v)}
}

func notice(id, title, text string) data.Notice {
	return data.Notice{ID: id, Title: title, Category: "通知", Publisher: "天河南街道办事处",
		Published: data.MustDate("2026-03-01"), Body: text}
}

func apply(t *testing.T, s *Store, cursor int64, changes ...data.Change) ApplyResult {
	t.Helper()
	res, err := s.Apply(context.Background(), ContentFeed, changes, cursor)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestOpenMigrateReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "k.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	latest, _ := migrations()
	if s.SchemaVersion() != len(latest) || s.SchemaVersion() < 1 {
		t.Fatalf("schema version %d, want %d", s.SchemaVersion(), len(latest))
	}
	apply(t, s, 1, upsert(t, 1, data.KindNotice, "n1", 1, notice("n1", "停水通知", "三月停水")))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, _ := s.Cursor(ctx, ContentFeed); got != 1 {
		t.Fatalf("cursor after reopen %d, want 1", got)
	}
	n, err := s.Notice(ctx, "n1")
	if err != nil || n.Title != "停水通知" {
		t.Fatalf("notice after reopen: %+v, %v", n, err)
	}
	var mode, sync string
	s.w.QueryRow("PRAGMA journal_mode").Scan(&mode)
	s.w.QueryRow("PRAGMA synchronous").Scan(&sync)
	if mode != "wal" || sync != "2" {
		t.Fatalf("journal_mode %s synchronous %s, want wal and 2 (FULL)", mode, sync)
	}
	if _, err := s.r.Exec("DELETE FROM notice"); err == nil {
		t.Fatal("read pool accepted a write")
	}
}

// fileState is what must not change when Open refuses a file.
type fileState struct {
	data  []byte
	mtime time.Time
}

func stateOf(t *testing.T, path string) fileState {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fileState{b, fi.ModTime()}
}

func assertUntouched(t *testing.T, path string, before fileState) {
	t.Helper()
	after := stateOf(t, path)
	if !bytes.Equal(before.data, after.data) || !before.mtime.Equal(after.mtime) {
		t.Errorf("%s was modified", path)
	}
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if _, err := os.Stat(path + suffix); err == nil {
			t.Errorf("%s%s was created", path, suffix)
		}
	}
}

// TestCloseWhileIndexing closes the store while the indexer is inside a
// write transaction. Close interrupts it and returns only once the writer
// is closed: the last connection out checkpoints the WAL and removes it,
// so no -wal file is left for the next process to race with. The work the
// interrupted batch held is still pending on the next open.
func TestCloseWhileIndexing(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kiosk.db")
	s, err := OpenWith(ctx, path, Options{NoIndexer: true})
	if err != nil {
		t.Fatal(err)
	}
	const n = 2 * DefaultIndexBatch
	changes := make([]data.Change, 0, n)
	for i := range n {
		id := fmt.Sprintf("n%05d", i)
		changes = append(changes, upsert(t, int64(i+1), data.KindNotice, id, 1,
			notice(id, "社区通知", fmt.Sprintf("第%05d号告示：今日检修。", i))))
	}
	apply(t, s, n, changes...)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	for round := range 3 {
		s, err := Open(ctx, path) // the indexer starts on the pending work
		if err != nil {
			t.Fatal(err)
		}
		// A second connection that cannot begin a write sees the indexer's
		// transaction, which takes a while for a batch of this size.
		probe, err := sql.Open("sqlite", fileURI(path, url.Values{"_pragma": {"busy_timeout(0)"}, "_txlock": {"immediate"}}))
		if err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(time.Minute); ; time.Sleep(time.Millisecond) {
			tx, err := probe.Begin()
			if err != nil {
				break
			}
			tx.Rollback()
			if time.Now().After(deadline) {
				t.Fatal("the indexer never began a transaction")
			}
		}
		probe.Close()
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(path + "-wal"); err == nil {
			t.Fatalf("round %d: the -wal file is there after Close: the writer is still open", round)
		}
	}

	s, err = OpenWith(ctx, path, Options{NoIndexer: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st, err := s.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.SearchPending%DefaultIndexBatch != 0 {
		t.Errorf("%d items pending after the interrupted batches, want whole batches: a batch commits whole or not at all", st.SearchPending)
	}
	if _, err := s.IndexPending(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if got := hitIDs(search(t, s, Query{Text: "第07777号"})); !same(got, "n07777") {
		t.Errorf("search 第07777号: %v", got)
	}
	checkIntegrity(t, s)
}

func TestOpenRefusesNonSQLite(t *testing.T) {
	dir := t.TempDir()
	cases := map[string][]byte{
		"text.db":  []byte("this is a plain text file, not a database\n"),
		"short.db": []byte("SQLite"),
		// A valid header followed by garbage: SQLite's own check must
		// catch it, and the error must still be one line.
		"corrupt.db": append([]byte("SQLite format 3\x00"), bytes.Repeat([]byte{0xA5}, 8192)...),
	}
	for name, content := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			if err := os.WriteFile(path, content, 0o644); err != nil {
				t.Fatal(err)
			}
			old := time.Now().Add(-time.Hour).Truncate(time.Second)
			os.Chtimes(path, old, old)
			before := stateOf(t, path)
			s, err := Open(context.Background(), path)
			if err == nil {
				s.Close()
				t.Fatal("opened a non-SQLite file")
			}
			if !errors.Is(err, ErrNotDatabase) {
				t.Errorf("error %v does not wrap ErrNotDatabase", err)
			}
			if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, path) {
				t.Errorf("error %q is not one line naming the file", msg)
			}
			t.Log(err)
			assertUntouched(t, path, before)
		})
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "new.db")
	s, err := OpenWith(ctx, path, Options{NoIndexer: true})
	if err != nil {
		t.Fatal(err)
	}
	// A newer program's file: WAL mode, as ours are, with a higher version.
	migs, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	newer := len(migs) + 1
	if _, err := s.w.Exec(fmt.Sprintf("PRAGMA user_version = %d", newer)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	before := stateOf(t, path)

	_, err = Open(ctx, path)
	if !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("got %v, want ErrNewerSchema", err)
	}
	want := fmt.Sprintf("schema version %d is newer than this program's", newer)
	if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), path) {
		t.Errorf("error %q lacks %q or the path", err, want)
	}
	assertUntouched(t, path, before)
}

func TestEmptyFileIsNewDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.db")
	os.WriteFile(path, nil, 0o644)
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
}

func TestApplyVersions(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Options{NoIndexer: true})

	res := apply(t, s, 3,
		upsert(t, 1, data.KindNotice, "n1", 2, notice("n1", "停水通知", "v2")),
		upsert(t, 2, data.KindNotice, "n2", 1, notice("n2", "停电通知", "v1")),
		upsert(t, 3, data.KindNotice, "n3", 1, notice("n3", "燃气通知", "v1")),
	)
	if res.Upserted != 3 || res.Cursor != 3 {
		t.Fatalf("first batch: %+v", res)
	}
	res = apply(t, s, 7,
		upsert(t, 4, data.KindNotice, "n1", 1, notice("n1", "旧标题", "v1")),  // older: skipped
		upsert(t, 5, data.KindNotice, "n2", 1, notice("n2", "停电通知", "v1")), // same: no-op
		upsert(t, 6, data.KindNotice, "n3", 2, notice("n3", "燃气检修通知", "v2")),
		data.Change{Seq: 7, Kind: data.KindNotice, ID: "n2", Op: data.OpDelete, Version: 2},
	)
	want := ApplyResult{Upserted: 1, Deleted: 1, Unchanged: 1, Skipped: 1, Cursor: 7}
	if res != want {
		t.Fatalf("second batch: %+v, want %+v", res, want)
	}
	if n, _ := s.Notice(ctx, "n1"); n.Body != "v2" {
		t.Errorf("n1 overwritten by an older version: %+v", n)
	}
	if _, err := s.Notice(ctx, "n2"); !errors.Is(err, ErrNotFound) {
		t.Errorf("n2 after delete: %v", err)
	}
	if _, v, _ := s.Get(ctx, data.KindNotice, "n3"); v != 2 {
		t.Errorf("n3 version %d, want 2", v)
	}

	if _, err := s.Apply(ctx, ContentFeed, nil, 5); !errors.Is(err, ErrCursorBackwards) {
		t.Errorf("lower cursor: %v", err)
	}
	if _, err := s.Apply(ctx, ContentFeed, nil, 7); err != nil {
		t.Errorf("same cursor, empty batch: %v", err)
	}
}

func TestApplyBadChangeRollsBackBatch(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Options{NoIndexer: true})
	apply(t, s, 1, upsert(t, 1, data.KindNotice, "n0", 1, notice("n0", "原有通知", "x")))

	good := []data.Change{
		upsert(t, 2, data.KindNotice, "n1", 1, notice("n1", "停水通知", "a")),
		upsert(t, 3, data.KindProvider, "p1", 1, data.Provider{ID: "p1", Name: "长者饭堂"}),
		{Seq: 4, Kind: data.KindNotice, ID: "n0", Op: data.OpDelete, Version: 2},
	}
	bad := map[string]data.Change{
		"unknown kind": {Seq: 5, Kind: "poster", ID: "x1", Op: data.OpUpsert, Version: 1, Body: []byte(`{}`)},
		"bad body":     {Seq: 5, Kind: data.KindService, ID: "s1", Op: data.OpUpsert, Version: 1, Body: []byte(`{"name": 7}`)},
		"bad date":     {Seq: 5, Kind: data.KindNotice, ID: "n9", Op: data.OpUpsert, Version: 1, Body: []byte(`{"published":"2026-02-30"}`)},
		"no body":      {Seq: 5, Kind: data.KindNotice, ID: "n9", Op: data.OpUpsert, Version: 1},
		"id mismatch":  upsert(t, 5, data.KindNotice, "n9", 1, notice("n8", "t", "b")),
		"unknown op":   {Seq: 5, Kind: data.KindNotice, ID: "n9", Op: "merge", Version: 1},
		"seq > cursor": upsert(t, 9, data.KindNotice, "n9", 1, notice("n9", "t", "b")),
	}
	for name, c := range bad {
		t.Run(name, func(t *testing.T) {
			batch := append(append([]data.Change{}, good...), c)
			_, err := s.Apply(ctx, ContentFeed, batch, 5)
			if err == nil {
				t.Fatal("bad batch applied")
			}
			t.Log(err)
			if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, "seq "+strconv.FormatInt(c.Seq, 10)) ||
				!strings.Contains(msg, string(c.Kind)) || !strings.Contains(msg, c.ID) {
				t.Errorf("error %q does not name seq, kind and id on one line", msg)
			}
			st, _ := s.Status(ctx)
			if st.Cursor != 1 || st.Counts[data.KindNotice] != 1 || st.Counts[data.KindProvider] != 0 || st.SearchPending != 1 {
				t.Errorf("batch partly applied: %+v", st)
			}
		})
	}
}

func TestGettersListsStatus(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Options{NoIndexer: true})
	if empty, err := s.IsEmpty(ctx); err != nil || !empty {
		t.Fatalf("new store IsEmpty = %v, %v", empty, err)
	}
	var changes []data.Change
	seq := int64(0)
	add := func(kind data.Kind, id string, v any) {
		seq++
		changes = append(changes, upsert(t, seq, kind, id, 1, v))
	}
	for i := range 25 {
		n := notice(id("n", i), "通知"+id("", i), "正文")
		n.Published = data.MustDate("2026-01-01").AddDays(i)
		n.Category = []string{"通知", "公示"}[i%2]
		n.Pinned = i == 3
		add(data.KindNotice, n.ID, n)
	}
	add(data.KindCatalog, "c1", data.CatalogEntry{ID: "c1", Title: "2026年财政预算", Topic: "财政", Published: data.MustDate("2026-02-01")})
	add(data.KindCatalog, "c2", data.CatalogEntry{ID: "c2", Title: "城市规划", Topic: "规划", Published: data.MustDate("2026-02-02")})
	add(data.KindService, "s1", data.ServiceItem{ID: "s1", Code: "SH-001", Name: "居住证办理", Category: data.PowerPublic, Online: true})
	add(data.KindService, "s2", data.ServiceItem{ID: "s2", Name: "门前三包", Category: data.PowerEnforcement})
	add(data.KindConsultation, "q1", data.Consultation{ID: "q1", Title: "公园改造", Opens: data.MustDate("2026-03-01"), Closes: data.MustDate("2026-03-31")})
	add(data.KindConsultation, "q2", data.Consultation{ID: "q2", Title: "停车规划", Opens: data.MustDate("2026-01-01"), Closes: data.MustDate("2026-01-31")})
	add(data.KindStreet, "440106011", data.Street{Code: "440106011", Name: "天河南街道"})
	cal := data.CalendarYear{Year: 2026, Holidays: []data.Holiday{{Name: "春节", From: data.MustDate("2026-02-15"), To: data.MustDate("2026-02-23")}}}
	add(data.KindCalendar, "2026", cal)
	add(data.KindCalendar, "2025", data.CalendarYear{Year: 2025})
	apply(t, s, seq, changes...)

	rows, total, err := s.ListNotices(ctx, NoticeFilter{}, Page{Offset: 0, Limit: 10})
	if err != nil || total != 25 || len(rows) != 10 {
		t.Fatalf("ListNotices: %d rows, total %d, %v", len(rows), total, err)
	}
	if rows[0].ID != "n03" || !rows[0].Pinned || rows[1].ID != "n24" {
		t.Errorf("order: pinned first, then newest: got %s, %s", rows[0].ID, rows[1].ID)
	}
	rows, total, _ = s.ListNotices(ctx, NoticeFilter{Category: "公示"}, Page{Offset: 10, Limit: 10})
	if total != 12 || len(rows) != 2 {
		t.Errorf("公示 page 2: %d rows, total %d", len(rows), total)
	}
	crows, total, _ := s.ListCatalog(ctx, CatalogFilter{Topic: "财政"}, Page{})
	if total != 1 || crows[0].ID != "c1" || crows[0].Published != data.MustDate("2026-02-01") {
		t.Errorf("ListCatalog: %+v %d", crows, total)
	}
	srows, total, _ := s.ListServices(ctx, ServiceFilter{Category: data.PowerPublic}, Page{})
	if total != 1 || !srows[0].Online {
		t.Errorf("ListServices: %+v %d", srows, total)
	}
	if srows, total, _ = s.ListServices(ctx, ServiceFilter{Online: true}, Page{}); total != 1 || srows[0].ID != "s1" {
		t.Errorf("ListServices online: %+v %d", srows, total)
	}
	if srows, total, _ = s.ListServices(ctx, ServiceFilter{Code: "SH-001"}, Page{}); total != 1 || srows[0].ID != "s1" {
		t.Errorf("ListServices by code: %+v %d", srows, total)
	}
	qrows, total, _ := s.ListConsultations(ctx, ConsultationFilter{OpenOn: data.MustDate("2026-03-15")}, Page{})
	if total != 1 || qrows[0].ID != "q1" {
		t.Errorf("ListConsultations: %+v %d", qrows, total)
	}
	if svc, err := s.Service(ctx, "s1"); err != nil || svc.Name != "居住证办理" {
		t.Errorf("Service: %+v %v", svc, err)
	}
	if st, err := s.Street(ctx, "440106011"); err != nil || st.Name != "天河南街道" {
		t.Errorf("Street: %+v %v", st, err)
	}
	years, err := s.Calendar(ctx)
	if err != nil || len(years) != 2 || years[1].Year != 2026 || years[1].Holidays[0].Name != "春节" {
		t.Errorf("Calendar: %+v %v", years, err)
	}
	if _, _, err := s.Get(ctx, data.KindService, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get missing: %v", err)
	}

	st, err := s.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Counts[data.KindNotice] != 25 || st.Counts[data.KindCalendar] != 2 || st.Cursor != seq || st.LastSync != nil {
		t.Errorf("status: %+v", st)
	}
	js, _ := json.Marshal(st)
	for _, key := range []string{`"schema_version"`, `"counts"`, `"outbox_pending"`, `"dead_letters"`, `"conflicts"`, `"cursor"`, `"last_sync":null`} {
		if !bytes.Contains(js, []byte(key)) {
			t.Errorf("status JSON %s lacks %s", js, key)
		}
	}

	if err := s.DeleteAllContent(ctx); err != nil {
		t.Fatal(err)
	}
	if empty, _ := s.IsEmpty(ctx); !empty {
		t.Error("not empty after DeleteAllContent")
	}
	if c, _ := s.Cursor(ctx, ContentFeed); c != 0 {
		t.Errorf("cursor %d after DeleteAllContent", c)
	}
}

func id(prefix string, i int) string {
	return prefix + string(rune('0'+i/10)) + string(rune('0'+i%10))
}

func TestProvidersOpenAt(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Options{NoIndexer: true})
	var day, night data.WeekHours
	for d := time.Monday; d <= time.Friday; d++ {
		day[d] = []data.Span{{Start: 8 * 60, End: 12 * 60}, {Start: 14 * 60, End: 17*60 + 30}}
	}
	night[time.Saturday] = []data.Span{{Start: 22 * 60, End: 2 * 60}} // Saturday 22:00 to Sunday 02:00
	apply(t, s, 3,
		upsert(t, 1, data.KindProvider, "p1", 1, data.Provider{ID: "p1", Name: "社区卫生站", Kind: data.ProviderConvenience, Category: "医疗", Hours: day}),
		upsert(t, 2, data.KindProvider, "p2", 1, data.Provider{ID: "p2", Name: "夜宵店", Kind: data.ProviderBusiness, Category: "餐饮", Hours: night}),
		upsert(t, 3, data.KindProvider, "p3", 1, data.Provider{ID: "p3", Name: "便利店", Kind: data.ProviderBusiness, Category: "餐饮"}),
	)
	loc := time.FixedZone("CST", 8*3600)
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	cases := []struct {
		when string
		want string
	}{
		{"2026-03-02 09:00", "p1"}, // Monday morning
		{"2026-03-02 12:00", ""},   // lunch: end is exclusive
		{"2026-03-02 17:29", "p1"},
		{"2026-03-07 23:00", "p2"}, // Saturday night
		{"2026-03-08 01:59", "p2"}, // after midnight, Sunday
		{"2026-03-08 02:00", ""},
		{"2026-03-07 09:00", ""}, // Saturday morning
	}
	for _, c := range cases {
		rows, total, err := s.ListProviders(ctx, ProviderFilter{OpenAt: at(c.when)}, Page{})
		if err != nil {
			t.Fatal(err)
		}
		var got string
		if len(rows) > 0 {
			got = rows[0].ID
		}
		if got != c.want || total != len(rows) || len(rows) > 1 {
			t.Errorf("open at %s: got %v (total %d), want %q", c.when, rows, total, c.want)
		}
	}
	rows, total, _ := s.ListProviders(ctx, ProviderFilter{Category: "餐饮", Kind: string(data.ProviderBusiness)}, Page{})
	if total != 2 || rows[0].Name != "便利店" {
		t.Errorf("category filter: %+v", rows)
	}
	cats, _ := s.ProviderCategories(ctx)
	if len(cats) != 2 || cats[1] != (CategoryCount{"餐饮", 2}) {
		t.Errorf("categories: %+v", cats)
	}
	// New hours replace the old ones; deleting the provider removes them.
	night[time.Saturday] = nil
	apply(t, s, 5,
		upsert(t, 4, data.KindProvider, "p2", 2, data.Provider{ID: "p2", Name: "夜宵店", Hours: night}),
		data.Change{Seq: 5, Kind: data.KindProvider, ID: "p1", Op: data.OpDelete, Version: 2})
	var n int
	s.r.QueryRow("SELECT count(*) FROM hours_spans").Scan(&n)
	if n != 0 {
		t.Errorf("%d hours_spans rows left", n)
	}
}

func TestOutbox(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Options{NoIndexer: true})
	c := &data.Case{ID: "a1", Ref: "TH2026-0001", Kind: data.CaseAppeal, Status: data.StatusSubmitted, SubmittedAt: time.Now()}
	it := OutboxItem{ID: "a1", Kind: "appeal", Body: []byte(`{"x":1}`), Case: c}
	if err := s.Enqueue(ctx, it); err != nil {
		t.Fatal(err)
	}
	if err := s.Enqueue(ctx, it); err != nil {
		t.Errorf("same id, same body: %v", err)
	}
	it.Body = []byte(`{"x":2}`)
	if err := s.Enqueue(ctx, it); !errors.Is(err, ErrDuplicateID) {
		t.Errorf("same id, other body: %v", err)
	}
	s.Enqueue(ctx, OutboxItem{ID: "a2", Kind: "opinion", Body: []byte(`{}`), CreatedAt: time.Now().Add(time.Second)})
	items, err := s.Pending(ctx, 10)
	if err != nil || len(items) != 2 || items[0].ID != "a1" || string(items[0].Body) != `{"x":1}` {
		t.Fatalf("pending: %+v %v", items, err)
	}
	if err := s.Retry(ctx, "a1", "timeout", time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.DeadLetter(ctx, "a2", "refused: form invalid"); err != nil {
		t.Fatal(err)
	}
	if err := s.Done(ctx, "a1"); err != nil {
		t.Fatal(err)
	}
	st, _ := s.Status(ctx)
	if st.OutboxPending != 0 || st.DeadLetters != 1 {
		t.Errorf("status: %+v", st)
	}
	dl, _ := s.DeadLetters(ctx, 10)
	if len(dl) != 1 || dl[0].Reason != "refused: form invalid" {
		t.Errorf("dead letters: %+v", dl)
	}
	got, err := s.Case(ctx, "TH2026-0001")
	if err != nil || got.ID != "a1" {
		t.Errorf("case by ref: %+v %v", got, err)
	}
}
