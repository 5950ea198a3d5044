package ui

import (
	"image/color"
	"math"
	"testing"
	"time"

	"context"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"jiezhen/data/store"
	kioskTheme "jiezhen/ui/theme"
)

// luminance is the WCAG relative luminance of c.
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

// Every pair of text and background colour the screens use must reach
// 4.5:1 (DOMAIN.md), in both modes.
func TestTextContrast(t *testing.T) {
	for _, elder := range []bool{false, true} {
		th := &kioskTheme.Theme{Elder: elder}
		v := theme.VariantLight
		bg := th.Color(theme.ColorNameBackground, v)
		pairs := []struct {
			name   string
			fg, bg color.Color
		}{
			{"text", th.Color(theme.ColorNameForeground, v), bg},
			{"secondary text (list details)", th.Color(theme.ColorNamePlaceHolder, v), bg},
			{"highlighted search term", th.Color(theme.ColorNamePrimary, v), bg},
			{"text on a tile or card", th.Color(theme.ColorNameForeground, v), th.Color(theme.ColorNameInputBackground, v)},
			{"secondary text on a card", th.Color(theme.ColorNamePlaceHolder, v), th.Color(theme.ColorNameInputBackground, v)},
			{"highlight on a card", th.Color(theme.ColorNamePrimary, v), th.Color(theme.ColorNameInputBackground, v)},
			{"primary button", th.Color(theme.ColorNameForegroundOnPrimary, v), th.Color(theme.ColorNamePrimary, v)},
			{"badge on", color.White, badgeOn},
			{"badge off", color.White, badgeOff},
		}
		for _, p := range pairs {
			if c := contrast(p.fg, p.bg); c < 4.5 {
				t.Errorf("elder=%v: %s has contrast %.2f:1, want at least 4.5:1", elder, p.name, c)
			}
		}
	}
}

// countingNotices counts the notice list queries.
type countingNotices struct {
	*store.Store
	calls *int
}

func (s countingNotices) ListNotices(ctx context.Context, f store.NoticeFilter, p store.Page) ([]store.NoticeRow, int, error) {
	*s.calls++
	return s.Store.ListNotices(ctx, f, p)
}

// Screens never query the database on the Fyne goroutine: opening a list
// only queues its query, the screen shows at once with its frame and
// buttons, and the rows arrive when the queued load has run.
func TestScreensQueueTheirQueries(t *testing.T) {
	calls := 0
	src := countingNotices{Store: openDemo(t), calls: &calls}
	a := test.NewTempApp(t)
	w := a.NewWindow("kiosk")
	var queue []func()
	run := func() {
		for len(queue) > 0 {
			f := queue[0]
			queue = queue[1:]
			f()
		}
	}
	k, err := New(a, w, src, Options{
		Now:        func() time.Time { return testNow },
		Tick:       make(chan time.Time),
		Sync:       fakeSync{},
		Background: func(f func()) { queue = append(queue, f) },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	run()

	openNotices(k.env, k.src)
	if calls != 0 {
		t.Fatalf("opening the list queried the database %d times on the Fyne goroutine", calls)
	}
	if len(queue) == 0 {
		t.Fatal("opening the list queued no load")
	}
	assertShows(t, w, "返回", "上一页", "下一页")
	run()
	if calls != 1 {
		t.Fatalf("%d list queries, want 1", calls)
	}
	assertShows(t, w, "第 1 / ")
}
