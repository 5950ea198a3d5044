package main

import (
	"encoding/json"
	"path/filepath"
	"testing"
)

// TestWebLoadtest runs `loadtest --web` briefly against a running
// districtd and against a database it serves itself.
func TestWebLoadtest(t *testing.T) {
	if testing.Short() {
		t.Skip("runs simulated residents for seconds")
	}
	db := filepath.Join(t.TempDir(), "district.db")
	url, _, stop := startServe(t, db, true, "", "")
	check := func(out string) webLoadResult {
		t.Helper()
		var res webLoadResult
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("report %q: %v", out, err)
		}
		t.Logf("web load test: %+v", res)
		if res.Residents != 20 || res.Requests < 20 || res.Errors != 0 || res.P99 <= 0 || res.Street == "" {
			t.Fatalf("web load test: %+v", res)
		}
		for _, page := range []string{"home", "list", "item", "search"} {
			if _, ok := res.PageP99[page]; !ok {
				t.Errorf("no %s page was loaded: %v", page, res.PageP99)
			}
		}
		return res
	}
	check(ok(t, "loadtest", "--web", "--url", url, "--residents", "20", "--duration", "2s", "--think", "20ms"))
	if err := stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	if res := check(ok(t, "loadtest", "--web", "--db", db, "--residents", "20", "--duration", "2s", "--think", "20ms")); res.URL == url {
		t.Errorf("--db alone loaded %s, the stopped server", url)
	}
	fails(t, 2, "give --url", "loadtest", "--web")
	fails(t, 2, "above zero", "loadtest", "--web", "--db", db, "--residents", "0")
}
