package store

import (
	"context"
	"testing"

	"jiezhen/data"
)

func TestReplaceContent(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Options{})
	apply(t, s, 7,
		upsert(t, 6, data.KindNotice, "old", 1, notice("old", "旧通知标题", "旧的内容")),
		upsert(t, 7, data.KindNotice, "kept", 3, notice("kept", "保留通知", "原来的正文")))

	// A refused change leaves the old content and cursor exactly as they were.
	bad := data.Change{Kind: data.KindNotice, ID: "broken", Op: data.OpUpsert, Version: 1, Body: []byte(`{"id":`)}
	if _, err := s.ReplaceContent(ctx, []data.Change{
		upsert(t, 0, data.KindNotice, "new", 1, notice("new", "新通知标题", "新的内容")), bad,
	}); err == nil {
		t.Fatal("a batch with a broken body was applied")
	}
	if _, _, err := s.Get(ctx, data.KindNotice, "old"); err != nil {
		t.Fatalf("old content gone after a refused replace: %v", err)
	}
	if c, _ := s.Cursor(ctx, ContentFeed); c != 7 {
		t.Fatalf("cursor %d after a refused replace, want 7", c)
	}

	res, err := s.ReplaceContent(ctx, []data.Change{
		upsert(t, 0, data.KindNotice, "new", 1, notice("new", "新通知标题", "新的内容")),
		upsert(t, 0, data.KindNotice, "kept", 1, notice("kept", "保留通知", "替换后的正文")),
	})
	if err != nil || res.Upserted != 2 {
		t.Fatalf("replace: %+v, %v", res, err)
	}
	if _, _, err := s.Get(ctx, data.KindNotice, "old"); err == nil {
		t.Fatal("old item survived the replace")
	}
	// The version restarts with the replacement: the old version 3 is gone with the old content.
	if _, v, err := s.Get(ctx, data.KindNotice, "kept"); err != nil || v != 1 {
		t.Fatalf("kept: version %d, %v", v, err)
	}
	if c, _ := s.Cursor(ctx, ContentFeed); c != 0 {
		t.Fatalf("cursor %d after replace, want 0", c)
	}
	for q, want := range map[string]int{"旧通知标题": 0, "替换后的正文": 1, "新通知标题": 1} {
		got, err := s.Search(ctx, Query{Text: q})
		if err != nil || len(got.Hits) != want {
			t.Errorf("search %s: %d hits (%v), want %d", q, len(got.Hits), err, want)
		}
	}
}
