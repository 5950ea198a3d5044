package admin

import (
	"net/http"
	"strings"
	"time"

	"jiezhen/data"
	"jiezhen/sync/server"
)

// The audit page (区管理员 and 监察): the back office's audit and the
// kiosk staff's, each filtered by user, action, street and dates, newest
// first, a page at a time. A street-scoped reader sees only its streets'
// lines, in the store's query. docs/ADMIN.md, "Audit".

func (o *Office) auditRoutes() []route {
	return []route{
		{Method: "GET", Pattern: Prefix + "audit/{$}", Roles: []server.Role{server.RoleAdmin, server.RoleInspector},
			Handle: o.auditPage, Nav: "audit.title"},
	}
}

// auditPerPage is how many lines a page shows.
const auditPerPage = 50

// Sources of audit lines.
const (
	sourceOffice = "office"
	sourceKiosk  = "kiosk"
)

type auditData struct {
	Source                string
	User, Action, Street  string
	From, To              string // as typed, YYYY-MM-DD
	Streets               []data.Street
	Office                []server.AdminAuditRecord
	Kiosk                 []server.AuditRecord
	Total                 int
	Pager                 pager
	OfficeLink, KioskLink string
	StreetNames           map[string]string
}

func (o *Office) auditPage(w http.ResponseWriter, r *http.Request, u *server.User) {
	q := r.URL.Query()
	d := auditData{Source: q.Get("source"), User: strings.TrimSpace(q.Get("user")), Action: strings.TrimSpace(q.Get("action")),
		Street: q.Get("street"), From: q.Get("from"), To: q.Get("to")}
	switch d.Source {
	case "":
		d.Source = sourceOffice
	case sourceOffice, sourceKiosk:
	default:
		o.badRequest(w, r, u, "audit.bad.source")
		return
	}
	f := server.AuditFilter{User: d.User, Action: d.Action, Street: d.Street, Streets: u.Streets, Limit: auditPerPage}
	if d.Street != "" && !o.streetAllowed(w, r, u, d.Street) {
		return
	}
	for _, b := range []struct {
		v  string
		to *time.Time
		n  int
	}{{d.From, &f.From, 0}, {d.To, &f.To, 1}} {
		if b.v == "" {
			continue
		}
		day, err := data.ParseDate(b.v)
		if err != nil {
			o.badRequest(w, r, u, "audit.bad.date")
			return
		}
		*b.to = day.AddDays(b.n).Time(china)
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		o.badRequest(w, r, u, "audit.bad.range")
		return
	}
	page, ok := pageParam(r)
	if !ok {
		o.badRequest(w, r, u, "error.page")
		return
	}
	f.Offset = (page - 1) * auditPerPage
	var err error
	if d.Source == sourceKiosk {
		d.Kiosk, d.Total, err = o.p.StaffAudit(r.Context(), f)
	} else {
		d.Office, d.Total, err = o.p.AdminAuditLines(r.Context(), f)
	}
	if !o.check(w, r, u, err) {
		return
	}
	if d.Pager, ok = newPager(r, page, auditPerPage, d.Total); !ok {
		o.badRequest(w, r, u, "error.page")
		return
	}
	streets, err := o.p.Streets(r.Context())
	if !o.check(w, r, u, err) {
		return
	}
	for _, s := range streets {
		if u.SeesStreet(s.Code) {
			d.Streets = append(d.Streets, s)
		}
	}
	d.StreetNames = streetNames(streets)
	d.OfficeLink, d.KioskLink = Prefix+"audit/", Prefix+"audit/?source="+sourceKiosk
	o.render(w, r, u, http.StatusOK, "audit", "audit.title", d)
}
