package report

import (
	"slices"
	"time"

	"jiezhen/data"
)

// CaseFigures are the case figures of one period and scope; each field
// says exactly what it counts.
type CaseFigures struct {
	// Received: cases the district received in the period (Facts.Received),
	// merged duplicates included; a case reopened after correction is not
	// received again.
	Received int `json:"received"`
	// ByType and ByChannel split Received by type row (Types) and by
	// channel (Channels); ByTypeChannel[i][j] is type i by channel j.
	ByType        []int   `json:"by_type"`
	ByChannel     []int   `json:"by_channel"`
	ByTypeChannel [][]int `json:"by_type_channel"`
	// Completed: cases done (办结, Facts.Answered) in the period, whenever
	// received. Merged cases are never done.
	Completed int `json:"completed"`
	// OnTime: of the Completed that have a deadline (its Den), those done
	// on or before their deadline day (Facts.OnTime).
	OnTime Ratio `json:"on_time"`
	// OverdueNow: cases overdue at the end of the period's last day, or of
	// today while the period runs (Facts.OverdueOn).
	OverdueNow int `json:"overdue_now"`
	// OverdueDuring: cases overdue on at least one day of the period up to
	// that day (Facts.OverdueDuring).
	OverdueDuring int `json:"overdue_during"`
	// MedianDays and P90Days: the 50th and 90th percentiles by nearest
	// rank of the working days the Completed took (ElapsedWorkdays).
	MedianDays int `json:"median_days"`
	P90Days    int `json:"p90_days"`
	// Corrections: cases returned for correction (补正) in the period,
	// each once; Extensions: disclosure requests extended in the period.
	Corrections int `json:"corrections"`
	Extensions  int `json:"extensions"`
	// Merged: cases received in the period that were merged into another
	// case on the same matter.
	Merged int `json:"merged"`
	// Ratings[r-1]: cases rated r (1 非常不满意 … 5 非常满意) in the period,
	// by the day the rating was recorded; RatingsDefault of them are the
	// default 基本满意 after data.DefaultRatingDays unrated days.
	Ratings        [5]int `json:"ratings"`
	RatingsDefault int    `json:"ratings_default"`
	// Satisfaction: of the ratings in the period, those 基本满意 or better.
	Satisfaction Ratio `json:"satisfaction"`
}

// CountCases computes the case figures of period p from facts, which must
// hold at least every case received in p, open at its start, or rated in
// it (others are ignored). asOf is the day overdue is judged on: p.To, or
// today while p runs. With a nil w the durations are left at 0.
func CountCases(facts []Facts, p Period, asOf Day, w *Workdays) CaseFigures {
	types, chans := Types(), Channels
	c := CaseFigures{ByType: make([]int, len(types)), ByChannel: make([]int, len(chans)), ByTypeChannel: make([][]int, len(types))}
	for i := range types {
		c.ByTypeChannel[i] = make([]int, len(chans))
	}
	var days []int
	for i := range facts {
		f := &facts[i]
		if p.Contains(f.Received) {
			c.Received++
			ti, ci := slices.Index(types, f.Type), slices.Index(chans, f.Channel)
			if ti >= 0 {
				c.ByType[ti]++
			}
			if ci >= 0 {
				c.ByChannel[ci]++
			}
			if ti >= 0 && ci >= 0 {
				c.ByTypeChannel[ti][ci]++
			}
			if f.Outcome == OutcomeMerged {
				c.Merged++
			}
		}
		if f.Outcome == OutcomeAnswered && p.Contains(f.Answered) {
			c.Completed++
			if f.HasDeadline() {
				c.OnTime.Den++
				if f.OnTime() {
					c.OnTime.Num++
				}
			}
			if w != nil {
				days = append(days, w.ElapsedWorkdays(f))
			}
		}
		if f.OverdueOn(asOf) {
			c.OverdueNow++
		}
		if f.OverdueDuring(p.From, min(p.To, asOf)) {
			c.OverdueDuring++
		}
		if p.Contains(f.FirstCorrect) || p.Contains(f.Corrected) {
			c.Corrections++
		}
		if p.Contains(f.Extended) {
			c.Extensions++
		}
		if f.Rating >= 1 && f.Rating <= 5 && p.Contains(f.Rated) {
			c.Ratings[f.Rating-1]++
			if f.RatingDefault {
				c.RatingsDefault++
			}
		}
	}
	c.Satisfaction = SatisfactionOf(c.Ratings)
	c.MedianDays = Percentile(days, 50)
	c.P90Days = Percentile(days, 90)
	return c
}

