package keyboard

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// Entry is a widget.Entry that brings up its Keyboard, in its Mode, while
// it has the focus. Create it with the Keyboard's NewEntry,
// NewMultiLineEntry or NewPasswordEntry.
type Entry struct {
	widget.Entry

	// Label names the field, for OnFocus to read it aloud.
	Label string

	// Last marks the last entry of a page, such as a form page's last
	// field: its enter key reads 完成 (Labels.Done) and closes the
	// keyboard, which brings the page's own buttons (下一步) back into
	// view, rather than 下一项. A multi-line entry or one with
	// OnSubmitted keeps its own key.
	Last bool

	kb      *Keyboard
	mode    Mode
	pressed bool // a pointer is down on the entry
}

// NewEntry returns a single-line entry typed with the layout of mode.
func (k *Keyboard) NewEntry(mode Mode) *Entry {
	e := &Entry{kb: k, mode: mode}
	e.ExtendBaseWidget(e)
	return e
}

// NewMultiLineEntry returns a multi-line entry for longer Chinese text
// (an appeal, a description), wrapping at words; its enter key is 换行.
func (k *Keyboard) NewMultiLineEntry() *Entry {
	e := k.NewEntry(Chinese)
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	return e
}

// NewPasswordEntry returns an entry for a PIN: digits, shown as dots.
func (k *Keyboard) NewPasswordEntry() *Entry {
	e := k.NewEntry(Digits)
	e.Password = true
	return e
}

// Mode is the layout the entry brings up.
func (e *Entry) Mode() Mode { return e.mode }

// FocusGained shows the keyboard for this entry, or, when a pointer
// pressed on the entry gave it the focus, readies it for MouseUp to show.
func (e *Entry) FocusGained() {
	e.Entry.FocusGained()
	e.kb.focusGained(e, !e.pressed)
}

// FocusLost hides the keyboard.
func (e *Entry) FocusLost() {
	e.pressed = false
	e.Entry.FocusLost()
	e.kb.focusLost(e)
}

// Pressed reports whether a pointer is down on the entry: it gained the
// focus by a press that has not been released yet.
func (e *Entry) Pressed() bool { return e.pressed }

// MouseDown notes the press before the entry takes the focus.
func (e *Entry) MouseDown(m *desktop.MouseEvent) {
	e.pressed = true
	e.Entry.MouseDown(m)
}

// MouseUp ends the press: the keyboard comes up only now, for the room it
// takes would move the entry from under the pointer before the release,
// which Fyne then sends elsewhere (to the footer, which unfocuses, or to
// a key). Then it tells the keyboard's OnRelease.
func (e *Entry) MouseUp(m *desktop.MouseEvent) {
	e.Entry.MouseUp(m)
	was := e.pressed
	e.pressed = false
	if !was {
		return
	}
	if c := canvasOf(e); c == nil || c.Focused() != fyne.Focusable(e) {
		return
	}
	e.kb.focusGained(e, true)
	if e.kb.OnRelease != nil {
		e.kb.OnRelease(e)
	}
}
