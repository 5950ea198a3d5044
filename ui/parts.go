package ui

import (
	"context"
	"errors"
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"jiezhen/ui/keyboard"
	kioskTheme "jiezhen/ui/theme"
)

// Building blocks shared by the screens. Every tappable thing on the kiosk
// is made here, so that each one reports activity to the idle guard and
// none is smaller than the touch-target minimum of the current mode.

// tapButton is a button that is never smaller than the mode's minimum
// touch target.
type tapButton struct {
	widget.Button
	min float32
}

func (b *tapButton) MinSize() fyne.Size {
	return atLeast(b.Button.MinSize(), b.min)
}

func atLeast(s fyne.Size, side float32) fyne.Size {
	return fyne.NewSize(max(s.Width, side), max(s.Height, side))
}

// button makes a tapButton that marks the kiosk as touched before running fn.
func (e *env) button(label string, icon fyne.Resource, fn func()) *tapButton {
	b := &tapButton{min: kioskTheme.MinTarget(e.elder)}
	b.Text = label
	b.Icon = icon
	b.OnTapped = func() {
		e.touch()
		if fn != nil {
			fn()
		}
	}
	b.ExtendBaseWidget(b)
	return b
}

// entry makes a single-line text entry typed on the on-screen keyboard
// (pinyin, with 中/英), never a plain widget.Entry: the kiosk has no
// physical keyboard. label is its placeholder and what 长者模式 reads
// aloud when it is touched. Typing counts as activity.
func (e *env) entry(label string) *keyboard.Entry {
	e.entries++
	en := e.kb.NewEntry(keyboard.Chinese)
	en.Label = label
	en.SetPlaceHolder(label)
	en.OnChanged = func(string) { e.touch() }
	return en
}

// primary makes a high-importance button.
func (e *env) primary(label string, icon fyne.Resource, fn func()) *tapButton {
	b := e.button(label, icon, fn)
	b.Importance = widget.HighImportance
	return b
}

// markChosen shows b as the chosen one of its choices: green, never the
// red of the primary buttons and of what is missing or wrong.
func markChosen(b *tapButton) {
	b.Importance = widget.SuccessImportance
}

// errMarked is what markEntry gives an entry's validation: the words are
// the field's note, under it.
var errMarked = errors.New("marked")

// markEntry gives an entry the error colour's border (and Fyne's error
// sign inside it) while bad, the usual border otherwise.
func markEntry(en *keyboard.Entry, bad bool) {
	en.AlwaysShowValidationError = true
	if bad {
		en.SetValidationError(errMarked)
	} else {
		en.SetValidationError(nil)
	}
}

// markedBox draws a border in the error colour around o (choice tiles, a
// date button) when bad: the field whose problem is written under it.
func markedBox(o fyne.CanvasObject, bad bool) fyne.CanvasObject {
	if !bad {
		return o
	}
	r := canvas.NewRectangle(color.Transparent)
	r.StrokeColor = theme.Color(theme.ColorNameError)
	r.StrokeWidth = 3
	r.CornerRadius = theme.Size(theme.SizeNameInputRadius)
	return container.NewStack(o, r)
}

// tapCard is a tappable area around arbitrary content, for rows that show
// more than a button can (a search hit with highlighted text).
type tapCard struct {
	widget.BaseWidget
	content fyne.CanvasObject
	label   string // what the card says, for tests and for speech later
	onTap   func()
	min     float32
}

func (e *env) card(label string, content fyne.CanvasObject, fn func()) *tapCard {
	c := &tapCard{content: content, label: label, min: kioskTheme.MinTarget(e.elder)}
	c.onTap = func() {
		e.touch()
		fn()
	}
	c.ExtendBaseWidget(c)
	return c
}

func (c *tapCard) Tapped(*fyne.PointEvent) { c.onTap() }

func (c *tapCard) MinSize() fyne.Size { return atLeast(c.BaseWidget.MinSize(), c.min) }

func (c *tapCard) CreateRenderer() fyne.WidgetRenderer {
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	bg.CornerRadius = theme.Size(theme.SizeNameInputRadius)
	bg.StrokeColor = theme.Color(theme.ColorNameInputBorder)
	bg.StrokeWidth = 1
	return widget.NewSimpleRenderer(container.NewStack(bg, container.NewPadded(c.content)))
}

