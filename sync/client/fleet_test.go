package client_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/data/store"
	"jiezhen/sync/server"
	"jiezhen/sync/wire"
)

// fleetKiosk is kiosk id as the district's fleet page has it.
func fleetKiosk(t *testing.T, d *district, id int64) server.FleetKiosk {
	t.Helper()
	list, err := d.p.Fleet(context.Background(), server.User{})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range list {
		if k.ID == id {
			return k
		}
	}
	t.Fatalf("kiosk %d is not in the fleet", id)
	return server.FleetKiosk{}
}

// The fleet page's figures come from the agent's own pulls and pushes:
// when the district last saw the kiosk (at most once a minute), its
// version from its User-Agent, its outbox and dead letters from its
// headers, its cursor and so its lag behind the street's content; and a
// kiosk quiet for more than a day is marked.
func TestFleetFiguresFromSync(t *testing.T) {
	d := newDistrict(t)
	k, tok := d.kiosk(t, streetA)
	st := openKiosk(t)
	cfg := fastConfig(d, tok)
	cfg.UserAgent = wire.AgentProduct + "/1.4.2"
	a := newAgent(t, st, cfg)
	ctx := context.Background()

	if f := fleetKiosk(t, d, k.ID); f.Seen.At != nil || f.Lag != nil || f.Quiet {
		t.Fatalf("a kiosk that never synced: %+v", f)
	}
	now := time.Now()
	enqueueCase(t, st, appeal("case-1", now))
	enqueueCase(t, st, appeal("case-2", now))
	// An opinion on no consultation: the district refuses it for good.
	op, _ := json.Marshal(data.Opinion{ID: "op-x", Consultation: "zj-none", Topic: "t1", Text: "意见", At: now})
	if err := st.Enqueue(ctx, store.OutboxItem{ID: "op-x", Kind: data.ItemOpinion, Body: op, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := a.Once(ctx); err != nil {
		t.Fatal(err)
	}
	// The push came first and told the outbox before it was sent; the
	// pull right after is within the minute and not written.
	f := fleetKiosk(t, d, k.ID)
	if f.Seen.At == nil || !f.Seen.At.Equal(d.clock()) || f.Seen.Version != "1.4.2" ||
		f.Seen.Outbox == nil || *f.Seen.Outbox != 3 || f.Seen.DeadLetters == nil || *f.Seen.DeadLetters != 0 || f.Seen.Cursor != nil {
		t.Fatalf("after the first cycle: %+v", f.Seen)
	}

	d.advance(2 * time.Minute)
	if err := a.Once(ctx); err != nil {
		t.Fatal(err)
	}
	cursor, _, err := st.Cursors(ctx, store.ContentFeed)
	if err != nil {
		t.Fatal(err)
	}
	f = fleetKiosk(t, d, k.ID)
	if !f.Seen.At.Equal(d.clock()) || *f.Seen.Outbox != 0 || *f.Seen.DeadLetters != 1 || f.Seen.Cursor == nil ||
		*f.Seen.Cursor != cursor || f.Lag == nil || *f.Lag != 0 || f.Quiet {
		t.Fatalf("after the second cycle (cursor %d): %+v lag %v", cursor, f.Seen, f.Lag)
	}

	// Two new notices of the street: the kiosk is two changes behind
	// until it pulls them.
	set := demoContent(t)
	n := set.Notices[0]
	n.ID, n.Title = "fleet-1", "新通知一"
	m := n
	m.ID, m.Title = "fleet-2", "新通知二"
	m.Street = streetA
	n.Street = streetA
	if _, err := d.p.Publish(ctx, &data.ContentSet{Notices: []data.Notice{n, m}}); err != nil {
		t.Fatal(err)
	}
	if f = fleetKiosk(t, d, k.ID); *f.Lag != 2 {
		t.Fatalf("lag %d after two new notices, want 2", *f.Lag)
	}
	d.advance(25 * time.Hour)
	if f = fleetKiosk(t, d, k.ID); !f.Quiet {
		t.Fatal("a kiosk unseen for 25 hours is not marked quiet")
	}
	// The cursor is the one a pull starts from: the notices count as
	// pulled from the next cycle on.
	if err := a.Once(ctx); err != nil {
		t.Fatal(err)
	}
	if f = fleetKiosk(t, d, k.ID); f.Quiet || *f.Lag != 2 {
		t.Fatalf("after a sync: quiet %v, lag %d", f.Quiet, *f.Lag)
	}
	d.advance(time.Minute)
	if err := a.Once(ctx); err != nil {
		t.Fatal(err)
	}
	if f = fleetKiosk(t, d, k.ID); *f.Lag != 0 {
		t.Fatalf("lag %d after the next cycle", *f.Lag)
	}
}
