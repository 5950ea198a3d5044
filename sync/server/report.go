package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"jiezhen/data"
	"jiezhen/data/report"
)

// The district's reports (docs/REPORTS.md): the store selects the facts
// of a period, data/report counts them.

// settingCriteria holds the quarterly review's criteria as JSON.
const settingCriteria = "report_criteria"

// ReportCriteria returns the quarterly review's criteria: the district's,
// else report.DefaultCriteria.
func (p *Platform) ReportCriteria(ctx context.Context) ([]report.Criterion, error) {
	var cs []report.Criterion
	err := p.store.Read(ctx, func(tx ReadTx) (err error) {
		cs, err = criteriaOf(tx)
		return err
	})
	return cs, err
}

func criteriaOf(tx ReadTx) ([]report.Criterion, error) {
	v, err := tx.Setting(settingCriteria)
	if err != nil || v == "" {
		return slices.Clone(report.DefaultCriteria), err
	}
	return report.ParseCriteria([]byte(v))
}

// SetReportCriteria checks and records the quarterly review's criteria;
// nil goes back to the defaults.
func (p *Platform) SetReportCriteria(ctx context.Context, cs []report.Criterion) error {
	v := ""
	if cs != nil {
		b, err := json.Marshal(cs)
		if err != nil {
			return err
		}
		if _, err := report.ParseCriteria(b); err != nil {
			return err
		}
		v = string(b)
	}
	return p.store.Write(ctx, func(tx Tx) error { return tx.SetSetting(settingCriteria, v) })
}

// reportRun is one report's reads inside one read transaction.
type reportRun struct {
	tx      ReadTx
	today   report.Day
	now     time.Time
	cal     *data.Calendar
	streets []data.Street
}

func (p *Platform) reportRun(tx ReadTx) (*reportRun, error) {
	r := &reportRun{tx: tx, now: p.clock()}
	r.today = report.DayOf(r.now)
	var err error
	if r.cal, err = calendarOf(tx); err != nil {
		return nil, err
	}
	items, err := tx.LiveItems(data.KindStreet)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		var s data.Street
		if err := jsonDecode(it.Body, &s); err != nil {
			return nil, err
		}
		r.streets = append(r.streets, s)
	}
	slices.SortFunc(r.streets, func(a, b data.Street) int { return compareStrings(a.Code, b.Code) })
	return r, nil
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// name is the street's name, or the district's for "".
func (r *reportRun) name(street string) (string, error) {
	if street == "" {
		for _, s := range r.streets {
			if s.District != "" {
				return s.District, nil
			}
		}
		return "全区", nil
	}
	for _, s := range r.streets {
		if s.Code == street {
			return s.Name, nil
		}
	}
	return "", &ReportError{fmt.Sprintf("there is no street %s", street)}
}

// ReportError is a report asked for that cannot be made: a street the
// district does not have, a period that has not begun.
type ReportError struct{ Msg string }

func (e *ReportError) Error() string { return e.Msg }

// begun refuses a period that has not begun by the district's clock.
func (r *reportRun) begun(p report.Period) (asOf report.Day, err error) {
	if p.From > r.today {
		return 0, &ReportError{fmt.Sprintf("%s has not begun: today is %s", p.Name, r.today)}
	}
	return min(p.To, r.today), nil
}

func (r *reportRun) facts(street string, p report.Period) ([]report.Facts, *report.Workdays, error) {
	fs, err := r.tx.CaseFacts(FactsQuery{Street: street, Period: p})
	if err != nil {
		return nil, nil, err
	}
	first, last := p.From, p.To
	for i := range fs {
		first = min(first, fs[i].Start)
		if fs[i].Answered != 0 {
			last = max(last, fs[i].Answered)
		}
	}
	return fs, report.NewWorkdays(r.cal, first, last), nil
}

// dayStart is the instant day d begins in report.Zone.
func dayStart(d report.Day) time.Time { return d.Date().Time(report.Zone) }

// contentEvents are the period's content operations of the street ("":
// all).
func (r *reportRun) contentEvents(street string, p report.Period) ([]report.ContentEvent, error) {
	all, err := r.tx.ContentEvents(dayStart(p.From), dayStart(p.To+1))
	if street == "" || err != nil {
		return all, err
	}
	var out []report.ContentEvent
	for _, e := range all {
		if e.Street == street {
			out = append(out, e)
		}
	}
	return out, nil
}

// liveItems are the live items of a kind of the street ("": all).
func (r *reportRun) liveItems(kind data.Kind, street string) ([]Item, error) {
	items, err := r.tx.LiveItems(kind)
	if street == "" || err != nil {
		return items, err
	}
	var out []Item
	for _, it := range items {
		if it.Street == street {
			out = append(out, it)
		}
	}
	return out, nil
}