// heading is a bold heading-sized label that wraps.
func heading(text string) *wrapLabel {
	l := newWrap(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameHeadingText
	return l
}

// subheading is a bold subheading-sized label that wraps.
func subheading(text string) *wrapLabel {
	l := newWrap(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameSubHeadingText
	return l
}

// para is body text that wraps.
func para(text string) *wrapLabel {
	return newWrap(text, fyne.TextAlignLeading, fyne.TextStyle{})
}

// body renders a long text as wrapped paragraphs, one per line of the
// source, so that a 5,000-character document keeps its structure.
func body(text string) *wrapLabel {
	var paras []string
	for _, p := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if p = strings.TrimSpace(p); p != "" {
			paras = append(paras, p)
		}
	}
	l := para(strings.Join(paras, "\n"))
	l.paras = true
	return l
}

// fields lays out label/value pairs as a two-column table; empty values
// are left out rather than shown as blanks.
func fields(pairs ...string) *fyne.Container {
	var objs []fyne.CanvasObject
	for i := 0; i+1 < len(pairs); i += 2 {
		if strings.TrimSpace(pairs[i+1]) == "" {
			continue
		}
		k := widget.NewLabelWithStyle(pairs[i], fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
		objs = append(objs, k, para(pairs[i+1]))
	}
	return container.New(layout.NewFormLayout(), objs...)
}

// badge is a short coloured status word such as 营业中 or 征集中.
func badge(text string, on bool) fyne.CanvasObject {
	// Fixed dark colours rather than the theme's success green, on which
	// white text falls below the 4.5:1 contrast the kiosk promises.
	col := badgeOff
	if on {
		col = badgeOn
	}
	return colourBadge(text, col, color.White)
}

// colourBadge is a status word in fg on a rounded patch of bg.
func colourBadge(text string, bg, fg color.Color) fyne.CanvasObject {
	r := canvas.NewRectangle(bg)
	r.CornerRadius = 6
	t := canvas.NewText(" "+text+" ", fg)
	t.TextStyle.Bold = true
	t.TextSize = theme.TextSize()
	return container.NewStack(r, container.NewPadded(t))
}

// warnBadge is a status word that asks for attention, such as 待补正: the
// theme's warning colour, with dark text (white on it falls below 4.5:1).
func warnBadge(text string) fyne.CanvasObject {
	return colourBadge(text, badgeWarn(), badgeWarnText)
}

// badgeWarn is the theme's warning colour.
func badgeWarn() color.Color { return theme.Color(theme.ColorNameWarning) }

// badgeWarnText is the text on a warning badge: 9.7:1 on Fyne's orange.
var badgeWarnText = color.NRGBA{0x00, 0x00, 0x00, 0xff}

// waitBadge is the mark of an item whose staff edit waits for the
// district: 等待区县确认.
func waitBadge(text string) fyne.CanvasObject {
	return colourBadge(text, badgeWaiting, color.White)
}

var (
	badgeWaiting = color.NRGBA{0x8a, 0x4b, 0x00, 0xff} // white on it: 6.8:1
	badgeOn      = color.NRGBA{0x1b, 0x5e, 0x20, 0xff} // white on it: 7.9:1
	badgeOff     = color.NRGBA{0x5f, 0x63, 0x68, 0xff} // white on it: 6.0:1
)

// scrollPages shows tall content in a vertical scroll with large buttons
// that move it by a page (pageStep): finger-drag scrolling does not work
// on every Linux touchscreen.
func (e *env) scrollPages(content fyne.CanvasObject) fyne.CanvasObject {
	content = container.New(readable{}, content)
	sc := container.NewVScroll(content)
	step := func(dir float32) {
		h := pageStep(sc.Size().Height)
		y := sc.Offset.Y + dir*h
		maxY := content.MinSize().Height - sc.Size().Height
		y = min(max(y, 0), max(maxY, 0))
		sc.ScrollToOffset(fyne.NewPos(0, y))
	}
	up := e.button(e.L("scroll.up"), theme.MoveUpIcon(), func() { step(-1) })
	down := e.button(e.L("scroll.down"), theme.MoveDownIcon(), func() { step(1) })
	bar := container.NewVBox(up, layout.NewSpacer(), down)
	return container.NewBorder(nil, nil, nil, bar, sc)
}

// readable keeps a page's lines of Chinese text to about 45 characters,
// a readable length, however wide the window: it lays its objects out at
// most that wide, centred.
type readable struct{}

// readableChars is the longest line of body text, in characters.
const readableChars = 45

func (readable) width() float32 {
	return readableChars*theme.TextSize() + 2*theme.InnerPadding() + 2*theme.Padding()
}

func (r readable) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	return s
}

func (r readable) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	w := max(min(size.Width, r.width()), r.MinSize(objs).Width)
	for _, o := range objs {
		o.Move(fyne.NewPos(max(0, (size.Width-w)/2), 0))
		o.Resize(fyne.NewSize(w, size.Height))
	}
}

