package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"jiezhen/cmd/internal/demo"
	"jiezhen/data/store"
)

// deadLetters counts the kiosk's dead letters once the process has exited.
func deadLetters(t *testing.T, db string) int {
	t.Helper()
	s, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	n, err := s.DeadLetterCount(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// The URL `districtd serve` logs ends with /api/v1. Given as the district's
// URL, the real district answers 404 to every request: `kiosk sync --once`
// fails with one line naming the URL and the status and the URL to use,
// and the residents' cases stay queued, none of them refused.
func TestSyncWithTheAPIPathKeepsTheOutbox(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs districtd")
	}
	bin := districtdBinary(t)
	dir := t.TempDir()
	districtDB, _ := demoDistrict(t, bin, dir)
	token, _ := districtdRun(t, bin, "kiosk", "add", "--db", districtDB, "--street", demo.Street, "--name", "一号机")
	token = strings.TrimSpace(token)
	db := filepath.Join(dir, "kiosk.db")
	queueAppeals(t, db, "api", 3)
	before := outbox(t, db)
	url := districtdServe(t, bin, districtDB)

	wrong := url + "/api/v1"
	code, out, errs := kioskProcess(t, "sync", "--db", db, "--district", wrong, "--token", token, "--once")
	if code != 1 || out != "" || strings.Count(errs, "\n") != 1 {
		t.Errorf("exit %d, stdout %q, stderr %q; want 1 and one line", code, out, errs)
	}
	// The first request (whose is the token, then the push) names the
	// address it asked under the URL given.
	for _, want := range []string{wrong + "/api/v1/", "404", "use --district " + url} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr %q does not say %q", errs, want)
		}
	}
	after, dead := outbox(t, db), deadLetters(t, db)
	if !reflect.DeepEqual(after, before) || dead != 0 {
		t.Errorf("the outbox changed (%d dead letters):\nbefore %+v\nafter  %+v", dead, before, after)
	}

	// With the URL it suggested, the cases go.
	if code, _, errs := kioskProcess(t, "sync", "--db", db, "--district", url, "--token", token, "--once"); code != 0 {
		t.Fatalf("sync with %s: exit %d: %s", url, code, errs)
	}
	if after, dead := outbox(t, db), deadLetters(t, db); len(after) != 0 || dead != 0 {
		t.Errorf("%d items still queued, %d dead letters", len(after), dead)
	}
}

// `kiosk sync --once` ends within its limit whatever the district says: a
// district asking to wait ten minutes ends the run at once, saying so,
// with the items kept.
func TestSyncOnceDoesNotSleepOnRetryAfter(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "600")
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	db := filepath.Join(t.TempDir(), "kiosk.db")
	queueAppeals(t, db, "wait", 2)
	before := outbox(t, db)

	ctx, cancel := context.WithTimeout(context.Background(), onceLimit+30*time.Second)
	defer cancel()
	start := time.Now()
	code, _, errs := kioskProcessCtx(t, ctx, "sync", "--db", db, "--district", srv.URL, "--token", "jzk_1.secret", "--once")
	if el := time.Since(start); el > 20*time.Second {
		t.Errorf("the run took %v", el)
	}
	want := "kiosk: sync: the district at " + srv.URL + " asked to wait 600 s"
	if code != 1 || !strings.HasPrefix(errs, want) || strings.Count(errs, "\n") != 1 {
		t.Errorf("exit %d, stderr %q; want 1 and one line starting %q", code, errs, want)
	}
	if after, dead := outbox(t, db), deadLetters(t, db); !reflect.DeepEqual(after, before) || dead != 0 {
		t.Errorf("the outbox changed (%d dead letters)", dead)
	}

	// Whatever else the district does, the run stops at --max-time.
	hold := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-hold:
		}
	}))
	defer slow.Close()
	defer close(hold)
	start = time.Now()
	code, _, errs = kioskProcessCtx(t, ctx, "sync", "--db", db, "--district", slow.URL, "--token", "jzk_1.secret", "--once", "--max-time", "1s")
	if el := time.Since(start); el > 15*time.Second {
		t.Errorf("the run took %v with --max-time 1s", el)
	}
	if code != 1 || !strings.HasPrefix(errs, "kiosk: sync: stopped after 1s") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
	if after, dead := outbox(t, db), deadLetters(t, db); !reflect.DeepEqual(after, before) || dead != 0 {
		t.Errorf("the outbox changed (%d dead letters)", dead)
	}
}
