package web

import (
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"jiezhen/data"
	"jiezhen/sync/server"
)

// maxQuery is the longest search query, in characters.
const maxQuery = 100

// searchPerKind is how many hits of each kind the results page shows.
const searchPerKind = 10

// kindSections maps a searchable kind to its section's path and title.
var kindSections = map[data.Kind]struct{ path, key string }{
	data.KindNotice:       {"notices", "notices.title"},
	data.KindCatalog:      {"catalog", "catalog.title"},
	data.KindService:      {"services", "services.title"},
	data.KindProvider:     {"providers", "providers.title"},
	data.KindConsultation: {"consultations", "consultations.title"},
}

// searchData is the search page: the query and the hits grouped by kind.
type searchData struct {
	Query  string
	Groups []searchGroup
	Total  int
}

type searchGroup struct {
	Title, Href string // the section
	Total       int
	More        bool // Total is a lower bound
	Hits        []searchHit
}

type searchHit struct {
	Title, Href string
	Parts       []snippetPart
	Before      bool // text left out before the snippet
	After       bool // text left out after it
}

// snippetPart is a run of a snippet, marked when it is a match.
type snippetPart struct {
	Text string
	Mark bool
}

// parts cuts a snippet at its highlight ranges.
func parts(s string, hl [][2]int) []snippetPart {
	var out []snippetPart
	at := 0
	for _, h := range hl {
		if h[0] > at {
			out = append(out, snippetPart{Text: s[at:h[0]]})
		}
		out = append(out, snippetPart{Text: s[h[0]:h[1]], Mark: true})
		at = h[1]
	}
	if at < len(s) {
		out = append(out, snippetPart{Text: s[at:]})
	}
	return out
}

// search answers /s/{street}/search?q=: without a query the form alone,
// with one the street's matching items grouped by kind, best first.
func (s *Site) search(w http.ResponseWriter, r *http.Request, st *data.Street) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	switch {
	case !utf8.ValidString(q) || strings.ContainsFunc(q, unicode.IsControl):
		s.badRequest(w, r, st, "bad.query.control")
		return
	case utf8.RuneCountInString(q) > maxQuery:
		s.badRequest(w, r, st, "bad.query.long", maxQuery)
		return
	}
	p := newPage(r, st, s.p.Today())
	p.Title = p.T("search.title")
	p.crumbs(crumb{Label: p.Title})
	d := searchData{Query: q}
	if q != "" {
		groups, err := s.p.Search(r.Context(), st.Code, q, searchPerKind)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, g := range groups {
			sec := kindSections[g.Kind]
			sg := searchGroup{Title: p.T(sec.key), Href: sectionPath(st, sec.path), Total: g.Total, More: g.Capped}
			for _, h := range g.Hits {
				sg.Hits = append(sg.Hits, hitOf(st, sec.path, h))
			}
			d.Groups = append(d.Groups, sg)
			d.Total += g.Total
		}
		p.Title = p.T("search.results")
	}
	p.Data = d
	s.render(w, r, http.StatusOK, "search", p)
}

func hitOf(st *data.Street, section string, h server.SearchHit) searchHit {
	href := sectionPath(st, section) + h.ID
	if h.Kind == data.KindProvider {
		// Providers have no page of their own: their category lists them.
		href = sectionPath(st, section) + "?category=" + url.QueryEscape(h.Category)
	}
	return searchHit{Title: h.Title, Href: href, Parts: parts(h.Snippet, h.Highlights), Before: h.Cut[0], After: h.Cut[1]}
}
