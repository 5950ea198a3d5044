// Package keyboard is the kiosk's on-screen keyboard: the touchscreen is
// the only input, Fyne offers no on-screen keyboard on desktop, and the
// system's keyboards do not draw over a full-screen window.
//
// One Keyboard serves the whole window. It shows itself while one of its
// entries has focus and hides otherwise, with the layout that entry needs:
//   - a digits pad for mobiles and PINs (Digits), amounts (Decimal, with .), ID numbers
//     (IDNumber, with X), dates (Date, with -) and references (Reference,
//     with - and a switch to the letters a reference may hold,
//     data.RefAlphabet, and no others);
//   - letters, digits and punctuation (Chinese and English), with 中/英:
//     in Chinese the letters are pinyin; while letters wait, the row of
//     digits above them becomes a candidate bar of words ranked by
//     frequency (package ime), ◀ ▶ to page, a tap to commit; the letters
//     themselves can be tapped to type them as they are.
//     A text entry opens in pinyin, or on plain letters after
//     SetLettersFirst (a kiosk in English).
//
// Every key is at least theme.MinTarget(elder) square: 44, or 60 in 长者模式.
// The letters, the candidates and the keys beside them are as high as the
// staff PIN pad's keys (theme.PadKey of the normal mode), and the letters
// as wide where the window has room for ten of them; they grow with the
// screen (call Restyle after the theme's scale changed).
//
// Wiring into the kiosk (package ui):
//
//	kb := keyboard.New()
//	win.SetContent(kb.Wrap(screens)) // screens above, the keyboard below
//
//	name := kb.NewEntry(keyboard.Chinese)       // instead of widget.NewEntry()
//	name.Label = "姓名"                          // read aloud by OnFocus, if wired
//	mobile := kb.NewEntry(keyboard.Digits)
//	id := kb.NewEntry(keyboard.ModeFor(data.FieldIDNumber))
//	appeal := kb.NewMultiLineEntry()
//	mobile.Last = true // the page's last field: 完成 closes the keyboard
//	pin := kb.NewPasswordEntry()
//	search := kb.NewEntry(keyboard.Chinese)
//	search.OnSubmitted = func(q string) { ... } // its enter key becomes 确定, which closes the keyboard
//	// a 搜索 button beside it first converts the pinyin letters waiting:
//	kb.Commit()
//
//	// on every screen change and on idle reset, so that a keyboard does not
//	// stay up for an entry no longer shown and typed letters are forgotten:
//	kb.Dismiss()
//	// when the resident switches 长者模式:
//	kb.SetElder(on)
//	// to read a field's label when it is touched in 长者模式:
//	kb.OnFocus = func(e *keyboard.Entry) { if elder && sp != nil { sp.Speak(e.Label, nil) } }
//	// to count typing as activity for an idle timer:
//	kb.OnKey = func() { touch() }
//
// An Entry embeds widget.Entry, so Text, SetText, OnChanged, Validator,
// Wrapping and the rest work as usual; &e.Entry is the *widget.Entry. The
// keyboard needs its own entry type because widget.Entry tells nobody when
// it gains or loses focus. Wrap puts the keyboard under the screens and
// lays them out again whenever it shows or hides (a Fyne container does not
// notice a child appearing): the screen shrinks while the keyboard is up,
// so long forms belong in a scroll container.
//
// Keys type into the entry through its TypedRune and TypedKey, as a
// physical keyboard would, so the cursor, selection, undo, validation and
// OnChanged behave as usual. Tapping a key must not take the focus from the
// entry: keys are not focusable, and the Keyboard itself is focusable but
// disabled, which is what tells Fyne's desktop driver not to unfocus the
// entry for a tap inside it (without ever being focused: disabled widgets
// are skipped when moving the focus). Where a driver unfocuses anyway (the
// test driver does), the key gives the focus back to its entry.
package keyboard

import (
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"jiezhen/data"
	"jiezhen/ui/ime"
	kioskTheme "jiezhen/ui/theme"
)

// Mode is the layout an entry needs.
type Mode int

