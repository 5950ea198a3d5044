package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/data/store"
	"jiezhen/sync/client"
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
		f.file(webLoadConfig{url: urls[0]}, "/s/"+testStreet+"/", record)
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
