package store

import (
	"context"
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
	filed, err := FileCase(context.Background(), s, c, 7, 1)
	if err != nil {
		t.Fatal(err)
	}
	if want := data.MustDate("2026-11-30"); filed.Deadline != want {
		t.Errorf("deadline %s, want %s", filed.Deadline, want)
	}
}