const (
	Chinese   Mode = iota // letters typed as pinyin, with 中/英
	English               // letters typed as they are, with 中/英
	Digits                // 0-9: numbers, mobiles, PINs
	IDNumber              // 0-9 and X: resident ID numbers
	Date                  // 0-9 and -: dates as 2006-01-02
	Reference             // 0-9, - and a switch to a reference's letters: 001-13H-018
	Decimal               // 0-9 and .: amounts and measures such as 3.5
)

// ModeFor is the keyboard a form field of type t needs.
func ModeFor(t data.FieldType) Mode {
	switch t {
	case data.FieldNumber:
		return Decimal
	case data.FieldMobile:
		return Digits
	case data.FieldIDNumber:
		return IDNumber
	case data.FieldDate:
		return Date
	}
	return Chinese
}

// Key labels: the Chinese ones, which a keyboard shows until SetLabels
// gives others (DefaultLabels).
const (
	LabelBackspace = "删除"
	LabelClear     = "清空"
	LabelSpace     = "空格"
	LabelNext      = "下一项"
	LabelDone      = "完成" // for the last entry of a page (Entry.Last)
	LabelSubmit    = "确定" // for an entry with OnSubmitted
	LabelNewline   = "换行" // for a multi-line entry
	LabelLang      = "中/英"
	LabelSymbols   = "符号"
	LabelLetters   = "字母"
	LabelShift     = "大写"
	LabelClose     = "收起"
	LabelPrev      = "◀"
	LabelNextPage  = "▶"
	tagPinyin      = "拼音"
	tagEnglish     = "英文"
)

// Labels are the texts of the function keys and the candidate bar's mode
// tags, so that they follow the kiosk's language: the kiosk passes its own
// translations to SetLabels. An empty field keeps the default label.
type Labels struct {
	Backspace, Clear, Space, Next, Done, Submit, Newline string
	Lang, Symbols, Letters, Shift, Close                 string
	Pinyin, English                                      string // the candidate bar's tags
}

// DefaultLabels are the Chinese labels a new keyboard shows.
func DefaultLabels() Labels {
	return Labels{
		Backspace: LabelBackspace, Clear: LabelClear, Space: LabelSpace, Next: LabelNext, Done: LabelDone,
		Submit: LabelSubmit, Newline: LabelNewline, Lang: LabelLang, Symbols: LabelSymbols,
		Letters: LabelLetters, Shift: LabelShift, Close: LabelClose,
		Pinyin: tagPinyin, English: tagEnglish,
	}
}

// withDefaults fills the empty fields of l with the default labels.
func (l Labels) withDefaults() Labels {
	d := DefaultLabels()
	for _, f := range []struct {
		v *string
		d string
	}{
		{&l.Backspace, d.Backspace}, {&l.Clear, d.Clear}, {&l.Space, d.Space}, {&l.Next, d.Next}, {&l.Done, d.Done},
		{&l.Submit, d.Submit}, {&l.Newline, d.Newline}, {&l.Lang, d.Lang}, {&l.Symbols, d.Symbols},
		{&l.Letters, d.Letters}, {&l.Shift, d.Shift}, {&l.Close, d.Close},
		{&l.Pinyin, d.Pinyin}, {&l.English, d.English},
	} {
		if *f.v == "" {
			*f.v = f.d
		}
	}
	return l
}

// preloadAfter is how long after New the dictionary starts loading.
const preloadAfter = time.Second

// maxPreedit bounds the pinyin letters awaiting conversion.
const maxPreedit = 40

