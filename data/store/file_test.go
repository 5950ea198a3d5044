package store

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"jiezhen/data"
)

// TestFileCaseCountsFromTheDayInChina: a case filed at 01:00 on a Friday
// in China (Thursday 17:00 UTC) is due one working day later on Monday,
// whatever zone the filing clock reads in, as its reference's day is.
func TestFileCaseCountsFromTheDayInChina(t *testing.T) {
	s, _ := openTest(t, Options{NoIndexer: true})
	c := data.Case{Kind: data.CaseAppeal, Street: testStreet, AppealType: data.AppealHelp, Description: "灯坏了",
		SubmittedAt: time.Date(2026, 11, 26, 17, 0, 0, 0, time.UTC), Applicant: &data.Person{Name: "王小明"}}
	filed, err := s.FileCase(context.Background(), c, 7, 1)
	if err != nil {
		t.Fatal(err)
	}
	if want := data.MustDate("2026-11-30"); filed.Deadline != want {
		t.Errorf("deadline %s, want %s", filed.Deadline, want)
	}
}

// TestFileOpinion: the store gives an opinion its id and queues it whole,
// at the time it was given; an opinion that breaks a field rule is not
// queued.
func TestFileOpinion(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Options{NoIndexer: true})
	at := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	o, err := s.FileOpinion(ctx, data.Opinion{Consultation: "cons-1", Topic: "t1", Text: "多种树", At: at})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(o.ID, "opinion-") {
		t.Errorf("id %q", o.ID)
	}
	items, err := s.Pending(ctx, 0)
	if err != nil || len(items) != 1 {
		t.Fatalf("outbox %+v, %v", items, err)
	}
	var got data.Opinion
	if err := json.Unmarshal(items[0].Body, &got); err != nil || got != o || items[0].Kind != data.ItemOpinion ||
		items[0].ID != o.ID || !items[0].CreatedAt.Equal(at) {
		t.Errorf("queued %+v (%s), want %+v", items[0], items[0].Body, o)
	}
	if _, err := s.FileOpinion(ctx, data.Opinion{Consultation: "cons-1", Topic: "t1", Text: "x", Name: "王\x07", At: at}); err == nil ||
		!strings.Contains(err.Error(), `field "name"`) {
		t.Errorf("a name with a control character: %v", err)
	}
	if n, _ := s.OutboxCount(ctx); n != 1 {
		t.Errorf("%d items queued, want 1", n)
	}
}
