// Package ui is the kiosk's touch interface: one file per screen, the theme
// in ui/theme.
//
// Screens are plain constructors that take an *env (language, mode, clock,
// navigation) and the small read interface they need (source.go); the
// kiosk keeps a stack of them and rebuilds the top one when the mode or the
// language changes. They never query the store on the Fyne goroutine: load
// (parts.go) runs the query in the background and applies the result
// through fyne.Do.
//
// Strings come from translations/zh-CN.json and en.json. They are
// registered with Fyne's lang package, but looked up by the kiosk itself,
// because lang fixes one language from the system locale at start while
// the kiosk must open in Chinese everywhere and switch on a touch.
//
// Activity for the idle reset is reported by every tappable the screens
// make (parts.go), by typing (physical keys and the on-screen keyboard's
// keys, see newKeyboard), and by pointer movement seen by a hover-only
// layer over the window (idle.go), which lets taps through.
//
// Nothing needs a physical keyboard: every entry is made by the window's
// on-screen keyboard (package keyboard, through env.entry), which shows
// below the screens while an entry has the focus. Detail screens and search
// results have a 朗读 button (speak.go) when the kiosk has a Speaker.
package ui

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"log/slog"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"jiezhen/data"
	"jiezhen/ui/keyboard"
	kioskTheme "jiezhen/ui/theme"
)

// Defaults of the idle reset (docs/DOMAIN.md: 120 s, then a 20 s warning).
const (
	DefaultIdleAfter = 120 * time.Second
	DefaultIdleWarn  = 20 * time.Second
	// DefaultStaffIdle is how long staff mode lasts without a touch.
	DefaultStaffIdle = 5 * time.Minute
)

// Options configure a Kiosk. The zero value is what the kiosk runs with.
type Options struct {
	Street    string           // street code; empty means the first street in the database
	Now       func() time.Time // the clock (shown in China time); nil means time.Now
	Sync      SyncSource       // connection state; nil reports offline with the store's counts
	IdleAfter time.Duration    // silence before the idle warning; 0 means DefaultIdleAfter
	IdleWarn  time.Duration    // length of the warning countdown; 0 means DefaultIdleWarn
	Elder     bool             // start (and reset to) 长者模式
	Lang      data.Lang        // start (and reset to) this language; empty means Chinese

	// KioskID is this kiosk's number in the district, the first part of
	// the reference numbers it gives (data.NewReference).
	KioskID int64
	// Cases files residents' appeals; nil means the Content if it is a
	// CaseWriter (the store is). Without one, 我要反映 sends residents to
	// the service window.
	Cases CaseWriter

	// Bundles imports signed content bundles (.jzb) as `kiosk import`
	// does. With it, five taps on the kiosk's name in the footer open the
	// bundle screen, and a .jzb file on a drive plugged in is offered for
	// import; nil leaves both out.
	Bundles BundleImporter
	// MountDirs are the folders where drives appear, watched for new .jzb
	// files a few levels down; nil means DefaultMountDirs.
	MountDirs []string
	// BundleDirs are more folders whose .jzb files the bundle screen
	// lists (the database's folder).
	BundleDirs []string

	// Speaker reads screens aloud; nil leaves out the 朗读 buttons (no
	// espeak-ng). Do not pass a nil *speech.Speaker: test speech.New()
	// for nil first, as an interface holding a nil pointer is not nil.
	Speaker Speaker

	// ExportOutbox writes the waiting outbox, encrypted to the district's
	// outbox key, to the file to (on a USB drive) and returns how many
	// items it holds; the items stay queued. Nil when the kiosk has no
	// outbox key configured (kiosk --outbox-recipient).
	ExportOutbox func(ctx context.Context, to string) (int, error)

	// FirstFrame, when set, is called once when the first frame has been
	// painted, for start-up measurements.
	FirstFrame func()

	// Tick drives the clock display and the idle guard; nil means a
	// one-second ticker. Tests pass a channel they never send on and call
	// Tick themselves.
	Tick <-chan time.Time
	// Background runs loads off the Fyne goroutine; nil means `go f()`.
	// Tests run them inline so that every screen is complete when a tap
	// returns.
	Background func(f func())

	// Staff signs street staff in and keeps their edits; nil means the
	// Content if it is a StaffStore (the store is). Without one there is
	// no staff mode.
	Staff StaffStore
	// StaffIdle is how long staff mode lasts without a touch; 0 means
	// DefaultStaffIdle. The resident idle reset does not apply meanwhile.
	StaffIdle time.Duration
	// SyncNow asks the sync agent for a cycle now (its Kick); nil leaves
	// out the 立即同步 button.
	SyncNow func()
	// District asks the district for a case the kiosk does not hold (the
	// sync agent); nil: 办件查询 finds only the kiosk's own cases.
	District DistrictTracker
	// Drives lists the directories where USB drives are mounted, for the
	// outbox export; nil means the mount points under MountDirs in
	// /proc/mounts.
	Drives func() ([]string, error)
	// Log receives what the screens show only in words (the error behind
	// a message) and the window's own problems; nil means slog.Default().
	Log *slog.Logger
	// ReadLog returns the newest n lines of the kiosk's log file, oldest
	// first, for the staff health screen's 查看日志; nil leaves it out.
	ReadLog func(n int) ([]string, error)
	// Printer prints each receipt as the resident files a case (kiosk
	// --printer); nil: the receipt asks the resident to take a photo.
	Printer ReceiptPrinter
}

