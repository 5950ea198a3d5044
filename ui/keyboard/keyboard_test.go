package keyboard

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"jiezhen/data"
	kioskTheme "jiezhen/ui/theme"
)

// form is a screen of entries above the keyboard, as package ui lays it out.
type form struct {
	t        *testing.T
	w        fyne.Window
	kb       *Keyboard
	id, name *Entry
	date     *Entry
	appeal   *Entry
	search   *Entry
	submit   *widget.Button
	searched string
}

func newForm(t *testing.T, elder bool) *form {
	t.Helper()
	a := test.NewTempApp(t)
	a.Settings().SetTheme(&kioskTheme.Theme{Elder: elder})
	f := &form{t: t, kb: New()}
	f.kb.SetElder(elder)
	f.id = f.kb.NewEntry(ModeFor(data.FieldIDNumber))
	f.name = f.kb.NewEntry(Chinese)
	f.date = f.kb.NewEntry(ModeFor(data.FieldDate))
	f.appeal = f.kb.NewMultiLineEntry()
	f.search = f.kb.NewEntry(Chinese)
	f.search.OnSubmitted = func(s string) { f.searched = s }
	f.submit = widget.NewButton("提交", func() {})
	screen := container.NewVBox(f.id, f.submit, f.name, f.date, f.appeal, f.search)
	f.w = test.NewTempWindow(t, f.kb.Wrap(screen))
	f.w.Resize(fyne.NewSize(1600, 1200))
	return f
}

// keys lists the visible keys of the keyboard, walking its widget tree.
func keys(o fyne.CanvasObject) []*key {
	var out []*key
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if !o.Visible() {
			return
		}
		if k, ok := o.(*key); ok {
			out = append(out, k)
			return
		}
		switch c := o.(type) {
		case *fyne.Container:
			for _, ch := range c.Objects {
				walk(ch)
			}
		case fyne.Widget:
			for _, ch := range test.WidgetRenderer(c).Objects() {
				walk(ch)
			}
		}
	}
	walk(o)
	return out
}

func (f *form) key(label string) *key {
	f.t.Helper()
	var labels []string
	for _, k := range keys(f.kb) {
		// Letter keys show capitals while 大写 is on.
		if k.label == label || (len(label) == 1 && k.label == strings.ToUpper(label)) {
			return k
		}
		labels = append(labels, k.label)
	}
	f.t.Fatalf("no key %q on the keyboard: %s", label, strings.Join(labels, " "))
	return nil
}

func (f *form) hasKey(label string) bool {
	for _, k := range keys(f.kb) {
		if k.label == label {
			return true
		}
	}
	return false
}

// tap taps the keys labelled by each rune of s, then each label of more.
func (f *form) tap(s string, more ...string) {
	f.t.Helper()
	for _, r := range s {
		test.Tap(f.key(string(r)))
	}
	for _, l := range more {
		test.Tap(f.key(l))
	}
}

// candidates are the words of the candidate bar.
func (f *form) candidates() []*key {
	var out []*key
	for _, k := range keys(f.kb.bar) {
		if k.role == roleCandidate {
			out = append(out, k)
		}
	}
	return out
}

// focus touches an entry. Fyne's entry takes the focus on the mouse-down
// of a touch, which test.Tap does not send, so the canvas is asked directly.
func (f *form) focus(e *Entry) {
	f.t.Helper()
	f.w.Canvas().Focus(e)
	if f.w.Canvas().Focused() != fyne.Focusable(e) {
		f.t.Fatal("the entry did not take the focus")
	}
}

// idEndingInX is a valid ID number whose check character is X.
func idEndingInX(t *testing.T) string {
	for seq := 100; seq < 1000; seq++ {
		first := fmt.Sprintf("44010619800101%03d", seq)
		if data.IDCheckChar(first) == 'X' {
			return first + "X"
		}
	}
	t.Fatal("no ID number ending in X")
	return ""
}

func TestHiddenUntilAnEntryHasFocus(t *testing.T) {
	f := newForm(t, false)
	if f.kb.Visible() {
		t.Fatal("keyboard shown before any entry has focus")
	}
	f.focus(f.name)
	if !f.kb.Visible() || f.kb.Target() != f.name {
		t.Fatal("keyboard not shown for the focused entry")
	}
	f.w.Canvas().Unfocus()
	if f.kb.Visible() {
		t.Error("keyboard still shown after the entry lost focus")
	}
	f.focus(f.name)
	f.tap("", LabelClose)
	if f.kb.Visible() || f.w.Canvas().Focused() != nil {
		t.Error("收起 left the keyboard up or the entry focused")
	}
}

