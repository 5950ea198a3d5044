package client_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// A kiosk that holds street A's content and has residents' cases queued,
// given a token of street B, asks the district whose the token is and
// refuses it before any push: the error names both streets and kiosk
// reset, the staff health screen gets it, the cases stay queued, nothing
// is dead-lettered, the number stays A's and the district has nothing.
func TestTokenOfAnotherStreetPushesNothing(t *testing.T) {
	d := newDistrict(t)
	kA, tokA := d.kiosk(t, streetA)
	_, tokB := d.kiosk(t, streetB)
	st := openKiosk(t)
	ctx := context.Background()
	if err := newAgent(t, st, fastConfig(d, tokA)).Once(ctx); err != nil {
		t.Fatal(err)
	}
	ids := enqueueAppeals(t, st, "other-street", 2)

	pushes := 0
	ft := newFaulty(func(n int, req *http.Request) fault {
		if isPush(req) {
			pushes++
		}
		return pass
	})
	cfg := fastConfig(d, tokB)
	cfg.Street = "" // the kiosk goes by the street it holds
	cfg.Transport = ft
	a := newAgent(t, st, cfg)
	err := a.Once(ctx)
	if err == nil || !strings.Contains(err.Error(), "street "+streetA) || !strings.Contains(err.Error(), "street "+streetB) ||
		!strings.Contains(err.Error(), "kiosk reset") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("sync with a token of another street: %v; want one line naming both streets and kiosk reset", err)
	}
	if pushes != 0 {
		t.Errorf("%d pushes sent with a token of another street", pushes)
	}
	if got := a.Status().LastError; got != err.Error() {
		t.Errorf("the status says %q, want the refusal", got)
	}
	if n := outboxCount(t, st); n != len(ids) {
		t.Errorf("%d items queued, want %d", n, len(ids))
	}
	if n, err := st.DeadLetterCount(ctx); err != nil || n != 0 {
		t.Errorf("%d dead letters (%v)", n, err)
	}
	if n, err := st.KioskNumber(ctx); err != nil || n != kA.ID {
		t.Errorf("the kiosk's number is %d (%v), want %d", n, err, kA.ID)
	}
	for _, id := range ids {
		if _, ok := d.entry(t, id); ok {
			t.Errorf("the district has %s from a token of another street", id)
		}
	}

	// The street's own token sends them.
	res, err := newAgent(t, st, fastConfig(d, tokA)).OnceResult(ctx)
	if err != nil || res.Accepted != len(ids) || res.Refused != 0 {
		t.Fatalf("sync with the street's token: %+v, %v", res, err)
	}
}

// A resident's case the district refuses as another street's (403) is
// never dead-lettered: the kiosk and its items disagree on the street,
// which no item can mend. The items stay queued and the sync says why.
func TestOtherStreetNeverDeadLetters(t *testing.T) {
	d := newDistrict(t)
	_, tok := d.kiosk(t, streetA)
	st := openKiosk(t)
	ctx := context.Background()
	a := newAgent(t, st, fastConfig(d, tok))
	if err := a.Once(ctx); err != nil {
		t.Fatal(err)
	}
	c := appeal("filed-for-b", time.Now())
	c.Street = streetB
	enqueueCase(t, st, c)
	ids := append(enqueueAppeals(t, st, "after", 1), c.ID)

	err := a.Once(ctx)
	if err == nil || !strings.Contains(err.Error(), "403") || !strings.Contains(err.Error(), "stay queued") {
		t.Fatalf("a case of another street: %v; want the 403 and that the items stay queued", err)
	}
	if n, err := st.DeadLetterCount(ctx); err != nil || n != 0 {
		t.Errorf("%d dead letters (%v)", n, err)
	}
	if n := outboxCount(t, st); n != len(ids) {
		t.Errorf("%d items queued, want %d", n, len(ids))
	}
}
