package web

import (
	"errors"
	"net/http"

	"jiezhen/data"
	"jiezhen/sync/server"
	"jiezhen/sync/wire"
)

// The four forms' handlers and the receipt (docs/WEB.md, "Filing").

// formPage is a form's page: what it is about, then the form.
type formPage struct {
	Form formView
	// Service is the guide applied for (在线申报); Consultation the one
	// an opinion is on.
	Service      *data.ServiceItem
	Consultation *data.Consultation
	// Entry is the catalogue entry a disclosure request is about
	// (申请公开此信息).
	Entry *data.CatalogEntry
	Days  int // the working days it is to be done in; -1 none
}

// showForm renders a form page: new (errs nil, a new form id) or sent
// back with its problems.
func (s *Site) showForm(w http.ResponseWriter, r *http.Request, p *page, name string, fp formPage, id string, status int) {
	if id == "" {
		id = newFormID()
	}
	fp.Form.FormID = id
	fp.Form.Action = r.URL.Path
	if fp.Form.Submit == "" {
		fp.Form.Submit = p.T("form.submit")
	}
	p.Data = fp
	s.render(w, r, status, name, p)
}

// sendBack answers a form with problems: 422 with the error summary.
// The form keeps its id, since nothing was filed under it.
func (s *Site) sendBack(w http.ResponseWriter, r *http.Request, p *page, name string, fp formPage, id string) {
	p.Title = p.T("form.error.prefix") + p.Title
	s.showForm(w, r, p, name, fp, id, http.StatusUnprocessableEntity)
}

// refusedBack answers a form the district refused: it is said at the top
// and the form gets a new id, since the old one is spent.
func (s *Site) refusedBack(w http.ResponseWriter, r *http.Request, p *page, name string, fp formPage) {
	fp.Form.Problem = p.T("form.refused")
	s.sendBack(w, r, p, name, fp, newFormID())
}

