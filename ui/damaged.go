package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"jiezhen/data"
	kioskTheme "jiezhen/ui/theme"
)

// ShowDamaged fills w with the screen the kiosk shows instead of its
// screens when its database was refused at start (damaged, its main file
// lost, rows gone: store.ErrDamaged): one plain sentence for staff, in
// Chinese and then English, and nothing a resident could use, rather than
// an empty kiosk that would take cases into a broken file. cmd/kiosk
// calls it; the reason goes to its log.
func ShowDamaged(a fyne.App, w fyne.Window) {
	a.Settings().SetTheme(&kioskTheme.Theme{})
	w.SetContent(newDamaged())
}

func newDamaged() fyne.CanvasObject {
	icon := widget.NewIcon(theme.ErrorIcon())
	side := 3 * theme.Size(theme.SizeNameInlineIcon)
	// One short line each, centred: not wrapped.
	zh := widget.NewLabelWithStyle(tr(data.ZH, "damaged.title"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	zh.SizeName = theme.SizeNameHeadingText
	en := widget.NewLabelWithStyle(tr(data.EN, "damaged.title"), fyne.TextAlignCenter, fyne.TextStyle{})
	return container.NewCenter(container.NewVBox(
		container.NewCenter(container.NewGridWrap(fyne.NewSize(side, side), icon)), zh, en))
}
