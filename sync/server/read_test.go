package server

import (
	"context"
	"errors"
	"testing"

	"jiezhen/data"
)

// A street's website reads its own content and the district's, never
// another street's, an unpublished item or staff accounts.
func TestStreetContent(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ids := func(kind data.Kind, street string) []string {
		t.Helper()
		its, err := e.p.StreetContent(ctx, kind, street)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, it := range its {
			out = append(out, it.ID)
		}
		return out
	}
	if got := ids(data.KindNotice, streetA); len(got) != 2 || got[0] != "n-a" || got[1] != "n-district" {
		t.Fatalf("street A's notices: %v, want [n-a n-district]", got)
	}
	if got := ids(data.KindNotice, streetB); len(got) != 2 || got[0] != "n-b" || got[1] != "n-district" {
		t.Fatalf("street B's notices: %v, want [n-b n-district]", got)
	}
	if _, err := e.p.Unpublish(ctx, data.KindNotice, "n-a"); err != nil {
		t.Fatal(err)
	}
	if got := ids(data.KindNotice, streetA); len(got) != 1 || got[0] != "n-district" {
		t.Fatalf("street A's notices after unpublishing n-a: %v", got)
	}
	if _, err := e.p.Content(ctx, data.KindNotice, "n-a"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unpublished notice: %v, want ErrNotFound", err)
	}
	it, err := e.p.Content(ctx, data.KindNotice, "n-b")
	if err != nil || it.Street != streetB {
		t.Fatalf("notice n-b: %+v %v", it, err)
	}
	if _, err := e.p.StreetContent(ctx, data.KindStaff, streetA); err == nil {
		t.Fatal("staff accounts were listed for the website")
	}
	if _, err := e.p.Content(ctx, data.KindStaff, "x"); err == nil {
		t.Fatal("a staff account was read for the website")
	}
	if _, _, err := e.p.FileData(ctx, "files/none.pdf"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a file not held: %v, want ErrNotFound", err)
	}
}