// freshness counts the street's live items of the report's content kinds
// (services alone when guides) and those written within a year of asOf.
func (r *reportRun) freshness(street string, asOf report.Day, guides bool) (report.Ratio, error) {
	var ratio report.Ratio
	kinds := report.ContentKinds
	if guides {
		kinds = []data.Kind{data.KindService}
	}
	for _, k := range kinds {
		items, err := r.liveItems(k, street)
		if err != nil {
			return ratio, err
		}
		last, err := r.tx.LastWrites(k, dayStart(asOf+1))
		if err != nil {
			return ratio, err
		}
		for _, it := range items {
			ratio.Den++
			if !report.GuideStale(last[it.ID], asOf) {
				ratio.Num++
			}
		}
	}
	return ratio, nil
}

// opinions counts the opinions of the street received in p and those
// whose topic has published feedback.
func (r *reportRun) opinions(street string, p report.Period) (report.Ratio, error) {
	var ratio report.Ratio
	list, err := r.tx.OpinionsBetween(dayStart(p.From), dayStart(p.To+1))
	if err != nil {
		return ratio, err
	}
	answered := map[string]map[string]bool{}
	for _, o := range list {
		if street != "" && o.Street != street {
			continue
		}
		ratio.Den++
		c := o.Opinion.Consultation
		if answered[c] == nil {
			answered[c] = map[string]bool{}
			it, err := r.tx.Item(data.KindConsultation, c)
			if err != nil && !errors.Is(err, ErrNotFound) {
				return ratio, err
			}
			if err == nil && !it.Deleted {
				var cons data.Consultation
				if err := jsonDecode(it.Body, &cons); err != nil {
					return ratio, err
				}
				for _, f := range cons.Feedback {
					answered[c][f.Topic] = true
				}
			}
		}
		if answered[c][o.Opinion.Topic] {
			ratio.Num++
		}
	}
	return ratio, nil
}

// kiosks are the availability rows of the street's kiosks ("": all).
func (r *reportRun) kiosks(street string, p report.Period, asOf report.Day) ([]report.KioskRow, error) {
	ks, err := r.tx.Kiosks()
	if err != nil {
		return nil, err
	}
	days, err := r.tx.KioskDays(p.From, asOf)
	if err != nil {
		return nil, err
	}
	var rows []report.KioskRow
	for _, k := range ks {
		if street != "" && k.Street != street {
			continue
		}
		in := report.KioskInput{ID: k.ID, Name: k.Name, Street: k.Street, Created: report.DayOf(k.CreatedAt), SyncDays: days[k.ID]}
		if k.RevokedAt != nil {
			in.Revoked = report.DayOf(*k.RevokedAt)
		}
		row := report.KioskAvailability(in, p, asOf)
		if row.Synced.Den > 0 {
			rows = append(rows, row)
		}
	}
	return rows, nil
}

// MonthlyReport computes the monthly statistics of a street ("" for the
// district) for month m; history adds the 12 months up to it for the
// charts.
func (p *Platform) MonthlyReport(ctx context.Context, m report.Period, street string, history bool) (report.Monthly, error) {
	var out report.Monthly
	err := p.store.Read(ctx, func(tx ReadTx) error {
		r, err := p.reportRun(tx)
		if err != nil {
			return err
		}
		name, err := r.name(street)
		if err != nil {
			return err
		}
		asOf, err := r.begun(m)
		if err != nil {
			return err
		}
		out = report.Monthly{Street: street, Name: name, Month: m.Name, From: m.From.Date(), To: m.To.Date(),
			AsOf: asOf.Date(), Generated: r.now, WorkingDay: m.WorkingDays(r.cal)}
		window := m
		if history {
			window.From = m.Months(12)[0].From
		}
		facts, w, err := r.facts(street, window)
		if err != nil {
			return err
		}
		out.Cases = report.CountCases(facts, m, asOf, w)
		if history {
			out.History = report.History(facts, m, r.today, w)
		}
		events, err := r.contentEvents(street, m)
		if err != nil {
			return err
		}
		out.Content = report.CountContent(events, m, data.ZH)
		guides, err := r.freshness(street, asOf, true)
		if err != nil {
			return err
		}
		out.Guides, out.GuidesStale = guides.Den, guides.Den-guides.Num
		notices, err := r.liveItems(data.KindNotice, street)
		if err != nil {
			return err
		}
		for _, it := range notices {
			var n data.Notice
			if err := jsonDecode(it.Body, &n); err != nil {
				return err
			}
			if report.NoticeExpired(n, asOf) {
				out.NoticesExpired++
			}
		}
		notes, err := tx.EventsBetween(EventSupervise, millis(dayStart(m.From)), millis(dayStart(m.To+1)))
		if err != nil {
			return err
		}
		for _, e := range notes {
			if street != "" {
				rec, err := tx.Case(e.Case)
				if err != nil {
					return err
				}
				if rec.Case.Street != street {
					continue
				}
			}
			out.Supervision++
		}
		ops, err := r.opinions(street, m)
		if err != nil {
			return err
		}
		out.OpinionsReceived, out.OpinionsAnswered = ops.Den, ops.Num
		if out.Kiosks, err = r.kiosks(street, m, asOf); err != nil {
			return err
		}
		out.Availability = report.MeanAvailability(out.Kiosks)
		if street == "" {
			byStreet := map[string][]report.Facts{}
			for _, f := range facts {
				byStreet[f.Street] = append(byStreet[f.Street], f)
			}
			for _, s := range r.streets {
				c := report.CountCases(byStreet[s.Code], m, asOf, w)
				out.Streets = append(out.Streets, report.StreetLine{Street: s.Code, Name: s.Name, Received: c.Received,
					Completed: c.Completed, OnTime: c.OnTime, Satisfaction: c.Satisfaction})
			}
		}
		return nil
	})
	return out, err
}

