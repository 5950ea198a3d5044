package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"jiezhen/data/dbfile/dbfiletest"
)

// oneLine checks a command failed with exit 1, nothing on stdout and one
// line on stderr that says want.
func oneLine(t *testing.T, code int, out, errs, want string) {
	t.Helper()
	if code != 1 || out != "" || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, want) {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 and one line saying %q", code, out, errs, want)
	}
}

func TestDatabaseIsPrivateUnderUmask022(t *testing.T) {
	old := syscall.Umask(0o022) // the child process inherits it
	defer syscall.Umask(old)
	db := filepath.Join(t.TempDir(), "kiosk.db")
	if code, _, errs := kioskProcess(t, "demo", "--db", db); code != 0 {
		t.Fatalf("demo: exit %d: %s", code, errs)
	}
	fi, err := os.Stat(db)
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.Mode().Perm(); m != 0o600 {
		t.Errorf("kiosk.db: mode %04o, want 0600", m)
	}
	code, out, errs := kioskProcess(t, "status", "--db", db)
	if code != 0 || out == "" || errs != "" {
		t.Errorf("status of a private database: exit %d, stderr %q", code, errs)
	}
}

func TestStatusWarnsWhenOthersCanRead(t *testing.T) {
	db := demoDB(t)
	if err := os.Chmod(db, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := kiosk(t, "status", "--db", db)
	if code != 0 || !strings.HasPrefix(out, "{") {
		t.Fatalf("status: exit %d, stdout %q", code, out)
	}
	if strings.Count(errs, "\n") != 1 || !strings.Contains(errs, "warning") || !strings.Contains(errs, "0644") || !strings.Contains(errs, db) {
		t.Errorf("stderr %q; want one warning line naming the file and its mode", errs)
	}
}

func TestStatusRefusesDamagedDatabase(t *testing.T) {
	db := demoDB(t)
	dbfiletest.DamageTable(t, db, "notice")
	for _, args := range [][]string{{"status", "--db", db}, {"status", "--check", "--db", db}} {
		code, out, errs := kiosk(t, args...)
		oneLine(t, code, out, errs, "damaged")
		t.Log(errs)
	}
}

func TestStatusRefusesLostMainFile(t *testing.T) {
	for _, main := range []string{"missing", "empty"} {
		t.Run(main, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "kiosk.db")
			if main == "empty" {
				os.WriteFile(db, nil, 0o600)
			}
			os.WriteFile(db+"-wal", []byte(strings.Repeat("w", 4096)), 0o600)
			code, out, errs := kiosk(t, "status", "--db", db)
			oneLine(t, code, out, errs, "write-ahead log")
			if _, err := os.Stat(db); main == "missing" && !errors.Is(err, os.ErrNotExist) {
				t.Error("status created the missing database")
			}
		})
	}
	// Without a -wal, a missing file is a typo: nothing is created.
	db := filepath.Join(t.TempDir(), "nonexistent.db")
	code, out, errs := kiosk(t, "status", "--db", db)
	oneLine(t, code, out, errs, "no database at")
	if entries, _ := os.ReadDir(filepath.Dir(db)); len(entries) != 0 {
		t.Errorf("status left %d file(s) behind", len(entries))
	}
}

// TestFailedCommandLeavesNoDatabase: a refused import into a database
// that did not exist leaves no new empty database behind.
func TestFailedCommandLeavesNoDatabase(t *testing.T) {
	feed := demoFeed(t)
	_, priv := newKey(t)
	bundle := writeBundle(t, feed, bundleSpec{from: 0, to: int64(len(feed))}, priv)
	dir := t.TempDir()
	db := filepath.Join(dir, "kiosk.db")
	// No trusted key: refused.
	code, out, errs := kiosk(t, "import", "--db", db, bundle)
	oneLine(t, code, out, errs, "refused")
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("the refused import left %v behind", names)
	}
}
