package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"jiezhen/data"
	"jiezhen/data/synth"
)

// benchN is the number of records the benchmarks run over.
const benchN = 100_000

var (
	benchOnce    sync.Once
	benchDir     string
	benchStore   *Store
	benchChanges []data.Change
	benchErr     error
)

// benchDB builds the 100k-record database once per benchmark process,
// applied and fully indexed, and shares it between the search benchmarks.
func benchDB(b *testing.B) *Store {
	b.Helper()
	benchOnce.Do(func() {
		benchDir, benchErr = os.MkdirTemp("", "storebench")
		if benchErr != nil {
			return
		}
		benchChanges = synth.Changes(benchN, 1)
		ctx := context.Background()
		s, err := OpenWith(ctx, filepath.Join(benchDir, "bench.db"), Options{NoIndexer: true})
		if err != nil {
			benchErr = err
			return
		}
		if _, err := s.Apply(ctx, ContentFeed, benchChanges, int64(len(benchChanges))); err != nil {
			benchErr = err
			return
		}
		if _, err := s.IndexPending(ctx, 5000); err != nil {
			benchErr = err
			return
		}
		benchStore = s
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchStore
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchStore != nil {
		benchStore.Close()
	}
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

func changesFor(b *testing.B) []data.Change {
	if benchChanges == nil {
		benchChanges = synth.Changes(benchN, 1)
	}
	return benchChanges
}

func runQueries(b *testing.B, s *Store, queries []string, wantHits bool) {
	b.Helper()
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		q := queries[i%len(queries)]
		res, err := s.Search(ctx, Query{Text: q, Limit: 20})
		if err != nil {
			b.Fatal(err)
		}
		if wantHits && len(res.Hits) == 0 {
			b.Fatalf("%q found nothing", q)
		}
	}
}

// splitBroad separates the queries that match more than a third of all
// records: the targets treat those as broad queries (first page within
// 50 ms), not as ordinary searches (5 ms).
func splitBroad(b *testing.B, s *Store, queries []string) (specific, broad []string) {
	b.Helper()
	for _, q := range queries {
		res, err := s.Search(context.Background(), Query{Text: q, Limit: 1})
		if err != nil {
			b.Fatal(err)
		}
		if res.Total*3 > benchN {
			broad = append(broad, q)
		} else {
			specific = append(specific, q)
		}
	}
	return specific, broad
}

// BenchmarkSearch: queries of three or more characters through the
// trigram index, first page of 20 with the total. Queries that match more
// than a third of all records run in BenchmarkSearchBroad instead.
func BenchmarkSearch(b *testing.B) {
	s := benchDB(b)
	long, _ := synth.Queries()
	specific, _ := splitBroad(b, s, long)
	runQueries(b, s, specific, true)
}

// BenchmarkSearchShort: one- and two-character queries, answered by LIKE.
func BenchmarkSearchShort(b *testing.B) {
	s := benchDB(b)
	_, short := synth.Queries()
	runQueries(b, s, short, true)
}

// BenchmarkSearchBroad: queries matching a third or more of all records
// (synth.BroadQuery and the broad ones of synth.Queries), first page.
func BenchmarkSearchBroad(b *testing.B) {
	s := benchDB(b)
	long, _ := synth.Queries()
	_, broad := splitBroad(b, s, long)
	runQueries(b, s, append([]string{synth.BroadQuery()}, broad...), true)
}

// BenchmarkSearchLike is the baseline: the same queries as BenchmarkSearch
// by a plain LIKE scan of search_docs, with the same page and total.
func BenchmarkSearchLike(b *testing.B) {
	s := benchDB(b)
	long, _ := synth.Queries()
	long, _ = splitBroad(b, s, long)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		like, args := likeConds(strings.Fields(long[i%len(long)]))
		var total int
		if err := s.r.QueryRowContext(ctx, "SELECT count(*) FROM search_docs d WHERE "+like, args...).Scan(&total); err != nil {
			b.Fatal(err)
		}
		rows, err := s.r.QueryContext(ctx, "SELECT kind, id, title, text FROM search_docs d WHERE "+like+" LIMIT 20", args...)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for rows.Next() {
			n++
		}
		rows.Close()
		if n == 0 {
			b.Fatalf("%s found nothing", long[i%len(long)])
		}
	}
}

// BenchmarkApply applies 100k upserts through Apply in one batch, until
// committed with the cursor, into a fresh database.
func BenchmarkApply(b *testing.B) {
	changes := changesFor(b)
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		s, err := OpenWith(ctx, filepath.Join(b.TempDir(), "apply.db"), Options{NoIndexer: true})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := s.Apply(ctx, ContentFeed, changes, int64(len(changes))); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(len(changes))*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkBulkInsertRaw is the floor for BenchmarkApply: the same rows as
// plain INSERTs of (kind, id, version, body) into one table, in one
// transaction through the same driver and the same writer settings
// (Store.InsertRaw, which BenchmarkPull measures in its own run too). No
// decoding, no per-kind columns, no search documents.
func BenchmarkBulkInsertRaw(b *testing.B) {
	changes := changesFor(b)
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		s, err := OpenWith(ctx, filepath.Join(b.TempDir(), "raw.db"), Options{NoIndexer: true})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := s.InsertRaw(ctx, changes); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(len(changes))*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkIndexCatchUp runs IndexPending until nothing is pending after
// 100k rows were applied: deriving the search documents from the rows,
// writing them and indexing them.
func BenchmarkIndexCatchUp(b *testing.B) {
	changes := changesFor(b)
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		s, err := OpenWith(ctx, filepath.Join(b.TempDir(), "idx.db"), Options{NoIndexer: true})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Apply(ctx, ContentFeed, changes, int64(len(changes))); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		n, err := s.IndexPending(ctx, DefaultIndexBatch)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if n == 0 {
			b.Fatal("nothing indexed")
		}
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(len(changes))*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkFTSRebuild is the floor for BenchmarkIndexCatchUp: FTS5's own
// 'rebuild' of an external-content trigram table over the same search_docs.
func BenchmarkFTSRebuild(b *testing.B) {
	changes := changesFor(b)
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		s, err := OpenWith(ctx, filepath.Join(b.TempDir(), "rebuild.db"), Options{NoIndexer: true})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Apply(ctx, ContentFeed, changes, int64(len(changes))); err != nil {
			b.Fatal(err)
		}
		// Apply writes no search documents; the indexer derives them.
		if _, err := s.IndexPending(ctx, DefaultIndexBatch); err != nil {
			b.Fatal(err)
		}
		if _, err := s.w.Exec(`CREATE VIRTUAL TABLE rebuild_fts USING fts5(title, text,
			content = 'search_docs', content_rowid = 'rowid', tokenize = 'trigram')`); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := s.w.Exec("INSERT INTO rebuild_fts(rebuild_fts) VALUES('rebuild')"); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(len(changes))*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// TestBenchDataShape checks that the benchmark queries find something
// through the store at a small size, so the search benchmarks measure
// searches that hit.
func TestBenchDataShape(t *testing.T) {
	cs := synth.Changes(1000, 1)
	s, _ := openTest(t, Options{NoIndexer: true})
	if _, err := s.Apply(context.Background(), ContentFeed, cs, int64(len(cs))); err != nil {
		t.Fatal(err)
	}
	if _, err := s.IndexPending(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	res := search(t, s, Query{Text: synth.BroadQuery()})
	if res.Total < 250 || res.Total > 420 {
		t.Errorf("broad term hits %d of 1000", res.Total)
	}
	long, short := synth.Queries()
	for _, q := range append(long, short...) {
		if search(t, s, Query{Text: q}).Total == 0 {
			t.Errorf("%q finds nothing", q)
		}
	}
}
