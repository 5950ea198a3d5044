package main

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"sync"

	"jiezhen/data/redact"
)

// The window's log: one redacting slog logger (data/redact, which also
// knows the token) writes to standard error and to kiosk.log in the
// database's folder, which staff read on the health screen. The file is
// the owner's only (0600), and once it passes maxLogSize it is moved to
// kiosk.log.1, replacing the one before, so it never holds more than
// twice that.

const (
	logName    = "kiosk.log"
	maxLogSize = 1 << 20
)

// newLogger is the program's logger, writing text lines to w through the
// redacting handler, which also hides token.
func newLogger(w io.Writer, token string) *slog.Logger {
	return redact.New(slog.NewTextHandler(w, nil), token)
}

// logFile is a log file that starts again when it gets too long.
type logFile struct {
	mu   sync.Mutex
	path string
	max  int64
	f    *os.File
	size int64
}

// openLogFile opens path for appending, creating it 0600.
func openLogFile(path string, max int64) (*logFile, error) {
	l := &logFile{path: path, max: max}
	if err := l.open(); err != nil {
		return nil, err
	}
	return l, nil
}

func (l *logFile) open() error {
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	l.f, l.size = f, st.Size()
	return nil
}

// Write appends p, first moving a full file aside. slog writes one line a
// call, so a line is never split between the two files.
func (l *logFile) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return 0, os.ErrClosed
	}
	if l.size > 0 && l.size+int64(len(p)) > l.max {
		l.f.Close()
		l.f = nil
		if err := os.Rename(l.path, l.path+".1"); err != nil {
			return 0, err
		}
		if err := l.open(); err != nil {
			return 0, err
		}
	}
	n, err := l.f.Write(p)
	l.size += int64(n)
	return n, err
}

// Close closes the file.
func (l *logFile) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// Tail returns the newest n lines of the log, the moved-aside file's
// included, oldest first.
func (l *logFile) Tail(n int) ([]string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var all []byte
	for _, p := range []string{l.path + ".1", l.path} {
		b, err := os.ReadFile(p)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		all = append(all, b...)
	}
	var lines []string
	for _, line := range bytes.Split(bytes.TrimRight(all, "\n"), []byte("\n")) {
		if len(line) > 0 {
			lines = append(lines, string(line))
		}
	}
	return lines[max(0, len(lines)-n):], nil
}