// 在线申报: GET and POST /s/{street}/services/{id}/apply.
func (s *Site) apply(w http.ResponseWriter, r *http.Request, st *data.Street) {
	svc, ok := detail[data.ServiceItem](s, w, r, st, data.KindService)
	if !ok {
		return
	}
	if !svc.AppliesOnline() {
		// Not online, no form, or 行政执法: reported, not applied for.
		s.notFound(w, r, st)
		return
	}
	p := newPage(r, st, s.p.Today())
	p.Title = p.T("apply.title")
	p.crumbs(crumb{Label: p.T("services.title"), Href: sectionPath(st, "services")},
		crumb{Label: svc.Name, Href: sectionPath(st, "services") + svc.ID, Content: true}, crumb{Label: p.Title})
	schema := svc.Form.WithApplicant()
	days, ok := svc.DeadlineDays()
	if !ok {
		days = -1
	}
	fp := formPage{Service: &svc, Days: days}
	if r.Method != http.MethodPost {
		fp.Form = newFormView(p, schema, contentLabels, nil, nil)
		s.showForm(w, r, p, "apply", fp, "", http.StatusOK)
		return
	}
	id := formID(r)
	if id == "" {
		s.badRequest(w, r, st, "form.noid")
		return
	}
	v := formValues(r, schema)
	c, err := data.NewApplication(svc, v, p.Today)
	if errs := fieldErrors(err); errs != nil {
		fp.Form = newFormView(p, schema, contentLabels, v, errs)
		s.sendBack(w, r, p, "apply", fp, id)
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	s.fileCase(w, r, st, c, id, func() {
		fp.Form = newFormView(p, schema, contentLabels, v, nil)
		s.refusedBack(w, r, p, "apply", fp)
	})
}

// fileCase files c under the form's id and redirects to its receipt;
// refused shows the form again.
func (s *Site) fileCase(w http.ResponseWriter, r *http.Request, st *data.Street, c data.Case, id string, refused func()) {
	c.ID = server.WebPrefix + id
	c.Street = st.Code
	f, err := s.submit(r, st, wire.ItemCase, c.ID, c)
	switch {
	case err != nil:
		s.fileFailed(w, r, st, err)
	case f.refused:
		refused()
	default:
		redirect(w, r, receiptPath(st, f.ref))
	}
}

// appealLabels names the appeal's choices in the page's language.
func appealLabels(p *page) labels {
	return interfaceLabels(p, func(f data.FormField, c string) string {
		switch f.Code {
		case data.CodeAppealType:
			return data.AppealType(c).Label(p.Lang)
		case data.CodeCategory:
			return translate(p.Lang, "appeal.cat."+c)
		}
		return c
	})
}

// 我要反映: GET and POST /s/{street}/appeal.
func (s *Site) fileAppeal(w http.ResponseWriter, r *http.Request, st *data.Street) {
	p := newPage(r, st, s.p.Today())
	p.Title = p.T("appeal.title")
	p.crumbs(crumb{Label: p.Title})
	schema := data.AppealForm()
	fp := formPage{Days: -1}
	if r.Method != http.MethodPost {
		fp.Form = newFormView(p, schema, appealLabels(p), nil, nil)
		fp.Form.Anonymity, fp.Form.Consent = true, true
		s.showForm(w, r, p, "file-appeal", fp, "", http.StatusOK)
		return
	}
	id := formID(r)
	if id == "" {
		s.badRequest(w, r, st, "form.noid")
		return
	}
	v := formValues(r, schema)
	anonymous, public := r.PostFormValue("anonymous") == "yes", r.PostFormValue("public") == "yes"
	back := func(errs data.FieldErrors) {
		fp.Form = newFormView(p, schema, appealLabels(p), v, errs)
		fp.Form.Anonymity, fp.Form.Anonymous, fp.Form.Consent, fp.Form.Public = true, anonymous, true, public
	}
	c, err := data.NewAppeal(v, anonymous, public, p.Today)
	if errs := fieldErrors(err); errs != nil {
		back(errs)
		s.sendBack(w, r, p, "file-appeal", fp, id)
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	s.fileCase(w, r, st, c, id, func() {
		back(nil)
		s.refusedBack(w, r, p, "file-appeal", fp)
	})
}

// disclosureLabels names the disclosure request's choices.
func disclosureLabels(p *page) labels {
	return interfaceLabels(p, func(f data.FormField, c string) string {
		switch f.Code {
		case data.CodeDelivery:
			return data.Delivery(c).Label(p.Lang)
		case data.CodeRequester:
			return data.Requester(c).Label(p.Lang)
		}
		return c
	})
}

// 申请公开: GET and POST /s/{street}/disclosure. All the fields show at
// once (no script): the address and the email say when they are needed,
// and NewDisclosure keeps only the one the delivery needs. GET with
// ?entry={id} is 申请公开此信息 from a catalogue entry not yet public: the
// information asked for comes filled in; an entry already public (主动公开)
// has no such page.
func (s *Site) disclosure(w http.ResponseWriter, r *http.Request, st *data.Street) {
	p := newPage(r, st, s.p.Today())
	p.Title = p.T("disclosure.title")
	trail := []crumb{{Label: p.T("catalog.title"), Href: sectionPath(st, "catalog")}}
	schema := data.DisclosureForm()
	fp := formPage{Days: data.DisclosureDays}
	if r.Method != http.MethodPost {
		v := data.FormValues{data.CodeRequester: string(data.RequesterPerson)}
		if id := r.URL.Query().Get("entry"); id != "" {
			e, found, err := item[data.CatalogEntry](r.Context(), s, data.KindCatalog, st.Code, id)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			if !found || e.IsPublic() {
				s.notFound(w, r, st)
				return
			}
			fp.Entry = &e
			v[data.CodeInformation] = e.RequestDescription()
			trail = append(trail, crumb{Label: e.Title, Href: sectionPath(st, "catalog") + e.ID, Content: true})
		}
		p.crumbs(append(trail, crumb{Label: p.Title})...)
		fp.Form = newFormView(p, schema, disclosureLabels(p), v, nil)
		s.showForm(w, r, p, "disclosure", fp, "", http.StatusOK)
		return
	}
	p.crumbs(append(trail, crumb{Label: p.Title})...)
	id := formID(r)
	if id == "" {
		s.badRequest(w, r, st, "form.noid")
		return
	}
	v := formValues(r, schema)
	c, err := data.NewDisclosure(v, p.Today)
	if errs := fieldErrors(err); errs != nil {
		fp.Form = newFormView(p, schema, disclosureLabels(p), v, errs)
		s.sendBack(w, r, p, "disclosure", fp, id)
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	s.fileCase(w, r, st, c, id, func() {
		fp.Form = newFormView(p, schema, disclosureLabels(p), v, nil)
		s.refusedBack(w, r, p, "disclosure", fp)
	})
}

// An opinion: GET and POST /s/{street}/consultations/{id}/opinion; a
// consultation that is not open answers with a page that says so.
func (s *Site) opinion(w http.ResponseWriter, r *http.Request, st *data.Street) {
	c, ok := detail[data.Consultation](s, w, r, st, data.KindConsultation)
	if !ok {
		return
	}
	p := newPage(r, st, s.p.Today())
	if !c.OpenOn(p.Today) {
		s.problem(w, r, st, http.StatusConflict, "opinion.closed")
		return
	}
	p.Title = p.T("opinion.title")
	back := sectionPath(st, "consultations") + c.ID
	p.crumbs(crumb{Label: p.T("consultations.title"), Href: sectionPath(st, "consultations")},
		crumb{Label: c.Title, Href: back, Content: true}, crumb{Label: p.Title})
	schema := data.OpinionForm(c)
	l := interfaceLabels(p, func(_ data.FormField, id string) string {
		for _, t := range c.Topics {
			if t.ID == id {
				return t.Title
			}
		}
		return id
	})
	l.choiceContent = true
	fp := formPage{Consultation: &c, Days: -1}
	if r.Method != http.MethodPost {
		var v data.FormValues
		if len(c.Topics) == 1 {
			v = data.FormValues{data.CodeTopic: c.Topics[0].ID}
		}
		fp.Form = newFormView(p, schema, l, v, nil)
		fp.Form.Anonymity = true
		s.showForm(w, r, p, "opinion", fp, "", http.StatusOK)
		return
	}
	id := formID(r)
	if id == "" {
		s.badRequest(w, r, st, "form.noid")
		return
	}
	v := formValues(r, schema)
	anonymous := r.PostFormValue("anonymous") == "yes"
	o, err := data.NewOpinion(c, v, anonymous, p.Today)
	if errs := fieldErrors(err); errs != nil || errors.Is(err, data.ErrNotOpen) {
		fp.Form = newFormView(p, schema, l, v, errs)
		fp.Form.Anonymity, fp.Form.Anonymous = true, anonymous
		if errs == nil {
			fp.Form.Problem = p.T("opinion.closed")
		}
		s.sendBack(w, r, p, "opinion", fp, id)
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	o.ID = server.WebPrefix + id
	f, err := s.submit(r, st, wire.ItemOpinion, o.ID, o)
	switch {
	case err != nil:
		s.fileFailed(w, r, st, err)
	case f.refused:
		fp.Form = newFormView(p, schema, l, v, nil)
		fp.Form.Anonymity, fp.Form.Anonymous = true, anonymous
		s.refusedBack(w, r, p, "opinion", fp)
	default:
		redirect(w, r, back+"/opinion/sent")
	}
}

// opinionSent thanks the resident: GET .../consultations/{id}/opinion/sent.
func (s *Site) opinionSent(w http.ResponseWriter, r *http.Request, st *data.Street) {
	c, ok := detail[data.Consultation](s, w, r, st, data.KindConsultation)
	if !ok {
		return
	}
	p := newPage(r, st, s.p.Today())
	p.Title = p.T("opinion.sent.title")
	p.crumbs(crumb{Label: p.T("consultations.title"), Href: sectionPath(st, "consultations")},
		crumb{Label: c.Title, Href: sectionPath(st, "consultations") + c.ID, Content: true}, crumb{Label: p.Title})
	p.Data = c
	s.render(w, r, http.StatusOK, "opinionsent", p)
}

// receiptView is what a receipt shows: nothing personal, so that its
// address, which carries only the reference, may be shared or kept.
type receiptView struct {
	Ref       string
	Kind      data.CaseKind
	What      string // the service's name, or the appeal's type and category
	Content   bool   // What is content (Chinese)
	Filed     data.Date
	Deadline  data.Date
	Days      int // working days; -1 no deadline
	Anonymous bool
	Track     string
}

// receipt: GET /s/{street}/receipt/{ref}, the receipt of a case filed on
// the street's website; any other reference answers 404.
func (s *Site) receipt(w http.ResponseWriter, r *http.Request, st *data.Street) {
	rec, err := s.p.CaseByRef(r.Context(), r.PathValue("ref"))
	if errors.Is(err, server.ErrNotFound) || (err == nil && (rec.Case.Street != st.Code || rec.Case.Channel != data.ChannelWeb)) {
		s.notFound(w, r, st)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c := rec.Case
	p := newPage(r, st, s.p.Today())
	p.Title = p.T("receipt.title")
	p.crumbs(crumb{Label: p.Title})
	v := receiptView{Ref: c.Ref, Kind: c.Kind, Filed: data.DateOf(rec.ReceivedAt.In(s.p.Now().Location())),
		Deadline: c.Deadline, Days: -1, Anonymous: c.Anonymous, Track: streetPath(st.Code) + "track"}
	switch c.Kind {
	case data.CaseApplication:
		if svc, found, err := item[data.ServiceItem](r.Context(), s, data.KindService, st.Code, c.Service); err != nil {
			s.fail(w, r, err)
			return
		} else if found {
			v.What, v.Content = svc.Name, true
			if d, ok := svc.DeadlineDays(); ok {
				v.Days = d
			}
		}
	case data.CaseAppeal:
		v.What = c.AppealType.Label(p.Lang) + " · " + translate(p.Lang, "appeal.cat."+c.Category)
		v.Days = data.DefaultAppealDays[c.AppealType]
	case data.CaseDisclosure:
		v.What = p.T("disclosure.title")
		v.Days = data.DisclosureDays
	}
	if c.Deadline.IsZero() {
		v.Days = -1
	}
	p.Data = v
	s.render(w, r, http.StatusOK, "receipt", p)
}
