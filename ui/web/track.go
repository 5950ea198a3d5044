package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"jiezhen/data"
	"jiezhen/sync/server"
)

// 办件查询 on the website: the form takes the reference and the last four
// digits of the mobile by POST, the district applies the lockout
// (server.Platform.Track), and the answer is a 303 to the case's timeline
// under a short-lived random token, so that neither the digits nor the
// case are ever in a URL that can be shared or logged. The timeline is
// data.BuildTimeline, as on the kiosk; from it a completed case is rated
// and a case waiting for 补正 corrected. See docs/WEB.md, "Tracking".

// trackForm is the form page: the reference as typed (from ?ref= of a
// receipt's QR code, or the POST), and what went wrong.
type trackForm struct {
	Ref     string
	Problem string // a translation key
	Detail  string // the data check's own words, for a malformed reference
}

func (s *Site) trackPath(st *data.Street) string { return streetPath(st.Code) + "track" }

func (s *Site) trackFormPage(w http.ResponseWriter, r *http.Request, st *data.Street, status int, f trackForm) {
	p := newPage(r, st, s.p.Today())
	p.Title = p.T("track.title")
	p.crumbs(crumb{Label: p.Title})
	p.Data = f
	s.render(w, r, status, "track", p)
}

// track is the form; ?ref= fills the reference in.
func (s *Site) track(w http.ResponseWriter, r *http.Request, st *data.Street) {
	s.trackFormPage(w, r, st, http.StatusOK, trackForm{Ref: r.URL.Query().Get("ref")})
}

// trackPost looks the case up and answers 303 to its timeline, or the
// form again saying why not.
func (s *Site) trackPost(w http.ResponseWriter, r *http.Request, st *data.Street) {
	ref := strings.TrimSpace(r.PostFormValue("ref"))
	phone4 := strings.TrimSpace(r.PostFormValue("phone4"))
	f := trackForm{Ref: ref}
	if ref == "" {
		f.Problem = "track.noref"
		s.trackFormPage(w, r, st, http.StatusUnprocessableEntity, f)
		return
	}
	tr, err := s.p.Track(r.Context(), ref, phone4, clientAddr(r))
	switch {
	case errors.Is(err, server.ErrTrackNoMatch):
		f.Problem = "track.nomatch"
		s.trackFormPage(w, r, st, http.StatusNotFound, f)
		return
	case errors.Is(err, server.ErrTrackLimited):
		f.Problem = "track.limited"
		s.trackFormPage(w, r, st, http.StatusTooManyRequests, f)
		return
	case errors.Is(err, data.ErrRefCheck) || (err != nil && data.CheckReference(ref) != nil):
		f.Problem = "track.badref"
		s.trackFormPage(w, r, st, http.StatusUnprocessableEntity, f)
		return
	case err != nil && phone4 != "" && (len(phone4) != 4 || strings.Trim(phone4, "0123456789") != ""):
		f.Problem = "track.badphone4"
		s.trackFormPage(w, r, st, http.StatusUnprocessableEntity, f)
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	tok, err := s.p.GrantTracking(r.Context(), server.TrackGrant{Case: tr.Case.ID, Street: st.Code, PublicOnly: tr.PublicOnly})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, s.trackPath(st)+"/"+tok, http.StatusSeeOther)
}

// timelineView is the timeline page.
type timelineView struct {
	data.Timeline
	Token      string
	Missing    string // what 补正 asks for: the reason of the last move to correction
	Correct    bool   // the case may be corrected here
	Fields     []data.FormField
	Values     data.FormValues
	Errors     map[string]string // a field's problem, by code
	Problem    string            // a translation key
	Refused    string            // the district's own words
	Done       string            // "rated" or "corrected", after the 303
	Steps      []stepView
	Ratings    []ratingChoice
	Comment    string
	NoteCode   string
	InfoCode   string
	NoteMaxLen int
}

// stepView is one step of the timeline with its time in Beijing time.
type stepView struct {
	data.TimelineEvent
	When, ISO string
}

