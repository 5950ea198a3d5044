package server

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"jiezhen/data"
)

// Opinions (民意征集) in the back office (docs/ADMIN.md, "Opinions"):
// every opinion a consultation received from kiosks and the website,
// counted per topic, each marked adopted, partly or not adopted with a
// reason, and the consultation's feedback per topic published through
// Publish. A street-scoped user sees the consultations of its streets and
// the district-wide ones, and of those only the opinions given in its
// streets; the store's queries take its streets.

// Problems with a mark or a feedback that a form shows at its field.
var (
	ErrOutcome   = errors.New("the outcome must be adopted, partly or not_adopted")
	ErrReason    = errors.New("a reason must be given")
	ErrLong      = fmt.Errorf("the reason is longer than %d characters", data.Limits[data.LimitText].Max)
	ErrStillOpen = errors.New("the consultation is still open: feedback is published once it has closed")
)

// ConsultationSummary is a consultation with the count of its opinions
// that the user sees.
type ConsultationSummary struct {
	Consultation data.Consultation
	Count        TopicCount
}

// ConsultationList lists the live consultations the user sees, the
// latest to close first, with their counts.
func (p *Platform) ConsultationList(ctx context.Context, u User) ([]ConsultationSummary, error) {
	var out []ConsultationSummary
	err := p.store.Read(ctx, func(tx ReadTx) error {
		items, err := tx.ScopedItems(data.KindConsultation, streetsOf(u))
		if err != nil {
			return err
		}
		counts, err := tx.ConsultationCounts(u.Streets)
		if err != nil {
			return err
		}
		for _, it := range items {
			var c data.Consultation
			if err := jsonDecode(it.Body, &c); err != nil {
				return fmt.Errorf("consultation %s: %w", it.ID, err)
			}
			out = append(out, ConsultationSummary{Consultation: c, Count: counts[c.ID]})
		}
		return nil
	})
	slices.SortStableFunc(out, func(a, b ConsultationSummary) int {
		return cmp.Or(b.Consultation.Closes.Compare(a.Consultation.Closes), cmp.Compare(a.Consultation.ID, b.Consultation.ID))
	})
	return out, err
}

// ConsultationPage is one consultation with its counts per topic (one per
// topic, in the consultation's order) and a page of its opinions.
type ConsultationPage struct {
	Consultation data.Consultation
	Counts       []TopicCount
	Total        TopicCount
	Opinions     []OpinionRecord
	Matched      int // how many opinions the filter selects
}

// consultationFor reads a live consultation the user sees: ErrNotFound
// when there is none, ErrForbidden when it is another street's.
func consultationFor(tx ReadTx, u User, id string) (data.Consultation, error) {
	var c data.Consultation
	it, err := tx.Item(data.KindConsultation, id)
	if err == nil && it.Deleted {
		err = ErrNotFound
	}
	if err != nil {
		return c, err
	}
	if !u.SeesStreet(it.Street) {
		return c, ErrForbidden
	}
	err = jsonDecode(it.Body, &c)
	return c, err
}

// ConsultationOpinions reads a consultation the user sees with the page
// of its opinions that f selects (f's Consultation and Streets are the
// id's and the user's).
func (p *Platform) ConsultationOpinions(ctx context.Context, u User, id string, f OpinionFilter) (ConsultationPage, error) {
	var pg ConsultationPage
	f.Consultation, f.Streets = id, u.Streets
	err := p.store.Read(ctx, func(tx ReadTx) (err error) {
		if pg.Consultation, err = consultationFor(tx, u, id); err != nil {
			return err
		}
		counts, err := tx.OpinionCounts(id, u.Streets)
		if err != nil {
			return err
		}
		pg.Counts, pg.Total = perTopic(pg.Consultation, counts)
		pg.Opinions, pg.Matched, err = tx.Opinions(f)
		return err
	})
	return pg, err
}

// perTopic orders counts by the consultation's topics, with a zero count
// for a topic without opinions, and sums them all.
func perTopic(c data.Consultation, counts []TopicCount) ([]TopicCount, TopicCount) {
	by := map[string]TopicCount{}
	var total TopicCount
	for _, n := range counts {
		by[n.Topic] = n
		total.Total += n.Total
		total.Late += n.Late
		total.Adopted += n.Adopted
		total.Partly += n.Partly
		total.NotAdopted += n.NotAdopted
	}
	out := make([]TopicCount, len(c.Topics))
	for i, t := range c.Topics {
		out[i] = by[t.ID]
		out[i].Topic = t.ID
	}
	return out, total
}

// Opinion reads one opinion the user sees, with its consultation.
func (p *Platform) Opinion(ctx context.Context, u User, id string) (OpinionRecord, data.Consultation, error) {
	var o OpinionRecord
	var c data.Consultation
	err := p.store.Read(ctx, func(tx ReadTx) (err error) {
		o, c, err = opinionFor(tx, u, id)
		return err
	})
	return o, c, err
}

func opinionFor(tx ReadTx, u User, id string) (OpinionRecord, data.Consultation, error) {
	o, err := tx.Opinion(id)
	if err != nil {
		return o, data.Consultation{}, err
	}
	if !u.SeesStreet(o.Street) {
		return o, data.Consultation{}, ErrForbidden
	}
	c, err := consultationFor(tx, u, o.Opinion.Consultation)
	return o, c, err
}