// ContentEvent is one publish, update or withdrawal of a content item.
type ContentEvent struct {
	Kind   data.Kind `json:"kind"`
	ID     string    `json:"id"`
	Street string    `json:"street"`
	Op     string    `json:"op"` // ContentPublish, ContentUpdate, ContentWithdraw
	Day    Day       `json:"day"`
}

// The content operations: a first publication (or a publication again
// after a withdrawal), a change of a published item, a withdrawal.
const (
	ContentPublish  = "publish"
	ContentUpdate   = "update"
	ContentWithdraw = "withdraw"
)

// ContentKinds are the kinds the content figures count.
var ContentKinds = []data.Kind{data.KindNotice, data.KindCatalog, data.KindService, data.KindProvider, data.KindConsultation}

// ContentRow counts one kind's content operations in a period.
type ContentRow struct {
	Kind      data.Kind `json:"kind"`
	Label     string    `json:"label"`
	Published int       `json:"published"`
	Updated   int       `json:"updated"`
	Withdrawn int       `json:"withdrawn"`
}

// CountContent counts events in p by kind and operation.
func CountContent(events []ContentEvent, p Period, l data.Lang) []ContentRow {
	rows := make([]ContentRow, len(ContentKinds))
	for i, k := range ContentKinds {
		rows[i] = ContentRow{Kind: k, Label: k.Label(l)}
	}
	for _, e := range events {
		i := slices.Index(ContentKinds, e.Kind)
		if i < 0 || !p.Contains(e.Day) {
			continue
		}
		switch e.Op {
		case ContentPublish:
			rows[i].Published++
		case ContentUpdate:
			rows[i].Updated++
		case ContentWithdraw:
			rows[i].Withdrawn++
		}
	}
	return rows
}

// GuideReviewDays: a guide (办事指南, a service item) not published or
// changed for more than this many calendar days is "not reviewed for over
// a year". A guide published before the district kept the content log
// counts as not reviewed until it is next changed.
const GuideReviewDays = 365

// GuideStale reports whether a live guide last written on day last (0:
// no record) was not reviewed for over a year on day asOf.
func GuideStale(last, asOf Day) bool {
	return last == 0 || asOf-last > GuideReviewDays
}

// NoticeExpired reports whether a live notice is shown past its end day on
// day asOf (data.Notice.Until; none: never).
func NoticeExpired(n data.Notice, asOf Day) bool {
	u := DayOfDate(n.Until)
	return u != 0 && u < asOf
}

// OpinionFact is one resident's opinion for the figures.
type OpinionFact struct {
	Received Day `json:"received"`
	// Answered: the consultation has published its feedback on the
	// opinion's topic (data.Consultation.Feedback); feedback has no date,
	// so this is as the consultation stands when the report is made.
	Answered bool `json:"answered"`
}

// KioskRow is one kiosk's availability in a period.
type KioskRow struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Street string `json:"street"`
	// Synced of Days: the days of the period the kiosk was registered and
	// not revoked (up to the report's day) on which it synced at least once.
	Synced Ratio `json:"synced"`
}

// KioskInput is what the store knows of one kiosk: when it was
// registered and revoked, and the days it synced.
type KioskInput struct {
	ID       int64
	Name     string
	Street   string
	Created  Day
	Revoked  Day // 0: in service
	SyncDays []Day
}

// KioskAvailability computes a kiosk's row for p up to asOf.
func KioskAvailability(k KioskInput, p Period, asOf Day) KioskRow {
	from, to := max(p.From, k.Created), min(p.To, asOf)
	if k.Revoked != 0 {
		to = min(to, k.Revoked-1)
	}
	r := KioskRow{ID: k.ID, Name: k.Name, Street: k.Street}
	if to >= from {
		r.Synced.Den = int(to - from + 1)
	}
	for _, d := range k.SyncDays {
		if from <= d && d <= to {
			r.Synced.Num++
		}
	}
	return r
}

