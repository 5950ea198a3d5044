package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"jiezhen/data"
)

var trackNow = time.Date(2026, 11, 25, 10, 30, 0, 0, time.FixedZone("CST", 8*3600))

// fileTestCase queues a case as the kiosk files it, with its reference
// from the kiosk's generator.
func fileTestCase(t *testing.T, s *Store, id string, seq int, p *data.Person) data.Case {
	t.Helper()
	ref, err := data.NewReference(7, trackNow, seq)
	if err != nil {
		t.Fatal(err)
	}
	c := data.Case{ID: id, Ref: ref, Kind: data.CaseAppeal, Street: "440106005", Status: data.StatusSubmitted,
		SubmittedAt: trackNow, AppealType: data.AppealComplaint, Description: "楼下餐馆油烟很大", Location: "六运五街",
		Deadline: data.MustDate("2026-12-14"), Applicant: p, Anonymous: p == nil}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Enqueue(context.Background(), OutboxItem{ID: id, Kind: "case", Body: b, CreatedAt: trackNow, Case: &c}); err != nil {
		t.Fatal(err)
	}
	return c
}

// settleAsClient records the district's acceptance as the sync agent
// does: the case comes back without its personal data.
func settleAsClient(t *testing.T, s *Store, c data.Case) {
	t.Helper()
	v := c.WithoutPersonal()
	v.History = append(v.History, data.Transition{From: data.StatusSubmitted, To: data.StatusReceived, At: trackNow.Add(time.Hour)})
	v.Status = data.StatusReceived
	if err := s.Settle(context.Background(), c.ID, Answer{Outcome: Accepted, Ref: c.Ref, At: trackNow.Add(time.Hour), Case: &v}); err != nil {
		t.Fatal(err)
	}
}

func TestTrackByReferenceAndPhone4(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Options{NoIndexer: true})
	named := fileTestCase(t, s, "case-named", 1, &data.Person{Name: "张三", Mobile: "13812345678"})
	anon := fileTestCase(t, s, "case-anon", 2, nil)

	tr, err := s.Track(ctx, named.Ref, "5678", trackNow)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Case.ID != named.ID || tr.PublicOnly || !tr.Queued || tr.Contact != "张*  138****5678" {
		t.Errorf("right four digits: %+v", tr)
	}
	// As typed: lower case, no dashes, O for 0.
	typed := bytes.ToLower([]byte(data.NormalizeReference(named.Ref)))
	if _, err := s.Track(ctx, string(bytes.ReplaceAll(typed, []byte("0"), []byte("o"))), "5678", trackNow); err != nil {
		t.Errorf("reference as typed: %v", err)
	}
	if _, err := s.Track(ctx, named.Ref, "5679", trackNow); !errors.Is(err, ErrTrackNoMatch) {
		t.Errorf("wrong four digits: %v, want ErrTrackNoMatch", err)
	}
	if _, err := s.Track(ctx, named.Ref, "", trackNow); !errors.Is(err, ErrTrackNoMatch) {
		t.Errorf("no four digits for a named case: %v, want ErrTrackNoMatch", err)
	}
	unknown, _ := data.NewReference(7, trackNow, 9)
	if _, err := s.Track(ctx, unknown, "5678", trackNow); !errors.Is(err, ErrTrackNoMatch) {
		t.Errorf("unknown reference: %v, want the same ErrTrackNoMatch", err)
	}
	if _, err := s.Track(ctx, "007-KQ3-01", "5678", trackNow); !errors.Is(err, data.ErrRefLength) {
		t.Errorf("short reference: %v", err)
	}
	if _, err := s.Track(ctx, named.Ref, "56a8", trackNow); err == nil {
		t.Error("four digits with a letter: no error")
	}

	tr, err = s.Track(ctx, anon.Ref, "", trackNow)
	if err != nil {
		t.Fatal(err)
	}
	if !tr.PublicOnly || tr.Contact != "" {
		t.Errorf("anonymous appeal by the reference alone: %+v", tr)
	}

	// The phone4 hash and the contact outlive the settlement, which drops
	// the applicant.
	settleAsClient(t, s, named)
	tr, err = s.Track(ctx, named.Ref, "5678", trackNow)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Queued || tr.Case.Applicant != nil || tr.Case.Status != data.StatusReceived || tr.Contact != "张*  138****5678" {
		t.Errorf("after settling: %+v", tr)
	}
	// And the feed's view of the case, which has no applicant either.
	view := tr.Case
	view.Status = data.StatusAccepted
	b, _ := json.Marshal(view)
	if _, err := s.ApplyPage(ctx, ContentFeed, []data.Change{{Seq: 1, Kind: data.KindCase, ID: view.ID, Op: data.OpUpsert, Version: 2, Body: b}}, 1, 1, trackNow); err != nil {
		t.Fatal(err)
	}
	if tr, err = s.Track(ctx, named.Ref, "5678", trackNow); err != nil || tr.Case.Status != data.StatusAccepted {
		t.Errorf("after the feed: %+v, %v", tr, err)
	}
	if _, err := s.Track(ctx, named.Ref, "1234", trackNow); !errors.Is(err, ErrTrackNoMatch) {
		t.Errorf("wrong four digits after the feed: %v", err)
	}
}

