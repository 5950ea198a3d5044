package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"jiezhen/data"
	"jiezhen/sync/server"
	"jiezhen/ui/admin/replynotice"
	"jiezhen/ui/web"
)

// Cases (docs/ADMIN.md, "Cases"): the handler's work queue, the case page
// with its staff timeline and the moves the lifecycle allows, internal
// notes, hand-overs, the 告知书 of a disclosure reply, and the
// inspectors' overdue list with 督办. Every read and change goes through
// a Platform method that takes the user, so another street's case, or
// for a handler another department's, is refused by the store's query
// (403, audited), not by the template.

// caseRoles may open the queue and read a case; inspectors read it
// masked only, and change nothing but add a 督办.
var caseRoles = []server.Role{server.RoleHandler, server.RoleInspector}

var handlerOnly = []server.Role{server.RoleHandler}

func (o *Office) casesRoutes() []route {
	return []route{
		{Method: "GET", Pattern: Prefix + "cases/{$}", Roles: caseRoles, Handle: o.caseQueue, Nav: "cases.nav"},
		{Method: "GET", Pattern: Prefix + "cases/{ref}", Roles: caseRoles, Handle: o.casePage},
		{Method: "POST", Pattern: Prefix + "cases/{ref}/move", Roles: handlerOnly, Handle: o.caseMove},
		{Method: "POST", Pattern: Prefix + "cases/{ref}/note", Roles: handlerOnly, Handle: o.caseNote},
		{Method: "POST", Pattern: Prefix + "cases/{ref}/handover", Roles: handlerOnly, Handle: o.caseHandOver},
		{Method: "POST", Pattern: Prefix + "cases/{ref}/unmask", Roles: handlerOnly, Handle: o.caseUnmask},
		{Method: "GET", Pattern: Prefix + "cases/{ref}/notice", Roles: handlerOnly, Handle: o.caseNotice},
		{Method: "GET", Pattern: Prefix + "cases/{ref}/notice.pdf", Roles: handlerOnly, Handle: o.caseNoticePDF},
		{Method: "POST", Pattern: Prefix + "cases/{ref}/supervise", Roles: []server.Role{server.RoleInspector}, Handle: o.caseSupervise},
		{Method: "GET", Pattern: Prefix + "supervision/{$}", Roles: []server.Role{server.RoleInspector}, Handle: o.supervision, Nav: "supervision.nav"},
		{Method: "GET", Pattern: Prefix + "departments/{$}", Roles: []server.Role{server.RoleAdmin}, Handle: o.departments, Nav: "departments.nav"},
		{Method: "POST", Pattern: Prefix + "departments/add", Roles: []server.Role{server.RoleAdmin}, Handle: o.departmentAdd},
		{Method: "POST", Pattern: Prefix + "departments/{id}/remove", Roles: []server.Role{server.RoleAdmin}, Handle: o.departmentRemove},
		{Method: "GET", Pattern: Prefix + "templates/{$}", Roles: []server.Role{server.RoleAdmin}, Handle: o.replyTemplates, Nav: "templates.nav"},
		{Method: "POST", Pattern: Prefix + "templates/save", Roles: []server.Role{server.RoleAdmin}, Handle: o.replyTemplateSave},
		{Method: "POST", Pattern: Prefix + "templates/{id}/remove", Roles: []server.Role{server.RoleAdmin}, Handle: o.replyTemplateRemove},
	}
}

// casePath is a case's page.
func casePath(ref string) string { return Prefix + "cases/" + url.PathEscape(ref) }

// option is one choice of a select, or a link of a list (Href).
type option struct {
	Value, Label, Href string
	Selected           bool
}

// queueData is the queue page.
type queueData struct {
	Queue   server.Queue
	Rows    []queueRow
	Streets []option
	Kinds   []option
	States  []option
	Chans   []option
	Prev    string
	Next    string
	// NoDepartment: a handler without a department, who sees no case
	// until an admin gives it one; the page says so.
	NoDepartment bool
}

// queueRow is one case in the queue, as the page words it.
type queueRow struct {
	server.QueueRow
	Ref, Href, Kind, Subject, Street, Channel, Status string
	Due                                               due
}

