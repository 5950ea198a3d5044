// Package web is the street's public website that districtd serves beside
// the kiosks' API: server-rendered pages of each street's content, read
// through the district platform. Pages are html/template files embedded
// in the binary, one handler file per page family with its templates
// beside it; the stylesheet is a plain file served from the binary; no
// page needs JavaScript. See docs/WEB.md.
package web

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
)

//go:embed *.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Static is the website's static files (static/site.css), which the
// back office serves too.
func Static() fs.FS { return staticFS }

// Site serves the website. Its handler is safe for concurrent use.
type Site struct {
	p     *server.Platform
	log   *slog.Logger
	pages map[string]*template.Template
	limit *postLimiter // the forms' posts per client address
	homes pageCache    // rendered street homes, see streets.go
}

// New returns the website over p. It panics if a template does not
// parse: they are part of the binary.
func New(p *server.Platform, log *slog.Logger) *Site {
	if log == nil {
		log = slog.Default()
	}
	return &Site{p: p, log: log, pages: parsePages(), limit: newPostLimiter()}
}

// Handler returns the website's routes behind the security headers and
// the cross-origin check every state-changing request will need.
func (s *Site) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /static/", http.FileServerFS(staticFS))
	mux.HandleFunc("GET /{$}", s.streets)
	mux.HandleFunc("GET /s/{street}/{$}", s.street(s.home))
	mux.HandleFunc("GET /s/{street}/notices/{$}", s.street(s.notices))
	mux.HandleFunc("GET /s/{street}/notices/{id}", s.street(s.notice))
	mux.HandleFunc("GET /s/{street}/notices/{id}/files/{file}", s.street(s.file(data.KindNotice)))
	mux.HandleFunc("GET /s/{street}/catalog/{$}", s.street(s.catalog))
	mux.HandleFunc("GET /s/{street}/catalog/{id}", s.street(s.catalogEntry))
	mux.HandleFunc("GET /s/{street}/services/{$}", s.street(s.services))
	mux.HandleFunc("GET /s/{street}/services/{id}", s.street(s.service))
	mux.HandleFunc("GET /s/{street}/services/{id}/files/{file}", s.street(s.file(data.KindService)))
	mux.HandleFunc("GET /s/{street}/providers/{$}", s.street(s.providers))
	mux.HandleFunc("GET /s/{street}/consultations/{$}", s.street(s.consultations))
	mux.HandleFunc("GET /s/{street}/consultations/{id}", s.street(s.consultation))
	mux.HandleFunc("GET /s/{street}/appeals/{$}", s.street(s.appeals))
	mux.HandleFunc("GET /s/{street}/appeals/{ref}", s.street(s.appeal))
	mux.HandleFunc("GET /s/{street}/appeals.atom", s.street(s.appealsFeed))
	mux.HandleFunc("GET /s/{street}/notices.atom", s.street(s.noticesFeed))
	// The forms residents file (filing.go): GET shows one, POST files it
	// and redirects to its receipt.
	mux.HandleFunc("GET /s/{street}/services/{id}/apply", s.street(s.apply))
	mux.HandleFunc("POST /s/{street}/services/{id}/apply", s.street(s.post(s.apply)))
	mux.HandleFunc("GET /s/{street}/appeal", s.street(s.fileAppeal))
	mux.HandleFunc("POST /s/{street}/appeal", s.street(s.post(s.fileAppeal)))
	mux.HandleFunc("GET /s/{street}/disclosure", s.street(s.disclosure))
	mux.HandleFunc("POST /s/{street}/disclosure", s.street(s.post(s.disclosure)))
	mux.HandleFunc("GET /s/{street}/consultations/{id}/opinion", s.street(s.opinion))
	mux.HandleFunc("POST /s/{street}/consultations/{id}/opinion", s.street(s.post(s.opinion)))
	mux.HandleFunc("GET /s/{street}/consultations/{id}/opinion/sent", s.street(s.opinionSent))
	mux.HandleFunc("GET /s/{street}/receipt/{ref}", s.street(s.receipt))
	mux.HandleFunc("GET /s/{street}/track", s.street(s.track))
	mux.HandleFunc("POST /s/{street}/track", s.street(s.trackPost))
	mux.HandleFunc("GET /s/{street}/track/{token}", s.street(s.timeline))
	mux.HandleFunc("POST /s/{street}/track/{token}/rate", s.street(s.rate))
	mux.HandleFunc("POST /s/{street}/track/{token}/correct", s.street(s.correct))
	mux.HandleFunc("GET /s/{street}/search", s.street(s.search))
	mux.HandleFunc("GET /s/{street}/figures", s.street(s.figures))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			// A route that takes a form is registered with its
			// methods and never gets here.
			w.Header().Set("Allow", "GET, HEAD")
			s.problem(w, r, nil, http.StatusMethodNotAllowed, "bad.method")
			return
		}
		s.notFound(w, r, nil)
	})
	return s.chain(mux)
}

