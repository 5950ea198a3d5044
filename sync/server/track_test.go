package server

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"jiezhen/data"
)

// Tracking on the district: the right four digits show a case whichever
// kiosk filed it, a wrong four digits and an unknown reference give the
// same answer, five failures of one reference lock it (known or not) until
// they age out, one client cannot walk references, and an anonymous
// appeal shows its public part by the reference alone.
func TestTrack(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	anon := appeal(t, "anon-1", streetA)
	var c data.Case
	if err := json.Unmarshal(anon.Body, &c); err != nil {
		t.Fatal(err)
	}
	c.Anonymous, c.Applicant = true, nil
	anon.Body = mustJSON(t, c)
	res := e.push(e.tokA1, appeal(t, "appeal-1", streetA), anon).Results
	named, anonRef := res[0].Ref, res[1].Ref
	e.move(CaseMove{Ref: named, To: data.StatusReplied, Reason: "已责令商户整改"})

	tr, err := e.p.Track(ctx, named, "8000", "198.51.100.1")
	if err != nil || tr.Case.ID != "appeal-1" || tr.PublicOnly || tr.Contact != "张*  138****8000" {
		t.Fatalf("right digits: %+v, %v", tr, err)
	}
	tl, err := e.p.Timeline(ctx, tr, data.ZH)
	if err != nil || tl.Status != data.StatusReplied || tl.MayBeStale || len(tl.Events) < 3 || tl.Events[len(tl.Events)-1].Reason != "已责令商户整改" {
		t.Fatalf("timeline: %+v, %v", tl, err)
	}
	// Typed with dashes removed and lower case, as residents type it.
	if _, err := e.p.Track(ctx, strings.ToLower(strings.ReplaceAll(named, "-", "")), "8000", "198.51.100.1"); err != nil {
		t.Fatalf("reference without dashes: %v", err)
	}

	_, wrong := e.p.Track(ctx, named, "1234", "198.51.100.2")
	unknownRef := kioskRef(t, e.a1.ID, time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC), 7)
	_, unknown := e.p.Track(ctx, unknownRef, "1234", "198.51.100.2")
	if !errors.Is(wrong, ErrTrackNoMatch) || !errors.Is(unknown, ErrTrackNoMatch) || wrong.Error() != unknown.Error() {
		t.Fatalf("wrong digits %v, unknown reference %v: want the same ErrTrackNoMatch", wrong, unknown)
	}
	if _, err := e.p.Track(ctx, "not-a-ref", "8000", "198.51.100.2"); err == nil || errors.Is(err, ErrTrackNoMatch) {
		t.Fatalf("malformed reference: %v", err)
	}
	if _, err := e.p.Track(ctx, named, "80", "198.51.100.2"); err == nil || errors.Is(err, ErrTrackNoMatch) {
		t.Fatalf("two digits: %v", err)
	}

	// Four more failures of the named case (from other addresses) lock it,
	// even for the right digits; the unknown reference locks alike.
	for i := 0; i < TrackMaxFailures-1; i++ {
		e.p.Track(ctx, named, "0000", "203.0.113.9")
		e.p.Track(ctx, unknownRef, "0000", "203.0.113.9")
	}
	for _, ref := range []string{named, unknownRef} {
		if _, err := e.p.Track(ctx, ref, "8000", "198.51.100.1"); !errors.Is(err, ErrTrackLimited) {
			t.Fatalf("%s after %d failures: %v, want ErrTrackLimited", ref, TrackMaxFailures, err)
		}
	}
	e.clock.Add(TrackFailureWindow + time.Second)
	if _, err := e.p.Track(ctx, named, "8000", "198.51.100.1"); err != nil {
		t.Fatalf("after the failures aged out: %v", err)
	}

	// One address walking references is locked out of every reference.
	for i := 0; i < TrackMaxClientFailures; i++ {
		ref := kioskRef(t, e.a1.ID, time.Date(2026, 2, 3, 9, 0, 0, 0, time.UTC), i+1)
		if _, err := e.p.Track(ctx, ref, "0000", "192.0.2.50"); !errors.Is(err, ErrTrackNoMatch) {
			t.Fatalf("walk %d: %v", i, err)
		}
	}
	if _, err := e.p.Track(ctx, named, "8000", "192.0.2.50"); !errors.Is(err, ErrTrackLimited) {
		t.Fatalf("the walking address: %v, want ErrTrackLimited", err)
	}
	if n := e.query("SELECT count(*) FROM track_failures WHERE key LIKE '%192.0.2.50%'"); n != 0 {
		t.Fatalf("the client address is stored in the clear (%d rows)", n)
	}

	// The anonymous appeal: by the reference alone, its public part only.
	tr, err = e.p.Track(ctx, anonRef, "", "198.51.100.3")
	if err != nil || !tr.PublicOnly || tr.Contact != "" {
		t.Fatalf("anonymous appeal: %+v, %v", tr, err)
	}
	// The named case needs the digits, and not giving them is no try.
	for i := 0; i < TrackMaxFailures+1; i++ {
		if _, err := e.p.Track(ctx, named, "", "198.51.100.3"); !errors.Is(err, ErrTrackNoMatch) {
			t.Fatalf("named case without digits: %v", err)
		}
	}
	if _, err := e.p.Track(ctx, named, "8000", "198.51.100.3"); err != nil {
		t.Fatalf("tries without digits counted as failures: %v", err)
	}
}

