package ui

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
)

// TestHealthShowsTheLog: with the kiosk's log (Options.ReadLog), the
// health screen has 查看日志, which lists the newest lines first; the
// error behind a message a screen showed in words is among them.
func TestHealthShowsTheLog(t *testing.T) {
	var file bytes.Buffer
	readLog := func(n int) ([]string, error) {
		lines := strings.Split(strings.TrimSpace(file.String()), "\n")
		return lines[max(0, len(lines)-n):], nil
	}
	k, w, _ := newTestKiosk(t, Options{Log: slog.New(slog.NewTextHandler(&file, nil)), ReadLog: readLog})
	k.env.log.Info("kiosk: started")
	k.env.errText(context.DeadlineExceeded) // a screen said it in words
	k.staffSignIn(sampleStaff)
	openHealth(k.env)
	tap(t, w, "查看日志")
	shown := screenText(w)
	i, j := strings.Index(shown, "context deadline exceeded"), strings.Index(shown, "kiosk: started")
	if i < 0 || j < 0 || i > j {
		t.Errorf("the log screen does not show the newest line first:\n%s", shown)
	}

	// Without a log file there is no button.
	k, w, _ = newTestKiosk(t, Options{})
	k.staffSignIn(sampleStaff)
	openHealth(k.env)
	if strings.Contains(screenText(w), "查看日志") {
		t.Error("查看日志 without a log")
	}
}