func TestTypeIDNumberWithX(t *testing.T) {
	f := newForm(t, false)
	f.focus(f.id)
	if f.hasKey("q") || !f.hasKey("X") {
		t.Fatal("an ID number entry does not bring up the digits pad with X")
	}
	want := idEndingInX(t)
	f.tap(want)
	if f.id.Text != want {
		t.Fatalf("typed %q, want %q", f.id.Text, want)
	}
	if err := data.ValidateIDNumber(f.id.Text, data.Date{}); err != nil {
		t.Errorf("typed ID number %s is invalid: %v", f.id.Text, err)
	}
	if f.w.Canvas().Focused() != fyne.Focusable(f.id) {
		t.Error("the entry lost the focus to the keys")
	}
}

func TestDatePad(t *testing.T) {
	f := newForm(t, false)
	f.focus(f.date)
	if f.hasKey("X") || !f.hasKey("-") {
		t.Fatal("a date entry needs - and no X")
	}
	f.tap("2026-11-25")
	if f.date.Text != "2026-11-25" {
		t.Errorf("typed %q", f.date.Text)
	}
}

func TestPinyinBanshiFirstCandidate(t *testing.T) {
	f := newForm(t, false)
	f.focus(f.name)
	f.tap("banshi")
	if f.kb.Preedit() != "banshi" || f.name.Text != "" {
		t.Fatalf("preedit %q, entry %q: letters must wait for a candidate", f.kb.Preedit(), f.name.Text)
	}
	c := f.candidates()
	if len(c) == 0 || c[0].label != "办事" {
		t.Fatalf("first candidate is not 办事: %v", labels(c))
	}
	test.Tap(c[0])
	if f.name.Text != "办事" || f.kb.Preedit() != "" {
		t.Errorf("after tapping 办事: entry %q, preedit %q", f.name.Text, f.kb.Preedit())
	}
	// Abbreviations too.
	f.tap("sfz")
	if c := f.candidates(); len(c) == 0 || c[0].label != "身份证" {
		t.Fatalf("sfz: %v", labels(c))
	}
	f.tap("", LabelSpace) // the space key commits the first candidate
	if f.name.Text != "办事身份证" {
		t.Errorf("entry %q", f.name.Text)
	}
}

func TestCommitPartOfThePinyin(t *testing.T) {
	f := newForm(t, false)
	f.focus(f.name)
	f.tap("banshizhinan")
	var banshi *key
	for _, c := range f.candidates() {
		if c.label == "办事" {
			banshi = c
		}
	}
	if banshi == nil {
		t.Fatalf("办事 not on the first page: %v", labels(f.candidates()))
	}
	test.Tap(banshi)
	if f.name.Text != "办事" || f.kb.Preedit() != "zhinan" {
		t.Fatalf("entry %q, preedit %q", f.name.Text, f.kb.Preedit())
	}
	test.Tap(f.candidates()[0])
	if f.name.Text != "办事指南" {
		t.Errorf("entry %q", f.name.Text)
	}
}

func TestPagingCandidates(t *testing.T) {
	f := newForm(t, false)
	f.focus(f.name)
	f.tap("shi")
	first := labels(f.candidates())
	if f.key(LabelPrev).role != roleOff {
		t.Error("◀ active on the first page")
	}
	f.tap("", LabelNextPage)
	second := labels(f.candidates())
	if len(second) == 0 || strings.Join(first, "") == strings.Join(second, "") {
		t.Fatalf("▶ did not turn the page: %v then %v", first, second)
	}
	f.tap("", LabelPrev)
	if got := labels(f.candidates()); strings.Join(got, "") != strings.Join(first, "") {
		t.Errorf("◀ gave %v, want %v", got, first)
	}
}