// Guessing the four digits: five wrong tries of a reference within 15
// minutes, then every try is refused, the right one too, until the
// window has passed. Unknown references are limited the same way.
func TestTrackLimitsGuessing(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Options{NoIndexer: true})
	c := fileTestCase(t, s, "case-named", 1, &data.Person{Name: "李四", Mobile: "13912340000"})
	now := trackNow
	// Earlier failures outside the window do not count.
	for i := 0; i < TrackMaxFailures; i++ {
		if _, err := s.Track(ctx, c.Ref, "1111", now.Add(-time.Hour)); !errors.Is(err, ErrTrackNoMatch) {
			t.Fatal(err)
		}
	}
	for i := 0; i < TrackMaxFailures-1; i++ {
		if _, err := s.Track(ctx, c.Ref, "1111", now.Add(time.Duration(i)*time.Minute)); !errors.Is(err, ErrTrackNoMatch) {
			t.Fatalf("try %d: %v", i+1, err)
		}
	}
	if _, err := s.Track(ctx, c.Ref, "0000", now.Add(5*time.Minute)); err != nil {
		t.Fatalf("the right digits on the fifth try: %v", err)
	}
	if _, err := s.Track(ctx, c.Ref, "2222", now.Add(6*time.Minute)); !errors.Is(err, ErrTrackNoMatch) {
		t.Fatal(err)
	}
	if _, err := s.Track(ctx, c.Ref, "0000", now.Add(7*time.Minute)); !errors.Is(err, ErrTrackLimited) {
		t.Fatalf("after five failures: %v, want ErrTrackLimited", err)
	}
	// At +15:30 the failure at +0 has left the window: four remain.
	if _, err := s.Track(ctx, c.Ref, "0000", now.Add(TrackFailureWindow+30*time.Second)); err != nil {
		t.Fatalf("once a failure has left the window: %v", err)
	}
	unknown, _ := data.NewReference(7, trackNow, 30)
	for i := 0; i < TrackMaxFailures; i++ {
		s.Track(ctx, unknown, "1234", now)
	}
	if _, err := s.Track(ctx, unknown, "1234", now); !errors.Is(err, ErrTrackLimited) {
		t.Errorf("unknown reference after five tries: %v, want ErrTrackLimited like a known one", err)
	}
}

