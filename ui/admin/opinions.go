package admin

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"jiezhen/data"
	"jiezhen/sync/server"
)

// Opinions (民意征集): the consultations with their counts, one
// consultation's opinions a page at a time with the resident's name and
// mobile masked, the mark on one opinion, and the consultation's feedback
// (docs/ADMIN.md, "Opinions"). The store scopes every read to the user's
// streets.

var (
	opinionReaders = []server.Role{server.RoleEditor, server.RoleReviewer, server.RoleInspector}
	opinionMarkers = []server.Role{server.RoleEditor, server.RoleReviewer}
	// Feedback is published at once, without a second person's review:
	// only a reviewer may.
	feedbackPublishers = []server.Role{server.RoleReviewer}
)

// opinionsPerPage is how many opinions a page of a consultation shows.
const opinionsPerPage = 20

func (o *Office) opinionRoutes() []route {
	return []route{
		{Method: "GET", Pattern: Prefix + "opinions/{$}", Roles: opinionReaders, Handle: o.consultations, Nav: "opinions.title"},
		{Method: "GET", Pattern: Prefix + "opinions/{id}", Roles: opinionReaders, Handle: o.consultation},
		{Method: "GET", Pattern: Prefix + "opinions/{id}/mark/{op}", Roles: opinionMarkers, Handle: o.markForm},
		{Method: "POST", Pattern: Prefix + "opinions/{id}/mark/{op}", Roles: opinionMarkers, Handle: o.mark},
		{Method: "GET", Pattern: Prefix + "opinions/{id}/feedback", Roles: feedbackPublishers, Handle: o.feedbackForm},
		{Method: "POST", Pattern: Prefix + "opinions/{id}/feedback", Roles: feedbackPublishers, Handle: o.feedback},
	}
}

func (o *Office) consultations(w http.ResponseWriter, r *http.Request, u *server.User) {
	list, err := o.p.ConsultationList(r.Context(), *u)
	if !o.check(w, r, u, err) {
		return
	}
	o.render(w, r, u, http.StatusOK, "consultations", "opinions.title", struct {
		List  []server.ConsultationSummary
		Today data.Date
	}{list, o.today()})
}

// today is the district's day.
func (o *Office) today() data.Date { return data.DateOf(o.p.Now().In(china)) }

// opinionRow is an opinion as a page lists it: the resident's name and
// mobile masked.
type opinionRow struct {
	server.OpinionRecord
	Name, Mobile string
	TopicTitle   string
}

func rowOf(rec server.OpinionRecord, c data.Consultation) opinionRow {
	row := opinionRow{OpinionRecord: rec, Name: data.MaskName(rec.Opinion.Name), Mobile: data.MaskMobile(rec.Opinion.Mobile)}
	for _, t := range c.Topics {
		if t.ID == rec.Opinion.Topic {
			row.TopicTitle = t.Title
		}
	}
	return row
}

// topicRow is a topic with its counts.
type topicRow struct {
	data.Topic
	Count server.TopicCount
}

func topicRows(pg server.ConsultationPage) []topicRow {
	out := make([]topicRow, len(pg.Consultation.Topics))
	for i, t := range pg.Consultation.Topics {
		out[i] = topicRow{Topic: t, Count: pg.Counts[i]}
	}
	return out
}

func (o *Office) consultation(w http.ResponseWriter, r *http.Request, u *server.User) {
	q := r.URL.Query()
	n := 1
	if s := q.Get("page"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 1 {
			o.badRequest(w, r, u, "opinions.error.page")
			return
		}
	}
	topic := q.Get("topic")
	id := r.PathValue("id")
	pg, err := o.p.ConsultationOpinions(r.Context(), *u, id, server.OpinionFilter{Topic: topic, Offset: (n - 1) * opinionsPerPage, Limit: opinionsPerPage})
	if !o.check(w, r, u, err) {
		return
	}
	rows := make([]opinionRow, len(pg.Opinions))
	for i, rec := range pg.Opinions {
		rows[i] = rowOf(rec, pg.Consultation)
	}
	link := func(page int) string {
		v := url.Values{}
		if topic != "" {
			v.Set("topic", topic)
		}
		if page > 1 {
			v.Set("page", strconv.Itoa(page))
		}
		s := Prefix + "opinions/" + url.PathEscape(id)
		if len(v) > 0 {
			s += "?" + v.Encode()
		}
		return s
	}
	d := struct {
		server.ConsultationPage
		Topics          []topicRow
		Rows            []opinionRow
		Topic           string
		Page, Pages     int
		Prev, Next      string
		Closed, CanMark bool
		CanPublish      bool
		All             string // the page of every topic
	}{ConsultationPage: pg, Topics: topicRows(pg), Rows: rows, Topic: topic, Page: n,
		Pages:   max(1, (pg.Matched+opinionsPerPage-1)/opinionsPerPage),
		Closed:  pg.Consultation.ClosedOn(o.today()),
		CanMark: u.HasAny(opinionMarkers...), CanPublish: u.HasAny(feedbackPublishers...) && (pg.Consultation.Street != "" || len(u.Streets) == 0),
		All: Prefix + "opinions/" + url.PathEscape(id)}
	if n > 1 {
		d.Prev = link(n - 1)
	}
	if n < d.Pages {
		d.Next = link(n + 1)
	}
	p := o.newPage(r, u, pg.Consultation.Title, d)
	o.renderPage(w, r, http.StatusOK, "consultation", p)
}