// env is what every screen is built with: the language and mode, the
// clock, the content, a way to run loads in the background and the
// navigation. Screens are rebuilt from it when the mode or language
// changes, so they keep no other reference to the kiosk.
type env struct {
	lang    data.Lang
	elder   bool
	now     func() time.Time
	bg      func(func())
	src     Content
	street  data.Street
	kb      *keyboard.Keyboard // makes every entry (entry in parts.go)
	entries int                // entries made so far, to tell screens that have one
	sp      Speaker            // nil: no 朗读 buttons
	cases   CaseWriter         // nil: no appeals on this kiosk
	tracker Tracker            // nil: no tracking on this kiosk
	// district: nil, only the kiosk's own cases are tracked
	district DistrictTracker
	kioskID  int64

	bundles   BundleImporter // nil: no bundle screen
	bundleSrc bundleSources

	staffSrc StaffStore  // nil: no staff mode
	staff    *data.Staff // signed in; nil in resident mode
	sync     SyncSource
	syncNow  func()                                            // nil: no 立即同步
	export   func(ctx context.Context, to string) (int, error) // nil: no export to USB
	drives   func() ([]string, error)

	touch    func()                                                    // reports activity to the idle guard
	open     func(title func() string, build func() fyne.CanvasObject) // pushes a screen
	openRead func(title func() string, build func() fyne.CanvasObject) // pushes a screen with 朗读
	back     func()                                                    // pops the top screen
	reset    func()                                                    // 完成: clears everything, home
	// holds marks the screen being built as holding a resident's answers
	// not yet filed while unsaved() is true: 完成/退出, 首页 and 返回 ask
	// first (Kiosk.leave).
	holds   func(unsaved func() bool)
	refresh func()             // rebuilds the current screen
	signIn  func(s data.Staff) // enters staff mode, staff home on top
	signOut func(why string)   // leaves staff mode (audited), home

	screenHeight func() float32 // the window's height, for the pages of forms
	chromeHeight func() float32 // what the header, the footer and a title bar take of it
	portrait     func() bool    // the window is taller than wide
	screenWidth  func() float32 // the window's width

	log     *slog.Logger                  // the errors behind messages (errText)
	readLog func(n int) ([]string, error) // nil: no log on the health screen

	printer ReceiptPrinter // nil: receipts are not printed
	printed *printerLog    // the last print, for the health screen
}

// L returns the UI string for key in the current language.
func (e *env) L(key string) string { return tr(e.lang, key) }

// Lf formats the UI string for key with args.
func (e *env) Lf(key string, args ...any) string { return fmt.Sprintf(tr(e.lang, key), args...) }

// screen is an entry of the navigation stack: how to build it again after
// a change of mode or language.
type screen struct {
	title func() string
	build func() fyne.CanvasObject
	read  bool // has a 朗读 button that reads what build made
	// unsaved, if set, reports answers typed or chosen on this screen and
	// not yet filed (env.holds).
	unsaved func() bool
}

