package client_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/data/store"
	"jiezhen/sync/bundle"
	"jiezhen/sync/server"
	"jiezhen/sync/wire"
)

// applyStreetBundle builds a bundle of the street's scope from the kiosk's
// cursor to the end of the district's feed, as districtd bundle does, and
// verifies and applies it.
func applyStreetBundle(t *testing.T, d *district, st *store.Store, street string) {
	t.Helper()
	ctx := context.Background()
	pub, priv, err := bundle.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	from, err := st.Cursor(ctx, store.ContentFeed)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	info, err := d.p.WriteBundle(ctx, &buf, street, server.BundleSpec{Key: priv, From: from, Valid: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	m := info.Manifest
	res, err := bundle.Read(&buf, bundle.Check{Keys: bundle.Keys{Trusted: []ed25519.PublicKey{pub}}, Scope: street, Cursor: from, Now: d.clock()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.ApplyBundle(ctx, store.ContentFeed, store.BundleImport{From: m.From, To: m.To, Changes: res.Changes, IssuedAt: m.IssuedAt, Street: street}); err != nil {
		t.Fatal(err)
	}
}

// A bundle carries a street's content, not the kiosk's cases, yet moves
// the kiosk's cursor past the district's changes of them. The case's
// status change made meanwhile still reaches the kiosk at its next pull.
func TestCaseUpdateNotLostBehindBundle(t *testing.T) {
	ctx := context.Background()
	d := newDistrict(t)
	_, tok := d.kiosk(t, streetA)
	st := openKiosk(t)
	a := newAgent(t, st, fastConfig(d, tok))
	enqueueCase(t, st, appeal("case-b1", d.clock()))
	if err := a.Once(ctx); err != nil {
		t.Fatal(err)
	}
	c, err := st.Case(ctx, "case-b1")
	if err != nil || c.Status != data.StatusReceived || c.Ref == "" {
		t.Fatalf("case after the first sync: %+v, %v", c, err)
	}

	// The district replies to the case, then publishes more content.
	d.advance(time.Hour)
	if _, err := d.p.MoveCase(ctx, server.CaseMove{Ref: c.Ref, To: data.StatusReplied, Reason: "已协调物业处理"}); err != nil {
		t.Fatal(err)
	}
	set := demoContent(t)
	set.Notices[0].Title += "（更新）"
	if _, err := d.p.Publish(ctx, set); err != nil {
		t.Fatal(err)
	}
	before, _ := st.Cursor(ctx, store.ContentFeed)
	applyStreetBundle(t, d, st, streetA)
	after, cases, _ := st.Cursors(ctx, store.ContentFeed)
	if after <= before || cases != before {
		t.Fatalf("cursors after the bundle: %d and %d, from %d", after, cases, before)
	}
	if c, _ := st.Case(ctx, "case-b1"); c.Status != data.StatusReceived {
		t.Fatalf("the bundle changed the case: %s", c.Status)
	}

	if err := a.Once(ctx); err != nil {
		t.Fatal(err)
	}
	c, err = st.Case(ctx, "case-b1")
	if err != nil || c.Status != data.StatusReplied {
		b, _ := json.Marshal(c)
		t.Fatalf("the case's reply was lost behind the bundle: %s, %v", b, err)
	}
	if got, cases, _ := st.Cursors(ctx, store.ContentFeed); cases != got || got < after {
		t.Fatalf("cursors after the pull: %d and %d", got, cases)
	}
}

// counting counts the requests of each path on their way to the district.
type counting struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counting) RoundTrip(req *http.Request) (*http.Response, error) {
	c.mu.Lock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[req.URL.Path]++
	c.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func (c *counting) get(path string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[path]
}

// contentOf is the kiosk's content: the count of each kind, and every
// notice with its title.
func contentOf(t *testing.T, st *store.Store) string {
	t.Helper()
	ctx := context.Background()
	status, err := st.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rows, _, err := st.ListNotices(ctx, store.NoticeFilter{}, store.Page{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(status.Counts, rows)
}

// A new kiosk (cursor 0) takes a signed snapshot instead of paging; a
// kiosk the district says is far behind does too, and still gets its
// case's reply from inside the snapshot's range; both end with what a
// kiosk that paged has.
func TestSnapshotWhenFarBehind(t *testing.T) {
	ctx := context.Background()
	pub, priv, _ := bundle.GenerateKey()
	d := newDistrictWith(t, server.Snapshots{Key: priv})
	_, tok := d.kiosk(t, streetA)
	st := openKiosk(t)
	tr := &counting{}
	cfg := fastConfig(d, tok)
	cfg.Transport, cfg.Trust, cfg.SnapshotBehind, cfg.Page = tr, pub, 3, 2
	a := newAgent(t, st, cfg)
	enqueueCase(t, st, appeal("case-s1", d.clock()))
	res, err := a.OnceResult(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Snapshot == 0 || tr.get(wire.PathBundle) != 1 {
		t.Fatalf("a new kiosk did not start from a snapshot: %+v, %d downloads", res, tr.get(wire.PathBundle))
	}
	c, err := st.Case(ctx, "case-s1")
	if err != nil || c.Status != data.StatusReceived {
		t.Fatalf("case: %+v, %v", c, err)
	}
	trust, _ := st.BundleTrust(ctx)
	if len(trust.Keys) != 1 || trust.Keys[0].Key != bundle.EncodeKey(pub) || trust.Keys[0].Via != "pinned" {
		t.Fatalf("keys after the first snapshot: %+v", trust.Keys)
	}

	// Up to date: no snapshot.
	if res, err := a.OnceResult(ctx); err != nil || res.Snapshot != 0 || tr.get(wire.PathBundle) != 1 {
		t.Fatalf("an up-to-date kiosk took a snapshot: %+v, %v", res, err)
	}

	// The district replies, then changes much of the street: far behind.
	d.advance(time.Hour)
	if _, err := d.p.MoveCase(ctx, server.CaseMove{Ref: c.Ref, To: data.StatusReplied, Reason: "已协调物业处理"}); err != nil {
		t.Fatal(err)
	}
	set := demoContent(t)
	for i := range set.Notices {
		set.Notices[i].Title += "（更新）"
	}
	if _, err := d.p.Publish(ctx, set); err != nil {
		t.Fatal(err)
	}
	pages := tr.get(wire.PathChanges)
	if res, err = a.OnceResult(ctx); err != nil || res.Snapshot == 0 || tr.get(wire.PathBundle) != 2 {
		t.Fatalf("a kiosk far behind did not take a snapshot: %+v, %v", res, err)
	}
	if n := tr.get(wire.PathChanges) - pages; n > 3 {
		t.Errorf("%d pull requests after the snapshot", n)
	}
	if c, _ := st.Case(ctx, "case-s1"); c.Status != data.StatusReplied {
		t.Fatalf("the case's reply was lost behind the snapshot: %s", c.Status)
	}

	// The same as a kiosk that paged.
	_, tok2 := d.kiosk(t, streetA)
	paged := openKiosk(t)
	cfg2 := fastConfig(d, tok2)
	cfg2.SnapshotBehind = -1
	if err := newAgent(t, paged, cfg2).Once(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := contentOf(t, st), contentOf(t, paged); got != want {
		t.Fatalf("after snapshots %v, after paging %v", got, want)
	}
	n1, _ := st.Notice(ctx, set.Notices[0].ID)
	if !strings.HasSuffix(n1.Title, "（更新）") {
		t.Fatalf("notice %q", n1.Title)
	}
}

// A snapshot signed with a key the kiosk does not trust is refused,
// changes nothing, and the kiosk pages instead.
func TestSnapshotUntrustedPagesInstead(t *testing.T) {
	ctx := context.Background()
	_, priv, _ := bundle.GenerateKey()
	other, _, _ := bundle.GenerateKey()
	d := newDistrictWith(t, server.Snapshots{Key: priv})
	_, tok := d.kiosk(t, streetA)
	st := openKiosk(t)
	tr := &counting{}
	cfg := fastConfig(d, tok)
	cfg.Transport, cfg.Trust = tr, other
	res, err := newAgent(t, st, cfg).OnceResult(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if tr.get(wire.PathBundle) != 1 || res.Snapshot != 0 || res.Pulled == 0 {
		t.Fatalf("%+v, %d downloads", res, tr.get(wire.PathBundle))
	}
	if trust, _ := st.BundleTrust(ctx); len(trust.Keys) != 0 {
		t.Fatalf("a refused snapshot recorded keys: %+v", trust.Keys)
	}
}
