package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"jiezhen/assets"
	"jiezhen/data"
	"jiezhen/data/store"
	"jiezhen/sync/server"
	"jiezhen/sync/wire"
	"jiezhen/ui/keyboard"
	"jiezhen/ui/speech"
)

// The tests run against a real store holding the demo content, opened once
// per test binary: the screens only read it.

var (
	demoOnce  sync.Once
	demoStore *store.Store
	demoErr   error
)

// testNow is the kiosk clock in tests: a Wednesday morning on which the
// demo's consultation zj-2026-02 has closed with feedback.
var testNow = time.Date(2026, 11, 25, 10, 30, 0, 0, time.FixedZone("CST", 8*3600))

func openDemo(t testing.TB) *store.Store {
	t.Helper()
	demoOnce.Do(func() {
		dir, err := os.MkdirTemp("", "jiezhen-ui-test")
		if err != nil {
			demoErr = err
			return
		}
		demoStore, demoErr = loadDemo(filepath.Join(dir, "demo.db"))
	})
	if demoErr != nil {
		t.Fatal(demoErr)
	}
	return demoStore
}

// loadDemo reads the demo content shipped in assets into a new store.
func loadDemo(path string) (*store.Store, error) {
	ctx := context.Background()
	all, err := data.ReadContentFiles(assets.Demo, "demo/*.json")
	if err != nil {
		return nil, err
	}
	changes, err := all.Changes()
	if err != nil {
		return nil, err
	}
	s, err := store.OpenWith(ctx, path, store.Options{NoIndexer: true})
	if err != nil {
		return nil, err
	}
	if _, err := s.Apply(ctx, store.ContentFeed, changes, int64(len(changes))); err != nil {
		return nil, err
	}
	if _, err := s.IndexPending(ctx, 0); err != nil {
		return nil, err
	}
	return s, nil
}

// fakeSync is a connection state for tests.
type fakeSync struct {
	online  bool
	last    *time.Time
	waiting int
}

func (f fakeSync) SyncStatus() (bool, *time.Time, int) { return f.online, f.last, f.waiting }

// fakeClock is a settable clock.
type fakeClock struct{ t time.Time }

func (c *fakeClock) Now() time.Time          { return c.t }
func (c *fakeClock) Advance(d time.Duration) { c.t = c.t.Add(d) }

// newTestKiosk builds a kiosk on the demo store in a 1280x800 test window,
// with a fake clock, a fake connection state, loads that run inline and
// no ticker: the test calls Tick.
func newTestKiosk(t testing.TB, opt Options) (*Kiosk, fyne.Window, *fakeClock) {
	t.Helper()
	return newTestKioskOn(t, openDemo(t), opt)
}

// newTestKioskOn is newTestKiosk on the content src.
func newTestKioskOn(t testing.TB, src Content, opt Options) (*Kiosk, fyne.Window, *fakeClock) {
	t.Helper()
	a := test.NewTempApp(t)
	w := a.NewWindow("kiosk")
	clock := &fakeClock{t: testNow}
	opt.Now = clock.Now
	opt.Tick = make(chan time.Time)
	opt.Background = func(f func()) { f() }
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	if opt.Sync == nil {
		last := testNow.Add(-26 * time.Hour)
		opt.Sync = fakeSync{last: &last, waiting: 2}
	}
	k, err := New(a, w, src, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(k.Close)
	w.Resize(fyne.NewSize(1280, 800))
	return k, w, clock
}

// walk visits o and everything visible inside it.
func walk(o fyne.CanvasObject, fn func(fyne.CanvasObject)) {
	if o == nil || !o.Visible() {
		return
	}
	fn(o)
	switch x := o.(type) {
	case *wrapLabel:
		// Its inner label holds the broken lines; the text is its own.
	case *fyne.Container:
		for _, c := range x.Objects {
			walk(c, fn)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			walk(c, fn)
		}
	}
}

// find returns the first visible tappable whose text or label is label.
func find(t testing.TB, w fyne.Window, label string) fyne.Tappable {
	t.Helper()
	var found fyne.Tappable
	var seen []string
	walk(w.Canvas().Content(), func(o fyne.CanvasObject) {
		if found != nil {
			return
		}
		switch x := o.(type) {
		case *tapCard:
			seen = append(seen, x.label)
			if x.label == label {
				found = x
			}
		case *tapButton:
			seen = append(seen, x.Text)
			if x.Text == label {
				found = x
			}
		}
	})
	if found == nil {
		t.Fatalf("no tappable %q on screen; have %q", label, seen)
	}
	return found
}

// tap taps the tappable labelled label.
func tap(t testing.TB, w fyne.Window, label string) {
	t.Helper()
	test.Tap(find(t, w, label))
}

// texts returns every visible text on screen, for asserting what shows.
func screenText(w fyne.Window) string {
	var b strings.Builder
	walk(w.Canvas().Content(), func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Label:
			b.WriteString(x.Text + "\n")
		case *wrapLabel:
			b.WriteString(x.Text + "\n")
		case *widget.RichText:
			b.WriteString(x.String() + "\n")
		case *widget.Button:
			b.WriteString(x.Text + "\n")
		case *canvas.Text:
			b.WriteString(strings.TrimSpace(x.Text) + "\n")
		}
	})
	return b.String()
}

