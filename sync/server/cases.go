package server

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"jiezhen/data"
)

// Cases lists cases in the order they were received.
func (p *Platform) Cases(ctx context.Context, f CaseFilter) ([]CaseRecord, error) {
	var out []CaseRecord
	err := p.store.Read(ctx, func(tx ReadTx) (err error) {
		out, err = tx.Cases(f)
		return err
	})
	return out, err
}

// Calendar returns the district's working-day calendar as published, and
// today's date in China by the district's clock.
func (p *Platform) Calendar(ctx context.Context) (*data.Calendar, data.Date, error) {
	var cal *data.Calendar
	err := p.store.Read(ctx, func(tx ReadTx) (err error) {
		cal, err = calendarOf(tx)
		return err
	})
	return cal, p.today(), err
}

// calendarOf builds the working-day calendar from the published calendar
// years.
func calendarOf(tx ReadTx) (*data.Calendar, error) {
	items, err := tx.LiveItems(data.KindCalendar)
	if err != nil {
		return nil, err
	}
	var years []data.CalendarYear
	for _, it := range items {
		var y data.CalendarYear
		if err := jsonDecode(it.Body, &y); err != nil {
			return nil, err
		}
		years = append(years, y)
	}
	return data.NewCalendar(years...)
}

// caseByRef finds a case by its reference as a clerk or resident types it:
// a reference in the kiosks' format is found in any case, with or without
// dashes (data.NormalizeReference); an older reference only as stored.
func caseByRef(tx ReadTx, ref string) (CaseRecord, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return CaseRecord{}, errors.New("no case reference given")
	}
	if data.CheckReference(ref) == nil {
		ref = data.FormatReference(ref)
	}
	rec, err := tx.CaseByRef(ref)
	if errors.Is(err, ErrNotFound) {
		if err := data.CheckReference(ref); errors.Is(err, data.ErrRefCheck) {
			return rec, noCase{fmt.Sprintf("there is no case %s: %v", ref, err), err}
		}
		return rec, noCase{fmt.Sprintf("there is no case %s", ref), nil}
	}
	return rec, err
}

// noCase is caseByRef's answer for a reference no case has: it is
// ErrNotFound, and a data.ErrRefCheck when the check character is wrong.
type noCase struct {
	msg   string
	cause error
}

func (e noCase) Error() string   { return e.msg }
func (e noCase) Unwrap() []error { return []error{ErrNotFound, e.cause} }

// CaseMove is a district clerk's move of a case.
type CaseMove struct {
	Ref    string
	To     data.Status
	Reason string
	// ReplyType is the kind of answer when a disclosure request moves to
	// replied; for other replies it stays empty.
	ReplyType data.ReplyType
	// Into is, for a move to merged, the reference of the appeal on the
	// same matter that this one joins.
	Into string
	// Department is, for a move to dispatched, the department the appeal
	// goes to; the resident sees it.
	Department string
}

// check refuses the extras that do not go with the move.
func (m *CaseMove) check() error {
	m.Department = strings.TrimSpace(m.Department)
	switch {
	case m.To == data.StatusDispatched && m.Department == "":
		return errors.New("a dispatch needs the department it goes to")
	case m.To != data.StatusDispatched && m.Department != "":
		return fmt.Errorf("a department goes only with a move to %q", data.StatusDispatched)
	case m.To != data.StatusReplied && m.ReplyType != "":
		return fmt.Errorf("a reply type goes only with a move to %q", data.StatusReplied)
	case m.To != data.StatusMerged && m.Into != "":
		return fmt.Errorf("a case to merge into goes only with a move to %q", data.StatusMerged)
	case m.ReplyType != "" && !slices.Contains(data.ReplyTypes, m.ReplyType):
		return fmt.Errorf("unknown reply type %q: one of %v", m.ReplyType, data.ReplyTypes)
	}
	return nil
}

// MoveCase moves a case through its lifecycle at the district's time:
//
//   - to replied, the reason is the reply the resident reads; a disclosure
//     request's reply also needs one of the seven reply types;
//   - to dispatched, the department is recorded;
//   - to extended (a disclosure request, once), the deadline moves on by
//     data.DisclosureExtendDays working days of the district's calendar;
//   - to merged, the case joins another appeal of its street.
//
// The new state goes into the filing kiosk's feed.
func (p *Platform) MoveCase(ctx context.Context, m CaseMove) (CaseRecord, error) {
	return p.moveCase(ctx, m, User{}, nil, nil)
}

