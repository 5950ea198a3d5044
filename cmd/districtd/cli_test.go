package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/sync/bundle"
	"jiezhen/sync/server"
	"jiezhen/sync/wire"
)

const content = "../../sync/server/testdata/content.json"

// districtd runs the command in-process.
func districtd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(withDataKey(args), &out, &errb)
	return code, out.String(), errb.String()
}

// ok runs a command that must succeed and returns its stdout.
func ok(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errs := districtd(t, args...)
	if code != 0 {
		t.Fatalf("districtd %s: exit %d: %s", strings.Join(args, " "), code, errs)
	}
	return out
}

// fails runs a command that must fail with one line on stderr that says
// want, nothing on stdout, and the given exit code.
func fails(t *testing.T, code int, want string, args ...string) {
	t.Helper()
	got, out, errs := districtd(t, args...)
	if got != code || out != "" || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, want) {
		t.Errorf("districtd %s: exit %d, stdout %q, stderr %q; want exit %d and one line saying %q",
			strings.Join(args, " "), got, out, errs, code, want)
	}
}

func lines(s string) []string {
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// published returns a database with the test content.
// useTestKey has p seal with the data key file beside db, as
// 'districtd cases' does.
func useTestKey(t *testing.T, p *server.Platform, db string) {
	t.Helper()
	kf, err := server.ReadKeyFile(dataKeyFile(db))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.UseKeyFile(context.Background(), kf); err != nil {
		t.Fatal(err)
	}
}

// published is a district database with the test content, and its data
// key file beside it where the commands look by default.
func published(t *testing.T) string {
	t.Helper()
	db := newDB(t)
	ok(t, "publish", "--db", db, content)
	ok(t, "datakey", "create", "--out", dataKeyFile(db))
	return db
}

// publishedFile is published on a SQLite file whatever the engine.
func publishedFile(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "district.db")
	ok(t, "publish", "--db", db, content)
	ok(t, "datakey", "create", "--out", db+".key")
	return db
}

func TestStreets(t *testing.T) {
	db := published(t)
	out := ok(t, "streets", "--db", db)
	want := []string{`{"code":"440106005","name":"天河南街道"}`, `{"code":"440106006","name":"林和街道"}`}
	if got := lines(out); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("streets:\n%s", out)
	}
	fails(t, 1, "does not exist", "streets", "--db", filepath.Join(t.TempDir(), "typo.db"))
	fails(t, 2, "missing --db", "streets")
	fails(t, 2, "unexpected argument", "streets", "--db", db, "extra")
	fails(t, 2, "flag provided but not defined", "streets", "--db", db, "--colour")
}

