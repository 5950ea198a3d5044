// Package report defines every figure the district's reports give, once,
// and computes them from the facts of each case (docs/REPORTS.md lists
// the definitions). It is pure: the district's store selects the facts of
// a period by their day columns and hands them here.
package report

import (
	"time"

	"jiezhen/data"
)

// Zone is the time zone every report day is counted in: Asia/Shanghai,
// which has kept UTC+8 without daylight saving since 1991, so a fixed
// zone gives the same days without the system's zone database.
var Zone = time.FixedZone("Asia/Shanghai", 8*3600)

// Day is a calendar day in Zone as the number of days since 1970-01-01;
// 0 means none (no report day falls on 1970-01-01).
type Day int32

// DayOf is the day t falls on in Zone; the zero time has no day.
func DayOf(t time.Time) Day {
	if t.IsZero() {
		return 0
	}
	return DayOfDate(data.DateOf(t.In(Zone)))
}

// DayOfDate is the Day of a calendar date; the zero date has no day.
func DayOfDate(d data.Date) Day {
	if d.IsZero() {
		return 0
	}
	return Day(d.Time(time.UTC).Unix() / 86400)
}

// Date is the calendar date of d.
func (d Day) Date() data.Date {
	return data.DateOf(time.Unix(int64(d)*86400, 0).UTC())
}

// String is the day as YYYY-MM-DD, or "" for none.
func (d Day) String() string {
	if d == 0 {
		return ""
	}
	return d.Date().String()
}

// Outcome is where a case stands for the reports.
type Outcome string

const (
	// OutcomeOpen: the district owes the next step (its deadline runs).
	OutcomeOpen Outcome = "open"
	// OutcomeWaiting: returned for correction (补正) and waiting for the
	// resident; the clock is stopped.
	OutcomeWaiting Outcome = "waiting"
	// OutcomeAnswered: done (办结), see Facts.Answered.
	OutcomeAnswered Outcome = "answered"
	// OutcomeMerged: merged into another case on the same matter; counted
	// as received, never as done, on time or overdue.
	OutcomeMerged Outcome = "merged"
)

// Facts are what the reports know of one case, derived from the case by
// FactsOf alone. The district's store keeps them beside each case and
// selects them by their days; every figure is a count or a statistic over
// Facts, defined by the methods below and in the report types.
type Facts struct {
	Case    string        `json:"case"`
	Street  string        `json:"street"`
	Kind    data.CaseKind `json:"kind"`
	Channel data.Channel  `json:"channel"`
	// Type is the row the case is counted in by type: the appeal's type
	// for an appeal, else the kind (TypeOf).
	Type string `json:"type"`
	// Requester is a disclosure request's kind of applicant (自然人 when
	// not given); "" for other kinds.
	Requester data.Requester `json:"requester,omitempty"`
	// Reply is a disclosure request's reply type once replied.
	Reply   data.ReplyType `json:"reply,omitempty"`
	Outcome Outcome        `json:"outcome"`
	// Received is the day the district received the case (its own clock).
	// A case reopened after correction keeps this day: it is received
	// once.
	Received Day `json:"received"`
	// Start is the day the statutory clock last started: Received, or the
	// day the last corrected materials arrived (the time limit counts
	// again from then, 政府信息公开条例 第三十条, 行政许可法 第三十二条).
	Start Day `json:"start"`
	// Answered is the day the case was done (办结): an application's
	// completion or refusal (不予受理), an appeal's or a disclosure
	// request's reply; 0 while it is not.
	Answered Day `json:"answered,omitempty"`
	// Deadline is the case's deadline as it stands: after an extension
	// and after the restart on correction; 0 when it has none.
	Deadline Day `json:"deadline,omitempty"`
	// Corrected is the day of the last correction notice (补正), Resumed
	// the day the corrected materials arrived after it (0: still waiting).
	Corrected    Day `json:"corrected,omitempty"`
	Resumed      Day `json:"resumed,omitempty"`
	Corrections  int `json:"corrections,omitempty"`   // correction notices, all told
	FirstCorrect Day `json:"first_correct,omitempty"` // day of the first correction notice
	Extended     Day `json:"extended,omitempty"`      // day of the extension (延期)
	// Rating is the resident's 好差评 (or the default 基本满意), Rated the
	// day it was recorded.
	Rating        data.Rating `json:"rating,omitempty"`
	RatingDefault bool        `json:"rating_default,omitempty"`
	Rated         Day         `json:"rated,omitempty"`
}

// TypeOf is the type row a case is counted in: the appeal type for an
// appeal, the kind for an application or a disclosure request.
func TypeOf(c *data.Case) string {
	if c.Kind == data.CaseAppeal && c.AppealType != "" {
		return string(c.AppealType)
	}
	return string(c.Kind)
}

// Types lists the type rows in order.
func Types() []string {
	out := []string{string(data.CaseApplication)}
	for _, t := range data.AppealTypes {
		out = append(out, string(t))
	}
	return append(out, string(data.CaseDisclosure))
}

// TypeLabel names a type row.
func TypeLabel(t string, l data.Lang) string {
	switch data.CaseKind(t) {
	case data.CaseApplication, data.CaseDisclosure:
		return data.CaseKind(t).Label(l)
	}
	return data.AppealType(t).Label(l)
}