// due words a case's deadline: the date (or that it does not run), a
// mark when it is overdue or due soon with its class, else the working
// days left.
type due struct {
	Date, Note, Class, Left string
}

func dueOf(l data.Lang, d server.Deadline, date data.Date) due {
	if !d.Running {
		return due{Date: translate(l, "cases.norun")}
	}
	out := due{Date: date.String()}
	if l == data.ZH {
		out.Date = date.Chinese()
	}
	switch {
	case d.Overdue:
		out.Note, out.Class = fmt.Sprintf(translate(l, "cases.overdue"), -d.Left), "late"
	case d.DueSoon:
		out.Note, out.Class = fmt.Sprintf(translate(l, "cases.duesoon"), d.Left), "soon"
	default:
		out.Left = fmt.Sprintf(translate(l, "cases.left"), d.Left)
	}
	return out
}

// rowOf words one case of the queue or the overdue list.
func (o *Office) rowOf(ctx context.Context, row server.QueueRow, l data.Lang, names, services map[string]string) queueRow {
	c := &row.Rec.Case
	return queueRow{QueueRow: row, Ref: c.Ref, Href: casePath(c.Ref), Kind: kindLabel(c, l),
		Subject: o.subject(ctx, c, services), Street: names[row.Rec.Assigned], Channel: channelLabel(l, c.Channel),
		Status: c.Status.Label(l), Due: dueOf(l, row.Deadline, c.Deadline)}
}

// openStatuses are the statuses a case in the queue can have.
var openStatuses = []data.Status{data.StatusReceived, data.StatusAccepted, data.StatusCorrection, data.StatusDispatched,
	data.StatusInProgress, data.StatusExtended, data.StatusReplied}

var channels = []data.Channel{data.ChannelKiosk, data.ChannelWeb, data.ChannelOpen311, data.ChannelUSB}

var caseKinds = []data.CaseKind{data.CaseApplication, data.CaseAppeal, data.CaseDisclosure}

// streetNames maps the published streets' codes to their names, with ""
// (district-wide content) and the district's desk for cases
// (server.AssignedDistrict).
func (o *Office) streetNames(ctx context.Context, l data.Lang) (map[string]string, []data.Street, error) {
	streets, err := o.p.Streets(ctx)
	if err != nil {
		return nil, nil, err
	}
	names := map[string]string{"": translate(l, "content.district"), server.AssignedDistrict: translate(l, "cases.district")}
	for _, s := range streets {
		names[s.Code] = s.Name
	}
	return names, streets, nil
}

func (o *Office) caseQueue(w http.ResponseWriter, r *http.Request, u *server.User) {
	ctx, q, l := r.Context(), r.URL.Query(), web.LangOf(r)
	f := server.QueueFilter{Street: q.Get("street"), Kind: data.CaseKind(q.Get("kind")),
		Status: data.Status(q.Get("status")), Channel: data.Channel(q.Get("channel"))}
	f.Page, _ = strconv.Atoi(q.Get("page"))
	queue, err := o.p.CaseQueue(ctx, *u, f)
	if !o.check(w, r, u, err) {
		return
	}
	names, streets, err := o.streetNames(ctx, l)
	if !o.check(w, r, u, err) {
		return
	}
	d := queueData{Queue: queue, NoDepartment: u.NoDepartment()}
	services := map[string]string{}
	for _, row := range queue.Rows {
		d.Rows = append(d.Rows, o.rowOf(ctx, row, l, names, services))
	}
	d.Streets = append(d.Streets, option{Label: translate(l, "cases.filter.all")})
	for _, s := range streets {
		if len(u.Streets) == 0 || slices.Contains(u.Streets, s.Code) {
			d.Streets = append(d.Streets, option{Value: s.Code, Label: s.Name, Selected: s.Code == f.Street})
		}
	}
	if len(u.Streets) == 0 {
		d.Streets = append(d.Streets, option{Value: server.AssignedDistrict, Label: names[server.AssignedDistrict], Selected: f.Street == server.AssignedDistrict})
	}
	d.Kinds = append(d.Kinds, option{Label: translate(l, "cases.filter.all")})
	for _, k := range caseKinds {
		d.Kinds = append(d.Kinds, option{Value: string(k), Label: k.Label(l), Selected: k == f.Kind})
	}
	d.States = append(d.States, option{Label: translate(l, "cases.filter.all")})
	for _, s := range openStatuses {
		d.States = append(d.States, option{Value: string(s), Label: s.Label(l), Selected: s == f.Status})
	}
	d.Chans = append(d.Chans, option{Label: translate(l, "cases.filter.all")})
	for _, c := range channels {
		d.Chans = append(d.Chans, option{Value: string(c), Label: channelLabel(l, c), Selected: c == f.Channel})
	}
	page := func(n int) string {
		v := url.Values{}
		for k, val := range map[string]string{"street": f.Street, "kind": string(f.Kind), "status": string(f.Status), "channel": string(f.Channel)} {
			if val != "" {
				v.Set(k, val)
			}
		}
		v.Set("page", strconv.Itoa(n))
		return Prefix + "cases/?" + v.Encode()
	}
	if queue.Page > 1 {
		d.Prev = page(queue.Page - 1)
	}
	if queue.Page < queue.Pages {
		d.Next = page(queue.Page + 1)
	}
	o.render(w, r, u, http.StatusOK, "cases", "cases.title", d)
}

