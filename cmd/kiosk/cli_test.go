package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"jiezhen/cmd/internal/demo"
	"jiezhen/data"
)

// The test binary doubles as the kiosk binary: with KIOSK_TEST_MAIN set it
// runs the command line it was given, so tests can watch a real process
// (exit status, stderr, the file on disk) without building the Fyne app.
func TestMain(m *testing.M) {
	if os.Getenv("KIOSK_TEST_MAIN") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// kiosk runs the command in-process and returns its exit status and output.
func kiosk(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// kioskProcess runs the command as a separate process with a C.UTF-8 locale.
func kioskProcess(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return kioskProcessCtx(t, context.Background(), args...)
}

// kioskProcessCtx is kioskProcess killing the process when ctx ends.
func kioskProcessCtx(t *testing.T, ctx context.Context, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(os.Environ(), "KIOSK_TEST_MAIN=1", "LANG=C.UTF-8", "LC_ALL=")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, out.String(), errb.String()
}

func demoDB(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "kiosk.db")
	if code, _, errs := kiosk(t, "demo", "--db", db); code != 0 {
		t.Fatalf("demo: exit %d: %s", code, errs)
	}
	return db
}

func jsonLines(t *testing.T, s string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var v map[string]any
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("not a JSON line: %q: %v", sc.Text(), err)
		}
		out = append(out, v)
	}
	return out
}

