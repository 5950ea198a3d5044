package server

import (
	"context"
	"slices"
	"time"

	"jiezhen/data"
)

// PublicAppeal is what may be shown of an appeal whose resident agreed
// to show it (data.Case.Public): its subject, type, place in words, the
// public reply and the dates. It has no field for the resident's personal
// data or the appeal's own words, so no page or API built on it can show
// them.
type PublicAppeal struct {
	Ref      string
	Street   string
	Type     data.AppealType
	Category string // the subject the resident chose
	Location string // the place in words
	Status   data.Status
	Reply    string    // the district's reply, empty until answered
	Filed    time.Time // when the district received it
	Answered time.Time // when it was answered, zero until then
	Updated  time.Time // the last move of the case
}

// Open reports whether the appeal is still being handled: it has no
// reply yet and was not merged into another.
func (a PublicAppeal) Open() bool {
	return a.Reply == "" && a.Status != data.StatusMerged
}

func publicAppeal(rec CaseRecord) PublicAppeal {
	c := rec.Case
	a := PublicAppeal{Ref: c.Ref, Street: c.Street, Type: c.AppealType, Category: c.Category,
		Location: c.Location, Status: c.Status, Filed: rec.ReceivedAt, Updated: rec.ReceivedAt}
	if c.Reply != nil {
		a.Reply, a.Answered = c.Reply.Text, c.Reply.At
	}
	if n := len(c.History); n > 0 {
		a.Updated = c.History[n-1].At
	}
	return a
}

// PublicAppeals lists the public part of a street's appeals whose
// residents agreed to show them, newest reply first (then newest filed);
// with answered, only those with a reply. An empty street lists the
// whole district's, an empty type every type.
func (p *Platform) PublicAppeals(ctx context.Context, street string, t data.AppealType, answered bool) ([]PublicAppeal, error) {
	var recs []CaseRecord
	err := p.store.Read(ctx, func(tx ReadTx) (err error) {
		recs, err = tx.PublicAppeals(PublicFilter{Street: street, Type: t, Answered: answered})
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]PublicAppeal, len(recs))
	for i, r := range recs {
		out[i] = publicAppeal(r)
	}
	// The store orders by the stored time's text; the times decide.
	slices.SortStableFunc(out, func(a, b PublicAppeal) int {
		if c := b.Answered.Compare(a.Answered); c != 0 {
			return c
		}
		return b.Filed.Compare(a.Filed)
	})
	return out, nil
}

// PublicAppealByRef is the public part of one appeal by its reference,
// or ErrNotFound when there is no such appeal or its resident did not
// agree to show it.
func (p *Platform) PublicAppealByRef(ctx context.Context, ref string) (PublicAppeal, error) {
	if data.CheckReference(ref) != nil {
		return PublicAppeal{}, ErrNotFound
	}
	var rec CaseRecord
	err := p.store.Read(ctx, func(tx ReadTx) (err error) {
		rec, err = tx.CaseByRef(data.FormatReference(ref))
		return err
	})
	if err != nil {
		return PublicAppeal{}, err
	}
	if rec.Case.Kind != data.CaseAppeal || !rec.Case.Public {
		return PublicAppeal{}, ErrNotFound
	}
	return publicAppeal(rec), nil
}
