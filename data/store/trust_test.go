package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"jiezhen/data"
)

func TestApplyBundleRecordsTrustWithTheCursor(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Options{NoIndexer: true})
	t0 := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	res, err := s.ApplyBundle(ctx, ContentFeed, BundleImport{
		From: 0, To: 10, IssuedAt: t0, Street: "S1",
		Changes: []data.Change{upsert(t, 4, data.KindNotice, "n1", 1, notice("n1", "停水通知", "明日停水"))},
		Keys:    []BundleKey{{Key: "old", Via: "pinned"}, {Key: "new", Via: "old"}, {Key: "old", Revoked: true, Via: "new"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Upserted != 1 || res.Cursor != 10 {
		t.Fatalf("%+v", res)
	}
	if c, _ := s.Cursor(ctx, ContentFeed); c != 10 {
		t.Fatalf("cursor %d", c)
	}
	tr, err := s.BundleTrust(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !tr.NewestIssuedAt.Equal(t0) || tr.Street != "S1" || len(tr.Keys) != 2 {
		t.Fatalf("%+v", tr)
	}
	state := map[string]bool{}
	for _, k := range tr.Keys {
		state[k.Key] = k.Revoked
	}
	if !state["old"] || state["new"] {
		t.Fatalf("keys: %+v", tr.Keys)
	}

	// A revoked key stays revoked; the newest issued-at never goes back.
	_, err = s.ApplyBundle(ctx, ContentFeed, BundleImport{From: 10, To: 12, IssuedAt: t0.Add(-time.Hour), Street: "S1",
		Keys: []BundleKey{{Key: "old", Via: "new"}}})
	if err != nil {
		t.Fatal(err)
	}
	tr, _ = s.BundleTrust(ctx)
	if !tr.NewestIssuedAt.Equal(t0) {
		t.Errorf("newest issued-at went back to %s", tr.NewestIssuedAt)
	}
	for _, k := range tr.Keys {
		if k.Key == "old" && !k.Revoked {
			t.Error("a revoked key became trusted")
		}
	}
}

func TestApplyBundleRefusesAMovedCursor(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Options{NoIndexer: true})
	apply(t, s, 20)
	for _, r := range [][2]int64{{21, 30}, {0, 20}} {
		_, err := s.ApplyBundle(ctx, ContentFeed, BundleImport{From: r[0], To: r[1], IssuedAt: time.Now(), Street: "S1",
			Changes: []data.Change{upsert(t, r[1], data.KindNotice, "n1", 1, notice("n1", "停水通知", "明日停水"))},
			Keys:    []BundleKey{{Key: "k"}}})
		if !errors.Is(err, ErrBundleCursor) {
			t.Fatalf("%v: err = %v", r, err)
		}
	}
	tr, _ := s.BundleTrust(ctx)
	if c, _ := s.Cursor(ctx, ContentFeed); c != 20 || len(tr.Keys) != 0 || !tr.NewestIssuedAt.IsZero() {
		t.Fatalf("changed: cursor %d, %+v", c, tr)
	}
	if empty, _ := s.IsEmpty(ctx); !empty {
		t.Fatal("content applied")
	}
}
