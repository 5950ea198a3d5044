package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"jiezhen/data/store"
	"jiezhen/data/synth"
	"jiezhen/sync/bundle"
)

// SIGKILL during an import leaves the old content or the new, never a
// mix: the kiosk process is killed at several points of an import of
// 20,000 changes, and each time the database holds either nothing with
// cursor 0 and no key, or everything with the bundle's cursor and key.
func TestImportKilledLeavesOldOrNew(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the kiosk as a process many times")
	}
	changes := synth.Changes(20000, 2)
	files, err := bundle.ChangeFiles(changes)
	if err != nil {
		t.Fatal(err)
	}
	pub, priv, _ := bundle.GenerateKey()
	now := time.Now().UTC().Truncate(time.Second)
	to := changes[len(changes)-1].Seq
	m := bundle.Manifest{District: "天河区", Scope: "440106005", To: to, Changes: len(changes), IssuedAt: now.Add(-time.Minute), ExpiresAt: now.Add(time.Hour)}
	var buf bytes.Buffer
	if err := bundle.Write(&buf, m, files, priv); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "snap.jzb")
	os.WriteFile(path, buf.Bytes(), 0o644)

	ctx := context.Background()
	sawOld, sawNew := false, false
	for i, delay := range []time.Duration{50, 150, 250, 400, 600, 800, 1100, 1500, 2500} {
		db := filepath.Join(dir, "kiosk"+string(rune('a'+i))+".db")
		s, err := store.Open(ctx, db) // created and migrated before the kill
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		cmd := exec.Command(os.Args[0], "import", "--db", db, "--trust", bundle.EncodeKey(pub), path)
		cmd.Env = append(os.Environ(), "KIOSK_TEST_MAIN=1")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay * time.Millisecond)
		cmd.Process.Kill()
		cmd.Wait()

		s, err = store.Open(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		cursor, _ := s.Cursor(ctx, store.ContentFeed)
		st, _ := s.Status(ctx)
		tr, _ := s.BundleTrust(ctx)
		n := 0
		for _, c := range st.Counts {
			n += c
		}
		s.Close()
		dump(t, db) // fails unless PRAGMA integrity_check says ok
		switch {
		case cursor == 0 && n == 0 && len(tr.Keys) == 0:
			sawOld = true
		case cursor == to && n == len(changes) && len(tr.Keys) == 1:
			sawNew = true
		default:
			t.Fatalf("killed after %v: a mix: cursor %d, %d items, %d keys", delay*time.Millisecond, cursor, n, len(tr.Keys))
		}
	}
	t.Logf("saw the old state: %v, the new: %v", sawOld, sawNew)
}