// kindLabel names a case's kind, with an appeal's type.
func kindLabel(c *data.Case, l data.Lang) string {
	if c.Kind == data.CaseAppeal && c.AppealType != "" {
		return c.Kind.Label(l) + "·" + c.AppealType.Label(l)
	}
	return c.Kind.Label(l)
}

func channelLabel(l data.Lang, c data.Channel) string {
	if c == "" {
		return ""
	}
	return translate(l, "cases.channel."+string(c))
}

// subjectMax is how many characters of a case's text the queue shows.
const subjectMax = 40

// subject is a line saying what the case is about: an application's
// service, an appeal's category or text, a disclosure request's text.
// services caches service names for one page.
func (o *Office) subject(ctx context.Context, c *data.Case, services map[string]string) string {
	var s string
	switch c.Kind {
	case data.CaseApplication:
		name, ok := services[c.Service]
		if !ok {
			name = c.Service
			if svc, ok := o.service(ctx, c.Service); ok {
				name = svc.Name
			}
			services[c.Service] = name
		}
		s = name
	case data.CaseAppeal:
		s = strings.TrimSpace(c.Category + " " + c.Description)
	case data.CaseDisclosure:
		if c.Request != nil {
			s = c.Request.Information
		}
	}
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > subjectMax {
		s = string([]rune(s)[:subjectMax]) + "…"
	}
	return s
}

// service is the published service item id, if there is one.
func (o *Office) service(ctx context.Context, id string) (data.ServiceItem, bool) {
	var svc data.ServiceItem
	it, err := o.p.Content(ctx, data.KindService, id)
	if err != nil || it.Deleted || json.Unmarshal(it.Body, &svc) != nil {
		return svc, false
	}
	return svc, true
}

// caseData is the case page.
type caseData struct {
	File      server.CaseFile
	Ref       string
	Path      string
	Kind      string
	Street    string
	Channel   string
	Status    string
	Due       due
	Unmasked  bool
	CanUnmask bool
	Handler   bool // the user may act on the case
	Inspector bool
	Applicant []field
	Details   []field
	Timeline  []timelineLine
	Moves     []moveForm
	Handover  []option
	Templates []option
	Template  string // the text of the template chosen for the reply
	Notice    bool   // a disclosure request with its reply: the 告知书
	Error     string
}

// field is a labelled value of the case page, a link when Href is set.
type field struct{ Label, Value, Href string }

// timelineLine is one entry of the staff timeline as the page words it.
type timelineLine struct {
	When     string
	What     string
	Text     string
	By       string
	Internal bool // seen by staff only
	Mark     string
}

// moveForm is the form of one move the case may make now.
type moveForm struct {
	To          string
	Label       string
	Reason      bool // takes a reason
	ReasonLabel string
	Required    bool
	Department  bool
	Departments []option
	ReplyTypes  []option
	Into        bool
	Reply       bool
}

func (o *Office) casePage(w http.ResponseWriter, r *http.Request, u *server.User) {
	o.showCase(w, r, u, http.StatusOK, false, "")
}