// chain wraps the routes in the middleware every response goes through.
func (s *Site) chain(h http.Handler) http.Handler {
	return Secure(http.NewCrossOriginProtection().Handler(s.prefs(h)))
}

// Secure sets the headers every response carries (docs/WEB.md); the
// back office (ui/admin) sends the same.
func Secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self'; style-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// The interface language and the text size are kept in cookies; a link
// with ?lang= or ?size= sets them and comes back to the page without it.
const (
	cookieLang = "lang"
	cookieSize = "size"
	sizeLarge  = "large"
	sizeNormal = "normal"
)

// prefs turns ?lang=zh|en and ?size=large|normal into cookies and
// redirects to the same page without them.
func (s *Site) prefs(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if !q.Has("lang") && !q.Has("size") {
			next.ServeHTTP(w, r)
			return
		}
		if q.Has("lang") {
			v := q.Get("lang")
			if v != string(data.ZH) && v != string(data.EN) {
				s.badRequest(w, r, nil, "bad.lang")
				return
			}
			SetCookie(w, r, cookieLang, v)
			q.Del("lang")
		}
		if q.Has("size") {
			v := q.Get("size")
			if v != sizeLarge && v != sizeNormal {
				s.badRequest(w, r, nil, "bad.size")
				return
			}
			SetCookie(w, r, cookieSize, v)
			q.Del("size")
		}
		u := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
		http.Redirect(w, r, u.String(), http.StatusSeeOther)
	})
}

// SetCookie sets a preference cookie of the whole site for a year.
func SetCookie(w http.ResponseWriter, r *http.Request, name, value string) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode,
	})
}

// LangOf is the interface language the request's cookie chose, Chinese
// by default.
func LangOf(r *http.Request) data.Lang {
	if c, err := r.Cookie(cookieLang); err == nil && c.Value == string(data.EN) {
		return data.EN
	}
	return data.ZH
}

func largeOf(r *http.Request) bool {
	c, err := r.Cookie(cookieSize)
	return err == nil && c.Value == sizeLarge
}

// page is what every template gets: the request's preferences, the
// street when the page is a street's, and the page's own data.
type page struct {
	Lang   data.Lang
	Large  bool
	Title  string // in the interface language, or content's own title
	Street *data.Street
	Crumbs []crumb
	Today  data.Date
	Data   any
	Feed   *feedLink // the page's Atom feed, linked from its head

	path  string
	query url.Values
}

// sections are the street's page families, in the order the top bar
// shows them: the path under the street and the title's key.
var sections = []struct{ path, key string }{
	{"notices/", "notices.title"},
	{"catalog/", "catalog.title"},
	{"services/", "services.title"},
	{"providers/", "providers.title"},
	{"consultations/", "consultations.title"},
	{"appeals/", "appeals.title"},
	{"track", "track.title"},
}

// navLink is a link of the section bar; Current is "page" on the
// section's own page, "true" inside it, "" elsewhere.
type navLink struct {
	Label, Href, Current string
}

// Sections is the street's section bar.
func (p *page) Sections() []navLink {
	var out []navLink
	for _, sec := range sections {
		l := navLink{Label: p.T(sec.key), Href: p.Home() + sec.path}
		switch {
		case p.path == l.Href:
			l.Current = "page"
		case strings.HasPrefix(p.path, l.Href):
			l.Current = "true"
		}
		out = append(out, l)
	}
	return out
}

// crumb is one step of the breadcrumb trail; the last has no link.
type crumb struct {
	Label, Href string
	Content     bool // the label is content (in Chinese), not an interface string
}

// T is the interface string for key in the page's language.
func (p *page) T(key string) string { return translate(p.Lang, key) }

// LangURL is this page in the other interface language.
func (p *page) LangURL() string {
	other := data.EN
	if p.Lang == data.EN {
		other = data.ZH
	}
	return p.with("lang", string(other))
}

// SizeURL is this page with the text size switched.
func (p *page) SizeURL() string {
	if p.Large {
		return p.with("size", sizeNormal)
	}
	return p.with("size", sizeLarge)
}

func (p *page) with(k, v string) string {
	q := url.Values{}
	for key, vs := range p.query {
		q[key] = vs
	}
	q.Set(k, v)
	return (&url.URL{Path: p.path, RawQuery: q.Encode()}).String()
}

// HTMLLang is the page's lang attribute.
func (p *page) HTMLLang() string {
	if p.Lang == data.EN {
		return "en"
	}
	return "zh-CN"
}

// Home is the street's home page path.
func (p *page) Home() string {
	if p.Street == nil {
		return "/"
	}
	return streetPath(p.Street.Code)
}

func streetPath(code string) string { return "/s/" + url.PathEscape(code) + "/" }

func newPage(r *http.Request, st *data.Street, today data.Date) *page {
	// A page is rendered with ?lang= or ?size= only when the value was
	// wrong: its switch links start from the page without them.
	q := r.URL.Query()
	q.Del("lang")
	q.Del("size")
	return &page{Lang: LangOf(r), Large: largeOf(r), Street: st, Today: today, path: r.URL.Path, query: q}
}

