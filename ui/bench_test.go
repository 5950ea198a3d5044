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

	"jiezhen/data/store"
	"jiezhen/data/synth"
)

// The benchmarks run on a store of 100,000 synthetic records (35,000 of
// them notices), built once per test binary.

var (
	bigOnce  sync.Once
	bigStore *store.Store
	bigErr   error
)

func openBig(b *testing.B) *store.Store {
	b.Helper()
	bigOnce.Do(func() {
		dir, err := os.MkdirTemp("", "jiezhen-ui-bench")
		if err != nil {
			bigErr = err
			return
		}
		ctx := context.Background()
		// The lists read no full-text index, so none is built.
		s, err := store.OpenWith(ctx, filepath.Join(dir, "big.db"), store.Options{NoIndexer: true})
		if err != nil {
			bigErr = err
			return
		}
		changes := synth.Changes(100000, 1)
		if _, err := s.Apply(ctx, store.ContentFeed, changes, int64(len(changes))); err != nil {
			bigErr = err
			return
		}
		bigStore = s
	})
	if bigErr != nil {
		b.Fatal(bigErr)
	}
	return bigStore
}

func benchKiosk(b *testing.B) (*Kiosk, fyne.Window) {
	b.Helper()
	src := openBig(b)
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
	k, _ := benchKiosk(b)
	b.ResetTimer()
	for b.Loop() {
		k.goHome()
	}
}

// BenchmarkListPage builds the notice list screen at a page deep in the
// 35,000 notices of the 100,000-record store: the page query, the rows and
// a layout pass in the window. Target: 16 ms.
func BenchmarkListPage(b *testing.B) {
	k, w := benchKiosk(b)
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