func TestRateOnce(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Options{NoIndexer: true})
	c := fileTestCase(t, s, "case-named", 1, &data.Person{Name: "王五", Mobile: "13712345678"})
	body := json.RawMessage(`{"case":"case-named","rating":5,"comment":"很好"}`)
	if err := s.Rate(ctx, c.ID, data.RatingVerySatisfied, "很好", trackNow); err == nil {
		t.Fatal("rated a case that is not completed")
	}
	settleAsClient(t, s, c)
	done := c.WithoutPersonal()
	done.Status = data.StatusCompleted
	b, _ := json.Marshal(done)
	if _, err := s.ApplyPage(ctx, ContentFeed, []data.Change{{Seq: 1, Kind: data.KindCase, ID: c.ID, Op: data.OpUpsert, Version: 5, Body: b}}, 1, 1, trackNow); err != nil {
		t.Fatal(err)
	}
	if err := s.Rate(ctx, c.ID, data.RatingVerySatisfied, "很好\x00", trackNow); err == nil || !strings.Contains(err.Error(), `field "comment"`) {
		t.Errorf("a comment with a control character: %v", err)
	}
	if err := s.Rate(ctx, c.ID, data.RatingVerySatisfied, "很好", trackNow); err != nil {
		t.Fatal(err)
	}
	if err := s.Rate(ctx, c.ID, data.RatingUnsatisfied, "", trackNow); !errors.Is(err, ErrRated) {
		t.Errorf("second rating: %v, want ErrRated", err)
	}
	items, err := s.Pending(ctx, 0)
	if err != nil || len(items) != 1 || items[0].Kind != "rating" || string(items[0].Body) != string(body) {
		t.Fatalf("outbox: %+v, %v", items, err)
	}
	tr, err := s.Track(ctx, c.Ref, "5678", trackNow)
	if err != nil || tr.LocalRating != data.RatingVerySatisfied {
		t.Errorf("the rating on the case: %+v, %v", tr, err)
	}
	// The feed brings the district's copy without the rating yet: the
	// local one stays.
	if _, err := s.ApplyPage(ctx, ContentFeed, []data.Change{{Seq: 2, Kind: data.KindCase, ID: c.ID, Op: data.OpUpsert, Version: 5, Body: b}}, 2, 2, trackNow); err != nil {
		t.Fatal(err)
	}
	if tr, _ := s.Track(ctx, c.Ref, "5678", trackNow); tr.LocalRating != data.RatingVerySatisfied {
		t.Errorf("the feed dropped the local rating")
	}
}

// Once the district has acknowledged a case and the retention has
// passed, neither the database file nor its WAL holds the full ID number
// or mobile: secure_delete overwrites what was removed and the sweep's
// checkpoint empties the WAL.
func TestSweepLeavesNoPersonalDataInTheFile(t *testing.T) {
	ctx := context.Background()
	s, path := openTest(t, Options{NoIndexer: true})
	const idNumber, mobile = "11010519491231002X", "13812345678"
	c := fileTestCase(t, s, "case-app", 1, &data.Person{Name: "赵六", IDNumber: idNumber, Mobile: mobile})
	// Bring the filed case into the main file, so that the test also
	// proves old pages there are overwritten.
	if err := s.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	// Without the agent's stripping, the settled copy keeps the case as
	// filed until the sweep.
	if err := s.Settle(ctx, c.ID, Answer{Outcome: Accepted, Ref: c.Ref, At: trackNow}); err != nil {
		t.Fatal(err)
	}
	contains := func() []string { return filesHolding(t, path, idNumber, mobile) }
	if len(contains()) == 0 {
		t.Fatal("the personal data is not in the files before the sweep: the test proves nothing")
	}
	// Within the retention the case keeps its data.
	if res, err := s.Sweep(ctx, time.Now().Add(time.Hour), DefaultRetention); err != nil || res.Cases != 0 {
		t.Fatalf("sweep within the retention: %+v, %v", res, err)
	}
	res, err := s.Sweep(ctx, time.Now().Add(DefaultRetention+time.Minute), DefaultRetention)
	if err != nil {
		t.Fatal(err)
	}
	if res.Cases != 1 {
		t.Errorf("sweep removed the data of %d cases, want 1", res.Cases)
	}
	if found := contains(); len(found) > 0 {
		t.Errorf("after the sweep the files still hold %q", found)
	}
	// Tracking still works: reference, status, masked contact, phone4.
	tr, err := s.Track(ctx, c.Ref, "5678", trackNow)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Case.Applicant != nil || tr.Case.Description != "" || tr.Contact != "赵*  138****5678" {
		t.Errorf("after the sweep: %+v", tr)
	}
}

