package speech

import (
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Labels of the read-aloud button.
const (
	LabelRead = "朗读"
	LabelStop = "停止"
)

// Button returns a 朗读 button that reads text() aloud, turning into 停止
// while it reads; tapping 停止 silences it. It returns a nil interface when
// sp is nil (espeak-ng missing), so that the caller can leave it out:
//
//	if b := speech.Button(sp, text); b != nil { bar.Add(b) }
//
// text is called on every tap, so it can read what the screen shows now.
func Button(sp *Speaker, text func() string) fyne.CanvasObject {
	if sp == nil {
		return nil
	}
	b := widget.NewButtonWithIcon(LabelRead, theme.VolumeUpIcon(), nil)
	var (
		mu      sync.Mutex // fyne.Do runs inline under the test driver
		reading bool
		taps    int // the done of an older tap must not reset a newer one
	)
	reset := func() {
		b.SetText(LabelRead)
		b.SetIcon(theme.VolumeUpIcon())
	}
	b.OnTapped = func() {
		mu.Lock()
		taps++
		tap, was := taps, reading
		reading = !reading
		mu.Unlock()
		if was {
			sp.Stop()
			reset()
			return
		}
		b.SetText(LabelStop)
		b.SetIcon(theme.MediaStopIcon())
		// done runs when the speech ends, is stopped, or another
		// button's speech replaces it.
		sp.Speak(text(), func(error) {
			mu.Lock()
			mine := tap == taps && reading
			if mine {
				reading = false
			}
			mu.Unlock()
			if mine {
				fyne.Do(reset)
			}
			if buttonDone != nil {
				buttonDone()
			}
		})
	}
	return b
}

// buttonDone, when set by a test, is called after a button has handled the
// end of its speech.
var buttonDone func()
