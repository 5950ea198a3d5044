package server

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"testing"

	"jiezhen/sync/wire"
)

// The fleet's actions by a street-scoped admin: its own street's kiosks
// only, each audited; another street's kiosk is refused and left as it
// was. A bundle is built only with the district's key, and recorded.
func TestFleetStreetScope(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := User{ID: 3, Name: "甲街管理员", Streets: []string{streetA}}

	list, err := e.p.Fleet(ctx, a)
	if err != nil || len(list) != 2 || list[0].ID != e.a1.ID || list[1].ID != e.a2.ID {
		t.Fatalf("street A's fleet: %+v %v", list, err)
	}
	if _, err := e.p.KioskFor(ctx, a, e.b1.ID); !errors.Is(err, ErrForbidden) {
		t.Errorf("street B's kiosk: %v", err)
	}
	if _, _, err := e.p.AddKioskAs(ctx, a, streetB, "乙街新机"); !errors.Is(err, ErrForbidden) {
		t.Errorf("adding a kiosk to street B: %v", err)
	}
	if err := e.p.RevokeKioskAs(ctx, a, e.b1.ID); !errors.Is(err, ErrForbidden) {
		t.Errorf("revoking street B's kiosk: %v", err)
	}
	if _, _, err := e.p.NewTokenAs(ctx, a, e.b1.ID); !errors.Is(err, ErrForbidden) {
		t.Errorf("a new token for street B's kiosk: %v", err)
	}
	if _, err := e.p.WriteStreetBundle(ctx, a, &bytes.Buffer{}, streetB); !errors.Is(err, ErrForbidden) {
		t.Errorf("street B's bundle: %v", err)
	}
	if status, _ := e.do("GET", wire.PathKiosk, e.tokB1, nil); status != http.StatusOK {
		t.Fatalf("street B's kiosk lost its token: %d", status)
	}
	if n := e.count("kiosks"); n != 3 {
		t.Fatalf("%d kiosks after the refused actions", n)
	}
	if lines, _, _ := e.p.AdminAuditLines(ctx, AuditFilter{}); len(lines) != 0 {
		t.Fatalf("refused actions audited as done: %+v", lines)
	}

	k, tok, err := e.p.AddKioskAs(ctx, a, streetA, "甲街新机")
	if err != nil || k.Street != streetA {
		t.Fatal(k, err)
	}
	if _, _, err := e.p.NewTokenAs(ctx, a, k.ID); err != nil {
		t.Fatal(err)
	}
	if status, _ := e.do("GET", wire.PathKiosk, tok, nil); status != http.StatusUnauthorized {
		t.Errorf("the replaced token still works: %d", status)
	}
	if err := e.p.RevokeKioskAs(ctx, a, k.ID); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	info, err := e.p.WriteStreetBundle(ctx, a, &b, streetA)
	if err != nil || int64(b.Len()) != info.Bytes || info.Manifest.Scope != streetA {
		t.Fatalf("street A's bundle: %+v %v", info, err)
	}
	lines, _, err := e.p.AdminAuditLines(ctx, AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, l := range lines {
		actions = append(actions, l.Action)
		if l.Street != streetA || l.UserName != a.Name {
			t.Errorf("audit line %+v", l)
		}
	}
	if want := []string{"bundle.build", "kiosk.revoke", "kiosk.token", "kiosk.add"}; len(actions) != 4 || actions[0] != want[0] || actions[3] != want[3] {
		t.Errorf("audited %v, want %v", actions, want)
	}
	list, _ = e.p.Fleet(ctx, a)
	if len(list) != 3 || list[2].RevokedAt == nil || list[0].Bundle == nil || list[0].Bundle.To != info.Manifest.To || list[0].Bundle.Changes != info.Manifest.Changes {
		t.Fatalf("the fleet after: %+v", list)
	}

	nokey := New(e.st, Options{Now: e.clock.Now})
	if nokey.SignsBundles() {
		t.Fatal("a platform without the key signs bundles")
	}
	if _, err := nokey.WriteStreetBundle(ctx, a, &b, streetA); !errors.Is(err, ErrNoBundleKey) {
		t.Errorf("a bundle without the key: %v", err)
	}
}

// What a request tells of its kiosk: the agent's version only from its
// own User-Agent, counts only as whole numbers of zero or more.
func TestSeenOf(t *testing.T) {
	for _, c := range []struct {
		ua, outbox, dead string
		version          string
		n, d             int // -1: not reported
	}{
		{"jiezhen-kiosk/1.4.2", "3", "0", "1.4.2", 3, 0},
		{"jiezhen-kiosk/1.5.0+rc1 (linux)", "", "2", "1.5.0+rc1", -1, 2},
		{"jiezhen-kiosk", "-1", "x", "", -1, -1},
		{"curl/8.5.0", "1", "1", "", 1, 1},
	} {
		r, _ := http.NewRequest("GET", "/", nil)
		r.Header.Set("User-Agent", c.ua)
		r.Header.Set(wire.HeaderOutbox, c.outbox)
		r.Header.Set(wire.HeaderDeadLetters, c.dead)
		s := seenOf(r)
		count := func(p *int) int {
			if p == nil {
				return -1
			}
			return *p
		}
		if s.Version != c.version || count(s.Outbox) != c.n || count(s.DeadLetters) != c.d {
			t.Errorf("%q %q %q: version %q, outbox %d, dead letters %d", c.ua, c.outbox, c.dead, s.Version, count(s.Outbox), count(s.DeadLetters))
		}
	}
}