func TestDemoThenStatusCountsEveryKind(t *testing.T) {
	db := demoDB(t)
	all, err := demo.Content(data.DateOf(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	set := all.Scope(demo.Street)
	if len(set.Notices) == len(all.Notices) || len(set.Providers) == len(all.Providers) {
		t.Fatal("the demo content has no second street to leave out")
	}
	want := map[string]int{
		"notice": len(set.Notices), "catalog": len(set.Catalog), "service": len(set.Services),
		"provider": len(set.Providers), "consultation": len(set.Consultations),
		"calendar": len(set.Calendars), "street": len(set.Streets),
	}
	code, out, errs := kiosk(t, "status", "--db", db)
	if code != 0 {
		t.Fatalf("status: exit %d: %s", code, errs)
	}
	var st struct {
		SchemaVersion int            `json:"schema_version"`
		Counts        map[string]int `json:"counts"`
		OutboxPending *int           `json:"outbox_pending"`
		DeadLetters   *int           `json:"dead_letters"`
		Cursor        *int64         `json:"cursor"`
		LastSync      *string        `json:"last_sync"`
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil || strings.Count(out, "\n") != 1 {
		t.Fatalf("status is not one JSON object: %q (%v)", out, err)
	}
	for k, n := range want {
		if st.Counts[k] != n {
			t.Errorf("count of %s = %d, want %d", k, st.Counts[k], n)
		}
	}
	if st.SchemaVersion < 1 || st.OutboxPending == nil || *st.OutboxPending != 0 || st.DeadLetters == nil || st.Cursor == nil {
		t.Errorf("status fields missing or wrong: %s", out)
	}
	if st.LastSync != nil {
		t.Errorf("last_sync = %q before any sync, want null", *st.LastSync)
	}
}

func TestDemoRefusesNonEmptyUnlessReplace(t *testing.T) {
	db := demoDB(t)
	code, _, errs := kiosk(t, "demo", "--db", db)
	if code == 0 || !strings.Contains(errs, "--replace") || strings.Count(errs, "\n") != 1 {
		t.Fatalf("second demo: exit %d, stderr %q; want a one-line refusal naming --replace", code, errs)
	}
	code, out, errs := kiosk(t, "demo", "--replace", "--db", db)
	if code != 0 {
		t.Fatalf("demo --replace: exit %d: %s", code, errs)
	}
	_, st, _ := kiosk(t, "status", "--db", db)
	_, out2, _ := kiosk(t, "status", "--db", demoDB(t))
	if !strings.Contains(out, `"loaded"`) || st != out2 {
		t.Fatalf("after --replace status %s, want the same as a fresh demo %s", st, out2)
	}
}

func TestSearch(t *testing.T) {
	db := demoDB(t)
	code, out, errs := kiosk(t, "search", "--db", db, "居住登记")
	if code != 0 {
		t.Fatalf("search: exit %d: %s", code, errs)
	}
	hits := jsonLines(t, out)
	if len(hits) == 0 {
		t.Fatal("no hits for 居住登记")
	}
	for _, h := range hits {
		for _, f := range []string{"kind", "id", "title", "snippet"} {
			if _, ok := h[f]; !ok {
				t.Fatalf("hit lacks %q: %v", f, h)
			}
		}
	}
	if hits[0]["id"] != "svc-juzhu-dengji" {
		t.Errorf("best hit for 居住登记 is %v, want the service svc-juzhu-dengji", hits[0]["id"])
	}

	// Flags after the query, a kind filter and a two-character query.
	code, out, _ = kiosk(t, "search", "饭堂", "--kind", "provider", "--db", db)
	hits = jsonLines(t, out)
	if code != 0 || len(hits) == 0 {
		t.Fatalf("search 饭堂 --kind provider: exit %d, %d hits", code, len(hits))
	}
	for _, h := range hits {
		if h["kind"] != "provider" {
			t.Fatalf("kind filter let through %v", h)
		}
	}
}

// A search that finds nothing prints nothing on stdout, says so in one
// line on stderr and succeeds: no hits is an answer, not a failure.
func TestSearchWithoutHitsSaysSo(t *testing.T) {
	db := demoDB(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"search", "--db", db, "火星登月申请"}, `kiosk: no item matches "火星登月申请"`},
		{[]string{"search", "--db", db, "--kind", "provider", "居住登记"}, `kiosk: no provider matches "居住登记"`},
	} {
		code, out, errs := kioskProcess(t, tc.args...)
		if code != 0 || out != "" || errs != tc.want+"\n" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 0, nothing and %q", tc.args, code, out, errs, tc.want)
		}
	}
	// Hits: nothing on stderr.
	if code, out, errs := kioskProcess(t, "search", "--db", db, "居住登记"); code != 0 || out == "" || errs != "" {
		t.Errorf("search with hits: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

func TestShowServiceHasGuideAndForm(t *testing.T) {
	db := demoDB(t)
	code, out, errs := kiosk(t, "show", "--db", db, "service", "svc-juzhu-dengji")
	if code != 0 {
		t.Fatalf("show: exit %d: %s", code, errs)
	}
	var svc data.ServiceItem
	if err := json.Unmarshal([]byte(out), &svc); err != nil {
		t.Fatal(err)
	}
	if svc.Name == "" || len(svc.Materials) == 0 || len(svc.Procedure) == 0 || len(svc.Form.Fields) == 0 {
		t.Fatalf("service shown without its guide or form: %+v", svc)
	}
	if code, _, errs := kiosk(t, "show", "--db", db, "notice", "no-such-id"); code != 1 || !strings.Contains(errs, "no-such-id") {
		t.Fatalf("missing item: exit %d, %q", code, errs)
	}
}

func TestUsageErrors(t *testing.T) {
	db := demoDB(t)
	for _, args := range [][]string{
		{"status"},
		{"search", "--db", db},
		{"search", "--db", db, "--kind", "nonsense", "街道"},
		{"show", "--db", db, "service"},
		{"show", "--db", db, "gadget", "x"},
		{"status", "--db", db, "--frobnicate"},
		{"frobnicate"},
		{"demo", "--db", filepath.Join(t.TempDir(), "new.db"), "--street", "000000000"},
		{"show", "--db", db, "staff", "x"},
		{"search", "--db", db, "--kind", "staff", "李"},
		{"--db", db, "--outbox-recipient", "age1nonsense"},
		{"--db", db, "--printer", "usb/lp0"},
		{"--db", db, "--printer", t.TempDir()},
		{"--db", db, "--printer", "cups:front desk"},
		{"--db", db, "--printer", "/dev/usb/lp0", "--printer-width", "500"},
		{"--db", db, "--printer-width", "384"},
	} {
		code, _, errs := kiosk(t, args...)
		if code != 2 || strings.Count(errs, "\n") != 1 || !strings.HasPrefix(errs, "kiosk: ") {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line", args, code, errs)
		}
	}
}

// A file that is not a kiosk database is refused with one line naming it,
// and nothing about the file changes.
func TestBadDatabaseFileIsLeftAlone(t *testing.T) {
	dir := t.TempDir()
	cases := map[string][]byte{
		"text.db":      []byte("these are somebody's notes, not a database\n"),
		"garbage.db":   append([]byte("SQLite format 3\x00"), bytes.Repeat([]byte{0xA5}, 8192)...),
		"truncated.db": []byte("SQLite format 3\x00\x10\x00"),
	}
	for name, content := range cases {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, content, 0o644); err != nil {
			t.Fatal(err)
		}
		old := time.Now().Add(-time.Hour).Truncate(time.Second)
		os.Chtimes(path, old, old)
		for _, cmd := range []string{"status", "demo"} {
			code, out, errs := kioskProcess(t, cmd, "--db", path)
			if code == 0 || out != "" {
				t.Errorf("%s %s: exit %d, stdout %q", cmd, name, code, out)
			}
			if strings.Count(errs, "\n") != 1 || !strings.Contains(errs, path) {
				t.Errorf("%s %s: stderr %q; want one line naming the file", cmd, name, errs)
			}
		}
		got, _ := os.ReadFile(path)
		fi, _ := os.Stat(path)
		if !bytes.Equal(got, content) || !fi.ModTime().Equal(old) {
			t.Errorf("%s was modified", name)
		}
		for _, suffix := range []string{"-wal", "-shm", "-journal"} {
			if _, err := os.Stat(path + suffix); err == nil {
				t.Errorf("%s%s was created", name, suffix)
			}
		}
	}
}

// A database written by a newer kiosk is refused and left as it was.
func TestNewerSchemaIsRefused(t *testing.T) {
	db := demoDB(t)
	conn, err := sql.Open("sqlite", "file:"+db+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), "PRAGMA user_version = 999"); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	before, _ := os.ReadFile(db)
	code, _, errs := kioskProcess(t, "status", "--db", db)
	if code == 0 || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, "999") {
		t.Fatalf("exit %d, stderr %q; want a one-line refusal naming version 999", code, errs)
	}
	after, _ := os.ReadFile(db)
	if !bytes.Equal(before, after) {
		t.Fatal("database modified")
	}
}
