package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/data/dbfile/dbfiletest"
)

// withUmask runs the test under umask 022, the usual default, which
// leaves files SQLite creates itself readable by everyone.
func withUmask(t *testing.T) {
	old := syscall.Umask(0o022)
	t.Cleanup(func() { syscall.Umask(old) })
}

func modeOf(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestDatabaseFilesArePrivateWhateverTheUmask(t *testing.T) {
	withUmask(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kiosk.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	apply(t, s, 1, upsert(t, 1, data.KindNotice, "n1", 1, notice("n1", "停水通知", "三月停水")))
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		if m := modeOf(t, f); m != 0o600 {
			t.Errorf("%s: mode %04o, want 0600", filepath.Base(f), m)
		}
	}
	s.Close()

	// Side files left wider by an older program are made private.
	for _, side := range []string{"-wal", "-shm"} {
		if err := os.WriteFile(path+side, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chmod(path+side, 0o644)
	}
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		if m := modeOf(t, f); m != 0o600 {
			t.Errorf("reopened: %s: mode %04o, want 0600", filepath.Base(f), m)
		}
	}
}

// TestConcurrentOpenMigratesOnce opens the same new file from two
// goroutines at once, as two processes starting together do: the second
// must wait for the first one's migrations and find them done.
func TestConcurrentOpenMigratesOnce(t *testing.T) {
	ctx := context.Background()
	for round := range 5 {
		path := filepath.Join(t.TempDir(), fmt.Sprintf("race%d.db", round))
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s, err := OpenWith(ctx, path, Options{NoIndexer: true})
				if err == nil {
					err = s.Close()
				}
				errs[i] = err
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d, open %d: %v", round, i, err)
			}
		}
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		migs, _ := migrations()
		if s.SchemaVersion() != len(migs) {
			t.Errorf("schema version %d, want %d", s.SchemaVersion(), len(migs))
		}
		s.Close()
	}
}

func TestOpenRefusesDamagedPage(t *testing.T) {
	ctx := context.Background()
	s, path := func() (*Store, string) {
		path := filepath.Join(t.TempDir(), "kiosk.db")
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		return s, path
	}()
	var changes []data.Change
	for i := range 40 {
		id := fmt.Sprintf("n%d", i)
		changes = append(changes, upsert(t, int64(i+1), data.KindNotice, id, 1, notice(id, "停水通知", strings.Repeat("三月停水", 40))))
	}
	apply(t, s, int64(len(changes)), changes...)
	s.Close()
	dbfiletest.DamageTable(t, path, "notice")
	for _, side := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(path + side); err == nil {
			t.Fatalf("%s left after close", side)
		}
	}
	before := stateOf(t, path)

	for _, opts := range []Options{{QuickCheck: true}, {IntegrityCheck: true}} {
		s, err := OpenWith(ctx, path, opts)
		if err == nil {
			s.Close()
			t.Fatalf("%+v: opened a damaged file", opts)
		}
		if !errors.Is(err, ErrDamaged) && !errors.Is(err, ErrNotDatabase) {
			t.Errorf("%+v: error %v wraps neither ErrDamaged nor ErrNotDatabase", opts, err)
		}
		if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, path) {
			t.Errorf("error %q is not one line naming the file", msg)
		}
		t.Log(err)
		assertUntouched(t, path, before)
	}
}

func TestOpenRefusesLostMainFile(t *testing.T) {
	ctx := context.Background()
	for _, main := range []string{"missing", "empty"} {
		t.Run(main, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "kiosk.db")
			if main == "empty" {
				os.WriteFile(path, nil, 0o600)
			}
			if err := os.WriteFile(path+"-wal", []byte(strings.Repeat("x", 4096)), 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := Open(ctx, path)
			if err == nil {
				s.Close()
				t.Fatal("opened a database whose main file is lost as a new one")
			}
			if !errors.Is(err, ErrDamaged) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q: want one line wrapping ErrDamaged", err)
			}
			t.Log(err)
			if _, err := os.Stat(path); main == "missing" && !errors.Is(err, os.ErrNotExist) {
				t.Error("the missing main file was created")
			}
			if fi, err := os.Stat(path + "-wal"); err != nil || fi.Size() != 4096 {
				t.Error("the -wal was changed")
			}
			if _, err := os.Stat(path + "-shm"); err == nil {
				t.Error("a -shm was created")
			}
		})
	}
}

// rawExec changes the closed database at path behind the store's back.
func rawExec(t *testing.T, path, query string) {
	t.Helper()
	db, err := sql.Open("sqlite", fileURI(path, nil))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(query); err != nil {
		t.Fatal(err)
	}
}

func TestOpenRefusesVanishedNumberOrStreet(t *testing.T) {
	ctx := context.Background()
	street := upsert(t, 1, data.KindStreet, "440106011", 1, data.Street{Code: "440106011", Name: "天河南街道"})
	setup := func(t *testing.T) string {
		path := filepath.Join(t.TempDir(), "kiosk.db")
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		apply(t, s, 1, street)
		if _, err := s.RecordKioskNumber(ctx, 7, time.Now()); err != nil {
			t.Fatal(err)
		}
		return path
	}
	for what, query := range map[string]string{
		"number": "DELETE FROM kiosk_number",
		"street": "DELETE FROM street",
		"marks":  "DELETE FROM store_marks",
	} {
		t.Run(what, func(t *testing.T) {
			path := setup(t)
			rawExec(t, path, query)
			s, err := Open(ctx, path)
			if err == nil {
				s.Close()
				t.Fatalf("opened a kiosk whose %s is gone", what)
			}
			if !errors.Is(err, ErrDamaged) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q: want one line wrapping ErrDamaged", err)
			}
			t.Log(err)
		})
	}

	// The kiosk's own removals of its street are not damage.
	for what, remove := range map[string]func(s *Store) error{
		"reset": func(s *Store) error { return s.ResetScope(ctx, ContentFeed, "440106011") },
		"feed delete": func(s *Store) error {
			_, err := s.Apply(ctx, ContentFeed, []data.Change{{Seq: 2, Kind: data.KindStreet, ID: "440106011", Op: data.OpDelete, Version: 2}}, 2)
			return err
		},
		"replace": func(s *Store) error { return s.DeleteAllContent(ctx) },
	} {
		t.Run(what, func(t *testing.T) {
			path := setup(t)
			s, err := Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			if err := remove(s); err != nil {
				t.Fatal(err)
			}
			s.Close()
			if s, err = Open(ctx, path); err != nil {
				t.Fatalf("after the kiosk's own %s: %v", what, err)
			}
			s.Close()
		})
	}
}