// pageStep is how far 上翻 / 下翻 move a scroll that shows height of its
// content: the visible page less one line of text, so that the line at
// the edge is seen again after the turn and the reader keeps their place;
// half a page at least, for a scroll only a few lines high.
func pageStep(height float32) float32 {
	line := widget.NewLabel("字").MinSize().Height
	return max(height-line, height/2)
}

// roomy puts a screen with entries in a vertical scroll that matters only
// while the on-screen keyboard takes the lower part of the window (a list
// with its search box, filters and pager is taller than what is left in
// 长者模式). Otherwise the scroll stretches the screen to fill it, and the
// screen always gets the window's width, as without the scroll, rather
// than its own minimum width spilling past the right edge. Screens without
// entries are not wrapped: the keyboard never shows over them, and a
// scroll would hide what does not fit where a squeezed screen shows it.
func roomy(screen fyne.CanvasObject) *container.Scroll {
	return container.NewVScroll(container.New(fitWidth{}, screen))
}

// steps is a screen of a form: its page, and under it what stays in
// place, the problem and the step buttons (上一步, 下一步, 提交). With
// the on-screen keyboard up, the kiosk scrolls only the page, between the
// title bar and these buttons, so they stay in view above the keyboard
// (Kiosk.render).
type steps struct {
	widget.BaseWidget
	page, bottom fyne.CanvasObject
}

func (e *env) steps(page, bottom fyne.CanvasObject) fyne.CanvasObject {
	s := &steps{page: page, bottom: bottom}
	s.ExtendBaseWidget(s)
	return s
}

func (s *steps) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewBorder(nil, s.bottom, nil, nil, s.page))
}

// fitWidth lays its objects over each other at its full size and asks
// for their height only.
type fitWidth struct{}

func (fitWidth) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var h float32
	for _, o := range objs {
		if o.Visible() {
			h = max(h, o.MinSize().Height)
		}
	}
	return fyne.NewSize(0, h)
}

func (fitWidth) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

// errorText is what a screen shows when its content cannot be read.
func (e *env) errorText(err error) fyne.CanvasObject {
	return para(e.L("error.load") + "\n" + e.errText(err))
}

// load runs get off the Fyne goroutine and hands its result to apply on
// it, so that a slow disk never freezes the screen.
func load[T any](e *env, get func(ctx context.Context) (T, error), apply func(T, error)) {
	e.bg(func() {
		v, err := get(context.Background())
		fyne.Do(func() { apply(v, err) })
	})
}

// loadDetail is a detail screen: 加载中 until get returns, then the item as
// build lays it out in large pages, or the error in plain words.
func loadDetail[T any](e *env, get func(ctx context.Context) (T, error), build func(T) fyne.CanvasObject) fyne.CanvasObject {
	box := container.NewStack(widget.NewLabel(e.L("loading")))
	load(e, get, func(v T, err error) {
		if err != nil {
			box.Objects = []fyne.CanvasObject{e.errorText(err)}
		} else {
			box.Objects = []fyne.CanvasObject{e.scrollPages(build(v))}
		}
		box.Refresh()
	})
	return box
}