// beijing is the time zone the website shows times in.
var beijing = time.FixedZone("CST", 8*3600)

func clockOf(t time.Time) (when, iso string) {
	t = t.In(beijing)
	return t.Format("2006-01-02 15:04"), t.Format(time.RFC3339)
}

// ReplyWhen is the reply's time as shown.
func (v timelineView) ReplyWhen() string {
	if v.Reply == nil {
		return ""
	}
	w, _ := clockOf(v.Reply.At)
	return w
}

// Invalid is the problem of a field of the correction form, "" if none.
func (v timelineView) Invalid(code string) string { return v.Errors[code] }

// Value is what the correction form had in a field.
func (v timelineView) Value(code string) string { return v.Values[code] }

type ratingChoice struct {
	Value int
	Label string
}

// grant finds the {token} of the path, or answers the form again saying
// that the lookup has expired.
func (s *Site) grant(w http.ResponseWriter, r *http.Request, st *data.Street) (server.TrackGrant, bool) {
	gr, ok, err := s.p.TrackingGrant(r.Context(), r.PathValue("token"), st.Code)
	if err != nil {
		s.fail(w, r, err)
		return gr, false
	}
	if !ok {
		s.trackFormPage(w, r, st, http.StatusNotFound, trackForm{Problem: "track.expired"})
	}
	return gr, ok
}

func (s *Site) timeline(w http.ResponseWriter, r *http.Request, st *data.Street) {
	gr, ok := s.grant(w, r, st)
	if !ok {
		return
	}
	v := timelineView{Done: r.URL.Query().Get("done")}
	if v.Done != "" && v.Done != "rated" && v.Done != "corrected" {
		v.Done = ""
	}
	s.timelinePage(w, r, st, gr, http.StatusOK, v)
}

// timelinePage renders the case of gr with the forms its state allows.
func (s *Site) timelinePage(w http.ResponseWriter, r *http.Request, st *data.Street, gr server.TrackGrant, status int, v timelineView) {
	ctx := r.Context()
	p := newPage(r, st, s.p.Today())
	tr, err := s.p.Tracked(ctx, gr.Case, gr.PublicOnly)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v.Timeline, err = s.p.Timeline(ctx, tr, p.Lang)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v.Token = r.PathValue("token")
	for _, ev := range v.Events {
		sv := stepView{TimelineEvent: ev}
		sv.When, sv.ISO = clockOf(ev.At)
		v.Steps = append(v.Steps, sv)
	}
	if v.CanRate {
		for rt := data.RatingVerySatisfied; rt >= data.RatingVeryUnsatisfied; rt-- {
			v.Ratings = append(v.Ratings, ratingChoice{Value: int(rt), Label: rt.Label(p.Lang)})
		}
	}
	if v.Status == data.StatusCorrection && !v.PublicOnly {
		for _, ev := range v.Events {
			if ev.Status == data.StatusCorrection {
				v.Missing = ev.Reason
			}
		}
		v.Correct = true
		v.Fields = s.correctionFields(r, p, tr.Case)
		v.NoteCode, v.InfoCode, v.NoteMaxLen = correctionNote, data.CodeInformation, data.MaxCorrectionNote
	}
	p.Title = p.T("track.timeline")
	p.crumbs(crumb{Label: p.T("track.title"), Href: s.trackPath(st)}, crumb{Label: p.Title})
	p.Data = v
	s.render(w, r, status, "timeline", p)
}

// correctionNote is the code of the note in the correction form; no
// service's form uses it.
const correctionNote = "__correction_note"