// MeanAvailability is the kiosks' synced days over their days, all told.
func MeanAvailability(rows []KioskRow) Ratio {
	var r Ratio
	for _, k := range rows {
		r.Num += k.Synced.Num
		r.Den += k.Synced.Den
	}
	return r
}

// StreetLine is one street's main figures in a district report.
type StreetLine struct {
	Street       string `json:"street"`
	Name         string `json:"name"`
	Received     int    `json:"received"`
	Completed    int    `json:"completed"`
	OnTime       Ratio  `json:"on_time"`
	Satisfaction Ratio  `json:"satisfaction"`
}

// MonthPoint is one month of a chart's history.
type MonthPoint struct {
	Month        string `json:"month"`
	ByType       []int  `json:"by_type"`
	OnTime       Ratio  `json:"on_time"`
	Satisfaction Ratio  `json:"satisfaction"`
}

// Monthly is the monthly statistics (月度统计) of a street or the district.
type Monthly struct {
	Street     string    `json:"street"` // "" for the district
	Name       string    `json:"name"`
	Month      string    `json:"month"`
	From       data.Date `json:"from"`
	To         data.Date `json:"to"`
	AsOf       data.Date `json:"as_of"`
	Generated  time.Time `json:"generated"`
	WorkingDay int       `json:"working_days"` // the month's working days on the calendar

	Content        []ContentRow `json:"content"`
	Guides         int          `json:"guides"`          // live guides of the scope
	GuidesStale    int          `json:"guides_stale"`    // of them not reviewed for over a year (GuideStale)
	NoticesExpired int          `json:"notices_expired"` // live notices past their end day (NoticeExpired)

	Cases CaseFigures `json:"cases"`
	// Supervision: 督办 notes inspectors wrote in the month on the scope's
	// cases (by the case's street).
	Supervision int `json:"supervision"`

	OpinionsReceived int `json:"opinions_received"` // opinions received in the month
	OpinionsAnswered int `json:"opinions_answered"` // of them with published feedback by AsOf

	Kiosks       []KioskRow `json:"kiosks"`
	Availability Ratio      `json:"availability"` // MeanAvailability of Kiosks

	Streets []StreetLine `json:"streets,omitempty"` // the district's report: one line per street
	History []MonthPoint `json:"history,omitempty"` // the 12 months up to this one, for the charts
}

// History computes the 12 months up to and including p from facts, which
// must hold every case received, open or rated in them.
func History(facts []Facts, p Period, today Day, w *Workdays) []MonthPoint {
	var out []MonthPoint
	for _, m := range p.Months(12) {
		c := CountCases(facts, m, min(m.To, today), w)
		out = append(out, MonthPoint{Month: m.Name, ByType: c.ByType, OnTime: c.OnTime, Satisfaction: c.Satisfaction})
	}
	return out
}

// Totals are the case figures of a long period that need no single case:
// received (by type, merged among them), completed, on time and the
// ratings, with the meanings of CaseFigures. The annual report quotes
// them; the store counts them with one grouped query each
// (server's CaseTotals), which CountTotals defines.
type Totals struct {
	Received       int    `json:"received"`
	ByType         []int  `json:"by_type"`
	Merged         int    `json:"merged"`
	Completed      int    `json:"completed"`
	OnTime         Ratio  `json:"on_time"`
	Ratings        [5]int `json:"ratings"`
	RatingsDefault int    `json:"ratings_default"`
	Satisfaction   Ratio  `json:"satisfaction"`
}

// CountTotals is Totals from the facts, by CountCases' definitions.
func CountTotals(facts []Facts, p Period) Totals {
	c := CountCases(facts, p, p.To, nil)
	return Totals{Received: c.Received, ByType: c.ByType, Merged: c.Merged, Completed: c.Completed, OnTime: c.OnTime,
		Ratings: c.Ratings, RatingsDefault: c.RatingsDefault, Satisfaction: c.Satisfaction}
}

// SatisfactionOf is the satisfaction rate of ratings counted by level.
func SatisfactionOf(ratings [5]int) Ratio {
	var r Ratio
	for i, n := range ratings {
		r.Den += n
		if Satisfied(data.Rating(i + 1)) {
			r.Num += n
		}
	}
	return r
}
