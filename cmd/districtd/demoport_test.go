package main

import (
	"bufio"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"jiezhen/sync/wire"
)

// startDistrict runs scripts/district.sh's start_district with this test
// binary as districtd, preferring port, with JIEZHEN_PORT set to
// jiezhenPort unless that is "". Once it has started, the script prints
// the URL and waits for stdin to close, then stops districtd. It returns
// the URL ("" when the function failed) and a stop that closes stdin,
// waits for the script and returns what it said on stderr.
func startDistrict(t *testing.T, port, jiezhenPort string) (url string, stop func() string) {
	t.Helper()
	dir := t.TempDir()
	script := `source ../../scripts/district.sh || exit 3
start_district "$0" "$1" "$2" "$3" || exit 1
echo "$district_url"
read -r _
kill "$district_pid"
wait "$district_pid"`
	cmd := exec.Command("bash", "-c", script, os.Args[0], port, filepath.Join(dir, "district.db"), filepath.Join(dir, "districtd.log"))
	cmd.Env = append(os.Environ(), "DISTRICTD_TEST_MAIN=1", "JIEZHEN_PORT="+jiezhenPort)
	errb := &lockedBuffer{}
	cmd.Stderr = errb
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	line := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(out).ReadString('\n')
		line <- strings.TrimSpace(l)
		done <- cmd.Wait()
	}()
	stop = func() string {
		in.Close()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Error("the script did not stop districtd")
		}
		return errb.String()
	}
	select {
	case url = <-line:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("start_district did not return: %s", errb.String())
	}
	return url, stop
}

// portOf is the port of a listener the test holds.
func portOf(ln net.Listener) string {
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// The demo's district takes JIEZHEN_PORT if set, else the port it
// prefers if free, else a free one it names; when it cannot listen (a
// taken JIEZHEN_PORT) it fails with one line naming the address.
func TestDemoDistrictPort(t *testing.T) {
	if testing.Short() {
		t.Skip("runs bash and districtd")
	}
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	port := portOf(taken)

	health := func(url string) {
		t.Helper()
		resp, err := http.Get(url + wire.PathHealth)
		if err != nil {
			t.Fatalf("districtd at %s: %v", url, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("districtd at %s: health %d", url, resp.StatusCode)
		}
	}

	// The preferred port is taken: another, named.
	url, stop := startDistrict(t, port, "")
	if url == "" || strings.HasSuffix(url, ":"+port) {
		t.Fatalf("with port %s taken: url %q, stderr %q", port, url, stop())
	}
	health(url)
	says := stop()
	want := "demo: port " + port + " is taken by another program; districtd listens on " + strings.TrimPrefix(url, "http://") + " instead"
	if strings.Count(says, "\n") != 1 || !strings.HasPrefix(says, want) {
		t.Errorf("with port %s taken, stderr %q; want one line starting %q", port, says, want)
	}

	// JIEZHEN_PORT, free: that one, quietly, even with the preferred one taken.
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	freePort := portOf(free)
	free.Close()
	url, stop = startDistrict(t, port, freePort)
	if url != "http://127.0.0.1:"+freePort {
		t.Fatalf("JIEZHEN_PORT=%s: url %q, stderr %q", freePort, url, stop())
	}
	health(url)
	if says := stop(); says != "" {
		t.Errorf("JIEZHEN_PORT=%s: stderr %q, want nothing", freePort, says)
	}

	// JIEZHEN_PORT taken, or not a port: one line, no district.
	for jp, want := range map[string]string{
		port:    "demo: districtd did not start: districtd serve: cannot listen on 127.0.0.1:" + port + ": the address is in use",
		"http":  "demo: JIEZHEN_PORT=http is not a port number",
		"70000": "demo: JIEZHEN_PORT=70000 is not a port number",
	} {
		url, stop := startDistrict(t, freePort, jp)
		says := stop()
		if url != "" || strings.Count(says, "\n") != 1 || !strings.HasPrefix(says, want) {
			t.Errorf("JIEZHEN_PORT=%s: url %q, stderr %q; want none and one line starting %q", jp, url, says, want)
		}
	}
}
