package data

import (
	"encoding/json"
	"testing"
	"time"
)

// at is a moment of the given day at 10:00 China time.
func at(day string) time.Time {
	return MustDate(day).Time(chinaZone).Add(10 * time.Hour)
}

func TestTimelineDeadline(t *testing.T) {
	cal := calendar2026(t)
	tests := []struct {
		name     string
		status   Status
		today    string
		deadline string
		running  bool
		left     int
		overdue  bool
	}{
		{"holiday in between", StatusInProgress, "2026-09-23", "2026-09-30", true, 4, false},
		{"make-up Sunday counts", StatusAccepted, "2026-09-18", "2026-09-22", true, 3, false},
		{"due today", StatusReceived, "2026-09-30", "2026-09-30", true, 0, false},
		{"overdue across National Day", StatusDispatched, "2026-10-09", "2026-09-30", true, -2, true},
		{"overdue by one", StatusInProgress, "2026-12-15", "2026-12-14", true, -1, true},
		{"replied: the clock stops", StatusReplied, "2026-10-09", "2026-09-30", false, 0, false},
		{"completed", StatusCompleted, "2026-12-01", "2026-09-30", false, 0, false},
		{"refused", StatusRefused, "2026-12-01", "2026-09-30", false, 0, false},
		// 待补正: the clock is suspended until the corrections arrive,
		// so nothing is left and nothing is overdue.
		{"waiting for correction", StatusCorrection, "2026-09-23", "2026-09-30", false, 0, false},
		{"waiting for correction past the old date", StatusCorrection, "2026-10-09", "2026-09-30", false, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Case{Ref: "007-0AB-01X", Kind: CaseAppeal, Status: tc.status, SubmittedAt: at("2026-09-01"), Deadline: MustDate(tc.deadline)}
			tl := BuildTimeline(c, TrackInput{Now: at(tc.today), Calendar: cal, LastSync: at(tc.today)})
			d := tl.Deadline
			if d == nil {
				t.Fatal("no deadline")
			}
			if d.Date != MustDate(tc.deadline) || d.Running != tc.running || d.WorkdaysLeft != tc.left || d.Overdue != tc.overdue {
				t.Errorf("deadline %+v, want running=%v left=%d overdue=%v", *d, tc.running, tc.left, tc.overdue)
			}
			if want := tc.status == StatusCorrection; d.Suspended != want {
				t.Errorf("suspended %v, want %v", d.Suspended, want)
			}
			// The case's own check agrees with the timeline.
			if left, ok := c.WorkdaysLeft(cal, MustDate(tc.today)); ok != tc.running || (ok && left != tc.left) {
				t.Errorf("Case.WorkdaysLeft = %d, %v; want %d, %v", left, ok, tc.left, tc.running)
			}
		})
	}
}

