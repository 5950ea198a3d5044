package client

import (
	"encoding/json"
	"reflect"
	"testing"

	"jiezhen/data"
	"jiezhen/data/synth"
	"jiezhen/sync/wire"
)

// TestPageSchema: pull pages are read by fastjson, into what
// encoding/json gives.
func TestPageSchema(t *testing.T) {
	if pageSchema == nil {
		t.Fatal("wire.PullResponse has no fastjson schema")
	}
	for _, p := range []wire.PullResponse{
		{Changes: synth.Changes(300, 9), Next: 300, More: true, Behind: 7},
		{Changes: []data.Change{}, Next: 5, CasesNext: 4, Reset: &wire.Reset{Scope: "440106005", Reason: "refetch"}},
	} {
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		var fast, want wire.PullResponse
		if !pageSchema.Decode(b, &fast) {
			t.Fatal("page not read by fastjson")
		}
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(fast, want) {
			t.Errorf("fastjson gives %+v, encoding/json %+v", fast, want)
		}
	}
}
