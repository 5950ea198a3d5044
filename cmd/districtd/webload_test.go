package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"jiezhen/data"
	"jiezhen/sync/server"
)

// TestWebLoadtest runs `loadtest --web` briefly against a running
// districtd and against a database it serves itself, browsing and filing
// appeals through the website's form at 20 a second: every filing gets
// its receipt and is one case in the database.
func TestWebLoadtest(t *testing.T) {
	if testing.Short() {
		t.Skip("runs simulated residents for seconds")
	}
	db := filepath.Join(t.TempDir(), "district.db")
	url, _, stop := startServe(t, db, true, "", "")
	lastFiled := 0
	check := func(out string, filings bool) webLoadResult {
		t.Helper()
		var res webLoadResult
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("report %q: %v", out, err)
		}
		t.Logf("web load test: %+v", res)
		if res.Residents != 20 || res.Requests < 20 || res.Errors != 0 || res.P99 <= 0 || res.Street == "" {
			t.Fatalf("web load test: %+v", res)
		}
		pages := []string{"home", "list", "item", "search"}
		if filings {
			pages = append(pages, "appeal-form", "appeal-post", "receipt")
			// 20 a second for 2 s; one in ten sent twice.
			if res.Sent != 40 || res.Filed != res.Sent || res.Resent != 4 || res.Lost != 0 || res.Doubled != 0 || res.Unanswered != 0 {
				t.Errorf("filings: %d sent, %d filed, %d resent, %d lost, %d doubled, %d unanswered",
					res.Sent, res.Filed, res.Resent, res.Lost, res.Doubled, res.Unanswered)
			}
			if n := webCaseCount(t, db); n != lastFiled+res.Filed {
				t.Errorf("%d website cases in the database after %d filings and %d before", n, res.Filed, lastFiled)
			}
			lastFiled += res.Filed
		}
		for _, page := range pages {
			if _, ok := res.PageP99[page]; !ok {
				t.Errorf("no %s page was loaded: %v", page, res.PageP99)
			}
			if _, ok := res.PageP50[page]; !ok {
				t.Errorf("no p50 of %s pages: %v", page, res.PageP50)
			}
		}
		return res
	}
	check(ok(t, "loadtest", "--web", "--url", url, "--db", db, "--residents", "20", "--duration", "2s", "--think", "20ms"), true)
	check(ok(t, "loadtest", "--web", "--url", url, "--residents", "20", "--duration", "1s", "--think", "20ms", "--filings", "0"), false)
	if err := stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	if res := check(ok(t, "loadtest", "--web", "--db", db, "--residents", "20", "--duration", "2s", "--think", "20ms"), true); res.URL == url {
		t.Errorf("--db alone loaded %s, the stopped server", url)
	}
	fails(t, 2, "give --db", "loadtest", "--web")
	fails(t, 2, "give --db", "loadtest", "--web", "--url", url)
	fails(t, 2, "above zero", "loadtest", "--web", "--db", db, "--residents", "0")
	fails(t, 2, "from 0 to 1000", "loadtest", "--web", "--db", db, "--filings", "-1")
}

// webCaseCount counts the cases the website filed in the district
// database at db.
func webCaseCount(t *testing.T, db string) int {
	t.Helper()
	st, err := server.OpenSQLite(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cases, err := server.New(st, server.Options{}).Cases(context.Background(), server.CaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range cases {
		if c.Case.Channel == data.ChannelWeb {
			n++
		}
	}
	return n
}
