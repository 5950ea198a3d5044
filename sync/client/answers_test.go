package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"jiezhen/data/store"
	"jiezhen/sync/client"
	"jiezhen/sync/wire"
)

// outboxRows is the whole outbox, every column the store gives.
func outboxRows(t testing.TB, st *store.Store) []store.OutboxItem {
	t.Helper()
	items, err := st.Pending(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

// checkUntouched fails unless the outbox is exactly before and there is
// no dead letter.
func checkUntouched(t testing.TB, st *store.Store, before []store.OutboxItem) {
	t.Helper()
	if after := outboxRows(t, st); !reflect.DeepEqual(after, before) {
		t.Errorf("the outbox changed:\nbefore %+v\nafter  %+v", before, after)
	}
	if n, err := st.DeadLetterCount(context.Background()); err != nil || n != 0 {
		t.Errorf("%d dead letters (%v); want none", n, err)
	}
}

// reply answers every request with status, the Content-Type ct and body.
func reply(status int, ct, body string, hdr ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		for i := 0; i+1 < len(hdr); i += 2 {
			w.Header().Set(hdr[i], hdr[i+1])
		}
		if ct != "" {
			w.Header().Set("Content-Type", ct)
		} else {
			w.Header()["Content-Type"] = nil // no sniffing: no type at all
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

// Only the district's own judgement of an item dead-letters it. Every
// other answer, from an address that is not the district's API or not
// now, leaves the queued items exactly as they were, and the cycle fails
// with a sentence naming the address and the status.
func TestWrongAnswersKeepTheOutbox(t *testing.T) {
	const first = "wa-0000" // the first item enqueueAppeals queues
	html := "<!DOCTYPE html><html><body><h1>Welcome</h1></body></html>"
	cases := []struct {
		name   string
		h      http.Handler
		status int // the status the error names; 0: the district's refusal, not a NotDistrictError
	}{
		{"404 page", reply(404, "text/html", "<html><body>404 Not Found</body></html>"), 404},
		{"405 in the district's shape", reply(405, "application/json", `{"error":"this route does not take POST"}`), 405},
		{"410 plain", reply(410, "text/plain", "gone"), 410},
		{"302 elsewhere", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/login" {
				reply(200, "text/html", html)(w, r)
				return
			}
			http.Redirect(w, r, "/login", http.StatusFound)
		}), 302},
		{"307 elsewhere", reply(307, "", "", "Location", "/v2/push"), 307},
		{"HTML 200 page", reply(200, "text/html; charset=utf-8", html), 200},
		{"proxy 403 page", reply(403, "text/html", "<html><body>403 Forbidden</body></html>"), 403},
		{"proxy 413 page", reply(413, "text/html", "<html><head><title>413 Request Entity Too Large</title></head></html>"), 413},
		{"proxy 400 text", reply(400, "text/plain", "400 Bad Request"), 400},
		{"400 naming an item, not in JSON", reply(400, "text/html", `{"error":"refused","item":"`+first+`"}`), 400},
		{"400 JSON that is not the envelope", reply(400, "application/json", `{"message":"Bad Request","item":"`+first+`"}`), 400},
		{"403 JSON naming no item", reply(403, "application/json", `{"error":"forbidden"}`), 0},
		{"200 JSON that is not a push answer", reply(200, "application/json", `{"ok":true}`), 200},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(c.h)
			defer srv.Close()
			st := openKiosk(t)
			enqueueAppeals(t, st, "wa", 3)
			before := outboxRows(t, st)
			cfg := client.Config{District: srv.URL, Token: "jzk_1.secret", Street: streetA,
				AttemptTimeout: 2 * time.Second, RetryMin: time.Millisecond, RetryCap: 5 * time.Millisecond, Retries: 1}
			a := newAgent(t, st, cfg)
			err := a.Once(context.Background())
			if err == nil {
				t.Fatal("the cycle succeeded")
			}
			var nd *client.NotDistrictError
			if c.status != 0 {
				if !errors.As(err, &nd) || nd.Status != c.status || !strings.Contains(err.Error(), srv.URL) {
					t.Errorf("error %q (%T); want a NotDistrictError naming %s and %d", err, err, srv.URL, c.status)
				}
				if w := a.Status().Wrong; w.Status != c.status || !strings.HasPrefix(w.URL, srv.URL) {
					t.Errorf("status for staff: %+v", w)
				}
			}
			checkUntouched(t, st, before)
		})
	}

	// The URL `districtd serve` logs, with /api/v1: the district's own 404
	// judges no item, and the agent says which URL to use.
	t.Run("district URL with /api/v1", func(t *testing.T) {
		d := newDistrict(t)
		_, tok := d.kiosk(t, streetA)
		st := openKiosk(t)
		enqueueAppeals(t, st, "wa", 3)
		before := outboxRows(t, st)
		cfg := fastConfig(d, tok)
		cfg.District = d.srv.URL + "/api/v1"
		a := newAgent(t, st, cfg)
		err := a.Once(context.Background())
		var nd *client.NotDistrictError
		if !errors.As(err, &nd) || nd.Status != 404 || nd.Use != d.srv.URL {
			t.Fatalf("error %v; want a 404 saying to use %s", err, d.srv.URL)
		}
		if !strings.Contains(err.Error(), "use --district "+d.srv.URL) {
			t.Errorf("error %q does not say which URL to use", err)
		}
		if url, status, use := a.WrongAnswer(); status != 404 || use != d.srv.URL || !strings.HasPrefix(url, cfg.District) {
			t.Errorf("WrongAnswer() = %q, %d, %q", url, status, use)
		}
		checkUntouched(t, st, before)
		if n := len(d.cases(t)); n != 0 {
			t.Errorf("%d cases reached the district", n)
		}

		// Given as it should be, the same kiosk sends them all.
		cfg.District = d.srv.URL
		a = newAgent(t, st, cfg)
		if err := a.Once(context.Background()); err != nil {
			t.Fatal(err)
		}
		if w := a.Status().Wrong; w != (client.WrongAnswer{}) {
			t.Errorf("the wrong answer is still reported: %+v", w)
		}
		if n := len(d.cases(t)); n != 3 {
			t.Errorf("%d cases on the district, want 3", n)
		}
	})
}