// showCase renders the case page; unmasked shows the resident's data
// (caseUnmask has checked and audited), problem is a line at the top.
func (o *Office) showCase(w http.ResponseWriter, r *http.Request, u *server.User, status int, unmasked bool, problem string) {
	ctx, l := r.Context(), web.LangOf(r)
	ref := r.PathValue("ref")
	f, err := o.p.CaseFile(ctx, *u, ref, unmasked)
	if !o.check(w, r, u, err) {
		return
	}
	names, streets, err := o.streetNames(ctx, l)
	if !o.check(w, r, u, err) {
		return
	}
	c := &f.Rec.Case
	handler := f.Handles
	d := caseData{File: f, Ref: c.Ref, Path: casePath(c.Ref), Kind: kindLabel(c, l), Street: names[f.Rec.Assigned],
		Channel: channelLabel(l, c.Channel), Status: c.Status.Label(l), Due: dueOf(l, f.Deadline, c.Deadline), Unmasked: unmasked && handler,
		CanUnmask: handler && !unmasked, Handler: handler, Inspector: u.Has(server.RoleInspector)}
	if problem != "" {
		d.Error = translate(l, problem)
	}
	d.Applicant = applicantFields(c, l, d.Unmasked)
	d.Details = o.detailFields(ctx, c, l, d.Unmasked)
	d.Timeline = timelineLines(f, l, names)
	if handler {
		deps, err := o.p.Departments(ctx)
		if !o.check(w, r, u, err) {
			return
		}
		d.Moves = moveForms(c, f.Moves, deps, l)
		if caseIsOpen(c) {
			for _, s := range streets {
				if s.Code != f.Rec.Assigned {
					d.Handover = append(d.Handover, option{Value: s.Code, Label: s.Name})
				}
			}
			if f.Rec.Assigned != server.AssignedDistrict {
				d.Handover = append(d.Handover, option{Value: server.AssignedDistrict, Label: names[server.AssignedDistrict]})
			}
		}
		if slices.Contains(f.Moves, data.StatusReplied) {
			tpls, err := o.p.ReplyTemplates(ctx, c.Kind)
			if !o.check(w, r, u, err) {
				return
			}
			chosen := r.URL.Query().Get("template")
			for _, t := range tpls {
				id := strconv.FormatInt(t.ID, 10)
				d.Templates = append(d.Templates, option{Value: id, Label: t.Title, Selected: id == chosen})
				if id == chosen {
					d.Template = t.Text
				}
			}
		}
		d.Notice = c.Kind == data.CaseDisclosure && c.Reply != nil && c.Reply.Type != ""
	}
	o.render(w, r, u, status, "case", "case.title", d)
}

func caseIsOpen(c *data.Case) bool {
	switch c.Status {
	case data.StatusCompleted, data.StatusRated, data.StatusRefused, data.StatusMerged:
		return false
	}
	return true
}

// maskAddress keeps the first six characters of an address.
func maskAddress(s string) string {
	r := []rune(s)
	if len(r) <= 6 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:6]) + strings.Repeat("*", min(len(r)-6, 8))
}

// applicantFields are the resident's data, masked unless unmasked.
func applicantFields(c *data.Case, l data.Lang, unmasked bool) []field {
	a := c.Applicant
	if c.Anonymous || a == nil {
		return []field{{Label: translate(l, "case.applicant"), Value: translate(l, "case.anonymous")}}
	}
	show := func(v string, mask func(string) string) string {
		if unmasked || v == "" {
			return v
		}
		return mask(v)
	}
	out := []field{{Label: translate(l, "case.name"), Value: show(a.Name, data.MaskName)}}
	for _, f := range []struct {
		key, v string
		mask   func(string) string
	}{
		{"case.mobile", a.Mobile, data.MaskMobile},
		{"case.idnumber", a.IDNumber, data.MaskID},
		{"case.email", a.Email, data.MaskEmail},
		{"case.address", a.Address, maskAddress},
	} {
		if f.v != "" {
			out = append(out, field{Label: translate(l, f.key), Value: show(f.v, f.mask)})
		}
	}
	return out
}

