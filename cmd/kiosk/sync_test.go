package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"jiezhen/cmd/internal/demo"
	"jiezhen/data"
	"jiezhen/data/store"
	"jiezhen/sync/server"
	"jiezhen/sync/wire"
)

// testDistrict is the real district platform on a real SQLite file behind
// its real handler, with the demo content published.
type testDistrict struct {
	path string
	p    *server.Platform
	st   *server.SQLite
	srv  *httptest.Server
}

func newTestDistrict(t *testing.T) (*testDistrict, string) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "district.db")
	st, err := server.OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	p := server.New(st, server.Options{Log: slog.New(slog.DiscardHandler)})
	set, err := demo.Content(data.DateOf(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Publish(ctx, set); err != nil {
		t.Fatal(err)
	}
	_, tok, err := p.AddKiosk(ctx, demo.Street, "test kiosk")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.Handler(p))
	t.Cleanup(srv.Close)
	return &testDistrict{path: path, p: p, st: st, srv: srv}, tok
}

func queueAppeals(t *testing.T, db, prefix string, n int) []string {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%s-%03d", prefix, i)
		c := data.Case{
			ID: ids[i], Kind: data.CaseAppeal, Street: demo.Street, Status: data.StatusSubmitted,
			SubmittedAt: time.Now(), Applicant: &data.Person{Name: "李四", Mobile: "13912345678"},
			AppealType: data.AppealHelp, Description: "楼道灯不亮",
		}
		body, _ := json.Marshal(c)
		if err := s.Enqueue(ctx, store.OutboxItem{ID: c.ID, Kind: wire.ItemCase, Body: body, Case: &c}); err != nil {
			t.Fatal(err)
		}
	}
	return ids
}

func TestSyncOnceCommand(t *testing.T) {
	const secret = "jzk_not-a-real-token-but-secret"
	db := filepath.Join(t.TempDir(), "kiosk.db")

	t.Run("unreachable", func(t *testing.T) {
		code, out, errs := kioskProcess(t, "sync", "--db", db, "--district", "http://127.0.0.1:1", "--token", secret, "--once", "--retries", "0")
		want := "kiosk: sync: district unreachable at http://127.0.0.1:1: connection refused\n"
		if code != 1 || errs != want || out != "" {
			t.Errorf("exit %d, stdout %q, stderr %q; want 1 and %q", code, out, errs, want)
		}
	})

	d, tok := newTestDistrict(t)
	t.Run("wrong token", func(t *testing.T) {
		code, out, errs := kioskProcess(t, "sync", "--db", db, "--district", d.srv.URL, "--token", secret, "--once")
		if code != 1 || !strings.Contains(errs, "401") || strings.Count(errs, "\n") != 1 {
			t.Errorf("exit %d, stderr %q; want 1 and a one-line 401", code, errs)
		}
		if strings.Contains(out+errs, secret) {
			t.Errorf("the token was echoed: %q %q", out, errs)
		}
	})

	t.Run("token from the environment", func(t *testing.T) {
		ids := queueAppeals(t, db, "cmd", 3)
		t.Setenv(tokenEnv, tok)
		code, out, errs := kioskProcess(t, "sync", "--db", db, "--district", d.srv.URL, "--once", "-v")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		if !strings.Contains(errs, "sync finished") || strings.Contains(errs, "13912345678") || strings.Contains(errs, "李四") {
			t.Errorf("-v log: want the steps and no personal data: %s", errs)
		}
		var res struct {
			Accepted, Waiting int
			Cursor            int64
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("stdout %q: %v", out, err)
		}
		if res.Accepted != len(ids) || res.Waiting != 0 || res.Cursor == 0 {
			t.Errorf("result %s", out)
		}
		if strings.Contains(out+errs, tok) {
			t.Error("the token was echoed")
		}
		_, st, _ := kiosk(t, "status", "--db", db)
		if !strings.Contains(st, `"last_sync":"`) || !strings.Contains(st, `"outbox_pending":0`) {
			t.Errorf("status after sync: %s", st)
		}
	})
}