// TestNarrowBarPagesByWhatFits: on a narrow screen the bar shows fewer
// candidates, and ▶ goes on from the first one it could not show.
func TestNarrowBarPagesByWhatFits(t *testing.T) {
	f := newForm(t, false)
	f.w.Resize(fyne.NewSize(620, 1200))
	f.focus(f.name)
	f.tap("zhongguorenmin")
	shown := labels(f.candidates())
	all := f.kb.ime().Lookup("zhongguorenmin", 0, 20)
	if len(shown) == 0 || len(shown) >= f.kb.perPage {
		t.Fatalf("a narrow bar shows %d candidates: %v", len(shown), shown)
	}
	if w := f.kb.MinSize().Width; w > 620 {
		t.Errorf("the keyboard needs %.0f wide, more than the window", w)
	}
	f.tap("", LabelNextPage)
	next := labels(f.candidates())
	if len(next) == 0 || next[0] != shorten(all[len(shown)].Text, maxCandidateRunes, false) {
		t.Errorf("after ▶: %v, want to start with candidate %d of %v", next, len(shown)+1, all)
	}
	f.tap("", LabelPrev)
	if got := labels(f.candidates()); strings.Join(got, " ") != strings.Join(shown, " ") {
		t.Errorf("◀ gave %v, want %v", got, shown)
	}
}

func TestEnglishWord(t *testing.T) {
	f := newForm(t, false)
	f.focus(f.name)
	f.tap("", LabelLang)
	f.tap("hello")
	if f.name.Text != "hello" || f.kb.Preedit() != "" {
		t.Fatalf("entry %q, preedit %q", f.name.Text, f.kb.Preedit())
	}
	f.tap("", LabelShift)
	f.tap("ok")
	f.tap("", LabelShift, LabelSymbols)
	f.tap("!")
	if f.name.Text != "helloOK!" {
		t.Errorf("entry %q, want helloOK!", f.name.Text)
	}
	// In pinyin, letters that are no pinyin can be typed as they are by
	// tapping them in the bar.
	f.tap("", LabelLetters, LabelLang)
	f.name.SetText("")
	f.tap("iphone")
	test.Tap(keys(f.kb.bar)[0])
	if f.name.Text != "iphone" {
		t.Errorf("entry %q, want iphone", f.name.Text)
	}
}

// With SetLettersFirst (a kiosk in English) a text entry opens on plain
// letters, and 中/英 still switches to pinyin; the next entry opens on
// letters again. Without it, one opens in pinyin.
func TestLettersFirst(t *testing.T) {
	f := newForm(t, false)
	f.kb.SetLettersFirst(true)
	f.focus(f.name)
	f.tap("ban")
	if f.name.Text != "ban" || f.kb.Preedit() != "" {
		t.Fatalf("letters first: entry %q, preedit %q", f.name.Text, f.kb.Preedit())
	}
	f.tap("", LabelLang)
	f.tap("ban")
	if f.name.Text != "ban" || f.kb.Preedit() != "ban" {
		t.Fatalf("after 中/英: entry %q, preedit %q", f.name.Text, f.kb.Preedit())
	}
	f.focus(f.search)
	f.tap("ok")
	if f.search.Text != "ok" || f.kb.Preedit() != "" {
		t.Fatalf("next entry: %q, preedit %q", f.search.Text, f.kb.Preedit())
	}

	f.kb.SetLettersFirst(false)
	f.focus(f.appeal)
	f.focus(f.name)
	f.name.SetText("")
	f.tap("ban")
	if f.name.Text != "" || f.kb.Preedit() != "ban" {
		t.Fatalf("pinyin first: entry %q, preedit %q", f.name.Text, f.kb.Preedit())
	}
}

func TestBackspaceAndClear(t *testing.T) {
	f := newForm(t, false)
	f.focus(f.name)
	f.tap("ban", LabelBackspace)
	if f.kb.Preedit() != "ba" {
		t.Fatalf("删除 left preedit %q", f.kb.Preedit())
	}
	f.tap("", LabelClear)
	if f.kb.Preedit() != "" || len(f.candidates()) != 0 {
		t.Fatalf("清空 left preedit %q", f.kb.Preedit())
	}
	f.tap("banshi")
	test.Tap(f.candidates()[0])
	f.tap("", LabelBackspace)
	if f.name.Text != "办" {
		t.Fatalf("删除 left %q", f.name.Text)
	}
	f.tap("", LabelClear)
	if f.name.Text != "" {
		t.Errorf("清空 left %q", f.name.Text)
	}

	f.focus(f.id)
	f.tap("123", LabelBackspace)
	if f.id.Text != "12" {
		t.Fatalf("删除 on the pad left %q", f.id.Text)
	}
	f.tap("", LabelClear)
	if f.id.Text != "" {
		t.Errorf("清空 on the pad left %q", f.id.Text)
	}
}

