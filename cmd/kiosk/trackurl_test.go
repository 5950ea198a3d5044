package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"jiezhen/cmd/internal/demo"
)

// A receipt's QR code opens the street website's tracking form: with
// `districtd serve --public-url` the kiosk learns its street's website
// with its content, `kiosk submit` prints track_url under it with the
// reference filled in and no personal data, and following it, then
// posting the four digits, shows the case's timeline on the website.
func TestReceiptTrackURLOpensTheTimeline(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs districtd")
	}
	bin := districtdBinary(t)
	dir := t.TempDir()
	districtDB, _ := demoDistrict(t, bin, dir)
	token, added := districtdRun(t, bin, "kiosk", "add", "--db", districtDB, "--street", demo.Street, "--name", "一号机")
	token = strings.TrimSpace(token)
	var kioskID int64
	if _, err := fmt.Sscanf(added, "districtd: kiosk %d added", &kioskID); err != nil {
		t.Fatalf("kiosk add said %q", added)
	}
	// The public address must be known before serve starts: a port the
	// OS picks, given to both flags.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	public := "http://" + addr
	base := districtdServe(t, bin, districtDB, "--addr", addr, "--public-url", public+"/")

	db := demoDB(t)
	sync := func() {
		t.Helper()
		if code, out, errs := kioskProcess(t, "sync", "--db", db, "--district", base, "--token", token, "--once"); code != 0 {
			t.Fatalf("kiosk sync: exit %d: %s %s", code, out, errs)
		}
	}
	sync()
	code, out, errs := kioskProcess(t, "submit", "--db", db, "--service", "440106005-SH-004",
		"--form", writeForm(t, reliefForm), "--kiosk", fmt.Sprint(kioskID))
	if code != 0 {
		t.Fatalf("submit: exit %d: %s", code, errs)
	}
	var r struct {
		Ref      string `json:"ref"`
		TrackURL string `json:"track_url"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	want := public + "/s/" + demo.Street + "/track?ref=" + url.QueryEscape(r.Ref)
	if r.TrackURL != want || strings.Contains(r.TrackURL, "5678") {
		t.Fatalf("track_url %q, want %q", r.TrackURL, want)
	}
	sync() // the case reaches the district

	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Get(r.TrackURL)
	if err != nil {
		t.Fatal(err)
	}
	form, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(form), `value="`+r.Ref+`"`) {
		t.Fatalf("the QR code's page: %d\n%s", resp.StatusCode, form)
	}
	// The form as a browser posts it; the client follows the 303.
	resp, err = client.PostForm(public+"/s/"+demo.Street+"/track", url.Values{"ref": {r.Ref}, "phone4": {"5678"}})
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(resp.Request.URL.Path, "/track/") || strings.Contains(resp.Request.URL.String(), "5678") {
		t.Fatalf("after the form: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	for _, s := range []string{r.Ref, "已接收", "王**", "139****5678"} {
		if !strings.Contains(string(page), s) {
			t.Fatalf("the timeline lacks %q\n%s", s, page)
		}
	}
}
