// Package admin is the back office (业务管理系统) that districtd serves
// under /admin/ beside the website: district and street staff sign in
// with a password and a TOTP code and work in server-rendered pages, each
// route open to the roles it lists. Pages are html/template files
// embedded in the binary, one handler file per page family with its
// templates and translations beside it; no page needs JavaScript. See
// docs/ADMIN.md.
package admin

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"jiezhen/data"
	"jiezhen/sync/server"
	"jiezhen/ui/web"
)

//go:embed *.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Prefix is where districtd mounts the back office.
const Prefix = "/admin/"

// Office serves the back office. Its handler is safe for concurrent use.
type Office struct {
	p     *server.Platform
	log   *slog.Logger
	pages map[string]*template.Template
	table []route          // routes(), made once
	limit *web.PostLimiter // sign-in posts per client address
	site  *web.Site        // shows a draft as the website would (content.go)
}

// New returns the back office over p. It panics if a template or a
// translation file does not parse: they are part of the binary.
func New(p *server.Platform, log *slog.Logger) *Office {
	if log == nil {
		log = slog.Default()
	}
	o := &Office{p: p, log: log, pages: parsePages(), limit: web.NewPostLimiter(), site: web.New(p, log)}
	o.table = o.routes()
	return o
}

// route is one page or action of the back office: open to a signed-in
// user who holds one of Roles, behind the session, role and CSRF checks
// (guard). Nav, a translation key, makes a GET route a section of the
// navigation and the home page.
type route struct {
	Method, Pattern string
	Roles           []server.Role
	Handle          func(w http.ResponseWriter, r *http.Request, u *server.User)
	Nav             string
}

// allRoles opens a route to every signed-in user.
var allRoles = server.Roles

// routes is every guarded route of the back office: each page family
// returns its own from a method in its file.
func (o *Office) routes() []route {
	var rs []route
	rs = append(rs, o.casesRoutes()...)
	rs = append(rs, o.homeRoutes()...)
	rs = append(rs, o.userRoutes()...)
	rs = append(rs, o.auditRoutes()...)
	rs = append(rs, o.contentRoutes()...)
	rs = append(rs, o.opinionRoutes()...)
	rs = append(rs, o.kioskRoutes()...)
	rs = append(rs, o.reportRoutes()...)
	return rs
}

// Handler returns the back office's routes behind the website's security
// headers and the cross-origin check.
func (o *Office) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET "+Prefix+"static/", http.StripPrefix(Prefix, http.FileServerFS(staticFS)))
	mux.Handle("GET "+Prefix+"static/site.css", http.FileServerFS(siteCSS{}))
	for pattern, h := range o.openRoutes() {
		mux.HandleFunc(pattern, h)
	}
	for _, rt := range o.table {
		mux.HandleFunc(rt.Method+" "+rt.Pattern, o.guard(rt))
	}
	mux.HandleFunc(Prefix, o.unknown)
	return web.Secure(http.NewCrossOriginProtection().Handler(o.prefs(noStore(mux))))
}

// siteCSS serves the website's stylesheet at /admin/static/site.css: the
// back office has the website's look, and admin.css adds its own parts.
type siteCSS struct{}

func (siteCSS) Open(name string) (fs.File, error) {
	if name != "admin/static/site.css" {
		return nil, fs.ErrNotExist
	}
	return web.Static().Open("static/site.css")
}

// noStore keeps the back office's pages out of every cache.
func noStore(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, Prefix+"static/") {
			w.Header().Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// prefs turns ?lang=zh|en into the website's language cookie and comes
// back to the page without it.
func (o *Office) prefs(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if !q.Has("lang") || r.Method != http.MethodGet {
			next.ServeHTTP(w, r)
			return
		}
		v := q.Get("lang")
		if v != string(data.ZH) && v != string(data.EN) {
			o.badRequest(w, r, nil, "error.lang")
			return
		}
		web.SetCookie(w, r, "lang", v)
		q.Del("lang")
		http.Redirect(w, r, (&url.URL{Path: r.URL.Path, RawQuery: q.Encode()}).String(), http.StatusSeeOther)
	})
}

// requestInfo is what guard found for a request: its session.
type requestInfo struct {
	token string
	sess  server.Session
}

type infoKey struct{}

func infoOf(r *http.Request) *requestInfo {
	if i, ok := r.Context().Value(infoKey{}).(*requestInfo); ok {
		return i
	}
	return &requestInfo{}
}

