package wire

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestPullQueryRoundTrip(t *testing.T) {
	cases := int64(7)
	for _, in := range []PullRequest{
		{After: 42, Limit: 10, Street: "440106005"},
		{After: 42, Limit: 10, CasesAfter: &cases, Count: true},
	} {
		out, err := ParsePullQuery(in.Query())
		if err != nil || !reflect.DeepEqual(out, in) {
			t.Fatalf("got %+v, %v; want %+v", out, err, in)
		}
	}
}

func TestParsePullQuery(t *testing.T) {
	for _, tc := range []struct {
		query string
		want  PullRequest
		bad   bool
	}{
		{"", PullRequest{Limit: DefaultLimit}, false},
		{"after=7&limit=5000", PullRequest{After: 7, Limit: MaxLimit}, false},
		{"after=-1", PullRequest{}, true},
		{"after=x", PullRequest{}, true},
		{"limit=0", PullRequest{}, true},
		{"after=5&cases_after=6", PullRequest{}, true},
		{"cases_after=-1", PullRequest{}, true},
		{"count=yes", PullRequest{}, true},
	} {
		q, _ := url.ParseQuery(tc.query)
		got, err := ParsePullQuery(q)
		if (err != nil) != tc.bad {
			t.Errorf("%q: error %v, want bad=%v", tc.query, err, tc.bad)
			continue
		}
		if !tc.bad && !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: got %+v, want %+v", tc.query, got, tc.want)
		}
	}
}

func TestDecodePushRequest(t *testing.T) {
	item := func(id, kind, body string) string {
		return fmt.Sprintf(`{"id":%q,"kind":%q,"body":%s}`, id, kind, body)
	}
	many := make([]string, MaxBatch+1)
	for i := range many {
		many[i] = item(fmt.Sprint("id", i), "opinion", "{}")
	}
	for _, tc := range []struct {
		name, body, want, item string
	}{
		{"ok", `{"items":[` + item("a", "case", `{"kind":"appeal"}`) + `]}`, "", ""},
		{"not json", `{"items":[`, "ends too early", ""},
		{"trailing", `{"items":[` + item("a", "case", "{}") + `]} {}`, "more after", ""},
		{"empty", `{"items":[]}`, "no items", ""},
		{"too many", `{"items":[` + strings.Join(many, ",") + `]}`, "more than the limit of 500", ""},
		{"unknown kind", `{"items":[` + item("a", "petition", "{}") + `]}`, `unknown kind "petition"`, "a"},
		{"twice", `{"items":[` + item("a", "case", "{}") + "," + item("a", "case", "{}") + `]}`, "used twice", "a"},
		{"no id", `{"items":[` + item("", "case", "{}") + `]}`, "no id", ""},
		{"spaces in id", `{"items":[` + item("a b", "case", "{}") + `]}`, "may hold only letters, digits", ""},
		{"path as id", `{"items":[` + item("../../etc/passwd", "case", "{}") + `]}`, "may hold only letters, digits", ""},
		{"markup as id", `{"items":[` + item("<script>", "case", "{}") + `]}`, "may hold only letters, digits", ""},
		{"array body", `{"items":[` + item("a", "case", "[]") + `]}`, "not a JSON object", "a"},
		{"base version on a case", `{"items":[{"id":"a","kind":"case","body":{},"base_version":3}]}`, "only for staff edits", "a"},
	} {
		req, err := DecodePushRequest(strings.NewReader(tc.body))
		if tc.want == "" {
			if err != nil || len(req.Items) != 1 {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to say %q", tc.name, err, tc.want)
			continue
		}
		var ie *ItemError
		if tc.item != "" && (!errors.As(err, &ie) || ie.Item != tc.item) {
			t.Errorf("%s: error %v does not name item %q", tc.name, err, tc.item)
		}
	}
}

// A decoding error must not echo what was sent: it may be personal data.
func TestDecodeErrorDoesNotEcho(t *testing.T) {
	_, err := DecodePushRequest(strings.NewReader(`{"items":[{"id":"a","kind":"case","body":{"applicant":{"id_number":"44010619900101123X"}}}`))
	if err == nil || strings.Contains(err.Error(), "4401") {
		t.Fatalf("error %v", err)
	}
	_, err = DecodePushRequest(strings.NewReader(`{"items": "44010619900101123X"}`))
	if err == nil || strings.Contains(err.Error(), "4401") {
		t.Fatalf("error %v", err)
	}
}

func TestResultJSON(t *testing.T) {
	first := PushResult{ID: "a", Outcome: Accepted, Ref: "R1", At: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	b, _ := json.Marshal(PushResult{ID: "a", Outcome: Duplicate, First: &first})
	want := `{"id":"a","outcome":"duplicate","first":{"id":"a","outcome":"accepted","ref":"R1","at":"2026-01-02T03:04:05Z"}}`
	if string(b) != want {
		t.Fatalf("got %s\nwant %s", b, want)
	}
}
