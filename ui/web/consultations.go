package web

import (
	"net/http"
	"slices"

	"jiezhen/data"
)

// consultationsData is the consultations page: open ones first (closing
// soonest first), then those not open yet, then closed ones (latest
// first).
type consultationsData struct {
	Open, Upcoming, Closed []data.Consultation
}

func (s *Site) consultations(w http.ResponseWriter, r *http.Request, st *data.Street) {
	list, err := items[data.Consultation](r.Context(), s, data.KindConsultation, st.Code)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := newPage(r, st, s.p.Today())
	var d consultationsData
	for _, c := range list {
		switch {
		case c.OpenOn(p.Today):
			d.Open = append(d.Open, c)
		case c.ClosedOn(p.Today):
			d.Closed = append(d.Closed, c)
		default:
			d.Upcoming = append(d.Upcoming, c)
		}
	}
	slices.SortStableFunc(d.Open, func(a, b data.Consultation) int { return a.Closes.Compare(b.Closes) })
	slices.SortStableFunc(d.Upcoming, func(a, b data.Consultation) int { return a.Opens.Compare(b.Opens) })
	slices.SortStableFunc(d.Closed, func(a, b data.Consultation) int { return b.Closes.Compare(a.Closes) })
	p.Title = p.T("consultations.title")
	p.crumbs(crumb{Label: p.Title})
	p.Data = d
	s.render(w, r, http.StatusOK, "consultations", p)
}

// consultationView is one consultation with each topic's feedback.
type consultationView struct {
	data.Consultation
	State  string // "open", "upcoming" or "closed"
	Topics []topicView
}

type topicView struct {
	data.Topic
	Feedback *data.TopicFeedback // nil until published
}

func (s *Site) consultation(w http.ResponseWriter, r *http.Request, st *data.Street) {
	c, ok := detail[data.Consultation](s, w, r, st, data.KindConsultation)
	if !ok {
		return
	}
	p := newPage(r, st, s.p.Today())
	v := newConsultationView(c, p.Today)
	p.Title = c.Title
	p.crumbs(crumb{Label: p.T("consultations.title"), Href: sectionPath(st, "consultations")}, crumb{Label: c.Title, Content: true})
	p.Data = v
	s.render(w, r, http.StatusOK, "consultation", p)
}

// newConsultationView is c as its page shows it on day today.
func newConsultationView(c data.Consultation, today data.Date) consultationView {
	v := consultationView{Consultation: c, State: "upcoming"}
	switch {
	case c.OpenOn(today):
		v.State = "open"
	case c.ClosedOn(today):
		v.State = "closed"
	}
	for _, t := range c.Topics {
		tv := topicView{Topic: t}
		for i := range c.Feedback {
			if c.Feedback[i].Topic == t.ID {
				tv.Feedback = &c.Feedback[i]
			}
		}
		v.Topics = append(v.Topics, tv)
	}
	return v
}