func TestNextSkipsButtonsAndCloses(t *testing.T) {
	f := newForm(t, false)
	f.focus(f.id)
	f.tap("", LabelNext) // over the 提交 button to the name entry
	if f.kb.Target() != f.name || f.w.Canvas().Focused() != fyne.Focusable(f.name) || !f.kb.Visible() {
		t.Fatalf("下一项 from the ID number went to %v", f.w.Canvas().Focused())
	}
	if !f.hasKey("q") {
		t.Error("the name entry did not bring up the letters")
	}
	// Pinyin waiting is converted before moving on.
	f.tap("laonianren", LabelNext)
	if f.name.Text != "老年人" {
		t.Errorf("下一项 converted the letters to %q", f.name.Text)
	}
	if f.kb.Target() != f.date {
		t.Fatal("下一项 did not go to the date entry")
	}
	f.focus(f.appeal)
	if !f.hasKey(LabelNewline) {
		t.Fatal("a multi-line entry has no 换行 key")
	}
	f.tap("tousu", LabelNewline)
	if f.appeal.Text != "投诉\n" {
		t.Errorf("appeal %q", f.appeal.Text)
	}
}

// 下一项 never goes back up: from the last entry of the screen Fyne's
// focus chain wraps around to the first one, and the keyboard closes
// instead.
func TestNextFromTheLastEntryCloses(t *testing.T) {
	f := newForm(t, false)
	first, last := f.kb.NewEntry(Chinese), f.kb.NewEntry(Digits)
	f.w.SetContent(f.kb.Wrap(container.NewVBox(first, widget.NewButton("下一步", func() {}), last)))
	f.focus(last)
	f.tap("12", LabelNext)
	if f.kb.Visible() || f.kb.Target() != nil {
		t.Errorf("下一项 in the last entry left the keyboard up (target %v)", f.kb.Target() != nil)
	}
	if foc := f.w.Canvas().Focused(); foc == fyne.Focusable(first) {
		t.Error("下一项 in the last entry went back to the first")
	}
	if last.Text != "12" {
		t.Errorf("the last entry holds %q", last.Text)
	}
}

// The last entry of a page says what its key does: 完成, which closes
// the keyboard (converting the letters waiting) and leaves the others alone.
func TestDoneKeyOnTheLastEntry(t *testing.T) {
	f := newForm(t, false)
	f.name.Last = true
	f.focus(f.name)
	if !f.hasKey(LabelDone) || f.hasKey(LabelNext) {
		t.Fatalf("the last entry's keys: %s", strings.Join(labels(keys(f.kb)), " "))
	}
	f.tap("laonianren", LabelDone)
	if f.name.Text != "老年人" {
		t.Errorf("完成 converted the letters to %q", f.name.Text)
	}
	if f.kb.Visible() || f.w.Canvas().Focused() == fyne.Focusable(f.date) {
		t.Error("完成 did not close the keyboard, or moved on to the next entry")
	}
	// Another entry still moves on.
	f.focus(f.id)
	if !f.hasKey(LabelNext) || f.hasKey(LabelDone) {
		t.Errorf("an entry not last lacks 下一项: %s", strings.Join(labels(keys(f.kb)), " "))
	}
	// An entry with OnSubmitted keeps 确定 even when last.
	f.search.Last = true
	f.focus(f.search)
	if !f.hasKey(LabelSubmit) {
		t.Error("Last took 确定 from an entry with OnSubmitted")
	}
}

func TestSubmitKey(t *testing.T) {
	f := newForm(t, false)
	f.focus(f.search)
	f.tap("shenfenzheng", LabelSubmit)
	if f.searched != "身份证" {
		t.Errorf("OnSubmitted got %q, want 身份证", f.searched)
	}
}

// TestReferencePadSwitchesToLetters: 字母 on the reference pad offers the
// characters of a reference (data.RefAlphabet) and the dash between its
// groups, and no letter a reference never holds (I, L, O, U, Z).
func TestReferencePadSwitchesToLetters(t *testing.T) {
	f := newForm(t, false)
	ref := f.kb.NewEntry(Reference)
	f.w.SetContent(f.kb.Wrap(ref))
	f.focus(ref)
	f.tap("001-13", LabelLetters)
	var chars []string
	for _, k := range keys(f.kb) {
		if k.role == roleChar {
			chars = append(chars, k.label)
		}
	}
	sorted := append([]string(nil), chars...)
	slices.Sort(sorted)
	want := strings.Split(data.RefAlphabet+"-", "")
	slices.Sort(want)
	if !slices.Equal(sorted, want) {
		t.Errorf("the reference letters offer %v, want %v", chars, want)
	}
	f.tap("H-018")
	if ref.Text != "001-13H-018" {
		t.Errorf("typed %q", ref.Text)
	}
}