// Channels lists the channels in order. A case recorded before channels
// were kept counts as ChannelKiosk, the only channel there was.
var Channels = []data.Channel{data.ChannelKiosk, data.ChannelWeb, data.ChannelOpen311, data.ChannelUSB}

// ChannelLabel names a channel.
func ChannelLabel(c data.Channel, l data.Lang) string {
	m := map[data.Channel][2]string{
		data.ChannelKiosk:   {"自助终端", "Kiosk"},
		data.ChannelWeb:     {"网站", "Website"},
		data.ChannelOpen311: {"Open311 接口", "Open311 API"},
		data.ChannelUSB:     {"离线导入", "USB import"},
	}
	v, ok := m[c]
	if !ok {
		return string(c)
	}
	if l == data.EN {
		return v[1]
	}
	return v[0]
}

// answers reports whether a move to s is the case of kind k being done.
func answers(k data.CaseKind, s data.Status) bool {
	switch k {
	case data.CaseApplication:
		return s == data.StatusCompleted || s == data.StatusRefused
	case data.CaseAppeal, data.CaseDisclosure:
		return s == data.StatusReplied
	}
	return false
}

// FactsOf derives a case's facts from the case and the time the district
// received it. Only the district's clock counts (the history's times and
// receivedAt), never the kiosk's.
func FactsOf(c *data.Case, receivedAt time.Time) Facts {
	f := Facts{
		Case: c.ID, Street: c.Street, Kind: c.Kind, Channel: c.Channel, Type: TypeOf(c),
		Outcome: OutcomeOpen, Received: DayOf(receivedAt), Deadline: DayOfDate(c.Deadline),
		Rating: c.Rating, RatingDefault: c.RatingDefault,
	}
	if f.Channel == "" {
		f.Channel = data.ChannelKiosk
	}
	if c.Kind == data.CaseDisclosure {
		f.Requester = data.RequesterPerson
		if c.Request != nil && c.Request.Requester != "" {
			f.Requester = c.Request.Requester
		}
		if c.Reply != nil {
			f.Reply = c.Reply.Type
		}
	}
	f.Start = f.Received
	for _, tr := range c.History {
		day := DayOf(tr.At)
		switch {
		case tr.To == data.StatusCorrection:
			f.Corrections++
			f.Corrected, f.Resumed = day, 0
			if f.FirstCorrect == 0 {
				f.FirstCorrect = day
			}
		case tr.From == data.StatusCorrection && tr.To == data.StatusReceived:
			f.Resumed, f.Start = day, day
		case tr.To == data.StatusExtended:
			f.Extended = day
		case tr.To == data.StatusRated:
			f.Rated = day
		}
		if f.Answered == 0 && answers(c.Kind, tr.To) {
			f.Answered = day
		}
	}
	switch {
	case c.Status == data.StatusMerged:
		f.Outcome, f.Answered = OutcomeMerged, 0
	case f.Answered != 0:
		f.Outcome = OutcomeAnswered
	case c.Status == data.StatusCorrection:
		f.Outcome = OutcomeWaiting
	}
	if f.Rating == 0 {
		f.Rated = 0
	}
	return f
}

// HasDeadline: the case is done, or to be done, within a time limit.
// Merged cases are never measured against one.
func (f *Facts) HasDeadline() bool {
	return f.Deadline != 0 && f.Outcome != OutcomeMerged
}

// OnTime: done on or before its deadline day (in Zone). A case without a
// deadline is neither on time nor late: it is left out of the on-time
// rate.
func (f *Facts) OnTime() bool {
	return f.HasDeadline() && f.Answered != 0 && f.Answered <= f.Deadline
}

// suspended: on day d the case waited for the resident's correction.
func (f *Facts) suspended(d Day) bool {
	return f.Corrected != 0 && f.Corrected <= d && (f.Resumed == 0 || d < f.Resumed)
}

// OverdueOn: at the end of day d the case was overdue: it has a deadline
// before d, it had not been done by d, and it was not waiting for a
// correction on d (the clock stops then).
func (f *Facts) OverdueOn(d Day) bool {
	if !f.HasDeadline() || f.Deadline >= d || f.Received > d {
		return false
	}
	if f.Answered != 0 && f.Answered <= d {
		return false
	}
	return !f.suspended(d)
}

// OverdueDuring: the case was overdue on at least one day from `from` to
// `to`: a day after its deadline, up to and including the day it was done
// (a case done late is late on that day too), not waiting for a
// correction.
func (f *Facts) OverdueDuring(from, to Day) bool {
	if !f.HasDeadline() {
		return false
	}
	first := max(from, f.Deadline+1, f.Received)
	last := to
	if f.Answered != 0 {
		if f.Answered <= f.Deadline {
			return false
		}
		last = min(last, f.Answered)
	}
	for d := first; d <= last; d++ {
		if !f.suspended(d) || d == f.Answered {
			return true
		}
	}
	return false
}

// Satisfied: rated 基本满意 or better, the 好评 of 好差评 (a default
// 基本满意 included).
func Satisfied(r data.Rating) bool { return r >= data.RatingBasic }
