package ui

import (
	"image/color"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// openFigures shows the kiosk's street's last month (阳光审批): cases
// received, the on-time rate and satisfaction in large figures, and the
// cases received in each of the last 12 months as bars. The district sets
// them on the street item (data.Street.Figures), so they arrive with the
// street's content.
func openFigures(e *env) {
	e.openRead(func() string { return e.L("figures.title") }, func() fyne.CanvasObject { return newFigures(e) })
}

func newFigures(e *env) fyne.CanvasObject {
	f := e.street.Figures
	if f == nil {
		return e.scrollPages(container.NewVBox(para(e.L("figures.none"))))
	}
	big := func(value, label string) fyne.CanvasObject {
		v := canvas.NewText(value, theme.Color(theme.ColorNamePrimary))
		v.TextSize = 3 * theme.TextSize()
		v.TextStyle = fyne.TextStyle{Bold: true}
		v.Alignment = fyne.TextAlignCenter
		l := widget.NewLabel(label)
		l.Alignment = fyne.TextAlignCenter
		l.Wrapping = fyne.TextWrapWord
		bg := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
		bg.CornerRadius = theme.Size(theme.SizeNameInputRadius)
		return container.NewStack(bg, container.NewPadded(container.NewVBox(v, l)))
	}
	figs := container.NewGridWithColumns(3,
		big(strconv.Itoa(f.Received), e.L("figures.received")),
		big(f.OnTimePercent(), e.L("figures.ontime")),
		big(f.SatisfactionPercent(), e.L("figures.satisfaction")))
	top := 0
	for _, m := range f.Months {
		top = max(top, m.Received)
	}
	var bars []fyne.CanvasObject
	for _, m := range f.Months {
		bars = append(bars, newBar(m.Month[5:], m.Received, top, e.elder))
	}
	return e.scrollPages(container.NewVBox(
		subheading(e.Lf("figures.month", f.Month)), figs,
		subheading(e.L("figures.chart")), container.NewGridWithColumns(max(len(bars), 1), bars...),
		para(e.L("figures.note"))))
}

// newBar is one month's bar: its count above, its month below, the bar's
// height in proportion to the highest month's.
func newBar(month string, n, top int, elder bool) fyne.CanvasObject {
	h := float32(160)
	if elder {
		h = 200
	}
	share := float32(0)
	if top > 0 {
		share = float32(n) / float32(top)
	}
	bar := canvas.NewRectangle(theme.Color(theme.ColorNamePrimary))
	bar.SetMinSize(fyne.NewSize(12, max(h*share, 1)))
	space := canvas.NewRectangle(color.Transparent)
	space.SetMinSize(fyne.NewSize(12, h-h*share))
	count := widget.NewLabel(strconv.Itoa(n))
	count.Alignment = fyne.TextAlignCenter
	label := widget.NewLabel(month)
	label.Alignment = fyne.TextAlignCenter
	return container.NewVBox(space, count, container.NewCenter(bar), label)
}
