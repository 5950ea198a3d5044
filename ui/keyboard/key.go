package keyboard

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	kioskTheme "jiezhen/ui/theme"
)

// role sets how a key looks.
type role uint8

const (
	roleChar      role = iota // a character key
	roleFunction              // 删除, 清空, 中/英 ...
	rolePrimary               // 下一项, 确定
	roleCandidate             // a word of the candidate bar
	roleTag                   // the letters typed so far, or the mode's name
	roleOff                   // a key with nothing to do now (◀ on the first page)
)

// key is one touch target of the keyboard. It is deliberately not
// focusable: tapping it must leave the focus, and so the cursor, in the
// entry being typed into.
type key struct {
	widget.BaseWidget
	label  string
	role   role
	active bool          // a toggle that is on (大写) or the mode in use
	weight float32       // width in key units within its row
	scale  float32       // text size relative to the theme's
	min    float32       // smallest side, from theme.MinTarget
	least  fyne.Size     // a larger minimum: letters and candidates (Keyboard.letterKey)
	icon   fyne.Resource // drawn instead of the label, which still names the key
	onTap  func()
}

func newKey(label string, r role, weight float32, min float32, onTap func()) *key {
	k := &key{label: label, role: r, weight: weight, scale: 1, min: min, onTap: onTap}
	k.ExtendBaseWidget(k)
	return k
}

// Tapped runs the key's action.
func (k *key) Tapped(*fyne.PointEvent) {
	if k.onTap != nil && k.role != roleOff {
		k.onTap()
	}
}

func (k *key) CreateRenderer() fyne.WidgetRenderer {
	bg := canvas.NewRectangle(color.Transparent)
	txt := canvas.NewText(k.label, color.Black)
	txt.Alignment = fyne.TextAlignCenter
	r := &keyRenderer{k: k, bg: bg, txt: txt}
	if k.icon != nil {
		r.img = canvas.NewImageFromResource(k.icon)
		r.img.FillMode = canvas.ImageFillContain
		txt.Hide()
	}
	r.Refresh()
	return r
}

type keyRenderer struct {
	k   *key
	bg  *canvas.Rectangle
	txt *canvas.Text
	img *canvas.Image // for a key with an icon
}

func (r *keyRenderer) Destroy() {}

func (r *keyRenderer) Objects() []fyne.CanvasObject {
	if r.img != nil {
		return []fyne.CanvasObject{r.bg, r.img}
	}
	return []fyne.CanvasObject{r.bg, r.txt}
}

func (r *keyRenderer) MinSize() fyne.Size {
	// Keys are at least r.k.min square anyway; a small margin keeps
	// two-character labels (删除) from widening the whole keyboard.
	pad := theme.Padding()
	if r.k.role == roleCandidate { // words get room: they sit side by side
		pad = theme.InnerPadding()
	}
	ts := r.txt.MinSize()
	return fyne.NewSize(max(ts.Width+2*pad, r.k.min, r.k.least.Width), max(ts.Height+pad, r.k.min, r.k.least.Height))
}

func (r *keyRenderer) Layout(size fyne.Size) {
	r.bg.Resize(size)
	r.bg.Move(fyne.NewPos(0, 0))
	ts := r.txt.MinSize()
	r.txt.Resize(fyne.NewSize(size.Width, ts.Height))
	r.txt.Move(fyne.NewPos(0, (size.Height-ts.Height)/2))
	if r.img != nil {
		side := min(size.Width, size.Height, r.txt.TextSize*1.5)
		r.img.Resize(fyne.NewSquareSize(side))
		r.img.Move(fyne.NewPos((size.Width-side)/2, (size.Height-side)/2))
	}
}

func (r *keyRenderer) Refresh() {
	k := r.k
	th := k.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	r.txt.Text = k.label
	r.txt.TextSize = th.Size(theme.SizeNameText) * k.scale
	r.txt.Color = th.Color(theme.ColorNameForeground, v)
	r.txt.TextStyle = fyne.TextStyle{}
	r.bg.CornerRadius = th.Size(theme.SizeNameInputRadius)
	r.bg.StrokeWidth = 0
	switch k.role {
	case roleChar:
		r.bg.FillColor = color.White
		r.bg.StrokeColor = th.Color(theme.ColorNameInputBorder, v)
		r.bg.StrokeWidth = 1
	case roleFunction:
		r.bg.FillColor = functionGrey
		r.bg.StrokeColor = th.Color(theme.ColorNameInputBorder, v)
		r.bg.StrokeWidth = 1
	case rolePrimary:
		r.bg.FillColor = th.Color(theme.ColorNamePrimary, v)
		r.txt.Color = th.Color(theme.ColorNameForegroundOnPrimary, v)
	case roleCandidate:
		r.bg.FillColor = color.White
		r.bg.StrokeColor = th.Color(theme.ColorNamePrimary, v)
		r.bg.StrokeWidth = 1
	case roleTag:
		r.bg.FillColor = color.Transparent
		r.txt.TextStyle.Bold = true
		if k.onTap != nil { // the letters typed, which can be typed as they are
			r.bg.StrokeColor = th.Color(theme.ColorNameInputBorder, v)
			r.bg.StrokeWidth = 1
		}
	case roleOff:
		r.bg.FillColor = th.Color(theme.ColorNameDisabledButton, v)
		r.txt.Color = th.Color(theme.ColorNameDisabled, v)
		if k.label == "" && k.icon == nil { // a gap in the pad
			r.bg.FillColor = color.Transparent
		}
	}
	if r.img != nil {
		if k.role == roleOff {
			r.img.Resource = theme.NewDisabledResource(k.icon)
		} else {
			r.img.Resource = theme.NewThemedResource(k.icon)
		}
		r.img.Refresh()
	}
	if k.active {
		r.bg.FillColor = th.Color(theme.ColorNamePrimary, v)
		r.txt.Color = th.Color(theme.ColorNameForegroundOnPrimary, v)
	}
	r.bg.Refresh()
	r.txt.Refresh()
}

