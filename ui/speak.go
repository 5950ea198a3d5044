package ui

import (
	"errors"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"

	"jiezhen/ui/speech"
)

// Speaker reads text aloud. *speech.Speaker (espeak-ng) is the kiosk's;
// tests pass a recorder.
type Speaker interface {
	// Speak starts reading text and returns at once, stopping whatever
	// was being read. done, if not nil, is called when the speech ends or
	// is cut short, possibly from another goroutine.
	Speak(text string, done func(err error))
	// Stop silences the speaker.
	Stop()
}

var _ Speaker = (*speech.Speaker)(nil)

// readButton is a screen's 朗读 button: it reads text() aloud and, while
// it reads, says so and turns into its stop (正在朗读，点此停止), which
// silences it. It is nil when the kiosk has no speaker, so that it is
// left out rather than broken. The speech runs
// in the background; the button's state is only touched on the Fyne
// goroutine (the end of the speech comes back through fyne.Do).
func (k *Kiosk) readButton(text func() string) fyne.CanvasObject {
	e := k.env
	if e.sp == nil {
		return nil
	}
	var (
		b       *tapButton
		row     *fyne.Container
		reading bool
		taps    int // the end of an older speech must not reset a newer one
	)
	reset := func() {
		b.SetText(e.L("speech.read"))
		b.SetIcon(theme.VolumeUpIcon())
		row.Refresh() // lays the narrower button out again
	}
	b = e.button(e.L("speech.read"), theme.VolumeUpIcon(), func() {
		taps++
		if reading {
			reading = false
			e.sp.Stop()
			reset()
			return
		}
		reading = true
		tap := taps
		b.SetText(e.L("speech.stop"))
		b.SetIcon(theme.MediaStopIcon())
		row.Refresh()
		e.sp.Speak(text(), func(err error) {
			if err != nil && !errors.Is(err, speech.ErrStopped) {
				e.log.Warn("ui: read-aloud", "error", err) // the text is not logged
			}
			fyne.Do(func() {
				if tap == taps && reading {
					reading = false
					reset()
				}
			})
		})
	})
	// The title bar keeps the room of the reading state, so that nothing
	// moves or overlaps when it changes.
	b.SetText(e.L("speech.stop"))
	room := canvas.NewRectangle(color.Transparent)
	room.SetMinSize(b.MinSize())
	b.SetText(e.L("speech.read"))
	row = container.NewHBox(layout.NewSpacer(), b)
	return container.NewStack(room, row)
}

// speechText is what 朗读 reads of a screen: its visible text in reading
// order, without what was typed into entries and without the kiosk's own
// buttons (上翻, 下一页 ...), which speech.TextOf does not know.
func speechText(o fyne.CanvasObject) string { return speech.TextOf(o) }

// SpeechText makes a card (a search hit, a tile) readable by 朗读: what
// its content shows.
func (c *tapCard) SpeechText() string { return speech.TextOf(c.content) }
