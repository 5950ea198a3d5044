package server

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/sync/bundle"
	"jiezhen/sync/wire"
)

// getSnapshot fetches the kiosk's snapshot through the real handler.
func (e *env) getSnapshot(token string) (int, http.Header, []byte) {
	e.t.Helper()
	req, _ := http.NewRequest("GET", e.srv.URL+wire.PathBundle, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return resp.StatusCode, resp.Header, b.Bytes()
}

// The snapshot route serves a signed full snapshot of the calling kiosk's
// street: the same content a pull from 0 gives, without its cases, up to
// the feed's end; built again once the street's scope changed, and only
// then.
func TestSnapshotRoute(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.push(e.tokA1, appeal(t, "case-1", streetA))
	pulled, end := e.pullAll(e.tokA1, 0)

	status, h, body := e.getSnapshot(e.tokA1)
	if status != http.StatusOK || h.Get("Content-Type") != wire.BundleType {
		t.Fatalf("snapshot: %d %s %.200s", status, h.Get("Content-Type"), body)
	}
	res, err := bundle.Read(bytes.NewReader(body), bundle.Check{Keys: bundle.Keys{Trusted: []ed25519.PublicKey{e.bundleKey}}, Scope: streetA, Now: e.clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if m := res.Manifest; m.From != 0 || m.To != end || m.Scope != streetA || !res.Snapshot {
		t.Fatalf("manifest %+v, feed end %d", m, end)
	}
	want := map[string]int64{}
	for _, c := range pulled {
		if c.Kind != wire.KindCase {
			want[string(c.Kind)+"/"+c.ID] = c.Version
		}
	}
	got := map[string]int64{}
	for _, c := range res.Changes {
		got[string(c.Kind)+"/"+c.ID] = c.Version
	}
	if len(got) != len(want) || len(got) == 0 {
		t.Fatalf("snapshot holds %d items, a pull %d", len(got), len(want))
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: version %d in the snapshot, %d in the pull", k, got[k], v)
		}
	}

	// Cached while the street's scope is unchanged, even when another
	// street's changes move the feed.
	if _, err := e.p.Unpublish(ctx, data.KindNotice, "n-b"); err != nil {
		t.Fatal(err)
	}
	if _, _, again := e.getSnapshot(e.tokA2); !bytes.Equal(again, body) {
		t.Fatal("a change of another street rebuilt street A's snapshot")
	}
	// Rebuilt when the street's scope changed.
	e.clock.Add(time.Minute)
	if _, err := e.p.Unpublish(ctx, data.KindNotice, "n-a"); err != nil {
		t.Fatal(err)
	}
	_, _, newer := e.getSnapshot(e.tokA1)
	res2, err := bundle.Read(bytes.NewReader(newer), bundle.Check{Keys: bundle.Keys{Trusted: []ed25519.PublicKey{e.bundleKey}}, Scope: streetA, Cursor: end, Now: e.clock.Now(), NewestSeen: res.Manifest.IssuedAt})
	if err != nil || res2.Manifest.To <= end {
		t.Fatalf("after a change of the street: %+v, %v", res2, err)
	}
	// Street B's kiosk gets street B's.
	_, _, bb := e.getSnapshot(e.tokB1)
	if _, err := bundle.Read(bytes.NewReader(bb), bundle.Check{Keys: bundle.Keys{Trusted: []ed25519.PublicKey{e.bundleKey}}, Scope: streetB, Now: e.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	if status, _, _ := e.getSnapshot(""); status != http.StatusUnauthorized {
		t.Fatalf("without a token: %d", status)
	}
	if strings.Contains(e.logs.String(), e.tokA1) {
		t.Fatal("the log holds a token")
	}
}

// Without a signing key the route answers 404 with its reason.
func TestSnapshotRouteWithoutKey(t *testing.T) {
	e := newEnv(t)
	srv := httptest.NewServer(Handler(New(e.st, Options{Now: e.clock.Now, Log: slog.New(slog.DiscardHandler)})))
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+wire.PathBundle, nil)
	req.Header.Set("Authorization", "Bearer "+e.tokA1)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(b.String(), "--bundle-key") {
		t.Fatalf("%d %s", resp.StatusCode, b.String())
	}
}
