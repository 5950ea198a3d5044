package server

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/data/synth"
	"jiezhen/sync/wire"
)

// TestEncodePage: a page written by encodePage is byte for byte what
// encoding/json writes, and the feed's bodies take the fast way.
func TestEncodePage(t *testing.T) {
	now := time.Date(2026, 11, 26, 8, 30, 0, 0, time.UTC)
	body := func(s string) json.RawMessage { return json.RawMessage(s) }
	del := data.Change{Seq: 9, Kind: data.KindNotice, ID: "gone", Op: data.OpDelete, Version: 3}
	cases := []struct {
		name string
		page wire.PullResponse
		fast bool
	}{
		{"feed", wire.PullResponse{Changes: synth.Changes(500, 4), Next: 500, More: true, Behind: 42, ServerTime: now}, true},
		{"empty", wire.PullResponse{Changes: []data.Change{}, Next: 7, ServerTime: now}, true},
		{"nil changes", wire.PullResponse{Next: 7}, false},
		{"delete and reset", wire.PullResponse{Changes: []data.Change{del}, CasesNext: 4, Reset: &wire.Reset{Scope: "440106005", Reason: "<refetch> & more"}}, true},
		{"spaces in a body", wire.PullResponse{Changes: []data.Change{{Seq: 1, Kind: data.KindNotice, ID: "a", Op: data.OpUpsert, Version: 1, Body: body(`{"id": "a"}`)}}}, false},
		{"html in a body", wire.PullResponse{Changes: []data.Change{{Seq: 1, Kind: data.KindNotice, ID: "a", Op: data.OpUpsert, Version: 1, Body: body(`{"title":"a<b>&c"}`)}}}, false},
		{"line separator in a body", wire.PullResponse{Changes: []data.Change{{Seq: 1, Kind: data.KindNotice, ID: "a", Op: data.OpUpsert, Version: 1, Body: body("{\"title\":\"a\u2028b\"}")}}}, false},
		{"escapes in a body", wire.PullResponse{Changes: []data.Change{{Seq: 1, Kind: data.KindNotice, ID: "a<>", Op: data.OpUpsert, Version: 1, Body: body(`{"title":"\u505c\n\"x\""}`)}, del}}, true},
	}
	for _, c := range cases {
		var want bytes.Buffer
		if err := json.NewEncoder(&want).Encode(c.page); err != nil {
			t.Fatal(err)
		}
		got, fast := encodePage(nil, c.page)
		if fast != c.fast {
			t.Errorf("%s: fast %v, want %v", c.name, fast, c.fast)
		}
		if fast && !bytes.Equal(got, want.Bytes()) {
			t.Errorf("%s: encodePage writes\n%.300s\nencoding/json\n%.300s", c.name, got, want.Bytes())
		}
	}
}
