package store

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"jiezhen/data"
)

func TestQueueCorrection(t *testing.T) {
	s, _ := openTest(t, Options{})
	ctx := context.Background()
	feedCase := func(seq int64, id, ref string, kind data.CaseKind, status data.Status) data.Change {
		return upsert(t, seq, data.KindCase, id, seq, data.Case{ID: id, Ref: ref, Kind: kind, Status: status})
	}
	if _, err := s.ApplyPage(ctx, "district", []data.Change{
		feedCase(1, "app-1", "001-136-01B", data.CaseApplication, data.StatusCorrection),
		feedCase(2, "appeal-1", "001-136-02C", data.CaseAppeal, data.StatusReceived),
	}, 2, 2, time.Time{}); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		ref  string
		corr data.Correction
		want error
	}{
		{"app-1", data.Correction{Note: "  "}, ErrNothingSupplied},
		{"appeal-1", data.Correction{Note: "x"}, ErrNotInCorrection},
		{"nope", data.Correction{Note: "x"}, ErrNotFound},
	} {
		if _, err := s.QueueCorrection(ctx, c.ref, c.corr, at); !errors.Is(err, c.want) {
			t.Errorf("%s %+v: %v, want %v", c.ref, c.corr, err, c.want)
		}
	}
	if _, err := s.QueueCorrection(ctx, "app-1", data.Correction{Information: "2025年"}, at); err == nil {
		t.Error("an application's correction restating information passes")
	}
	if n, _ := s.OutboxCount(ctx); n != 0 {
		t.Fatalf("refused corrections queued %d items", n)
	}
	// By reference, as the resident tracks it.
	id, err := s.QueueCorrection(ctx, "001-136-01B", data.Correction{Case: "ignored", Values: data.FormValues{"name": "李思"}, Note: " 已核对 "}, at)
	if err != nil {
		t.Fatal(err)
	}
	items, _ := s.Pending(ctx, 0)
	if len(items) != 1 || items[0].ID != id || items[0].Kind != data.ItemCorrection || !items[0].CreatedAt.Equal(at) {
		t.Fatalf("outbox: %+v", items)
	}
	var got data.Correction
	if err := json.Unmarshal(items[0].Body, &got); err != nil || got.Case != "app-1" || got.Values["name"] != "李思" || got.Note != "已核对" {
		t.Fatalf("queued body %s: %v", items[0].Body, err)
	}
	if q, err := s.CorrectionQueued(ctx, "app-1"); err != nil || !q {
		t.Fatalf("CorrectionQueued: %v %v", q, err)
	}
	if _, err := s.QueueCorrection(ctx, "app-1", data.Correction{Note: "again"}, at); !errors.Is(err, ErrCorrectionQueued) {
		t.Fatalf("a second correction while one waits: %v", err)
	}
	if q, _ := s.CorrectionQueued(ctx, "appeal-1"); q {
		t.Fatal("CorrectionQueued for another case")
	}
}
