package client

import (
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
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

// TestReadAnswer: an answer of announced length is read whole into one
// buffer of that length; one longer than announced, or cut short, is an
// error (the attempt is retried); without a length it is read up to the
// limit.
func TestReadAnswer(t *testing.T) {
	resp := func(body string, length int64) *http.Response {
		return &http.Response{Body: io.NopCloser(strings.NewReader(body)), ContentLength: length}
	}
	b, err := readAnswer(resp(`{"next":3}`, 10))
	if err != nil || string(b) != `{"next":3}` || cap(b) != 11 {
		t.Fatalf("announced: %q (cap %d), %v", b, cap(b), err)
	}
	if _, err := readAnswer(resp(`{"next":3}xx`, 10)); err == nil {
		t.Fatal("an answer longer than announced was taken")
	}
	if _, err := readAnswer(resp(`{"next"`, 10)); err == nil {
		t.Fatal("an answer cut short was taken")
	}
	if b, err := readAnswer(resp(`{"next":4}`, -1)); err != nil || string(b) != `{"next":4}` {
		t.Fatalf("unannounced: %q, %v", b, err)
	}
	big := strings.Repeat("x", maxResponse+10)
	if b, err := readAnswer(resp(big, -1)); err != nil || len(b) != maxResponse+1 {
		t.Fatalf("unannounced, over the limit: %d bytes, %v (want the limit plus one, for the caller to refuse)", len(b), err)
	}
}
