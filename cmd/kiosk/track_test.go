package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/data/store"
)

// trackDB is the demo database with two appeals filed today on kiosk 7:
// one with a mobile, which the district has replied to and completed, and
// an anonymous one still queued.
func trackDB(t *testing.T) (db string, named, anon data.Case) {
	t.Helper()
	db = demoDB(t)
	ctx := context.Background()
	s, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Now()
	file := func(id string, seq int, p *data.Person) data.Case {
		ref, err := data.NewReference(7, now, seq)
		if err != nil {
			t.Fatal(err)
		}
		c := data.Case{ID: id, Ref: ref, Kind: data.CaseAppeal, Street: "440106005", Status: data.StatusSubmitted,
			SubmittedAt: now, AppealType: data.AppealConsult, Description: "社区长者饭堂几点开门？",
			Deadline: data.DateOf(now).AddDays(5), Applicant: p, Anonymous: p == nil}
		b, _ := json.Marshal(c)
		if err := s.Enqueue(ctx, store.OutboxItem{ID: id, Kind: "case", Body: b, CreatedAt: now, Case: &c}); err != nil {
			t.Fatal(err)
		}
		return c
	}
	named = file("case-named", 1, &data.Person{Name: "张三", Mobile: "13812345678"})
	anon = file("case-anon", 2, nil)
	// The district's answers, as the sync agent records them.
	view := named.WithoutPersonal()
	recv := now.Add(time.Minute)
	view.Status = data.StatusReceived
	view.History = []data.Transition{{From: data.StatusSubmitted, To: data.StatusReceived, At: recv}}
	if err := s.Settle(ctx, named.ID, store.Answer{Outcome: store.Accepted, Ref: named.Ref, At: recv, Case: &view}); err != nil {
		t.Fatal(err)
	}
	view.History = append(view.History,
		data.Transition{From: data.StatusReceived, To: data.StatusReplied, At: recv.Add(time.Minute), Reason: "每天 11:00 开门"},
		data.Transition{From: data.StatusReplied, To: data.StatusCompleted, At: recv.Add(2 * time.Minute), Reason: "已答复"})
	view.Status = data.StatusCompleted
	view.Reply = &data.Reply{Text: "每天 11:00 开门", At: recv.Add(time.Minute)}
	b, _ := json.Marshal(view)
	cursor, _ := s.Cursor(ctx, store.ContentFeed)
	if _, err := s.ApplyPage(ctx, store.ContentFeed, []data.Change{{Seq: cursor + 1, Kind: data.KindCase, ID: named.ID, Op: data.OpUpsert, Version: 3, Body: b}}, cursor+1, cursor+1, now); err != nil {
		t.Fatal(err)
	}
	return db, named, anon
}

func TestTrackPrintsTheTimeline(t *testing.T) {
	db, named, anon := trackDB(t)
	code, out, errs := kioskProcess(t, "track", "--db", db, strings.ToLower(data.NormalizeReference(named.Ref)), "--phone4", "5678")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var tl data.Timeline
	if err := json.Unmarshal([]byte(out), &tl); err != nil {
		t.Fatalf("not one JSON object: %q: %v", out, err)
	}
	if tl.Ref != named.Ref || tl.Status != data.StatusCompleted || tl.StatusLabel != "已办结" || tl.PublicOnly || tl.Queued {
		t.Errorf("timeline %+v", tl)
	}
	if tl.Reply == nil || tl.Reply.Text != "每天 11:00 开门" || !tl.CanRate || tl.Contact != "张*  138****5678" || tl.MayBeStale {
		t.Errorf("reply %+v, can rate %v, contact %q, stale %v", tl.Reply, tl.CanRate, tl.Contact, tl.MayBeStale)
	}
	if n := len(tl.Events); n != 4 || tl.Events[3].Reason != "已答复" {
		t.Errorf("events %+v", tl.Events)
	}
	if strings.Contains(out, "13812345678") || strings.Contains(out, "张三") || strings.Contains(out, "长者饭堂") {
		t.Errorf("the timeline shows personal data: %s", out)
	}

	// The anonymous appeal by the reference alone: public part, queued,
	// never synced.
	code, out, errs = kioskProcess(t, "track", "--db", db, anon.Ref)
	if code != 0 {
		t.Fatalf("anonymous: exit %d: %s", code, errs)
	}
	tl = data.Timeline{}
	if err := json.Unmarshal([]byte(out), &tl); err != nil {
		t.Fatal(err)
	}
	if !tl.PublicOnly || !tl.Queued || tl.Deadline == nil || !tl.Deadline.Running {
		t.Errorf("anonymous timeline %+v", tl)
	}
}

func TestTrackRefusesWithOneLine(t *testing.T) {
	db, named, _ := trackDB(t)
	wrong := data.NormalizeReference(named.Ref)
	wrong = wrong[:4] + map[bool]string{true: "1", false: "2"}[wrong[4] != '1'] + wrong[5:]
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--phone4", "5679", named.Ref}, 1, "no case " + named.Ref + " with those four digits"},
		{[]string{named.Ref}, 1, "without --phone4"},
		{[]string{"--phone4", "56", named.Ref}, 1, "four digits"},
		{[]string{"--phone4", "5678", wrong}, 1, "check character"},
		{[]string{"--phone4", "5678", "007-KQ3"}, 1, "9 characters"},
		{[]string{"--phone4", "5678"}, 2, "want one REF"},
		{[]string{"--lang", "fr", named.Ref}, 2, "--lang"},
	} {
		code, out, errs := kioskProcess(t, append([]string{"track", "--db", db}, tc.args...)...)
		if code != tc.code || out != "" || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want %d and one line with %q", tc.args, code, out, errs, tc.code, tc.want)
		}
		if strings.Contains(errs, "已办结") || strings.Contains(errs, "completed") {
			t.Errorf("%v: the refusal tells about the case: %q", tc.args, errs)
		}
	}
}
