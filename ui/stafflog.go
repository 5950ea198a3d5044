package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The window's log for staff: what the screens said only in words (the
// error behind a message), the sync agent's refusals and the window's own
// problems, as the kiosk's log file holds them (Options.ReadLog), newest
// first. Every line passed the redacting handler before it was written.

// logLines is how many of the newest lines the screen shows.
const logLines = 200

func openLog(e *env) {
	e.open(func() string { return e.L("staff.log") }, func() fyne.CanvasObject { return newLogView(e) })
}

func newLogView(e *env) fyne.CanvasObject {
	list := container.NewVBox(staffNote(e.L("staff.log_hint")))
	read := e.readLog
	load(e, func(context.Context) ([]string, error) { return read(logLines) }, func(lines []string, err error) {
		switch {
		case err != nil:
			list.Add(e.errorText(err))
		case len(lines) == 0:
			list.Add(para(e.L("staff.log_empty")))
		}
		for i := len(lines) - 1; i >= 0; i-- {
			if line := strings.TrimSpace(lines[i]); line != "" {
				l := widget.NewLabel(line)
				l.Wrapping = fyne.TextWrapBreak
				l.TextStyle.Monospace = true
				list.Add(l)
			}
		}
		list.Add(e.button(e.L("staff.log_refresh"), theme.ViewRefreshIcon(), e.refresh))
		list.Refresh()
	})
	return e.scrollPages(container.NewPadded(list))
}
