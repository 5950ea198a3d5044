package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// newSoon is the screen behind an entry point this kiosk does not offer
// (applications, appeals or tracking on a kiosk whose content source
// cannot file or keep cases): it says so and sends the resident to the
// street's service window, with its address, hours and phone.
func newSoon(e *env) fyne.CanvasObject {
	icon := widget.NewIcon(theme.InfoIcon())
	side := 3 * theme.Size(theme.SizeNameInlineIcon)
	msg := heading(e.L("soon.title"))
	msg.Alignment = fyne.TextAlignCenter
	hint := para(e.L("soon.hint"))
	hint.Alignment = fyne.TextAlignCenter
	st := e.street
	info := fields(
		e.L("soon.place"), st.Name,
		e.L("soon.address"), st.Address,
		e.L("soon.hours"), st.Hours,
		e.L("soon.phone"), st.Phone,
	)
	return e.scrollPages(container.NewVBox(
		container.NewCenter(container.NewGridWrap(fyne.NewSize(side, side), icon)),
		msg, hint, widget.NewSeparator(), info))
}
