package admin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"jiezhen/data"
	"jiezhen/data/report"
	"jiezhen/sync/server"
	"jiezhen/ui/reportdoc"
)

// Reports (docs/ADMIN.md, "Reports"): the monthly statistics, the
// quarterly review and the annual report chosen from menus, shown with
// their charts, and downloaded as districtd writes them (docs/REPORTS.md).
// A user of some streets sees only those streets' reports, and only their
// lines of the quarterly ranking; the district's reports are for users of
// the whole district. An editor may send the annual report to review as a
// draft catalogue entry (政府信息公开年报).

var (
	reportReaders = []server.Role{server.RoleAdmin, server.RoleInspector}
	// The draft goes through the content review, whose drafts only
	// editors write.
	reportDrafters = []server.Role{server.RoleEditor}
)

func (o *Office) reportRoutes() []route {
	return []route{
		{Method: "GET", Pattern: Prefix + "reports/{$}", Roles: reportReaders, Handle: o.reports, Nav: "reports.title"},
		{Method: "GET", Pattern: Prefix + "reports/file", Roles: reportReaders, Handle: o.reportFile},
		{Method: "POST", Pattern: Prefix + "reports/draft", Roles: reportDrafters, Handle: o.reportDraft},
	}
}

// reportQuery is what the menus chose: the kind of report, its period and
// the street ("" for the district).
type reportQuery struct {
	Kind   string // monthly, quarterly, annual
	Period string
	Street string
}

func (q reportQuery) values() url.Values {
	return url.Values{"kind": {q.Kind}, "period": {q.Period}, "street": {q.Street}}
}

// reportMenus are the choices a user has.
type reportMenus struct {
	Months, Quarters, Years []string
	Streets                 []data.Street
	District                bool // the user may choose the whole district
}

func (o *Office) reportMenus(r *http.Request, u *server.User) (reportMenus, error) {
	var m reportMenus
	last := o.p.LastMonth()
	for p := last; len(m.Months) < 24; p = p.Previous() {
		m.Months = append(m.Months, p.Name)
	}
	today := o.today()
	for q := report.QuarterPeriod(today.Year, (int(today.Month)+2)/3); len(m.Quarters) < 8; q = q.Previous() {
		m.Quarters = append(m.Quarters, q.Name)
	}
	for y := today.Year; y > today.Year-4; y-- {
		m.Years = append(m.Years, fmt.Sprint(y))
	}
	streets, err := o.p.Streets(r.Context())
	if err != nil {
		return m, err
	}
	for _, s := range streets {
		if len(u.Streets) == 0 || slices.Contains(u.Streets, s.Code) {
			m.Streets = append(m.Streets, s)
		}
	}
	m.District = len(u.Streets) == 0
	return m, nil
}

// readQuery reads the menus' choice, with the defaults: last month, the
// user's first street when the user has streets, else the district.
func readReportQuery(r *http.Request, u *server.User, m reportMenus) reportQuery {
	q := reportQuery{Kind: r.FormValue("kind"), Period: r.FormValue("period"), Street: r.FormValue("street")}
	if q.Kind == "" {
		q.Kind = "monthly"
	}
	if q.Period == "" {
		switch q.Kind {
		case "quarterly":
			q.Period = m.Quarters[0]
		case "annual":
			q.Period = m.Years[0]
		default:
			q.Period = m.Months[0]
		}
	}
	if !r.Form.Has("street") && !m.District && len(m.Streets) > 0 {
		q.Street = m.Streets[0].Code
	}
	if q.Kind == "quarterly" {
		q.Street = "" // the review ranks every street; the street menu does not apply
	}
	return q
}

// errReportQuery is a menu choice that names no report.
var errReportQuery = errors.New("reports.bad")

// build makes the report q names for u: its JSON value and its layout. A
// street u does not see, or the district for a user of some streets, is
// server.ErrForbidden.
func (o *Office) buildReport(r *http.Request, u *server.User, q reportQuery) (any, *reportdoc.Doc, report.Annual, error) {
	var a report.Annual
	if q.Kind != "quarterly" && (q.Street == "" && len(u.Streets) > 0 || q.Street != "" && !u.SeesStreet(q.Street)) {
		return nil, nil, a, server.ErrForbidden
	}
	ctx := r.Context()
	switch q.Kind {
	case "monthly":
		p, err := report.ParseMonth(q.Period)
		if err != nil {
			return nil, nil, a, errReportQuery
		}
		m, err := o.p.MonthlyReport(ctx, p, q.Street, true)
		if err != nil {
			return nil, nil, a, err
		}
		return m, reportdoc.MonthlyDoc(m), a, nil
	case "quarterly":
		p, err := report.ParseQuarter(q.Period)
		if err != nil {
			return nil, nil, a, errReportQuery
		}
		rep, err := o.p.QuarterlyReport(ctx, p, data.ZH)
		if err != nil {
			return nil, nil, a, err
		}
		if len(u.Streets) > 0 {
			rep.Streets = slices.DeleteFunc(rep.Streets, func(s report.StreetScore) bool { return !slices.Contains(u.Streets, s.Street) })
		}
		return rep, reportdoc.QuarterlyDoc(rep), a, nil
	case "annual":
		p, err := report.ParseYear(q.Period)
		if err != nil {
			return nil, nil, a, errReportQuery
		}
		a, err = o.p.AnnualReport(ctx, p, q.Street, nil)
		if err != nil {
			return nil, nil, a, err
		}
		return a, reportdoc.AnnualDoc(a), a, nil
	}
	return nil, nil, a, errReportQuery
}

