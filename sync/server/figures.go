package server

import (
	"context"
	"encoding/json"
	"fmt"

	"jiezhen/data"
	"jiezhen/data/report"
)

// LastMonth is the month before the district's today.
func (p *Platform) LastMonth() report.Period {
	d := p.today()
	return report.MonthPeriod(d.Year, d.Month).Previous()
}

// PublishFigures sets each street's figures of month m on its street item
// (data.Street.Figures), from the street's monthly statistics with their
// 12 months: a new version in the feed where they changed, so kiosks and
// the website have them. It returns how many streets changed.
func (p *Platform) PublishFigures(ctx context.Context, m report.Period) (int, error) {
	streets, err := p.Streets(ctx)
	if err != nil {
		return 0, err
	}
	figures := map[string]*data.StreetFigures{}
	for _, s := range streets {
		r, err := p.MonthlyReport(ctx, m, s.Code, true)
		if err != nil {
			return 0, err
		}
		c := r.Cases
		f := &data.StreetFigures{Month: m.Name, Received: c.Received, Completed: c.Completed,
			OnTime: c.OnTime.Num, WithDeadline: c.OnTime.Den, Satisfied: c.Satisfaction.Num, Rated: c.Satisfaction.Den}
		for _, h := range r.History {
			n := 0
			for _, x := range h.ByType {
				n += x
			}
			f.Months = append(f.Months, data.MonthCount{Month: h.Month, Received: n})
		}
		figures[s.Code] = f
	}
	n := 0
	err = p.store.Write(ctx, func(tx Tx) error {
		n = 0
		for _, s := range streets {
			it, err := tx.Item(data.KindStreet, s.Code)
			if err != nil {
				return err
			}
			body, err := streetWithFigures(it.Body, figures[s.Code])
			if err != nil {
				return err
			}
			if string(body) == string(it.Body) {
				continue
			}
			it.Version++
			it.Body = body
			if _, err := tx.PutItem(it); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err == nil && n > 0 {
		p.log.Info("street figures published", "month", m.Name, "streets", n)
	}
	return n, err
}

// streetWithFigures is a street item's body with its figures set.
func streetWithFigures(body json.RawMessage, f *data.StreetFigures) (json.RawMessage, error) {
	var st data.Street
	if err := json.Unmarshal(body, &st); err != nil {
		return nil, fmt.Errorf("street item: %w", err)
	}
	st.Figures = f
	return json.Marshal(st)
}