// detailFields are what the case asks; an application's form values may
// be personal, so they show only unmasked.
func (o *Office) detailFields(ctx context.Context, c *data.Case, l data.Lang, unmasked bool) []field {
	var out []field
	add := func(key, v string) {
		if strings.TrimSpace(v) != "" {
			out = append(out, field{Label: translate(l, key), Value: v})
		}
	}
	switch c.Kind {
	case data.CaseApplication:
		add("case.service", o.subject(ctx, c, map[string]string{}))
		if len(c.Values) > 0 {
			if !unmasked {
				add("case.values", translate(l, "case.hidden"))
				break
			}
			// The form's fields in its order with their labels, then any
			// value the form no longer has.
			svc, _ := o.service(ctx, c.Service)
			seen := map[string]bool{}
			for _, f := range svc.Form.WithApplicant().Fields {
				if v, ok := c.Values[f.Code]; ok {
					out = append(out, field{Label: f.Label, Value: v})
					seen[f.Code] = true
				}
			}
			for _, k := range sortedKeys(c.Values) {
				if !seen[k] {
					out = append(out, field{Label: k, Value: c.Values[k]})
				}
			}
		}
	case data.CaseAppeal:
		add("case.category", c.Category)
		add("case.description", c.Description)
		add("case.location", c.Location)
		add("case.department", c.Department)
	case data.CaseDisclosure:
		if rq := c.Request; rq != nil {
			add("case.information", rq.Information)
			add("case.purpose", rq.Purpose)
			if rq.Delivery != "" {
				add("case.delivery", translate(l, "case.delivery."+string(rq.Delivery)))
			}
		}
	}
	if c.MergedInto != "" {
		out = append(out, field{Label: translate(l, "case.mergedinto"), Value: c.MergedInto, Href: casePath(c.MergedInto)})
	}
	if c.Reply != nil {
		if c.Reply.Type != "" {
			add("case.replytype", c.Reply.Type.Label(l))
		}
		add("case.reply", c.Reply.Text)
	}
	return out
}

func sortedKeys(v data.FormValues) []string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// timelineLines words the staff timeline.
func timelineLines(f server.CaseFile, l data.Lang, names map[string]string) []timelineLine {
	var out []timelineLine
	for _, e := range f.Timeline {
		line := timelineLine{When: e.At.In(china).Format("2006-01-02 15:04")}
		switch {
		case e.Move != nil:
			line.What = e.Move.To.Label(l)
			line.Text = e.Move.Reason
		case e.Correction != nil:
			line.What = translate(l, "case.event.correction")
			line.Text = e.Correction.Note
		case e.Event != nil:
			ev := e.Event
			line.Internal, line.By, line.Text = true, ev.UserName, ev.Text
			line.What = translate(l, "case.event."+string(ev.Kind))
			switch ev.Kind {
			case server.EventHandover:
				line.What = fmt.Sprintf(translate(l, "case.event.handover.to"), names[ev.Target])
			case server.EventMergedIn:
				line.What = fmt.Sprintf(translate(l, "case.event.merged_in.from"), ev.Target)
			case server.EventSupervise:
				line.Mark = "supervise"
			}
		}
		out = append(out, line)
	}
	return out
}

// moveForms are the forms of the moves the case may make now, each with
// the fields its move takes.
func moveForms(c *data.Case, moves []data.Status, deps []server.Department, l data.Lang) []moveForm {
	var out []moveForm
	for _, to := range moves {
		m := moveForm{To: string(to), Label: translate(l, "case.move."+string(to)), Reason: true,
			ReasonLabel: translate(l, "case.reason"), Required: data.NeedsReason(to)}
		switch to {
		case data.StatusDispatched:
			m.Reason, m.Department = false, true
			for _, d := range deps {
				m.Departments = append(m.Departments, option{Value: d.Name, Label: d.Name})
			}
		case data.StatusReplied:
			m.Reply, m.Required, m.ReasonLabel = true, true, translate(l, "case.replytext")
			if c.Kind == data.CaseDisclosure {
				for _, t := range data.ReplyTypes {
					m.ReplyTypes = append(m.ReplyTypes, option{Value: string(t), Label: t.Label(l)})
				}
			}
		case data.StatusMerged:
			m.Into = true
		case data.StatusCorrection:
			m.ReasonLabel = translate(l, "case.missing")
		}
		out = append(out, m)
	}
	return out
}