// Kiosk is the running kiosk interface.
type Kiosk struct {
	*env
	app   fyne.App
	win   fyne.Window
	theme *kioskTheme.Theme
	opt   Options

	stack     []screen
	homeQuery string // the home search box's text, kept across rebuilds of home only
	portrait  bool   // the window's shape the screen was built for

	root    *fyne.Container // the screen under the idle overlay
	overlay *idleOverlay
	header  *header
	footer  fyne.CanvasObject

	scroll    *container.Scroll // the current screen's roomy scroll; nil if it has no entries
	lastTouch time.Time
	dirty     bool // touched since the last reset: there is something to clear
	ticks     int
	stop      chan struct{}
	drives    driveWatch
	secret    secretTaps
	confirm   *widget.PopUp // leave's question over a half-filled form; nil when not up
}

// New builds the kiosk interface into w. It reads the street from src
// before returning; everything else loads in the background.
func New(a fyne.App, w fyne.Window, src Content, opt Options) (*Kiosk, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	// Residents read the street's time, whatever zone the machine is set to.
	clock := opt.Now
	opt.Now = func() time.Time { return clock().In(chinaTime) }
	if opt.Sync == nil {
		opt.Sync = StoreSyncStatus{Store: src}
	}
	if opt.IdleAfter <= 0 {
		opt.IdleAfter = DefaultIdleAfter
	}
	if opt.IdleWarn <= 0 {
		opt.IdleWarn = DefaultIdleWarn
	}
	if opt.Lang == "" {
		opt.Lang = data.ZH
	}
	if opt.Background == nil {
		opt.Background = func(f func()) { go f() }
	}
	if opt.StaffIdle <= 0 {
		opt.StaffIdle = DefaultStaffIdle
	}
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	registerTranslations(opt.Log)
	st, err := pickStreet(src, opt.Street)
	if err != nil {
		return nil, err
	}
	k := &Kiosk{
		app: a, win: w, opt: opt,
		theme: &kioskTheme.Theme{Elder: opt.Elder},
		stop:  make(chan struct{}),
	}
	k.env = &env{
		lang: opt.Lang, elder: opt.Elder, now: opt.Now, bg: opt.Background,
		src: src, street: st, sp: opt.Speaker, kioskID: opt.KioskID, cases: opt.Cases,
		bundles:  opt.Bundles,
		staffSrc: opt.Staff, sync: opt.Sync, syncNow: opt.SyncNow, drives: opt.Drives, district: opt.District,
		log: opt.Log, readLog: opt.ReadLog,
		printer: opt.Printer, printed: &printerLog{},
	}
	if opt.Bundles != nil {
		k.env.bundleSrc = bundleSources{mounts: opt.MountDirs, extra: opt.BundleDirs}
		if opt.MountDirs == nil {
			k.env.bundleSrc.mounts = DefaultMountDirs
		}
	}
	k.env.export = opt.ExportOutbox
	if k.env.drives == nil {
		roots := opt.MountDirs
		if roots == nil {
			roots = DefaultMountDirs
		}
		k.env.drives = func() ([]string, error) { return mountedDrives(roots) }
	}
	if k.env.cases == nil {
		k.env.cases, _ = src.(CaseWriter)
	}
	if k.env.staffSrc == nil {
		k.env.staffSrc, _ = src.(StaffStore)
	}
	// Tracking reads the cases where they are filed.
	if t, ok := k.env.cases.(Tracker); ok {
		k.env.tracker = t
	} else {
		k.env.tracker, _ = src.(Tracker)
	}
	k.env.touch = k.touch
	k.env.open = func(title func() string, build func() fyne.CanvasObject) { k.push(title, build, false) }
	k.env.openRead = func(title func() string, build func() fyne.CanvasObject) { k.push(title, build, true) }
	k.env.back = k.back
	k.env.reset = k.Reset
	k.env.holds = func(unsaved func() bool) {
		if len(k.stack) > 0 {
			k.stack[len(k.stack)-1].unsaved = unsaved
		}
	}
	k.env.refresh = k.render
	k.env.signIn = k.staffSignIn
	k.env.signOut = k.staffSignOut
	k.env.screenHeight = func() float32 { return w.Canvas().Size().Height }
	k.env.portrait = func() bool { s := w.Canvas().Size(); return s.Width < s.Height }
	k.env.screenWidth = func() float32 { return w.Canvas().Size().Width }
	k.env.chromeHeight = func() float32 {
		if k.header == nil || k.footer == nil {
			return 0
		}
		// What a screen's title bar, the header and the footer take, with
		// the window's and the layouts' padding.
		bar := k.navFrame("字", layout.NewSpacer(), nil).MinSize().Height
		return k.header.obj.MinSize().Height + k.footer.MinSize().Height + bar + 4*theme.Padding()
	}
	k.lastTouch = k.now()
	kioskTheme.SetScale(kioskTheme.ScaleFor(w.Canvas().Size()))
	a.Settings().SetTheme(k.theme)
	// After the theme: the keyboard takes its background colour from it.
	k.env.kb = k.newKeyboard()

	k.overlay = newIdleOverlay(k)
	k.root = container.NewStack()
	// The keyboard is under the activity layer and the idle warning like
	// the screens: moving over it is activity, and the warning covers it.
	layers := []fyne.CanvasObject{newShapeWatch(k.reshape), k.kb.Wrap(k.root), newActivity(k.touch), k.overlay}
	if opt.FirstFrame != nil {
		layers = append(layers, firstFrameMarker(opt.FirstFrame))
	}
	w.SetContent(container.NewStack(layers...))
	if dc, ok := w.Canvas().(desktop.Canvas); ok {
		dc.SetOnKeyDown(func(*fyne.KeyEvent) { k.touch() })
	}
	k.render()
	k.pollDrives() // the baseline: drives already in are not offered

	tick := opt.Tick
	if tick == nil {
		t := time.NewTicker(time.Second)
		tick = t.C
		go func() { <-k.stop; t.Stop() }()
	}
	go func() {
		for {
			select {
			case <-tick:
				fyne.Do(k.Tick)
			case <-k.stop:
				return
			}
		}
	}()
	return k, nil
}

