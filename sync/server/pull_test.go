package server

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/sync/wire"
)

func TestPullPagesAndCursor(t *testing.T) {
	e := newEnv(t)
	var all []data.Change
	var after int64
	pages := 0
	for {
		resp := e.pull(e.tokA1, after, 2)
		pages++
		if len(resp.Changes) > 2 {
			t.Fatalf("page of %d changes with limit 2", len(resp.Changes))
		}
		for _, c := range resp.Changes {
			if c.Seq <= after {
				t.Fatalf("change seq %d is not after cursor %d", c.Seq, after)
			}
			after = c.Seq
		}
		all = append(all, resp.Changes...)
		if resp.More && resp.Next != resp.Changes[len(resp.Changes)-1].Seq {
			t.Fatalf("next %d is not the page's last seq", resp.Next)
		}
		after = resp.Next
		if !resp.More {
			break
		}
	}
	if pages < 3 {
		t.Fatalf("%d pages: paging was not exercised", pages)
	}
	seen := map[string]bool{}
	for _, c := range all {
		key := string(c.Kind) + "/" + c.ID
		if seen[key] {
			t.Errorf("%s came twice", key)
		}
		seen[key] = true
	}
	for _, want := range []string{"notice/n-district", "notice/n-a", "service/svc-a", "provider/p-a",
		"consultation/zj-a", "calendar/2026", "street/" + streetA} {
		if !seen[want] {
			t.Errorf("street A's kiosk did not get %s", want)
		}
	}
	for _, not := range []string{"notice/n-b", "street/" + streetB} {
		if seen[not] {
			t.Errorf("street A's kiosk got street B's %s", not)
		}
	}

	// Nothing new: an empty page at the same cursor.
	resp := e.pull(e.tokA1, after, 2)
	if len(resp.Changes) != 0 || resp.More || resp.Next != after {
		t.Fatalf("nothing new: %+v", resp)
	}

	// Republishing the same set changes nothing; one edited notice is one
	// change with the next version.
	set := &data.ContentSet{Notices: []data.Notice{{ID: "n-a", Street: streetA, Title: "天河南通知（更正）",
		Category: "通知", Publisher: "天河南街道", Published: data.MustDate("2026-11-02"), Body: "天河南"}}}
	if res := e.publishFile("testdata/content.json"); res.Added+res.Changed != 0 || res.Unchanged == 0 {
		t.Fatalf("republish: %+v", res)
	}
	if res := e.publish(set); res.Changed != 1 {
		t.Fatalf("edit: %+v", res)
	}
	changes, next := e.pullAll(e.tokA1, after)
	if len(changes) != 1 || changes[0].ID != "n-a" || changes[0].Version != 2 || changes[0].Op != data.OpUpsert {
		t.Fatalf("after the edit: %+v", changes)
	}
	if next <= after {
		t.Fatalf("cursor did not move: %d -> %d", after, next)
	}
	// Street B's kiosk is not told about it, but its cursor moves past it.
	bChanges, bNext := e.pullAll(e.tokB1, 0)
	if _, ok := find(bChanges, data.KindNotice, "n-a"); ok {
		t.Fatal("street B's kiosk got street A's notice")
	}
	if bNext != next {
		t.Fatalf("street B's cursor %d, want the feed's end %d", bNext, next)
	}
}

// A fresh kiosk pulling from 0 gets each item once, in its current
// version, and deletions.
func TestPullFromZeroIsCurrentState(t *testing.T) {
	e := newEnv(t)
	set := &data.ContentSet{Notices: []data.Notice{{ID: "n-a", Street: streetA, Title: "v2",
		Category: "通知", Publisher: "天河南街道", Published: data.MustDate("2026-11-02"), Body: "天河南"}}}
	e.publish(set)
	set.Notices[0].Title = "v3"
	e.publish(set)
	if _, err := e.p.Unpublish(context.Background(), data.KindProvider, "p-a"); err != nil {
		t.Fatal(err)
	}
	all, _ := e.pullAll(e.tokA1, 0)
	n := 0
	for _, c := range all {
		if c.ID == "n-a" {
			n++
			if c.Version != 3 {
				t.Errorf("n-a at version %d, want 3", c.Version)
			}
		}
	}
	if n != 1 {
		t.Fatalf("n-a came %d times", n)
	}
	p, ok := find(all, data.KindProvider, "p-a")
	if !ok || p.Op != data.OpDelete || p.Version != 2 || p.Body != nil {
		t.Fatalf("unpublished provider: %+v", p)
	}
}

