package ui

import (
	"context"
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"jiezhen/data"
	"jiezhen/data/store"
	kioskTheme "jiezhen/ui/theme"
)

// Staff mode: street staff sign in on the kiosk itself with a PIN, keep
// the street's listings and notices current, settle conflicts and look
// after the kiosk. The entry is discreet: a long press on the street's
// name in the header. While someone is signed in the header shows their
// name and 退出, the resident idle reset is off, and staff mode ends by
// itself after Options.StaffIdle without a touch.

// StaffHold is how long the street's name must be held to open the staff
// sign-in.
const StaffHold = 2 * time.Second

// maxPIN is the most digits the PIN pad takes.
const maxPIN = 12

// staffSignIn enters staff mode with s and shows the staff home.
func (k *Kiosk) staffSignIn(s data.Staff) {
	k.staff = &s
	k.dirty = true
	k.lastTouch = k.now()
	k.overlay.hide()
	k.stack = nil
	openStaffHome(k.env)
}

// staffSignOut leaves staff mode (退出, or idle) and shows home.
func (k *Kiosk) staffSignOut(why string) {
	k.endStaff(why)
	k.Reset()
}

// endStaff forgets the signed-in staff member and records why in the audit
// log, off the Fyne goroutine.
func (k *Kiosk) endStaff(why string) {
	by, now, src := *k.staff, k.now(), k.staffSrc
	k.staff = nil
	k.bg(func() { _ = src.AuditAction(context.Background(), by, store.AuditSignOut, why, now) })
}

// staffTick is the idle guard of staff mode: the same warning as for
// residents in the last seconds, then the sign-out.
func (k *Kiosk) staffTick(now time.Time) {
	idle := now.Sub(k.lastTouch)
	warn := min(k.opt.IdleWarn, k.opt.StaffIdle)
	switch {
	case idle >= k.opt.StaffIdle:
		k.staffSignOut("idle")
	case idle >= k.opt.StaffIdle-warn:
		left := k.opt.StaffIdle - idle
		k.overlay.show(int((left + time.Second - 1) / time.Second))
	}
}

// longPress shows content and calls fire when it has been held down for
// hold, either when the hold time passes or, at the latest, on release.
// It is not Tappable: a short touch does nothing, and it is no touch
// target a resident is meant to find.
type longPress struct {
	widget.BaseWidget
	content fyne.CanvasObject
	hold    time.Duration
	now     func() time.Time
	fire    func()
	touch   func()

	down    time.Time
	pressed bool
	seq     int
}

var _ desktop.Mouseable = (*longPress)(nil)

func newLongPress(e *env, content fyne.CanvasObject, fire func()) *longPress {
	l := &longPress{content: content, hold: StaffHold, now: e.now, fire: fire, touch: e.touch}
	l.ExtendBaseWidget(l)
	return l
}

func (l *longPress) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(l.content) }

func (l *longPress) MouseDown(*desktop.MouseEvent) {
	l.touch()
	l.pressed, l.down = true, l.now()
	l.seq++
	seq := l.seq
	time.AfterFunc(l.hold, func() {
		fyne.Do(func() {
			if l.pressed && l.seq == seq {
				l.pressed = false
				l.fire()
			}
		})
	})
}

func (l *longPress) MouseUp(*desktop.MouseEvent) {
	if !l.pressed {
		return
	}
	l.pressed = false
	if l.now().Sub(l.down) >= l.hold {
		l.fire()
	}
}

// staffBar is what the header shows while staff are signed in: their
// name, which leads to the staff home, and 退出.
func (e *env) staffBar() fyne.CanvasObject {
	who := e.button(e.Lf("staff.who", e.staff.Name), theme.AccountIcon(), func() {
		openStaffHome(e)
	})
	out := e.primary(e.L("staff.sign_out"), theme.LogoutIcon(), func() { e.signOut("button") })
	return container.NewHBox(who, out)
}

// openStaffSignIn shows the staff of this street as large tiles; a tap on
// a name opens the PIN pad.
func openStaffSignIn(e *env) {
	e.open(func() string { return e.L("staff.sign_in") }, func() fyne.CanvasObject { return newStaffPick(e) })
}