// A reset of the scope refetches the kiosk's cases from the feed, which
// never carries the phone4 hash: the named case keeps it, and is still
// shown only with the right four digits.
func TestTrackSurvivesReset(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Options{NoIndexer: true})
	named := fileTestCase(t, s, "case-named", 1, &data.Person{Name: "张三", Mobile: "13812345678"})
	anon := fileTestCase(t, s, "case-anon", 2, nil)
	settleAsClient(t, s, named)
	settleAsClient(t, s, anon)
	if err := s.ResetScope(ctx, ContentFeed, "440106005"); err != nil {
		t.Fatal(err)
	}
	var changes []data.Change
	for i, c := range []data.Case{named, anon} {
		v := c.WithoutPersonal()
		v.Status = data.StatusAccepted
		b, _ := json.Marshal(v)
		changes = append(changes, data.Change{Seq: int64(i + 1), Kind: data.KindCase, ID: c.ID, Op: data.OpUpsert, Version: 4, Body: b})
	}
	if _, err := s.ApplyPage(ctx, ContentFeed, changes, 2, 2, trackNow); err != nil {
		t.Fatal(err)
	}
	if tr, err := s.Track(ctx, named.Ref, "5678", trackNow); err != nil || tr.Case.Status != data.StatusAccepted || tr.PublicOnly {
		t.Errorf("named case after the reset: %+v, %v", tr, err)
	}
	if _, err := s.Track(ctx, named.Ref, "", trackNow); !errors.Is(err, ErrTrackNoMatch) {
		t.Errorf("named case by the reference alone after the reset: %v", err)
	}
	if tr, err := s.Track(ctx, anon.Ref, "", trackNow); err != nil || !tr.PublicOnly {
		t.Errorf("anonymous case after the reset: %+v, %v", tr, err)
	}
	// A named case the kiosk holds without the hash (from the feed
	// alone) is shown to no one.
	other := named.WithoutPersonal()
	other.ID, other.Ref = "case-other", mustRef(t, 3)
	b, _ := json.Marshal(other)
	if _, err := s.ApplyPage(ctx, ContentFeed, []data.Change{{Seq: 3, Kind: data.KindCase, ID: other.ID, Op: data.OpUpsert, Version: 1, Body: b}}, 3, 3, trackNow); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Track(ctx, other.Ref, "", trackNow); !errors.Is(err, ErrTrackNoMatch) {
		t.Errorf("named case without a hash: %v", err)
	}
}

