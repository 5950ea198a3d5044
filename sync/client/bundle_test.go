package client_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/data/store"
	"jiezhen/sync/bundle"
	"jiezhen/sync/server"
)

// applyStreetBundle builds a bundle of the street's scope from the kiosk's
// cursor to the end of the district's feed, as districtd bundle does, and
// imports it as kiosk import does.
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
	m := bundle.Manifest{District: "440106", Scope: street, From: from}
	var changes []data.Change
	err = d.st.Read(ctx, func(tx server.ReadTx) (err error) {
		if m.To, err = tx.LastSeq(); err != nil {
			return err
		}
		changes, err = tx.Feed(server.Scope{Street: street}, from, from, 1<<20)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	files, err := bundle.ChangeFiles(changes)
	if err != nil {
		t.Fatal(err)
	}
	m.Changes, m.IssuedAt = len(changes), d.clock()
	m.ExpiresAt = m.IssuedAt.Add(time.Hour)
	var buf bytes.Buffer
	if err := bundle.Write(&buf, m, files, priv); err != nil {
		t.Fatal(err)
	}
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