// Close stops the kiosk's ticker.
func (k *Kiosk) Close() {
	select {
	case <-k.stop:
	default:
		close(k.stop)
	}
}

// render rebuilds the whole window from the current state: the header,
// the top of the stack (or home) and the footer.
func (k *Kiosk) render() {
	// A focused entry of the old screen would otherwise keep receiving
	// the keys typed after it is gone, and the on-screen keyboard would
	// stay up for it with its letters; what was being read belongs to the
	// old screen too.
	k.kb.Dismiss()
	k.kb.SetLabels(keyLabels(k.lang))
	k.kb.SetLettersFirst(k.lang == data.EN)
	k.win.Canvas().Unfocus()
	if k.sp != nil {
		k.sp.Stop()
	}
	if len(k.stack) > 0 {
		// The home search text has served (or was left): home comes back
		// with an empty box for the next question.
		k.homeQuery = ""
	}
	k.header = newHeader(k.env, k.sync, k.synced)
	// The footer before the screen: forms measure their pages by the room
	// the header and the footer leave (env.chromeHeight).
	var secret func()
	if k.bundles != nil {
		secret = func() {
			k.touch()
			if k.secret.tap(k.now()) {
				openBundleImport(k.env)
			}
		}
	}
	k.footer = newFooter(k.env, k.finish, k.toggleElder, k.toggleLang, secret)
	var body fyne.CanvasObject
	if len(k.stack) == 0 {
		body = newHome(k.env, &k.homeQuery)
	} else {
		top := k.stack[len(k.stack)-1]
		made := k.entries
		content := top.build()
		k.scroll = nil
		if k.entries != made {
			// The keyboard can come up over this screen: let it shrink. A
			// form's step buttons stay under the part that scrolls.
			if s, ok := content.(*steps); ok {
				k.scroll = roomy(s.page)
				content = container.NewBorder(nil, s.bottom, nil, nil, k.scroll)
			} else {
				k.scroll = roomy(content)
				content = k.scroll
			}
		}
		var read fyne.CanvasObject
		if top.read {
			read = k.readButton(func() string { return speechText(content) })
		}
		body = k.navFrame(top.title(), content, read)
	}
	k.root.Objects = []fyne.CanvasObject{container.NewBorder(k.header.obj, k.footer, nil, nil, body)}
	k.root.Refresh()
}

