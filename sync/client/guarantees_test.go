package client_test

// The twelve guarantees of docs/SYNC.md, each shown against the real district
// handler over real HTTP. Guarantee 1 (SIGKILL at many points) runs the
// real kiosk binary and lives in cmd/kiosk; guarantee 4's pragma check
// needs the store's own connection and lives in data/store.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"jiezhen/data"
	"jiezhen/data/store"
	"jiezhen/sync/client"
	"jiezhen/sync/server"
	"jiezhen/sync/wire"
)

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed)) }

// Guarantee 2: the district commits, the answer is lost, the kiosk
// retries with the same id and gets the first result; nothing is stored
// twice.
func TestGuarantee02LostAcknowledgement(t *testing.T) {
	d := newDistrict(t)
	_, tok := d.kiosk(t, streetA)
	st := openKiosk(t)
	ids := enqueueAppeals(t, st, "lost", 5)

	// Every push answer is lost twice before one gets through.
	pushes := 0
	ft := newFaulty(func(n int, req *http.Request) fault {
		if isPush(req) {
			pushes++
			if pushes <= 2 {
				return lostAck
			}
		}
		return pass
	})
	cfg := fastConfig(d, tok)
	cfg.Transport = ft
	a := newAgent(t, st, cfg)
	res, err := a.OnceResult(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if ft.count(lostAck) != 2 {
		t.Fatalf("%d answers lost, want 2", ft.count(lostAck))
	}
	if res.Accepted != len(ids) {
		t.Errorf("accepted %d, want %d", res.Accepted, len(ids))
	}
	checkExactlyOnce(t, d, st, ids)
	// The kiosk holds the reference the district gave the first time.
	cases := d.cases(t)
	for _, id := range ids {
		local, err := st.Case(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if local.Ref == "" || local.Ref != cases[id].Case.Ref {
			t.Errorf("case %s: kiosk has ref %q, district %q", id, local.Ref, cases[id].Case.Ref)
		}
		if local.Applicant != nil {
			t.Errorf("case %s: personal data still on the kiosk after the district has it", id)
		}
	}
}

// Guarantee 3: the same id with a different body is refused with 409 and
// the first stays.
func TestGuarantee03SameIDDifferentBody(t *testing.T) {
	d := newDistrict(t)
	_, tok := d.kiosk(t, streetA)
	ctx := context.Background()

	first := openKiosk(t)
	c := appeal("same-id-1", time.Now())
	enqueueCase(t, first, c)
	if err := newAgent(t, first, fastConfig(d, tok)).Once(ctx); err != nil {
		t.Fatal(err)
	}
	firstEntry, ok := d.entry(t, c.ID)
	if !ok {
		t.Fatal("first item not stored")
	}

	// On the wire: a 409 naming the item.
	other := c
	other.Description = "另一件事"
	body, _ := json.Marshal(wire.PushRequest{Items: []wire.PushItem{{ID: c.ID, Kind: wire.ItemCase, Body: mustJSON(t, other)}}})
	req, _ := http.NewRequest(http.MethodPost, d.srv.URL+wire.PathPush, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var we wire.Error
	json.NewDecoder(resp.Body).Decode(&we)
	resp.Body.Close()
	if resp.StatusCode != http.StatusConflict || we.Item != c.ID {
		t.Fatalf("same id, other body: %d %+v, want 409 naming %s", resp.StatusCode, we, c.ID)
	}

	// Through the agent: the second item is set aside as a dead letter,
	// the items behind it still go, and the first stays on the district.
	second := openKiosk(t)
	enqueueCase(t, second, other)
	later := enqueueAppeals(t, second, "after-409", 2)
	res, err := newAgent(t, second, fastConfig(d, tok)).OnceResult(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Refused != 1 || res.Accepted != 2 {
		t.Errorf("refused %d accepted %d, want 1 and 2", res.Refused, res.Accepted)
	}
	dead, err := second.DeadLetters(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(dead) != 1 || dead[0].ID != c.ID || !strings.Contains(dead[0].Reason, "409") || dead[0].Code != string(wire.RefusedIDReused) {
		t.Errorf("dead letters %+v, want %s with a 409 and code %s", dead, c.ID, wire.RefusedIDReused)
	}
	if e, _ := d.entry(t, c.ID); e.Hash != firstEntry.Hash {
		t.Error("the first item's record changed")
	}
	if got := d.cases(t)[c.ID].Case.Description; got != c.Description {
		t.Errorf("district has description %q, want the first %q", got, c.Description)
	}
	checkExactlyOnce(t, d, second, later)
}

func mustJSON(t testing.TB, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Guarantee 5: the cursor moves in the same transaction as the rows it
// covers; a reader never sees half a page. A reader polls the kiosk's
// database on its own connection while the agent pulls in small pages,
// and every snapshot must hold exactly the items of the changes up to
// its cursor. A page cut off on the wire and a cancelled pull must leave
// the same invariant.
func TestGuarantee05CursorMovesWithRows(t *testing.T) {
	d := newDistrict(t)
	_, tok := d.kiosk(t, streetA)
	ctx := context.Background()

	// More content so that the pull takes many pages.
	set := &data.ContentSet{}
	base := demoContent(t).Notices[0]
	for i := range 400 {
		n := base
		n.ID = fmt.Sprintf("bulk-%04d", i)
		n.Title = fmt.Sprintf("批量通知 %d", i)
		n.Street = streetA
		set.Notices = append(set.Notices, n)
	}
	if _, err := d.p.Publish(ctx, set); err != nil {
		t.Fatal(err)
	}

	// The upserts in the kiosk's scope, by seq, from the district.
	probe := openKiosk(t)
	pa := newAgent(t, probe, fastConfig(d, tok))
	if err := pa.Once(ctx); err != nil {
		t.Fatal(err)
	}
	want, err := probe.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, n := range want.Counts {
		total += n
	}

	path := filepath.Join(t.TempDir(), "kiosk.db")
	st := openKioskAt(t, path)
	seqs := feedSeqs(t, d, tok)
	if len(seqs) != total {
		t.Fatalf("feed has %d upserts in scope, kiosk holds %d items", len(seqs), total)
	}

	ro, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	ro.SetMaxOpenConns(1)
	countSQL := "SELECT (SELECT coalesce(max(cursor), 0) FROM sync_state WHERE feed = 'content')"
	for _, table := range []string{"notice", "catalog", "service", "provider", "consultation", "calendar", "street"} {
		countSQL += ", (SELECT count(*) FROM " + table + ")"
	}
	var stop atomic.Bool
	var snapshots, bad atomic.Int64
	var firstBad atomic.Value
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !stop.Load() {
			vals := make([]int64, 8)
			ptrs := make([]any, 8)
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := ro.QueryRow(countSQL).Scan(ptrs...); err != nil {
				continue // the file may not have its tables yet
			}
			snapshots.Add(1)
			var items int64
			for _, v := range vals[1:] {
				items += v
			}
			if exp := upTo(seqs, vals[0]); items != exp {
				bad.Add(1)
				firstBad.CompareAndSwap(nil, fmt.Sprintf("cursor %d with %d items, want %d", vals[0], items, exp))
			}
		}
	}()

	// First a pull whose third page is cut off and that is cancelled
	// after its third transaction, then one that finishes.
	pulls := 0
	cctx, cancel := context.WithCancel(ctx)
	ft := newFaulty(func(n int, req *http.Request) fault {
		if req.URL.Path == wire.PathChanges {
			pulls++
			if pulls == 3 {
				return truncate
			}
		}
		return pass
	})
	cfg := fastConfig(d, tok)
	cfg.Transport, cfg.Page = ft, 20
	applied := 0
	cfg.Trace = func(step string) {
		if step == "applied" {
			if applied++; applied == 3 {
				cancel()
			}
		}
	}
	a := newAgent(t, st, cfg)
	if err := a.Once(cctx); err == nil {
		t.Fatal("a cancelled pull reported success")
	}
	mid, err := st.Cursor(ctx, store.ContentFeed)
	if err != nil {
		t.Fatal(err)
	}
	if mid == 0 {
		t.Fatal("no page was applied before the cancel")
	}
	if err := a.Once(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	stop.Store(true)
	wg.Wait()
	if snapshots.Load() < 10 {
		t.Fatalf("only %d snapshots read", snapshots.Load())
	}
	if bad.Load() > 0 {
		t.Fatalf("%d of %d snapshots saw half a page: first %v", bad.Load(), snapshots.Load(), firstBad.Load())
	}
	got, _ := st.Status(ctx)
	if got.Cursor != want.Cursor || fmt.Sprint(got.Counts) != fmt.Sprint(want.Counts) {
		t.Errorf("after the pull: cursor %d counts %v, want %d %v", got.Cursor, got.Counts, want.Cursor, want.Counts)
	}
	t.Logf("%d snapshots, consistent", snapshots.Load())
}

// feedSeqs returns the seqs of the upserts in a kiosk's scope.
func feedSeqs(t testing.TB, d *district, tok string) []int64 {
	t.Helper()
	var seqs []int64
	var after int64
	for {
		req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s%s?after=%d&limit=%d", d.srv.URL, wire.PathChanges, after, wire.MaxLimit), nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var page wire.PullResponse
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page.Changes {
			if c.Op == data.OpUpsert && c.Kind != wire.KindCase {
				seqs = append(seqs, c.Seq)
			}
		}
		after = page.Next
		if !page.More {
			return seqs
		}
	}
}

func upTo(seqs []int64, cursor int64) int64 {
	var n int64
	for _, s := range seqs {
		if s <= cursor {
			n++
		}
	}
	return n
}

// Guarantee 6: the district orders a refetch of the scope; the kiosk
// clears it and pulls again, with no duplicates, nothing stale left, and
// its queued items kept and sent.
func TestGuarantee06ResetScope(t *testing.T) {
	d := newDistrict(t)
	_, tok := d.kiosk(t, streetA)
	ctx := context.Background()
	st := openKiosk(t)
	cfg := fastConfig(d, tok)
	a := newAgent(t, st, cfg)
	if err := a.Once(ctx); err != nil {
		t.Fatal(err)
	}
	before, _ := st.Status(ctx)

	// Something the district no longer has (as after a restore), applied
	// at the current cursor, and a filed case the district knows.
	stale := demoContent(t).Notices[0]
	stale.ID, stale.Street, stale.Title = "stale-notice", streetA, "过时的通知"
	if _, err := st.Apply(ctx, store.ContentFeed, []data.Change{{Seq: before.Cursor, Kind: data.KindNotice, ID: stale.ID,
		Op: data.OpUpsert, Version: 1, Body: mustJSON(t, stale)}}, before.Cursor); err != nil {
		t.Fatal(err)
	}
	filed := enqueueAppeals(t, st, "before-reset", 1)
	if err := a.Once(ctx); err != nil {
		t.Fatal(err)
	}

	if n, err := d.p.OrderReset(ctx, streetA); err != nil || n != 1 {
		t.Fatalf("order reset: %d kiosks, %v", n, err)
	}
	// A resident submits while the kiosk is pulling: that item must
	// survive the reset and go on the next cycle.
	var queued []string
	cfg.Trace = func(step string) {
		if step == "pulled" && queued == nil {
			queued = enqueueAppeals(t, st, "during-reset", 2)
		}
	}
	a = newAgent(t, st, cfg)
	res, err := a.OnceResult(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Resets != 1 {
		t.Fatalf("%d resets carried out, want 1", res.Resets)
	}
	if _, _, err := st.Get(ctx, data.KindNotice, stale.ID); err == nil {
		t.Error("the stale notice survived the reset")
	}
	after, _ := st.Status(ctx)
	if fmt.Sprint(after.Counts) != fmt.Sprint(before.Counts) {
		t.Errorf("after the reset counts %v, before %v", after.Counts, before.Counts)
	}
	if after.OutboxPending != len(queued) {
		t.Errorf("%d items queued after the reset, want %d", after.OutboxPending, len(queued))
	}
	if _, err := st.Case(ctx, filed[0]); err != nil {
		t.Errorf("the filed case did not come back with the refetch: %v", err)
	}
	for _, id := range queued {
		if _, err := st.Case(ctx, id); err != nil {
			t.Errorf("queued case %s lost its receipt in the reset: %v", id, err)
		}
	}
	// The next cycle sends them; nothing on either side twice.
	if err := a.Once(ctx); err != nil {
		t.Fatal(err)
	}
	checkExactlyOnce(t, d, st, append(filed, queued...))
}

// Guarantee 7: one bad item cannot block the queue: the district refuses
// it for good, it moves to the dead-letter list with the reason, and the
// items around it go.
func TestGuarantee07DeadLetter(t *testing.T) {
	d := newDistrict(t)
	_, tok := d.kiosk(t, streetA)
	ctx := context.Background()
	st := openKiosk(t)
	good1 := enqueueAppeals(t, st, "good-a", 3)
	bad := appeal("bad-1", time.Now())
	bad.AppealType = "nonsense"
	enqueueCase(t, st, bad)
	// One the kiosk itself cannot send: an id the wire refuses.
	if err := st.Enqueue(ctx, store.OutboxItem{ID: "bad id with spaces", Kind: wire.ItemCase, Body: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	good2 := enqueueAppeals(t, st, "good-b", 3)

	cfg := fastConfig(d, tok)
	cfg.Batch = 4 // the bad items share batches with good ones
	a := newAgent(t, st, cfg)
	res, err := a.OnceResult(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Refused != 2 || res.Accepted != 6 {
		t.Errorf("refused %d accepted %d, want 2 and 6", res.Refused, res.Accepted)
	}
	dead, err := st.DeadLetters(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	reasons, codes := map[string]string{}, map[string]string{}
	for _, dl := range dead {
		reasons[dl.ID], codes[dl.ID] = dl.Reason, dl.Code
	}
	if !strings.Contains(reasons[bad.ID], "appeal type") || reasons["bad id with spaces"] == "" {
		t.Errorf("dead letters %v", reasons)
	}
	// The district's code of the refusal is kept with it, and the kiosk
	// gives its own to what it could not send.
	if codes[bad.ID] != string(wire.RefusedMalformed) || codes["bad id with spaces"] != string(wire.RefusedMalformed) {
		t.Errorf("dead letters' codes %v", codes)
	}
	if s := a.Status(); s.DeadLetters != 2 || s.Waiting != 0 {
		t.Errorf("status %+v, want 2 dead letters and nothing waiting", s)
	}
	checkExactlyOnce(t, d, st, append(good1, good2...))
	if _, ok := d.entry(t, bad.ID); !ok {
		t.Error("the refused item is not in the district's ledger")
	}
	if _, ok := d.cases(t)[bad.ID]; ok {
		t.Error("the refused item was filed")
	}
}

// Guarantee 8: retries run by themselves with capped, jittered backoff.
// The rest of the guarantee (a Retry-After of an hour does not make the
// kiosk wait past its cap; each attempt has its own timeout; Run picks up
// by itself when the network returns) is timed on a fake clock in
// timing_test.go.
func TestGuarantee08RetriesCappedAndTimed(t *testing.T) {
	t.Run("backoff", func(t *testing.T) {
		lo, hi := 100*time.Millisecond, 5*time.Second
		seen := map[time.Duration]bool{}
		for attempt := range 40 {
			for range 20 {
				d := client.Backoff(lo, hi, attempt, nil)
				if d < lo/2 || d > hi {
					t.Fatalf("attempt %d: %v outside [%v, %v]", attempt, d, lo/2, hi)
				}
				seen[d] = true
			}
		}
		if len(seen) < 100 {
			t.Errorf("only %d distinct waits: no jitter", len(seen))
		}
		if d := client.Backoff(lo, hi, 1, nil); d > 2*lo {
			t.Errorf("second retry waits %v, want at most %v", d, 2*lo)
		}
		resp := &http.Response{StatusCode: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"3600"}}}
		for attempt := range 5 {
			if d := client.Backoff(lo, hi, attempt, resp); d != hi {
				t.Errorf("Retry-After 3600, attempt %d: waits %v, want the cap %v", attempt, d, hi)
			}
		}
		resp.Header.Set("Retry-After", "2")
		if d := client.Backoff(lo, hi, 0, resp); d != 2*time.Second {
			t.Errorf("Retry-After 2 under the cap: waits %v", d)
		}
	})

}

// Guarantee 9: no token, PIN or personal data in any log line, through
// a sync with faults, refusals and retries.
func TestGuarantee09NoSecretsInLogs(t *testing.T) {
	d := newDistrict(t)
	_, tok := d.kiosk(t, streetA)
	st := openKiosk(t)
	ids := enqueueAppeals(t, st, "private", 4)
	bad := appeal("private-bad", time.Now())
	bad.AppealType = "nonsense " + testIDNumber
	enqueueCase(t, st, bad)

	var logs logBuffer
	faults := []fault{refuse, lostAck, truncate, status5xx, tooMany}
	ft := newFaulty(func(n int, req *http.Request) fault {
		if n < len(faults) {
			return faults[n]
		}
		return pass
	})
	cfg := fastConfig(d, tok)
	cfg.Transport = ft
	cfg.Retries = 1
	cfg.Log = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a := newAgent(t, st, cfg)
	ctx := context.Background()
	for i := 0; i < 10 && outboxCount(t, st) > 0; i++ {
		a.Once(ctx)
	}
	if err := a.Once(ctx); err != nil {
		t.Fatal(err)
	}
	checkExactlyOnce(t, d, st, ids)

	out := logs.String()
	if os.Getenv("JIEZHEN_SHOW_LOGS") != "" {
		t.Log(out)
	}
	if strings.Count(out, "\n") < 5 {
		t.Fatalf("too little logged to judge:\n%s", out)
	}
	for _, secret := range []string{tok, tok[len(tok)-12:], testIDNumber, testIDNumber[:14], testMobile, "张三"} {
		if strings.Contains(out, secret) {
			t.Errorf("log output contains %q:\n%s", secret, out)
		}
	}
}

// Guarantee 10: a database written by the previous schema version, with
// items queued, is upgraded in place; the items are kept and sent.
func TestGuarantee10UpgradeKeepsQueue(t *testing.T) {
	d := newDistrict(t)
	_, tok := d.kiosk(t, streetA)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")

	// Schema version 1 exactly as the first release created it.
	init, err := os.ReadFile("../../data/store/migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	old, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.Exec(string(init)); err != nil {
		t.Fatal(err)
	}
	if _, err := old.Exec("PRAGMA user_version = 1"); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := range 3 {
		c := appeal(fmt.Sprintf("queued-v1-%d", i), time.Now())
		body := mustJSON(t, c)
		if _, err := old.Exec(`INSERT INTO outbox(id, kind, body, created_at) VALUES(?, 'case', ?, ?)`, c.ID, string(body), time.Now().UnixMilli()+int64(i)); err != nil {
			t.Fatal(err)
		}
		if _, err := old.Exec(`INSERT INTO cases(id, ref, kind, status, submitted_at, doc) VALUES(?, '', 'appeal', 'submitted', ?, ?)`,
			c.ID, time.Now().UnixMilli(), string(body)); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	old.Close()

	st := openKioskAt(t, path)
	if st.SchemaVersion() < 1 {
		t.Fatalf("schema version %d", st.SchemaVersion())
	}
	if n := outboxCount(t, st); n != len(ids) {
		t.Fatalf("%d items queued after the upgrade, want %d", n, len(ids))
	}
	if err := newAgent(t, st, fastConfig(d, tok)).Once(ctx); err != nil {
		t.Fatal(err)
	}
	checkExactlyOnce(t, d, st, ids)
	t.Logf("upgraded from schema 1 to %d", st.SchemaVersion())
}

// Guarantee 11: the kiosk's clock decides nothing. With its clock a year
// ahead (or behind) uploads succeed with the district's time, and two
// edits of the same item resolve in the district's order, not by the
// kiosks' clocks.
func TestGuarantee11ClockDecidesNothing(t *testing.T) {
	d := newDistrict(t)
	_, tokA1 := d.kiosk(t, streetA)
	_, tokA2 := d.kiosk(t, streetA)
	ctx := context.Background()
	ahead := func() time.Time { return time.Now().AddDate(1, 0, 0) }
	behind := func() time.Time { return time.Now().AddDate(-1, 0, 0) }

	k1, k2 := openKiosk(t), openKiosk(t)
	cfg1, cfg2 := fastConfig(d, tokA1), fastConfig(d, tokA2)
	cfg1.Now, cfg2.Now = ahead, behind
	a1, a2 := newAgent(t, k1, cfg1), newAgent(t, k2, cfg2)
	for _, a := range []*client.Agent{a1, a2} {
		if err := a.Once(ctx); err != nil {
			t.Fatal(err)
		}
	}

	// A case filed a year "in the future" is received at the district's time.
	c := appeal("clock-ahead-1", ahead())
	enqueueCase(t, k1, c)
	if err := a1.Once(ctx); err != nil {
		t.Fatal(err)
	}
	rec, ok := d.cases(t)[c.ID]
	if !ok {
		t.Fatal("the case from the kiosk with a wrong clock was not filed")
	}
	if got := rec.ReceivedAt; !got.Equal(d.clock()) {
		t.Errorf("received at %v, want the district's %v", got, d.clock())
	}
	local, _ := k1.Case(ctx, c.ID)
	if local.Ref != rec.Case.Ref || local.Status == data.StatusSubmitted {
		t.Errorf("kiosk's case %+v, want ref %s and the district's status", local, rec.Case.Ref)
	}

	// Both kiosks edit the same notice on the same version. The kiosk whose
	// clock is behind edits later in real time but sends first: the
	// district's order decides, so its edit stands and the other conflicts.
	n, v := streetNotice(t, k1)
	e1, e2 := n, n
	e1.Title, e2.Title = "甲亭修改（时钟快一年）", "乙亭修改（时钟慢一年）"
	staffEdit(t, k2, "edit-behind", e2, v)
	staffEdit(t, k1, "edit-ahead", e1, v)
	if err := a2.Once(ctx); err != nil {
		t.Fatal(err)
	}
	d.advance(time.Minute)
	res, err := a1.OnceResult(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Conflicts != 1 {
		t.Errorf("kiosk ahead: %d conflicts, want 1", res.Conflicts)
	}
	var got data.Notice
	if err := json.Unmarshal(d.item(t, data.KindNotice, n.ID).Body, &got); err != nil {
		t.Fatal(err)
	}
	if got.Title != e2.Title {
		t.Errorf("district holds %q, want the first-sent %q", got.Title, e2.Title)
	}

	// The kiosk's clock does not order its own queue either: staff edit
	// the notice twice, the second on the version the first makes, and
	// the clock is set back two years in between. The edits go in the
	// order they were made, so both are taken.
	if err := a2.Once(ctx); err != nil {
		t.Fatal(err)
	}
	cur, v2 := streetNotice(t, k2)
	if cur.ID != n.ID {
		t.Fatalf("picked notice %s, then %s", n.ID, cur.ID)
	}
	first, second := cur, cur
	first.Title, second.Title = "第一次修改", "第二次修改"
	staffEditAt(t, k2, "edit-1", first, v2, ahead())
	staffEditAt(t, k2, "edit-2", second, v2+1, behind())
	res, err = a2.OnceResult(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Accepted != 2 || res.Conflicts != 0 {
		t.Errorf("two edits in a row: accepted %d, conflicts %d; want 2 and 0", res.Accepted, res.Conflicts)
	}
	if err := json.Unmarshal(d.item(t, data.KindNotice, n.ID).Body, &got); err != nil {
		t.Fatal(err)
	}
	if got.Title != second.Title {
		t.Errorf("district holds %q, want the last edit %q", got.Title, second.Title)
	}
}

// Guarantee 12: a stale staff edit becomes a visible conflict with both
// versions; nothing is dropped or overwritten.
func TestGuarantee12StaleEditConflict(t *testing.T) {
	d := newDistrict(t)
	_, tok := d.kiosk(t, streetA)
	ctx := context.Background()
	st := openKiosk(t)
	a := newAgent(t, st, fastConfig(d, tok))
	if err := a.Once(ctx); err != nil {
		t.Fatal(err)
	}
	n, v := streetNotice(t, st)

	// The district changes the notice after the kiosk pulled it.
	district := n
	district.Title = "街道办修改后的标题"
	if _, err := d.p.Publish(ctx, &data.ContentSet{Notices: []data.Notice{district}}); err != nil {
		t.Fatal(err)
	}
	// Staff on the kiosk edit the version they have.
	local := n
	local.Title = "工作人员在自助机上修改的标题"
	staffEdit(t, st, "stale-edit-1", local, v)
	// And an edit that is not stale goes through in the same batch.
	enqueueAppeals(t, st, "with-conflict", 1)

	res, err := a.OnceResult(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Conflicts != 1 {
		t.Fatalf("%d conflicts, want 1", res.Conflicts)
	}
	cs, err := st.Conflicts(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 {
		t.Fatalf("%d conflicts recorded, want 1", len(cs))
	}
	c := cs[0]
	var mine data.StaffEditBody
	var theirs data.Notice
	if err := json.Unmarshal(c.Local, &mine); err != nil {
		t.Fatal(err)
	}
	var mineNotice data.Notice
	json.Unmarshal(mine.Item, &mineNotice)
	if err := json.Unmarshal(c.Server, &theirs); err != nil {
		t.Fatal(err)
	}
	if c.ItemKind != data.KindNotice || c.ItemID != n.ID || c.BaseVersion != v || c.ServerVersion <= v {
		t.Errorf("conflict %+v", c)
	}
	if mineNotice.Title != local.Title || theirs.Title != district.Title {
		t.Errorf("conflict keeps local %q and district %q, want %q and %q", mineNotice.Title, theirs.Title, local.Title, district.Title)
	}
	if s := a.Status(); s.Conflicts != 1 || s.Waiting != 0 {
		t.Errorf("status %+v", s)
	}
	var now data.Notice
	json.Unmarshal(d.item(t, data.KindNotice, n.ID).Body, &now)
	if now.Title != district.Title {
		t.Errorf("the district's notice was overwritten: %q", now.Title)
	}
	// The kiosk shows the district's version after the pull.
	shown, _ := st.Notice(ctx, n.ID)
	if shown.Title != district.Title {
		t.Errorf("kiosk shows %q, want the district's %q", shown.Title, district.Title)
	}
}

// All the faults at once, at random (seeded): refusals, resets, answers
// lost after the district committed, bodies cut off, 502s, 429s with
// Retry-After 3600, stalls past the attempt timeout and slow answers, on
// pushes and pulls, while the district publishes content and moves cases.
// Cycles are repeated until one finishes; then every item is on the
// district once, the kiosk holds what a fresh kiosk pulls, and the cases'
// statuses are the district's.
func TestSyncThroughFaults(t *testing.T) {
	d := newDistrict(t)
	_, tok := d.kiosk(t, streetA)
	ctx := context.Background()
	st := openKiosk(t)
	rng := newRand(20261125)
	var mu sync.Mutex
	kinds := []fault{pass, pass, pass, refuse, reset, lostAck, truncate, status5xx, tooMany, stall, slow}
	ft := newFaulty(func(n int, req *http.Request) fault {
		mu.Lock()
		defer mu.Unlock()
		return kinds[rng.IntN(len(kinds))]
	})
	cfg := fastConfig(d, tok)
	cfg.Transport, cfg.AttemptTimeout, cfg.Retries, cfg.Batch, cfg.Page = ft, 100*time.Millisecond, 2, 3, 7
	a := newAgent(t, st, cfg)

	var all []string
	base := demoContent(t).Notices[0]
	for round := range 4 {
		all = append(all, enqueueAppeals(t, st, fmt.Sprintf("chaos%d", round), 5)...)
		set := &data.ContentSet{}
		for i := range 10 {
			n := base
			n.ID, n.Street, n.Title = fmt.Sprintf("chaos-%d-%d", round, i), streetA, fmt.Sprintf("通知 %d-%d", round, i)
			set.Notices = append(set.Notices, n)
		}
		if _, err := d.p.Publish(ctx, set); err != nil {
			t.Fatal(err)
		}
		// The district moves the cases it has.
		for id, rec := range d.cases(t) {
			if rec.Case.Status == data.StatusReceived && len(id)%2 == 0 {
				if _, err := d.p.MoveCase(ctx, server.CaseMove{Ref: rec.Case.Ref, To: data.StatusAccepted, Reason: "受理"}); err != nil {
					t.Fatalf("move %s: %v", id, err)
				}
			}
		}
		for range 3 {
			a.Once(ctx)
		}
	}
	var err error
	for range 30 {
		if err = a.Once(ctx); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("no cycle finished in 30 tries: %v", err)
	}
	t.Logf("%d requests through the faulty transport", ft.requests())
	for _, k := range kinds[3:] {
		if ft.count(k) == 0 {
			t.Errorf("fault %v never happened", k)
		}
	}
	checkExactlyOnce(t, d, st, all)

	fresh := openKiosk(t)
	if err := newAgent(t, fresh, fastConfig(d, tok)).Once(ctx); err != nil {
		t.Fatal(err)
	}
	got, _ := st.Status(ctx)
	want, _ := fresh.Status(ctx)
	if got.Cursor != want.Cursor || fmt.Sprint(got.Counts) != fmt.Sprint(want.Counts) {
		t.Errorf("kiosk: cursor %d counts %v; fresh kiosk: %d %v", got.Cursor, got.Counts, want.Cursor, want.Counts)
	}
	for id, rec := range d.cases(t) {
		local, err := st.Case(ctx, id)
		if err != nil {
			t.Errorf("case %s: %v", id, err)
			continue
		}
		if local.Status != rec.Case.Status || local.Ref != rec.Case.Ref {
			t.Errorf("case %s: kiosk %s %s, district %s %s", id, local.Ref, local.Status, rec.Case.Ref, rec.Case.Status)
		}
	}
}
