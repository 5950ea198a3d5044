package client_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/data/store"
	"jiezhen/data/synth"
	"jiezhen/internal/pgtest"
	"jiezhen/sync/server"
)

// BenchmarkPush drains 10,000 queued cases to the real district handler
// on loopback: batches of client.DefaultBatch, each answer recorded in the
// transaction that takes its item out of the outbox. Run with
// -benchtime=1x; it reports items/s.
func BenchmarkPush(b *testing.B) {
	const n = 10000
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		d := newDistrict(b)
		_, tok := d.kiosk(b, streetA)
		path := filepath.Join(b.TempDir(), "kiosk.db")
		st := openKioskAt(b, path)
		queueBulk(b, path, n)
		if got := outboxCount(b, st); got != n {
			b.Fatalf("%d queued", got)
		}
		cfg := fastConfig(d, tok)
		cfg.Batch = 0 // the default
		a := newAgent(b, st, cfg)
		b.StartTimer()
		start := time.Now()
		res, err := a.Push(ctx)
		el := time.Since(start)
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		if res.Accepted != n || outboxCount(b, st) != 0 {
			b.Fatalf("accepted %d of %d, %d left", res.Accepted, n, outboxCount(b, st))
		}
		b.ReportMetric(float64(n)/el.Seconds(), "items/s")
		b.StartTimer()
	}
}

// queueBulk fills the outbox (and the cases) of the database at path with
// n appeals in one transaction: queueing them one Enqueue at a time would
// cost n fsyncs, which is not what is measured.
func queueBulk(b *testing.B, path string, n int) {
	b.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	for i := range n {
		c := appeal(fmt.Sprintf("bench-%05d", i), now)
		body, _ := json.Marshal(c)
		if _, err := tx.Exec(`INSERT INTO outbox(id, kind, body, created_at) VALUES(?, 'case', ?, ?)`, c.ID, string(body), now.UnixMilli()+int64(i)); err != nil {
			b.Fatal(err)
		}
		if _, err := tx.Exec(`INSERT INTO cases(id, ref, kind, status, submitted_at, doc) VALUES(?, '', 'appeal', 'submitted', ?, ?)`, c.ID, now.UnixMilli(), string(body)); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkPull has a fresh kiosk pull 100,000 changes (jiezhen/data/synth)
// from the real district handler on loopback, in pages of wire.MaxLimit,
// each applied in one transaction with the cursor, from a district on
// SQLite (sub-benchmark sqlite) and one on PostgreSQL (postgres,
// internal/pgtest) in the same run. The district's feed is filled through
// its store (as Publish records changes), all in the kiosk's scope. Run
// with -benchtime=1x; it reports changes/s end to end, and beside it the
// floor measured right after the pull in the same run (store.InsertRaw:
// the same 100,000 changes as plain INSERTs in one transaction on a fresh
// kiosk database, as BenchmarkBulkInsertRaw) and the pull's rate as a
// share of the floor's (pull/floor), with the CPU time the process used
// during each (pull-cpu-s, floor-cpu-s: on the shared machine the wall
// clock follows it); postgres also reports its rate as a share of the
// mean of the sqlite ones measured before it in the run (pg/sqlite;
// -count runs the sqlite ones first).
func BenchmarkPull(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchPull(b, "sqlite", store.Options{NoIndexer: true}) })
	b.Run("postgres", func(b *testing.B) { benchPull(b, "postgres", store.Options{NoIndexer: true}) })
}

// BenchmarkPullWithIndexer is BenchmarkPull's sqlite half with the
// kiosk's background search indexer running, as in the window: the
// indexer waits for the sync's last page (see store.ApplyPage), so the
// pull takes about as long.
func BenchmarkPullWithIndexer(b *testing.B) { benchPull(b, "sqlite", store.Options{}) }

// pullFeed is a district the pull benchmarks pull from, one per engine,
// filled once per test process: filling it (100,000 items with their
// search entries) takes longer than several pulls. TestMain releases
// them.
type pullFeed struct {
	once    sync.Once
	held    *heldTB
	d       *district
	tok     string
	changes []data.Change
	rates   []float64 // changes/s of each pull without the indexer
}

// meanRate is the mean of f's pull rates so far, 0 for none.
func (f *pullFeed) meanRate() float64 {
	sum := 0.0
	for _, r := range f.rates {
		sum += r
	}
	return sum / float64(max(len(f.rates), 1))
}

var pullFeeds = map[string]*pullFeed{"sqlite": {}, "postgres": {}}

// heldTB is the testing.TB of the first benchmark that needs a pullFeed,
// with temporary folders and cleanups that last until TestMain ends
// rather than until that benchmark does.
type heldTB struct {
	testing.TB
	dirs     []string
	cleanups []func()
}