// keyboardShown makes room for the on-screen keyboard, whose letters take
// half the window or more: the header and the footer step aside while it
// is up, in both modes, so that the field being typed into, its hint and
// the fields around it stay in view under the screen's title and 返回,
// with a form's step buttons under them. The keyboard's 收起 brings them
// back.
func (k *Kiosk) keyboardShown(up bool) {
	if k.header == nil || k.footer == nil {
		return
	}
	for _, o := range []fyne.CanvasObject{k.header.obj, k.footer} {
		if up {
			o.Hide()
		} else {
			o.Show()
		}
	}
}

// synced follows a completed sync: the street may be known only now (a
// kiosk that started empty), and an untouched home shows new counts. A
// screen someone is using is left alone; it reads fresh content when they
// move on.
func (k *Kiosk) synced() {
	code := k.opt.Street
	load(k.env, func(context.Context) (data.Street, error) { return pickStreet(k.src, code) },
		func(st data.Street, err error) {
			known := k.street.Code != ""
			if err == nil && st.Code != "" {
				k.street = st
			}
			// Without a street still, rebuilding would only ask again.
			if len(k.stack) == 0 && !k.dirty && (known || k.street.Code != "") {
				k.render()
			}
		})
}

// navFrame puts 返回 and 首页 above every screen but home: no screen is a
// dead end. Both ask first, as 完成/退出 does, when the screens they leave
// hold answers not yet filed (leave). read, if not nil, is the screen's 朗读 button, on the right.
func (k *Kiosk) navFrame(title string, content, read fyne.CanvasObject) fyne.CanvasObject {
	back := k.button(k.L("nav.back"), theme.NavigateBackIcon(), func() { k.leave(len(k.stack)-1, k.back) })
	home := k.button(k.L("nav.home"), theme.HomeIcon(), func() { k.leave(0, k.goHome) })
	t := subheading(title)
	t.Wrapping = fyne.TextWrapOff
	t.Truncation = fyne.TextTruncateEllipsis
	bar := container.NewBorder(nil, nil, container.NewHBox(back, home), read, t)
	return container.NewBorder(container.NewVBox(bar, widget.NewSeparator()), nil, nil, nil, content)
}

// push shows a new screen above the current one. Its title is a function
// so that it follows the language toggle.
func (k *Kiosk) push(title func() string, build func() fyne.CanvasObject, read bool) {
	k.stack = append(k.stack, screen{title: title, build: build, read: read})
	k.render()
}

func (k *Kiosk) back() {
	if len(k.stack) > 0 {
		k.stack = k.stack[:len(k.stack)-1]
	}
	k.render()
}

func (k *Kiosk) goHome() {
	k.stack = nil
	k.render()
}

// Reset clears everything a resident left behind (screens, search text,
// filters, mode and language) and shows home: 完成/退出 and the idle guard
// both end here. render hides the keyboard, dropping letters not yet
// converted, and stops the speech. Staff still signed in are signed out.
func (k *Kiosk) Reset() {
	if k.staff != nil {
		k.endStaff("done")
	}
	k.hideConfirm()
	k.stack = nil
	k.homeQuery = ""
	k.lang = k.opt.Lang
	k.setElder(k.opt.Elder)
	k.overlay.hide()
	k.dirty = false
	k.lastTouch = k.now()
	k.render()
}

// finish is 完成/退出: it clears everything (Reset), but asks first while
// a form holds answers not yet filed, so that a touch meant for a button
// near it does not throw them away.
func (k *Kiosk) finish() { k.leave(0, k.Reset) }

