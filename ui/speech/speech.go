// Package speech reads text aloud in Mandarin through espeak-ng
// (`espeak-ng -v cmn`, Debian package espeak-ng), so that residents who
// cannot read the screen well can hear it (EN 301 549: a kiosk must be
// usable without the user's own assistive technology).
//
// Speaking runs espeak-ng in its own process, started and waited for in a
// goroutine: Speak returns at once and the UI never waits for the speech.
// Stop kills the running process. When espeak-ng is not installed, New
// returns nil and the window shows no 朗读 button (ui.Options.Speaker).
//
// TextOf collects the visible text of a screen (labels, rich text, cards,
// buttons; never what was typed into entries); custom widgets can say what
// to read by implementing Speakable. In 长者模式 a touch on a field can
// read its label: the keyboard's OnFocus hook can call sp.Speak(e.Label, nil).
package speech

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Program is the speech synthesiser run by this package.
const Program = "espeak-ng"

// Voice is espeak-ng's Mandarin voice.
const Voice = "cmn"

// DefaultRate is the speed in words per minute: a little slower than
// espeak-ng's 175, for elder listeners.
const DefaultRate = 150

// Speaker speaks one text at a time: a new Speak stops the previous one.
// The zero value is not usable; call New. Its methods are safe for
// concurrent use.
type Speaker struct {
	// Rate is the speed in words per minute; set it before speaking.
	Rate int

	bin string // the program to run; tests put a stand-in here

	mu     sync.Mutex
	cancel context.CancelFunc // of the running process, nil when silent
	gen    uint64             // increments with every Speak and Stop
}

// New returns a Speaker, or nil when espeak-ng is not installed: callers
// test for nil and hide their 朗读 buttons.
func New() *Speaker {
	bin, err := exec.LookPath(Program)
	if err != nil {
		return nil
	}
	return &Speaker{Rate: DefaultRate, bin: bin}
}

// args are espeak-ng's arguments: the text comes on standard input (so a
// text starting with "-" is not an option) as UTF-8 (-b 1).
func args(rate int, wavPath string) []string {
	a := []string{"-v", Voice, "-b", "1", "-s", strconv.Itoa(rate)}
	if wavPath != "" {
		a = append(a, "-w", wavPath)
	}
	return append(a, "--stdin")
}

// Speak starts reading text aloud and returns at once, stopping whatever
// was being read. done, if not nil, is called from another goroutine when
// the speech ends: err is nil when it ran to its end, ErrStopped when Stop
// or another Speak cut it short. A UI updating itself in done must do so
// through fyne.Do.
func (s *Speaker) Speak(text string, done func(err error)) {
	text = strings.TrimSpace(text)
	s.mu.Lock()
	if s.cancel != nil {
		s.cancel()
	}
	s.gen++
	gen := s.gen
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.mu.Unlock()

	go func() {
		err := s.run(ctx, text, "")
		s.mu.Lock()
		if s.gen == gen {
			s.cancel = nil
		}
		s.mu.Unlock()
		cancel()
		if done != nil {
			done(err)
		}
	}()
}

// ErrStopped is what done receives for speech cut short.
var ErrStopped = errors.New("speech stopped")

// Stop silences the speaker at once by killing espeak-ng. It does nothing
// when nothing is being read.
func (s *Speaker) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancel != nil {
		s.cancel()
		s.cancel = nil
	}
	s.gen++
}

// Speaking reports whether a text is being read.
func (s *Speaker) Speaking() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cancel != nil
}

func (s *Speaker) run(ctx context.Context, text, wavPath string) error {
	if text == "" {
		return nil
	}
	rate := s.Rate
	if rate <= 0 {
		rate = DefaultRate
	}
	cmd := exec.CommandContext(ctx, s.bin, args(rate, wavPath)...)
	cmd.Stdin = strings.NewReader(text)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	if ctx.Err() != nil {
		return ErrStopped
	}
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 200 {
			msg = msg[:200]
		}
		return fmt.Errorf("%s: %w: %s", Program, err, msg)
	}
	return nil
}

// SpeakToFile writes text spoken in Mandarin to a WAV file instead of the
// loudspeaker, waiting until it is written. Tests and diagnostics use it.
func SpeakToFile(ctx context.Context, text, wavPath string) error {
	bin, err := exec.LookPath(Program)
	if err != nil {
		return err
	}
	if strings.TrimSpace(text) == "" {
		return errors.New("speech: nothing to say")
	}
	s := &Speaker{Rate: DefaultRate, bin: bin}
	err = s.run(ctx, strings.TrimSpace(text), wavPath)
	if errors.Is(err, ErrStopped) {
		return ctx.Err()
	}
	return err
}
