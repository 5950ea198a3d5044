package server

import (
	"context"
	"testing"

	"jiezhen/data"
	"jiezhen/sync/wire"
)

// Each case records how it reached the district: a kiosk's push, its
// outbox on a USB drive, or the website. A website case takes the
// district's reference series, is filed once per form id, and has no
// view in any kiosk's feed.
func TestCaseChannels(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.push(e.tokA1, appeal(t, "case-kiosk", streetA))
	if _, err := e.p.ImportOutbox(ctx, e.tokA1, streetA, []wire.PushItem{appeal(t, "case-usb", streetA)}); err != nil {
		t.Fatal(err)
	}
	web := appeal(t, WebPrefix+"0123456789abcdef0123456789abcdef", streetA)
	first, err := e.p.FileFromWeb(ctx, streetA, web.Kind, web.ID, web.Body)
	if err != nil || first.Outcome != wire.Accepted {
		t.Fatalf("filed from the web: %+v %v", first, err)
	}
	again, err := e.p.FileFromWeb(ctx, streetA, web.Kind, web.ID, web.Body)
	if err != nil || again.Outcome != wire.Duplicate || again.First == nil || again.First.Ref != first.Ref {
		t.Fatalf("the same form again: %+v %v", again, err)
	}
	other := appeal(t, web.ID, streetA)
	other.Body = []byte(`{"kind":"appeal","street":"` + streetA + `","appeal_type":"help","description":"别的","anonymous":true}`)
	if _, err := e.p.FileFromWeb(ctx, streetA, other.Kind, other.ID, other.Body); !IsConflict(err) {
		t.Fatalf("the same form id with other answers: %v, want a conflict", err)
	}
	if _, err := e.p.FileFromWeb(ctx, streetA, web.Kind, "case-x", web.Body); err == nil {
		t.Fatal("a website item without the prefix was taken")
	}
	recs, err := e.p.Cases(ctx, CaseFilter{Street: streetA})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]data.Channel{"case-kiosk": data.ChannelKiosk, "case-usb": data.ChannelUSB, web.ID: data.ChannelWeb}
	if len(recs) != len(want) {
		t.Fatalf("%d cases, want %d", len(recs), len(want))
	}
	for _, r := range recs {
		if r.Case.Channel != want[r.Case.ID] {
			t.Errorf("case %s: channel %q, want %q", r.Case.ID, r.Case.Channel, want[r.Case.ID])
		}
		if r.Case.ID == web.ID {
			if k, err := data.ReferenceKiosk(r.Case.Ref); err != nil || k != 0 || r.Kiosk != 0 || r.Case.Kiosk != "" || r.Case.Ref != first.Ref {
				t.Errorf("the website's case: ref %s (kiosk field %d, %v), kiosk %d %q", r.Case.Ref, k, err, r.Kiosk, r.Case.Kiosk)
			}
			if !r.Case.SubmittedAt.Equal(r.ReceivedAt) {
				t.Errorf("the website's case was submitted at %v, received at %v", r.Case.SubmittedAt, r.ReceivedAt)
			}
		}
	}
	for _, tok := range []string{e.tokA1, e.tokA2} {
		changes, _ := e.pullAll(tok, 0)
		if _, ok := find(changes, wire.KindCase, web.ID); ok {
			t.Errorf("a kiosk's feed carries the website's case")
		}
	}
}
