package store

import (
	"context"
	"testing"
	"time"

	"jiezhen/data"
)

// A case filed late in the evening by the UTC clock is already the next day
// in China: its deadline counts from China's date, as the district's does.
func TestFileCaseCountsFromChinasDate(t *testing.T) {
	s, _ := openTest(t, Options{})
	// Monday 2026-12-07 17:00 UTC is Tuesday 2026-12-08 01:00 in China.
	at := time.Date(2026, 12, 7, 17, 0, 0, 0, time.UTC)
	c, err := FileCase(context.Background(), s, data.Case{Kind: data.CaseAppeal, Status: data.StatusSubmitted,
		SubmittedAt: at, AppealType: data.AppealHelp, Description: "路灯不亮", Anonymous: true}, 7, 1)
	if err != nil {
		t.Fatal(err)
	}
	if want := (data.Date{Year: 2026, Month: time.December, Day: 9}); c.Deadline != want {
		t.Errorf("deadline %s, want %s (one working day after Tuesday the 8th)", c.Deadline, want)
	}
}
