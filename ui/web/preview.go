package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"jiezhen/data"
	"jiezhen/sync/server"
)

// Previewable reports whether the website has a page for items of kind,
// which Preview can show.
func Previewable(kind data.Kind) bool {
	switch kind {
	case data.KindNotice, data.KindCatalog, data.KindService, data.KindProvider, data.KindConsultation:
		return true
	}
	return false
}

// Preview answers with the page the website would show for an item of
// kind with body once published: the item's own page, or for a provider
// its category's listing holding it. The back office (ui/admin) shows
// unpublished drafts with it, through the website's own templates. The
// item's attachment files are linked under filesBase + "files/" (the back
// office serves a draft's files itself). A kind the website has no page
// for, or a body that does not decode, is 404.
func (s *Site) Preview(w http.ResponseWriter, r *http.Request, kind data.Kind, body json.RawMessage, filesBase string) {
	var head struct {
		Street string `json:"street"`
	}
	if !Previewable(kind) || json.Unmarshal(body, &head) != nil {
		s.notFound(w, r, nil)
		return
	}
	var st *data.Street
	if head.Street != "" {
		it, err := s.p.Content(r.Context(), data.KindStreet, head.Street)
		if err != nil && !errors.Is(err, server.ErrNotFound) {
			s.fail(w, r, err)
			return
		}
		if err == nil {
			st = &data.Street{}
			if err := decode(it, st); err != nil {
				s.fail(w, r, err)
				return
			}
		}
	}
	p := newPage(r, st, s.p.Today())
	// Attachment links are the page's ItemPath + "files/...".
	p.path = strings.TrimSuffix(filesBase, "/")
	section := func(key, path string) crumb {
		if st == nil {
			return crumb{Label: p.T(key)}
		}
		return crumb{Label: p.T(key), Href: sectionPath(st, path)}
	}
	var name string
	var err error
	switch kind {
	case data.KindNotice:
		var n data.Notice
		err = jsonUnmarshal(body, &n)
		p.Title, p.Data, name = n.Title, n, "notice"
		p.crumbs(section("notices.title", "notices"), crumb{Label: n.Title, Content: true})
	case data.KindCatalog:
		var e data.CatalogEntry
		err = jsonUnmarshal(body, &e)
		p.Title, p.Data, name = e.Title, e, "catalogentry"
		p.crumbs(section("catalog.title", "catalog"), crumb{Label: e.Title, Content: true})
	case data.KindService:
		var it data.ServiceItem
		err = jsonUnmarshal(body, &it)
		p.Title, p.Data, name = it.Name, it, "service"
		p.crumbs(section("services.title", "services"), crumb{Label: it.Name, Content: true})
	case data.KindConsultation:
		var c data.Consultation
		err = jsonUnmarshal(body, &c)
		p.Title, p.Data, name = c.Title, newConsultationView(c, p.Today), "consultation"
		p.crumbs(section("consultations.title", "consultations"), crumb{Label: c.Title, Content: true})
	case data.KindProvider:
		var pr data.Provider
		err = jsonUnmarshal(body, &pr)
		now := s.p.Now()
		d := providersData{Groups: groupProviders([]data.Provider{pr}, now), Category: pr.Category,
			Categories: []string{pr.Category}, Now: now}
		if st != nil {
			d.All = sectionPath(st, "providers")
		}
		p.Title, p.Data, name = p.T("providers.title"), d, "providers"
		p.crumbs(crumb{Label: p.Title})
	}
	if err != nil {
		s.notFound(w, r, st)
		return
	}
	s.render(w, r, http.StatusOK, name, p)
}
