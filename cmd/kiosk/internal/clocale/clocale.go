// Package clocale turns a "C.UTF-8"-style locale into plain "C" before
// Fyne's lang package reads it during initialisation: Fyne cannot parse
// "C.UTF-8" and logs three lines of errors on every start, which would
// break the one-line errors of the headless commands.
//
// It must be initialised before fyne.io/fyne/v2/lang. Go initialises
// packages in import-path order among those whose imports are ready; this
// package imports only syscall, which os (and so Fyne) also needs, so it
// becomes ready before os and runs first. A test in cmd/kiosk checks the
// outcome on the built binary.
package clocale

import "syscall"

func init() {
	for _, name := range [...]string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v, ok := syscall.Getenv(name)
		if !ok || v == "" {
			continue
		}
		if base := beforeDot(v); base == "C" || base == "POSIX" {
			syscall.Setenv(name, base)
		}
		// The first one set is the one that counts.
		return
	}
}

func beforeDot(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '.' || s[i] == '@' {
			return s[:i]
		}
	}
	return s
}