func (o *Office) caseMove(w http.ResponseWriter, r *http.Request, u *server.User) {
	m := server.CaseMove{Ref: r.PathValue("ref"), To: data.Status(r.PostFormValue("to")),
		Reason: strings.TrimSpace(r.PostFormValue("reason")), ReplyType: data.ReplyType(r.PostFormValue("reply_type")),
		Into: strings.TrimSpace(r.PostFormValue("into")), Department: strings.TrimSpace(r.PostFormValue("department"))}
	var problem string
	switch {
	case m.To == data.StatusDispatched && m.Department == "":
		problem = "case.err.department"
	case m.To == data.StatusReplied && m.Reason == "":
		problem = "case.err.reply"
	case m.To == data.StatusMerged && m.Into == "":
		problem = "case.err.into"
	case data.NeedsReason(m.To) && m.Reason == "":
		problem = "case.err.reason"
	}
	if problem == "" {
		if m.To != data.StatusReplied {
			m.ReplyType = ""
		}
		rec, err := o.p.HandleCase(r.Context(), *u, m)
		switch {
		case errors.Is(err, server.ErrForbidden), errors.Is(err, server.ErrNotFound) && m.To != data.StatusMerged:
			// A merge into a reference no case has is the form's
			// problem; showCase answers 404 if the page's case is gone.
			o.check(w, r, u, err)
			return
		case err != nil:
			problem = err.Error()
		default:
			o.auditIn(r, u, rec.Assigned, "case.move", rec.Case.Ref, string(m.To))
			o.redirectAfter(w, r, u, rec.Case.Ref, "case.done.move")
			return
		}
	}
	o.showCase(w, r, u, http.StatusBadRequest, false, problem)
}

func (o *Office) caseNote(w http.ResponseWriter, r *http.Request, u *server.User) {
	text := r.PostFormValue("note")
	if strings.TrimSpace(text) == "" {
		o.showCase(w, r, u, http.StatusBadRequest, false, "case.err.note")
		return
	}
	rec, err := o.p.AddCaseNote(r.Context(), *u, r.PathValue("ref"), text)
	if o.caseActionFailed(w, r, u, err) {
		return
	}
	o.auditIn(r, u, rec.Assigned, "case.note", rec.Case.Ref, "")
	o.redirect(w, r, casePath(rec.Case.Ref), "case.done.note")
}

// caseActionFailed answers a failed action: 403 or 404 for the case, or
// the case page with the problem; false when err is nil.
func (o *Office) caseActionFailed(w http.ResponseWriter, r *http.Request, u *server.User, err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, server.ErrForbidden), errors.Is(err, server.ErrNotFound):
		o.check(w, r, u, err)
	default:
		o.showCase(w, r, u, http.StatusBadRequest, false, err.Error())
	}
	return true
}

func (o *Office) caseHandOver(w http.ResponseWriter, r *http.Request, u *server.User) {
	to, reason := r.PostFormValue("to"), r.PostFormValue("reason")
	if strings.TrimSpace(to) == "" || strings.TrimSpace(reason) == "" {
		o.showCase(w, r, u, http.StatusBadRequest, false, "case.err.handover")
		return
	}
	rec, err := o.p.HandOver(r.Context(), *u, r.PathValue("ref"), to, reason)
	if o.caseActionFailed(w, r, u, err) {
		return
	}
	o.auditIn(r, u, rec.Assigned, "case.handover", rec.Case.Ref, rec.Assigned)
	o.redirectAfter(w, r, u, rec.Case.Ref, "case.done.handover")
}

// redirectAfter sends the user back to the case after a move or a
// hand-over, or to the queue when the case has left the user's reach: a
// hand-over to another street, a dispatch to another department.
func (o *Office) redirectAfter(w http.ResponseWriter, r *http.Request, u *server.User, ref, flash string) {
	ok, err := o.p.Reaches(r.Context(), *u, ref, false)
	if err != nil {
		o.fail(w, r, err)
		return
	}
	if ok {
		o.redirect(w, r, casePath(ref), flash)
		return
	}
	o.redirect(w, r, Prefix+"cases/", flash)
}

