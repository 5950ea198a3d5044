package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// idleOverlay is the warning before the idle reset: it covers the screen,
// counts down, and any touch on it (or its large 继续使用 button) keeps
// the session.
type idleOverlay struct {
	widget.BaseWidget
	k     *Kiosk
	box   *fyne.Container
	count *wrapLabel
}

func newIdleOverlay(k *Kiosk) *idleOverlay {
	o := &idleOverlay{k: k, box: container.NewStack()}
	o.ExtendBaseWidget(o)
	o.Hide()
	return o
}

func (o *idleOverlay) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(o.box)
}

// Tapped keeps the session: the warning is modal, so a touch anywhere
// means someone is there.
func (o *idleOverlay) Tapped(*fyne.PointEvent) { o.k.touch() }

// show shows the warning with secs seconds left. It is built on first
// show so that it has the current language and mode.
func (o *idleOverlay) show(secs int) {
	e := o.k.env
	if !o.Visible() {
		shade := canvas.NewRectangle(color.NRGBA{0, 0, 0, 0xa0})
		bg := canvas.NewRectangle(theme.Color(theme.ColorNameBackground))
		bg.CornerRadius = 12
		o.count = subheading("")
		o.count.Alignment = fyne.TextAlignCenter
		title := heading(e.L("idle.title"))
		title.Alignment = fyne.TextAlignCenter
		keep := e.primary(e.L("idle.continue"), theme.ConfirmIcon(), nil)
		keep.min = 2 * keep.min
		card := container.NewStack(bg, container.NewPadded(container.NewPadded(
			container.NewVBox(title, o.count, keep))))
		o.box.Objects = []fyne.CanvasObject{shade, container.NewCenter(
			container.NewGridWrap(fyne.NewSize(640, card.MinSize().Height), card))}
		o.box.Refresh()
		o.Show()
	}
	key := "idle.countdown"
	if o.k.staff != nil {
		key = "staff.idle_countdown"
	}
	o.count.SetText(e.Lf(key, secs))
}

func (o *idleOverlay) hide() { o.Hide() }

// activity lies over the whole window and notices the pointer moving,
// which a touchscreen reports before every touch, including touches that
// land on something that is not a button (text, a scroll bar). It is only
// Hoverable, so taps pass through it to the widgets below.
type activity struct {
	widget.BaseWidget
	touch func()
	at    fyne.Position // where the pointer was last seen
	seen  bool
}

var _ desktop.Hoverable = (*activity)(nil)

func newActivity(touch func()) *activity {
	a := &activity{touch: touch}
	a.ExtendBaseWidget(a)
	return a
}

func (a *activity) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(layout.NewSpacer())
}

// MouseIn only notes where the pointer is: it also fires when the window
// appears under a pointer that nobody moved.
func (a *activity) MouseIn(ev *desktop.MouseEvent) { a.at, a.seen = ev.Position, true }

// MouseMoved counts as activity when the pointer really moved.
func (a *activity) MouseMoved(ev *desktop.MouseEvent) {
	if a.seen && ev.Position == a.at {
		return
	}
	a.at, a.seen = ev.Position, true
	a.touch()
}

func (a *activity) MouseOut() { a.seen = false }