// markData is the mark form.
type markData struct {
	Consultation data.Consultation
	Row          opinionRow
	Outcomes     []data.Outcome
	Outcome      data.Outcome
	Reason       string
	OutcomeErr   string // translation keys
	ReasonErr    string
}

var outcomes = []data.Outcome{data.OutcomeAdopted, data.OutcomePartly, data.OutcomeNotAdopted}

func (o *Office) markPage(w http.ResponseWriter, r *http.Request, u *server.User, status int, d markData) {
	d.Outcomes = outcomes
	p := o.newPage(r, u, "", d)
	p.Title = p.T("opinions.mark.title")
	o.renderPage(w, r, status, "opinionmark", p)
}

// opinionOf reads the path's opinion, which must be of the path's
// consultation.
func (o *Office) opinionOf(w http.ResponseWriter, r *http.Request, u *server.User) (server.OpinionRecord, data.Consultation, bool) {
	rec, c, err := o.p.Opinion(r.Context(), *u, r.PathValue("op"))
	if err == nil && c.ID != r.PathValue("id") {
		err = server.ErrNotFound
	}
	return rec, c, o.check(w, r, u, err)
}

func (o *Office) markForm(w http.ResponseWriter, r *http.Request, u *server.User) {
	rec, c, ok := o.opinionOf(w, r, u)
	if !ok {
		return
	}
	o.markPage(w, r, u, http.StatusOK, markData{Consultation: c, Row: rowOf(rec, c), Outcome: rec.Outcome, Reason: rec.Reason})
}

func (o *Office) mark(w http.ResponseWriter, r *http.Request, u *server.User) {
	rec, c, ok := o.opinionOf(w, r, u)
	if !ok {
		return
	}
	outcome, reason := data.Outcome(r.PostFormValue("outcome")), r.PostFormValue("reason")
	d := markData{Consultation: c, Row: rowOf(rec, c), Outcome: outcome, Reason: reason}
	// Both fields' problems at once; the store checks them again.
	if d.OutcomeErr, d.ReasonErr = missing(outcome, reason); d.OutcomeErr != "" || d.ReasonErr != "" {
		o.markPage(w, r, u, http.StatusBadRequest, d)
		return
	}
	_, err := o.p.MarkOpinion(r.Context(), *u, rec.Opinion.ID, outcome, reason)
	switch {
	case errors.Is(err, server.ErrOutcome):
		d.OutcomeErr = "opinions.error.outcome"
	case errors.Is(err, server.ErrReason):
		d.ReasonErr = "opinions.error.reason"
	case errors.Is(err, server.ErrLong):
		d.ReasonErr = "opinions.error.long"
	case err != nil && !errors.Is(err, server.ErrForbidden) && !errors.Is(err, server.ErrNotFound):
		d.ReasonErr = "opinions.error.text"
	default:
		if o.check(w, r, u, err) {
			o.redirect(w, r, d.Back(), "opinions.marked")
		}
		return
	}
	o.markPage(w, r, u, http.StatusBadRequest, d)
}

// missing says which of an outcome and a reason is not given, as the
// translation keys of the problems.
func missing(outcome data.Outcome, reason string) (outcomeErr, reasonErr string) {
	if !slices.Contains(outcomes, outcome) {
		outcomeErr = "opinions.error.outcome"
	}
	if strings.TrimSpace(reason) == "" {
		reasonErr = "opinions.error.reason"
	}
	return outcomeErr, reasonErr
}

// Back is the consultation's page.
func (d markData) Back() string { return Prefix + "opinions/" + url.PathEscape(d.Consultation.ID) }

// feedbackTopic is one topic of the feedback form.
type feedbackTopic struct {
	topicRow
	Outcome    data.Outcome
	Reason     string
	OutcomeErr string
	ReasonErr  string
}

type feedbackData struct {
	Consultation data.Consultation
	Topics       []feedbackTopic
	Outcomes     []data.Outcome
	Closed       bool
	Errors       bool
}