// kioskBinary builds the real kiosk program. -race makes the build reuse
// the race-instrumented packages the test run has compiled already.
func kioskBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "kiosk")
	if out, err := exec.Command("go", "build", "-race", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

var failpointLine = regexp.MustCompile(`failpoint: SIGKILL at step (\d+) \(([^)]+)\)`)

// Guarantee 1: SIGKILL the kiosk at many points during push and pull,
// restart, let sync finish: every queued item is on the district exactly
// once, the local queue is empty and the database is intact.
//
// Every round queues new items and publishes new content, so that a run
// has both a push and a pull to do, and kills the real kiosk binary:
//
//   - in the first rounds at the N-th step of its sync, through the
//     failpoint (before each request, after each answer, between the
//     answers of a batch, before and after each page is applied), and
//     then restarts it to finish;
//   - in the later rounds from the district's side, a few hundred
//     microseconds after the district has committed the k-th push or
//     pull of the run: while the answer is on its way, being decoded, or
//     being written in the kiosk's transaction. These rounds do not
//     restart: the next round's run starts with what is left.
func TestGuarantee01KillAnywhere(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the kiosk binary and kills it ~60 times")
	}
	bin := kioskBinary(t)
	ctx := context.Background()
	d, tok := newTestDistrict(t)

	// The district's handler, with a trigger that kills the running kiosk
	// after the k-th request to a path has been served.
	var mu sync.Mutex
	var victim *os.Process
	var trigger struct {
		path  string
		k     int
		delay time.Duration
		seen  int
		fired bool
	}
	h := server.Handler(d.p)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
		mu.Lock()
		defer mu.Unlock()
		if trigger.path == "" || r.URL.Path != trigger.path || trigger.fired {
			return
		}
		trigger.seen++
		if trigger.seen == trigger.k {
			trigger.fired = true
			p, delay := victim, trigger.delay
			go func() {
				time.Sleep(delay)
				p.Signal(syscall.SIGKILL)
			}()
		}
	}))
	defer srv.Close()

	db := filepath.Join(t.TempDir(), "kiosk.db")
	base, err := demo.Content(data.DateOf(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	round := 0
	addWork := func() {
		round++
		all = append(all, queueAppeals(t, db, fmt.Sprintf("r%02d", round), 2)...)
		set := &data.ContentSet{}
		for i := range 6 {
			n := base.Notices[0]
			n.ID, n.Street = fmt.Sprintf("r%02d-n%02d", round, i), demo.Street
			n.Title = fmt.Sprintf("第%d轮通知%d", round, i)
			set.Notices = append(set.Notices, n)
		}
		if _, err := d.p.Publish(ctx, set); err != nil {
			t.Fatal(err)
		}
	}
	run := func(env ...string) (error, string) {
		cmd := exec.Command(bin, "sync", "--db", db, "--district", srv.URL, "--once",
			"--batch", "1", "--page", "4", "--retries", "2", "--attempt-timeout", "5s")
		// A race-enabled program sleeps a second before it exits, to let
		// reports out; the race reports still come without it.
		cmd.Env = append(os.Environ(), append(env, tokenEnv+"="+tok, "LANG=C.UTF-8", "LC_ALL=", "GORACE=atexit_sleep_ms=0")...)
		var errb bytes.Buffer
		cmd.Stderr = &errb
		mu.Lock()
		err := cmd.Start()
		victim = cmd.Process
		trigger.seen, trigger.fired = 0, false
		mu.Unlock()
		if err != nil {
			t.Fatal(err)
		}
		err = waitAtMost(cmd, time.Minute)
		if errors.Is(err, errHung) {
			t.Fatalf("round %d: the kiosk hung: %s", round, errb.String())
		}
		return err, errb.String()
	}
	killed := func(err error) bool {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
				return true
			}
		}
		return false
	}

	moments := map[string]bool{}
	pushKills, pullKills := 0, 0
	count := func(push bool) {
		if push {
			pushKills++
		} else {
			pullKills++
		}
	}

	// Failpoint rounds: step N of a run that has 2 items to push and 6
	// changes and 2 cases to pull.
	for n := 1; ; n++ {
		addWork()
		err, errs := run(fmt.Sprintf("%s=%d", killEnv, n))
		if err == nil {
			break // the run has fewer than n steps: all were covered
		}
		if !killed(err) {
			t.Fatalf("round %d (step %d): %v: %s", round, n, err, errs)
		}
		m := failpointLine.FindStringSubmatch(errs)
		if m == nil {
			t.Fatalf("killed without the failpoint's line: %q", errs)
		}
		moments["step "+m[1]+" "+m[2]] = true
		count(strings.Contains(m[2], "push") || m[2] == "settle")
		if err, errs := run(); err != nil {
			t.Fatalf("restart after step %d: %v: %s", n, err, errs)
		}
	}
	steps := len(moments)

	// District-side rounds: after the k-th push or pull, with a delay.
	paths := []string{wire.PathPush, wire.PathChanges}
	for i := range 40 {
		addWork()
		mu.Lock()
		trigger.path = paths[i%2]
		trigger.k = 1 + (i/2)%2
		trigger.delay = time.Duration(i/4) * 150 * time.Microsecond
		what := fmt.Sprintf("%v after %s #%d", trigger.delay, trigger.path, trigger.k)
		mu.Unlock()
		err, errs := run()
		switch {
		case killed(err):
			moments[what] = true
			count(strings.HasSuffix(what, wire.PathPush+" #1") || strings.HasSuffix(what, wire.PathPush+" #2"))
		case err != nil:
			t.Fatalf("round %d: %v: %s", round, err, errs)
		}
	}
	mu.Lock()
	trigger.path = ""
	mu.Unlock()

	// Restart and let it finish.
	if err, errs := run(); err != nil {
		t.Fatalf("the final run failed: %v: %s", err, errs)
	}
	t.Logf("%d rounds, %d items; killed at %d different moments (%d failpoint steps), %d in push, %d in pull",
		round, len(all), len(moments), steps, pushKills, pullKills)
	if len(moments) < 50 {
		t.Errorf("killed at only %d different moments, want at least 50", len(moments))
	}
	if pushKills < 10 || pullKills < 10 {
		t.Errorf("kills in push %d, in pull %d: want both", pushKills, pullKills)
	}

	// Exactly once on the district.
	recs, err := d.p.Cases(ctx, server.CaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, r := range recs {
		seen[r.Case.ID]++
	}
	for _, id := range all {
		if seen[id] != 1 {
			t.Errorf("case %s is on the district %d times", id, seen[id])
		}
	}
	if len(recs) != len(all) {
		t.Errorf("district has %d cases, %d were queued", len(recs), len(all))
	}

	// The kiosk: queue empty, database intact, every case tracked, and the
	// same content and cursor as a kiosk that synced without a kill.
	s, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Status(ctx)
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	if got.OutboxPending != 0 || got.DeadLetters != 0 {
		t.Errorf("kiosk: %d queued, %d dead letters", got.OutboxPending, got.DeadLetters)
	}
	// store.Close has closed the writer (TestCloseWhileIndexing), so no
	// connection is left to race this one; the busy timeout is there for
	// the file's own locks all the same, as in dump.
	conn, err := sql.Open("sqlite", "file:"+db+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	var check string
	if err := conn.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check: %q, %v", check, err)
	}
	var tracked int
	err = conn.QueryRow("SELECT count(*) FROM cases WHERE ref != ''").Scan(&tracked)
	conn.Close()
	if err != nil {
		t.Fatalf("counting the kiosk's cases: %v", err)
	}
	if tracked != len(all) {
		t.Errorf("kiosk tracks %d cases with a reference, want %d", tracked, len(all))
	}
	fresh := filepath.Join(t.TempDir(), "fresh.db")
	freshCmd := exec.Command(bin, "sync", "--db", fresh, "--district", srv.URL, "--token", tok, "--once")
	freshCmd.Env = append(os.Environ(), "GORACE=atexit_sleep_ms=0")
	if out, err := freshCmd.CombinedOutput(); err != nil {
		t.Fatalf("fresh kiosk: %v: %s", err, out)
	}
	fs, err := store.Open(ctx, fresh)
	if err != nil {
		t.Fatal(err)
	}
	want, err := fs.Status(ctx)
	fs.Close()
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got.Counts) != fmt.Sprint(want.Counts) || got.Cursor != want.Cursor {
		t.Errorf("killed kiosk: cursor %d counts %v; uninterrupted: cursor %d counts %v", got.Cursor, got.Counts, want.Cursor, want.Counts)
	}
}

