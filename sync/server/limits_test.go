package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"jiezhen/data"
	"jiezhen/sync/wire"
)

// A push whose values are long (a reference of 200 characters, the most
// its field takes, which the district replaces and logs; a long path; a
// long Content-Type) leaves no log line longer than a few lines' worth:
// every value the district logs is cut at a character boundary, with a
// mark.
func TestLogValuesAreCut(t *testing.T) {
	e := newEnv(t)
	item := appeal(t, "case-huge-ref", streetA)
	var c data.Case
	if err := json.Unmarshal(item.Body, &c); err != nil {
		t.Fatal(err)
	}
	c.Ref = "0" + strings.Repeat("参", 199) // 598 bytes; the cut falls inside a character
	item.Body = mustJSON(t, c)
	e.push(e.tokA1, item)
	e.doTyped("POST", wire.PathPush, e.tokA1, "text/plain; "+strings.Repeat("x", 8000), []byte(`{}`))
	e.do("GET", "/api/v1/"+strings.Repeat("n", 8000), e.tokA1, nil)

	const maxLine = 4096
	logs := e.logs.String()
	for _, line := range strings.Split(logs, "\n") {
		if len(line) > maxLine {
			t.Errorf("a log line of %d bytes: %.300s...", len(line), line)
		}
		var v map[string]any
		if line != "" && (json.Unmarshal([]byte(line), &v) != nil || !utf8.ValidString(line)) {
			t.Errorf("a log line that is not valid JSON in UTF-8: %.300s", line)
		}
	}
	if !strings.Contains(logs, "case reference replaced") || !strings.Contains(logs, "more bytes)") {
		t.Fatalf("the replaced reference is not logged, or not cut:\n%.2000s", logs)
	}
}

// The JSON endpoint takes only JSON: another Content-Type, or none, is
// refused with 415 in the district's error envelope and nothing is
// stored; application/json with charset=utf-8 is JSON.
func TestPushRefusesOtherContentTypes(t *testing.T) {
	e := newEnv(t)
	body, err := json.Marshal(wire.PushRequest{Items: []wire.PushItem{appeal(t, "case-typed", streetA)}})
	if err != nil {
		t.Fatal(err)
	}
	for _, ct := range []string{"text/plain", "text/plain; charset=utf-8", "", "application/x-www-form-urlencoded",
		"multipart/form-data; boundary=x", "application/json; charset=iso-8859-1", "application/jsonx", "application/json;;"} {
		status, resp := e.doTyped("POST", wire.PathPush, e.tokA1, ct, body)
		if status != http.StatusUnsupportedMediaType {
			t.Errorf("Content-Type %q: %d %s, want 415", ct, status, resp)
			continue
		}
		if we := errorBody(t, resp); !strings.Contains(we.Message, "application/json") {
			t.Errorf("Content-Type %q: the refusal says %q", ct, we.Message)
		}
	}
	if n := e.count("ledger") + e.count("cases"); n != 0 {
		t.Fatalf("%d rows stored by refused requests", n)
	}
	for _, ct := range []string{"application/json", "application/json; charset=utf-8", "Application/JSON; charset=UTF-8"} {
		if status, resp := e.doTyped("POST", wire.PathPush, e.tokA1, ct, body); status != http.StatusOK {
			t.Errorf("Content-Type %q: %d %s", ct, status, resp)
		}
	}
	if n := e.count("cases"); n != 1 {
		t.Fatalf("%d cases after the accepted pushes, want 1", n)
	}
}
