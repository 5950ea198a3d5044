package client_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/data/store"
	"jiezhen/sync/server"
)

// A kiosk asks the real district over real HTTP for a case another kiosk
// filed: the right four digits bring its steps and reasons, a wrong four
// digits and an unknown reference the kiosk's own ErrTrackNoMatch, five
// failures the kiosk's ErrTrackLimited; the answer carries no personal
// data.
func TestTrackAtTheDistrict(t *testing.T) {
	d := newDistrict(t)
	ctx := context.Background()
	_, tok1 := d.kiosk(t, streetA)
	_, tok2 := d.kiosk(t, streetA)
	filer := openKiosk(t)
	enqueueCase(t, filer, appeal("remote-1", d.clock()))
	if err := newAgent(t, filer, fastConfig(d, tok1)).Once(ctx); err != nil {
		t.Fatal(err)
	}
	ref := d.cases(t)["remote-1"].Case.Ref
	if _, err := d.p.MoveCase(ctx, server.CaseMove{Ref: ref, To: data.StatusReplied, Reason: "已安排维修路灯"}); err != nil {
		t.Fatal(err)
	}

	other := openKiosk(t)
	a := newAgent(t, other, fastConfig(d, tok2))
	got, err := a.Track(ctx, ref, testMobile[len(testMobile)-4:])
	if err != nil {
		t.Fatal(err)
	}
	c := got.Case
	if c.ID != "remote-1" || c.Status != data.StatusReplied || got.PublicOnly || got.Contact != "张*  138****8000" ||
		c.History[len(c.History)-1].Reason != "已安排维修路灯" || c.Applicant != nil || c.Description != "" {
		t.Fatalf("the district's answer: %+v", got)
	}
	if !a.Status().Online {
		t.Fatal("the kiosk is not online after the district answered")
	}
	if _, err := a.Track(ctx, ref, "1234"); !errors.Is(err, store.ErrTrackNoMatch) {
		t.Fatalf("wrong digits: %v", err)
	}
	unknown, _ := data.NewReference(9, time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), 3)
	if _, err := a.Track(ctx, unknown, "1234"); !errors.Is(err, store.ErrTrackNoMatch) {
		t.Fatalf("unknown reference: %v", err)
	}
	if _, err := a.Track(ctx, "nonsense", "1234"); err == nil || errors.Is(err, store.ErrTrackNoMatch) {
		t.Fatalf("a malformed reference: %v", err)
	}
	for i := 0; i < server.TrackMaxFailures-1; i++ {
		a.Track(ctx, ref, "0000")
	}
	if _, err := a.Track(ctx, ref, "8000"); !errors.Is(err, store.ErrTrackLimited) {
		t.Fatalf("after five failures: %v", err)
	}
}