// caseUnmask shows the case page with the resident's data, to a handler
// of the case (its street and department), and audits it. The answer is the page itself (no
// redirect): nothing is stored, and the next GET is masked again.
func (o *Office) caseUnmask(w http.ResponseWriter, r *http.Request, u *server.User) {
	f, err := o.p.CaseFile(r.Context(), *u, r.PathValue("ref"), true)
	if !o.check(w, r, u, err) {
		return
	}
	// The full values are shown only once their showing is in the audit.
	if !o.check(w, r, u, o.p.AdminAuditIn(r.Context(), *u, f.Rec.Assigned, "unmask", f.Rec.Case.Ref, "")) {
		return
	}
	o.showCase(w, r, u, http.StatusOK, true, "")
}

func (o *Office) caseSupervise(w http.ResponseWriter, r *http.Request, u *server.User) {
	text := r.PostFormValue("note")
	if strings.TrimSpace(text) == "" {
		o.showCase(w, r, u, http.StatusBadRequest, false, "case.err.supervise")
		return
	}
	rec, err := o.p.Supervise(r.Context(), *u, r.PathValue("ref"), text)
	if o.caseActionFailed(w, r, u, err) {
		return
	}
	o.auditIn(r, u, rec.Assigned, "case.supervise", rec.Case.Ref, "")
	o.redirect(w, r, casePath(rec.Case.Ref), "case.done.supervise")
}

// noticeOf builds the 告知书 of the case ref for u, or answers the request
// and returns false.
func (o *Office) noticeOf(w http.ResponseWriter, r *http.Request, u *server.User) (replynotice.Doc, server.CaseFile, bool) {
	ctx := r.Context()
	f, err := o.p.CaseFile(ctx, *u, r.PathValue("ref"), true)
	if !o.check(w, r, u, err) {
		return replynotice.Doc{}, f, false
	}
	c := &f.Rec.Case
	if c.Kind != data.CaseDisclosure || c.Reply == nil || c.Reply.Type == "" {
		o.notFound(w, r, u)
		return replynotice.Doc{}, f, false
	}
	_, streets, err := o.streetNames(ctx, data.ZH)
	if !o.check(w, r, u, err) {
		return replynotice.Doc{}, f, false
	}
	req := replynotice.Request{Ref: c.Ref, Received: data.DayInChina(f.Rec.ReceivedAt), Type: c.Reply.Type,
		Reply: c.Reply.Text, Replied: data.DayInChina(c.Reply.At), Deadline: c.Deadline}
	for _, s := range streets {
		if s.Code == c.Street {
			req.Organ, req.District = replynotice.OrganOf(s), s.District
		}
	}
	if c.Applicant != nil {
		req.Applicant = c.Applicant.Name
	}
	if c.Request != nil {
		req.Summary = c.Request.Information
	}
	for _, t := range c.History {
		if t.To == data.StatusExtended {
			req.Extended = data.DayInChina(t.At)
		}
	}
	doc, err := replynotice.Build(req)
	if err != nil {
		o.badRequest(w, r, u, err.Error())
		return doc, f, false
	}
	o.auditIn(r, u, f.Rec.Assigned, "case.notice", c.Ref, "")
	return doc, f, true
}

// caseNotice is the 告知书 as a page to print.
func (o *Office) caseNotice(w http.ResponseWriter, r *http.Request, u *server.User) {
	doc, f, ok := o.noticeOf(w, r, u)
	if !ok {
		return
	}
	o.render(w, r, u, http.StatusOK, "notice", "notice.title", struct {
		Doc  replynotice.Doc
		Path string
	}{doc, casePath(f.Rec.Case.Ref)})
}

