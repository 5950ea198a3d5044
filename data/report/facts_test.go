package report

import (
	"testing"
	"time"

	"jiezhen/data"
)

// at is a time given in China.
func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, Zone)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func day(s string) Day { return DayOfDate(data.MustDate(s)) }

func move(t *testing.T, c *data.Case, to data.Status, when string) {
	t.Helper()
	if err := c.Move(to, at(when), "reason"); err != nil {
		t.Fatal(err)
	}
}

func TestDayIsChinaDay(t *testing.T) {
	// 23:30 on 30 November in China is 15:30 UTC: November's.
	if got := DayOf(at("2026-11-30 23:30")); got != day("2026-11-30") {
		t.Errorf("23:30 China: day %s", got)
	}
	// 00:30 on 1 December in China is still 30 November in UTC.
	if got := DayOf(time.Date(2026, 11, 30, 16, 30, 0, 0, time.UTC)); got != day("2026-12-01") {
		t.Errorf("00:30 China: day %s", got)
	}
	if day("2026-11-30").String() != "2026-11-30" || Day(0).String() != "" {
		t.Error("Day.String")
	}
}

func TestFactsCorrectionRestartsClock(t *testing.T) {
	c := &data.Case{ID: "c1", Kind: data.CaseDisclosure, Street: "s1", Status: data.StatusSubmitted,
		Request: &data.DisclosureRequest{Requester: data.RequesterOrganisation}, Deadline: data.MustDate("2026-12-10")}
	move(t, c, data.StatusReceived, "2026-11-02 09:00")
	move(t, c, data.StatusCorrection, "2026-11-03 09:00")
	move(t, c, data.StatusReceived, "2026-11-09 09:00")
	move(t, c, data.StatusReplied, "2026-11-20 09:00")
	c.Reply = &data.Reply{Type: data.ReplyDisclosed}
	f := FactsOf(c, at("2026-11-02 09:00"))
	if f.Received != day("2026-11-02") || f.Start != day("2026-11-09") || f.Answered != day("2026-11-20") {
		t.Fatalf("days: %+v", f)
	}
	if f.Outcome != OutcomeAnswered || !f.OnTime() || f.Corrections != 1 || f.FirstCorrect != day("2026-11-03") {
		t.Fatalf("facts: %+v", f)
	}
	if f.Requester != data.RequesterOrganisation || f.Reply != data.ReplyDisclosed || f.Channel != data.ChannelKiosk {
		t.Fatalf("kinds: %+v", f)
	}
	w := NewWorkdays(nil, day("2026-01-01"), day("2026-12-31"))
	// 9 Nov (Mon) to 20 Nov (Fri): 9 working days after the restart.
	if got := w.ElapsedWorkdays(&f); got != 9 {
		t.Errorf("elapsed %d working days, want 9", got)
	}
	// Suspended from 3 to 8 November: not overdue then, even against a
	// deadline already past.
	g := f
	g.Deadline, g.Answered, g.Outcome = day("2026-11-02"), 0, OutcomeOpen
	if g.OverdueOn(day("2026-11-05")) || !g.OverdueOn(day("2026-11-09")) {
		t.Error("overdue while suspended")
	}
}

func TestFactsMergedAndLate(t *testing.T) {
	c := &data.Case{ID: "m", Kind: data.CaseAppeal, AppealType: data.AppealComplaint, Status: data.StatusSubmitted, Deadline: data.MustDate("2026-11-05")}
	move(t, c, data.StatusReceived, "2026-11-02 09:00")
	move(t, c, data.StatusMerged, "2026-11-03 09:00")
	f := FactsOf(c, at("2026-11-02 09:00"))
	if f.Outcome != OutcomeMerged || f.HasDeadline() || f.OverdueOn(day("2026-11-30")) || f.Type != "complaint" {
		t.Fatalf("merged: %+v", f)
	}
	c = &data.Case{ID: "l", Kind: data.CaseAppeal, AppealType: data.AppealHelp, Status: data.StatusSubmitted, Deadline: data.MustDate("2026-11-05")}
	move(t, c, data.StatusReceived, "2026-11-02 09:00")
	move(t, c, data.StatusReplied, "2026-11-09 09:00")
	move(t, c, data.StatusCompleted, "2026-11-10 09:00")
	f = FactsOf(c, at("2026-11-02 09:00"))
	if f.OnTime() || f.Answered != day("2026-11-09") {
		t.Fatalf("late: %+v", f)
	}
	if !f.OverdueDuring(day("2026-11-01"), day("2026-11-30")) || !f.OverdueOn(day("2026-11-08")) || f.OverdueOn(day("2026-11-09")) {
		t.Error("late case's overdue days")
	}
	if f.OverdueDuring(day("2026-11-10"), day("2026-11-30")) {
		t.Error("overdue after it was done")
	}
}

func TestPercentileNearestRank(t *testing.T) {
	for _, c := range []struct {
		xs     []int
		p, out int
	}{{nil, 50, 0}, {[]int{7}, 90, 7}, {[]int{4, 1, 3, 2}, 50, 2}, {[]int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 90, 9}, {[]int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 90, 10}} {
		if got := Percentile(append([]int(nil), c.xs...), c.p); got != c.out {
			t.Errorf("P%d of %v = %d, want %d", c.p, c.xs, got, c.out)
		}
	}
}

func TestPeriods(t *testing.T) {
	m, err := ParseMonth("2026-02")
	if err != nil || m.From != day("2026-02-01") || m.To != day("2026-02-28") {
		t.Fatalf("month %+v %v", m, err)
	}
	q, err := ParseQuarter("2026Q1")
	if err != nil || q.From != day("2026-01-01") || q.To != day("2026-03-31") || q.Previous().Name != "2025Q4" {
		t.Fatalf("quarter %+v %v", q, err)
	}
	if ms := q.Months(0); len(ms) != 3 || ms[0].Name != "2026-01" {
		t.Fatalf("months %+v", ms)
	}
	if ms := m.Months(12); len(ms) != 12 || ms[0].Name != "2025-03" || ms[11].Name != "2026-02" {
		t.Fatalf("12 months %+v", ms)
	}
	for _, bad := range []string{"2026-13", "26-01", "2026Q5", "2026"} {
		if _, err := ParseMonth(bad); err == nil {
			t.Errorf("month %q accepted", bad)
		}
	}
}