// functionGrey sets function keys apart from character keys (white) and
// from the panel behind them.
var functionGrey = color.NRGBA{0xdd, 0xdf, 0xe2, 0xff}

// rowLayout gives each key a width proportional to its weight, so that
// rows of equal total weight line up in columns.
type rowLayout struct{}

func (rowLayout) weights(objs []fyne.CanvasObject) (total float32, visible int) {
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		visible++
		if k, ok := o.(*key); ok {
			total += k.weight
		} else {
			total++
		}
	}
	return total, visible
}

func weightOf(o fyne.CanvasObject) float32 {
	if k, ok := o.(*key); ok {
		return k.weight
	}
	return 1
}

func (l rowLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	total, n := l.weights(objs)
	if n == 0 {
		return fyne.Size{}
	}
	var unit, h float32
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		m := o.MinSize()
		unit = max(unit, m.Width/weightOf(o))
		h = max(h, m.Height)
	}
	gap := kioskTheme.KeyGap()
	return fyne.NewSize(unit*total+gap*float32(n-1), h)
}

func (l rowLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	total, n := l.weights(objs)
	if n == 0 {
		return
	}
	gap := kioskTheme.KeyGap()
	unit := max(0, (size.Width-gap*float32(n-1))/total) // 0 before the first real layout
	x := float32(0)
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		w := unit * weightOf(o)
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(w, size.Height))
		x += w + gap
	}
}

// barLayout lines up the candidate bar at the keys' natural widths: the
// letters and as many candidates as fit from the left, ◀ and ▶ (the last
// two keys, when arrows is set) at the right edge, where they always are.
// Candidates that do not fit are hidden; shown tells the keyboard where ▶
// goes on from, and ▶ is switched off when the rest all fit.
type barLayout struct {
	arrows bool
	total  int // candidates from the first one on the bar to the last
	shown  int // candidates shown by the last layout
}

// MinSize asks only for the letters, one candidate and the arrows: a
// long candidate list must never widen the window.
func (l *barLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	gap := kioskTheme.KeyGap()
	for i, o := range objs {
		if l.arrows && i >= 2 && i < len(objs)-2 {
			continue
		}
		m := o.MinSize()
		s.Width += m.Width + gap
		s.Height = max(s.Height, m.Height)
	}
	return s
}

func (l *barLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	gap := kioskTheme.KeyGap()
	right := size.Width
	body := objs
	if l.arrows {
		body = objs[:len(objs)-2]
		for i := len(objs) - 1; i >= len(objs)-2; i-- {
			m := objs[i].MinSize()
			right -= m.Width
			objs[i].Move(fyne.NewPos(right, 0))
			objs[i].Resize(fyne.NewSize(m.Width, size.Height))
			right -= gap
		}
	}
	x := float32(0)
	l.shown = 0
	for i, o := range body {
		m := o.MinSize()
		// The letters and the first candidate are always shown.
		if i > 1 && x+m.Width > right {
			o.Hide()
			continue
		}
		o.Show()
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(m.Width, size.Height))
		x += m.Width + gap
		if i > 0 {
			l.shown++
		}
	}
	if l.arrows {
		if next, ok := objs[len(objs)-1].(*key); ok {
			want := roleFunction
			if l.shown >= l.total {
				want = roleOff
			}
			if next.role != want {
				next.role = want
				next.Refresh()
			}
		}
	}
}

// panelLayout centres the keys and stops them growing wider than half
// as much again as they need, or than wide when that is more (ten letter
// keys as wide as the staff PIN pad's, where the window has room for
// them): on a wide screen a key a fifth of the screen wide is harder to
// aim at, not easier. The margin beside the keys is one gap between them
// (theme.KeyGap), above and below them a third of that: every pixel the
// keyboard takes is one less of the screen above it.
type panelLayout struct {
	wide float32
}

func (*panelLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	p := kioskTheme.KeyGap()
	return s.AddWidthHeight(2*p, 2*p/3)
}

func (l *panelLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	p := kioskTheme.KeyGap()
	for i, o := range objs {
		if i == 0 { // the background
			o.Move(fyne.NewPos(0, 0))
			o.Resize(size)
			continue
		}
		m := o.MinSize()
		w := max(0, min(size.Width-2*p, max(m.Width*1.5, l.wide)))
		o.Resize(fyne.NewSize(w, max(0, size.Height-2*p/3)))
		o.Move(fyne.NewPos((size.Width-w)/2, p/3))
	}
}