// moveCase is MoveCase by user u (the zero User for the command line),
// with check run on the case, and checkInto on the case a merge joins,
// inside the write transaction before anything moves.
func (p *Platform) moveCase(ctx context.Context, m CaseMove, u User, check, checkInto func(ReadTx, *CaseRecord) error) (CaseRecord, error) {
	if err := m.check(); err != nil {
		return CaseRecord{}, err
	}
	var rec CaseRecord
	err := p.store.Write(ctx, func(tx Tx) (err error) {
		rec, err = caseByRef(tx, m.Ref)
		if err != nil {
			return err
		}
		if check != nil {
			if err := check(tx, &rec); err != nil {
				return err
			}
		}
		c := &rec.Case
		now := p.clock()
		if n := len(c.History); n > 0 && now.Before(c.History[n-1].At) {
			// The district's clock went back (or a record came from a
			// machine ahead of it): keep the history in order.
			now = c.History[n-1].At
		}
		if err := c.Move(m.To, now, m.Reason); err != nil {
			return err
		}
		switch m.To {
		case data.StatusReplied:
			text := strings.TrimSpace(m.Reason)
			if text == "" {
				return errors.New("a reply needs its text as the reason")
			}
			if c.Kind == data.CaseDisclosure {
				if m.ReplyType == "" {
					return fmt.Errorf("a reply to a disclosure request needs a reply type, one of %v", data.ReplyTypes)
				}
			} else if m.ReplyType != "" {
				return fmt.Errorf("only a disclosure request's reply has a reply type, not %s's", c.Kind.Label(data.EN))
			}
			c.Reply = &data.Reply{Type: m.ReplyType, Text: text, At: now}
		case data.StatusDispatched:
			c.Department = m.Department
		case data.StatusExtended:
			cal, err := calendarOf(tx)
			if err != nil {
				return err
			}
			from := c.Deadline
			if from.IsZero() {
				from = data.DateOf(now.In(china))
			}
			c.Deadline = cal.AddWorkdays(from, data.DisclosureExtendDays)
		case data.StatusMerged:
			if m.Into == "" {
				return errors.New("a merge needs the reference of the case it joins")
			}
			into, err := caseByRef(tx, m.Into)
			if err != nil {
				return fmt.Errorf("merge into %s: %w", m.Into, err)
			}
			if checkInto != nil {
				if err := checkInto(tx, &into); err != nil {
					return err
				}
			}
			if into.Case.ID == c.ID {
				return errors.New("a case cannot be merged into itself")
			}
			if into.Case.Street != c.Street || into.Case.Kind != c.Kind {
				return fmt.Errorf("case %s is not an appeal of street %s, so %s cannot join it", into.Case.Ref, c.Street, c.Ref)
			}
			c.MergedInto = into.Case.Ref
			// The case it joins says so in its staff timeline.
			if _, err := tx.AddCaseEvent(CaseEvent{Case: into.Case.ID, At: now, Kind: EventMergedIn, UserID: u.ID,
				UserName: u.Name, Text: strings.TrimSpace(m.Reason), Target: c.Ref}); err != nil {
				return err
			}
		}
		rec.Version++
		return putCase(tx, rec)
	})
	if err != nil {
		return CaseRecord{}, err
	}
	p.log.Info("case moved", "ref", rec.Case.Ref, "status", string(rec.Case.Status), "kiosk", rec.Kiosk)
	return rec, nil
}

// DefaultRatingReason is the reason recorded when a case counts as 基本满意
// for want of a rating; the resident reads it in the case's timeline.
const DefaultRatingReason = "办结后7日内未评价，默认基本满意"

// ratingClosesOn is the first day on which a case completed at done is no
// longer open for rating: a case completed on day D may be rated through
// day D + data.DefaultRatingDays, China time.
func ratingClosesOn(done time.Time) data.Date {
	return data.DateOf(done.In(china)).AddDays(data.DefaultRatingDays + 1)
}

// completedAt is when the case last moved to completed.
func completedAt(c *data.Case) (time.Time, bool) {
	for i := len(c.History) - 1; i >= 0; i-- {
		if c.History[i].To == data.StatusCompleted {
			return c.History[i].At, true
		}
	}
	return time.Time{}, false
}

// AutoRate rates 基本满意 every completed case that was not rated within
// data.DefaultRatingDays calendar days of its completion, by the district's
// clock, and returns how many it rated. Each moves to rated with
// DefaultRatingReason and goes into its filing kiosk's feed; a rating the
// resident sends afterwards is refused. districtd serve runs it
// periodically.
func (p *Platform) AutoRate(ctx context.Context) (int, error) {
	n := 0
	err := p.store.Write(ctx, func(tx Tx) error {
		n = 0
		list, err := tx.Cases(CaseFilter{Status: data.StatusCompleted})
		if err != nil {
			return err
		}
		now := p.clock()
		today := data.DateOf(now.In(china))
		for _, rec := range list {
			c := &rec.Case
			done, ok := completedAt(c)
			if !ok || today.Before(ratingClosesOn(done)) {
				continue
			}
			at := now
			if last := c.History[len(c.History)-1].At; at.Before(last) {
				at = last
			}
			if err := c.Move(data.StatusRated, at, DefaultRatingReason); err != nil {
				return err
			}
			c.Rating, c.RatingDefault = data.RatingBasic, true
			rec.Version++
			if err := putCase(tx, rec); err != nil {
				return err
			}
			if err := tx.AddRating(RatingRecord{ID: "default:" + c.ID, Case: c.ID, Rating: data.RatingBasic, ReceivedAt: now}); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if n > 0 {
		p.log.Info("cases rated by default", "count", n)
	}
	return n, nil
}