// Back is the consultation's page.
func (d feedbackData) Back() string { return Prefix + "opinions/" + url.PathEscape(d.Consultation.ID) }

// feedbackPage reads the consultation and its counts for the form; the
// form starts from the published feedback, or else from the marks.
func (o *Office) feedbackPage(w http.ResponseWriter, r *http.Request, u *server.User) (feedbackData, bool) {
	pg, err := o.p.ConsultationOpinions(r.Context(), *u, r.PathValue("id"), server.OpinionFilter{Limit: 1})
	if err == nil && pg.Consultation.Street == "" && len(u.Streets) > 0 {
		err = server.ErrForbidden
	}
	if !o.check(w, r, u, err) {
		return feedbackData{}, false
	}
	d := feedbackData{Consultation: pg.Consultation, Outcomes: outcomes, Closed: pg.Consultation.ClosedOn(o.today())}
	given := map[string]data.TopicFeedback{}
	for _, f := range pg.Consultation.Feedback {
		given[f.Topic] = f
	}
	for _, t := range topicRows(pg) {
		ft := feedbackTopic{topicRow: t}
		if f, ok := given[t.ID]; ok {
			ft.Outcome, ft.Reason = f.Outcome, f.Reason
		} else {
			ft.Outcome = suggested(t.Count)
		}
		d.Topics = append(d.Topics, ft)
	}
	return d, true
}

// suggested is the outcome the marks on a topic's opinions add up to:
// all adopted, none adopted, or partly; none when nothing is marked.
func suggested(c server.TopicCount) data.Outcome {
	switch marked := c.Adopted + c.Partly + c.NotAdopted; {
	case marked == 0:
		return ""
	case c.Adopted == marked:
		return data.OutcomeAdopted
	case c.NotAdopted == marked:
		return data.OutcomeNotAdopted
	}
	return data.OutcomePartly
}

func (o *Office) renderFeedback(w http.ResponseWriter, r *http.Request, u *server.User, status int, d feedbackData) {
	p := o.newPage(r, u, "", d)
	p.Title = p.T("opinions.feedback.title")
	o.renderPage(w, r, status, "opinionfeedback", p)
}

func (o *Office) feedbackForm(w http.ResponseWriter, r *http.Request, u *server.User) {
	if d, ok := o.feedbackPage(w, r, u); ok {
		o.renderFeedback(w, r, u, http.StatusOK, d)
	}
}

func (o *Office) feedback(w http.ResponseWriter, r *http.Request, u *server.User) {
	d, ok := o.feedbackPage(w, r, u)
	if !ok {
		return
	}
	if !d.Closed {
		o.renderFeedback(w, r, u, http.StatusConflict, d)
		return
	}
	var fb []data.TopicFeedback
	for i := range d.Topics {
		t := &d.Topics[i]
		t.Outcome = data.Outcome(r.PostFormValue("outcome-" + t.ID))
		t.Reason = r.PostFormValue("reason-" + t.ID)
		t.OutcomeErr, t.ReasonErr = missing(t.Outcome, t.Reason)
		d.Errors = d.Errors || t.OutcomeErr != "" || t.ReasonErr != ""
		fb = append(fb, data.TopicFeedback{Topic: t.ID, Outcome: t.Outcome, Reason: t.Reason})
	}
	if d.Errors {
		o.renderFeedback(w, r, u, http.StatusBadRequest, d)
		return
	}
	_, err := o.p.PublishFeedback(r.Context(), *u, d.Consultation.ID, fb)
	var te *server.TopicError
	switch {
	case errors.As(err, &te):
		for i := range d.Topics {
			t := &d.Topics[i]
			if t.ID != te.Topic {
				continue
			}
			switch {
			case errors.Is(err, server.ErrOutcome):
				t.OutcomeErr = "opinions.error.outcome"
			case errors.Is(err, server.ErrReason):
				t.ReasonErr = "opinions.error.reason"
			case errors.Is(err, server.ErrLong):
				t.ReasonErr = "opinions.error.long"
			default:
				t.ReasonErr = "opinions.error.text"
			}
		}
		d.Errors = true
		o.renderFeedback(w, r, u, http.StatusBadRequest, d)
	case errors.Is(err, server.ErrStillOpen):
		d.Closed = false
		o.renderFeedback(w, r, u, http.StatusConflict, d)
	case errors.Is(err, server.ErrForbidden), errors.Is(err, server.ErrNotFound), err == nil:
		if o.check(w, r, u, err) {
			o.redirect(w, r, d.Back(), "opinions.published")
		}
	default:
		o.badRequest(w, r, u, err.Error())
	}
}