// maxPost caps a form's body (attachments included).
const maxPost = 32 << 20

// guard runs a route for a user signed in with one of its roles: without
// a session (or an expired one) it sends the browser to sign in; with
// none of the roles it answers 403 and audits the attempt; a POST must
// carry the session's CSRF token in its csrf field.
func (o *Office) guard(rt route) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		info, u, ok := o.session(w, r)
		if !ok {
			return
		}
		ctx := context.WithValue(r.Context(), infoKey{}, info)
		r = r.WithContext(ctx)
		if !u.HasAny(rt.Roles...) {
			o.forbidden(w, r, &u)
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxPost)
			if !info.sess.CSRFMatches(r.FormValue("csrf")) {
				o.audit(r, &u, "csrf", r.Method+" "+r.URL.Path, "")
				o.problem(w, r, &u, http.StatusForbidden, "error.csrf")
				return
			}
		}
		rt.Handle(w, r, &u)
	}
}

// session finds the request's session; without one it redirects to the
// sign-in page and ok is false.
func (o *Office) session(w http.ResponseWriter, r *http.Request) (*requestInfo, server.User, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		o.toSignIn(w, r)
		return nil, server.User{}, false
	}
	u, s, err := o.p.Session(r.Context(), c.Value)
	if errors.Is(err, server.ErrNoSession) {
		clearSession(w, r)
		o.toSignIn(w, r)
		return nil, server.User{}, false
	}
	if err != nil {
		o.fail(w, r, err)
		return nil, server.User{}, false
	}
	return &requestInfo{token: c.Value, sess: s}, u, true
}

// unknown answers a path no route has: sign in first, then 404.
func (o *Office) unknown(w http.ResponseWriter, r *http.Request) {
	info, u, ok := o.session(w, r)
	if !ok {
		return
	}
	r = r.WithContext(context.WithValue(r.Context(), infoKey{}, info))
	o.notFound(w, r, &u)
}

// page is what every template gets.
type page struct {
	User  *server.User // nil on the sign-in and enrolment pages
	CSRF  string
	Title string
	Lang  data.Lang
	Data  any
	Flash string

	o    *Office
	path string
}

// T is the interface string for key in the page's language.
func (p *page) T(key string) string { return translate(p.Lang, key) }

// Label is the interface string of prefix+code when one is defined,
// else code itself: the audit page names the actions it knows
// ("audit.action." + action) and shows the others as they are written.
func (p *page) Label(prefix, code string) string {
	if s, ok := translations[p.Lang][prefix+code]; ok {
		return s
	}
	return code
}

// HTMLLang is the page's lang attribute.
func (p *page) HTMLLang() string {
	if p.Lang == data.EN {
		return "en"
	}
	return "zh-CN"
}

// LangURL is this page in the other interface language.
func (p *page) LangURL() string {
	other := data.EN
	if p.Lang == data.EN {
		other = data.ZH
	}
	return p.path + "?lang=" + string(other)
}

// RoleNames are the user's roles in the page's language.
func (p *page) RoleNames() string {
	if p.User == nil {
		return ""
	}
	names := make([]string, len(p.User.Roles))
	for i, r := range p.User.Roles {
		names[i] = r.Label(p.Lang)
	}
	return strings.Join(names, p.T("list.sep"))
}

// navLink is a section the user may open; Current is "page" on the
// section's own page, "true" inside it.
type navLink struct {
	Label, Href, Current string
}

// Nav is the sections the user's roles open, in the order of routes.
func (p *page) Nav() []navLink {
	if p.User == nil {
		return nil
	}
	var out []navLink
	for _, rt := range p.o.table {
		if rt.Nav == "" || rt.Method != http.MethodGet || !p.User.HasAny(rt.Roles...) {
			continue
		}
		l := navLink{Label: p.T(rt.Nav), Href: strings.TrimSuffix(rt.Pattern, "{$}")}
		switch {
		case p.path == l.Href:
			l.Current = "page"
		case l.Href != Prefix && strings.HasPrefix(p.path, l.Href):
			l.Current = "true"
		}
		out = append(out, l)
	}
	return out
}

func (o *Office) newPage(r *http.Request, u *server.User, title string, d any) *page {
	info := infoOf(r)
	return &page{User: u, CSRF: info.sess.CSRF, Title: title, Lang: web.LangOf(r), Data: d, Flash: info.sess.Flash,
		o: o, path: r.URL.Path}
}