// A case rated and corrected from the website goes through the kiosk's
// rules: once only, completed cases only, corrections checked as a kiosk's.
func TestRateAndCorrectFromWeb(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	res := e.push(e.tokA1, appeal(t, "appeal-1", streetA), disclosure(t, "disc-1")).Results
	apl, disc := res[0].Ref, res[1].Ref
	if err := e.p.RateCase(ctx, "appeal-1", data.RatingSatisfied, ""); err == nil {
		t.Fatal("a case not completed was rated")
	}
	e.move(CaseMove{Ref: apl, To: data.StatusReplied, Reason: "已处理"})
	e.move(CaseMove{Ref: apl, To: data.StatusCompleted, Reason: "回访确认"})
	if err := e.p.RateCase(ctx, "appeal-1", data.RatingSatisfied, "处理及时"); err != nil {
		t.Fatal(err)
	}
	var pe *Error
	if err := e.p.RateCase(ctx, "appeal-1", data.RatingVerySatisfied, ""); !errors.As(err, &pe) || !strings.Contains(err.Error(), "already rated") {
		t.Fatalf("second rating: %v", err)
	}
	if got, _ := e.feedCase(e.tokA1, "appeal-1"); got.Status != data.StatusRated || got.Rating != data.RatingSatisfied {
		t.Fatalf("the filing kiosk sees %s %d", got.Status, got.Rating)
	}
	if n := e.query("SELECT count(*) FROM ratings WHERE case_id = 'appeal-1' AND comment = '处理及时' AND kiosk = 0"); n != 1 {
		t.Fatalf("%d rating rows", n)
	}

	if err := e.p.CorrectCase(ctx, data.Correction{Case: "disc-1", Note: "x"}); err == nil || !strings.Contains(err.Error(), "not waiting") {
		t.Fatalf("correction before 补正: %v", err)
	}
	e.move(CaseMove{Ref: disc, To: data.StatusCorrection, Reason: "请说明所需信息的年份"})
	if err := e.p.CorrectCase(ctx, data.Correction{Case: "disc-1", Values: data.FormValues{"name": "x"}}); err == nil || !strings.Contains(err.Error(), "only an application's") {
		t.Fatalf("values for a disclosure request: %v", err)
	}
	if err := e.p.CorrectCase(ctx, data.Correction{Case: "disc-1", Information: "2025年度", Note: "补充年份"}); err != nil {
		t.Fatal(err)
	}
	got, _ := e.feedCase(e.tokA1, "disc-1")
	if got.Status != data.StatusReceived || got.History[len(got.History)-1].Reason != CorrectedReason {
		t.Fatalf("after the correction the kiosk sees %s %+v", got.Status, got.History)
	}
}

// The website's address reaches the kiosks in their street's item, stays
// through a publish of the content files (which do not carry it), and a
// serve without it takes it away; a bad address is refused in one line.
func TestPublicURL(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	street := func() data.Street {
		t.Helper()
		changes, _ := e.pullAll(e.tokA1, 0)
		c, ok := find(changes, data.KindStreet, streetA)
		if !ok {
			t.Fatal("no street item in the feed")
		}
		var st data.Street
		if err := json.Unmarshal(c.Body, &st); err != nil {
			t.Fatal(err)
		}
		return st
	}
	if n, err := e.p.SetPublicURL(ctx, "https://jiezhen.example.gov.cn/"); err != nil || n != 2 {
		t.Fatalf("set: %d streets, %v", n, err)
	}
	want := "https://jiezhen.example.gov.cn/s/" + streetA + "/"
	if st := street(); st.Website != want || st.TrackURL("001-13J-01E") != want+"track?ref=001-13J-01E" {
		t.Fatalf("the kiosk's street: %+v", st)
	}
	if n, err := e.p.SetPublicURL(ctx, "https://jiezhen.example.gov.cn"); err != nil || n != 0 {
		t.Fatalf("the same address again: %d, %v", n, err)
	}
	e.publishFile("testdata/content.json")
	if st := street(); st.Website != want {
		t.Fatalf("after a publish: %+v", st)
	}
	for _, bad := range []string{"jiezhen.example.gov.cn", "ftp://x.example", "https://x.example/?a=1"} {
		if _, err := e.p.SetPublicURL(ctx, bad); err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if _, err := e.p.SetPublicURL(ctx, ""); err != nil || street().Website != "" {
		t.Fatalf("without an address: %+v %v", street(), err)
	}
}
