package wire

import (
	"bytes"
	"encoding/json"
	"net/url"
	"testing"
)

// FuzzDecodePushRequest: whatever a client sends, decoding never panics,
// and what it accepts passes Check and survives a round trip.
func FuzzDecodePushRequest(f *testing.F) {
	for _, seed := range []string{
		`{"items":[{"id":"a","kind":"case","body":{"kind":"appeal"}}]}`,
		`{"items":[{"id":"a","kind":"staff_edit","body":{},"base_version":3}]}`,
		`{"items":[]}`,
		`{"items":[{"id":"a","kind":"rating","body":{"case":"c","rating":5}},{"id":"b","kind":"opinion","body":{}}]}`,
		`[]`, `{`, ``, `{"items":null}`, `{"items":[{"id":"\u0000","kind":"case","body":{}}]}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		req, err := DecodePushRequest(bytes.NewReader(b))
		if err != nil {
			if req != nil {
				t.Fatal("a request with an error")
			}
			return
		}
		if err := req.Check(); err != nil {
			t.Fatalf("decoded request fails Check: %v", err)
		}
		again, err := json.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := DecodePushRequest(bytes.NewReader(again)); err != nil {
			t.Fatalf("re-encoded request does not decode: %v", err)
		}
	})
}

// FuzzParsePullQuery: any query either parses to a request within the
// limits or is refused.
func FuzzParsePullQuery(f *testing.F) {
	for _, seed := range []string{"after=0", "after=12&limit=50", "limit=99999", "after=-1", "after=9223372036854775808", "street=x&street=y", "after=9&cases_after=3&count=1"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := url.ParseQuery(s)
		if err != nil {
			return
		}
		r, err := ParsePullQuery(q)
		if err != nil {
			return
		}
		if r.After < 0 || r.Limit < 1 || r.Limit > MaxLimit || (r.CasesAfter != nil && (*r.CasesAfter < 0 || *r.CasesAfter > r.After)) {
			t.Fatalf("%q parsed to %+v", s, r)
		}
	})
}
