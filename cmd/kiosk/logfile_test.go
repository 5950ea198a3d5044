package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLogFileRotatesAndRedacts: the window's log file is the owner's
// only, starts again past its size keeping one older file, gives staff
// its newest lines across both, and holds no token or personal number.
func TestLogFileRotatesAndRedacts(t *testing.T) {
	const tok = "jzk_7.abcdefghijklmnopqrstuvwxyz0123456789"
	path := filepath.Join(t.TempDir(), logName)
	logs, err := openLogFile(path, 400)
	if err != nil {
		t.Fatal(err)
	}
	defer logs.Close()
	log := newLogger(logs, tok)
	log.Warn("sync refused", "error", "token "+tok+" of kiosk 7", "who", "手机13800138000")
	for i := range 10 {
		log.Info("line", "n", i)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	if st.Size() > 400 {
		t.Errorf("the log is %d bytes, past its limit of 400", st.Size())
	}
	old, err := os.ReadFile(path + ".1")
	if err != nil {
		t.Fatalf("no older file kept: %v", err)
	}
	cur, _ := os.ReadFile(path)
	for _, secret := range []string{tok, "13800138000"} {
		if strings.Contains(string(old)+string(cur), secret) {
			t.Errorf("the log file holds %q", secret)
		}
	}
	lines, err := logs.Tail(3)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 3 || !strings.Contains(lines[2], "n=9") || !strings.Contains(lines[0], "n=7") {
		t.Errorf("tail %q", lines)
	}
	all, _ := logs.Tail(100)
	if len(all) < 6 || !strings.Contains(strings.Join(all, "\n"), "n=4") {
		t.Errorf("the tail does not reach into the older file: %q", all)
	}
}