// reportCheck answers a report's error: a choice that names no report or
// a period not begun is 400, a street not the user's 403.
func (o *Office) reportCheck(w http.ResponseWriter, r *http.Request, u *server.User, q reportQuery, err error) bool {
	switch {
	case err == nil:
		return true
	case errors.Is(err, server.ErrForbidden):
		o.auditIn(r, u, q.Street, "denied", r.Method+" "+r.URL.Path, "")
		o.problem(w, r, u, http.StatusForbidden, "error.forbidden")
	case errors.Is(err, errReportQuery):
		o.badRequest(w, r, u, "reports.bad")
	case errors.As(err, new(*server.ReportError)):
		o.badRequest(w, r, u, err.Error())
	default:
		o.fail(w, r, err)
	}
	return false
}

// reportsPage is the page's data.
type reportsPage struct {
	Menus     reportMenus
	Query     reportQuery
	Doc       *reportdoc.Doc
	Downloads []reportDownload
	Draft     bool // the user may send the annual report to review
}

type reportDownload struct {
	Format, Href string
}

func (o *Office) reports(w http.ResponseWriter, r *http.Request, u *server.User) {
	m, err := o.reportMenus(r, u)
	if !o.check(w, r, u, err) {
		return
	}
	r.ParseForm()
	q := readReportQuery(r, u, m)
	_, doc, _, err := o.buildReport(r, u, q)
	if !o.reportCheck(w, r, u, q, err) {
		return
	}
	d := reportsPage{Menus: m, Query: q, Doc: doc, Draft: q.Kind == "annual" && u.HasAny(reportDrafters...)}
	formats := reportdoc.Formats
	for _, f := range formats {
		v := q.values()
		v.Set("format", f)
		d.Downloads = append(d.Downloads, reportDownload{Format: f, Href: Prefix + "reports/file?" + v.Encode()})
	}
	o.render(w, r, u, http.StatusOK, "reports", "reports.title", d)
}

// reportTypes are the files' content types.
var reportTypes = map[string]string{
	"json": "application/json",
	"html": "text/html; charset=utf-8",
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"pdf":  "application/pdf",
}

func (o *Office) reportFile(w http.ResponseWriter, r *http.Request, u *server.User) {
	m, err := o.reportMenus(r, u)
	if !o.check(w, r, u, err) {
		return
	}
	r.ParseForm()
	q := readReportQuery(r, u, m)
	format := r.FormValue("format")
	if _, ok := reportTypes[format]; !ok {
		o.badRequest(w, r, u, "reports.bad")
		return
	}
	v, doc, _, err := o.buildReport(r, u, q)
	if !o.reportCheck(w, r, u, q, err) {
		return
	}
	var b bytes.Buffer
	if err := reportdoc.Write(&b, format, v, doc); err != nil {
		o.fail(w, r, err)
		return
	}
	name := fmt.Sprintf("%s-%s-%s.%s", q.Kind, q.Period, scopeOf(q.Street), format)
	w.Header().Set("Content-Type", reportTypes[format])
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, name))
	w.Write(b.Bytes())
}

func scopeOf(street string) string {
	if street == "" {
		return "district"
	}
	return street
}

// reportDraft sends the annual report to review as a draft catalogue
// entry: a new draft, or a draft of the entry already published.
func (o *Office) reportDraft(w http.ResponseWriter, r *http.Request, u *server.User) {
	q := reportQuery{Kind: "annual", Period: r.FormValue("period"), Street: r.FormValue("street")}
	_, doc, a, err := o.buildReport(r, u, q)
	if !o.reportCheck(w, r, u, q, err) {
		return
	}
	set := reportdoc.AnnualEntry(a, doc, nil)
	body, err := json.Marshal(set.Catalog[0])
	if err != nil {
		o.fail(w, r, err)
		return
	}
	ctx := r.Context()
	d, err := o.p.SaveDraft(ctx, *u, 0, data.KindCatalog, server.DraftInput{Body: body})
	if se := (*server.Error)(nil); errors.As(err, &se) && se.Status == http.StatusConflict {
		// Published before: a draft of the published entry, with this text.
		if d, err = o.p.EditItem(ctx, *u, data.KindCatalog, set.Catalog[0].ID); err == nil {
			d, err = o.p.SaveDraft(ctx, *u, d.ID, data.KindCatalog, server.DraftInput{Body: body})
		}
	}
	if err == nil {
		d, err = o.p.SubmitDraft(ctx, *u, d.ID)
	}
	if !o.check(w, r, u, err) {
		return
	}
	o.auditIn(r, u, q.Street, "report.draft", fmt.Sprintf("draft %d", d.ID), q.Period)
	http.Redirect(w, r, fmt.Sprintf("%scontent/drafts/%d/", Prefix, d.ID), http.StatusSeeOther)
}
