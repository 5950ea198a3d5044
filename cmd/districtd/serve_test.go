package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"jiezhen/sync/server"
)

// dirFiles reads every file in dir.
func dirFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = b
	}
	return files
}

// A districtd whose address is taken fails at once with one line naming
// the address, before it touches the database: an empty district
// database given with --demo is left as it was, and a missing one is
// not created.
func TestServeOnATakenPortFailsFast(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	addr := taken.Addr().String()

	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.db")
	st, err := server.OpenSQLite(context.Background(), empty)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	before := dirFiles(t, dir)

	for _, db := range []string{empty, filepath.Join(dir, "new.db")} {
		cmd := districtdCommand("serve", "--db", db, "--addr", addr, "--demo")
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err = <-done:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-done
			t.Fatalf("serve on the taken %s did not exit:\n%s", addr, errb.String())
		}
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != exitFail {
			t.Errorf("serve on the taken %s: %v, want exit %d", addr, err, exitFail)
		}
		want := "districtd serve: cannot listen on " + addr + ": the address is in use"
		if out.Len() != 0 || strings.Count(errb.String(), "\n") != 1 || !strings.HasPrefix(errb.String(), want) {
			t.Errorf("serve on the taken %s: stdout %q, stderr %q; want one line starting %q", addr, out.String(), errb.String(), want)
		}
	}
	after := dirFiles(t, dir)
	if len(after) != len(before) {
		t.Errorf("files before %d, after %d", len(before), len(after))
	}
	for name, b := range before {
		if !bytes.Equal(after[name], b) {
			t.Errorf("serve on a taken port changed %s", name)
		}
	}
}
