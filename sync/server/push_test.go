package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/sync/wire"
)

// Guarantee 2 (server half): the server commits, the answer is lost, the
// kiosk sends the same id again: it gets the first result back and
// nothing is stored twice.
func TestLostAcknowledgement(t *testing.T) {
	e := newEnv(t)
	item := appeal(t, "case-1", streetA)
	first := e.push(e.tokA1, item).Results[0]
	if first.Outcome != wire.Accepted || first.Ref == "" || !first.At.Equal(e.clock.Now()) {
		t.Fatalf("first push: %+v", first)
	}
	e.clock.Add(time.Hour)
	// The retry may come re-encoded with other spacing: still the same item.
	var pretty bytes.Buffer
	json.Indent(&pretty, item.Body, "", "  ")
	retried := item
	retried.Body = pretty.Bytes()
	for _, it := range []wire.PushItem{item, retried} {
		again := e.push(e.tokA1, it).Results[0]
		if again.Outcome != wire.Duplicate || again.First == nil {
			t.Fatalf("retry: %+v", again)
		}
		if again.First.Ref != first.Ref || !again.First.At.Equal(first.At) || again.First.Outcome != wire.Accepted {
			t.Fatalf("retry gave %+v, first was %+v", *again.First, first)
		}
	}
	if n := e.count("cases"); n != 1 {
		t.Fatalf("%d cases stored", n)
	}
	if n := e.count("ledger"); n != 1 {
		t.Fatalf("%d ledger entries", n)
	}
	changes, _ := e.pullAll(e.tokA1, 0)
	n := 0
	for _, c := range changes {
		if c.Kind == wire.KindCase {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("the case is in the feed %d times", n)
	}
}

// Guarantee 3: the same id with a different body is refused with 409, the
// batch is kept out whole, and the first item stays.
func TestSameIDDifferentBody(t *testing.T) {
	e := newEnv(t)
	item := appeal(t, "case-1", streetA)
	e.push(e.tokA1, item)
	other := appeal(t, "case-1", streetA)
	other.Body = bytes.Replace(other.Body, []byte("噪音"), []byte("漏水"), 1)
	status, body := e.pushItems(e.tokA1, opinion(t, "op-1"), other)
	if status != http.StatusConflict {
		t.Fatalf("same id, different body: %d %s", status, body)
	}
	if we := errorBody(t, body); we.Item != "case-1" {
		t.Fatalf("409 names %q", we.Item)
	}
	if e.count("opinions") != 0 {
		t.Fatal("the rest of a 409 batch was stored")
	}
	cases, err := e.p.Cases(context.Background(), CaseFilter{})
	if err != nil || len(cases) != 1 || !strings.Contains(cases[0].Case.Description, "噪音") {
		t.Fatalf("the first case did not stay: %+v %v", cases, err)
	}
	// The same id from another kiosk is also another item.
	if status, _ := e.pushItems(e.tokA2, item); status != http.StatusConflict {
		t.Fatalf("same id from another kiosk: %d", status)
	}
}

// Guarantee 7 (server half): a refused item does not hold up the items
// after it in the batch.
func TestRefusedItemDoesNotBlock(t *testing.T) {
	e := newEnv(t)
	bad := application(t, "app-bad", data.FormValues{"name": "李四", "id_number": "440106199001011234"})
	noService := application(t, "app-none", data.FormValues{})
	noService.Body = bytes.Replace(noService.Body, []byte(`"svc-a"`), []byte(`"svc-gone"`), 1)
	good := application(t, "app-good", data.FormValues{"name": "李四", "id_number": testID})
	resp := e.push(e.tokA1, bad, noService, opinion(t, "op-1"), good)
	want := []wire.Outcome{wire.Refused, wire.Refused, wire.Accepted, wire.Accepted}
	for i, r := range resp.Results {
		if r.Outcome != want[i] {
			t.Errorf("item %d: %+v, want %s", i, r, want[i])
		}
	}
	if r := resp.Results[0].Reason; !strings.Contains(r, `"id_number"`) || strings.Contains(r, "4401") {
		t.Errorf("reason %q should name the field and not its value", r)
	}
	if c0, c1 := resp.Results[0].Code, resp.Results[1].Code; c0 != wire.RefusedForm || c1 != wire.RefusedNotPublished {
		t.Errorf("codes %q and %q, want %q and %q", c0, c1, wire.RefusedForm, wire.RefusedNotPublished)
	}
	// A refusal is final: the same item again gets it again.
	again := e.push(e.tokA1, bad).Results[0]
	if again.Outcome != wire.Duplicate || again.First.Outcome != wire.Refused {
		t.Fatalf("refused item retried: %+v", again)
	}
	if n := e.count("cases"); n != 1 {
		t.Fatalf("%d cases stored", n)
	}
	// The accepted application got its deadline on the district calendar:
	// 5 working days after Wednesday 2026-11-25.
	cases, _ := e.p.Cases(context.Background(), CaseFilter{})
	if d := cases[0].Case.Deadline; d != data.MustDate("2026-12-02") {
		t.Fatalf("deadline %v", d)
	}
}

// A case the district already has under an item's id, which its ledger
// does not know (brought in another way, such as an imported outbox
// file), refuses the item as already filed, while the batch's other
// items go in; the ledger and the filed cases are read in one statement
// (Tx.Seen).
func TestAlreadyFiledRefused(t *testing.T) {
	e := newEnv(t)
	first := appeal(t, "filed-1", streetA)
	e.push(e.tokA1, first)
	if err := e.st.Write(context.Background(), func(tx Tx) error {
		return tx.(*sqlTx).exec("DELETE FROM ledger WHERE id = ?", "filed-1")
	}); err != nil {
		t.Fatal(err)
	}
	resp := e.push(e.tokA1, appeal(t, "filed-0", streetA), first, appeal(t, "filed-2", streetA))
	want := []wire.Outcome{wire.Accepted, wire.Refused, wire.Accepted}
	for i, r := range resp.Results {
		if r.Outcome != want[i] {
			t.Errorf("item %d: %+v, want %s", i, r, want[i])
		}
	}
	if c := resp.Results[1].Code; c != wire.RefusedAlreadyFiled {
		t.Errorf("the case filed before: code %q, want %q", c, wire.RefusedAlreadyFiled)
	}
	if n := e.count("cases"); n != 3 {
		t.Fatalf("%d cases stored, want 3", n)
	}
}

// An enforcement item (行政执法) is reported as an appeal, never applied
// for, even when it is marked online with a form: the kiosk and the
// website do not offer it (data.ServiceItem.AppliesOnline), and a push of
// such an application is refused as not online.
func TestApplicationForEnforcementRefused(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	err := e.st.Write(ctx, func(tx Tx) error {
		it, err := tx.Item(data.KindService, "svc-a")
		if err != nil {
			return err
		}
		var svc data.ServiceItem
		if err := json.Unmarshal(it.Body, &svc); err != nil {
			return err
		}
		svc.ID, svc.Category = "svc-enf", data.PowerEnforcement
		body, err := json.Marshal(svc)
		if err != nil {
			return err
		}
		_, err = tx.PutItem(Item{Kind: data.KindService, ID: svc.ID, Street: it.Street, Version: 1, Body: body})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	app := application(t, "app-enf", data.FormValues{"name": "李四", "id_number": testID})
	app.Body = bytes.Replace(app.Body, []byte(`"svc-a"`), []byte(`"svc-enf"`), 1)
	r := e.push(e.tokA1, app).Results[0]
	if r.Outcome != wire.Refused || r.Code != wire.RefusedNotOnline {
		t.Fatalf("an application for an enforcement item: %+v", r)
	}
	if n := e.count("cases"); n != 0 {
		t.Fatalf("%d cases stored", n)
	}
}

// Requests refused whole get 400 (or 413) with one sentence, and nothing
// of them is stored.
func TestBadRequestsStoreNothing(t *testing.T) {
	e := newEnv(t)
	good, _ := json.Marshal(opinion(t, "op-1"))
	many := make([]string, wire.MaxBatch+1)
	for i := range many {
		many[i] = fmt.Sprintf(`{"id":"op-%d","kind":"opinion","body":{"consultation":"zj-a","topic":"t1","text":"x"}}`, i)
	}
	huge := `{"items":[{"id":"big","kind":"opinion","body":{"text":"` + strings.Repeat("长", wire.MaxBodyBytes/3+10) + `"}}]}`
	for _, tc := range []struct {
		name, body string
		status     int
	}{
		{"malformed", `{"items":[` + string(good) + `,`, http.StatusBadRequest},
		{"not json", `hello`, http.StatusBadRequest},
		{"empty", ``, http.StatusBadRequest},
		{"unknown kind", `{"items":[` + string(good) + `,{"id":"x","kind":"petition","body":{}}]}`, http.StatusBadRequest},
		{"no id", `{"items":[` + string(good) + `,{"kind":"opinion","body":{}}]}`, http.StatusBadRequest},
		{"oversized batch", `{"items":[` + strings.Join(many, ",") + `]}`, http.StatusBadRequest},
		{"too large", huge, http.StatusRequestEntityTooLarge},
	} {
		status, body := e.pushRaw(e.tokA1, []byte(tc.body))
		if status != tc.status {
			t.Errorf("%s: %d %s", tc.name, status, body)
			continue
		}
		we := errorBody(t, body)
		if strings.Contains(we.Message, "\n") || we.Message != strings.ToLower(we.Message[:1])+we.Message[1:] {
			t.Errorf("%s: message %q is not one lower-case sentence", tc.name, we.Message)
		}
	}
	if n := e.count("ledger") + e.count("opinions") + e.count("cases"); n != 0 {
		t.Fatalf("%d rows stored by bad requests", n)
	}
	if status, _ := e.do("GET", wire.PathPush, e.tokA1, nil); status != http.StatusMethodNotAllowed {
		t.Fatalf("GET on push: %d", status)
	}
	if status, body := e.do("GET", "/api/v1/nothing", e.tokA1, nil); status != http.StatusNotFound {
		t.Fatalf("unknown route: %d %s", status, body)
	}
}

// A case's status changes reach the kiosk that filed it, and no other.
func TestCaseStatusInFilingKioskFeedOnly(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, a1 := e.pullAll(e.tokA1, 0)
	_, a2 := e.pullAll(e.tokA2, 0)
	_, b1 := e.pullAll(e.tokB1, 0)
	ref := e.push(e.tokA1, appeal(t, "case-1", streetA)).Results[0].Ref
	e.clock.Add(time.Hour)
	if _, err := e.p.MoveCase(ctx, CaseMove{Ref: ref, To: data.StatusReplied, Reason: "已协调物业处理"}); err != nil {
		t.Fatal(err)
	}
	changes, _ := e.pullAll(e.tokA1, a1)
	c, ok := find(changes, wire.KindCase, "case-1")
	if !ok || c.Version != 2 {
		t.Fatalf("filing kiosk's feed: %+v", changes)
	}
	var got data.Case
	if err := json.Unmarshal(c.Body, &got); err != nil {
		t.Fatal(err)
	}
	if got.Status != data.StatusReplied || got.Ref != ref || got.Reply == nil || got.Reply.Text != "已协调物业处理" || len(got.History) != 2 {
		t.Fatalf("case in feed: %+v", got)
	}
	for _, s := range []string{"张三", testID, testMobile, "噪音", "六运三街"} {
		if strings.Contains(string(c.Body), s) {
			t.Errorf("the case sent back to the kiosk holds personal data %q", s)
		}
	}
	for name, tok := range map[string]string{"A2": e.tokA2, "B1": e.tokB1} {
		from := map[string]int64{"A2": a2, "B1": b1}[name]
		other, _ := e.pullAll(tok, from)
		if _, ok := find(other, wire.KindCase, "case-1"); ok {
			t.Errorf("kiosk %s got another kiosk's case", name)
		}
		all, _ := e.pullAll(tok, 0)
		if _, ok := find(all, wire.KindCase, "case-1"); ok {
			t.Errorf("kiosk %s got another kiosk's case from 0", name)
		}
	}
	// An illegal move is refused and names both states.
	_, err := e.p.MoveCase(ctx, CaseMove{Ref: ref, To: data.StatusReceived})
	if err == nil || !strings.Contains(err.Error(), "replied") || !strings.Contains(err.Error(), "received") {
		t.Fatalf("illegal move: %v", err)
	}
}

func TestRating(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ref := e.push(e.tokA1, appeal(t, "case-1", streetA)).Results[0].Ref
	rate := wire.PushItem{ID: "rate-1", Kind: wire.ItemRating, Body: mustJSON(t, wire.RatingBody{Case: "case-1", Rating: data.RatingSatisfied})}
	if r := e.push(e.tokA1, rate).Results[0]; r.Outcome != wire.Refused || !strings.Contains(r.Reason, "rated") || r.Code != wire.RefusedNotRatable {
		t.Fatalf("rating an open case: %+v", r)
	}
	for _, m := range []CaseMove{{Ref: ref, To: data.StatusReplied, Reason: "答复"}, {Ref: ref, To: data.StatusCompleted, Reason: "办结"}} {
		if _, err := e.p.MoveCase(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	rate.ID = "rate-2"
	if r := e.push(e.tokA2, rate).Results[0]; r.Outcome != wire.Accepted || r.Ref != ref {
		t.Fatalf("rating at another kiosk of the street: %+v", r)
	}
	changes, _ := e.pullAll(e.tokA1, 0)
	c, _ := find(changes, wire.KindCase, "case-1")
	var got data.Case
	json.Unmarshal(c.Body, &got)
	if got.Status != data.StatusRated || got.Rating != data.RatingSatisfied {
		t.Fatalf("rated case in the feed: %+v", got)
	}
}

// Guarantee 12 (server half): a staff edit made on a stale version is a
// conflict that hands back the current version; nothing is overwritten.
func TestStaleStaffEdit(t *testing.T) {
	e := newEnv(t)
	all, _ := e.pullAll(e.tokA1, 0)
	base, _ := find(all, data.KindProvider, "p-a")
	var p data.Provider
	json.Unmarshal(base.Body, &p)

	edit := func(id, phone string, baseVersion int64) wire.PushItem {
		q := p
		q.Phone = phone
		return wire.PushItem{ID: id, Kind: wire.ItemStaffEdit, BaseVersion: baseVersion,
			Body: mustJSON(t, wire.StaffEdit{Kind: data.KindProvider, ID: "p-a", Op: data.OpUpsert, Item: mustJSON(t, q)})}
	}
	first := e.push(e.tokA1, edit("edit-1", "020-11111111", base.Version)).Results[0]
	if first.Outcome != wire.Accepted || first.Version != base.Version+1 {
		t.Fatalf("first edit: %+v", first)
	}
	stale := e.push(e.tokA2, edit("edit-2", "020-22222222", base.Version)).Results[0]
	if stale.Outcome != wire.Conflict || stale.Version != base.Version+1 || !strings.Contains(string(stale.Current), "020-11111111") {
		t.Fatalf("stale edit: %+v", stale)
	}
	all, _ = e.pullAll(e.tokA2, 0)
	cur, _ := find(all, data.KindProvider, "p-a")
	if !strings.Contains(string(cur.Body), "020-11111111") || cur.Version != base.Version+1 {
		t.Fatalf("the stale edit overwrote: %+v", cur)
	}
	// Made again on the current version, it goes through.
	if r := e.push(e.tokA2, edit("edit-3", "020-22222222", stale.Version)).Results[0]; r.Outcome != wire.Accepted || r.Version != stale.Version+1 {
		t.Fatalf("edit on the current version: %+v", r)
	}
	// Staff of street B cannot touch it; district-wide content is the
	// district's; an invalid item is refused with the reason.
	if status, _ := e.pushItems(e.tokB1, edit("edit-4", "020-33333333", 3)); status != http.StatusForbidden {
		t.Fatalf("street B editing street A's provider: %d", status)
	}
	notice := wire.PushItem{ID: "edit-5", Kind: wire.ItemStaffEdit, BaseVersion: 1,
		Body: mustJSON(t, wire.StaffEdit{Kind: data.KindNotice, ID: "n-district", Op: data.OpDelete})}
	if r := e.push(e.tokA1, notice).Results[0]; r.Outcome != wire.Refused || r.Code != wire.RefusedDistrictContent {
		t.Fatalf("deleting a district-wide notice: %+v", r)
	}
	if r := e.push(e.tokA1, edit("edit-6", "not a phone", 3)).Results[0]; r.Outcome != wire.Refused || !strings.Contains(r.Reason, "phone") || r.Code != wire.RefusedContent {
		t.Fatalf("invalid edit: %+v", r)
	}
}

// Guarantee 11 (server half): the kiosk's clock decides nothing. Cases
// stamped a year ahead and a year behind are accepted, and their times,
// references and order come from the district's clock.
func TestKioskClockDecidesNothing(t *testing.T) {
	e := newEnv(t)
	stamp := func(item wire.PushItem, at time.Time) wire.PushItem {
		var c data.Case
		json.Unmarshal(item.Body, &c)
		c.SubmittedAt = at
		item.Body = mustJSON(t, c)
		return item
	}
	now := e.clock.Now()
	ahead := e.push(e.tokA1, stamp(appeal(t, "case-ahead", streetA), now.AddDate(1, 0, 0))).Results[0]
	e.clock.Add(time.Minute)
	behind := e.push(e.tokA2, stamp(appeal(t, "case-behind", streetA), now.AddDate(-1, 0, 0))).Results[0]
	if ahead.Outcome != wire.Accepted || behind.Outcome != wire.Accepted {
		t.Fatalf("%+v %+v", ahead, behind)
	}
	if !ahead.At.Equal(now) || !behind.At.Equal(now.Add(time.Minute)) {
		t.Fatalf("acceptance times %v, %v are not the district's", ahead.At, behind.At)
	}
	if !(ahead.Ref < behind.Ref) {
		t.Fatalf("references %s, %s are not in the district's order", ahead.Ref, behind.Ref)
	}
	cases, _ := e.p.Cases(context.Background(), CaseFilter{Street: streetA})
	if len(cases) != 2 || cases[0].Case.ID != "case-ahead" || cases[1].Case.ID != "case-behind" {
		t.Fatalf("cases not in the district's order: %+v", cases)
	}
	for _, c := range cases {
		h := c.Case.History
		if len(h) != 1 || !h[0].At.Equal(c.ReceivedAt) || c.Case.Deadline.Year != 2026 {
			t.Fatalf("case %s history %+v deadline %v: not on the district's clock", c.Case.ID, h, c.Case.Deadline)
		}
	}
}

// Guarantee 9 (server half): no token and no personal data in any log line.
func TestNoSecretsInLogs(t *testing.T) {
	e := newEnv(t)
	e.push(e.tokA1, appeal(t, "case-1", streetA), application(t, "app-1", data.FormValues{"name": "李四", "id_number": testID}))
	e.push(e.tokA1, application(t, "app-2", data.FormValues{"name": "王五", "id_number": "440106199001011234"}))
	e.pushRaw(e.tokA1, []byte(`{"items":[{"id":"x","kind":"case","body":{"applicant":{"id_number":"`+testID+`"}}`))
	e.do("GET", wire.PathChanges+"?after=0", e.tokA1, nil)
	e.do("GET", wire.PathChanges, e.tokA1+"x", nil)
	if err := e.p.RevokeKiosk(context.Background(), e.a1.ID); err != nil {
		t.Fatal(err)
	}
	e.pushItems(e.tokA1, appeal(t, "case-2", streetA))
	logs := e.logs.String()
	if !strings.Contains(logs, `"msg":"push"`) || !strings.Contains(logs, `"status":401`) {
		t.Fatalf("the test did not log what it meant to:\n%s", logs)
	}
	for _, secret := range []string{e.tokA1, e.tokA1[:12], testID, "44010619900101", testMobile, "张三", "李四", "王五", "噪音", "六运"} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds %q:\n%s", secret, logs)
		}
	}
}

func TestOpinions(t *testing.T) {
	e := newEnv(t)
	first := e.push(e.tokA1, opinion(t, "op-1")).Results[0]
	if first.Outcome != wire.Accepted || first.Ref != "zj-a-1" {
		t.Fatalf("opinion: %+v", first)
	}
	bad := func(id string, edit func(*data.Opinion)) wire.PushItem {
		o := data.Opinion{ID: id, Consultation: "zj-a", Topic: "t1", Text: "意见"}
		edit(&o)
		return wire.PushItem{ID: id, Kind: wire.ItemOpinion, Body: mustJSON(t, o)}
	}
	resp := e.push(e.tokA1,
		bad("op-2", func(o *data.Opinion) { o.Consultation = "zj-none" }),
		bad("op-3", func(o *data.Opinion) { o.Topic = "t9" }),
		bad("op-4", func(o *data.Opinion) { o.Text = " " }),
		bad("op-5", func(o *data.Opinion) { o.ID = "other" }),
		bad("op-6", func(o *data.Opinion) { o.Mobile = "12345" }),
	)
	codes := []wire.RefusalCode{wire.RefusedNotPublished, wire.RefusedNotPublished, wire.RefusedIncomplete, wire.RefusedMalformed, wire.RefusedApplicant}
	for i, r := range resp.Results {
		if r.Outcome != wire.Refused || r.Reason == "" || r.Code != codes[i] {
			t.Errorf("%s: %+v, want code %q", r.ID, r, codes[i])
		}
	}
	// After the consultation closed, an opinion written offline on the
	// last day is still kept, marked late, for the district to judge.
	e.clock.Add(40 * 24 * time.Hour)
	if r := e.push(e.tokA1, opinion(t, "op-late")).Results[0]; r.Outcome != wire.Accepted || r.Ref != "zj-a-2" {
		t.Fatalf("late opinion: %+v", r)
	}
	if late := e.query("SELECT count(*) FROM opinions WHERE late = 1"); late != 1 {
		t.Fatalf("%d late opinions", e.query("SELECT count(*) FROM opinions WHERE late = 1"))
	}
}

func TestStaffEditCreateAndDelete(t *testing.T) {
	e := newEnv(t)
	n := data.Notice{ID: "n-new", Street: streetA, Title: "停水通知", Category: "通知", Publisher: "天河南街道",
		Published: data.MustDate("2026-11-20"), Body: "明日停水"}
	create := wire.PushItem{ID: "e-1", Kind: wire.ItemStaffEdit,
		Body: mustJSON(t, wire.StaffEdit{Kind: data.KindNotice, ID: "n-new", Op: data.OpUpsert, Item: mustJSON(t, n)})}
	if r := e.push(e.tokA1, create).Results[0]; r.Outcome != wire.Accepted || r.Version != 1 {
		t.Fatalf("create: %+v", r)
	}
	// A second kiosk creating the same id from scratch is a conflict.
	create.ID = "e-2"
	if r := e.push(e.tokA2, create).Results[0]; r.Outcome != wire.Conflict || r.Version != 1 {
		t.Fatalf("second create: %+v", r)
	}
	del := wire.PushItem{ID: "e-3", Kind: wire.ItemStaffEdit, BaseVersion: 1,
		Body: mustJSON(t, wire.StaffEdit{Kind: data.KindNotice, ID: "n-new", Op: data.OpDelete})}
	if r := e.push(e.tokA1, del).Results[0]; r.Outcome != wire.Accepted || r.Version != 2 {
		t.Fatalf("delete: %+v", r)
	}
	all, _ := e.pullAll(e.tokA2, 0)
	if c, ok := find(all, data.KindNotice, "n-new"); !ok || c.Op != data.OpDelete || c.Version != 2 {
		t.Fatalf("deleted notice in the feed: %+v", c)
	}
	if b, _ := find(all, data.KindNotice, "n-b"); b.ID != "" {
		t.Fatal("street B's notice in street A's feed")
	}
	// A stale delete on a deleted item is a conflict without a current body.
	del.ID = "e-4"
	if r := e.push(e.tokA1, del).Results[0]; r.Outcome != wire.Conflict || r.Version != 2 || r.Current != nil {
		t.Fatalf("stale delete: %+v", r)
	}
}

func TestMergeAppeals(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	resp := e.push(e.tokA1, appeal(t, "case-1", streetA), appeal(t, "case-2", streetA))
	first, second := resp.Results[0].Ref, resp.Results[1].Ref
	if _, err := e.p.MoveCase(ctx, CaseMove{Ref: second, To: data.StatusMerged, Reason: "同一事项"}); err == nil {
		t.Fatal("merge without a target passes")
	}
	if _, err := e.p.MoveCase(ctx, CaseMove{Ref: second, To: data.StatusMerged, Reason: "同一事项", Into: second}); err == nil {
		t.Fatal("merge into itself passes")
	}
	rec, err := e.p.MoveCase(ctx, CaseMove{Ref: second, To: data.StatusMerged, Reason: "同一事项", Into: first})
	if err != nil || rec.Case.MergedInto != first || rec.Case.Status != data.StatusMerged {
		t.Fatalf("merge: %+v %v", rec.Case, err)
	}
}