// render writes the page NAME ({{define "admin:NAME"}}) in the layout,
// into a buffer first, so a failing template gives a clean 500 rather
// than half a page. title is a translation key.
func (o *Office) render(w http.ResponseWriter, r *http.Request, u *server.User, status int, name, title string, d any) {
	p := o.newPage(r, u, "", d)
	p.Title = p.T(title)
	o.renderPage(w, r, status, name, p)
}

func (o *Office) renderPage(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	t, ok := o.pages[name]
	if !ok {
		o.fail(w, r, fmt.Errorf("no page template %q", name))
		return
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", p); err != nil {
		o.fail(w, r, fmt.Errorf("page %s: %w", name, err))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Vary", "Cookie")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// audit writes a back office audit line for the request's user; a
// failure to write is logged, since the answer is already decided.
func (o *Office) audit(r *http.Request, u *server.User, action, target, detail string) {
	o.auditIn(r, u, "", action, target, detail)
}

func (o *Office) auditIn(r *http.Request, u *server.User, street, action, target, detail string) {
	if err := o.p.AdminAuditIn(r.Context(), *u, street, action, target, detail); err != nil {
		o.log.Error("back office audit", "action", action, "err", err)
	}
}

// forbidden answers 403 and audits the attempt as "denied".
func (o *Office) forbidden(w http.ResponseWriter, r *http.Request, u *server.User) {
	o.audit(r, u, "denied", r.Method+" "+r.URL.Path, "")
	o.problem(w, r, u, http.StatusForbidden, "error.forbidden")
}

// streetAllowed reports whether u may see data of street code; if not it
// answers 403, audited, and the handler stops. Use it on every object a
// route reads or changes by its street, beside the store's own check.
func (o *Office) streetAllowed(w http.ResponseWriter, r *http.Request, u *server.User, code string) bool {
	if u.SeesStreet(code) {
		return true
	}
	o.auditIn(r, u, code, "denied", r.Method+" "+r.URL.Path, "")
	o.problem(w, r, u, http.StatusForbidden, "error.forbidden")
	return false
}

func (o *Office) notFound(w http.ResponseWriter, r *http.Request, u *server.User) {
	o.problem(w, r, u, http.StatusNotFound, "error.notfound")
}

// badRequest answers 400 with a line that says what is wrong: a
// translation key, or a sentence of its own.
func (o *Office) badRequest(w http.ResponseWriter, r *http.Request, u *server.User, msg string) {
	o.problem(w, r, u, http.StatusBadRequest, msg)
}

// problem answers with status and a page whose line is msg (a
// translation key, or a sentence shown as it is).
func (o *Office) problem(w http.ResponseWriter, r *http.Request, u *server.User, status int, msg string) {
	p := o.newPage(r, u, "", nil)
	p.Title = p.T(fmt.Sprintf("error.title.%d", status))
	p.Data = p.T(msg)
	o.renderPage(w, r, status, "problem", p)
}

// check answers an error of the store for a handler and reports whether
// there was none: ErrForbidden is 403 (audited), ErrNotFound 404,
// anything else 500.
func (o *Office) check(w http.ResponseWriter, r *http.Request, u *server.User, err error) bool {
	switch {
	case err == nil:
		return true
	case errors.Is(err, server.ErrForbidden):
		o.forbidden(w, r, u)
	case errors.Is(err, server.ErrNotFound):
		o.notFound(w, r, u)
	default:
		o.fail(w, r, err)
	}
	return false
}

// fail logs an error (the path only: no form values) and answers a plain
// 500.
func (o *Office) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	path := r.URL.Path
	if strings.HasPrefix(path, enrolPath) {
		path = enrolPath + "…" // the one-time token stays out of the log
	}
	o.log.Error("back office", "path", path, "err", err)
	http.Error(w, "500 internal server error", http.StatusInternalServerError)
}

// redirect ends a POST: the flash line (a translation key or a sentence,
// "" for none) is shown once on the next page, which the browser GETs.
func (o *Office) redirect(w http.ResponseWriter, r *http.Request, path, flash string) {
	if info := infoOf(r); flash != "" && info.token != "" {
		if err := o.p.SetFlash(r.Context(), info.token, flash); err != nil {
			o.log.Error("back office flash", "err", err)
		}
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
}
