package data

import (
	"time"
	"unicode/utf8"
)

// Tracking (办件查询): what a resident sees of one case, built from the
// kiosk's copy. The kiosk window and `kiosk track` build it with the same
// code, so the screen and the JSON always agree.

// StaleAfter is how old the kiosk's last sync may be before the timeline
// says that the latest state of a case may not have arrived yet.
const StaleAfter = time.Hour

// Timeline is one case as tracking shows it.
type Timeline struct {
	Ref         string   `json:"ref"`
	Kind        CaseKind `json:"kind"`
	KindLabel   string   `json:"kind_label"`
	Status      Status   `json:"status"`
	StatusLabel string   `json:"status_label"`
	// What the case is about, for its heading: an application's service
	// item (ServiceItem.ID), an appeal's type and category. None of them
	// is personal.
	Service    string     `json:"service,omitempty"`
	AppealType AppealType `json:"appeal_type,omitempty"`
	Category   string     `json:"category,omitempty"`
	// PublicOnly: the reference alone was given (an anonymous appeal, or
	// a case with no mobile): the statuses, the reply and the deadline,
	// without reasons, contact or rating.
	PublicOnly bool   `json:"public_only,omitempty"`
	Anonymous  bool   `json:"anonymous,omitempty"`
	Contact    string `json:"contact,omitempty"` // masked
	// Queued: the case is still in this kiosk's outbox, waiting to reach
	// the district.
	Queued     bool              `json:"queued"`
	Events     []TimelineEvent   `json:"events"`
	Extensions []TimelineEvent   `json:"extensions,omitempty"`
	Reply      *TimelineReply    `json:"reply,omitempty"`
	Deadline   *TimelineDeadline `json:"deadline,omitempty"`
	MergedInto string            `json:"merged_into,omitempty"`
	Department string            `json:"department,omitempty"` // where the appeal was dispatched
	Rating     *TimelineRating   `json:"rating,omitempty"`
	CanRate    bool              `json:"can_rate"`
	LastSync   *time.Time        `json:"last_sync"` // by the kiosk's clock; null if never
	MayBeStale bool              `json:"may_be_stale"`
	Now        time.Time         `json:"now"`
	NoCalendar bool              `json:"no_calendar,omitempty"` // the deadline's year is not in the kiosk's calendar
}

// TimelineEvent is one step of a case: its status, when, and why.
type TimelineEvent struct {
	Status Status    `json:"status"`
	Label  string    `json:"label"`
	At     time.Time `json:"at"`
	Reason string    `json:"reason,omitempty"`
	// Local: the time is this kiosk's clock (the case as filed here);
	// every other time is the district's.
	Local bool `json:"local,omitempty"`
}

// TimelineReply is the district's answer.
type TimelineReply struct {
	Type      ReplyType `json:"type,omitempty"`
	TypeLabel string    `json:"type_label,omitempty"`
	Text      string    `json:"text"`
	At        time.Time `json:"at"`
}

// TimelineDeadline is the promised date and how it stands today.
type TimelineDeadline struct {
	Date Date `json:"date"`
	// Running: the case is still being handled, so the days count.
	Running bool `json:"running"`
	// WorkdaysLeft counts the working days after today up to the
	// deadline (0: today is the last day); negative when overdue.
	WorkdaysLeft int  `json:"workdays_left"`
	Overdue      bool `json:"overdue"`
	// Suspended: the case waits for the resident's correction (待补正).
	// The working days do not count meanwhile, and the time limit starts
	// again from when the corrected materials arrive (行政许可法 第三十二条,
	// 政府信息公开条例 第三十条): Date is not a date anyone is held to,
	// and nothing is left or overdue.
	Suspended bool `json:"suspended,omitempty"`
}

// TimelineRating is the resident's rating: Pending while it waits for the
// district, which records it.
type TimelineRating struct {
	Rating  Rating `json:"rating"`
	Label   string `json:"label"`
	Pending bool   `json:"pending"`
	// Default: not rated within DefaultRatingDays of completion, so it
	// counts as RatingBasic.
	Default bool      `json:"default,omitempty"`
	At      time.Time `json:"at,omitzero"`
}

// TrackInput is what the kiosk knows beyond the case itself.
type TrackInput struct {
	Now      time.Time
	Calendar *Calendar
	LastSync time.Time // zero: never synced
	// PublicOnly: show only what the reference alone may show.
	PublicOnly bool
	Contact    string // masked contact
	Queued     bool   // still in the outbox
	// LocalRating is a rating given on this kiosk and not yet confirmed
	// by the district (0 for none), and when it was given.
	LocalRating   Rating
	LocalRatingAt time.Time
	Lang          Lang
}