// caseNoticePDF is the 告知书 as a PDF download.
func (o *Office) caseNoticePDF(w http.ResponseWriter, r *http.Request, u *server.User) {
	doc, f, ok := o.noticeOf(w, r, u)
	if !ok {
		return
	}
	pdf, err := replynotice.PDF(doc, o.p.Now())
	if err != nil {
		o.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="notice-%s.pdf"`, data.NormalizeReference(f.Rec.Case.Ref)))
	h.Set("Content-Length", strconv.Itoa(len(pdf)))
	w.Write(pdf)
}

// supervisionData is the inspectors' list.
type supervisionData struct {
	Rows []queueRow
}

func (o *Office) supervision(w http.ResponseWriter, r *http.Request, u *server.User) {
	ctx, l := r.Context(), web.LangOf(r)
	rows, err := o.p.OverdueCases(ctx, *u)
	if !o.check(w, r, u, err) {
		return
	}
	names, _, err := o.streetNames(ctx, l)
	if !o.check(w, r, u, err) {
		return
	}
	var d supervisionData
	services := map[string]string{}
	for _, row := range rows {
		d.Rows = append(d.Rows, o.rowOf(ctx, row, l, names, services))
	}
	o.render(w, r, u, http.StatusOK, "supervision", "supervision.title", d)
}

func (o *Office) departments(w http.ResponseWriter, r *http.Request, u *server.User) {
	deps, err := o.p.Departments(r.Context())
	if !o.check(w, r, u, err) {
		return
	}
	o.render(w, r, u, http.StatusOK, "departments", "departments.title", deps)
}

func (o *Office) departmentAdd(w http.ResponseWriter, r *http.Request, u *server.User) {
	d, err := o.p.AddDepartment(r.Context(), server.Department{Name: r.PostFormValue("name"), Intake: r.PostFormValue("intake") == "1"})
	if err != nil {
		o.badRequest(w, r, u, err.Error())
		return
	}
	detail := ""
	if d.Intake {
		detail = "intake"
	}
	o.audit(r, u, "department.add", d.Name, detail)
	o.redirect(w, r, Prefix+"departments/", "departments.done.add")
}

func (o *Office) departmentRemove(w http.ResponseWriter, r *http.Request, u *server.User) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		o.notFound(w, r, u)
		return
	}
	name, err := o.p.RemoveDepartment(r.Context(), id)
	var inUse *server.DepartmentInUse
	switch {
	case errors.As(err, &inUse):
		l := web.LangOf(r)
		o.problem(w, r, u, http.StatusConflict, fmt.Sprintf(translate(l, "departments.inuse"), inUse.Department,
			strings.Join(inUse.Users, translate(l, "list.sep"))))
		return
	case errors.Is(err, server.ErrNotFound):
		o.notFound(w, r, u)
		return
	case err != nil:
		o.fail(w, r, err)
		return
	}
	o.audit(r, u, "department.remove", name, "")
	o.redirect(w, r, Prefix+"departments/", "departments.done.remove")
}

// templatesData is the reply templates page.
type templatesData struct {
	Templates []templateRow
	Kinds     []option
}

type templateRow struct {
	server.ReplyTemplate
	KindLabel string
}

func (o *Office) replyTemplates(w http.ResponseWriter, r *http.Request, u *server.User) {
	l := web.LangOf(r)
	list, err := o.p.ReplyTemplates(r.Context(), "")
	if !o.check(w, r, u, err) {
		return
	}
	var d templatesData
	for _, t := range list {
		d.Templates = append(d.Templates, templateRow{t, t.Kind.Label(l)})
	}
	for _, k := range caseKinds {
		d.Kinds = append(d.Kinds, option{Value: string(k), Label: k.Label(l)})
	}
	o.render(w, r, u, http.StatusOK, "templates", "templates.title", d)
}

func (o *Office) replyTemplateSave(w http.ResponseWriter, r *http.Request, u *server.User) {
	t, err := o.p.PutReplyTemplate(r.Context(), server.ReplyTemplate{Kind: data.CaseKind(r.PostFormValue("kind")),
		Title: r.PostFormValue("title"), Text: r.PostFormValue("text")})
	if err != nil {
		o.badRequest(w, r, u, err.Error())
		return
	}
	o.audit(r, u, "template.save", strconv.FormatInt(t.ID, 10), string(t.Kind))
	o.redirect(w, r, Prefix+"templates/", "templates.done.save")
}

func (o *Office) replyTemplateRemove(w http.ResponseWriter, r *http.Request, u *server.User) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		o.notFound(w, r, u)
		return
	}
	t, err := o.p.RemoveReplyTemplate(r.Context(), id)
	if err != nil {
		o.notFound(w, r, u)
		return
	}
	o.audit(r, u, "template.remove", strconv.FormatInt(t.ID, 10), string(t.Kind))
	o.redirect(w, r, Prefix+"templates/", "templates.done.remove")
}