func mustRef(t *testing.T, seq int) string {
	t.Helper()
	ref, err := data.NewReference(7, trackNow, seq)
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

// A case and an opinion the district refused wait as dead letters for
// staff; once the retention has passed since the refusal, the sweep
// removes their personal data (the name, ID number, mobile and what the
// resident wrote) from the dead letters and from the case's own copy, in
// the database file and its WAL, keeping what they were, their reference,
// time and the refusal's reason. Such a dead letter can be discarded, not
// sent again.
func TestSweepRedactsOldDeadLetters(t *testing.T) {
	ctx := context.Background()
	s, path := openTest(t, Options{NoIndexer: true})
	st := staffMember(t, s)
	const idNumber, mobile, name = "11010519491231002X", "13812345678", "赵六"
	const opinionMobile, opinionText = "13987654321", "建议在六运五街加装路灯照明"
	c := fileTestCase(t, s, "case-refused", 1, &data.Person{Name: name, IDNumber: idNumber, Mobile: mobile})
	op, err := json.Marshal(data.Opinion{ID: "opinion-refused", Consultation: "zj-2026-03", Topic: "t3",
		Text: opinionText, Name: "钱七", Mobile: opinionMobile, At: trackNow})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Enqueue(ctx, OutboxItem{ID: "opinion-refused", Kind: "opinion", Body: op, CreatedAt: trackNow}); err != nil {
		t.Fatal(err)
	}
	if err := s.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	const reason = "事项编码已停用"
	for _, id := range []string{c.ID, "opinion-refused"} {
		if err := s.Settle(ctx, id, Answer{Outcome: Refused, Reason: reason}); err != nil {
			t.Fatal(err)
		}
	}
	secrets := []string{idNumber, mobile, opinionMobile, c.Description, opinionText}
	contains := func() []string { return filesHolding(t, path, secrets...) }
	if len(contains()) == 0 {
		t.Fatal("the personal data is not in the files before the sweep: the test proves nothing")
	}
	// Within the retention staff can still send them again.
	if res, err := s.Sweep(ctx, time.Now().Add(time.Hour), DefaultRetention); err != nil || res.DeadLetters != 0 {
		t.Fatalf("sweep within the retention: %+v, %v", res, err)
	}
	if dl, err := s.DeadLetters(ctx, 0); err != nil || len(dl) != 2 || dl[0].RedactedAt != nil || dl[1].RedactedAt != nil {
		t.Fatalf("dead letters within the retention: %+v, %v", dl, err)
	}
	res, err := s.Sweep(ctx, time.Now().Add(DefaultRetention+time.Minute), DefaultRetention)
	if err != nil {
		t.Fatal(err)
	}
	if res.DeadLetters != 2 {
		t.Errorf("the sweep redacted %d dead letters, want 2", res.DeadLetters)
	}
	if found := contains(); len(found) > 0 {
		t.Errorf("after the sweep the files still hold %q", found)
	}
	dl, err := s.DeadLetters(ctx, 0)
	if err != nil || len(dl) != 2 {
		t.Fatalf("dead letters after the sweep: %+v, %v", dl, err)
	}
	for _, d := range dl {
		if d.RedactedAt == nil || d.Reason != reason || d.FailedAt.IsZero() {
			t.Errorf("dead letter %s after the sweep: %+v", d.ID, d)
		}
		if strings.Contains(string(d.Body), name) || strings.Contains(string(d.Body), "钱七") {
			t.Errorf("dead letter %s still names the resident: %s", d.ID, d.Body)
		}
		switch d.ID {
		case c.ID:
			var kept data.Case
			if err := json.Unmarshal(d.Body, &kept); err != nil {
				t.Fatal(err)
			}
			if d.Kind != data.ItemCase || d.Ref != c.Ref || kept.Ref != c.Ref || kept.Kind != data.CaseAppeal || kept.Applicant != nil || kept.Location != "" {
				t.Errorf("the redacted case: %+v, body %s", d, d.Body)
			}
		case "opinion-refused":
			var kept data.Opinion
			if err := json.Unmarshal(d.Body, &kept); err != nil {
				t.Fatal(err)
			}
			if d.Kind != "opinion" || kept.Consultation != "zj-2026-03" || kept.Topic != "t3" || kept.Text != "" {
				t.Errorf("the redacted opinion: %+v, body %s", d, d.Body)
			}
		}
	}
	// The case's own copy keeps what tracking shows, without the person.
	tr, err := s.Track(ctx, c.Ref, "5678", trackNow)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Case.Applicant != nil || tr.Case.Description != "" || tr.Contact != "赵*  138****5678" {
		t.Errorf("the refused case after the sweep: %+v", tr)
	}
	// A redacted dead letter cannot go again; it can be discarded.
	if err := s.RetryDeadLetter(ctx, st, c.ID, trackNow); !errors.Is(err, ErrRedacted) {
		t.Errorf("retrying a redacted dead letter: %v", err)
	}
	if q := outboxOf(t, s, data.ItemCase); len(q) != 0 {
		t.Errorf("%d cases queued after a refused retry", len(q))
	}
	if err := s.DiscardDeadLetter(ctx, st, c.ID, trackNow); err != nil {
		t.Fatal(err)
	}
	// A second sweep has nothing left to do.
	if res, err := s.Sweep(ctx, time.Now().Add(DefaultRetention+time.Hour), DefaultRetention); err != nil || res.DeadLetters != 0 {
		t.Errorf("second sweep: %+v, %v", res, err)
	}
}

// filesHolding lists "file: secret" for each secret found in the bytes of
// the database file at path or its -wal.
func filesHolding(t *testing.T, path string, secrets ...string) []string {
	t.Helper()
	var found []string
	for _, p := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range secrets {
			if bytes.Contains(b, []byte(secret)) {
				found = append(found, p+": "+secret)
			}
		}
	}
	return found
}