// assertShows fails unless every want string is visible.
func assertShows(t testing.TB, w fyne.Window, want ...string) {
	t.Helper()
	got := screenText(w)
	for _, s := range want {
		if !strings.Contains(got, s) {
			t.Errorf("screen does not show %q; it shows:\n%s", s, got)
		}
	}
}

// firstList returns the first visible widget.List.
func firstList(t testing.TB, w fyne.Window) *widget.List {
	t.Helper()
	var l *widget.List
	walk(w.Canvas().Content(), func(o fyne.CanvasObject) {
		if x, ok := o.(*widget.List); ok && l == nil {
			l = x
		}
	})
	if l == nil {
		t.Fatal("no list on screen")
	}
	return l
}

// firstEntry returns the first visible entry. Every entry of the kiosk is
// the on-screen keyboard's: a plain widget.Entry on screen fails the test.
func firstEntry(t testing.TB, w fyne.Window) *keyboard.Entry {
	t.Helper()
	var e *keyboard.Entry
	walk(w.Canvas().Content(), func(o fyne.CanvasObject) {
		if _, ok := o.(*widget.Entry); ok {
			t.Errorf("a plain widget.Entry on screen: it needs a physical keyboard")
		}
		if x, ok := o.(*keyboard.Entry); ok && e == nil {
			e = x
		}
	})
	if e == nil {
		t.Fatal("no entry on screen")
	}
	return e
}

func typeName(o any) string { return reflect.TypeOf(o).String() }

// keyboardOf returns the on-screen keyboard of the window.
func keyboardOf(t testing.TB, w fyne.Window) *keyboard.Keyboard {
	t.Helper()
	var kb *keyboard.Keyboard
	var all func(o fyne.CanvasObject) // hidden ones too
	all = func(o fyne.CanvasObject) {
		if x, ok := o.(*keyboard.Keyboard); ok && kb == nil {
			kb = x
		}
		if c, ok := o.(*fyne.Container); ok {
			for _, ch := range c.Objects {
				all(ch)
			}
		}
	}
	all(w.Canvas().Content())
	if kb == nil {
		t.Fatal("no on-screen keyboard in the window")
	}
	return kb
}

// tapKey taps the visible key of the on-screen keyboard that shows label
// (a letter, 删除, a candidate such as 办事), as a resident would.
func tapKey(t testing.TB, w fyne.Window, label string) {
	t.Helper()
	kb := keyboardOf(t, w)
	if !kb.Visible() {
		t.Fatalf("key %q: the keyboard is hidden", label)
	}
	var found fyne.Tappable
	var seen []string
	walk(kb, func(o fyne.CanvasObject) {
		tp, ok := o.(fyne.Tappable)
		wd, isW := o.(fyne.Widget)
		if !ok || !isW || found != nil {
			return
		}
		for _, c := range test.WidgetRenderer(wd).Objects() {
			if txt, ok := c.(*canvas.Text); ok {
				seen = append(seen, txt.Text)
				if txt.Text == label {
					found = tp
				}
			}
		}
	})
	if found == nil {
		t.Fatalf("no key %q on the keyboard; it shows %q", label, seen)
	}
	test.Tap(found)
}

// typeKeys taps the keys of the letters of s one by one.
func typeKeys(t testing.TB, w fyne.Window, s string) {
	t.Helper()
	for _, r := range s {
		tapKey(t, w, string(r))
	}
}

// fakeSpeaker records what would be read aloud. Like espeak-ng it reads
// one text at a time: a new Speak cuts the previous one short.
type fakeSpeaker struct {
	mu       sync.Mutex
	said     []string
	stops    int
	speaking bool
	done     func(error)
}

