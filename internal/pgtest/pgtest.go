// Package pgtest starts a real PostgreSQL server for tests: Debian's
// binaries (/usr/lib/postgresql/*/bin) run initdb into a temporary folder
// once per test binary, and the server listens on a unix socket in that
// folder only (no TCP port). Each test gets a database of its own, copied
// from a template that the caller's prepare function readied once (the
// schema migrated), so a test starts in milliseconds.
//
// Tests skip with a message when the binaries are missing, except under
// CI=true, where they fail. As root (CI), the server runs as the postgres
// system user, since initdb refuses root. See docs/ARCHITECTURE.md,
// "Engines and replicas".
package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
)

// Engine is the environment variable that makes the store tests run on
// PostgreSQL: JIEZHEN_TEST_STORE=postgres.
const Engine = "JIEZHEN_TEST_STORE"

// Enabled reports whether JIEZHEN_TEST_STORE asks for PostgreSQL.
func Enabled() bool { return os.Getenv(Engine) == "postgres" }

type cluster struct {
	dir  string // the temporary folder: data/ and the socket
	cmd  *exec.Cmd
	exit chan struct{}
	db   *sql.DB // the postgres database, to create the tests' ones
	n    atomic.Int64

	tmplOnce sync.Once
	tmplErr  error
}

var (
	mu      sync.Mutex
	running *cluster
	missing string // why the binaries cannot be used, "" when they can
)

// binDir is the newest installed PostgreSQL's bin folder, "" for none.
func binDir() string {
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	sort.Slice(found, func(i, j int) bool {
		a, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(found[i]))))
		b, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(found[j]))))
		return a < b
	})
	if len(found) == 0 {
		return ""
	}
	return filepath.Dir(found[len(found)-1])
}

// URL returns the address of a new database for t, dropped when t ends.
// prepare runs once per test binary on the template every database is
// copied from (to apply the schema); it must close its connections.
func URL(t testing.TB, prepare func(url string) error) string {
	t.Helper()
	return fromTemplate(t, prepare, true)
}

func fromTemplate(t testing.TB, prepare func(url string) error, drop bool) string {
	t.Helper()
	c, err := start()
	if err != nil {
		if missing != "" && os.Getenv("CI") != "true" {
			t.Skip(missing)
		}
		t.Fatal(err)
	}
	c.tmplOnce.Do(func() {
		if _, err := c.db.Exec("CREATE DATABASE template_jiezhen"); err != nil {
			c.tmplErr = err
			return
		}
		if prepare != nil {
			c.tmplErr = prepare(c.url("template_jiezhen"))
		}
	})
	if c.tmplErr != nil {
		t.Fatalf("pgtest: template database: %v", c.tmplErr)
	}
	return c.create(t, "template_jiezhen", drop)
}

// SharedURL is URL for a database that outlives t: benchmarks build one
// large database once and share it; it goes with the server (Stop).
func SharedURL(t testing.TB, prepare func(url string) error) string {
	t.Helper()
	return fromTemplate(t, prepare, false)
}

// EmptyURL returns the address of a new empty database for t, dropped
// when t ends.
func EmptyURL(t testing.TB) string {
	t.Helper()
	c, err := start()
	if err != nil {
		if missing != "" && os.Getenv("CI") != "true" {
			t.Skip(missing)
		}
		t.Fatal(err)
	}
	return c.create(t, "template0", true)
}

func (c *cluster) create(t testing.TB, template string, drop bool) string {
	t.Helper()
	name := fmt.Sprintf("t%d", c.n.Add(1))
	var cerr error
	for range 50 {
		// The template's last connections may still be going away.
		if _, cerr = c.db.Exec("CREATE DATABASE " + name + " TEMPLATE " + template); cerr == nil ||
			!strings.Contains(cerr.Error(), "being accessed by other users") {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if cerr != nil {
		t.Fatalf("pgtest: create database: %v", cerr)
	}
	if drop {
		t.Cleanup(func() {
			c.db.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		})
	}
	return c.url(name)
}

func (c *cluster) url(db string) string {
	return "postgres://postgres@/" + db + "?host=" + url.QueryEscape(c.dir)
}

// start starts the server once per process.
func start() (*cluster, error) {
	mu.Lock()
	defer mu.Unlock()
	if running != nil {
		return running, nil
	}
	bin := binDir()
	if bin == "" {
		missing = "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): install Debian's postgresql package to run the tests on it"
		return nil, errors.New("pgtest: " + missing)
	}
	dir, err := os.MkdirTemp("", "jiezhen-pg-")
	if err != nil {
		return nil, err
	}
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("pgtest: running as root needs the postgres system user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	run := func(name string, args ...string) *exec.Cmd {
		cmd := exec.Command(filepath.Join(bin, name), args...)
		cmd.Dir = dir
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGQUIT}
		return cmd
	}
	data := filepath.Join(dir, "data")
	if out, err := run("initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
		"--locale=C.UTF-8", "--no-sync").CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("pgtest: initdb: %v\n%s", err, out)
	}
	// The tests' data is thrown away: no fsync.
	cmd := run("postgres", "-D", data, "-k", dir, "-c", "listen_addresses=",
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=300", "-c", "shared_buffers=64MB")
	logf, err := os.Create(filepath.Join(dir, "postgres.log"))
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		os.RemoveAll(dir)
		return nil, fmt.Errorf("pgtest: start postgres: %w", err)
	}
	c := &cluster{dir: dir, cmd: cmd, exit: make(chan struct{})}
	go func() { cmd.Wait(); logf.Close(); close(c.exit) }()
	c.db, err = sql.Open("pgx", c.url("postgres"))
	if err == nil {
		err = errors.New("did not accept connections within 30 s")
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			perr := c.db.PingContext(ctx)
			cancel()
			if perr == nil {
				err = nil
				break
			}
			select {
			case <-c.exit:
				log, _ := os.ReadFile(filepath.Join(dir, "postgres.log"))
				err = fmt.Errorf("exited:\n%s", log)
			default:
				continue
			}
			break
		}
	}
	if err != nil {
		cmd.Process.Kill()
		<-c.exit
		os.RemoveAll(dir)
		return nil, fmt.Errorf("pgtest: postgres: %w", err)
	}
	c.db.SetMaxOpenConns(4)
	running = c
	return c, nil
}

// Stop shuts the server down and removes its folder; TestMain calls it
// after m.Run. Without it the server still ends with the test binary.
func Stop() {
	mu.Lock()
	defer mu.Unlock()
	c := running
	if c == nil {
		return
	}
	running = nil
	c.db.Close()
	c.cmd.Process.Signal(syscall.SIGINT) // fast shutdown
	select {
	case <-c.exit:
	case <-time.After(10 * time.Second):
		c.cmd.Process.Kill()
		<-c.exit
	}
	os.RemoveAll(c.dir)
}