// leave is every way out of a screen that a resident touches (完成/退出,
// 首页, 返回): goOn does it, leaving the bottom keep screens of the stack.
// While a screen it would drop holds answers not yet filed (env.holds),
// it asks first: 继续填写 stays, 清除并退出 goes.
func (k *Kiosk) leave(keep int, goOn func()) {
	unsaved := false
	for _, s := range k.stack[max(keep, 0):] {
		if s.unsaved != nil && s.unsaved() {
			unsaved = true
		}
	}
	if !unsaved {
		goOn()
		return
	}
	k.kb.Dismiss()
	stay := k.primary(k.L("finish.stay"), theme.NavigateBackIcon(), k.hideConfirm)
	leave := k.button(k.L("finish.leave"), theme.DeleteIcon(), func() {
		k.hideConfirm()
		goOn()
	})
	box := container.NewVBox(
		subheading(k.L("finish.title")),
		para(k.L("finish.ask")),
		container.NewGridWithColumns(2, stay, leave),
	)
	width := min(k.win.Canvas().Size().Width-8*theme.Padding(), 720*kioskTheme.Scale())
	box.Resize(fyne.NewSize(width-2*theme.Padding(), box.MinSize().Height)) // wraps the question
	k.confirm = widget.NewModalPopUp(container.NewPadded(box), k.win.Canvas())
	k.confirm.Resize(fyne.NewSize(width, box.MinSize().Height+4*theme.Padding()))
	k.confirm.Show()
}

// hideConfirm takes leave's question away, if it is up.
func (k *Kiosk) hideConfirm() {
	if k.confirm != nil {
		k.confirm.Hide()
		k.confirm = nil
	}
}

// reshape follows the window's size: on a larger screen (or a portrait
// one, whose shorter side is wider) text, padding and touch targets grow
// (kioskTheme.ScaleFor), and the screen is built again at the new sizes.
// The layouts follow the shape by themselves (the home grid's columns,
// the rows a list page holds).
func (k *Kiosk) reshape(size fyne.Size) {
	s, portrait := kioskTheme.ScaleFor(size), size.Width < size.Height
	if s == kioskTheme.Scale() && portrait == k.portrait {
		return
	}
	k.portrait = portrait
	kioskTheme.SetScale(s)
	k.app.Settings().SetTheme(k.theme)
	k.kb.Restyle()
	k.render()
}

// shapeWatch is an empty layer the size of the window that reports each
// new size.
type shapeWatch struct {
	widget.BaseWidget
	onSize func(fyne.Size)
	last   fyne.Size
}

func newShapeWatch(onSize func(fyne.Size)) *shapeWatch {
	s := &shapeWatch{onSize: onSize}
	s.ExtendBaseWidget(s)
	return s
}

func (s *shapeWatch) Resize(size fyne.Size) {
	s.BaseWidget.Resize(size)
	if size != s.last && size.Width > 0 && size.Height > 0 {
		s.last = size
		s.onSize(size)
	}
}

func (s *shapeWatch) MinSize() fyne.Size { return fyne.Size{} }

func (s *shapeWatch) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(canvas.NewRectangle(color.Transparent))
}

func (k *Kiosk) toggleElder() {
	k.setElder(!k.elder)
	k.render()
}

func (k *Kiosk) setElder(on bool) {
	if k.elder == on && k.theme.Elder == on {
		return
	}
	k.elder = on
	k.theme.Elder = on
	k.kb.SetElder(on)
	// Setting the theme again makes Fyne refresh every widget with the
	// new sizes.
	k.app.Settings().SetTheme(k.theme)
}

func (k *Kiosk) toggleLang() {
	if k.lang == data.ZH {
		k.lang = data.EN
	} else {
		k.lang = data.ZH
	}
	k.render()
}

// newKeyboard makes the window's on-screen keyboard. Its keys count as
// activity (pinyin letters waiting for conversion do not change an entry,
// so OnChanged alone would miss them), and so does touching a field, which
// in 长者模式 also reads the field's label aloud.
func (k *Kiosk) newKeyboard() *keyboard.Keyboard {
	kb := keyboard.New()
	kb.SetElder(k.elder)
	kb.SetLettersFirst(k.lang == data.EN)
	kb.OnKey = k.touch
	kb.OnVisible = k.keyboardShown
	kb.OnRelease = func(e *keyboard.Entry) { fyne.Do(func() { k.reveal(e) }) }
	kb.OnRelayout = func(e *keyboard.Entry) { fyne.Do(func() { k.reveal(e) }) }
	kb.OnFocus = func(e *keyboard.Entry) {
		k.touch()
		// Once the keyboard has taken its room, bring the field into view;
		// when a finger gave the focus, only once it is lifted (OnRelease).
		if !e.Pressed() {
			fyne.Do(func() { k.reveal(e) })
		}
		if k.elder && k.sp != nil && e.Label != "" {
			k.sp.Speak(e.Label, nil)
		}
	}
	return kb
}

