package speech

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

func TestSpeakToFileWritesWAV(t *testing.T) {
	if !installed() {
		t.Skip("espeak-ng is not installed (scripts/deps.sh installs it); read-aloud untested")
	}
	wav := filepath.Join(t.TempDir(), "banshi.wav")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := SpeakToFile(ctx, "请到三号窗口办理居住证。", wav); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(wav)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) <= 44 || !bytes.HasPrefix(b, []byte("RIFF")) || !bytes.Equal(b[8:12], []byte("WAVE")) {
		t.Fatalf("%s: %d bytes, not a WAV file with sound", wav, len(b))
	}
	t.Logf("%d bytes of WAV", len(b))
}

func TestSpeakToFileRefusesNothing(t *testing.T) {
	if !installed() {
		t.Skip("espeak-ng is not installed")
	}
	if err := SpeakToFile(context.Background(), "  ", filepath.Join(t.TempDir(), "x.wav")); err == nil {
		t.Error("empty text gave no error")
	}
}

// slowSpeaker runs a stand-in for espeak-ng that takes 30 s, to show that
// Speak does not block and that Stop ends the process.
func slowSpeaker(t *testing.T) *Speaker {
	t.Helper()
	script := filepath.Join(t.TempDir(), "fake-espeak")
	if err := os.WriteFile(script, []byte("#!/bin/sh\ncat >/dev/null\nexec sleep 30\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return &Speaker{Rate: DefaultRate, bin: script}
}

func TestSpeakDoesNotBlockAndStopKills(t *testing.T) {
	s := slowSpeaker(t)
	done := make(chan error, 1)
	start := time.Now()
	s.Speak("很长的一段话", func(err error) { done <- err })
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Fatalf("Speak blocked for %v", d)
	}
	if !s.Speaking() {
		t.Fatal("not speaking right after Speak")
	}
	time.Sleep(100 * time.Millisecond)
	s.Stop()
	if s.Speaking() {
		t.Error("still speaking after Stop")
	}
	select {
	case err := <-done:
		if !errors.Is(err, ErrStopped) {
			t.Errorf("done got %v, want ErrStopped", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the process was not killed within 5 s of Stop")
	}
}

func TestNewSpeakStopsThePrevious(t *testing.T) {
	s := slowSpeaker(t)
	first := make(chan error, 1)
	s.Speak("第一段", func(err error) { first <- err })
	s.Speak("第二段", nil)
	select {
	case err := <-first:
		if !errors.Is(err, ErrStopped) {
			t.Errorf("first speech ended with %v, want ErrStopped", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the first speech was not stopped")
	}
	if !s.Speaking() {
		t.Error("the second speech is not running")
	}
	s.Stop()
}

type notice struct{ widget.Label }

func (*notice) SpeechText() string { return "停水通知：明天停水" }

func TestTextOf(t *testing.T) {
	test.NewTempApp(t)
	hidden := widget.NewLabel("不读")
	hidden.Hide()
	id := widget.NewEntry()
	id.SetText("440106198001011234")
	screen := container.NewVBox(
		widget.NewLabel("居住证办理"),
		widget.NewRichTextFromMarkdown("**材料**：身份证、照片"),
		&notice{},
		hidden,
		container.NewVScroll(widget.NewCard("办理地点", "天河南街道便民服务中心", widget.NewLabel("周一至周五"))),
		id,
		widget.NewButton("预约", nil),
	)
	want := "居住证办理。材料：身份证、照片。停水通知：明天停水。办理地点。天河南街道便民服务中心。周一至周五。预约。"
	if got := TextOf(screen); got != want {
		t.Errorf("TextOf =\n%s\nwant\n%s", got, want)
	}
}

// installed reports whether espeak-ng is on PATH.
func installed() bool {
	_, err := exec.LookPath(Program)
	return err == nil
}