func TestKiosk(t *testing.T) {
	db := published(t)
	code, out, errs := districtd(t, "kiosk", "add", "--db", db, "--street", "440106005", "--name", "社区中心一号机")
	// The token carries the kiosk's number, the one stderr names.
	if code != 0 || !regexp.MustCompile(`^jzk_1\.[A-Za-z0-9_-]{43}\n$`).MatchString(out) || !strings.Contains(errs, "kiosk 1 added") {
		t.Fatalf("kiosk add: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	token := strings.TrimSpace(out)
	code, out, errs = districtd(t, "kiosk", "add", "--db", db, "--street", "440106006", "--name", "二号机")
	second := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(second, "jzk_2.") || !strings.Contains(errs, "kiosk 2 added") {
		t.Fatalf("second kiosk add: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if second[len("jzk_2."):] == token[len("jzk_1."):] {
		t.Fatal("two kiosks got the same secret")
	}
	// Only the token's hash is stored.
	for _, f := range []string{db, db + "-wal"} {
		b, _ := os.ReadFile(f)
		if bytes.Contains(b, []byte(token)) || bytes.Contains(b, []byte(token[len("jzk_1."):])) {
			t.Fatalf("%s holds the token in clear", f)
		}
	}
	list := lines(ok(t, "kiosk", "list", "--db", db))
	if len(list) != 2 {
		t.Fatalf("kiosk list: %q", list)
	}
	var k server.Kiosk
	if err := json.Unmarshal([]byte(list[0]), &k); err != nil || k.ID != 1 || k.Street != "440106005" || k.Name != "社区中心一号机" || k.RevokedAt != nil {
		t.Fatalf("kiosk list line %s: %+v %v", list[0], k, err)
	}
	ok(t, "kiosk", "revoke", "--db", db, "1")
	if !strings.Contains(ok(t, "kiosk", "list", "--db", db), `"revoked_at"`) {
		t.Fatal("revoked kiosk not shown as revoked")
	}

	fails(t, 1, "already revoked", "kiosk", "revoke", "--db", db, "1")
	fails(t, 1, "no kiosk 9", "kiosk", "revoke", "--db", db, "9")
	fails(t, 2, "is not a number", "kiosk", "revoke", "--db", db, "one")
	fails(t, 2, "want a kiosk ID", "kiosk", "revoke", "--db", db)
	fails(t, 1, `street "999999999" is not published`, "kiosk", "add", "--db", db, "--street", "999999999", "--name", "x")
	fails(t, 2, "missing --name", "kiosk", "add", "--db", db, "--street", "440106005")
	fails(t, 2, "missing --name", "kiosk", "add", "--db", db, "--street", "440106005", "--name", "  ")
	fails(t, 2, "unknown subcommand", "kiosk", "remove", "--db", db)
	fails(t, 2, "want a subcommand", "kiosk")
	if n := len(lines(ok(t, "kiosk", "list", "--db", db))); n != 2 {
		t.Fatalf("%d kiosks after the failed commands", n)
	}
}

func TestPublishAndUnpublish(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "district.db")
	out := ok(t, "publish", "--db", db, content)
	if out != `{"added":9,"changed":0,"seq":9,"unchanged":0}`+"\n" {
		t.Fatalf("first publish: %s", out)
	}
	if out := ok(t, "publish", "--db", db, content); out != `{"added":0,"changed":0,"seq":9,"unchanged":9}`+"\n" {
		t.Fatalf("same set again: %s", out)
	}
	edited := filepath.Join(dir, "edit.json")
	os.WriteFile(edited, []byte(`{"notices":[{"id":"n-a","street":"440106005","title":"更正","category":"通知","publisher":"天河南街道","published":"2026-11-02","body":"天河南"}]}`), 0o644)
	if out := ok(t, "publish", "--db", db, edited); out != `{"added":0,"changed":1,"seq":10,"unchanged":0}`+"\n" {
		t.Fatalf("edit: %s", out)
	}
	if out := ok(t, "unpublish", "--db", db, "notice", "n-a"); out != `{"id":"n-a","kind":"notice","seq":11}`+"\n" {
		t.Fatalf("unpublish: %s", out)
	}
	fails(t, 1, `no published notice "n-a"`, "unpublish", "--db", db, "notice", "n-a")
	fails(t, 2, `"memo" is not a content kind`, "unpublish", "--db", db, "memo", "n-a")
	fails(t, 2, "want KIND and ID", "unpublish", "--db", db, "notice")

	// Bad files: nothing published, and a database that did not exist is
	// not left behind.
	bad := map[string]string{
		"syntax.json":  `{"notices": [`,
		"unknown.json": `{"notices": [], "memos": []}`,
		"invalid.json": `{"notices":[{"id":"n-x","title":"","category":"通知","publisher":"p","published":"2026-11-02","body":"b"}]}`,
		"street.json":  `{"notices":[{"id":"n-x","street":"123456789","title":"t","category":"通知","publisher":"p","published":"2026-11-02","body":"b"}]}`,
	}
	for name, text := range bad {
		f := filepath.Join(dir, name)
		os.WriteFile(f, []byte(text), 0o644)
		fails(t, 1, name, "publish", "--db", db, f)
		fresh := filepath.Join(dir, "fresh-"+name+".db")
		fails(t, 1, name, "publish", "--db", fresh, f)
		if m, _ := filepath.Glob(fresh + "*"); len(m) != 0 {
			t.Errorf("a failed publish left %v", m)
		}
	}
	written := filepath.Join(dir, "written.json")
	os.WriteFile(written, []byte(`{"catalog":[{"id":"c-x","index_no":"MB2D0506X/2026-00099","title":"t","publisher":"p","topic":"政务公开","doc_no":"",`+
		`"written":"2026-11-03","published":"2026-11-02","validity":"in_force","keywords":[],"summary":"","disclosure":"主动公开","timeframe":"常年公开","body":""}]}`), 0o644)
	fails(t, 1, `catalog "c-x": written 2026-11-03 is after published 2026-11-02`, "publish", "--db", db, written)
	fails(t, 1, "no such file", "publish", "--db", db, filepath.Join(dir, "missing.json"))
	fails(t, 2, "want one CONTENT.json", "publish", "--db", db)
	fails(t, 2, "missing --db", "publish", content)
	if out := ok(t, "publish", "--db", db, content); !strings.Contains(out, `"seq":12`) {
		t.Fatalf("the failed publishes changed the feed: %s", out)
	}
}

func TestCases(t *testing.T) {
	db := published(t)
	token := strings.TrimSpace(ok(t, "kiosk", "add", "--db", db, "--street", "440106005", "--name", "一号机"))

	// File an appeal through the platform, as a kiosk's push would.
	ctx := context.Background()
	st, err := server.OpenStore(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	p := server.New(st, server.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	k, err := p.Authenticate(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(data.Case{ID: "case-1", Kind: data.CaseAppeal, Street: "440106005", AppealType: data.AppealConsult,
		Description: "咨询", Applicant: &data.Person{Name: "张三", Mobile: "13800138000"}})
	resp, err := p.Push(ctx, k, &wire.PushRequest{Items: []wire.PushItem{{ID: "case-1", Kind: wire.ItemCase, Body: body}}})
	if err != nil || resp.Results[0].Outcome != wire.Accepted {
		t.Fatalf("push: %+v %v", resp, err)
	}
	// And one filed on the street's website.
	webID := server.WebPrefix + "00000000000000000000000000000001"
	body, _ = json.Marshal(data.Case{Kind: data.CaseAppeal, Street: "440106005", AppealType: data.AppealHelp, Description: "求助", Anonymous: true})
	web, err := p.FileFromWeb(ctx, "440106005", wire.ItemCase, webID, body)
	if err != nil || web.Outcome != wire.Accepted {
		t.Fatalf("file from the web: %+v %v", web, err)
	}
	st.Close()
	ref := resp.Results[0].Ref

	out := ok(t, "cases", "--db", db, "list")
	if !strings.Contains(out, `"ref":"`+ref+`"`) || !strings.Contains(out, `"status":"received"`) || strings.Contains(out, "张三") || strings.Contains(out, "13800138000") {
		t.Fatalf("cases list: %s", out)
	}
	if l := lines(out); len(l) != 2 || !strings.Contains(l[0], `"channel":"kiosk"`) ||
		!strings.Contains(l[1], `"ref":"`+web.Ref+`"`) || !strings.Contains(l[1], `"kiosk":0,"channel":"web"`) {
		t.Fatalf("cases list: each case's channel: %s", out)
	}
	if out := ok(t, "cases", "--db", db, "list", "--status", "replied"); out != "" {
		t.Fatalf("no replied cases, got %s", out)
	}
	if out := ok(t, "cases", "list", "--db", db, "--street", "440106006"); out != "" {
		t.Fatalf("no cases in street B, got %s", out)
	}
	out = ok(t, "cases", "--db", db, "set", ref, "replied", "--reason", "请携带身份证到服务中心办理")
	if !strings.Contains(out, `"status":"replied"`) {
		t.Fatalf("cases set: %s", out)
	}
	if n := len(lines(ok(t, "cases", "--db", db, "list", "--status", "replied"))); n != 1 {
		t.Fatalf("%d replied cases", n)
	}
	fails(t, 1, `from "replied" (已答复) to "received" (已接收)`, "cases", "--db", db, "set", ref, "received")
	fails(t, 1, "needs a reason", "cases", "--db", db, "set", ref, "completed")
	fails(t, 2, `unknown status "done"`, "cases", "--db", db, "set", ref, "done", "--reason", "x")
	fails(t, 1, "no case NOPE", "cases", "--db", db, "set", "NOPE", "completed", "--reason", "x")
	fails(t, 2, "want REF and STATUS", "cases", "--db", db, "set", ref)
	fails(t, 2, "go with 'cases set'", "cases", "--db", db, "list", "--reason", "x")
	fails(t, 2, "go with 'cases set'", "cases", "--db", db, "list", "--department", "x")
	fails(t, 2, `unknown status "open"`, "cases", "--db", db, "list", "--status", "open")
	fails(t, 2, "want a subcommand", "cases", "--db", db)
	fails(t, 2, "unknown subcommand", "cases", "--db", db, "delete")
	fails(t, 2, "--reply-type goes with status replied", "cases", "--db", db, "set", ref, "completed", "--reason", "x", "--reply-type", "disclosed")
	fails(t, 2, `unknown reply type "public"`, "cases", "--db", db, "set", ref, "replied", "--reason", "x", "--reply-type", "public")
	fails(t, 2, "--department goes with status dispatched", "cases", "--db", db, "set", ref, "completed", "--reason", "x", "--department", "城管科")
	fails(t, 2, "--into goes with status merged", "cases", "--db", db, "set", ref, "completed", "--reason", "x", "--into", ref)
	fails(t, 2, "takes only --db", "cases", "--db", db, "autorate", "--status", "completed")
	if !strings.Contains(ok(t, "cases", "--db", db, "list"), `"status":"replied"`) {
		t.Fatal("a refused move changed the case")
	}
}

func TestReset(t *testing.T) {
	db := published(t)
	ok(t, "kiosk", "add", "--db", db, "--street", "440106005", "--name", "一号机")
	if out := ok(t, "reset", "--db", db, "--street", "440106005"); !strings.HasPrefix(out, "1 kiosk(s)") {
		t.Fatalf("reset: %s", out)
	}
	fails(t, 1, "not published", "reset", "--db", db, "--street", "1")
	fails(t, 2, "missing --street", "reset", "--db", db)
}

func TestServeFlags(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "district.db")
	fails(t, 2, "missing --addr", "serve", "--db", db)
	fails(t, 2, "go together", "serve", "--db", db, "--addr", "127.0.0.1:0", "--tls-cert", "c.pem")
	fails(t, 1, "no such file", "serve", "--db", db, "--addr", "127.0.0.1:0", "--tls-cert", filepath.Join(dir, "c.pem"), "--tls-key", filepath.Join(dir, "k.pem"))
	fails(t, 1, "listen", "serve", "--db", db, "--addr", "not-an-address")
	if m, _ := filepath.Glob(db + "*"); len(m) != 0 {
		t.Fatalf("failed serves left %v", m)
	}
}

// lockedBuffer takes the server's log lines from its goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// serve --demo loads the demo content into an empty database, serves it,
// with --bundle-key a signed snapshot of each kiosk's street too, and
// stops cleanly when told to.
func TestServeDemo(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "district.db")
	keyFile := filepath.Join(dir, "district.key")
	pub, err := bundle.ParseKey(strings.TrimSpace(ok(t, "keygen", "--out", keyFile)))
	if err != nil {
		t.Fatal(err)
	}
	fails(t, 2, "--bundle-statement needs --bundle-key", "serve", "--db", db, "--addr", "127.0.0.1:0", "--bundle-statement", keyFile)
	priv, err := readPrivateKey(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	url, logs, stop := startServeWith(t, serveConfig{db: db, demo: true, snapshots: server.Snapshots{Key: priv}})
	token := strings.TrimSpace(ok(t, "kiosk", "add", "--db", db, "--street", "440106005", "--name", "demo"))
	req, _ := http.NewRequest("GET", url+wire.PathChanges+"?after=0&limit=1000", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var page wire.PullResponse
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err := json.Unmarshal(b, &page); err != nil || len(page.Changes) < 50 {
		t.Fatalf("demo pull: %d changes, %v", len(page.Changes), err)
	}
	req, _ = http.NewRequest("GET", url+wire.PathBundle, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res, err := bundle.Read(resp.Body, bundle.Check{Keys: bundle.Keys{Trusted: []ed25519.PublicKey{pub}}, Scope: "440106005", Now: time.Now()})
	resp.Body.Close()
	if err != nil || !res.Snapshot || len(res.Changes) < len(page.Changes)-5 || res.Manifest.To != page.Next {
		t.Fatalf("snapshot: %v; %d changes to %d, the pull %d to %d", err, len(res.Changes), res.Manifest.To, len(page.Changes), page.Next)
	}
	if err := stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	if strings.Contains(logs.String(), token) {
		t.Fatal("the log holds the token")
	}
	if !strings.Contains(logs.String(), "stopped") {
		t.Fatalf("no clean stop:\n%s", logs.String())
	}
}

// The load test runs its kiosks against a real districtd and finds
// nothing lost or doubled and every kiosk served. Its latencies are only
// logged: on a loaded machine under -race they say nothing, and speed is
// measured by the same command with 1,000 kiosks for PERFORMANCE.md.
func TestLoadtest(t *testing.T) {
	if testing.Short() {
		t.Skip("runs simulated kiosks for seconds")
	}
	db := filepath.Join(t.TempDir(), "district.db")
	url, _, stop := startServe(t, db, true, "", "")
	defer func() {
		if err := stop(); err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	out := ok(t, "loadtest", "--db", db, "--url", url, "--kiosks", "40", "--duration", "2s", "--interval", "100ms")
	var res loadResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("report %q: %v", out, err)
	}
	t.Logf("load test: %+v", res)
	// A served kiosk has pulled from the start to the end of the feed,
	// which holds the demo's content: over 100 changes.
	if res.Kiosks != 40 || res.Served != 40 || res.Items < 40 || res.Lost != 0 || res.Doubled != 0 || res.Changes < 40*100 {
		t.Fatalf("load test: %d of %d kiosks served, %d items, %d lost, %d doubled, %d changes pulled",
			res.Served, res.Kiosks, res.Items, res.Lost, res.Doubled, res.Changes)
	}
	// With a vanishing --push-share the kiosks only pull (a kiosk with
	// nothing to send is served once it has pulled to the end).
	out = ok(t, "loadtest", "--db", db, "--url", url, "--kiosks", "40", "--duration", "2s", "--interval", "100ms", "--push-share", "1e-9")
	var few loadResult
	if err := json.Unmarshal([]byte(out), &few); err != nil {
		t.Fatalf("report %q: %v", out, err)
	}
	if few.Served != 40 || few.Items > 3 || few.Changes < 40*100 || few.Lost != 0 || few.Doubled != 0 {
		t.Fatalf("load test with --push-share 1e-9: %d of 40 kiosks served, %d items (want next to none), %d lost, %d doubled",
			few.Served, few.Items, few.Lost, few.Doubled)
	}
	// Its kiosks are revoked afterwards.
	for _, line := range lines(ok(t, "kiosk", "list", "--db", db)) {
		if !strings.Contains(line, "revoked_at") {
			t.Fatalf("a load test kiosk is still active: %s", line)
		}
	}
	fails(t, 2, "missing --db", "loadtest", "--url", url)
	fails(t, 2, "above zero", "loadtest", "--db", db, "--kiosks", "0")
	fails(t, 2, "--push-share must be above 0 and at most 1", "loadtest", "--db", db, "--push-share", "0")
	fails(t, 2, "--push-share must be above 0 and at most 1", "loadtest", "--db", db, "--push-share", "1.5")
}

// startServe runs `districtd serve` in the background on a free loopback
// port and returns its URL once the log announces it, the log, and a stop
// that shuts the server down and returns what serve returned.
func startServe(t *testing.T, db string, demo bool, certFile, keyFile string) (url string, logs *lockedBuffer, stop func() error) {
	t.Helper()
	return startServeWith(t, serveConfig{db: db, demo: demo, cert: certFile, key: keyFile})
}

// startServeWith is startServe with serve's whole command line.
func startServeWith(t *testing.T, cfg serveConfig) (url string, logs *lockedBuffer, stop func() error) {
	t.Helper()
	cfg.addr = "127.0.0.1:0"
	if key, ok := pgDataKeys.Load(cfg.db); ok && cfg.datakey == "" {
		cfg.datakey = key.(string)
	}
	ctx, cancel := context.WithCancel(context.Background())
	logs = &lockedBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- serveUntil(ctx, cfg, logs)
	}()
	stop = func() error {
		cancel()
		return <-done
	}
	re := regexp.MustCompile(`url=(https?://\S+)/api/v1`)
	// A minute: on a loaded machine under the race detector, opening and
	// seeding the demo district takes seconds; serve returning early (a
	// refusal) ends the wait at once.
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		if m := re.FindStringSubmatch(logs.String()); m != nil {
			return m[1], logs, stop
		}
		select {
		case err := <-done:
			t.Fatalf("serve returned before it listened: %v\n%s", err, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			stop()
			t.Fatalf("serve did not start within a minute:\n%s", logs.String())
		}
	}
}

// fileCases files cases through the platform, as a kiosk's push would,
// and returns their references.
func fileCases(t *testing.T, db, token string, cases ...data.Case) []string {
	t.Helper()
	ctx := context.Background()
	st, err := server.OpenStore(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p := server.New(st, server.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	useTestKey(t, p, db)
	k, err := p.Authenticate(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	var req wire.PushRequest
	for _, c := range cases {
		body, _ := json.Marshal(c)
		req.Items = append(req.Items, wire.PushItem{ID: c.ID, Kind: wire.ItemCase, Body: body})
	}
	resp, err := p.Push(ctx, k, &req)
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, r := range resp.Results {
		if r.Outcome != wire.Accepted {
			t.Fatalf("push: %+v", r)
		}
		refs = append(refs, r.Ref)
	}
	return refs
}

func caseLines(t *testing.T, out string) map[string]map[string]any {
	t.Helper()
	m := map[string]map[string]any{}
	for _, l := range lines(out) {
		var v map[string]any
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("not a JSON line: %q", l)
		}
		m[v["id"].(string)] = v
	}
	return m
}

// The clerk's actions from the command line: dispatch with a department,
// extension and reply of a disclosure request, the default rating; and
// what `cases list` shows of each.
func TestCaseActions(t *testing.T) {
	db := published(t)
	token := strings.TrimSpace(ok(t, "kiosk", "add", "--db", db, "--street", "440106005", "--name", "一号机"))
	person := &data.Person{Name: "张三", Mobile: "13800138000"}
	refs := fileCases(t, db, token,
		data.Case{ID: "appeal-1", Kind: data.CaseAppeal, Street: "440106005", AppealType: data.AppealComplaint, Description: "噪音", Applicant: person},
		data.Case{ID: "disc-1", Kind: data.CaseDisclosure, Street: "440106005", Applicant: person,
			Request: &data.DisclosureRequest{Information: "预算", Delivery: data.DeliveryPickup}})
	appeal, disc := refs[0], refs[1]

	list := caseLines(t, ok(t, "cases", "--db", db, "list"))
	for id, kind := range map[string]string{"appeal-1": "appeal", "disc-1": "disclosure"} {
		l := list[id]
		if l["kind"] != kind || l["status"] != "received" || l["deadline"] == nil || l["workdays_left"] == nil {
			t.Errorf("cases list: %v", l)
		}
	}
	fails(t, 1, "needs the department", "cases", "--db", db, "set", appeal, "dispatched")
	out := ok(t, "cases", "--db", db, "set", strings.ToLower(strings.ReplaceAll(appeal, "-", "")), "dispatched", "--department", "街道城管科")
	if l := caseLines(t, out)["appeal-1"]; l["status"] != "dispatched" || l["department"] != "街道城管科" {
		t.Fatalf("dispatched: %s", out)
	}

	before := caseLines(t, ok(t, "cases", "--db", db, "list", "--status", "received"))["disc-1"]
	fails(t, 1, "needs a reason", "cases", "--db", db, "set", disc, "extended")
	out = ok(t, "cases", "--db", db, "set", disc, "extended", "--reason", "需征求第三方意见")
	after := caseLines(t, out)["disc-1"]
	if after["status"] != "extended" || after["deadline"] == before["deadline"] ||
		after["workdays_left"].(float64) != before["workdays_left"].(float64)+data.DisclosureExtendDays {
		t.Fatalf("extension: before %v, after %v", before, after)
	}
	fails(t, 1, `to "extended"`, "cases", "--db", db, "set", disc, "extended", "--reason", "再延")
	fails(t, 1, "needs a reply type", "cases", "--db", db, "set", disc, "replied", "--reason", "可当面领取")
	out = ok(t, "cases", "--db", db, "set", disc, "replied", "--reason", "可当面领取", "--reply-type", "disclosed")
	if l := caseLines(t, out)["disc-1"]; l["reply_type"] != "disclosed" || l["workdays_left"] != nil || l["overdue_workdays"] != nil {
		t.Fatalf("replied: %s", out)
	}
	ok(t, "cases", "--db", db, "set", disc, "completed", "--reason", "已领取")
	if out := ok(t, "cases", "--db", db, "autorate"); out != `{"rated":0}`+"\n" {
		t.Fatalf("autorate within 7 days: %s", out)
	}
	if strings.Contains(ok(t, "cases", "--db", db, "list"), "张三") {
		t.Fatal("cases list shows the applicant")
	}
}

// A case completed more than 7 days ago and not rated counts as 基本满意
// after `cases autorate`, and `cases list` shows it.
func TestCasesAutorate(t *testing.T) {
	db := published(t)
	token := strings.TrimSpace(ok(t, "kiosk", "add", "--db", db, "--street", "440106005", "--name", "一号机"))
	// Filed, replied and completed ten days ago, by the district's clock then.
	ctx := context.Background()
	st, err := server.OpenStore(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	then := time.Now().AddDate(0, 0, -10)
	p := server.New(st, server.Options{Now: func() time.Time { return then }, Log: slog.New(slog.DiscardHandler)})
	k, err := p.Authenticate(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(data.Case{ID: "appeal-1", Kind: data.CaseAppeal, Street: "440106005",
		AppealType: data.AppealConsult, Description: "咨询", Anonymous: true})
	resp, err := p.Push(ctx, k, &wire.PushRequest{Items: []wire.PushItem{{ID: "appeal-1", Kind: wire.ItemCase, Body: body}}})
	if err != nil {
		t.Fatal(err)
	}
	ref := resp.Results[0].Ref
	for _, m := range []server.CaseMove{{Ref: ref, To: data.StatusReplied, Reason: "工作日9点至17点"}, {Ref: ref, To: data.StatusCompleted, Reason: "已答复"}} {
		if _, err := p.MoveCase(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	if out := ok(t, "cases", "--db", db, "autorate"); out != `{"rated":1}`+"\n" {
		t.Fatalf("autorate: %s", out)
	}
	l := caseLines(t, ok(t, "cases", "--db", db, "list"))["appeal-1"]
	if l["status"] != "rated" || l["rating"] != float64(data.RatingBasic) || l["rating_default"] != true {
		t.Fatalf("cases list after autorate: %v", l)
	}
}

// After a resident's correction, `cases list` says which fields changed,
// never their values.
func TestCasesListCorrections(t *testing.T) {
	db := published(t)
	token := strings.TrimSpace(ok(t, "kiosk", "add", "--db", db, "--street", "440106005", "--name", "一号机"))
	ref := fileCases(t, db, token, data.Case{ID: "app-1", Kind: data.CaseApplication, Street: "440106005", Service: "svc-a",
		Values: data.FormValues{"name": "李四", "id_number": "440106199001011235"}, Applicant: &data.Person{Name: "李四"}})[0]
	ok(t, "cases", "--db", db, "set", ref, "correction", "--reason", "姓名与身份证不一致")
	ctx := context.Background()
	st, err := server.OpenStore(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	p := server.New(st, server.Options{Log: slog.New(slog.DiscardHandler)})
	useTestKey(t, p, db)
	k, _ := p.Authenticate(ctx, token)
	body, _ := json.Marshal(data.Correction{Case: "app-1", Values: data.FormValues{"name": "李思"}, Note: "已改正"})
	resp, err := p.Push(ctx, k, &wire.PushRequest{Items: []wire.PushItem{{ID: "corr-1", Kind: wire.ItemCorrection, Body: body}}})
	st.Close()
	if err != nil || resp.Results[0].Outcome != wire.Accepted {
		t.Fatalf("correction: %+v %v", resp, err)
	}
	out := ok(t, "cases", "--db", db, "list")
	l := caseLines(t, out)["app-1"]
	if l["status"] != "received" || l["corrections"] != float64(1) || fmt.Sprint(l["corrected_fields"]) != "[name]" ||
		strings.Contains(out, "李思") || strings.Contains(out, "已改正") {
		t.Fatalf("cases list after a correction: %s", out)
	}
}

// TestKioskToken: a kiosk given a new token keeps its number, so the
// references it made offline stay its own; the old token stops working.
func TestKioskToken(t *testing.T) {
	db := published(t)
	ok(t, "kiosk", "add", "--db", db, "--street", "440106005", "--name", "一号机")
	old := strings.TrimSpace(ok(t, "kiosk", "add", "--db", db, "--street", "440106005", "--name", "二号机"))
	code, out, errs := districtd(t, "kiosk", "token", "--db", db, "2")
	fresh := strings.TrimSpace(out)
	if code != 0 || !regexp.MustCompile(`^jzk_2\.[A-Za-z0-9_-]{43}$`).MatchString(fresh) || fresh == old ||
		!strings.Contains(errs, "kiosk 2 has a new token") {
		t.Fatalf("kiosk token: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	auth := func(token string) (server.Kiosk, error) {
		var k server.Kiosk
		err := withDB(db, false, func(ctx context.Context, p *server.Platform) (err error) {
			k, err = p.Authenticate(ctx, token)
			return err
		})
		return k, err
	}
	if k, err := auth(fresh); err != nil || k.ID != 2 {
		t.Fatalf("the new token: %+v, %v", k, err)
	}
	if _, err := auth(old); !errors.Is(err, server.ErrUnauthorized) {
		t.Fatalf("the old token after replacing it: %v", err)
	}
	// A revoked kiosk (its token leaked, say) comes back with a new
	// token under its own number; the token it had stays dead.
	ok(t, "kiosk", "revoke", "--db", db, "2")
	if _, err := auth(fresh); !errors.Is(err, server.ErrUnauthorized) {
		t.Fatalf("the token of a revoked kiosk: %v", err)
	}
	code, out, errs = districtd(t, "kiosk", "token", "--db", db, "2")
	back := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(back, "jzk_2.") || !strings.Contains(errs, "in service again") {
		t.Fatalf("kiosk token of a revoked kiosk: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if k, err := auth(back); err != nil || k.ID != 2 || k.RevokedAt != nil {
		t.Fatalf("the reinstated kiosk's token: %+v, %v", k, err)
	}
	if _, err := auth(fresh); !errors.Is(err, server.ErrUnauthorized) {
		t.Fatalf("the token from before the revocation works again: %v", err)
	}
	fails(t, 1, "no kiosk 9", "kiosk", "token", "--db", db, "9")
	fails(t, 2, "is not a number", "kiosk", "token", "--db", db, "two")
}
