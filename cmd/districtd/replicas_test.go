package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/data/store"
	"jiezhen/sync/client"
	"jiezhen/sync/wire"
)

// TestTwoReplicas: two `districtd serve` processes on one PostgreSQL
// database. Cases are filed through the first (kiosk pushes and the
// street's website) and answered beside the second (`cases set`), while
// one kiosk's real sync agent syncs with each in turn: the district holds
// every case once, and the kiosk gets every answer back.
func TestTwoReplicas(t *testing.T) {
	db := pgDB(t)
	ok(t, "publish", "--db", db, content)
	token := strings.TrimSpace(ok(t, "kiosk", "add", "--db", db, "--street", testStreet, "--name", "一号机"))
	urls := []string{startServeProcess(t, "--db", db), startServeProcess(t, "--db", db)}

	ctx := context.Background()
	kst, err := store.Open(ctx, filepath.Join(t.TempDir(), "kiosk.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer kst.Close()
	var agents []*client.Agent
	for _, u := range urls {
		a, err := client.New(ctx, kst, client.Config{District: u, Token: token, Street: testStreet})
		if err != nil {
			t.Fatal(err)
		}
		agents = append(agents, a)
	}
	syncs := 0
	syncNext := func() {
		t.Helper()
		if err := agents[syncs%2].Once(ctx); err != nil {
			t.Fatalf("sync with %s: %v", urls[syncs%2], err)
		}
		syncs++
	}
	syncNext()
	syncNext()

	// Filed through the first replica: kiosk cases (pushed by syncs to
	// either) and the website's.
	const kioskCases, webCases = 6, 6
	var ids []string
	for i := range kioskCases {
		c := data.Case{ID: fmt.Sprintf("kiosk-case-%d", i), Kind: data.CaseAppeal, Street: testStreet, Status: data.StatusSubmitted,
			SubmittedAt: time.Now(), Applicant: &data.Person{Name: "张三", Mobile: "13800138000"},
			AppealType: data.AppealSuggestion, Category: data.AppealCategories[0], Description: fmt.Sprintf("路灯坏了 %d", i)}
		body, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		if err := kst.Enqueue(ctx, store.OutboxItem{ID: c.ID, Kind: "case", Body: body, CreatedAt: c.SubmittedAt, Case: &c}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
		syncNext()
	}
	var mu sync.Mutex
	var webErrs []error
	record := func(_ string, _ time.Duration, err error) {
		if err != nil {
			mu.Lock()
			webErrs = append(webErrs, err)
			mu.Unlock()
		}
	}
	var filings []*webFiling
	for i := range webCases {
		f := &webFiling{run: "replicas", n: i}
		f.file(urls[0], "/s/"+testStreet+"/", record)
		filings = append(filings, f)
	}
	if len(webErrs) > 0 {
		t.Fatalf("website filings: %v", webErrs)
	}

	// Answered beside the second, while the kiosk goes on syncing with
	// both.
	list := caseLines(t, ok(t, "cases", "--db", db, "list"))
	if len(list) != kioskCases+webCases {
		t.Fatalf("%d cases in the district, want %d:\n%v", len(list), kioskCases+webCases, list)
	}
	for _, f := range filings {
		if f.ref == "" {
			t.Errorf("web filing %d got no receipt", f.n)
		}
	}
	for _, id := range ids {
		c, ok := list[id]
		if !ok {
			t.Fatalf("kiosk case %s is not in the district", id)
		}
		if c["channel"] != "kiosk" {
			t.Errorf("case %s: channel %v", id, c["channel"])
		}
	}
	n := 0
	for id, c := range list {
		ref := c["ref"].(string)
		out := ok(t, "cases", "--db", db, "set", ref, "replied", "--reason", "已答复 "+id)
		if !strings.Contains(out, `"status":"replied"`) {
			t.Fatalf("cases set %s: %s", ref, out)
		}
		if n++; n%3 == 0 {
			syncNext()
		}
	}
	for range 4 {
		syncNext()
	}
	for _, id := range ids {
		local, err := kst.Case(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if local.Status != data.StatusReplied || local.Reply == nil || local.Reply.Text != "已答复 "+id {
			t.Errorf("the kiosk's case %s: status %s, reply %+v", id, local.Status, local.Reply)
		}
	}
	if n := len(lines(ok(t, "cases", "--db", db, "list", "--status", "replied"))); n != kioskCases+webCases {
		t.Errorf("%d replied cases in the district, want %d", n, kioskCases+webCases)
	}
	if n := len(lines(ok(t, "cases", "--db", db, "list"))); n != kioskCases+webCases {
		t.Errorf("%d cases in the district after the answers, want %d", n, kioskCases+webCases)
	}
}

// A database URL's password never shows in an error: here the server
// refuses the connection (nothing listens on the port).
func TestDatabaseURLRedacted(t *testing.T) {
	code, out, errs := districtd(t, "streets", "--db", "postgres://jiezhen:s3cret-pw@127.0.0.1:1/district?connect_timeout=2")
	if code != 1 || out != "" || strings.Count(errs, "\n") != 1 || strings.Contains(errs, "s3cret-pw") || !strings.Contains(errs, "jiezhen:xxxxx@127.0.0.1:1") {
		t.Fatalf("exit %d, stdout %q, stderr %q: want one line naming the database without its password", code, out, errs)
	}
}

// TestLoadtestReplicas runs `districtd loadtest` against three `districtd
// serve` processes on one PostgreSQL database, kiosks and website
// residents in one run: every replica serves, kiosks switch between
// them, nothing is lost or doubled, and every kiosk gets each case it
// sent back through the feed, whichever replica took it. Then the checks
// themselves on the same database: an acknowledged item that is not
// stored counts as lost, an appeal stored a second time under another id
// as doubled, and so for the website's filings.
func TestLoadtestReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("runs simulated kiosks and residents for seconds")
	}
	db := pgDB(t)
	ok(t, "publish", "--db", db, content)
	urls := []string{startServeProcess(t, "--db", db), startServeProcess(t, "--db", db), startServeProcess(t, "--db", db)}
	out := ok(t, "loadtest", "--db", db, "--url", urls[0]+","+urls[1], "--url", urls[2]+"/",
		"--kiosks", "30", "--duration", "3s", "--interval", "200ms", "--residents", "9", "--think", "50ms", "--filings", "5")
	var res loadResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("report %q: %v", out, err)
	}
	t.Logf("load test: %s", out)
	if !slices.Equal(res.URLs, urls) || len(res.PerURL) != 3 || slices.Min(res.PerURL) == 0 || res.Switched == 0 {
		t.Errorf("replicas %v, requests per replica %v, %d switched: want all three used and kiosks switching", res.URLs, res.PerURL, res.Switched)
	}
	if res.Kiosks != 30 || res.Served != 30 || res.Items < 30 || res.Lost != 0 || res.Doubled != 0 || res.Unseen != 0 {
		t.Errorf("%d of %d kiosks served, %d items, %d lost, %d doubled, %d not back in the feed",
			res.Served, res.Kiosks, res.Items, res.Lost, res.Doubled, res.Unseen)
	}
	for _, kind := range []string{"push", "pull", "home", "list", "search", "appeal-post"} {
		if k := res.Kinds[kind]; k.Requests == 0 || k.P50 <= 0 || k.P99 < k.P50 || k.Max < k.P99 {
			t.Errorf("kind %s: %+v", kind, k)
		}
	}
	if w := res.Web; w == nil || w.Residents != 9 || w.Errors != 0 || w.Sent != 15 || w.Filed != 15 || w.Lost != 0 || w.Doubled != 0 {
		t.Fatalf("website: %+v", w)
	}

	// The checks catch what they are there for.
	ctx := context.Background()
	d, err := openDB(ctx, db, false, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.close(false)
	if err := d.useDataKey(ctx, dataKeyFile(db), false, nil); err != nil {
		t.Fatal(err)
	}
	k, token, err := d.p.AddKiosk(ctx, testStreet, "check")
	if err != nil {
		t.Fatal(err)
	}
	s := &simKiosk{id: k.ID, token: token, seen: map[string]bool{}}
	const run = "check"
	item := s.appeal(run+"-1", testStreet)
	if !s.pushBatch(ctx, http.DefaultClient, urls[1], []wire.PushItem{item}) {
		t.Fatal("push refused")
	}
	s.sent = []string{item.ID}
	check := func(lost, doubled int) {
		t.Helper()
		var r loadResult
		if err := checkLoad(ctx, d, testStreet, run, []*simKiosk{s}, &r); err != nil {
			t.Fatal(err)
		}
		if r.Lost != lost || r.Doubled != doubled {
			t.Errorf("check: %d lost, %d doubled; want %d and %d", r.Lost, r.Doubled, lost, doubled)
		}
	}
	check(0, 0)
	// Acknowledged (as the kiosk believes) but never stored.
	s.sent = append(s.sent, run+"-2")
	check(1, 0)
	// The same appeal stored again under another id.
	var again data.Case
	if err := json.Unmarshal(item.Body, &again); err != nil {
		t.Fatal(err)
	}
	again.ID = run + "-1b"
	body, _ := json.Marshal(again)
	if !s.pushBatch(ctx, http.DefaultClient, urls[2], []wire.PushItem{{ID: again.ID, Kind: wire.ItemCase, Body: body}}) {
		t.Fatal("push refused")
	}
	check(1, 1)

	// The website's: one filing posted twice through two replicas with
	// two form ids (one appeal, two cases), and a receipt whose case is
	// not stored.
	var errs []error
	record := func(_ string, _ time.Duration, err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	home := "/s/" + testStreet + "/"
	f := &webFiling{run: run, n: 0}
	f.file(urls[0], home, record)
	(&webFiling{run: run, n: 0}).file(urls[1], home, record)
	if len(errs) > 0 || f.ref == "" {
		t.Fatalf("filings: %v", errs)
	}
	ghost := &webFiling{run: run, n: 1, formID: strings.Repeat("0", 32), sent: true, ref: "GHOST"}
	var w webLoadResult
	if err := checkWebFilings(ctx, webLoadConfig{street: testStreet, db: d}, run, []*webFiling{f, ghost}, &w); err != nil {
		t.Fatal(err)
	}
	if w.Filed != 2 || w.Lost != 1 || w.Doubled != 1 {
		t.Errorf("website check: %d filed, %d lost, %d doubled; want 2, 1 and 1", w.Filed, w.Lost, w.Doubled)
	}

	fails(t, 2, "not an http", "loadtest", "--db", db, "--url", urls[0]+",,"+urls[1])
	fails(t, 2, "--filings", "loadtest", "--db", db, "--url", urls[0], "--filings", "5")
}