// TestSubmitClosesKeyboard: 确定 runs the entry's OnSubmitted (a search)
// and closes the keyboard, so that what it brought (the results) shows.
func TestSubmitClosesKeyboard(t *testing.T) {
	f := newForm(t, false)
	f.focus(f.search)
	f.tap("banshi", LabelSubmit)
	if f.searched != "办事" {
		t.Errorf("OnSubmitted got %q, want 办事", f.searched)
	}
	if f.kb.Visible() {
		t.Error("the keyboard stayed up after 确定")
	}
}

func TestOnFocusOncePerField(t *testing.T) {
	f := newForm(t, true)
	var heard []string
	f.kb.OnFocus = func(e *Entry) { heard = append(heard, e.Label) }
	f.name.Label, f.date.Label = "姓名", "日期"
	f.focus(f.name)
	f.tap("banshi")
	f.focus(f.date)
	f.tap("2026")
	if strings.Join(heard, ",") != "姓名,日期" {
		t.Errorf("OnFocus heard %v, want each label once", heard)
	}
}

// Letters waiting for conversion do not change the entry, so an idle timer
// learns about typing from OnKey.
func TestOnKeyForEveryKey(t *testing.T) {
	f := newForm(t, false)
	n := 0
	f.kb.OnKey = func() { n++ }
	f.focus(f.name)
	f.tap("ban", LabelBackspace, LabelClose)
	if n != 5 {
		t.Errorf("OnKey ran %d times for 5 keys", n)
	}
	if f.name.Text != "" {
		t.Errorf("entry %q, want nothing typed yet", f.name.Text)
	}
}

// A search button beside the entry converts the letters waiting.
func TestCommit(t *testing.T) {
	f := newForm(t, false)
	f.kb.Commit() // nothing to do
	f.focus(f.search)
	f.tap("banshi")
	f.w.Canvas().Unfocus() // a tap on the button beside it
	f.kb.Commit()
	if f.search.Text != "办事" || f.kb.Preedit() != "" {
		t.Errorf("Commit: entry %q, letters %q", f.search.Text, f.kb.Preedit())
	}
}

func TestDismissDropsLetters(t *testing.T) {
	f := newForm(t, false)
	f.focus(f.name)
	f.tap("ban")
	f.kb.Dismiss()
	if f.kb.Visible() || f.kb.Preedit() != "" || f.kb.Target() != nil || f.w.Canvas().Focused() != nil {
		t.Error("Dismiss left the keyboard up, letters waiting or the entry focused")
	}
}

// TestTouchTargets walks every layout's keys, laid out in the window, and
// checks each against the elder-friendly minimum: 44x44, 60x60 in 长者模式.
func TestTouchTargets(t *testing.T) {
	for _, elder := range []bool{false, true} {
		f := newForm(t, elder)
		min := kioskTheme.MinTarget(elder)
		check := func(layout string) {
			t.Helper()
			test.LaidOutObjects(f.w.Content())
			ks := keys(f.kb)
			if len(ks) < 10 {
				t.Fatalf("%s: only %d keys", layout, len(ks))
			}
			for _, k := range ks {
				if s := k.Size(); s.Width < min || s.Height < min {
					t.Errorf("elder=%v %s: key %q is %.0fx%.0f, under %.0fx%.0f", elder, layout, k.label, s.Width, s.Height, min, min)
				}
			}
		}
		f.focus(f.id)
		check("ID number pad")
		f.focus(f.name)
		check("pinyin")
		f.tap("shenfenzheng")
		check("pinyin with candidates")
		f.tap("", LabelLang)
		check("English")
		f.tap("", LabelSymbols)
		check("symbols")
		f.w.Canvas().Unfocus()
	}
}

func TestModeFor(t *testing.T) {
	for ft, want := range map[data.FieldType]Mode{
		data.FieldText: Chinese, data.FieldLongText: Chinese, data.FieldNumber: Decimal,
		data.FieldMobile: Digits, data.FieldIDNumber: IDNumber, data.FieldDate: Date,
	} {
		if got := ModeFor(ft); got != want {
			t.Errorf("ModeFor(%s) = %v, want %v", ft, got, want)
		}
	}
}