// Keyboard is the on-screen keyboard widget. Create it with New.
type Keyboard struct {
	widget.BaseWidget

	// OnFocus, if set, is called when one of the keyboard's entries gains
	// the focus after another one or after Dismiss (for example to read
	// its Label aloud in 长者模式).
	OnFocus func(e *Entry)

	// OnRelease, if set, is called when the pointer that gave an entry the
	// focus is released over it, right after the keyboard comes up. Until
	// then nothing may move the entry from under the pointer: Fyne sends
	// the release to whatever is under the pointer then, and takes the
	// focus away again if that is not focusable. So the keyboard, which
	// takes room from the screen, comes up only once the pointer is
	// released. Use Entry.Pressed in OnFocus to tell that case.
	OnRelease func(e *Entry)

	// OnRelayout, if set, is called when the keys change under a focused
	// entry that no finger is pressing (字母 on the reference pad, for
	// example), or when the keyboard comes back up for the entry it typed
	// into last: the keyboard's height may have changed, and the entry
	// may need bringing back into view.
	OnRelayout func(e *Entry)

	// OnVisible, if set, is called when the keyboard shows or hides,
	// before the window is laid out again: the kiosk can then give the
	// keyboard more room (in 长者模式 it hides its header and footer), and
	// the new layout takes that in at once.
	OnVisible func(visible bool)

	// OnKey, if set, is called for every tap on a key, before its action
	// (for example to tell an idle timer that someone is typing: letters
	// waiting for conversion do not change the entry's text).
	OnKey func()

	dict    *ime.Dict
	elder   bool
	labels  Labels
	letters bool // a Chinese entry opens on plain letters, not pinyin (SetLettersFirst)
	refKeys bool // a Reference entry shows the letters of a reference, not the pad

	target *Entry
	mode   Mode // the layout shown: the target's
	pinyin bool // 中 rather than 英 on the letters layout
	shift  bool
	symbol bool

	relaid  bool   // the keys were laid out again by the key being acted on
	preedit string // pinyin letters not yet converted
	start   int    // index of the first candidate shown
	starts  []int  // where the earlier pages started, for ◀

	panel   *fyne.Container
	lay     *panelLayout
	frame   *fyne.Container // from Wrap: laid out again on Show and Hide
	column  *fyne.Container // the bar, then the keys
	keys    *fyne.Container // the rows of keys
	bar     *fyne.Container // the candidate bar, on the letters layout
	barLay  *barLayout
	perPage int // candidates offered to the bar; it shows as many as fit
}

var _ fyne.Focusable = (*Keyboard)(nil)
var _ fyne.Disableable = (*Keyboard)(nil)

// New returns a hidden keyboard. It loads the pinyin dictionary in the
// background a moment later (preloadAfter), so that the first keystroke
// does not wait for it and the window's first frame does not either: on
// the 2-core kiosk, loading it at once delayed the first frame by 40-100
// ms. Typing before then loads it on the spot.
func New() *Keyboard {
	time.AfterFunc(preloadAfter, ime.Preload)
	k := &Keyboard{pinyin: true, labels: DefaultLabels()}
	k.keys = container.NewVBox()
	k.barLay = &barLayout{}
	k.bar = container.New(k.barLay)
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	k.lay = &panelLayout{}
	k.column = container.NewVBox(k.bar, k.keys)
	k.panel = container.New(k.lay, bg, k.column)
	k.ExtendBaseWidget(k)
	k.Hide()
	return k
}

// Wrap returns content with the keyboard below it, for the window's
// content. Use it once per keyboard.
func (k *Keyboard) Wrap(content fyne.CanvasObject) *fyne.Container {
	k.frame = container.NewBorder(nil, k, nil, nil, content)
	return k.frame
}

// Show shows the keyboard and makes room for it.
func (k *Keyboard) Show() {
	if k.Visible() {
		return
	}
	k.BaseWidget.Show()
	if k.OnVisible != nil {
		k.OnVisible(true)
	}
	if k.frame != nil {
		k.frame.Refresh()
	}
}

// Hide hides the keyboard and gives its room back to the screen.
func (k *Keyboard) Hide() {
	if !k.Visible() {
		return
	}
	k.BaseWidget.Hide()
	if k.OnVisible != nil {
		k.OnVisible(false)
	}
	if k.frame != nil {
		k.frame.Refresh()
	}
}

// CreateRenderer is Fyne's.
func (k *Keyboard) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(k.panel)
}

// The Keyboard is Focusable only so that a tap on it does not unfocus the
// entry (see the package comment); it is disabled, so it never gets focus.

// FocusGained does nothing: the keyboard never takes the focus.
func (k *Keyboard) FocusGained() {}

// FocusLost does nothing.
func (k *Keyboard) FocusLost() {}

// TypedRune does nothing.
func (k *Keyboard) TypedRune(rune) {}

// TypedKey does nothing.
func (k *Keyboard) TypedKey(*fyne.KeyEvent) {}

// Disabled is always true: the keyboard is never in the focus chain.
func (k *Keyboard) Disabled() bool { return true }

// Enable does nothing.
func (k *Keyboard) Enable() {}

// Disable does nothing.
func (k *Keyboard) Disable() {}

