package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"jiezhen/sync/server"
)

// `districtd apikey add` as a real process prints a key that the Open311
// API of `districtd serve` takes: a POST with it files an appeal that
// `cases list` shows with channel open311; list and remove manage keys.
func TestAPIKey(t *testing.T) {
	db := published(t)
	cmd := districtdCommand("apikey", "add", "--db", db, "--name", "12345 热线")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil || !regexp.MustCompile(`^jz311_[A-Za-z0-9_-]{43}\n$`).MatchString(out.String()) ||
		!strings.Contains(errb.String(), "API key 1 (12345 热线) added") || !strings.Contains(errb.String(), "shown only this once") {
		t.Fatalf("apikey add: %v, stdout %q, stderr %q", err, out.String(), errb.String())
	}
	key := strings.TrimSpace(out.String())
	// Only the key's hash is stored.
	for _, f := range []string{db, db + "-wal"} {
		if b, _ := os.ReadFile(f); bytes.Contains(b, []byte(key[len("jz311_"):])) {
			t.Fatalf("%s holds the API key in clear", f)
		}
	}
	list := lines(ok(t, "apikey", "list", "--db", db))
	var k server.APIKey
	if len(list) != 1 || json.Unmarshal([]byte(list[0]), &k) != nil || k.ID != 1 || k.Name != "12345 热线" || strings.Contains(list[0], "jz311_") {
		t.Fatalf("apikey list: %q", list)
	}

	base, _, stop := startServe(t, db, false, "", "")
	post := func(key string) (int, string) {
		t.Helper()
		form := url.Values{"api_key": {key}, "jurisdiction_id": {"440106005"}, "service_code": {"appeal-complaint"},
			"description": {"楼道堆放杂物"}, "address_string": {"天河南一路12号"}, "attribute[public]": {"no"}}
		resp, err := http.PostForm(base+"/open311/v2/requests.json", form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, body := post(key)
	var posted []struct {
		ID string `json:"service_request_id"`
	}
	if status != 200 || json.Unmarshal([]byte(body), &posted) != nil || len(posted) != 1 {
		t.Fatalf("POST requests.json: %d %s", status, body)
	}
	if status, body := post("jz311_wrong"); status != 401 || !strings.HasPrefix(body, `[{"code":401,"description":"the api_key is missing, unknown or removed`) {
		t.Errorf("POST with a wrong key: %d %s", status, body)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	cases := caseLines(t, ok(t, "cases", "--db", db, "list"))
	if len(cases) != 1 {
		t.Fatalf("cases list: %v", cases)
	}
	for _, c := range cases {
		if c["ref"] != posted[0].ID || c["channel"] != "open311" || c["kind"] != "appeal" || c["status"] != "received" || c["appeal_type"] != "complaint" {
			t.Errorf("cases list shows %v", c)
		}
	}

	fails(t, 1, `there is an API key named "12345 热线" already`, "apikey", "add", "--db", db, "--name", "12345 热线")
	fails(t, 2, "missing --name", "apikey", "add", "--db", db)
	fails(t, 2, "is not a number", "apikey", "remove", "--db", db, "one")
	fails(t, 1, "there is no API key 9", "apikey", "remove", "--db", db, "9")
	fails(t, 2, "unknown subcommand", "apikey", "revoke", "--db", db)
	if out := ok(t, "apikey", "remove", "--db", db, "1"); !strings.Contains(out, "API key 1 removed") {
		t.Errorf("apikey remove: %q", out)
	}
	if out := ok(t, "apikey", "list", "--db", db); out != "" {
		t.Errorf("apikey list after remove: %q", out)
	}
}