// BuildTimeline builds the timeline of c.
func BuildTimeline(c Case, in TrackInput) Timeline {
	l := in.Lang
	if l == "" {
		l = ZH
	}
	now := in.Now
	t := Timeline{
		Ref: c.Ref, Kind: c.Kind, KindLabel: c.Kind.Label(l),
		Status: c.Status, StatusLabel: c.Status.Label(l),
		PublicOnly: in.PublicOnly, Anonymous: c.Anonymous,
		Queued: in.Queued || c.Status == StatusSubmitted,
		Events: []TimelineEvent{}, Now: now,
		MergedInto: c.MergedInto, Department: c.Department,
		Service: c.Service, AppealType: c.AppealType, Category: c.Category,
	}
	if !in.PublicOnly {
		t.Contact = in.Contact
	}
	if !c.SubmittedAt.IsZero() {
		t.Events = append(t.Events, TimelineEvent{Status: StatusSubmitted, Label: StatusSubmitted.Label(l), At: c.SubmittedAt, Local: true})
	}
	for _, tr := range c.History {
		if tr.To == StatusSubmitted {
			continue
		}
		ev := TimelineEvent{Status: tr.To, Label: tr.To.Label(l), At: tr.At}
		if !in.PublicOnly {
			ev.Reason = tr.Reason
		}
		t.Events = append(t.Events, ev)
		if tr.To == StatusExtended {
			t.Extensions = append(t.Extensions, ev)
		}
	}
	if c.Reply != nil {
		r := &TimelineReply{Type: c.Reply.Type, Text: c.Reply.Text, At: c.Reply.At}
		if r.Type != "" {
			r.TypeLabel = r.Type.Label(l)
		}
		t.Reply = r
	}
	if !c.Deadline.IsZero() {
		d := &TimelineDeadline{Date: c.Deadline, Running: deadlineRuns(c.Status), Suspended: c.Status == StatusCorrection}
		if d.Running {
			today := DayInChina(now)
			d.WorkdaysLeft = in.Calendar.WorkdaysBetween(today, c.Deadline)
			d.Overdue = c.Deadline.Before(today)
			t.NoCalendar = !in.Calendar.Covers(today) || !in.Calendar.Covers(c.Deadline)
		}
		t.Deadline = d
	}
	if !in.PublicOnly {
		switch {
		case c.Rating != 0:
			t.Rating = &TimelineRating{Rating: c.Rating, Label: c.Rating.Label(l), Default: c.RatingDefault}
			for _, tr := range c.History {
				if tr.To == StatusRated {
					t.Rating.At = tr.At
				}
			}
		case in.LocalRating != 0:
			t.Rating = &TimelineRating{Rating: in.LocalRating, Label: in.LocalRating.Label(l), Pending: true, At: in.LocalRatingAt}
		}
		t.CanRate = c.Status == StatusCompleted && t.Rating == nil && !c.Anonymous
	}
	if !in.LastSync.IsZero() {
		ls := in.LastSync
		t.LastSync = &ls
	}
	t.MayBeStale = in.LastSync.IsZero() || now.Sub(in.LastSync) > StaleAfter
	return t
}

// deadlineRuns reports whether the working days still count in status s:
// not while the case waits for the resident's correction, and not once it
// is answered, done, refused or merged.
func deadlineRuns(s Status) bool {
	switch s {
	case StatusCorrection, StatusReplied, StatusCompleted, StatusRated, StatusRefused, StatusMerged:
		return false
	}
	return true
}

// MaskName shows a name with its first character only: 张**.
func MaskName(s string) string {
	n := utf8.RuneCountInString(s)
	if n == 0 {
		return ""
	}
	r, _ := utf8.DecodeRuneInString(s)
	out := string(r)
	for i := 1; i < n; i++ {
		out += "*"
	}
	return out
}

// WithoutPersonal returns c without what may hold personal data: the
// applicant, the form values, the resident's free text, a disclosure
// request and corrections. It is the one rule: what the kiosk keeps for
// tracking once the district has the case, what the feed sends back to the
// filing kiosk (data.KindCase) and what a tracking answer carries. Every
// field of Case is classified as personal or not in personal_test.go.
func (c Case) WithoutPersonal() Case {
	c.Applicant = nil
	c.Values = nil
	c.Description = ""
	c.Location = ""
	c.Request = nil
	c.Corrections = nil
	return c
}