// keyLabels are the on-screen keyboard's function keys in language l.
func keyLabels(l data.Lang) keyboard.Labels {
	return keyboard.Labels{
		Backspace: tr(l, "keyboard.backspace"), Clear: tr(l, "keyboard.clear"), Space: tr(l, "keyboard.space"),
		Next: tr(l, "keyboard.next"), Done: tr(l, "keyboard.done"), Submit: tr(l, "keyboard.submit"), Newline: tr(l, "keyboard.newline"),
		Lang: tr(l, "keyboard.lang"), Symbols: tr(l, "keyboard.symbols"), Letters: tr(l, "keyboard.letters"),
		Shift: tr(l, "keyboard.shift"), Close: tr(l, "keyboard.close"),
		Pinyin: tr(l, "keyboard.pinyin"), English: tr(l, "keyboard.english"),
	}
}

// reveal scrolls the current screen so that o is at the top of what the
// on-screen keyboard leaves visible: in 长者模式 the keyboard leaves only a
// strip of the screen, and a field typed into must be seen.
func (k *Kiosk) reveal(o fyne.CanvasObject) {
	sc := k.scroll
	if sc == nil || sc.Content == nil {
		return
	}
	d := fyne.CurrentApp().Driver()
	y := d.AbsolutePositionForObject(o).Y - d.AbsolutePositionForObject(sc.Content).Y
	if y < 0 || y > sc.Content.MinSize().Height {
		return // not on this screen
	}
	top := sc.Offset.Y
	if y >= top && y+o.Size().Height <= top+sc.Size().Height {
		return // already in view
	}
	sc.ScrollToOffset(fyne.NewPos(0, max(0, y-theme.Padding())))
}

// touch records activity: it postpones the idle reset and dismisses its
// warning.
func (k *Kiosk) touch() {
	k.lastTouch = k.now()
	k.dirty = true
	if k.overlay.Visible() {
		k.overlay.hide()
	}
}

// Tick advances the clock display and the idle guard. It runs on the
// Fyne goroutine once a second.
func (k *Kiosk) Tick() {
	now := k.now()
	k.ticks++
	k.header.tick(now, k.ticks%5 == 0)
	if k.ticks%mountPollTicks == 0 {
		k.pollDrives()
	}
	if k.staff != nil {
		k.staffTick(now)
		return
	}
	if !k.dirty {
		return
	}
	idle := now.Sub(k.lastTouch)
	switch {
	case idle >= k.opt.IdleAfter+k.opt.IdleWarn:
		k.Reset()
	case idle >= k.opt.IdleAfter:
		left := k.opt.IdleAfter + k.opt.IdleWarn - idle
		k.overlay.show(int((left + time.Second - 1) / time.Second))
	}
}

// firstFrameMarker is an invisible raster: the painter generates its
// pixels while drawing a frame, which is the only moment Fyne lets an app
// observe that a frame was painted.
func firstFrameMarker(f func()) fyne.CanvasObject {
	var once sync.Once
	return canvas.NewRaster(func(w, h int) image.Image {
		once.Do(func() { go f() })
		return image.NewNRGBA(image.Rect(0, 0, 1, 1))
	})
}

// pickStreet finds the street the kiosk serves: the one named, or the
// first in the database.
func pickStreet(src Content, code string) (data.Street, error) {
	ctx := context.Background()
	if code != "" {
		st, err := src.Street(ctx, code)
		if err != nil {
			return data.Street{}, fmt.Errorf("street %s: %w", code, err)
		}
		return st, nil
	}
	all, err := src.Streets(ctx)
	if err != nil {
		return data.Street{}, err
	}
	if len(all) == 0 {
		return data.Street{Name: "街镇通"}, nil
	}
	return all[0], nil
}