// An item moving from district-wide to one street is deleted for the
// other streets, and deleted-then-upserted, in that order, for its own.
func TestPublishMovesScope(t *testing.T) {
	e := newEnv(t)
	_, afterA := e.pullAll(e.tokA1, 0)
	_, afterB := e.pullAll(e.tokB1, 0)
	set := &data.ContentSet{Notices: []data.Notice{{ID: "n-district", Street: streetA, Title: "只在天河南",
		Category: "通知", Publisher: "天河区政府", Published: data.MustDate("2026-11-01"), Body: "全区"}}}
	e.publish(set)
	a, _ := e.pullAll(e.tokA1, afterA)
	if len(a) != 2 || a[0].Op != data.OpDelete || a[1].Op != data.OpUpsert || a[0].Version != 2 || a[1].Version != 2 {
		t.Fatalf("street A: %+v", a)
	}
	b, _ := e.pullAll(e.tokB1, afterB)
	if len(b) != 1 || b[0].Op != data.OpDelete || b[0].ID != "n-district" {
		t.Fatalf("street B: %+v", b)
	}
}

func TestScopeIsolation(t *testing.T) {
	e := newEnv(t)
	status, body := e.do("GET", wire.PathChanges+"?after=0&street="+streetA, e.tokB1, nil)
	if status != http.StatusForbidden {
		t.Fatalf("street B reading street A: %d %s", status, body)
	}
	errorBody(t, body)
	if status, _ := e.do("GET", wire.PathChanges+"?after=0&street="+streetB, e.tokB1, nil); status != http.StatusOK {
		t.Fatalf("own street named: %d", status)
	}

	// Submitting for another street is refused whole, and nothing is kept.
	status, body = e.pushItems(e.tokB1, appeal(t, "case-b-ok", streetB), appeal(t, "case-for-a", streetA))
	if status != http.StatusForbidden {
		t.Fatalf("street B filing for street A: %d %s", status, body)
	}
	if we := errorBody(t, body); we.Item != "case-for-a" {
		t.Fatalf("403 names item %q", we.Item)
	}
	// Street B's kiosk answering street A's consultation is just as wrong.
	status, _ = e.pushItems(e.tokB1, opinion(t, "op-from-b"))
	if status != http.StatusForbidden {
		t.Fatalf("street B answering street A's consultation: %d", status)
	}
	if n := e.count("ledger") + e.count("cases") + e.count("opinions"); n != 0 {
		t.Fatalf("%d rows kept after 403", n)
	}
	// The same id is still free for its rightful kiosk.
	if r := e.push(e.tokA1, appeal(t, "case-for-a", streetA)); r.Results[0].Outcome != wire.Accepted {
		t.Fatalf("%+v", r.Results[0])
	}
}

func TestTokens(t *testing.T) {
	e := newEnv(t)
	for name, tok := range map[string]string{"missing": "", "unknown": "jzk_nottoken", "other scheme": ""} {
		status, body := e.do("GET", wire.PathChanges, tok, nil)
		if status != http.StatusUnauthorized {
			t.Fatalf("%s token: %d", name, status)
		}
		errorBody(t, body)
	}
	if err := e.p.RevokeKiosk(context.Background(), e.a1.ID); err != nil {
		t.Fatal(err)
	}
	if status, _ := e.do("GET", wire.PathChanges, e.tokA1, nil); status != http.StatusUnauthorized {
		t.Fatalf("revoked token pulls: %d", status)
	}
	if status, _ := e.pushItems(e.tokA1, opinion(t, "x")); status != http.StatusUnauthorized {
		t.Fatalf("revoked token pushes: %d", status)
	}
	if status, _ := e.do("GET", wire.PathChanges, e.tokA2, nil); status != http.StatusOK {
		t.Fatalf("another kiosk's token stopped working: %d", status)
	}
	if err := e.p.RevokeKiosk(context.Background(), e.a1.ID); err == nil {
		t.Fatal("revoking twice passes")
	}
	// The health route needs no token.
	status, body := e.do("GET", wire.PathHealth, "", nil)
	var h wire.Health
	if status != http.StatusOK || json.Unmarshal(body, &h) != nil || h.Status != "ok" {
		t.Fatalf("health: %d %s", status, body)
	}
}