// SetElder switches between the normal keys (at least 44x44) and the
// elder ones (at least 60x60).
func (k *Keyboard) SetElder(elder bool) {
	if k.elder == elder {
		return
	}
	k.elder = elder
	k.rebuild()
}

// Restyle lays out the keys again at the theme's sizes: call it when the
// theme's scale changed (a new window shape), for the keys to follow.
func (k *Keyboard) Restyle() { k.rebuild() }

// SetLabels sets the texts of the function keys, for the kiosk's language.
func (k *Keyboard) SetLabels(l Labels) {
	l = l.withDefaults()
	if k.labels == l {
		return
	}
	k.labels = l
	k.rebuild()
}

// SetLettersFirst makes a text entry (mode Chinese) open on plain letters
// rather than pinyin, for a kiosk in English; 中/英 still switches to
// pinyin. The entry being typed into keeps the layout it has.
func (k *Keyboard) SetLettersFirst(on bool) { k.letters = on }

// Target is the entry the keyboard types into, nil when none.
func (k *Keyboard) Target() *Entry { return k.target }

// Preedit is the pinyin letters typed and not yet converted.
func (k *Keyboard) Preedit() string { return k.preedit }

func (k *Keyboard) resetPreedit() {
	k.preedit = ""
	k.firstPage()
}

func (k *Keyboard) firstPage() {
	k.start, k.starts = 0, nil
}

// Dismiss hides the keyboard, drops unconverted letters and takes the
// focus from its entry. Call it when the screen changes.
func (k *Keyboard) Dismiss() {
	t := k.target
	k.target = nil
	k.resetPreedit()
	if t != nil {
		if c := canvasOf(t); c != nil && c.Focused() == fyne.Focusable(t) {
			c.Unfocus()
		}
	}
	k.Hide()
}

func canvasOf(o fyne.CanvasObject) fyne.Canvas {
	app := fyne.CurrentApp()
	if app == nil {
		return nil
	}
	return app.Driver().CanvasForObject(o)
}

// focusGained is called by an Entry. OnFocus runs only for a new target:
// drivers that unfocus the entry for a tap on a key give it back at once,
// and its label must not be read again for every key. The keyboard shows
// if show is set; an entry pressed by a pointer shows it on release.
func (k *Keyboard) focusGained(e *Entry, show bool) {
	fresh := k.target != e
	if fresh {
		k.target = e
		k.resetPreedit()
		k.mode = e.mode
		k.pinyin = e.mode == Chinese && !k.letters
		k.shift = e.mode == Reference
		k.refKeys = false
		k.symbol = false
		k.rebuild()
	}
	if show {
		back := !fresh && !k.Visible()
		k.Show()
		if back && k.OnRelayout != nil {
			// Back up for the entry it typed into last: it takes its room
			// again, and the entry may be under it now.
			k.OnRelayout(e)
		}
	}
	if fresh && k.OnFocus != nil {
		k.OnFocus(e)
	}
}

// focusLost is called by an Entry. Pinyin letters are kept: under drivers
// that unfocus for a tap on a key, the key's action comes right after.
func (k *Keyboard) focusLost(e *Entry) {
	if e == k.target {
		k.Hide()
	}
}

// refocus gives the focus back to the target after a key's action.
func (k *Keyboard) refocus() {
	t := k.target
	if t == nil {
		return
	}
	if c := canvasOf(t); c != nil && c.Focused() != fyne.Focusable(t) {
		c.Focus(t)
	}
}

// act runs a key's action on the target, then gives it back the focus.
func (k *Keyboard) act(f func(e *Entry)) func() {
	return func() {
		k.keyTapped()
		if k.target == nil {
			return
		}
		k.relaid = false
		f(k.target)
		k.refocus()
		if k.relaid && k.OnRelayout != nil && k.target != nil && !k.target.Pressed() {
			k.OnRelayout(k.target)
		}
	}
}

func (k *Keyboard) typeText(e *Entry, s string) {
	for _, r := range s {
		e.TypedRune(r)
	}
}

func (k *Keyboard) typeKey(e *Entry, name fyne.KeyName) {
	e.TypedKey(&fyne.KeyEvent{Name: name})
}