func (f *fakeSpeaker) Speak(text string, done func(error)) {
	f.mu.Lock()
	prev := f.done
	f.said = append(f.said, text)
	f.speaking, f.done = true, done
	f.mu.Unlock()
	if prev != nil {
		prev(speech.ErrStopped)
	}
}

func (f *fakeSpeaker) Stop() {
	f.mu.Lock()
	prev := f.done
	f.stops++
	f.speaking, f.done = false, nil
	f.mu.Unlock()
	if prev != nil {
		prev(speech.ErrStopped)
	}
}

// finish ends the current speech as if it had been read to its end.
func (f *fakeSpeaker) finish() {
	f.mu.Lock()
	prev := f.done
	f.speaking, f.done = false, nil
	f.mu.Unlock()
	if prev != nil {
		prev(nil)
	}
}

func (f *fakeSpeaker) state() (said []string, speaking bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.said...), f.speaking
}

// objectAt returns the deepest visible object at the absolute position pos
// for which match is true, and pos relative to it, the way Fyne's desktop
// driver picks the object a pointer event goes to: the top overlay if
// there is one, else the content; a scroll clips what it holds.
func objectAt(c fyne.Canvas, pos fyne.Position, match func(fyne.CanvasObject) bool) (fyne.CanvasObject, fyne.Position) {
	root := c.Content()
	if top := c.Overlays().Top(); top != nil {
		root = top
	}
	var found fyne.CanvasObject
	var at fyne.Position
	inside := func(p fyne.Position, s fyne.Size) bool {
		return pos.X >= p.X && pos.Y >= p.Y && pos.X < p.X+s.Width && pos.Y < p.Y+s.Height
	}
	var visit func(o fyne.CanvasObject, origin, clipPos fyne.Position, clipSize fyne.Size)
	visit = func(o fyne.CanvasObject, origin, clipPos fyne.Position, clipSize fyne.Size) {
		if o == nil || !o.Visible() {
			return
		}
		p := origin.Add(o.Position())
		if inside(clipPos, clipSize) && inside(p, o.Size()) && match(o) {
			found, at = o, pos.Subtract(p)
		}
		if _, ok := o.(*container.Scroll); ok {
			clipPos, clipSize = p, o.Size() // held inside a scroll, so inside its parent's clip too
		}
		var children []fyne.CanvasObject
		switch x := o.(type) {
		case *fyne.Container:
			children = x.Objects
		case fyne.Widget:
			children = test.WidgetRenderer(x).Objects()
		}
		for _, ch := range children {
			visit(ch, p, clipPos, clipSize)
		}
	}
	visit(root, fyne.Position{}, fyne.Position{}, c.Size())
	return found, at
}

// touchAt presses and lifts a finger at the absolute position pos of the
// window as Fyne's desktop driver delivers a click: MouseDown to the
// object under the finger, which may change the layout (the keyboard comes
// up); then MouseUp to what is under the finger once lifted, an unfocus if
// nothing focusable is there, and Tapped if it is the object pressed.
func touchAt(w fyne.Window, pos fyne.Position) {
	c := w.Canvas()
	pointer := func(o fyne.CanvasObject) bool {
		switch o.(type) {
		case fyne.Tappable, fyne.SecondaryTappable, fyne.DoubleTappable, fyne.Focusable, desktop.Mouseable:
			return true
		}
		return false
	}
	focusable := func(o fyne.CanvasObject) bool { _, ok := o.(fyne.Focusable); return ok }
	event := func(p fyne.Position) *desktop.MouseEvent {
		return &desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: p, AbsolutePosition: pos}, Button: desktop.MouseButtonPrimary}
	}
	unfocus := func(o fyne.CanvasObject) {
		if f, ok := o.(fyne.Focusable); ok && f == c.Focused() {
			return
		}
		if f, _ := objectAt(c, pos, focusable); f == nil {
			c.Unfocus()
		}
	}
	down, p := objectAt(c, pos, pointer)
	if m, ok := down.(desktop.Mouseable); ok {
		m.MouseDown(event(p))
	}
	unfocus(down)
	up, p := objectAt(c, pos, pointer)
	if m, ok := up.(desktop.Mouseable); ok {
		m.MouseUp(event(p))
	}
	unfocus(up)
	if tp, ok := up.(fyne.Tappable); ok && up == down {
		tp.Tapped(&event(p).PointEvent)
	}
}

