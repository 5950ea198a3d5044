package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"jiezhen/assets"
	"jiezhen/data"
	"jiezhen/data/store"
	"jiezhen/sync/wire"
	"jiezhen/ui/keyboard"
)

// newAppealKiosk is a test kiosk whose appeals go to a fresh store of
// their own, with the demo's calendar.
func newAppealKiosk(t *testing.T, opt Options) (*Kiosk, fyne.Window, *store.Store) {
	t.Helper()
	s, err := loadDemo(filepath.Join(t.TempDir(), "cases.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	opt.Cases = s
	if opt.KioskID == 0 {
		opt.KioskID = 7
	}
	k, w, _ := newTestKiosk(t, opt)
	return k, w, s
}

// typeDigits types s on the digits pad of the focused entry.
func typeDigits(t *testing.T, w fyne.Window, s string) {
	t.Helper()
	for _, r := range s {
		tapKey(t, w, string(r))
	}
}

// entries lists the on-screen entries.
func entries(w fyne.Window) []*keyboard.Entry {
	var out []*keyboard.Entry
	walk(w.Canvas().Content(), func(o fyne.CanvasObject) {
		if e, ok := o.(*keyboard.Entry); ok {
			out = append(out, e)
		}
	})
	return out
}

// focusEntry focuses the entry whose label is label, as a finger
// would, and fails if the keyboard does not come up.
func focusEntry(t testing.TB, w fyne.Window, label string) {
	t.Helper()
	var found fyne.Focusable
	for _, e := range entries(w) {
		if e.Label == label {
			found = e
			break
		}
	}
	if found == nil {
		t.Fatalf("no entry %q", label)
	}
	w.Canvas().Focus(found)
	if !keyboardOf(t, w).Visible() {
		t.Fatalf("touching %q did not bring up the keyboard", label)
	}
}

// fillAppeal taps through the type and category and types the
// description in pinyin.
func fillAppeal(t *testing.T, w fyne.Window) {
	t.Helper()
	tap(t, w, "我要反映")
	assertShows(t, w, "反映类型", "事项类别")
	tap(t, w, "投诉")
	tap(t, w, "噪音扰民")
	tap(t, w, "下一步")
	focusEntry(t, w, "问题描述")
	typeKeys(t, w, "tousu")
	tapKey(t, w, "投诉")
	if got := entryText(t, w, "问题描述"); got != "投诉" {
		t.Fatalf("description %q after tapping 投诉", got)
	}
	tap(t, w, "下一步")
	assertShows(t, w, "联系方式")
}

func entryText(t *testing.T, w fyne.Window, label string) string {
	t.Helper()
	for _, e := range entries(w) {
		if e.Label == label {
			return e.Text
		}
	}
	t.Fatalf("no entry %q", label)
	return ""
}

func TestAppealFiledByTouch(t *testing.T) {
	k, w, s := newAppealKiosk(t, Options{})
	fillAppeal(t, w)
	focusEntry(t, w, "姓名")
	typeKeys(t, w, "zhang")
	tapKey(t, w, "张")
	focusEntry(t, w, "手机号码")
	typeDigits(t, w, "13812345678")
	tap(t, w, "下一步")
	assertShows(t, w, "请核对以下内容", "投诉", "噪音扰民", "138****5678", "13 个工作日内")
	if strings.Contains(screenText(w), "13812345678") {
		t.Error("the review page shows the whole mobile number")
	}
	tap(t, w, "提交")

	ctx := context.Background()
	items, err := s.Pending(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].Kind != wire.ItemCase {
		t.Fatalf("outbox holds %+v, want one case", items)
	}
	c, err := s.Case(ctx, items[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	// testNow is Wednesday 25 November 2026; 13 working days on.
	cal := demoCalendar(t)
	want := cal.AddWorkdays(data.DateOf(testNow), 13)
	if c.Kind != data.CaseAppeal || c.AppealType != data.AppealComplaint || c.Category != "noise" ||
		c.Status != data.StatusSubmitted || c.Deadline != want || c.Description != "投诉" ||
		c.Applicant == nil || c.Applicant.Mobile != "13812345678" || c.Applicant.Name != "张" {
		t.Errorf("filed %+v, want a complaint about noise due %s", c, want)
	}
	if err := data.CheckReference(c.Ref); err != nil {
		t.Errorf("reference %q: %v", c.Ref, err)
	}
	assertShows(t, w, "您的反映已提交", spacedRef(c.Ref), k.date(want)+"前答复")

	// 完成 clears everything and goes home.
	tap(t, w, "完成")
	if len(k.stack) != 0 {
		t.Errorf("%d screens after 完成", len(k.stack))
	}
	if strings.Contains(screenText(w), c.Ref) {
		t.Error("the reference is still on screen after 完成")
	}
}

func TestAppealBadMobileBlocksNext(t *testing.T) {
	_, w, s := newAppealKiosk(t, Options{})
	fillAppeal(t, w)
	focusEntry(t, w, "姓名")
	typeKeys(t, w, "li")
	tapKey(t, w, "李")
	focusEntry(t, w, "手机号码")
	typeDigits(t, w, "12")
	msg := data.ReasonMobile.Message(data.ZH)
	assertShows(t, w, msg) // as typed: no number starts with 12
	tap(t, w, "下一步")
	assertShows(t, w, "联系方式", msg, "请按提示修改本页标红的内容")
	if strings.Contains(screenText(w), "请核对以下内容") {
		t.Fatal("下一步 went on with a bad mobile")
	}
	if items, _ := s.Pending(context.Background(), 0); len(items) != 0 {
		t.Errorf("outbox holds %d items", len(items))
	}
}

func TestAppealAnonymousSkipsContact(t *testing.T) {
	_, w, s := newAppealKiosk(t, Options{})
	fillAppeal(t, w)
	tap(t, w, "匿名反映")
	if len(entries(w)) != 0 {
		t.Errorf("anonymous still asks for %d fields", len(entries(w)))
	}
	tap(t, w, "下一步")
	assertShows(t, w, "请核对以下内容", "匿名反映")
	tap(t, w, "提交")
	items, err := s.Pending(context.Background(), 0)
	if err != nil || len(items) != 1 {
		t.Fatalf("outbox: %v, %d items", err, len(items))
	}
	var c data.Case
	if err := json.Unmarshal(items[0].Body, &c); err != nil {
		t.Fatal(err)
	}
	if !c.Anonymous || c.Applicant != nil {
		t.Errorf("anonymous appeal filed as %+v", c)
	}
}

func TestIdleResetClearsHalfFilledAppeal(t *testing.T) {
	k, w, _ := newAppealKiosk(t, Options{})
	fillAppeal(t, w)
	focusEntry(t, w, "手机号码")
	typeDigits(t, w, "1381234")
	k.Reset() // what the idle guard ends in
	if len(k.stack) != 0 {
		t.Fatal("reset left screens")
	}
	tap(t, w, "我要反映")
	assertShows(t, w, "反映类型")
	tap(t, w, "投诉")
	tap(t, w, "噪音扰民")
	tap(t, w, "下一步")
	if got := entryText(t, w, "问题描述"); got != "" {
		t.Errorf("a new appeal starts with the description %q", got)
	}
}

func TestAppealIdleGuardClearsForm(t *testing.T) {
	k, w, clock := newTestKiosk(t, Options{IdleAfter: 10e9, IdleWarn: 5e9})
	if k.cases == nil {
		t.Skip("demo store is not a CaseWriter")
	}
	tap(t, w, "我要反映")
	tap(t, w, "投诉")
	clock.Advance(16e9)
	k.Tick()
	if len(k.stack) != 0 {
		t.Errorf("the idle guard left the half-filled form up")
	}
}

// failingCases is a CaseWriter whose writes fail.
type failingCases struct{ CaseWriter }

func (failingCases) FileCase(_ context.Context, c data.Case, _ int64, _ int) (data.Case, error) {
	return c, errors.New("disk full")
}

func (failingCases) FileOpinion(_ context.Context, o data.Opinion) (data.Opinion, error) {
	return o, errors.New("disk full")
}

func TestAppealWriteFailureKeepsForm(t *testing.T) {
	k, w, s := newAppealKiosk(t, Options{})
	// The screen was opened with the store; the write fails underneath.
	k.cases = failingCases{s}
	fillAppeal(t, w)
	tap(t, w, "匿名反映")
	tap(t, w, "下一步")
	tap(t, w, "提交")
	assertShows(t, w, "未能保存", "请核对以下内容")
}

// TestAppealAcceptedByDistrict pushes the queued appeal to the real
// district handler and sees it accepted with the district's reference.
func TestAppealAcceptedByDistrict(t *testing.T) {
	_, w, s := newAppealKiosk(t, Options{})
	fillAppeal(t, w)
	focusEntry(t, w, "姓名")
	typeKeys(t, w, "zhang")
	tapKey(t, w, "张")
	focusEntry(t, w, "手机号码")
	typeDigits(t, w, "13812345678")
	tap(t, w, "下一步")
	tap(t, w, "提交")

	if n, err := s.OutboxCount(context.Background()); err != nil || n != 1 {
		t.Fatalf("outbox: %v, %d items", err, n)
	}
	res := pushAll(t, s)
	if len(res) != 1 || res[0].Outcome != wire.Accepted || res[0].Ref == "" {
		t.Fatalf("district answered %+v", res)
	}
	t.Logf("district reference %s", res[0].Ref)
}

func demoSet(t testing.TB) *data.ContentSet {
	t.Helper()
	names, err := fs.Glob(assets.Demo, "demo/*.json")
	if err != nil {
		t.Fatal(err)
	}
	all := &data.ContentSet{}
	for _, name := range names {
		b, err := fs.ReadFile(assets.Demo, name)
		if err != nil {
			t.Fatal(err)
		}
		set, err := data.ReadContentSet(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		all.Streets = append(all.Streets, set.Streets...)
		all.Notices = append(all.Notices, set.Notices...)
		all.Catalog = append(all.Catalog, set.Catalog...)
		all.Services = append(all.Services, set.Services...)
		all.Providers = append(all.Providers, set.Providers...)
		all.Consultations = append(all.Consultations, set.Consultations...)
		all.Calendars = append(all.Calendars, set.Calendars...)
	}
	return all
}

// sampleAppeal is a complaint filled up to step, for the screen walks.
func sampleAppeal(step int, mobile string) *appealForm {
	return &appealForm{step: step, typ: data.AppealComplaint, category: "noise",
		description: "楼下餐馆每晚十一点后仍在装卸货物，噪音很大。", location: "天河南二路 38 号",
		name: "张三", mobile: mobile}
}

// sampleReceipt is the receipt of a filed complaint.
func sampleReceipt() *appealForm {
	ref, err := data.NewReference(7, testNow, 1)
	if err != nil {
		panic(err)
	}
	return &appealForm{step: appealStepReceipt, filed: &filedCase{c: data.Case{Ref: ref, Kind: data.CaseAppeal,
		AppealType: data.AppealComplaint, Deadline: data.MustDate("2026-12-14")}}}
}

// In 长者模式 the keyboard leaves a strip of the screen: touching a field
// lower down scrolls it into that strip.
func TestFocusedFieldScrollsIntoView(t *testing.T) {
	k, w, _ := newAppealKiosk(t, Options{Elder: true})
	openAppealForm(k.env, k.cases, sampleAppeal(appealStepContact, ""))
	focusEntry(t, w, "手机号码")
	sc := k.scroll
	if sc == nil {
		t.Fatal("the contact page has no roomy scroll")
	}
	var mobile fyne.CanvasObject
	for _, e := range entries(w) {
		if e.Label == "手机号码" {
			mobile = e
		}
	}
	d := fyne.CurrentApp().Driver()
	y := d.AbsolutePositionForObject(mobile).Y - d.AbsolutePositionForObject(sc).Y
	if y < 0 || y+mobile.Size().Height > sc.Size().Height {
		t.Errorf("the mobile field is at %.0f in a view %.0f high (offset %.0f)", y, sc.Size().Height, sc.Offset.Y)
	}
}

// A finger on the lower or upper part of the empty description box, in
// either mode, focuses it with the caret at the end and brings up the
// keyboard, and the letters typed then land in the box. The keyboard
// comes up only once the finger is lifted: in 长者模式 it would otherwise
// put the footer or its own keys under the finger before the release.
func TestTouchLowInEmptyDescription(t *testing.T) {
	for _, c := range []struct {
		elder bool
		at    float32 // of the box's height
	}{{false, 0.8}, {true, 0.8}, {true, 0.2}} {
		elder := c.elder
		k, w, _ := newAppealKiosk(t, Options{Elder: elder})
		f := sampleAppeal(appealStepText, "")
		f.description = ""
		openAppealForm(k.env, k.cases, f)
		var desc *keyboard.Entry
		for _, e := range entries(w) {
			if e.Label == "问题描述" {
				desc = e
			}
		}
		if desc == nil {
			t.Fatal("no description entry")
		}
		d := fyne.CurrentApp().Driver()
		at := d.AbsolutePositionForObject(desc).Add(fyne.NewPos(desc.Size().Width/2, desc.Size().Height*c.at))
		touchAt(w, at)
		if w.Canvas().Focused() != fyne.Focusable(desc) {
			t.Fatalf("elder %v: a touch on the empty box left the focus on %v", elder, w.Canvas().Focused())
		}
		if !keyboardOf(t, w).Visible() {
			t.Fatalf("elder %v: a touch on the empty box did not bring up the keyboard", elder)
		}
		if desc.CursorRow != 0 || desc.CursorColumn != 0 {
			t.Errorf("elder %v: caret at row %d column %d of an empty box", elder, desc.CursorRow, desc.CursorColumn)
		}
		if elder {
			// The keyboard leaves a strip: the box is scrolled into it.
			sc := k.scroll
			y := d.AbsolutePositionForObject(desc).Y - d.AbsolutePositionForObject(sc).Y
			if y < 0 || y >= sc.Size().Height {
				t.Errorf("the box is at %.0f in a view %.0f high once the finger is lifted", y, sc.Size().Height)
			}
		}
		typeKeys(t, w, "tousu")
		tapKey(t, w, "投诉")
		if desc.Text != "投诉" {
			t.Errorf("elder %v: the box holds %q after typing 投诉", elder, desc.Text)
		}
	}
}

// TestAppealTypesFitInEnglishElder: the first step of 我要反映 shows every
// type and subject without scrolling in English 长者模式, whichever type is
// chosen (the chosen tile's tick must not cost a column).
func TestAppealTypesFitInEnglishElder(t *testing.T) {
	for _, typ := range append([]data.AppealType{""}, data.AppealTypes...) {
		k, w, _ := newTestKiosk(t, Options{Elder: true, Lang: data.EN, Speaker: &fakeSpeaker{}})
		openAppealForm(k.env, k.cases, &appealForm{typ: typ, category: appealCategories[len(appealCategories)-1]})
		n := 0
		walk(w.Content(), func(o fyne.CanvasObject) {
			if s, ok := o.(*container.Scroll); ok {
				n++
				if need, have := s.Content.MinSize().Height, s.Size().Height; need > have+1 {
					t.Errorf("type %q chosen: the page needs %.0f px and shows %.0f", typ, need, have)
				}
			}
		})
		if n == 0 {
			t.Fatal("no page on screen")
		}
	}
}
