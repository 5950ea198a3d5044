package data

import (
	"encoding/json"
	"testing"
)

// Every reply type counts in exactly one row of the annual report's
// table, every row with a reason has its reply type, and the seven older
// types keep their values and map as docs/REPORTS.md says.
func TestReplyTypeResults(t *testing.T) {
	reasons := map[ReplyResult]int{ResultWithheld: 8, ResultUnavailable: 3, ResultNotProcessed: 5, ResultOther: 3}
	seen := map[ReplyResult]map[int]bool{}
	for _, rt := range ReplyTypes {
		r, n, ok := rt.Result()
		if !ok {
			t.Fatalf("%s has no row", rt)
		}
		if rt.Label(ZH) == string(rt) || rt.Label(EN) == string(rt) {
			t.Errorf("%s has no label", rt)
		}
		if seen[r] == nil {
			seen[r] = map[int]bool{}
		}
		seen[r][n] = true
	}
	for r, want := range reasons {
		for i := 1; i <= want; i++ {
			if !seen[r][i] {
				t.Errorf("no reply type for %s reason %d", r, i)
			}
		}
	}
	old := map[ReplyType][2]any{
		"already_public": {ResultDisclosed, 0}, "disclosed": {ResultDisclosed, 0}, "not_disclosed": {ResultWithheld, 0},
		"not_exist": {ResultUnavailable, 1}, "not_held": {ResultUnavailable, 1}, "repeat": {ResultNotProcessed, 2},
		"registration": {ResultWithheld, 8},
	}
	for rt, want := range old {
		var got Reply
		if err := json.Unmarshal([]byte(`{"type":"`+string(rt)+`","text":"x"}`), &got); err != nil || got.Type != rt {
			t.Fatalf("%s does not decode: %v", rt, err)
		}
		if r, n, _ := rt.Result(); r != want[0] || n != want[1] {
			t.Errorf("%s counts in %s %d, want %v", rt, r, n, want)
		}
	}
	if _, _, ok := ReplyType("nonsense").Result(); ok {
		t.Error("an unknown type has a row")
	}
}

// The disclosure form, which the kiosk and the website both render, offers
// every kind of applicant the annual report counts apart.
func TestDisclosureFormOffersRequesters(t *testing.T) {
	for _, f := range DisclosureForm().Fields {
		if f.Code != CodeRequester {
			continue
		}
		if len(f.Choices) != 6 || f.Choices[0] != "person" || f.Choices[5] != "organisation" {
			t.Fatalf("choices %v", f.Choices)
		}
		return
	}
	t.Fatal("no requester field")
}
