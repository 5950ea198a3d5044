package server

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

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
}

// MoveCase moves a case through its lifecycle at the district's time. A
// move to replied also records the reason as the reply the resident
// reads. The new state goes into the filing kiosk's feed.
func (p *Platform) MoveCase(ctx context.Context, m CaseMove) (CaseRecord, error) {
	var rec CaseRecord
	err := p.store.Write(ctx, func(tx Tx) (err error) {
		rec, err = tx.CaseByRef(m.Ref)
		if errors.Is(err, ErrNotFound) {
			return fmt.Errorf("there is no case %s", m.Ref)
		}
		if err != nil {
			return err
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
		switch {
		case m.To == data.StatusReplied:
			text := strings.TrimSpace(m.Reason)
			if text == "" {
				return errors.New("a reply needs its text as the reason")
			}
			if c.Kind == data.CaseDisclosure {
				if !slices.Contains(data.ReplyTypes, m.ReplyType) {
					return fmt.Errorf("a reply to a disclosure request needs a reply type, one of %v", data.ReplyTypes)
				}
			} else if m.ReplyType != "" {
				return fmt.Errorf("only a disclosure request's reply has a reply type")
			}
			c.Reply = &data.Reply{Type: m.ReplyType, Text: text, At: now}
		case m.ReplyType != "":
			return fmt.Errorf("a reply type goes only with a move to %q", data.StatusReplied)
		}
		switch {
		case m.To == data.StatusMerged:
			if m.Into == "" {
				return errors.New("a merge needs the reference of the case it joins")
			}
			if m.Into == c.Ref {
				return errors.New("a case cannot be merged into itself")
			}
			into, err := tx.CaseByRef(m.Into)
			if errors.Is(err, ErrNotFound) {
				return fmt.Errorf("there is no case %s to merge into", m.Into)
			}
			if err != nil {
				return err
			}
			if into.Case.Street != c.Street || into.Case.Kind != c.Kind {
				return fmt.Errorf("case %s is not an appeal of street %s, so %s cannot join it", m.Into, c.Street, c.Ref)
			}
			c.MergedInto = m.Into
		case m.Into != "":
			return fmt.Errorf("a case to merge into goes only with a move to %q", data.StatusMerged)
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
