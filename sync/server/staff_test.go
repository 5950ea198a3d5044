package server

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/data/pin"
	"jiezhen/sync/wire"
)

// A staff account is published in its street's feed only, with an
// argon2id hash of the PIN given once; removing it is a delete in that
// feed.
func TestStaffAccounts(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, _, err := e.p.AddStaff(ctx, "999999999", "李明"); err == nil || !strings.Contains(err.Error(), "not published") {
		t.Fatalf("unknown street: %v", err)
	}
	if _, _, err := e.p.AddStaff(ctx, streetA, "  "); err == nil {
		t.Fatal("no name accepted")
	}
	st, code, err := e.p.AddStaff(ctx, streetA, "李明")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := pin.Check(st.PINHash, code); err != nil || !ok || !pin.Valid(code) {
		t.Fatalf("PIN %q does not check against %q: %v", code, st.PINHash, err)
	}
	inFeed := func(token string) (data.Change, bool) {
		changes, _ := e.pullAll(token, 0)
		return find(changes, data.KindStaff, st.ID)
	}
	if c, ok := inFeed(e.tokA1); !ok || c.Op != data.OpUpsert || strings.Contains(string(c.Body), code) {
		t.Fatalf("street A's feed: %+v %v", c, ok)
	}
	if _, ok := inFeed(e.tokB1); ok {
		t.Fatal("street B's kiosk gets street A's staff")
	}
	list, err := e.p.StaffAccounts(ctx, streetA)
	if err != nil || len(list) != 1 || list[0].Name != "李明" {
		t.Fatalf("list %+v %v", list, err)
	}
	if err := e.p.RemoveStaff(ctx, st.ID); err != nil {
		t.Fatal(err)
	}
	if c, ok := inFeed(e.tokA1); !ok || c.Op != data.OpDelete {
		t.Fatalf("after removal: %+v %v", c, ok)
	}
	if list, _ := e.p.StaffAccounts(ctx, ""); len(list) != 0 {
		t.Fatalf("list after removal %+v", list)
	}
	// Staff cannot edit staff accounts from a kiosk.
	edit := wire.PushItem{ID: "edit-staff", Kind: wire.ItemStaffEdit, Body: mustJSON(t, wire.StaffEdit{Kind: data.KindStaff, ID: "x", Op: data.OpUpsert, Item: mustJSON(t, data.Staff{ID: "x"})})}
	if r := e.push(e.tokA1, edit).Results[0]; r.Outcome != wire.Refused {
		t.Fatalf("staff edit of a staff account: %+v", r)
	}
}

// Audit items are stored once, with the district's time, the kiosk and the
// staff member; a retry is a duplicate; an incomplete one is refused.
func TestAuditPush(t *testing.T) {
	e := newEnv(t)
	at := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC) // the kiosk's clock is off
	item := wire.PushItem{ID: "audit-1", Kind: wire.ItemAudit, Body: mustJSON(t, wire.AuditBody{Action: "sign_in", Staff: "李明", StaffID: "staff-1", At: at})}
	if r := e.push(e.tokA1, item).Results[0]; r.Outcome != wire.Accepted {
		t.Fatalf("audit: %+v", r)
	}
	e.clock.Add(time.Minute)
	if r := e.push(e.tokA1, item).Results[0]; r.Outcome != wire.Duplicate {
		t.Fatalf("audit again: %+v", r)
	}
	for i, b := range []wire.AuditBody{{Staff: "李明", StaffID: "s"}, {Action: "edit", StaffID: "s"}, {Action: strings.Repeat("x", 65), Staff: "李明", StaffID: "s"}} {
		if r := e.push(e.tokA1, wire.PushItem{ID: fmt.Sprintf("audit-bad-%d", i), Kind: wire.ItemAudit, Body: mustJSON(t, b)}).Results[0]; r.Outcome != wire.Refused {
			t.Fatalf("%+v: %+v", b, r)
		}
	}
	recs, err := e.p.Audit(context.Background())
	if err != nil || len(recs) != 1 {
		t.Fatalf("audit records %+v %v", recs, err)
	}
	r := recs[0]
	if r.ID != "audit-1" || r.Kiosk != e.a1.ID || r.Street != streetA || r.Staff != "李明" || r.Action != "sign_in" ||
		!r.At.Equal(at) || !r.ReceivedAt.Equal(e.clock.Now().Add(-time.Minute)) {
		t.Fatalf("record %+v", r)
	}
}

// An outbox import sets aside an item a batch is refused whole for, as
// the kiosk's agent does, and stores the rest once.
func TestImportOutboxSetsAside(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	items := []wire.PushItem{appeal(t, "case-1", streetA), appeal(t, "case-other", streetB), appeal(t, "case-2", streetA)}
	res, err := e.p.ImportOutbox(ctx, e.tokA1, streetA, items)
	if err != nil {
		t.Fatal(err)
	}
	if res.Kiosk != e.a1.ID || res.Items != 3 || res.Accepted != 2 || len(res.SetAside) != 1 || res.SetAside[0].ID != "case-other" {
		t.Fatalf("import: %+v", res)
	}
	res, err = e.p.ImportOutbox(ctx, e.tokA1, "", items)
	if err != nil || res.Duplicate != 2 || res.Accepted != 0 || len(res.SetAside) != 1 {
		t.Fatalf("again: %+v %v", res, err)
	}
	if n := e.count("cases"); n != 2 {
		t.Fatalf("%d cases", n)
	}
	if _, err := e.p.ImportOutbox(ctx, e.tokB1, streetA, items[:1]); err == nil || !strings.Contains(err.Error(), "belongs to street") {
		t.Fatalf("wrong street: %v", err)
	}
}
