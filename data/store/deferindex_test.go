package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"jiezhen/data"
)

// pagedNotices makes n notice upserts from seq 1, in three categories.
func pagedNotices(t *testing.T, n int) []data.Change {
	t.Helper()
	var cs []data.Change
	for i := range n {
		id := fmt.Sprintf("n%04d", i)
		nt := notice(id, "通知 "+id, "正文")
		nt.Category = []string{"通知", "公告", "公示"}[i%3]
		cs = append(cs, upsert(t, int64(i+1), data.KindNotice, id, 1, nt))
	}
	return cs
}

func deferredCount(t *testing.T, s *Store) int {
	t.Helper()
	var n int
	if err := s.r.QueryRow("SELECT count(*) FROM deferred_index").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func hasIndex(t *testing.T, s *Store, name string) bool {
	t.Helper()
	var n int
	if err := s.r.QueryRow("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = ?", name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 1
}

func listCategory(t *testing.T, s *Store, cat string) (string, int) {
	t.Helper()
	rows, total, err := s.ListNotices(context.Background(), NoticeFilter{Category: cat}, Page{Limit: 7})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range rows {
		ids = append(ids, r.ID)
	}
	return strings.Join(ids, ","), total
}

// TestFirstSyncDefersListIndexes: the pages of a first sync into empty
// tables leave the list indexes out, recorded in deferred_index, and the
// sync's last page builds them again, so the schema ends as it began;
// lists give the same answers meanwhile.
func TestFirstSyncDefersListIndexes(t *testing.T) {
	defer func(n int) { bulkMin = n }(bulkMin)
	bulkMin = 100
	ctx := context.Background()
	s, _ := openTest(t, Options{NoIndexer: true})
	schema := schemaOf(t, s)
	cs := pagedNotices(t, 900)

	if _, err := s.ApplyPage(ctx, ContentFeed, cs[:300], 300, 300, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if hasIndex(t, s, "notice_by_category") || hasIndex(t, s, "notice_by_date") {
		t.Fatal("the notice list indexes are still there after the first page of a first sync")
	}
	if n := deferredCount(t, s); n != 2 {
		t.Fatalf("deferred_index holds %d rows, want the 2 notice indexes", n)
	}
	if got, total := listCategory(t, s, "公告"); total != 100 || got != "n0001,n0004,n0007,n0010,n0013,n0016,n0019" {
		t.Fatalf("list without its index: %s of %d", got, total)
	}
	if _, err := s.ApplyPage(ctx, ContentFeed, cs[300:600], 600, 600, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if hasIndex(t, s, "notice_by_category") || deferredCount(t, s) != 2 {
		t.Fatal("a middle page built the deferred indexes")
	}
	if _, err := s.ApplyPage(ctx, ContentFeed, cs[600:], 900, 900, time.Now()); err != nil {
		t.Fatal(err)
	}
	if got := schemaOf(t, s); got != schema {
		t.Fatalf("schema after the last page:\n%s\nwant:\n%s", got, schema)
	}
	if n := deferredCount(t, s); n != 0 {
		t.Fatalf("deferred_index holds %d rows after the last page", n)
	}
	if got, total := listCategory(t, s, "公告"); total != 300 || got != "n0001,n0004,n0007,n0010,n0013,n0016,n0019" {
		t.Fatalf("list after the sync: %s of %d", got, total)
	}
}

// TestDeferredIndexesBuiltWhenSyncStops: a first sync that stops after a
// page gets its indexes back from RestoreIndexes, or from the next Open
// when the kiosk was stopped.
func TestDeferredIndexesBuiltWhenSyncStops(t *testing.T) {
	defer func(n int) { bulkMin = n }(bulkMin)
	bulkMin = 100
	ctx := context.Background()
	cs := pagedNotices(t, 300)

	path := filepath.Join(t.TempDir(), "kiosk.db")
	s, err := OpenWith(ctx, path, Options{NoIndexer: true})
	if err != nil {
		t.Fatal(err)
	}
	schema := schemaOf(t, s)
	if _, err := s.ApplyPage(ctx, ContentFeed, cs[:200], 200, 200, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if deferredCount(t, s) == 0 {
		t.Fatal("nothing deferred")
	}
	if err := s.RestoreIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	if got := schemaOf(t, s); got != schema || deferredCount(t, s) != 0 {
		t.Fatalf("after RestoreIndexes:\n%s\nwant:\n%s", got, schema)
	}

	// Into an empty table again, and the store closed in the middle.
	if err := s.ResetScope(ctx, ContentFeed, ""); err != nil {
		t.Fatal(err)
	}
	var left int
	s.r.QueryRow("SELECT count(*) FROM notice").Scan(&left)
	if left != 0 {
		t.Skipf("ResetScope left %d notices; the reopen case needs an empty table", left)
	}
	if _, err := s.ApplyPage(ctx, ContentFeed, cs[:200], 200, 200, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if deferredCount(t, s) == 0 {
		t.Fatal("nothing deferred after the reset")
	}
	s.Close()
	s2, err := OpenWith(ctx, path, Options{NoIndexer: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if got := schemaOf(t, s2); got != schema || deferredCount(t, s2) != 0 {
		t.Fatalf("after reopening:\n%s\nwant:\n%s", got, schema)
	}
	checkIntegrity(t, s2)
}

// TestApplyAndLaterPagesDoNotDefer: Apply, a last page, and a page into a
// table that already holds rows keep the indexes in place.
func TestApplyAndLaterPagesDoNotDefer(t *testing.T) {
	defer func(n int) { bulkMin = n }(bulkMin)
	bulkMin = 100
	ctx := context.Background()
	cs := pagedNotices(t, 600)
	s, _ := openTest(t, Options{NoIndexer: true})
	schema := schemaOf(t, s)
	if _, err := s.Apply(ctx, ContentFeed, cs[:200], 200); err != nil {
		t.Fatal(err)
	}
	if got := schemaOf(t, s); got != schema || deferredCount(t, s) != 0 {
		t.Fatal("Apply left indexes deferred")
	}
	if _, err := s.ApplyPage(ctx, ContentFeed, cs[200:400], 400, 400, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if got := schemaOf(t, s); got != schema || deferredCount(t, s) != 0 {
		t.Fatal("a page into a table holding rows deferred its indexes")
	}
}

// TestIndexerWaitsForTheSyncsLastPage: while a sync has pages to come the
// indexer leaves the writer alone; the last page, or RestoreIndexes after
// a sync that stopped, lets it run again.
func TestIndexerWaitsForTheSyncsLastPage(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Options{NoIndexer: true})
	cs := pagedNotices(t, 300)
	pending := func() int {
		st, err := s.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return st.SearchPending
	}
	if _, err := s.ApplyPage(ctx, ContentFeed, cs[:100], 100, 100, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if n, err := s.IndexPending(ctx, 50); err != nil || n != 0 || pending() != 100 {
		t.Fatalf("indexed %d (%v) with pages to come; %d pending", n, err, pending())
	}
	if _, err := s.ApplyPage(ctx, ContentFeed, cs[100:200], 200, 200, time.Now()); err != nil {
		t.Fatal(err)
	}
	if n, err := s.IndexPending(ctx, 50); err != nil || n != 200 || pending() != 0 {
		t.Fatalf("indexed %d (%v) after the last page; %d pending", n, err, pending())
	}
	if _, err := s.ApplyPage(ctx, ContentFeed, cs[200:], 300, 300, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if err := s.RestoreIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := s.IndexPending(ctx, 50); err != nil || n != 100 {
		t.Fatalf("indexed %d (%v) after a sync stopped early", n, err)
	}
}

// TestSyncCarriesVersionsWhileAlone: the pages of a first sync keep the
// versions of the items they wrote for the next page (carried) only while
// nothing else writes: after another process or the kiosk itself removed
// an item between two pages, the next page that sends it again stores
// it, as when every page looked its versions up.
func TestSyncCarriesVersionsWhileAlone(t *testing.T) {
	ctx := context.Background()
	cs := pagedNotices(t, 30)
	for _, c := range []struct {
		name    string
		between func(t *testing.T, s *Store, path string)
	}{
		{"another process", func(t *testing.T, s *Store, path string) {
			db, err := sql.Open("sqlite", fileURI(path, url.Values{"_pragma": {"busy_timeout(10000)"}}))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Exec("DELETE FROM notice WHERE id = 'n0005'"); err != nil {
				t.Fatal(err)
			}
		}},
		{"the kiosk", func(t *testing.T, s *Store, path string) {
			if err := s.ResetScope(ctx, ContentFeed, "440106005"); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, path := openTest(t, Options{NoIndexer: true})
			if _, err := s.ApplyPage(ctx, ContentFeed, cs[:10], 10, 10, time.Time{}); err != nil {
				t.Fatal(err)
			}
			if s.carry.Load() == nil {
				t.Fatal("the first page of a first sync carried nothing to the next")
			}
			c.between(t, s, path)
			cursor, _ := s.Cursor(ctx, ContentFeed)
			// The district sends the first ten again (a refetch) with
			// the next ten.
			again := append([]data.Change{}, cs[:20]...)
			for i := range again {
				again[i].Seq = cursor + int64(i) + 1
			}
			next := cursor + int64(len(again))
			if _, err := s.ApplyPage(ctx, ContentFeed, again, next, next, time.Time{}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.ApplyPage(ctx, ContentFeed, cs[20:], next+10, next+10, time.Now()); err != nil {
				t.Fatal(err)
			}
			var n int
			if err := s.r.QueryRow("SELECT count(*) FROM notice").Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 30 {
				t.Fatalf("the kiosk holds %d notices after the sync, want 30", n)
			}
			if _, err := s.Notice(ctx, "n0005"); err != nil {
				t.Fatalf("n0005 after the sync: %v", err)
			}
		})
	}
}
