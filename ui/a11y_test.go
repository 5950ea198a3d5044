package ui

import (
	"context"
	"encoding/json"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"jiezhen/data"
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
// 4.5:1 (docs/DOMAIN.md), in both modes.
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
			{"what is wrong or missing (problemText, 需要补正)", th.Color(theme.ColorNameError, v), bg},
			{"text on a tile or card", th.Color(theme.ColorNameForeground, v), th.Color(theme.ColorNameInputBackground, v)},
			{"secondary text on a card", th.Color(theme.ColorNamePlaceHolder, v), th.Color(theme.ColorNameInputBackground, v)},
			{"highlight on a card", th.Color(theme.ColorNamePrimary, v), th.Color(theme.ColorNameInputBackground, v)},
			{"primary button", th.Color(theme.ColorNameForegroundOnPrimary, v), th.Color(theme.ColorNamePrimary, v)},
			{"badge on", color.White, badgeOn},
			{"badge off", color.White, badgeOff},
			{"badge waiting", color.White, badgeWaiting},
			{"badge warning (待补正)", badgeWarnText, th.Color(theme.ColorNameWarning, v)},
			{"text on a difference", th.Color(theme.ColorNameForeground, v), diffTint},
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

// sampleStaff is a signed-in staff member for the staff screens.
var sampleStaff = data.Staff{ID: "staff-1", Street: "440106005", Name: "张敏", Role: data.RoleStaff}

// sampleConflict is a stale edit of a demo provider: the district changed
// the phone and the hours, the kiosk the name and the description.
func sampleConflict(t testing.TB, k *Kiosk) store.Conflict {
	t.Helper()
	p, err := k.src.Provider(context.Background(), "thn-p001")
	if err != nil {
		t.Fatal(err)
	}
	theirs, mine := p, p
	theirs.Phone = "020-38860000"
	theirs.Hours[time.Saturday] = nil
	mine.Name += "（新址）"
	mine.Description = "已搬到新址，欢迎光临。"
	server, _ := json.Marshal(theirs)
	item, _ := json.Marshal(mine)
	local, _ := json.Marshal(map[string]any{"kind": "provider", "id": p.ID, "op": "upsert", "item": json.RawMessage(item), "base_version": 1})
	return store.Conflict{ID: 1, ItemKind: data.KindProvider, ItemID: p.ID, BaseVersion: 1, Local: local,
		Server: server, ServerVersion: 2, CreatedAt: testNow.Add(-time.Hour)}
}

// staffJourneys reach every staff screen, signed in.
var staffJourneys = []struct {
	name string
	open func(t testing.TB, k *Kiosk)
}{
	{"staff_pick", func(t testing.TB, k *Kiosk) { openStaffSignIn(k.env) }},
	{"staff_pin", func(t testing.TB, k *Kiosk) { openPINPad(k.env, sampleStaff) }},
	{"staff_home", func(t testing.TB, k *Kiosk) { k.staffSignIn(sampleStaff) }},
	{"staff_providers", func(t testing.TB, k *Kiosk) { k.staffSignIn(sampleStaff); openStaffList(k.env, data.KindProvider) }},
	{"staff_notices", func(t testing.TB, k *Kiosk) { k.staffSignIn(sampleStaff); openStaffList(k.env, data.KindNotice) }},
	{"staff_provider", func(t testing.TB, k *Kiosk) {
		k.staffSignIn(sampleStaff)
		openStaffItem(k.env, data.KindProvider, "thn-p001")
	}},
	{"staff_provider_form", func(t testing.TB, k *Kiosk) {
		k.staffSignIn(sampleStaff)
		p, err := k.src.Provider(context.Background(), "thn-p001")
		if err != nil {
			t.Fatal(err)
		}
		d := editProviderDraft(p)
		d.phone, d.hours[time.Monday] = "abc", "8:00-12:00"
		openProviderForm(k.env, d)
		tap(t, k.win, k.L("staff.save")) // shows the problems next to the fields
	}},
	{"staff_notice_form", func(t testing.TB, k *Kiosk) { k.staffSignIn(sampleStaff); openNoticeForm(k.env, newNoticeDraft(k.env)) }},
	{"staff_notice_form_keyboard", func(t testing.TB, k *Kiosk) {
		k.staffSignIn(sampleStaff)
		openNoticeForm(k.env, newNoticeDraft(k.env))
		k.win.Canvas().Focus(firstEntry(t, k.win))
		typeKeys(t, k.win, "tongzhi")
	}},
	{"staff_preview", func(t testing.TB, k *Kiosk) {
		k.staffSignIn(sampleStaff)
		p, err := k.src.Provider(context.Background(), "thn-p001")
		if err != nil {
			t.Fatal(err)
		}
		openPreview(k.env, k.providerView(p, false))
	}},
	{"staff_confirm", func(t testing.TB, k *Kiosk) {
		k.staffSignIn(sampleStaff)
		openConfirm(k.env, k.L("staff.withdraw"), k.Lf("staff.withdraw_confirm", "丝艺美发"), k.L("staff.withdraw_ok"),
			func(context.Context, data.Staff, time.Time) error { return nil }, func() {})
	}},
	{"staff_conflicts", func(t testing.TB, k *Kiosk) { k.staffSignIn(sampleStaff); openConflicts(k.env) }},
	{"staff_conflict", func(t testing.TB, k *Kiosk) { k.staffSignIn(sampleStaff); openConflict(k.env, sampleConflict(t, k)) }},
	{"staff_health", func(t testing.TB, k *Kiosk) { k.staffSignIn(sampleStaff); openHealth(k.env) }},
	{"staff_health_dead", func(t testing.TB, k *Kiosk) {
		k.staffSignIn(sampleStaff)
		k.env.open(func() string { return k.L("staff.health") }, func() fyne.CanvasObject {
			return k.healthView(sampleDeadLetters(), &healthState{})
		})
	}},
	{"staff_export", func(t testing.TB, k *Kiosk) { k.staffSignIn(sampleStaff); openExport(k.env) }},
	{"staff_idle", func(t testing.TB, k *Kiosk) { k.staffSignIn(sampleStaff); k.overlay.show(20) }},
}

// sampleDeadLetters is the health of a kiosk with two cases the district
// refused: one as queued, with 重试 and 丢弃, and one whose personal data
// the retention sweep removed, with 丢弃 only.
func sampleDeadLetters() healthInfo {
	redacted := testNow.Add(-time.Hour)
	return healthInfo{
		h: store.Health{Waiting: map[data.ItemKind]int{}, DeadLetters: 2},
		dead: []store.DeadLetterItem{
			{ID: "case-1", Kind: "case", Ref: "0070AB02Y", Reason: `service "svc-gaoling-jintie" is not published`,
				FailedAt: testNow.Add(-10 * time.Minute)},
			{ID: "case-2", Kind: "case", Ref: "0070AB01X", Reason: `service "svc-zhangzhe-zhucan" is not published`,
				FailedAt: testNow.Add(-40 * 24 * time.Hour), RedactedAt: &redacted},
		},
		online: true, started: true,
	}
}

// TestStaffTouchTargets walks the staff screens in both modes like
// TestTouchTargets: everything tappable is at least 44x44 (60x60 in
// 长者模式), and no plain entry needs a physical keyboard.
func TestStaffTouchTargets(t *testing.T) {
	for _, elder := range []bool{false, true} {
		for _, j := range staffJourneys {
			t.Run(j.name+"_"+modeName(elder), func(t *testing.T) {
				k, w, _ := newTestKiosk(t, Options{Elder: elder, SyncNow: func() {},
					ExportOutbox: func(context.Context, string) (int, error) { return 0, nil },
					Drives:       func() ([]string, error) { return []string{"/media/kiosk/U DISK"}, nil }})
				j.open(t, k)
				checkTouchTargets(t, w, j.name, elder)
				assertFitsWindow(t, w)
				if dir := os.Getenv("JIEZHEN_SHOTS"); dir != "" {
					f, err := os.Create(filepath.Join(dir, j.name+"_"+modeName(elder)+".png"))
					if err != nil {
						t.Fatal(err)
					}
					defer f.Close()
					if err := png.Encode(f, w.Canvas().Capture()); err != nil {
						t.Fatal(err)
					}
				}
			})
		}
	}
}

// TestStaffScreensFitTheWindowInEnglish: like the residents' screens, no
// staff screen needs more than the window in English 长者模式, where the
// labels are longest and largest.
func TestStaffScreensFitTheWindowInEnglish(t *testing.T) {
	for _, j := range staffJourneys {
		t.Run(j.name, func(t *testing.T) {
			k, w, _ := newTestKiosk(t, Options{Elder: true, Lang: data.EN, SyncNow: func() {},
				ExportOutbox: func(context.Context, string) (int, error) { return 0, nil },
				Drives:       func() ([]string, error) { return []string{"/media/kiosk/U DISK"}, nil }})
			j.open(t, k)
			assertFitsWindow(t, w)
		})
	}
}