func labels(ks []*key) []string {
	var out []string
	for _, k := range ks {
		out = append(out, k.label)
	}
	return out
}

// The function keys and the bar's tags show the labels set, also while
// the keyboard is up, and act as before; none stays Chinese.
func TestSetLabels(t *testing.T) {
	f := newForm(t, false)
	f.focus(f.name)
	en := Labels{Backspace: "Delete", Clear: "Clear", Space: "Space", Next: "Next", Done: "Done", Submit: "OK", Newline: "New line",
		Lang: "中/EN", Symbols: "Symbols", Letters: "ABC", Shift: "Shift", Close: "Hide", Pinyin: "Pinyin", English: "English"}
	f.kb.SetLabels(en)
	for _, l := range []string{"Delete", "Clear", "Space", "Next", "中/EN", "Symbols", "Hide", "Pinyin"} {
		if !f.hasKey(l) {
			t.Errorf("no key %q after SetLabels", l)
		}
	}
	chinese := []string{LabelBackspace, LabelClear, LabelSpace, LabelNext, LabelDone, LabelSubmit, LabelNewline, LabelSymbols,
		LabelLetters, LabelShift, LabelClose, tagPinyin, tagEnglish}
	check := func(where string) {
		t.Helper()
		for _, k := range keys(f.kb) {
			for _, zh := range chinese {
				if k.label == zh {
					t.Errorf("%s: key %q is still Chinese", where, zh)
				}
			}
		}
	}
	check("letters")
	f.tap("ban", "Delete")
	if f.kb.Preedit() != "ba" {
		t.Fatalf("Delete left preedit %q", f.kb.Preedit())
	}
	f.tap("", "Clear", "中/EN")
	check("English letters")
	if !f.hasKey("Shift") || !f.hasKey("English") {
		t.Error("the English layout lacks Shift or its tag")
	}
	f.tap("", "Symbols")
	check("symbols")
	if !f.hasKey("ABC") {
		t.Error("the symbols layout lacks ABC")
	}
	f.focus(f.search)
	if !f.hasKey("OK") {
		t.Error("an entry with OnSubmitted lacks OK")
	}
	f.focus(f.appeal)
	if !f.hasKey("New line") {
		t.Error("a multi-line entry lacks New line")
	}
	f.date.Last = true
	f.focus(f.date)
	if !f.hasKey("Done") {
		t.Error("the last entry lacks Done")
	}
	f.focus(f.id)
	check("digits pad")
	f.tap("12", "Delete")
	if f.id.Text != "1" {
		t.Errorf("Delete on the pad left %q", f.id.Text)
	}
	// Back to the defaults: an empty Labels keeps them.
	f.kb.SetLabels(Labels{})
	if !f.hasKey(LabelBackspace) || !f.hasKey(LabelClose) {
		t.Error("SetLabels(Labels{}) did not bring back the Chinese labels")
	}
	f.tap("", LabelClose)
}

// TestElderLettersHeight: the letters layout in 长者模式 takes no more of
// the window than its five rows (the bar of digits or candidates and four
// rows of keys as high as the staff PIN pad's) with one gap between them
// and a third of one above and below them, and every key is at least
// that high.
func TestElderLettersHeight(t *testing.T) {
	f := newForm(t, true)
	f.focus(f.name)
	h, pad := kioskTheme.PadKey(false).Height, kioskTheme.KeyGap()
	want := 5*h + 4*pad + 2*pad/3
	if got := f.kb.MinSize().Height; got > want+1 {
		t.Errorf("the elder letters keyboard is %.0f high, want at most %.0f", got, want)
	}
	test.LaidOutObjects(f.w.Content())
	for _, k := range keys(f.kb) {
		if s := k.Size(); s.Height < h {
			t.Errorf("key %q is %.0f high, under %.0f", k.label, s.Height, h)
		}
	}
}

// TestOnVisible: the keyboard tells when it comes up and when it goes,
// once each, before the window is laid out again.
func TestOnVisible(t *testing.T) {
	f := newForm(t, false)
	var got []bool
	f.kb.OnVisible = func(v bool) {
		if v != f.kb.Visible() {
			t.Errorf("OnVisible(%v) while Visible() is %v", v, f.kb.Visible())
		}
		got = append(got, v)
	}
	f.focus(f.name)
	f.kb.Dismiss()
	f.kb.Dismiss()
	if fmt.Sprint(got) != "[true false]" {
		t.Errorf("OnVisible calls: %v, want [true false]", got)
	}
}