func (k *Keyboard) ime() *ime.Dict {
	if k.dict == nil {
		k.dict = ime.Default()
	}
	return k.dict
}

// typeChar types a character key: a pinyin letter joins the preedit,
// anything else first converts the letters waiting.
func (k *Keyboard) typeChar(e *Entry, s string) {
	if k.mode == IDNumber || k.mode == Reference || k.shift {
		s = strings.ToUpper(s)
	}
	if k.isLetterLayout() && k.pinyin && !k.symbol && len(s) == 1 && s[0] >= 'a' && s[0] <= 'z' {
		if len(k.preedit) < maxPreedit {
			k.preedit += s
			k.firstPage()
			k.refreshBar()
		}
		return
	}
	k.commitAll(e)
	k.typeText(e, s)
}

// Commit converts the pinyin letters waiting, if any, into the entry they
// were typed for with the first candidates, as 确定 does. A button beside
// the entry that acts on its text (搜索) calls it first: otherwise letters
// typed and not yet converted would be left out.
func (k *Keyboard) Commit() {
	if k.target != nil && k.preedit != "" {
		k.commitAll(k.target)
	}
}

// commitAll converts every letter waiting with the first candidates.
func (k *Keyboard) commitAll(e *Entry) {
	for k.preedit != "" {
		cs := k.ime().Lookup(k.preedit, 0, 1)
		if len(cs) == 0 {
			k.typeText(e, k.preedit)
			k.preedit = ""
			break
		}
		k.commit(e, cs[0])
	}
	k.firstPage()
	k.refreshBar()
}

func (k *Keyboard) commit(e *Entry, c ime.Candidate) {
	k.typeText(e, c.Text)
	k.preedit = ime.Rest(k.preedit, c)
	k.firstPage()
}

func (k *Keyboard) backspace(e *Entry) {
	if k.preedit != "" {
		k.preedit = k.preedit[:len(k.preedit)-1]
		k.firstPage()
		k.refreshBar()
		return
	}
	k.typeKey(e, fyne.KeyBackspace)
}

// clear drops the letters waiting, or when there are none the entry's text.
func (k *Keyboard) clear(e *Entry) {
	if k.preedit != "" {
		k.resetPreedit()
		k.refreshBar()
		return
	}
	e.SetText("")
}

func (k *Keyboard) space(e *Entry) {
	if k.preedit != "" {
		if cs := k.ime().Lookup(k.preedit, k.start, 1); len(cs) > 0 {
			k.commit(e, cs[0]) // the first candidate shown
		}
		k.refreshBar()
		return
	}
	k.typeText(e, " ")
}

// enter converts the letters waiting, then moves on: a new line in a
// multi-line entry, OnSubmitted in an entry that has it, after which the
// keyboard closes so that what it did (a search's results) shows, the
// keyboard closed after the last entry of a page (Entry.Last), otherwise
// the next entry of the keyboard's.
func (k *Keyboard) enter(e *Entry) {
	k.commitAll(e)
	switch {
	case e.MultiLine:
		k.typeKey(e, fyne.KeyReturn)
	case e.OnSubmitted != nil:
		k.typeKey(e, fyne.KeyReturn)
		if k.target == e {
			k.Dismiss()
		}
	case e.Last:
		k.Dismiss()
	default:
		k.next(e)
	}
}

// next moves the focus to the next enabled Entry of this keyboard on the
// canvas, skipping buttons and other focusable widgets. Fyne's focus
// chain wraps around to the top of the window: an entry found above e
// (or left of it on its line) means e was the last one, and the keyboard
// closes instead of jumping back to the first field.
func (k *Keyboard) next(e *Entry) {
	c := canvasOf(e)
	if c == nil {
		return
	}
	if c.Focused() != fyne.Focusable(e) {
		c.Focus(e)
	}
	for range 64 {
		c.FocusNext()
		f := c.Focused()
		if f == nil || f == fyne.Focusable(e) {
			break
		}
		if n, ok := f.(*Entry); ok && n.kb == k && !n.Disabled() {
			if before(n, e) {
				break
			}
			return
		}
	}
	k.Dismiss()
}

