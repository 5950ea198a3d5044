package client_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"jiezhen/sync/client"
)

// The agent's timing, on the fake clock of testing/synctest: backoff,
// Retry-After, attempt timeouts and Run's own waits take the time they
// should, exactly, and no test sleeps or polls the wall clock. The
// district and the kiosk's store are made outside the bubble (a listening
// server never blocks durably); the agent, its transport and its timers
// are inside. Requests go over real HTTP without keep-alive, so no
// connection idles in the bubble between them.

// bubbleTransport is a faulty transport that opens a connection per
// request; make it inside the bubble.
func bubbleTransport(plan func(n int, req *http.Request) fault) *faulty {
	ft := newFaulty(plan)
	ft.next = &http.Transport{DisableKeepAlives: true}
	return ft
}

// Guarantee 8: a Retry-After of an hour does not make the kiosk wait past
// its cap.
func TestRetryAfterWaitsTheCap(t *testing.T) {
	d := newDistrict(t)
	_, tok := d.kiosk(t, streetA)
	st := openKiosk(t)
	ids := enqueueAppeals(t, st, "busy", 2)
	synctest.Test(t, func(t *testing.T) {
		ft := bubbleTransport(func(n int, req *http.Request) fault {
			if n < 3 {
				return tooMany
			}
			return pass
		})
		cfg := fastConfig(d, tok)
		cfg.Transport, cfg.RetryCap = ft, 150*time.Millisecond
		start := time.Now()
		if err := newAgent(t, st, cfg).Once(t.Context()); err != nil {
			t.Fatal(err)
		}
		if el := time.Since(start); el < 3*cfg.RetryCap || el > 3*cfg.RetryCap+cfg.RetryCap/2 {
			t.Errorf("took %v with three answers of 429 and a cap of %v", el, cfg.RetryCap)
		}
		if ft.count(tooMany) != 3 {
			t.Errorf("%d answers of 429", ft.count(tooMany))
		}
	})
	checkExactlyOnce(t, d, st, ids)
}

// Guarantee 8: each attempt has its own timeout.
func TestAttemptTimeout(t *testing.T) {
	d := newDistrict(t)
	_, tok := d.kiosk(t, streetA)
	st := openKiosk(t)
	ids := enqueueAppeals(t, st, "stall", 2)
	synctest.Test(t, func(t *testing.T) {
		ft := bubbleTransport(func(n int, req *http.Request) fault {
			if n < 2 {
				return stall
			}
			return pass
		})
		cfg := fastConfig(d, tok)
		cfg.Transport, cfg.AttemptTimeout = ft, 200*time.Millisecond
		start := time.Now()
		if err := newAgent(t, st, cfg).Once(t.Context()); err != nil {
			t.Fatal(err)
		}
		// Two stalled attempts and their backoff, never the whole
		// context's time.
		if el := time.Since(start); el < 2*cfg.AttemptTimeout || el > 2*cfg.AttemptTimeout+2*cfg.RetryCap {
			t.Errorf("took %v with two stalled attempts of %v", el, cfg.AttemptTimeout)
		}
	})
	checkExactlyOnce(t, d, st, ids)
}

// Guarantee 8: Run picks up by itself when the network returns, with no
// Kick and no new write.
func TestRunResumesWhenTheNetworkReturns(t *testing.T) {
	d := newDistrict(t)
	_, tok := d.kiosk(t, streetA)
	st := openKiosk(t)
	ids := enqueueAppeals(t, st, "offline", 3)
	synctest.Test(t, func(t *testing.T) {
		var down atomic.Bool
		down.Store(true)
		ft := bubbleTransport(func(n int, req *http.Request) fault {
			if down.Load() {
				return refuse
			}
			return pass
		})
		cfg := fastConfig(d, tok)
		cfg.Transport, cfg.Retries, cfg.RetryCap = ft, 1, 100*time.Millisecond
		var mu sync.Mutex
		var statuses []client.Status
		cfg.OnChange = func(s client.Status) {
			mu.Lock()
			statuses = append(statuses, s)
			mu.Unlock()
		}
		a := newAgent(t, st, cfg)
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- a.Run(ctx) }()
		time.Sleep(time.Second) // fake time: Run's first cycles fail meanwhile
		synctest.Wait()
		if s := a.Status(); s.Online || s.Waiting != 3 || !strings.Contains(s.LastError, "connection refused") || ft.requests() < 2 {
			t.Errorf("while down, after %d requests: %+v", ft.requests(), s)
		}
		down.Store(false)
		// Run's backoff after failures is capped: within a minute of fake
		// time it has tried again and sent everything.
		time.Sleep(time.Minute)
		synctest.Wait()
		cancel()
		<-done
		if s := a.Status(); !s.Online || s.LastSuccess.IsZero() || s.Waiting != 0 {
			t.Errorf("after the network returned: %+v", s)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(statuses) < 2 {
			t.Errorf("OnChange called %d times", len(statuses))
		}
	})
	checkExactlyOnce(t, d, st, ids)
}

// Run sends a newly queued item without waiting for its interval: at
// once on Kick, and within its outbox watch without.
func TestRunWakesOnNewItem(t *testing.T) {
	d := newDistrict(t)
	_, tok := d.kiosk(t, streetA)
	st := openKiosk(t)
	synctest.Test(t, func(t *testing.T) {
		cfg := fastConfig(d, tok) // Interval: an hour
		cfg.Transport = &http.Transport{DisableKeepAlives: true}
		a := newAgent(t, st, cfg)
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- a.Run(ctx) }()
		defer func() { cancel(); <-done }()
		synctest.Wait()
		if a.Status().LastSuccess.IsZero() {
			t.Fatal("no first sync")
		}

		kicked := enqueueAppeals(t, st, "kicked", 1)
		start := time.Now()
		a.Kick()
		synctest.Wait()
		if _, ok := d.entry(t, kicked[0]); !ok || time.Since(start) != 0 {
			t.Errorf("kicked item sent: %v, after %v", ok, time.Since(start))
		}

		quiet := enqueueAppeals(t, st, "unannounced", 1)
		time.Sleep(5 * time.Second)
		synctest.Wait()
		if _, ok := d.entry(t, quiet[0]); !ok {
			t.Error("an item queued without Kick is not sent within 5 s")
		}
	})
}
