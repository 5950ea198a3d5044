package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"jiezhen/internal/pgtest"
	"jiezhen/sync/server"
)

// The test binary doubles as districtd: with DISTRICTD_TEST_MAIN set it
// runs the command line it was given, so tests can watch a real process
// (exit status, stderr, files, ports) without building the program.
func TestMain(m *testing.M) {
	if os.Getenv("DISTRICTD_TEST_MAIN") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	code := m.Run()
	pgtest.Stop()
	os.Exit(code)
}

// newDB names a new district database for t: a file in its temporary
// folder, or with JIEZHEN_TEST_STORE=postgres a new database on the
// tests' PostgreSQL server (internal/pgtest).
func newDB(t *testing.T) string {
	t.Helper()
	if pgtest.Enabled() {
		return pgDB(t)
	}
	return filepath.Join(t.TempDir(), "district.db")
}

// pgDB is a new database of its own for t on the tests' PostgreSQL
// server, whatever JIEZHEN_TEST_STORE says.
func pgDB(t *testing.T) string {
	t.Helper()
	url := pgtest.URL(t, server.MigratePostgres)
	pgDataKeys.Store(url, filepath.Join(t.TempDir(), "district.key"))
	return url
}

// pgDataKeys holds the data key file of each database pgDB named: a
// PostgreSQL URL has no default one, so withDataKey gives it.
var pgDataKeys sync.Map

// dataKeyFile is the data key file of the database db: beside a SQLite
// file, where the commands look by default, or the one pgDB chose.
func dataKeyFile(db string) string {
	if key, ok := pgDataKeys.Load(db); ok {
		return key.(string)
	}
	return db + ".key"
}

// withDataKey is a command line with --datakey added where it names a
// database of pgDB and a command that takes the data key without one.
func withDataKey(args []string) []string {
	if len(args) == 0 || slices.Contains(args, "--datakey") {
		return args
	}
	switch {
	case slices.Contains([]string{"serve", "cases", "import-outbox", "loadtest", "webload"}, args[0]),
		len(args) > 1 && args[0] == "datakey" && args[1] == "rotate":
	default:
		return args
	}
	i := slices.Index(args, "--db")
	if i < 0 || i+1 >= len(args) {
		return args
	}
	if key, ok := pgDataKeys.Load(args[i+1]); ok {
		return append(slices.Clip(args), "--datakey", key.(string))
	}
	return args
}

// districtdCommand is the test binary set up to run as districtd.
func districtdCommand(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "DISTRICTD_TEST_MAIN=1")
	return cmd
}

func TestVersion(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"version"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
	if !strings.HasPrefix(out.String(), "districtd ") {
		t.Fatalf("version line %q does not name the program", out.String())
	}
}

func TestUnknownCommand(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"frobnicate"}, &out, &errb); code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	if !strings.Contains(errb.String(), `"frobnicate"`) || strings.Count(errb.String(), "\n") != 1 {
		t.Fatalf("want one line naming the command, got %q", errb.String())
	}
}

// districtd must build without cgo and must never pull in Fyne.
func TestPureGo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "districtd")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("CGO_ENABLED=0 go build: %v\n%s", err, out)
	}
	deps, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(deps), "fyne.io/") {
		t.Fatal("districtd depends on Fyne")
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil || !strings.HasPrefix(string(out), "districtd ") {
		t.Fatalf("built binary: %v %q", err, out)
	}
}
