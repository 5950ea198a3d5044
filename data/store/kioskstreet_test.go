package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"jiezhen/data"
)

// The kiosk's street comes from its content until one is recorded; only
// ResetKiosk changes a recorded one, and it is refused while an item
// waits, changing nothing. Once through it leaves no content, case,
// cursor or number of the old street, and bundles must be the new one's.
func TestKioskStreetAndReset(t *testing.T) {
	ctx := context.Background()
	s, path := openTest(t, Options{NoIndexer: true})
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	held := func(want ...string) {
		t.Helper()
		if got, err := s.KioskStreets(ctx); err != nil || !slices.Equal(got, want) {
			t.Fatalf("kiosk streets %v (%v), want %v", got, err, want)
		}
	}
	held()
	n := notice("n1", "停水通知", "明日停水")
	n.Street = "440106005"
	apply(t, s, 2,
		upsert(t, 1, data.KindStreet, "440106005", 1, data.Street{Code: "440106005", Name: "天河南街道", District: "440106"}),
		upsert(t, 2, data.KindNotice, n.ID, 1, n))
	held("440106005")
	if err := s.RecordKioskStreet(ctx, "440106005", now); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordKioskStreet(ctx, "440106006", now); err == nil || !strings.Contains(err.Error(), "kiosk reset") {
		t.Fatalf("recorded another street over the kiosk's: %v", err)
	}
	if _, err := s.RecordKioskNumber(ctx, 7, now); err != nil {
		t.Fatal(err)
	}
	if err := s.Enqueue(ctx, OutboxItem{ID: "case-1", Kind: data.ItemCase, Body: []byte(`{}`), CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	before, err := s.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ResetKiosk(ctx, "440106006", now); !errors.Is(err, ErrOutboxNotEmpty) {
		t.Fatalf("reset with an item waiting: %v", err)
	}
	if after, _ := s.Status(ctx); after.KioskNumber != 7 || after.Counts[data.KindNotice] != 1 || after.Cursor != before.Cursor {
		t.Fatalf("a refused reset changed the kiosk: %+v", after)
	}
	held("440106005")

	if err := s.Done(ctx, "case-1"); err != nil {
		t.Fatal(err)
	}
	if err := s.ResetKiosk(ctx, "440106006", now); err != nil {
		t.Fatal(err)
	}
	st, err := s.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for k, c := range st.Counts {
		if c != 0 {
			t.Errorf("%d %s left after the reset", c, k)
		}
	}
	if st.KioskNumber != 0 || st.Cursor != 0 || st.LastSync != nil {
		t.Errorf("after the reset: %+v", st)
	}
	held("440106006")
	if tr, err := s.BundleTrust(ctx); err != nil || tr.Street != "440106006" || !tr.NewestIssuedAt.IsZero() {
		t.Errorf("bundles after the reset: %+v, %v", tr, err)
	}
	// A kiosk moved on purpose opens again as a new one, not as a
	// damaged file that lost its number and street.
	s2, err := OpenWith(ctx, path, Options{NoIndexer: true})
	if err != nil {
		t.Fatalf("reopen after the reset: %v", err)
	}
	s2.Close()
}
