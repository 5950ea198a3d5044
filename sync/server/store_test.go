package server

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"jiezhen/data"
)

// Concurrent writes share commits, but each stands or falls alone: a
// write that fails (an error, a panic, a statement the database refuses)
// leaves nothing, the others all land, and the feed's
// sequence numbers stay unique and in commit order.
func TestGroupCommit(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	const n = 200
	errBoom := errors.New("boom")
	var wg sync.WaitGroup
	errs := make([]error, n)
	serials := make([]int64, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = st.Write(ctx, func(tx Tx) error {
				if _, err := tx.PutItem(Item{Kind: data.KindNotice, ID: fmt.Sprint("n", i), Version: 1, Body: []byte(`{}`)}); err != nil {
					return err
				}
				var err error
				if serials[i], err = tx.NextSerial("group"); err != nil {
					return err
				}
				switch i % 5 {
				case 0:
					return errBoom
				case 1:
					panic("a bug in one write")
				case 2:
					// A statement the database refuses, last in the
					// write: on PostgreSQL it is still held back when
					// the write's function returns (pgPipe).
					return tx.(*sqlTx).exec("INSERT INTO counters(name, value) VALUES('seq', 0)")
				}
				return nil
			})
		}()
	}
	wg.Wait()
	seqs := map[int64]bool{}
	err := st.Read(ctx, func(tx ReadTx) error {
		for i := range n {
			it, err := tx.Item(data.KindNotice, fmt.Sprint("n", i))
			switch i % 5 {
			case 0, 1, 2:
				if errs[i] == nil || !errors.Is(err, ErrNotFound) {
					t.Errorf("failed write %d: returned %v, item %v", i, errs[i], err)
				}
			default:
				if errs[i] != nil || err != nil {
					t.Errorf("write %d: returned %v, item %v", i, errs[i], err)
				}
				if seqs[it.Seq] {
					t.Errorf("seq %d given twice", it.Seq)
				}
				seqs[it.Seq] = true
			}
		}
		changes, err := tx.Feed(Scope{}, 0, 0, 1000)
		if err != nil {
			return err
		}
		if len(changes) != n*2/5 {
			t.Errorf("%d changes in the feed, want %d", len(changes), n*2/5)
		}
		last, _ := tx.LastSeq()
		if int(last) != len(changes) || changes[len(changes)-1].Seq != last {
			t.Errorf("last seq %d with %d changes: rolled-back writes left gaps or the counter moved", last, len(changes))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The serials of the writes that stood are 1 to their number, each
	// once: a failed write's serial is given again, and the counter as
	// the last commit left it goes on.
	given := map[int64]bool{}
	for i := range n {
		if errs[i] == nil {
			given[serials[i]] = true
		}
	}
	for k := int64(1); k <= int64(len(given)); k++ {
		if !given[k] {
			t.Errorf("serial %d not given to a write that stood: %v", k, given)
		}
	}
	var next int64
	if err := st.Write(ctx, func(tx Tx) (err error) { next, err = tx.NextSerial("group"); return err }); err != nil || next != int64(len(given))+1 {
		t.Errorf("the next serial is %d (%v), want %d", next, err, len(given)+1)
	}
	// A cancelled caller that never got in leaves nothing.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := st.Write(cctx, func(tx Tx) error {
		_, err := tx.PutItem(Item{Kind: data.KindNotice, ID: "late", Version: 1})
		return err
	}); err == nil {
		t.Fatal("a write with a cancelled context went through")
	}
	st.Close()
	if err := st.Write(ctx, func(Tx) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Fatalf("write after close: %v", err)
	}
}

// Reopening runs no migration twice, and a database from a newer
// districtd is refused rather than misread.
func TestMigrations(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "d.db")
	for range 2 {
		st, err := OpenSQLite(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		st.Close()
	}
	st, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Write(ctx, func(tx Tx) error { return tx.(*sqlTx).exec("PRAGMA user_version = 99") }); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if _, err := OpenSQLite(ctx, path); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("a newer schema: %v", err)
	}
}