func (h *heldTB) TempDir() string {
	dir, err := os.MkdirTemp("", "pullbench")
	if err != nil {
		h.Fatal(err)
	}
	h.dirs = append(h.dirs, dir)
	return dir
}

func (h *heldTB) Cleanup(f func()) { h.cleanups = append(h.cleanups, f) }

func (h *heldTB) release() {
	for i := len(h.cleanups) - 1; i >= 0; i-- {
		h.cleanups[i]()
	}
	for _, dir := range h.dirs {
		os.RemoveAll(dir)
	}
}

// fill fills the feed's district on engine with n synthetic changes in
// one write, then leaves it as a district that has been running for a
// while is: on SQLite its WAL copied back into the database file (else
// the district's checkpointer does that during the first pull measured),
// on PostgreSQL vacuumed and analysed (as autovacuum would, else it may
// do so during a pull).
func (f *pullFeed) fill(b *testing.B, engine string, n int) {
	h := &heldTB{TB: b}
	f.held = h
	ctx := context.Background()
	db := filepath.Join(h.TempDir(), "district.db")
	if engine == "postgres" {
		db = pgtest.URL(h, server.MigratePostgres)
	}
	d := newDistrictAt(h, db, server.Snapshots{})
	_, tok := d.kiosk(h, streetA)
	changes := synth.Changes(n, 1)
	err := d.st.Write(ctx, func(tx server.Tx) error {
		for _, c := range changes {
			if _, err := tx.PutItem(server.Item{Kind: c.Kind, ID: c.ID, Version: c.Version, Body: c.Body}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if pg, ok := d.st.(*server.Postgres); ok {
		if _, err := pg.DB().Exec("VACUUM ANALYZE"); err != nil {
			b.Fatal(err)
		}
	} else {
		sdb, err := sql.Open("sqlite", "file:"+db+"?_pragma=busy_timeout(10000)")
		if err != nil {
			b.Fatal(err)
		}
		defer sdb.Close()
		if _, err := sdb.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
			b.Fatal(err)
		}
	}
	f.d, f.tok, f.changes = d, tok, changes
}

func benchPull(b *testing.B, engine string, opts store.Options) {
	const n = 100000
	ctx := context.Background()
	f := pullFeeds[engine]
	f.once.Do(func() { f.fill(b, engine, n) })
	if f.d == nil {
		b.Fatal("the district to pull from could not be filled")
	}
	d, tok := f.d, f.tok
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		st, err := store.OpenWith(ctx, filepath.Join(b.TempDir(), "kiosk.db"), opts)
		if err != nil {
			b.Fatal(err)
		}
		a := newAgent(b, st, fastConfig(d, tok))
		b.StartTimer()
		start, cpu := time.Now(), processCPU()
		res, err := a.Pull(ctx)
		el, cpu := time.Since(start), processCPU()-cpu
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		if res.Pulled < n {
			b.Fatalf("pulled %d, want at least %d", res.Pulled, n)
		}
		status, _ := st.Status(ctx)
		total := 0
		for _, k := range data.ContentKinds {
			total += status.Counts[k]
		}
		if total < n {
			b.Fatalf("kiosk holds %d items, want at least %d", total, n)
		}
		if last, _ := st.LastSync(ctx, store.ContentFeed); last.IsZero() {
			b.Fatal("no last sync recorded")
		}
		st.Close()
		pull := float64(res.Pulled) / el.Seconds()
		floor, floorCPU := insertRawRate(b, f.changes)
		b.ReportMetric(pull, "changes/s")
		b.ReportMetric(float64(res.Pages), "pages")
		b.ReportMetric(floor, "floor-rows/s")
		b.ReportMetric(pull/floor, "pull/floor")
		b.ReportMetric(cpu.Seconds(), "pull-cpu-s")
		b.ReportMetric(floorCPU.Seconds(), "floor-cpu-s")
		if sqlite := pullFeeds["sqlite"].meanRate(); engine == "postgres" && sqlite > 0 {
			b.ReportMetric(pull/sqlite, "pg/sqlite")
		}
		if opts.NoIndexer {
			f.rates = append(f.rates, pull)
		}
		b.StartTimer()
	}
}

// insertRawRate measures the floor: changes written by store.InsertRaw
// into a fresh kiosk database, in rows per second, and the CPU time the
// process used meanwhile.
func insertRawRate(b *testing.B, changes []data.Change) (float64, time.Duration) {
	ctx := context.Background()
	st, err := store.OpenWith(ctx, filepath.Join(b.TempDir(), "raw.db"), store.Options{NoIndexer: true})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	start, cpu := time.Now(), processCPU()
	if err := st.InsertRaw(ctx, changes); err != nil {
		b.Fatal(err)
	}
	return float64(len(changes)) / time.Since(start).Seconds(), processCPU() - cpu
}