// checkDecision checks an outcome and its reason as a mark or a topic's
// feedback takes them, and returns the reason trimmed.
func checkDecision(outcome data.Outcome, reason string) (string, error) {
	if !slices.Contains([]data.Outcome{data.OutcomeAdopted, data.OutcomePartly, data.OutcomeNotAdopted}, outcome) {
		return "", ErrOutcome
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return "", ErrReason
	}
	if err := data.CheckFields(struct {
		Reason string `json:"reason" limit:"text"`
	}{reason}); err != nil {
		if len([]rune(reason)) > data.Limits[data.LimitText].Max {
			return "", ErrLong
		}
		return "", oneLine(err)
	}
	return reason, nil
}

// MarkOpinion marks an opinion the user sees as adopted, partly or not
// adopted, with a reason, and audits it in the same transaction. A new
// mark replaces the last one.
func (p *Platform) MarkOpinion(ctx context.Context, u User, id string, outcome data.Outcome, reason string) (OpinionRecord, error) {
	reason, err := checkDecision(outcome, reason)
	if err != nil {
		return OpinionRecord{}, err
	}
	var o OpinionRecord
	err = p.store.Write(ctx, func(tx Tx) (err error) {
		if o, _, err = opinionFor(tx, u, id); err != nil {
			return err
		}
		o.Outcome, o.Reason, o.MarkedBy, o.MarkedAt = outcome, reason, u.Name, p.clock()
		if err := tx.MarkOpinion(o); err != nil {
			return err
		}
		return p.auditTx(tx, u, o.Street, "opinion.mark", "opinion:"+o.Opinion.ID, "outcome="+string(outcome))
	})
	return o, err
}

// PublishFeedback publishes a consultation's feedback: an outcome and a
// reason for every topic, with the number of opinions received on it
// counted here. It goes through Publish, so it reaches kiosks and the
// website as a new version of the consultation, at once. The
// consultation must have closed; a district-wide one takes a user of the
// whole district, as its counts are every street's.
func (p *Platform) PublishFeedback(ctx context.Context, u User, id string, feedback []data.TopicFeedback) (data.Consultation, error) {
	var c data.Consultation
	var counts []TopicCount
	err := p.store.Read(ctx, func(tx ReadTx) (err error) {
		if c, err = consultationFor(tx, u, id); err != nil {
			return err
		}
		if c.Street == "" && len(u.Streets) > 0 {
			return ErrForbidden
		}
		counts, err = tx.OpinionCounts(id, nil)
		return err
	})
	if err != nil {
		return c, err
	}
	if !c.ClosedOn(p.today()) {
		return c, ErrStillOpen
	}
	byTopic, _ := perTopic(c, counts)
	given := map[string]data.TopicFeedback{}
	for _, f := range feedback {
		given[f.Topic] = f
	}
	out := make([]data.TopicFeedback, len(c.Topics))
	for i, t := range c.Topics {
		f, ok := given[t.ID]
		if !ok {
			return c, &TopicError{Topic: t.ID, Err: ErrOutcome}
		}
		reason, err := checkDecision(f.Outcome, f.Reason)
		if err != nil {
			return c, &TopicError{Topic: t.ID, Err: err}
		}
		out[i] = data.TopicFeedback{Topic: t.ID, Outcome: f.Outcome, Reason: reason, Opinions: byTopic[i].Total}
	}
	c.Feedback = out
	if _, err := p.Publish(ctx, &data.ContentSet{Consultations: []data.Consultation{c}}); err != nil {
		return c, err
	}
	err = p.store.Write(ctx, func(tx Tx) error {
		return p.auditTx(tx, u, c.Street, "consultation.feedback", "consultation:"+c.ID, fmt.Sprintf("topics=%d", len(out)))
	})
	return c, err
}

// TopicError is a feedback refused because of one topic's outcome or
// reason.
type TopicError struct {
	Topic string
	Err   error
}

func (e *TopicError) Error() string { return fmt.Sprintf("topic %s: %v", e.Topic, e.Err) }
func (e *TopicError) Unwrap() error { return e.Err }

// AllOpinions lists every opinion, or a consultation's ("" for all),
// oldest first, for districtd opinions. An unknown consultation is an
// error.
func (p *Platform) AllOpinions(ctx context.Context, consultation string) ([]OpinionRecord, error) {
	var out []OpinionRecord
	err := p.store.Read(ctx, func(tx ReadTx) (err error) {
		if consultation != "" {
			if _, err := tx.Item(data.KindConsultation, consultation); errors.Is(err, ErrNotFound) {
				return fmt.Errorf("there is no consultation %q", consultation)
			} else if err != nil {
				return err
			}
		}
		out, _, err = tx.Opinions(OpinionFilter{Consultation: consultation})
		return err
	})
	return out, err
}

// auditTx writes a back office audit line in the transaction of the
// action it records.
func (p *Platform) auditTx(tx Tx, u User, street, action, target, detail string) error {
	return tx.AddAdminAudit(AdminAuditRecord{At: p.clock(), UserID: u.ID, UserName: u.Name, Action: action,
		Target: target, Street: street, Detail: detail})
}