// before reports whether a is laid out before b: higher up, or on the
// same line and further left.
func before(a, b fyne.CanvasObject) bool {
	app := fyne.CurrentApp()
	if app == nil {
		return false
	}
	d := app.Driver()
	pa, pb := d.AbsolutePositionForObject(a), d.AbsolutePositionForObject(b)
	if pa.Y != pb.Y {
		return pa.Y < pb.Y
	}
	return pa.X < pb.X
}

func (k *Keyboard) isLetterLayout() bool {
	return k.mode == Chinese || k.mode == English
}

func (k *Keyboard) min() float32 { return kioskTheme.MinTarget(k.elder) }

// letterKey is the least size of a letter key, of the keys beside it and
// of a candidate: the staff PIN pad's key of the normal mode (in 长者模式
// too, whose own would not fit ten to a row), never under the mode's
// touch target.
func (k *Keyboard) letterKey() fyne.Size {
	p := kioskTheme.PadKey(false)
	return fyne.NewSize(max(p.Width, k.min()), max(p.Height, k.min()))
}

// tall gives the keys of rows the letters' height.
func (k *Keyboard) tall(rows []fyne.CanvasObject) {
	for _, r := range rows {
		k.tallKeys(r.(*fyne.Container).Objects)
	}
}

// tallKeys gives keys the letters' height, and candidates their width too.
func (k *Keyboard) tallKeys(objs []fyne.CanvasObject) {
	size := k.letterKey()
	for _, o := range objs {
		if c, ok := o.(*key); ok {
			c.least.Height = size.Height
			if c.role == roleCandidate {
				c.least.Width = size.Width
			}
		}
	}
}

// rebuild lays out the keys for the target's mode.
func (k *Keyboard) rebuild() {
	var rows []fyne.CanvasObject
	k.lay.wide = 0
	switch {
	case k.isLetterLayout():
		rows = k.letterRows()
		k.bar.Show()
	case k.mode == Reference && k.refKeys:
		rows = k.referenceRows()
		k.bar.Hide()
	default:
		rows = k.digitRows()
		k.bar.Hide()
	}
	if k.isLetterLayout() || k.mode == Reference && k.refKeys {
		k.tall(rows)
		k.lay.wide = 10*k.letterKey().Width + 9*kioskTheme.KeyGap()
	}
	gap := kioskTheme.KeyGap()
	k.keys.Layout = layout.NewCustomPaddedVBoxLayout(gap)
	k.column.Layout = layout.NewCustomPaddedVBoxLayout(gap)
	k.keys.Objects = rows
	k.perPage = 6
	if k.elder {
		k.perPage = 5
	}
	k.refreshBar()
	k.keys.Refresh()
	k.Refresh()
	if k.frame != nil && k.Visible() {
		k.frame.Refresh() // the keyboard's height may have changed
	}
	k.relaid = true
}

func (k *Keyboard) charKey(s string, w float32) *key {
	label := s
	if k.shift || k.mode == IDNumber {
		label = strings.ToUpper(s)
	}
	return newKey(label, roleChar, w, k.min(), k.act(func(e *Entry) { k.typeChar(e, s) }))
}

func (k *Keyboard) fnKey(label string, w float32, f func(e *Entry)) *key {
	return newKey(label, roleFunction, w, k.min(), k.act(f))
}

func (k *Keyboard) enterKey(w float32) *key {
	label := k.labels.Next
	if t := k.target; t != nil {
		switch {
		case t.MultiLine:
			label = k.labels.Newline
		case t.OnSubmitted != nil:
			label = k.labels.Submit
		case t.Last:
			label = k.labels.Done
		}
	}
	return newKey(label, rolePrimary, w, k.min(), k.act(k.enter))
}

func (k *Keyboard) closeKey(w float32) *key {
	return newKey(k.labels.Close, roleFunction, w, k.min(), func() {
		k.keyTapped()
		k.Dismiss()
	})
}

func (k *Keyboard) keyTapped() {
	if k.OnKey != nil {
		k.OnKey()
	}
}

func row(keys ...fyne.CanvasObject) *fyne.Container {
	return container.New(rowLayout{}, keys...)
}

