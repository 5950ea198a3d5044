package server

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"jiezhen/data"
)

// TestSearchBackfill: a database whose items have no search documents
// (published before the search tables existed) gets them when opened.
func TestSearchBackfill(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "district.db")
	st, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("testdata/content.json")
	if err != nil {
		t.Fatal(err)
	}
	set, err := data.ReadContentSet(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(st, Options{}).Publish(ctx, set); err != nil {
		t.Fatal(err)
	}
	st.Close()

	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"DELETE FROM search_fts", "DELETE FROM search_docs", "DELETE FROM search_counts"} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()

	st, err = OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p := New(st, Options{})
	for _, q := range []string{"天河南通知", "通知"} {
		groups, err := p.Search(ctx, streetA, q, 10)
		if err != nil {
			t.Fatal(err)
		}
		found := map[string]bool{}
		for _, g := range groups {
			for _, h := range g.Hits {
				found[h.ID] = true
			}
		}
		if !found["n-a"] || found["n-b"] {
			t.Errorf("%s after reopening: %v, want n-a and not n-b", q, found)
		}
	}
	h, err := p.StreetHome(ctx, streetA, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Notices) == 0 || len(h.Providers) == 0 {
		t.Errorf("the home after reopening: %+v", h)
	}

	// A changed item is found by its new text only, in the same write as
	// other items (the index entries are written at the write's end).
	for i := range set.Notices {
		if set.Notices[i].ID == "n-a" {
			set.Notices[i].Title = "天河南街道换了标题的通知"
		}
	}
	if _, err := p.Publish(ctx, set); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]bool{"天河南通知": false, "换了标题": true} {
		groups, err := p.Search(ctx, streetA, q, 10)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, g := range groups {
			for _, h := range g.Hits {
				found = found || h.ID == "n-a"
			}
		}
		if found != want {
			t.Errorf("%s after the change: n-a found %v, want %v", q, found, want)
		}
	}
}
