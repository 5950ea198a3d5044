package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"jiezhen/data/dbfile/dbfiletest"
)

func TestDistrictFilesArePrivateUnderUmask022(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := t.TempDir()
	db := filepath.Join(dir, "district.db")
	_, logs, stop := startServe(t, db, true, "", "")
	key := filepath.Join(dir, "district.key")
	ok(t, "keygen", "--out", key)
	ok(t, "outbox-key", "--out", filepath.Join(dir, "outbox.key"))
	ok(t, "bundle", "--db", db, "--street", "440106005", "--key", key, "--out", filepath.Join(dir, "street.jzb"))
	for _, f := range []string{"district.db", "district.db-wal", "district.db-shm", "district.key", "outbox.key", "street.jzb"} {
		fi, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if m := fi.Mode().Perm(); m != 0o600 {
			t.Errorf("%s: mode %04o, want 0600", f, m)
		}
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(logs.String(), "warning") {
		t.Errorf("a private database was warned about:\n%s", logs)
	}
}

func TestServeWarnsWhenOthersCanRead(t *testing.T) {
	db := publishedFile(t)
	if err := os.Chmod(db, 0o644); err != nil {
		t.Fatal(err)
	}
	_, logs, stop := startServe(t, db, false, "", "")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	var warned []string
	for _, l := range lines(logs.String()) {
		if strings.Contains(l, "level=WARN") {
			warned = append(warned, l)
		}
	}
	if len(warned) != 1 || !strings.Contains(warned[0], "0644") || !strings.Contains(warned[0], db) {
		t.Errorf("want one warning naming the file and its mode, got:\n%s", logs)
	}
}

// serveRefuses runs serve on db and wants it to end at once with an error
// saying want, without listening.
func serveRefuses(t *testing.T, db, want string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	logs := &lockedBuffer{}
	err := serveUntil(ctx, serveConfig{db: db, addr: "127.0.0.1:0"}, logs)
	if err == nil || ctx.Err() != nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
		t.Errorf("serve: %v; want one line saying %q", err, want)
	}
	if strings.Contains(logs.String(), "listening") {
		t.Errorf("serve listened on a database it should refuse:\n%s", logs)
	}
	t.Log(err)
}

func TestServeRefusesDamagedDatabase(t *testing.T) {
	db := publishedFile(t)
	dbfiletest.DamageTable(t, db, "items")
	serveRefuses(t, db, "damaged")

	for _, main := range []string{"missing", "empty"} {
		db := filepath.Join(t.TempDir(), "district.db")
		if main == "empty" {
			os.WriteFile(db, nil, 0o600)
		}
		os.WriteFile(db+"-wal", []byte(strings.Repeat("w", 4096)), 0o600)
		serveRefuses(t, db, "write-ahead log")
		if _, err := os.Stat(db); main == "missing" && !errors.Is(err, os.ErrNotExist) {
			t.Error("serve created a database beside a lost one's -wal")
		}
	}
}

// TestServeAndKioskAddAtOnce starts `serve --demo` on a new database and
// `kiosk add` on the same file 30 ms later, as the demo script does, in
// real processes: both migrate it, one after the other.
func TestServeAndKioskAddAtOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "districtd")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for round := range 5 {
		db := filepath.Join(t.TempDir(), "district.db")
		serve := exec.Command(bin, "serve", "--demo", "--db", db, "--addr", "127.0.0.1:0")
		var serveLog lockedBuffer
		serve.Stderr = &serveLog
		if err := serve.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(30 * time.Millisecond)
		var out, errb bytes.Buffer
		add := exec.Command(bin, "kiosk", "add", "--db", db, "--street", "440106005", "--name", "一号机")
		add.Stdout, add.Stderr = &out, &errb
		addErr := add.Run()
		for deadline := time.Now().Add(10 * time.Second); !strings.Contains(serveLog.String(), "listening") && serve.ProcessState == nil; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				break
			}
		}
		// Before serve has made the file or loaded the demo, kiosk add is
		// refused in words; a broken migration is anything else.
		switch msg := errb.String(); {
		case addErr == nil && strings.HasPrefix(out.String(), "jzk_"):
		case addErr != nil && (strings.Contains(msg, "does not exist") || strings.Contains(msg, "is not published")):
			t.Logf("round %d: kiosk add came early: %s", round, msg)
		default:
			t.Errorf("round %d: kiosk add: %v: %s", round, addErr, msg)
		}
		// The database both migrated is whole: another kiosk add works.
		if strings.Contains(serveLog.String(), "listening") {
			again, err := exec.Command(bin, "kiosk", "add", "--db", db, "--street", "440106005", "--name", "二号机").CombinedOutput()
			if err != nil {
				t.Errorf("round %d: kiosk add after serve started: %v: %s", round, err, again)
			}
		}
		serve.Process.Signal(syscall.SIGTERM)
		serveErr := serve.Wait()
		if serveErr != nil || !strings.Contains(serveLog.String(), "listening") {
			t.Errorf("round %d: serve --demo: %v:\n%s", round, serveErr, serveLog.String())
		}
	}
}