func newStaffPick(e *env) fyne.CanvasObject {
	grid := container.NewGridWithColumns(4)
	// In a VBox, so that a few names make tiles of their own height rather
	// than stretch to the bottom of the screen.
	box := container.NewBorder(subheading(e.L("staff.pick")), nil, nil, nil, container.NewVScroll(container.NewVBox(grid)))
	street := e.street.Code
	load(e, func(ctx context.Context) ([]data.Staff, error) { return e.staffSrc.StaffAccounts(ctx) },
		func(all []data.Staff, err error) {
			if err != nil {
				grid.Add(e.errorText(err))
				return
			}
			n := 0
			for _, s := range all {
				if street != "" && s.Street != "" && s.Street != street {
					continue
				}
				s := s
				name := subheading(s.Name)
				name.Alignment = fyne.TextAlignCenter
				roleText := s.Role
				if s.Role == data.RoleStaff {
					roleText = e.L("staff.role_staff")
				}
				role := widget.NewLabel(roleText)
				role.Alignment = fyne.TextAlignCenter
				c := e.card(s.Name, container.NewVBox(layout.NewSpacer(), name, role, layout.NewSpacer()),
					func() { openPINPad(e, s) })
				c.min = 3 * c.min
				grid.Add(c)
				n++
			}
			if n == 0 {
				grid.Add(para(e.L("staff.no_accounts")))
			}
		})
	return container.NewPadded(box)
}

// pinState is what the PIN pad holds: the digits typed and the last
// answer. It lives in the screen's closure, so it goes with the screen.
type pinState struct {
	pin     string
	problem string
	busy    bool
}

// openPINPad asks s for their PIN on a pad of large digits; the PIN shows
// as dots.
func openPINPad(e *env, s data.Staff) {
	st := &pinState{}
	e.open(func() string { return e.L("staff.sign_in") }, func() fyne.CanvasObject { return newPINPad(e, s, st) })
}

func newPINPad(e *env, s data.Staff, st *pinState) fyne.CanvasObject {
	dots := canvas.NewText("", theme.Color(theme.ColorNameForeground))
	dots.TextSize = 2 * theme.Size(theme.SizeNameHeadingText)
	dots.TextStyle.Bold = true
	msg := e.problemText("")
	msgBox := container.NewStack(msg)
	show := func() {
		if st.pin == "" {
			dots.Text = e.L("staff.pin_hint")
			dots.TextSize = theme.Size(theme.SizeNameSubHeadingText)
			dots.Color = theme.Color(theme.ColorNamePlaceHolder)
		} else {
			dots.Text = strings.Repeat("●", len(st.pin))
			dots.TextSize = 2 * theme.Size(theme.SizeNameHeadingText)
			dots.Color = theme.Color(theme.ColorNameForeground)
		}
		dots.Refresh()
		msgBox.Objects = []fyne.CanvasObject{e.problemText(st.problem)}
		msgBox.Refresh()
	}
	digit := func(d string) fyne.CanvasObject {
		t := canvas.NewText(d, theme.Color(theme.ColorNameForeground))
		t.TextSize = 1.6 * theme.Size(theme.SizeNameHeadingText)
		t.TextStyle.Bold = true
		t.Alignment = fyne.TextAlignCenter
		c := e.card(d, container.NewCenter(t), func() {
			if len(st.pin) < maxPIN && !st.busy {
				st.pin += d
				st.problem = ""
				show()
			}
		})
		c.min = kioskTheme.PadKey(e.elder).Height
		return c
	}
	clear := e.button(e.L("staff.clear"), theme.ContentClearIcon(), func() { st.pin, st.problem = "", ""; show() })
	ok := e.primary(e.L("staff.ok"), theme.ConfirmIcon(), func() { e.trySignIn(s, st, show) })
	cancel := e.button(e.L("staff.cancel"), theme.CancelIcon(), e.back)
	clear.min, ok.min = 1.7*clear.min, 1.7*ok.min
	var keys []fyne.CanvasObject
	for _, d := range []string{"1", "2", "3", "4", "5", "6", "7", "8", "9"} {
		keys = append(keys, digit(d))
	}
	keys = append(keys, clear, digit("0"), ok)
	key := kioskTheme.PadKey(e.elder)
	pad := container.NewGridWrap(fyne.NewSize(3*key.Width+2*theme.Padding(), 4*key.Height+3*theme.Padding()),
		container.NewGridWithColumns(3, keys...))
	who := heading(e.Lf("staff.pin_for", s.Name))
	left := container.NewVBox(who, widget.NewSeparator(), container.NewPadded(dots), msgBox, layout.NewSpacer(), cancel)
	show()
	return container.NewPadded(container.NewBorder(nil, nil, nil, pad, left))
}