// correctionFields are the fields a correction takes, as on the kiosk: an
// application's service fields (the applicant's first), or a disclosure
// request's information, all optional.
func (s *Site) correctionFields(r *http.Request, p *page, c data.Case) []data.FormField {
	var out []data.FormField
	switch c.Kind {
	case data.CaseApplication:
		if svc, found, err := item[data.ServiceItem](r.Context(), s, data.KindService, c.Street, c.Service); err == nil && found {
			out = append(out, svc.Form.WithApplicant().Fields...)
		}
	case data.CaseDisclosure:
		for _, f := range data.DisclosureForm().Fields {
			if f.Code == data.CodeInformation {
				f.Label = p.T("track.information")
				out = append(out, f)
			}
		}
	}
	for i := range out {
		out[i].Required = false
	}
	return out
}

// rate takes the rating form.
func (s *Site) rate(w http.ResponseWriter, r *http.Request, st *data.Street) {
	gr, ok := s.grant(w, r, st)
	if !ok {
		return
	}
	v := timelineView{Comment: r.PostFormValue("comment")}
	n, err := strconv.Atoi(r.PostFormValue("rating"))
	if err != nil || n < int(data.RatingVeryUnsatisfied) || n > int(data.RatingVerySatisfied) || gr.PublicOnly {
		v.Problem = "track.rating.choose"
		s.timelinePage(w, r, st, gr, http.StatusUnprocessableEntity, v)
		return
	}
	if err := s.p.RateCase(r.Context(), gr.Case, data.Rating(n), v.Comment); err != nil {
		s.refused(w, r, st, gr, v, err)
		return
	}
	http.Redirect(w, r, s.trackPath(st)+"/"+r.PathValue("token")+"?done=rated", http.StatusSeeOther)
}

// refused shows the timeline again with the district's reason, or fails.
func (s *Site) refused(w http.ResponseWriter, r *http.Request, st *data.Street, gr server.TrackGrant, v timelineView, err error) {
	var pe *server.Error
	if !errors.As(err, &pe) {
		s.fail(w, r, err)
		return
	}
	v.Refused = pe.Msg
	s.timelinePage(w, r, st, gr, http.StatusConflict, v)
}

// correct takes the correction form: each field filled is checked as in
// the application form, then the district checks the whole as it checks
// a kiosk's correction.
func (s *Site) correct(w http.ResponseWriter, r *http.Request, st *data.Street) {
	gr, ok := s.grant(w, r, st)
	if !ok {
		return
	}
	if gr.PublicOnly {
		s.notFound(w, r, st)
		return
	}
	tr, err := s.p.Tracked(r.Context(), gr.Case, false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := newPage(r, st, s.p.Today())
	fields := s.correctionFields(r, p, tr.Case)
	v := timelineView{Values: data.FormValues{}, Errors: map[string]string{}}
	corr := data.Correction{Case: gr.Case, Note: strings.TrimSpace(r.PostFormValue(correctionNote))}
	v.Values[correctionNote] = corr.Note
	for _, f := range fields {
		val := strings.TrimSpace(strings.Join(r.PostForm[f.Code], "\n"))
		if f.Type == data.FieldIDNumber {
			val = data.NormalizeIDNumber(val)
		}
		v.Values[f.Code] = val
		if val == "" {
			continue
		}
		if reason := f.Problem(val, s.p.Today()); reason != "" {
			v.Errors[f.Code] = reason.Message(p.Lang)
			continue
		}
		if tr.Case.Kind == data.CaseDisclosure && f.Code == data.CodeInformation {
			corr.Information = val
			continue
		}
		if corr.Values == nil {
			corr.Values = data.FormValues{}
		}
		corr.Values[f.Code] = val
	}
	switch {
	case len(v.Errors) > 0:
		v.Problem = "track.correction.fix"
	case len(corr.Values) == 0 && corr.Information == "" && corr.Note == "":
		v.Problem = "track.correction.nothing"
	}
	if v.Problem != "" {
		s.timelinePage(w, r, st, gr, http.StatusUnprocessableEntity, v)
		return
	}
	if err := s.p.CorrectCase(r.Context(), corr); err != nil {
		s.refused(w, r, st, gr, v, err)
		return
	}
	http.Redirect(w, r, s.trackPath(st)+"/"+r.PathValue("token")+"?done=corrected", http.StatusSeeOther)
}
