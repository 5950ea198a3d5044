package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"jiezhen/data"
)

// TrackURL is where a phone opens a case's tracking page; the reference
// follows it.
const TrackURL = "https://jiezhen.example/track/"

// spacedRef writes a reference for reading aloud: its groups apart and a
// space between characters.
func spacedRef(ref string) string {
	var groups []string
	for _, g := range strings.Split(data.FormatReference(ref), "-") {
		groups = append(groups, strings.Join(strings.Split(g, ""), " "))
	}
	return strings.Join(groups, "  ")
}

// newReceipt is what a resident sees once the case is durably queued: the
// reference, large and spaced, what happens next and by when, where to
// ask, a QR code to follow it on a phone, and 完成.
func newReceipt(e *env, c *data.Case) fyne.CanvasObject {
	if c == nil {
		return para(e.L("receipt.none"))
	}
	done := heading(e.L("receipt.done"))
	refLabel := widget.NewLabel(e.L("receipt.ref"))
	ref := canvas.NewText(spacedRef(c.Ref), theme.Color(theme.ColorNameForeground))
	ref.TextSize = 1.5 * theme.Size(theme.SizeNameHeadingText)
	ref.TextStyle = fyne.TextStyle{Bold: true, Monospace: true}
	ref.Alignment = fyne.TextAlignLeading
	next := para(e.Lf("receipt.next", c.AppealType.Label(e.lang)))
	deadline := subheading(e.Lf("receipt.deadline", e.date(c.Deadline)))
	days := para(e.Lf("receipt.workdays", data.DefaultAppealDays[c.AppealType]))
	st := e.street
	ask := fields(
		e.L("soon.place"), st.Name,
		e.L("soon.address"), st.Address,
		e.L("soon.phone"), st.Phone,
	)
	left := container.NewVBox(done, refLabel, container.NewPadded(ref), deadline, para(e.L("receipt.keep")),
		widget.NewSeparator(), next, days, widget.NewSeparator(), subheading(e.L("receipt.ask")), ask)
	qr := e.qrCode(e.L("receipt.qr"), TrackURL+data.NormalizeReference(c.Ref))
	finish := e.primary(e.L("receipt.finish"), theme.ConfirmIcon(), e.reset)
	finish.min = 1.5 * finish.min
	right := container.NewVBox(qr, finish)
	return e.scrollPages(container.NewBorder(nil, nil, nil, container.NewPadded(right), left))
}