func TestTimelineEventsReplyExtension(t *testing.T) {
	cal := calendar2026(t)
	recv, ext, rep := at("2026-11-02"), at("2026-11-20"), at("2026-12-10")
	c := Case{
		Ref: "007-0AB-01X", Kind: CaseDisclosure, Status: StatusReplied, SubmittedAt: at("2026-11-01"),
		Deadline: MustDate("2026-12-29"),
		History: []Transition{
			{From: StatusSubmitted, To: StatusReceived, At: recv},
			{From: StatusReceived, To: StatusExtended, At: ext, Reason: "需要征求第三方意见"},
			{From: StatusExtended, To: StatusReplied, At: rep, Reason: "见答复"},
		},
		Reply: &Reply{Type: ReplyDisclosed, Text: "所申请信息予以公开，附件已邮寄。", At: rep},
	}
	in := TrackInput{Now: at("2026-12-11"), Calendar: cal, LastSync: at("2026-12-11"), Contact: "张*  138****5678"}
	tl := BuildTimeline(c, in)
	var got []Status
	for _, e := range tl.Events {
		got = append(got, e.Status)
	}
	want := []Status{StatusSubmitted, StatusReceived, StatusExtended, StatusReplied}
	if len(got) != len(want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("events %v, want %v", got, want)
		}
	}
	if !tl.Events[0].Local || tl.Events[1].Local || tl.Events[2].Reason != "需要征求第三方意见" || tl.Events[2].Label != "已延期" {
		t.Errorf("events %+v", tl.Events)
	}
	if len(tl.Extensions) != 1 || tl.Extensions[0].Reason != "需要征求第三方意见" {
		t.Errorf("extensions %+v", tl.Extensions)
	}
	if r := tl.Reply; r == nil || r.Type != ReplyDisclosed || r.TypeLabel != "予以公开" || !r.At.Equal(rep) {
		t.Errorf("reply %+v", tl.Reply)
	}
	if tl.Queued || tl.MayBeStale || tl.Contact != in.Contact || tl.CanRate {
		t.Errorf("timeline %+v", tl)
	}

	// The reference alone: no reasons, no contact, no rating.
	in.PublicOnly = true
	pub := BuildTimeline(c, in)
	if pub.Contact != "" || pub.Events[2].Reason != "" || pub.Reply == nil || pub.CanRate || !pub.PublicOnly {
		t.Errorf("public-only timeline %+v", pub)
	}

	// Completed: can be rated; rated on this kiosk: waiting.
	c.Status = StatusCompleted
	in.PublicOnly = false
	if tl := BuildTimeline(c, in); !tl.CanRate || tl.Rating != nil {
		t.Errorf("completed: can rate %v, rating %+v", tl.CanRate, tl.Rating)
	}
	in.LocalRating = RatingSatisfied
	if tl := BuildTimeline(c, in); tl.CanRate || tl.Rating == nil || !tl.Rating.Pending || tl.Rating.Label != "满意" {
		t.Errorf("rated here: can rate %v, rating %+v", tl.CanRate, tl.Rating)
	}
	c.Status, c.Rating = StatusRated, RatingSatisfied
	if tl := BuildTimeline(c, in); tl.Rating == nil || tl.Rating.Pending {
		t.Errorf("rated at the district: %+v", tl.Rating)
	}
	c.Status, c.Rating, c.Anonymous = StatusCompleted, 0, true
	in.LocalRating = 0
	if tl := BuildTimeline(c, in); tl.CanRate {
		t.Error("an anonymous appeal can be rated")
	}
}

func TestTimelineStaleAndQueued(t *testing.T) {
	cal := calendar2026(t)
	now := at("2026-11-25")
	c := Case{Ref: "007-0AB-01X", Kind: CaseAppeal, Status: StatusSubmitted, SubmittedAt: now.Add(-time.Minute), Deadline: MustDate("2026-12-14")}
	for _, tc := range []struct {
		name  string
		last  time.Time
		stale bool
	}{
		{"never synced", time.Time{}, true},
		{"synced just now", now.Add(-time.Minute), false},
		{"synced yesterday", now.Add(-26 * time.Hour), true},
	} {
		tl := BuildTimeline(c, TrackInput{Now: now, Calendar: cal, LastSync: tc.last})
		if tl.MayBeStale != tc.stale || !tl.Queued || (tl.LastSync == nil) != tc.last.IsZero() {
			t.Errorf("%s: stale %v queued %v last %v", tc.name, tl.MayBeStale, tl.Queued, tl.LastSync)
		}
		b, err := json.Marshal(tl)
		if err != nil {
			t.Fatal(err)
		}
		var back map[string]any
		json.Unmarshal(b, &back)
		if _, ok := back["last_sync"]; !ok {
			t.Errorf("%s: JSON without last_sync: %s", tc.name, b)
		}
	}
	// 13 working days from Wednesday 25 November: 14 December.
	tl := BuildTimeline(c, TrackInput{Now: now, Calendar: cal})
	if tl.Deadline.WorkdaysLeft != 13 {
		t.Errorf("left %d, want 13", tl.Deadline.WorkdaysLeft)
	}
}
