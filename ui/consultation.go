package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"jiezhen/data"
	"jiezhen/data/store"
)

// openConsultations lists consultations, latest closing date first.
func openConsultations(e *env, src ConsultationReader) {
	st := &listState{}
	e.open(func() string { return e.L("tile.consultation") }, func() fyne.CanvasObject {
		l := newPagedList(e, st,
			func(ctx context.Context, p store.Page) ([]store.ConsultationRow, int, error) {
				return src.ListConsultations(ctx, store.ConsultationFilter{}, p)
			},
			func(r store.ConsultationRow) rowText {
				word, on := e.consultationState(r.Opens, r.Closes)
				return rowText{title: r.Title, detail: joinDot(r.Publisher, e.Lf("consult.period", e.date(r.Opens), e.date(r.Closes))),
					badge: word, on: on}
			},
			func(r store.ConsultationRow) { openConsultation(e, src, r.ID) })
		return container.NewBorder(e.searchBar(data.KindConsultation), nil, nil, nil, l.obj)
	})
}

// consultationState is 征集中, 已结束 or 未开始 on the kiosk's today.
func (e *env) consultationState(opens, closes data.Date) (string, bool) {
	c := data.Consultation{Opens: opens, Closes: closes}
	today := data.DateOf(e.now())
	switch {
	case c.OpenOn(today):
		return e.L("consult.open"), true
	case c.ClosedOn(today):
		return e.L("consult.closed"), false
	}
	return e.L("consult.not_started"), false
}

func openConsultation(e *env, src ConsultationReader, id string) {
	e.openRead(func() string { return e.L("consult.title") }, func() fyne.CanvasObject {
		return newConsultationDetail(e, src, id)
	})
}

// newConsultationDetail shows the draft, its dates and topics, and once
// the consultation has closed the published outcome of each topic with
// its reason.
func newConsultationDetail(e *env, src ConsultationReader, id string) fyne.CanvasObject {
	return loadDetail(e, func(ctx context.Context) (data.Consultation, error) { return src.Consultation(ctx, id) },
		func(c data.Consultation) fyne.CanvasObject {
			return e.consultation(c)
		})
}

func (e *env) consultation(c data.Consultation) fyne.CanvasObject {
	word, on := e.consultationState(c.Opens, c.Closes)
	title := container.NewBorder(nil, nil, nil, container.NewCenter(badge(word, on)), heading(c.Title))
	out := container.NewVBox(title, fields(
		e.L("consult.publisher"), c.Publisher,
		e.L("consult.dates"), e.Lf("consult.period", e.date(c.Opens), e.date(c.Closes)),
	))
	if c.OpenOn(data.DateOf(e.now())) && e.cases != nil && len(c.Topics) > 0 {
		give := e.primary(e.L("opinion.give"), theme.MailComposeIcon(), func() { openOpinion(e, e.cases, c) })
		give.min = 1.25 * give.min
		out.Add(container.NewBorder(nil, nil, nil, give, para(e.L("opinion.invite"))))
	}
	if c.ClosedOn(data.DateOf(e.now())) {
		out.Add(widget.NewSeparator())
		out.Add(subheading(e.L("consult.feedback")))
		if len(c.Feedback) == 0 {
			out.Add(para(e.L("consult.no_feedback")))
		}
		titles := map[string]string{}
		for _, t := range c.Topics {
			titles[t.ID] = t.Title
		}
		for _, f := range c.Feedback {
			name := titles[f.Topic]
			if name == "" {
				name = f.Topic
			}
			head := newWrap(name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			out.Add(container.NewBorder(nil, nil, nil,
				container.NewCenter(badge(f.Outcome.Label(e.lang), f.Outcome != data.OutcomeNotAdopted)), head))
			out.Add(fields(
				e.L("consult.opinions"), e.Lf("consult.opinions_n", f.Opinions),
				e.L("consult.reason"), f.Reason,
			))
		}
	}
	if len(c.Topics) > 0 {
		out.Add(widget.NewSeparator())
		out.Add(subheading(e.L("consult.topics")))
		for i, t := range c.Topics {
			head := newWrap(e.Lf("consult.topic_n", i+1, t.Title), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			out.Add(head)
			if t.Summary != "" {
				out.Add(para(t.Summary))
			}
		}
	}
	out.Add(widget.NewSeparator())
	out.Add(subheading(e.L("consult.draft")))
	out.Add(body(c.Draft))
	return out
}
