package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"jiezhen/data"
	"jiezhen/data/store"
)

// A street whose item carries the district's figures shows them on the
// kiosk: from 办件查询, a screen with the month's three large figures and
// the bars of 12 months, which fits the window in English 长者模式 too. A
// street without figures offers no such screen.
func TestFiguresScreen(t *testing.T) {
	s, err := loadDemo(filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx := context.Background()

	_, w, _ := newTestKioskOn(t, s, Options{})
	tap(t, w, "办件查询")
	if strings.Contains(screenText(w), "本街道办件公开") {
		t.Fatal("a street without figures offers them")
	}

	streets, err := s.Streets(ctx)
	if err != nil || len(streets) == 0 {
		t.Fatal(streets, err)
	}
	st := streets[0]
	st.Figures = &data.StreetFigures{Month: "2026-11", Received: 128, Completed: 120, OnTime: 114, WithDeadline: 120, Satisfied: 90, Rated: 100}
	for i := range 12 {
		st.Figures.Months = append(st.Figures.Months, data.MonthCount{Month: fmt.Sprintf("2026-%02d", (i+11)%12+1), Received: 100 + i})
	}
	body, _ := json.Marshal(st)
	cur, _, err := s.Cursors(ctx, store.ContentFeed)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(ctx, store.ContentFeed, []data.Change{{Seq: cur + 1, Kind: data.KindStreet, ID: st.Code, Op: data.OpUpsert, Version: 1000, Body: body}}, cur+1); err != nil {
		t.Fatal(err)
	}
	for _, opt := range []Options{{}, {Elder: true, Lang: data.EN}} {
		k, w, _ := newTestKioskOn(t, s, opt)
		w.Resize(fyne.NewSize(1280, 800))
		label, open := "办件查询", "本街道办件公开"
		if opt.Lang == data.EN {
			label, open = k.env.L("tile.track"), "This street's cases in figures"
		}
		tap(t, w, label)
		tap(t, w, open)
		text := screenText(w)
		want := []string{"本街道 2026-11 办件情况", "128", "95%", "90%", "件受理", "按期办结率", "群众满意率", "近12个月每月受理办件数", "111"}
		if opt.Lang == data.EN {
			want = []string{"This street's cases in 2026-11", "128", "95%", "90%", "done on time", "Cases received in each of the last 12 months"}
		}
		for _, s := range want {
			if !strings.Contains(text, s) {
				t.Errorf("%v: the figures screen lacks %q:\n%s", opt, s, text)
			}
		}
		assertFitsWindow(t, w)
	}
}