// measures are each street's criterion values for quarter q.
func (r *reportRun) measures(q report.Period) ([]report.StreetMeasures, error) {
	asOf, err := r.begun(q)
	if err != nil {
		return nil, err
	}
	facts, w, err := r.facts("", q)
	if err != nil {
		return nil, err
	}
	byStreet := map[string][]report.Facts{}
	for _, f := range facts {
		byStreet[f.Street] = append(byStreet[f.Street], f)
	}
	var out []report.StreetMeasures
	for _, s := range r.streets {
		c := report.CountCases(byStreet[s.Code], q, asOf, w)
		fresh, err := r.freshness(s.Code, asOf, false)
		if err != nil {
			return nil, err
		}
		ops, err := r.opinions(s.Code, q)
		if err != nil {
			return nil, err
		}
		ks, err := r.kiosks(s.Code, q, asOf)
		if err != nil {
			return nil, err
		}
		out = append(out, report.StreetMeasures{Street: s.Code, Name: s.Name, Values: map[string]report.Ratio{
			report.CriterionOnTime: c.OnTime, report.CriterionSatisfaction: c.Satisfaction,
			report.CriterionFreshness: fresh, report.CriterionFeedback: ops,
			report.CriterionAvailability: report.MeanAvailability(ks),
		}})
	}
	return out, nil
}

// QuarterlyReport scores and ranks the streets for quarter q under the
// district's criteria, with each street's change since the quarter
// before.
func (p *Platform) QuarterlyReport(ctx context.Context, q report.Period, lang data.Lang) (report.Quarterly, error) {
	var out report.Quarterly
	err := p.store.Read(ctx, func(tx ReadTx) error {
		r, err := p.reportRun(tx)
		if err != nil {
			return err
		}
		cs, err := criteriaOf(tx)
		if err != nil {
			return err
		}
		now, err := r.measures(q)
		if err != nil {
			return err
		}
		asOf, _ := r.begun(q)
		out = report.Quarterly{Quarter: q.Name, From: q.From.Date(), To: q.To.Date(), AsOf: asOf.Date(),
			Formula: report.ScoreFormula(lang), Generated: r.now.Format(time.RFC3339)}
		for _, c := range cs {
			out.Criteria = append(out.Criteria, report.CriterionLine{ID: c.ID, Name: report.CriterionName(c.ID, lang),
				Weight: c.Weight, Formula: report.CriterionFormula(c.ID, lang)})
		}
		out.Streets = report.ScoreStreets(cs, now)
		prev, err := r.measures(q.Previous())
		if err != nil {
			return err
		}
		report.CompareWith(out.Streets, report.ScoreStreets(cs, prev))
		return nil
	})
	return out, err
}

// AnnualReport computes the annual report of a street ("" for the
// district) for year y, with the district's text (nil: the default
// overview and nothing else).
func (p *Platform) AnnualReport(ctx context.Context, y report.Period, street string, text *report.AnnualText) (report.Annual, error) {
	var out report.Annual
	if text == nil {
		text = &report.AnnualText{}
	}
	err := p.store.Read(ctx, func(tx ReadTx) error {
		r, err := p.reportRun(tx)
		if err != nil {
			return err
		}
		name, err := r.name(street)
		if err != nil {
			return err
		}
		if _, err := r.begun(y); err != nil {
			return err
		}
		organ := text.Organ
		if organ == "" {
			organ = name
		}
		out = report.Annual{Year: y.From.Date().Year, Street: street, Organ: organ, Generated: r.now,
			Review: text.Review, Problems: text.Problems, Other: text.Other, Live: map[string]int{}}
		if out.Cases, err = tx.CaseTotals(street, y); err != nil {
			return err
		}
		requests, err := tx.RequestFacts(street, y)
		if err != nil {
			return err
		}
		out.Table = report.CountRequests(requests, y)
		events, err := r.contentEvents(street, y)
		if err != nil {
			return err
		}
		out.Published = report.CountContent(events, y, data.ZH)
		for _, k := range report.ContentKinds {
			items, err := r.liveItems(k, street)
			if err != nil {
				return err
			}
			out.Live[string(k)] = len(items)
		}
		overview := text.Overview
		if overview == "" {
			overview = report.DefaultOverview
		}
		out.Overview, err = report.FillOverview(overview, report.Placeholders(&out))
		return err
	})
	return out, err
}