// trySignIn checks the PIN off the Fyne goroutine; a wrong one says how
// many tries are left, a locked account until when.
func (e *env) trySignIn(s data.Staff, st *pinState, show func()) {
	if st.busy {
		return
	}
	if st.pin == "" {
		st.problem = e.L("staff.pin_empty")
		show()
		return
	}
	pin, now := st.pin, e.now()
	st.busy = true
	load(e, func(ctx context.Context) (data.Staff, error) { return e.staffSrc.SignIn(ctx, s.ID, pin, now) },
		func(got data.Staff, err error) {
			st.busy, st.pin = false, ""
			var wrong *store.WrongPINError
			var locked *store.LockedError
			switch {
			case err == nil:
				e.signIn(got)
				return
			case errors.As(err, &locked):
				st.problem = e.Lf("staff.locked", locked.Until.In(e.now().Location()).Format("15:04"))
			case errors.As(err, &wrong) && wrong.Left > 0:
				st.problem = e.Lf("staff.wrong_pin", wrong.Left)
			case errors.As(err, &wrong):
				st.problem = e.L("staff.wrong_pin_locked")
			case errors.Is(err, store.ErrNoToken):
				st.problem = e.L("staff.no_token")
			case errors.Is(err, store.ErrNoPINKey):
				st.problem = e.L("staff.no_pin_key")
			default:
				st.problem = e.L("staff.sign_in_failed") + "\n" + e.errText(err)
			}
			show()
		})
}

// openStaffHome is the staff's start screen.
func openStaffHome(e *env) {
	// The greeting is the title: in 长者模式 a line of its own above the
	// two rows of tiles would push the header out of the window.
	e.open(func() string {
		if e.staff == nil {
			return e.L("staff.home")
		}
		return e.Lf("staff.hello", e.staff.Name, e.street.Name)
	}, func() fyne.CanvasObject { return newStaffHome(e) })
}

func newStaffHome(e *env) fyne.CanvasObject {
	if e.staff == nil {
		return para(e.L("staff.signed_out"))
	}
	conflicts := widget.NewLabel(" ")
	conflicts.Alignment = fyne.TextAlignCenter
	tile := func(title string, icon fyne.Resource, sub fyne.CanvasObject, open func()) fyne.CanvasObject {
		name := subheading(title)
		name.Alignment = fyne.TextAlignCenter
		name.Wrapping = fyne.TextWrapOff
		name.Truncation = fyne.TextTruncateEllipsis
		// A little smaller than the home's: three rows of tiles fit in 长者模式.
		side := 1.8 * theme.Size(theme.SizeNameInlineIcon)
		content := container.NewVBox(layout.NewSpacer(),
			container.NewCenter(container.NewGridWrap(fyne.NewSize(side, side), widget.NewIcon(icon))),
			name, sub, layout.NewSpacer())
		c := e.card(title, content, open)
		c.min = 3 * c.min
		return c
	}
	note := func(key string) fyne.CanvasObject {
		l := widget.NewLabel(e.L(key))
		l.Alignment = fyne.TextAlignCenter
		return l
	}
	tiles := container.NewGridWithColumns(3,
		tile(e.L("staff.edit_providers"), theme.AccountIcon(), note("staff.edit_providers_note"), func() { openStaffList(e, data.KindProvider) }),
		tile(e.L("staff.edit_notices"), theme.DocumentIcon(), note("staff.edit_notices_note"), func() { openStaffList(e, data.KindNotice) }),
		tile(e.L("staff.conflicts"), theme.WarningIcon(), conflicts, func() { openConflicts(e) }),
		tile(e.L("staff.health"), theme.ComputerIcon(), note("staff.health_note"), func() { openHealth(e) }),
		tile(e.L("staff.sign_out"), theme.LogoutIcon(), note("staff.sign_out_note"), func() { e.signOut("button") }),
	)
	load(e, func(ctx context.Context) (store.Health, error) { return e.staffSrc.Health(ctx) },
		func(h store.Health, err error) {
			if err == nil {
				conflicts.SetText(e.Lf("staff.conflicts_count", h.Conflicts))
				if h.Conflicts > 0 {
					conflicts.Importance = widget.DangerImportance
					conflicts.TextStyle.Bold = true
					conflicts.Refresh()
				}
			}
		})
	return container.NewPadded(tiles)
}

// staffNote is a small muted line of text.
func staffNote(text string) *wrapLabel {
	l := para(text)
	l.Importance = widget.LowImportance
	return l
}