// A redirect to another port never carries the kiosk's token there: the
// agent follows no redirect, and keeps its items.
func TestRedirectKeepsTheToken(t *testing.T) {
	var mu sync.Mutex
	var got []string // what the other port received
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Method+" "+r.URL.Path+" Authorization="+r.Header.Get("Authorization"))
		mu.Unlock()
		reply(404, "text/plain", "not here")(w, r)
	}))
	defer other.Close()
	for _, code := range []int{http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+r.URL.RequestURI(), code)
		}))
		st := openKiosk(t)
		enqueueAppeals(t, st, "rd", 2)
		before := outboxRows(t, st)
		const token = "jzk_7.redirect-secret"
		cfg := client.Config{District: srv.URL, Token: token, AttemptTimeout: 2 * time.Second,
			RetryMin: time.Millisecond, RetryCap: 5 * time.Millisecond, Retries: 1}
		err := newAgent(t, st, cfg).Once(context.Background())
		var nd *client.NotDistrictError
		if !errors.As(err, &nd) || nd.Status != code || !strings.Contains(err.Error(), other.URL) {
			t.Errorf("%d: error %v; want a NotDistrictError naming the redirect to %s", code, err, other.URL)
		}
		checkUntouched(t, st, before)
		srv.Close()
	}
	mu.Lock()
	defer mu.Unlock()
	for _, g := range got {
		if strings.Contains(g, "redirect-secret") {
			t.Errorf("the other port received the token: %s", g)
		}
	}
	if len(got) > 0 {
		t.Errorf("the agent followed redirects to another port: %q", got)
	}
}

// A Retry-After longer than the run has left ends the run at once, saying
// so, instead of sleeping into the run's limit; the items stay queued.
func TestRetryAfterLongerThanTheRun(t *testing.T) {
	srv := httptest.NewServer(reply(http.StatusServiceUnavailable, "text/plain", "maintenance", "Retry-After", "600"))
	defer srv.Close()
	st := openKiosk(t)
	enqueueAppeals(t, st, "ra", 2)
	before := outboxRows(t, st)
	// The retry settings are the defaults (a cap of minutes), as `kiosk
	// sync` has them; the run's limit is short.
	cfg := client.Config{District: srv.URL, Token: "jzk_1.secret"}
	a := newAgent(t, st, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	err := a.Once(ctx)
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("the run took %v; it should end at the first answer", el)
	}
	if err == nil || !strings.Contains(err.Error(), "asked to wait 600 s") || !strings.Contains(err.Error(), srv.URL) {
		t.Errorf("error %v; want the district at %s asking to wait 600 s", err, srv.URL)
	}
	checkUntouched(t, st, before)
}

// An item larger than the district takes in a request is refused by the
// kiosk itself, as one of a kind it does not know: nothing is sent for
// it, and the items after it go.
func TestOversizedItemRefusedWithoutAsking(t *testing.T) {
	d := newDistrict(t)
	_, tok := d.kiosk(t, streetA)
	var pushes atomic.Int64
	cfg := fastConfig(d, tok)
	cfg.Transport = newFaulty(func(_ int, req *http.Request) fault {
		if isPush(req) {
			pushes.Add(1)
		}
		return pass
	})
	cfg.Batch = 1
	st := openKiosk(t)
	// The store keeps a case's fields within their limits, so the big
	// item is an audit record, which only the district checks.
	body, err := json.Marshal(wire.AuditBody{Action: "edit", Staff: "李四", StaffID: "staff-1",
		Detail: strings.Repeat("路灯", wire.MaxBodyBytes/6+1), At: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	big := store.OutboxItem{ID: "big-0000", Kind: wire.ItemAudit, Body: body, CreatedAt: time.Now()}
	if err := st.Enqueue(context.Background(), big); err != nil {
		t.Fatal(err)
	}
	ids := enqueueAppeals(t, st, "after", 2)
	if err := newAgent(t, st, cfg).Once(context.Background()); err != nil {
		t.Fatal(err)
	}
	dead, err := st.DeadLetters(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(dead) != 1 || dead[0].ID != big.ID || dead[0].Code != string(wire.RefusedMalformed) || !strings.Contains(dead[0].Reason, "larger than") {
		t.Errorf("dead letters %+v; want the big item refused by the kiosk", dead)
	}
	if n := pushes.Load(); n != 2 {
		t.Errorf("%d pushes; want 2, none for the big item", n)
	}
	checkExactlyOnce(t, d, st, ids)
}