func TestReset(t *testing.T) {
	e := newEnv(t)
	_, after := e.pullAll(e.tokA1, 0)
	resp := e.pull(e.tokA1, after+100, 10)
	if resp.Reset == nil || resp.Reset.Scope != streetA || len(resp.Changes) != 0 {
		t.Fatalf("cursor ahead of the feed: %+v", resp)
	}
	n, err := e.p.OrderReset(context.Background(), streetA)
	if err != nil || n != 2 {
		t.Fatalf("order reset: %d %v", n, err)
	}
	// Re-authenticate: the order is on the kiosk's row.
	if resp := e.pull(e.tokA1, after, 10); resp.Reset == nil {
		t.Fatal("no reset after it was ordered")
	}
	if resp := e.pull(e.tokB1, 0, 10); resp.Reset != nil {
		t.Fatal("street B was reset too")
	}
	// The refetch from 0 is the answer; then pulling goes on normally.
	all, next := e.pullAll(e.tokA1, 0)
	if len(all) == 0 {
		t.Fatal("refetch brought nothing")
	}
	if resp := e.pull(e.tokA1, next, 10); resp.Reset != nil {
		t.Fatal("reset again after the refetch")
	}
	// A2 has not refetched yet.
	if resp := e.pull(e.tokA2, after, 10); resp.Reset == nil {
		t.Fatal("A2 was not told to refetch")
	}
}

func TestBadPullQuery(t *testing.T) {
	e := newEnv(t)
	for _, q := range []string{"?after=-1", "?after=abc", "?limit=0"} {
		status, body := e.do("GET", wire.PathChanges+q, e.tokA1, nil)
		if status != http.StatusBadRequest {
			t.Fatalf("%s: %d", q, status)
		}
		errorBody(t, body)
	}
}

// A kiosk whose content cursor a bundle moved past its cases pulls them
// with cases_after: its case's changes after that cursor come, page by
// page, and the content after its content cursor with them; both cursors
// end at the feed's end.
func TestPullCasesBehindContent(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, a1 := e.pullAll(e.tokA1, 0)
	ref := e.push(e.tokA1, appeal(t, "case-1", streetA)).Results[0].Ref
	e.clock.Add(time.Hour)
	if _, err := e.p.MoveCase(ctx, CaseMove{Ref: ref, To: data.StatusReplied, Reason: "已协调物业处理"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.p.Unpublish(ctx, data.KindNotice, "n-b"); err != nil {
		t.Fatal(err)
	}
	_, end := e.pullAll(e.tokA2, 0) // the feed's end, as a bundle's B
	if _, err := e.p.Unpublish(ctx, data.KindNotice, "n-a"); err != nil {
		t.Fatal(err)
	}
	get := func(q string) (int, wire.PullResponse) {
		status, body := e.do("GET", wire.PathChanges+"?"+q, e.tokA1, nil)
		var resp wire.PullResponse
		json.Unmarshal(body, &resp)
		return status, resp
	}
	q := func(after, cases int64, limit int) string {
		return wire.PullRequest{After: after, CasesAfter: &cases, Limit: limit, Count: true}.Query().Encode()
	}
	// Without cases_after, the kiosk at the bundle's end sees only the
	// content after it.
	if _, r := get(wire.PullRequest{After: end}.Query().Encode()); len(r.Changes) != 1 || r.Changes[0].ID != "n-a" {
		t.Fatalf("at the end: %+v", r)
	}
	status, r := get(q(end, a1, 1))
	if status != http.StatusOK || len(r.Changes) != 1 || r.Changes[0].Kind != wire.KindCase || !r.More {
		t.Fatalf("first page: %d %+v", status, r)
	}
	if r.Next != end || r.CasesNext != r.Changes[0].Seq || r.Behind != 2 {
		t.Fatalf("first page's cursors: next %d cases_next %d behind %d; end %d", r.Next, r.CasesNext, r.Behind, end)
	}
	var got []data.Change
	got = append(got, r.Changes...)
	for r.More {
		if status, r = get(q(r.Next, r.CasesNext, 1)); status != http.StatusOK {
			t.Fatalf("page: %d", status)
		}
		got = append(got, r.Changes...)
	}
	c, ok := find(got, wire.KindCase, "case-1")
	if _, deleted := find(got, data.KindNotice, "n-a"); !deleted || len(got) != 2 {
		t.Fatalf("changes %+v", got)
	}
	if !ok || c.Version != 2 || r.Next != end+1 || r.CasesNext != end+1 {
		t.Fatalf("changes %+v, cursors %d %d, end %d", got, r.Next, r.CasesNext, end)
	}
	if status, _ := get(q(3, 4, 1)); status != http.StatusBadRequest {
		t.Fatalf("cases_after past after: %d", status)
	}
}