// digitRows is the digits pad:
//
//	1 2 3 删除
//	4 5 6 清空
//	7 8 9 下一项
//	X 0 - 收起    (X for IDNumber, - for Date and Reference, . for Decimal, 字母 for Reference)
func (k *Keyboard) digitRows() []fyne.CanvasObject {
	d := func(s string) fyne.CanvasObject {
		c := k.charKey(s, 2)
		c.scale = 1.3
		return c
	}
	blank := func() fyne.CanvasObject {
		return newKey("", roleOff, 2, k.min(), nil)
	}
	left, right := blank(), blank()
	switch k.mode {
	case IDNumber:
		left = d("X")
	case Date:
		right = d("-")
	case Decimal:
		right = d(".")
	case Reference:
		left = k.fnKey(k.labels.Letters, 2, func(*Entry) {
			k.refKeys = true
			k.rebuild()
		})
		right = d("-")
	}
	return []fyne.CanvasObject{
		row(d("1"), d("2"), d("3"), k.fnKey(k.labels.Backspace, 2, k.backspace)),
		row(d("4"), d("5"), d("6"), k.fnKey(k.labels.Clear, 2, k.clear)),
		row(d("7"), d("8"), d("9"), k.enterKey(2)),
		row(left, d("0"), right, k.closeKey(2)),
	}
}

var (
	letterLines = [3]string{"qwertyuiop", "asdfghjkl", "zxcvbnm"}
	symbolsZH   = [3][]string{
		{"，", "。", "、", "？", "！", "：", "；", "“", "”", "……"},
		{"（", "）", "《", "》", "—", "·", "￥", "@", "#"},
		{"%", "&", "+", "-", "/", "=", "_"},
	}
	symbolsEN = [3][]string{
		{",", ".", "?", "!", ":", ";", "'", "\"", "(", ")"},
		{"@", "#", "%", "&", "*", "+", "-", "=", "/"},
		{"_", "~", "$", "<", ">", "[", "]"},
	}
)

// referenceRows are the characters of a reference (data.RefAlphabet)
// and no others, in the places they have on the letters, ten units a row:
//
//	1 2 3 4 5 6 7 8 9 0
//	Q W E R T Y P - 删除
//	A S D F G H J K 清空
//	X C V B N M 下一项 收起
func (k *Keyboard) referenceRows() []fyne.CanvasObject {
	var lines [3][]fyne.CanvasObject
	for i, l := range letterLines {
		for _, r := range strings.ToUpper(l) {
			if strings.ContainsRune(data.RefAlphabet, r) {
				lines[i] = append(lines[i], k.charKey(string(r), 1))
			}
		}
	}
	var digits []fyne.CanvasObject
	for _, r := range "1234567890" {
		digits = append(digits, k.charKey(string(r), 1))
	}
	return []fyne.CanvasObject{
		row(digits...),
		row(append(lines[0], k.charKey("-", 1), k.fnKey(k.labels.Backspace, 2, k.backspace))...),
		row(append(lines[1], k.fnKey(k.labels.Clear, 2, k.clear))...),
		row(append(lines[2], k.enterKey(2), k.closeKey(2))...),
	}
}

// letterRows is the full keyboard, ten units a row, under the bar (the
// digits, or the candidates while pinyin letters wait):
//
//	q w e r t y u i o p
//	a s d f g h j k l 删除
//	大写 z x c v b n m 清空        (， instead of 大写 in pinyin)
//	中/英 符号 。 空格 下一项 收起
func (k *Keyboard) letterRows() []fyne.CanvasObject {
	lines := [3][]string{}
	if k.symbol {
		if k.pinyin {
			lines = symbolsZH
		} else {
			lines = symbolsEN
		}
	} else {
		for i, l := range letterLines {
			for _, r := range l {
				lines[i] = append(lines[i], string(r))
			}
		}
	}
	keys := func(ss []string) []fyne.CanvasObject {
		out := make([]fyne.CanvasObject, 0, len(ss)+2)
		for _, s := range ss {
			out = append(out, k.charKey(s, 1))
		}
		return out
	}
	r2 := keys(lines[0])
	r3 := append(keys(lines[1]), k.fnKey(k.labels.Backspace, 1, k.backspace))
	var first fyne.CanvasObject
	if k.pinyin && !k.symbol {
		first = k.charKey("，", 1)
	} else if !k.symbol {
		sh := k.fnKey(k.labels.Shift, 1, func(*Entry) { k.shift = !k.shift; k.rebuild() })
		sh.active = k.shift
		first = sh
	}
	r4 := []fyne.CanvasObject{}
	if first != nil {
		r4 = append(r4, first)
	}
	r4 = append(r4, keys(lines[2])...)
	r4 = append(r4, k.fnKey(k.labels.Clear, 2, k.clear))

	lang := k.fnKey(k.labels.Lang, 1.5, func(e *Entry) {
		k.commitAll(e)
		k.pinyin = !k.pinyin
		k.shift = false
		k.rebuild()
	})
	symLabel := k.labels.Symbols
	if k.symbol {
		symLabel = k.labels.Letters
	}
	sym := k.fnKey(symLabel, 1.5, func(e *Entry) {
		k.commitAll(e)
		k.symbol = !k.symbol
		k.rebuild()
	})
	stop := "."
	if k.pinyin {
		stop = "。"
	}
	r5 := []fyne.CanvasObject{
		lang, sym, k.charKey(stop, 1),
		k.fnKey(k.labels.Space, 2.5, k.space),
		k.enterKey(2), k.closeKey(1.5),
	}
	return []fyne.CanvasObject{row(r2...), row(r3...), row(r4...), row(r5...)}
}

