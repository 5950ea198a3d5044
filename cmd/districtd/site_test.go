package main

import (
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"jiezhen/sync/wire"
)

// serve answers the street website at / beside the kiosks' API, and logs
// the website's address.
func TestServeWebsite(t *testing.T) {
	db := filepath.Join(t.TempDir(), "district.db")
	url, logs, stop := startServe(t, db, true, "", "")
	defer stop()
	get := func(path string) (*http.Response, string) {
		t.Helper()
		resp, err := http.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	resp, body := get("/")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, `href="/s/440106005/"`) {
		t.Fatalf("GET /: %d %q\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	if resp.Header.Get("Content-Security-Policy") == "" {
		t.Error("GET /: no Content-Security-Policy")
	}
	if resp, body := get("/s/440106005/"); resp.StatusCode != 200 || !strings.Contains(body, "天河南街道") {
		t.Fatalf("GET the street's home: %d", resp.StatusCode)
	}
	// The API is where it was, its unknown routes still answered in JSON.
	resp, body = get(wire.PathHealth)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", wire.PathHealth, resp.StatusCode)
	}
	resp, body = get("/api/v1/nothing")
	var e wire.Error
	if resp.StatusCode != 404 || json.Unmarshal([]byte(body), &e) != nil {
		t.Fatalf("GET /api/v1/nothing: %d %s", resp.StatusCode, body)
	}
	if !strings.Contains(logs.String(), "msg=website url="+url+"/") {
		t.Fatalf("the log does not give the website's address:\n%s", logs.String())
	}
}