// render writes a page: into a buffer first, so a failing template gives
// a clean 500 rather than half a page.
func (s *Site) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	t, ok := s.pages[name]
	if !ok {
		s.fail(w, r, fmt.Errorf("no page template %q", name))
		return
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", p); err != nil {
		s.fail(w, r, fmt.Errorf("page %s: %w", name, err))
		return
	}
	writePage(w, status, b.Bytes())
}

// writePage sends a rendered page.
func writePage(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("Vary", "Cookie")
	w.WriteHeader(status)
	w.Write(b)
}

func (s *Site) notFound(w http.ResponseWriter, r *http.Request, st *data.Street) {
	p := newPage(r, st, s.p.Today())
	p.Title = p.T("error.notfound.title")
	s.render(w, r, http.StatusNotFound, "notfound", p)
}

// badRequest answers a query value the page cannot take with a 400 page
// whose line (a translation key) says what is wrong.
func (s *Site) badRequest(w http.ResponseWriter, r *http.Request, st *data.Street, key string, args ...any) {
	s.problem(w, r, st, http.StatusBadRequest, key, args...)
}

// problem answers a request the site cannot take with the status and a
// page whose line (a translation key, formatted with args) says why.
func (s *Site) problem(w http.ResponseWriter, r *http.Request, st *data.Street, status int, key string, args ...any) {
	p := newPage(r, st, s.p.Today())
	p.Title = p.T("error.bad.title")
	p.Data = p.T(key)
	if len(args) > 0 {
		p.Data = fmt.Sprintf(p.T(key), args...)
	}
	s.render(w, r, status, "badrequest", p)
}

// fail logs an error (no query values: they may one day hold personal
// data) and answers a plain 500.
func (s *Site) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	s.log.Error("website", "path", r.URL.Path, "err", err)
	http.Error(w, "500 internal server error", http.StatusInternalServerError)
}

// streetHandler is a page of one street, which the wrapper has found.
type streetHandler func(w http.ResponseWriter, r *http.Request, st *data.Street)

// street finds the {street} of the path among the published streets, or
// answers 404.
func (s *Site) street(h streetHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		it, err := s.p.Content(r.Context(), data.KindStreet, r.PathValue("street"))
		if errors.Is(err, server.ErrNotFound) {
			s.notFound(w, r, nil)
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		var st data.Street
		if err := decode(it, &st); err != nil {
			s.fail(w, r, err)
			return
		}
		h(w, r, &st)
	}
}

// decode reads a stored item's body.
func decode(it server.Item, v any) error {
	if err := jsonUnmarshal(it.Body, v); err != nil {
		return fmt.Errorf("%s %s: %w", it.Kind, it.ID, err)
	}
	return nil
}

// items decodes a street's live items of a kind.
func items[T any](ctx context.Context, s *Site, kind data.Kind, street string) ([]T, error) {
	its, err := s.p.StreetContent(ctx, kind, street)
	if err != nil {
		return nil, err
	}
	return decodeAll[T](its)
}

// decodeAll decodes stored items' bodies.
func decodeAll[T any](its []server.Item) ([]T, error) {
	out := make([]T, len(its))
	for i, it := range its {
		if err := decode(it, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// item finds one live item of a kind that the street shows (its own or
// district-wide); found is false for anything else.
func item[T any](ctx context.Context, s *Site, kind data.Kind, street, id string) (v T, found bool, err error) {
	it, err := s.p.Content(ctx, kind, id)
	if errors.Is(err, server.ErrNotFound) {
		return v, false, nil
	}
	if err != nil {
		return v, false, err
	}
	if it.Street != "" && it.Street != street {
		return v, false, nil
	}
	return v, true, decode(it, &v)
}

// detail is the common shape of a detail page's handler: find the item
// or answer 404.
func detail[T any](s *Site, w http.ResponseWriter, r *http.Request, st *data.Street, kind data.Kind) (T, bool) {
	v, found, err := item[T](r.Context(), s, kind, st.Code, r.PathValue("id"))
	switch {
	case err != nil:
		s.fail(w, r, err)
		return v, false
	case !found:
		s.notFound(w, r, st)
		return v, false
	}
	return v, true
}

// crumbs is the trail from the street's home; the last entry is the page
// itself.
func (p *page) crumbs(c ...crumb) {
	p.Crumbs = append([]crumb{{Label: p.T("nav.home"), Href: p.Home()}}, c...)
}

// Path is the page's path.
func (p *page) Path() string { return p.path }

// SearchPath is the street's search page.
func (p *page) SearchPath() string { return p.Home() + "search" }

func sectionPath(st *data.Street, section string) string {
	return streetPath(st.Code) + section + "/"
}

// trimLines splits a body into its paragraphs: its non-blank lines,
// trimmed.
func trimLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// ItemPath is a detail page's path with a slash, under which its files
// are served.
func (p *page) ItemPath() string { return p.path + "/" }
