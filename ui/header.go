package ui

import (
	"image/color"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"jiezhen/data"
	kioskTheme "jiezhen/ui/theme"
)

// header is the bar above every screen: the street's name, the date and
// time, and the connection state.
type header struct {
	obj    fyne.CanvasObject
	e      *env
	sync   SyncSource
	clock  *widget.Label
	state  *fyne.Container
	synced func() // called when a sync completes while the header shows

	seen bool       // the first status has been read
	last *time.Time // the last sync time shown
}

// newHeader builds the header; synced is called when the last sync time
// moves on, so that what the screen shows can follow new content.
func newHeader(e *env, s SyncSource, synced func()) *header {
	h := &header{e: e, sync: s, synced: synced}
	title := heading(e.street.Name)
	title.Wrapping = fyne.TextWrapOff
	var name fyne.CanvasObject = title
	if e.staffSrc != nil && e.staff == nil {
		// The discreet entry to staff mode: hold the street's name.
		name = newLongPress(e, title, func() { openStaffSignIn(e) })
	}
	h.clock = widget.NewLabelWithStyle(e.longTime(e.now()), fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	h.state = container.NewHBox()
	if e.isPortrait() {
		// A portrait screen is too narrow for one line, and has the height
		// for two: the name and the time, then the connection state.
		second := container.NewHBox(container.NewCenter(h.state))
		if e.staff != nil {
			second.Add(container.NewCenter(e.staffBar()))
		}
		h.obj = container.NewVBox(
			container.NewBorder(nil, nil, name, h.clock),
			second,
			widget.NewSeparator(),
		)
		h.loadSync()
		return h
	}
	right := container.NewHBox(container.NewCenter(h.state), h.clock)
	if e.staff != nil {
		right.Add(container.NewCenter(e.staffBar()))
	}
	// One line: every pixel of height the header saves is list rows.
	h.obj = container.NewVBox(
		container.NewBorder(nil, nil, name, right),
		widget.NewSeparator(),
	)
	h.loadSync()
	return h
}

// tick shows the time; every few seconds it also reads the connection
// state again.
func (h *header) tick(now time.Time, syncToo bool) {
	h.clock.SetText(h.e.longTime(now))
	if syncToo {
		h.loadSync()
	}
}

func (h *header) loadSync() {
	type status struct {
		online  bool
		last    *time.Time
		waiting int
	}
	e := h.e
	e.bg(func() {
		var st status
		st.online, st.last, st.waiting = h.sync.SyncStatus()
		fyne.Do(func() {
			moved := h.seen && st.last != nil && (h.last == nil || !st.last.Equal(*h.last))
			// A kiosk that started with an empty database learns its street
			// from its first sync, which may finish before this first read.
			moved = moved || (!h.seen && st.last != nil && e.street.Code == "")
			h.seen, h.last = true, st.last
			if moved && h.synced != nil {
				defer h.synced()
			}
			state := e.L("sync.offline")
			if st.online {
				state = e.L("sync.online")
			}
			last := e.L("sync.never")
			if st.last != nil {
				last = st.last.In(e.now().Location()).Format("01-02 15:04")
			}
			h.state.Objects = []fyne.CanvasObject{badge(state, st.online)}
			if e.staff == nil {
				// Staff have the whole story on the health screen, and
				// their name and 退出 need the room.
				h.state.Objects = append(h.state.Objects, widget.NewLabel(e.Lf("sync.detail", last, st.waiting)))
			}
			h.state.Refresh()
		})
	})
}

// longTime formats a moment as the header shows it, with the weekday.
func (e *env) longTime(t time.Time) string {
	wd := e.L("date.weekday" + strconv.Itoa(int(t.Weekday())))
	return e.Lf("date.long", t.Year(), int(t.Month()), t.Day(), wd) + " " + t.Format("15:04")
}

// date formats a calendar day in the current language.
func (e *env) date(d data.Date) string {
	if d.IsZero() {
		return ""
	}
	return e.Lf("date.short", d.Year, int(d.Month), d.Day)
}

// newFooter is the bar below every screen: 完成/退出, which clears
// everything, and the toggles for 长者模式 and the language. 完成/退出 is
// not red like the screens' own primary buttons (在线申报, 下一步, 立即同步),
// and a gap keeps it apart from those just above it.
func newFooter(e *env, done, elder, lang, secret func()) fyne.CanvasObject {
	finish := e.button(e.L("footer.done"), theme.LogoutIcon(), done)
	elderIcon := theme.CheckButtonIcon()
	if e.elder {
		elderIcon = theme.CheckButtonCheckedIcon()
	}
	elderBtn := e.button(e.L("footer.elder"), elderIcon, elder)
	langBtn := e.button(e.L("footer.lang"), theme.ComputerIcon(), lang)
	app := widget.NewLabelWithStyle(e.L("app.name"), fyne.TextAlignCenter, fyne.TextStyle{})
	app.Importance = widget.LowImportance
	// On a narrow (portrait) screen the buttons need the room.
	app.Truncation = fyne.TextTruncateEllipsis
	var name fyne.CanvasObject = app
	if secret != nil {
		name = newSecretArea(app, secret)
	}
	// The rule at the bottom of a gap.
	gap := canvas.NewRectangle(color.Transparent)
	gap.SetMinSize(fyne.NewSize(0, footerGap()))
	rule := container.NewStack(gap, container.New(layout.NewVBoxLayout(), layout.NewSpacer(), widget.NewSeparator()))
	return container.NewVBox(
		rule,
		container.NewBorder(nil, nil, finish, container.NewHBox(elderBtn, langBtn), name),
	)
}

// footerGap is the room between a screen's lowest button and the footer's
// rule, beyond the layouts' padding (which 长者模式 makes larger): 11
// units, all a 长者模式 page in English can spare.
func footerGap() float32 {
	return 11 * kioskTheme.Scale()
}
