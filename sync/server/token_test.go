package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"jiezhen/sync/wire"
)

// A kiosk's token carries its number (jzk_<id>.<secret>), and the district
// takes it only with the number of the kiosk its hash belongs to.
func TestTokenCarriesKioskNumber(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, k := range []struct {
		kiosk Kiosk
		tok   string
	}{{e.a1, e.tokA1}, {e.a2, e.tokA2}, {e.b1, e.tokB1}} {
		n, err := wire.TokenKiosk(k.tok)
		if err != nil || n != k.kiosk.ID || !strings.HasPrefix(k.tok, "jzk_"+strconv.FormatInt(k.kiosk.ID, 10)+".") {
			t.Fatalf("kiosk %d's token %q reads as kiosk %d, %v", k.kiosk.ID, k.tok, n, err)
		}
		if status, _ := e.do("GET", wire.PathChanges, k.tok, nil); status != http.StatusOK {
			t.Fatalf("kiosk %d's token pulls: %d", k.kiosk.ID, status)
		}
	}
	// The number is part of what is hashed: another number in front of
	// the same secret is another token, and an unknown one.
	_, secret, _ := strings.Cut(e.tokA1, ".")
	forged := wire.KioskToken(e.a2.ID, secret)
	if status, _ := e.do("GET", wire.PathChanges, forged, nil); status != http.StatusUnauthorized {
		t.Fatalf("kiosk 1's secret under kiosk 2's number pulls: %d", status)
	}

	// setHash gives kiosk A2 the token tok, as if the district had stored it.
	setHash := func(tok string) {
		t.Helper()
		if err := e.st.Write(ctx, func(tx Tx) error { return tx.SetTokenHash(e.a2.ID, hashToken(tok)) }); err != nil {
			t.Fatal(err)
		}
	}
	// A token of the old form, with no number, keeps working.
	old := "jzk_" + secret[:20] + "oldform"
	setHash(old)
	if status, _ := e.do("GET", wire.PathChanges, old, nil); status != http.StatusOK {
		t.Fatalf("old-form token pulls: %d", status)
	}
	if k, err := e.p.Authenticate(ctx, old); err != nil || k.ID != e.a2.ID {
		t.Fatalf("old-form token: %+v, %v", k, err)
	}
	if status, _ := e.do("GET", wire.PathChanges, e.tokA2, nil); status != http.StatusUnauthorized {
		t.Fatalf("A2's replaced token still pulls: %d", status)
	}

	// A token whose hash is kiosk A2's but whose number is kiosk A1's is
	// refused, over HTTP and by Authenticate.
	other := wire.KioskToken(e.a1.ID, "other-secret")
	setHash(other)
	if status, body := e.do("GET", wire.PathChanges, other, nil); status != http.StatusUnauthorized {
		t.Fatalf("token naming another kiosk pulls: %d %s", status, body)
	}
	if status, _ := e.pushItems(other, opinion(t, "op-other")); status != http.StatusUnauthorized {
		t.Fatalf("token naming another kiosk pushes: %d", status)
	}
	if _, err := e.p.Authenticate(ctx, other); !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("Authenticate of a token naming another kiosk: %v", err)
	}
	if !strings.Contains(e.logs.String(), "token names another kiosk") {
		t.Fatalf("no warning logged: %s", e.logs.String())
	}
	// The same with its own number is taken.
	own := wire.KioskToken(e.a2.ID, "other-secret")
	setHash(own)
	if k, err := e.p.Authenticate(ctx, own); err != nil || k.ID != e.a2.ID {
		t.Fatalf("own number: %+v, %v", k, err)
	}
	// A malformed number is refused even when its hash is stored.
	bad := "jzk_k2.other-secret"
	setHash(bad)
	if status, _ := e.do("GET", wire.PathChanges, bad, nil); status != http.StatusUnauthorized {
		t.Fatalf("malformed token pulls: %d", status)
	}
}

// GET /api/v1/kiosk answers whose a token is, its kiosk's number and
// street, the street being what the token does not carry; no token or an
// unknown one gets 401.
func TestKioskRouteNamesTheTokensStreet(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		token  string
		kiosk  Kiosk
		street string
	}{{e.tokA1, e.a1, streetA}, {e.tokB1, e.b1, streetB}} {
		status, body := e.do(http.MethodGet, wire.PathKiosk, c.token, nil)
		var info wire.KioskInfo
		if status != http.StatusOK || json.Unmarshal(body, &info) != nil || info.Kiosk != c.kiosk.ID || info.Street != c.street || info.ServerTime.IsZero() {
			t.Errorf("kiosk %d: %d %s", c.kiosk.ID, status, body)
		}
	}
	for _, tok := range []string{"", "jzk_1.nope"} {
		if status, body := e.do(http.MethodGet, wire.PathKiosk, tok, nil); status != http.StatusUnauthorized {
			t.Errorf("token %q: %d %s", tok, status, body)
		}
	}
}