// demoCalendar is the working-day calendar of the demo content.
func demoCalendar(t testing.TB) *data.Calendar {
	t.Helper()
	years, err := openDemo(t).Calendar(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	cal, err := data.NewCalendar(years...)
	if err != nil {
		t.Fatal(err)
	}
	return cal
}

// pushAll sends what waits in s's outbox to the real district handler, as
// kiosk 7 of the demo street, and returns the district's answers.
func pushAll(t testing.TB, s *store.Store) []wire.PushResult {
	t.Helper()
	ctx := context.Background()
	st, err := server.OpenSQLite(ctx, filepath.Join(t.TempDir(), "district.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p := server.New(st, server.Options{Now: func() time.Time { return testNow }})
	set := demoSet(t)
	if _, err := p.Publish(ctx, set); err != nil {
		t.Fatal(err)
	}
	_, token, err := p.AddKiosk(ctx, set.Streets[0].Code, "k7")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.Handler(p))
	defer srv.Close()
	items, err := s.Pending(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var req wire.PushRequest
	for _, it := range items {
		req.Items = append(req.Items, wire.PushItem{ID: it.ID, Kind: wire.ItemKind(it.Kind), Body: it.Body})
	}
	b, _ := json.Marshal(req)
	hr, _ := http.NewRequest("POST", srv.URL+wire.PathPush, bytes.NewReader(b))
	hr.Header.Set("Authorization", "Bearer "+token)
	hr.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out wire.PushResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("status %d: %v", resp.StatusCode, err)
	}
	return out.Results
}

// fileAsKiosk7 queues c in s as kiosk 7 of the demo street files it at
// at, with the reference of serial seq that day; it returns c as filed.
func fileAsKiosk7(t testing.TB, s *store.Store, c data.Case, at time.Time, seq int) data.Case {
	t.Helper()
	ref, err := data.NewReference(7, at, seq)
	if err != nil {
		t.Fatal(err)
	}
	c.Ref, c.Street, c.Status, c.SubmittedAt, c.Kiosk = ref, "440106005", data.StatusSubmitted, at, "7"
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Enqueue(context.Background(), store.OutboxItem{ID: c.ID, Kind: wire.ItemCase, Body: b, CreatedAt: at, Case: &c}); err != nil {
		t.Fatal(err)
	}
	return c
}

// receiveThenFeed has the district acknowledge each of cases at recv, as
// the sync agent records it (the kiosk's copy drops its personal data),
// then brings each case's later state through the feed five minutes
// before testNow: move turns the i-th case, received, into that state.
func receiveThenFeed(t testing.TB, s *store.Store, recv time.Time, cases []data.Case, move func(i int, v *data.Case)) {
	t.Helper()
	ctx := context.Background()
	var changes []data.Change
	for i, c := range cases {
		v := c.WithoutPersonal()
		v.Status = data.StatusReceived
		v.History = []data.Transition{{From: data.StatusSubmitted, To: data.StatusReceived, At: recv}}
		if err := s.Settle(ctx, c.ID, store.Answer{Outcome: store.Accepted, Ref: c.Ref, At: recv, Case: &v}); err != nil {
			t.Fatal(err)
		}
		move(i, &v)
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		changes = append(changes, data.Change{Seq: int64(i + 1), Kind: data.KindCase, ID: v.ID, Op: data.OpUpsert, Version: int64(len(v.History) + 1), Body: b})
	}
	cursor, err := s.Cursor(ctx, store.ContentFeed)
	if err != nil {
		t.Fatal(err)
	}
	for i := range changes {
		changes[i].Seq += cursor
	}
	last := cursor + int64(len(changes))
	if _, err := s.ApplyPage(ctx, store.ContentFeed, changes, last, last, testNow.Add(-5*time.Minute)); err != nil {
		t.Fatal(err)
	}
}

// openFilledForm opens the form of spec at page (a large page is the
// review), with values as answered when filled.
func openFilledForm(k *Kiosk, spec *formSpec, values data.FormValues, page int, filled bool) *formState {
	st := newFormState()
	if filled {
		for c, v := range values {
			st.values[c] = v
		}
	}
	st.page = page
	openForm(k.env, k.cases, spec, st)
	return st
}

// openFiled opens the receipt of c filed through the form of spec.
func openFiled(k *Kiosk, spec *formSpec, c data.Case) {
	openForm(k.env, k.cases, spec, &formState{filed: &filedCase{c: c, svc: spec.svc}})
}