// refreshBar redraws the bar above the letters: the mode and the digits,
// or while pinyin letters wait, the letters typed, the candidates from
// k.start, ◀ and ▶. The bar shows as many candidates as fit its width
// (barLayout), so that long words never widen the window; ▶ goes on from
// the first one not shown.
func (k *Keyboard) refreshBar() {
	if !k.isLetterLayout() {
		return
	}
	m := k.min()
	var objs []fyne.CanvasObject
	k.bar.Layout = k.barLay
	switch {
	case !k.pinyin || k.preedit == "":
		tag := k.labels.Pinyin
		if !k.pinyin {
			tag = k.labels.English
		}
		objs = append(objs, newKey(tag, roleTag, 1.5, m, nil))
		for _, r := range "1234567890" {
			objs = append(objs, k.charKey(string(r), 1))
		}
		k.bar.Layout = rowLayout{}
	default:
		d := k.ime()
		// Tapping the letters types them as they are (an English word
		// typed without switching to 英).
		objs = append(objs, newKey(shorten(d.Segment(k.preedit), maxTagRunes, true), roleTag, 1, m, k.act(func(e *Entry) {
			k.typeText(e, k.preedit)
			k.resetPreedit()
			k.refreshBar()
		})))
		all := d.Lookup(k.preedit, 0, k.start+k.perPage)
		for _, c := range all[min(k.start, len(all)):] {
			objs = append(objs, newKey(shorten(c.Text, maxCandidateRunes, false), roleCandidate, 1, m, k.act(func(e *Entry) {
				k.commit(e, c)
				k.refreshBar()
			})))
		}
		prev := newKey(LabelPrev, roleFunction, 1, m, k.act(func(*Entry) {
			if n := len(k.starts); n > 0 {
				k.start, k.starts = k.starts[n-1], k.starts[:n-1]
				k.refreshBar()
			}
		}))
		prev.icon = theme.NavigateBackIcon()
		if len(k.starts) == 0 {
			prev.role = roleOff
		}
		next := newKey(LabelNextPage, roleFunction, 1, m, k.act(func(*Entry) {
			if shown := k.barLay.shown; shown > 0 && k.start+shown < d.Total(k.preedit) {
				k.starts = append(k.starts, k.start)
				k.start += shown
				k.refreshBar()
			}
		}))
		next.icon = theme.NavigateNextIcon()
		k.barLay.total = d.Total(k.preedit) - k.start
		objs = append(objs, prev, next)
	}
	k.barLay.arrows = k.bar.Layout == fyne.Layout(k.barLay) && len(objs) > 1
	k.tallKeys(objs)
	k.bar.Objects = objs
	k.bar.Refresh()
}

// Longest texts on the bar; what a key types is not shortened.
const (
	maxTagRunes       = 14
	maxCandidateRunes = 8
)

// shorten cuts s to n runes with an ellipsis, keeping its end (the letters
// being typed) or its start (a long sentence).
func shorten(s string, n int, keepEnd bool) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	if keepEnd {
		return "…" + string(r[len(r)-n+1:])
	}
	return string(r[:n-1]) + "…"
}