// Without --once, kiosk sync keeps the kiosk in step until SIGTERM, then
// exits cleanly.
func TestSyncRunsUntilSIGTERM(t *testing.T) {
	d, tok := newTestDistrict(t)
	db := filepath.Join(t.TempDir(), "kiosk.db")
	first := queueAppeals(t, db, "run-a", 2)
	cmd := exec.Command(os.Args[0], "sync", "--db", db, "--district", d.srv.URL)
	cmd.Env = append(os.Environ(), "KIOSK_TEST_MAIN=1", "LANG=C.UTF-8", "LC_ALL=", tokenEnv+"="+tok)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	filed := func(ids []string) bool {
		recs, err := d.p.Cases(context.Background(), server.CaseFilter{})
		if err != nil {
			t.Fatal(err)
		}
		have := map[string]bool{}
		for _, r := range recs {
			have[r.Case.ID] = true
		}
		for _, id := range ids {
			if !have[id] {
				return false
			}
		}
		return true
	}
	synced := func() bool {
		s, err := store.Open(context.Background(), db)
		if err != nil {
			return false
		}
		defer s.Close()
		last, err := s.LastSync(context.Background(), store.ContentFeed)
		return err == nil && !last.IsZero()
	}
	deadline := time.Now().Add(20 * time.Second)
	for !(filed(first) && synced()) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if !filed(first) {
		t.Fatalf("the queued items were not sent: %s", errb.String())
	}
	cmd.Process.Signal(syscall.SIGTERM)
	err := waitAtMost(cmd, 30*time.Second)
	if err != nil {
		t.Fatalf("after SIGTERM: %v: %s", err, errb.String())
	}
	s, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st, err := s.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.OutboxPending != 0 || st.LastSync == nil {
		t.Errorf("after the run: %d queued, last sync %v", st.OutboxPending, st.LastSync)
	}
}

var errHung = errors.New("the process did not end in time")

// waitAtMost waits for cmd, killing it after d, so that a hang fails the
// test with the process's output instead of timing out the whole run.
func waitAtMost(cmd *exec.Cmd, d time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		cmd.Process.Kill()
		<-done
		return errHung
	}
}
