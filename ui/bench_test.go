package ui

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"jiezhen/data"
	"jiezhen/data/store"
	"jiezhen/data/synth"
)

// The benchmarks run on stores built once per test binary from synth:
// one of 100,000 records of mixed kinds, as a kiosk holds them, and one
// whose notice list alone has 100,000 rows.

type benchStore struct {
	once sync.Once
	s    *store.Store
	err  error
}

var mixed, notices benchStore

// open builds the store from changes the first time it is asked for.
func (bs *benchStore) open(b *testing.B, name string, changes func() []data.Change) *store.Store {
	b.Helper()
	bs.once.Do(func() {
		dir, err := os.MkdirTemp("", "jiezhen-ui-bench")
		if err != nil {
			bs.err = err
			return
		}
		ctx := context.Background()
		// The lists read no full-text index, so none is built.
		s, err := store.OpenWith(ctx, filepath.Join(dir, name), store.Options{NoIndexer: true})
		if err != nil {
			bs.err = err
			return
		}
		cs := changes()
		if _, bs.err = s.Apply(ctx, store.ContentFeed, cs, int64(len(cs))); bs.err == nil {
			bs.s = s
		}
	})
	if bs.err != nil {
		b.Fatal(bs.err)
	}
	return bs.s
}

func openMixed(b *testing.B) *store.Store {
	return mixed.open(b, "mixed.db", func() []data.Change { return synth.Changes(100000, 1) })
}

// openNoticeList keeps the notices of a synth set large enough to hold
// 100,000 of them (35% of every block of 100 is a notice).
func openNoticeList(b *testing.B) *store.Store {
	return notices.open(b, "notices.db", func() []data.Change {
		var out []data.Change
		for _, c := range synth.Changes(285800, 1) {
			if c.Kind == data.KindNotice {
				c.Seq = int64(len(out) + 1)
				out = append(out, c)
			}
		}
		return out
	})
}

func benchKiosk(b *testing.B, src *store.Store) (*Kiosk, fyne.Window) {
	b.Helper()
	a := test.NewTempApp(b)
	w := a.NewWindow("bench")
	w.Resize(fyne.NewSize(1280, 800))
	k, err := New(a, w, src, Options{
		Now:        func() time.Time { return testNow },
		Tick:       make(chan time.Time),
		Background: func(f func()) { f() },
		Sync:       fakeSync{},
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(k.Close)
	return k, w
}

// BenchmarkHomeCreate builds the home screen with its header and footer
// and reads its counts from the 100,000-record store. Target: 50 ms.
func BenchmarkHomeCreate(b *testing.B) {
	k, _ := benchKiosk(b, openMixed(b))
	b.ResetTimer()
	for b.Loop() {
		k.goHome()
	}
}

// BenchmarkListPage builds the notice list screen at a page of a
// 100,000-row list: the page query, the rows and a layout pass in the
// window. Target: 16 ms.
func BenchmarkListPage(b *testing.B) {
	k, w := benchKiosk(b, openNoticeList(b))
	_, total, err := k.src.ListNotices(context.Background(), store.NoticeFilter{}, store.Page{Limit: 1})
	if err != nil {
		b.Fatal(err)
	}
	st := &listState{}
	b.ResetTimer()
	i := 0
	for b.Loop() {
		// Walk the pages from the far end, where OFFSET costs most.
		st.offset = total - 1 - (i*997)%total
		i++
		w.SetContent(newNoticeList(k.env, k.src, st))
	}
	b.ReportMetric(float64(total), "rows")
}
