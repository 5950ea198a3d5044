package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/data/report"
	"jiezhen/internal/pgtest"
	"jiezhen/sync/wire"
)

// TestFeedAcrossReplicas: writers publish through three replicas (each
// its own pool of connections) on one PostgreSQL database while kiosks of
// two streets pull from the replicas in turn, a few changes a page; when
// the writers stop, every kiosk holds exactly the district's content for
// its street, body for body. Writes that overlap on one replica or across
// replicas must behave as SQLite's single writer does: a change committed
// below a cursor a kiosk already moved past, or two writes given the same
// version, would leave a kiosk with something else.
func TestFeedAcrossReplicas(t *testing.T) {
	ctx := context.Background()
	url := pgURL(t)
	first, err := OpenPostgres(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { first.Close() })
	const replicas, writers, rounds, pullers = 3, 4, 15, 4
	ps := []*Platform{New(first, Options{})}
	for range replicas - 1 {
		st, err := OpenPostgres(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		ps = append(ps, New(st, Options{}))
	}
	f, err := os.Open("testdata/content.json")
	if err != nil {
		t.Fatal(err)
	}
	base, err := data.ReadContentSet(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ps[0].Publish(ctx, base); err != nil {
		t.Fatal(err)
	}
	var kiosks []Kiosk
	for i := range pullers {
		street := []string{streetA, streetB}[i%2]
		k, _, err := ps[i%replicas].AddKiosk(ctx, street, fmt.Sprint("K", i))
		if err != nil {
			t.Fatal(err)
		}
		kiosks = append(kiosks, k)
	}

	done := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, writers+pullers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				set := *base
				set.Notices = nil
				for _, n := range base.Notices {
					n.Body = fmt.Sprintf("%s, writer %d round %d", n.Body, w, r)
					set.Notices = append(set.Notices, n)
				}
				extra := base.Notices[0]
				extra.ID, extra.Street = fmt.Sprintf("n-w%d-r%d", w, r%3), []string{"", streetA, streetB}[(w+r)%3]
				set.Notices = append(set.Notices, extra)
				if _, err := ps[(w+r)%replicas].Publish(ctx, &set); err != nil {
					errs <- fmt.Errorf("writer %d round %d: %w", w, r, err)
					return
				}
			}
		}()
	}
	type held struct {
		version int64
		body    json.RawMessage
	}
	states := make([]map[string]held, pullers)
	var pwg sync.WaitGroup
	for i, k := range kiosks {
		states[i] = map[string]held{}
		pwg.Add(1)
		go func() {
			defer pwg.Done()
			state := states[i]
			var cursor int64
			pull := func(n int) (more bool, err error) {
				resp, err := ps[n%replicas].Pull(ctx, k, wire.PullRequest{After: cursor, Limit: 5})
				if err != nil {
					return false, err
				}
				if resp.Reset != nil {
					return false, fmt.Errorf("kiosk %d told to reset: %s", k.ID, resp.Reset.Reason)
				}
				for _, c := range resp.Changes {
					key := string(c.Kind) + "/" + c.ID
					h, ok := state[key]
					switch {
					case c.Op == data.OpDelete && (!ok || c.Version >= h.version):
						delete(state, key)
					case c.Op == data.OpUpsert && (!ok || c.Version > h.version):
						state[key] = held{c.Version, c.Body}
					}
				}
				cursor = resp.Next
				return resp.More, nil
			}
			for n := 0; ; n++ {
				select {
				case <-done:
					// The writers are done: catch up once, to the end.
					for more := true; more; n++ {
						var err error
						if more, err = pull(n); err != nil {
							errs <- err
							return
						}
					}
					return
				default:
				}
				if _, err := pull(n); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(done)
	pwg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	for i, k := range kiosks {
		want := map[string]held{}
		err := first.Read(ctx, func(tx ReadTx) error {
			for _, kind := range data.ContentKinds {
				items, err := tx.StreetItems(kind, k.Street)
				if err != nil {
					return err
				}
				for _, it := range items {
					want[string(it.Kind)+"/"+it.ID] = held{it.Version, it.Body}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		got := states[i]
		for key, w := range want {
			g, ok := got[key]
			switch {
			case !ok:
				t.Errorf("kiosk %d (street %s) lacks %s version %d", k.ID, k.Street, key, w.version)
			case g.version != w.version || !bytes.Equal(g.body, w.body):
				t.Errorf("kiosk %d (street %s) holds %s version %d %s, the district version %d %s", k.ID, k.Street, key, g.version, g.body, w.version, w.body)
			}
		}
		for key := range got {
			if _, ok := want[key]; !ok {
				t.Errorf("kiosk %d (street %s) holds %s, which the district does not show it", k.ID, k.Street, key)
			}
		}
	}
}

// TestPostgresMigratesOnce: replicas starting together on a new database
// apply each migration once (they wait on the migration lock), and a
// schema newer than this districtd knows is refused.
func TestPostgresMigratesOnce(t *testing.T) {
	ctx := context.Background()
	url := pgtest.EmptyURL(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := OpenPostgres(ctx, url)
			if err == nil {
				err = st.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	st, err := OpenPostgres(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	var version, rows int
	if err := st.DB().QueryRow("SELECT max(version), count(*) FROM schema_version").Scan(&version, &rows); err != nil {
		t.Fatal(err)
	}
	names, _ := fs.Glob(pgMigrations, "migrations/postgres/*.sql")
	if version != len(names) || rows != 1 {
		t.Fatalf("schema_version %d in %d rows, want %d in 1", version, rows, len(names))
	}
	if _, err := st.DB().Exec("UPDATE schema_version SET version = 99"); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if _, err := OpenPostgres(ctx, url); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("a newer schema: %v", err)
	}
}

// TestWritesQueueOffThePool: while one replica holds the write lock,
// many writes queue on another; that replica still reads (its writes wait
// on one connection, not on every connection of its pool), and once the
// lock is let go every queued write lands with its own sequence number.
func TestWritesQueueOffThePool(t *testing.T) {
	ctx := context.Background()
	url := pgURL(t)
	a, b := openPostgresAt(t, url), openPostgresAt(t, url)
	held, release := make(chan struct{}), make(chan struct{})
	go a.Write(ctx, func(tx Tx) error {
		close(held)
		<-release
		return nil
	})
	<-held
	const n = 3 * pgConns
	errs := make(chan error, n)
	for i := range n {
		go func() {
			errs <- b.Write(ctx, func(tx Tx) error {
				_, err := tx.PutItem(Item{Kind: data.KindNotice, ID: fmt.Sprint("n", i), Version: 1, Body: []byte(`{}`)})
				return err
			})
		}()
	}
	time.Sleep(300 * time.Millisecond) // the writes queue
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := b.Read(rctx, func(tx ReadTx) error { _, err := tx.LastSeq(); return err }); err != nil {
		t.Errorf("a read beside %d queued writes: %v", n, err)
	}
	close(release)
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	err := b.Read(ctx, func(tx ReadTx) error {
		changes, err := tx.Feed(Scope{}, 0, 0, 1000)
		if len(changes) != n {
			t.Errorf("%d changes in the feed after %d writes", len(changes), n)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// countWrites counts the writes made through a store.
type countWrites struct {
	Store
	n atomic.Int64
}

func (c *countWrites) Write(ctx context.Context, fn func(Tx) error) error {
	c.n.Add(1)
	return c.Store.Write(ctx, fn)
}

func (c *countWrites) WriteAside(ctx context.Context, fn func(Tx) error) error {
	c.n.Add(1)
	return c.Store.WriteAside(ctx, fn)
}

// A write aside (what a kiosk told the district, the day it synced) does
// not wait for the district's ordered writes: while another replica holds
// the write lock, it commits. One that would take a sequence number is
// refused, and leaves nothing.
func TestWriteAsideSkipsTheQueue(t *testing.T) {
	ctx := context.Background()
	url := pgURL(t)
	a, b := openPostgresAt(t, url), openPostgresAt(t, url)
	held, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- a.Write(ctx, func(tx Tx) error {
			close(held)
			<-release
			return nil
		})
	}()
	<-held
	aside := make(chan error, 1)
	go func() {
		aside <- b.WriteAside(ctx, func(tx Tx) error { return tx.SetSetting("aside", "written") })
	}()
	select {
	case err := <-aside:
		close(release)
		if err != nil {
			t.Fatalf("a write aside while another replica holds the write lock: %v", err)
		}
	case <-time.After(5 * time.Second):
		close(release)
		<-aside
		t.Fatal("a write aside waited for another replica's write lock")
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	err := b.WriteAside(ctx, func(tx Tx) error {
		if err := tx.SetSetting("aside", "overwritten"); err != nil {
			return err
		}
		_, err := tx.PutItem(Item{Kind: data.KindNotice, ID: "aside", Version: 1, Body: []byte(`{}`)})
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "outside the district's order") {
		t.Fatalf("a write aside that takes a sequence number: %v", err)
	}
	err = b.Read(ctx, func(tx ReadTx) error {
		v, err := tx.Setting("aside")
		if v != "written" {
			t.Errorf("setting %q after the refused write, want %q", v, "written")
		}
		if seq, _ := tx.LastSeq(); seq != 0 {
			t.Errorf("the refused write left seq %d", seq)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A kiosk's first pull of the day on a replica records the day once for
// the district: a second replica reads that it is recorded and writes
// nothing, so the pull does not queue behind the district's writes.
func TestSyncDayRecordedOnceAcrossReplicas(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	first, second := &countWrites{Store: e.st}, &countWrites{Store: e.st}
	a := New(first, Options{Now: e.clock.Now})
	b := New(second, Options{Now: e.clock.Now})
	for _, p := range []*Platform{a, a, b, b} {
		if _, err := p.Pull(ctx, e.a1, wire.PullRequest{}); err != nil {
			t.Fatal(err)
		}
	}
	if first.n.Load() != 1 || second.n.Load() != 0 {
		t.Errorf("%d and %d writes for two pulls on each of two replicas, want 1 and 0", first.n.Load(), second.n.Load())
	}
	err := e.st.Read(ctx, func(tx ReadTx) error {
		marked, err := tx.KioskSynced(e.a1.ID, report.DayOf(e.clock.Now()))
		if !marked {
			t.Error("the day is not recorded")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
