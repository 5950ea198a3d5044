package web

import (
	"net/http"

	"jiezhen/data"
)

// serviceGroup is one of the four categories with its service items.
type serviceGroup struct {
	Category data.PowerCategory
	Items    []data.ServiceItem
}

// groupServices sorts service items into the four categories, in their
// display order; empty categories are kept so the four always show.
func groupServices(list []data.ServiceItem) []serviceGroup {
	out := make([]serviceGroup, len(data.PowerCategories))
	for i, c := range data.PowerCategories {
		out[i].Category = c
		for _, it := range list {
			if it.Category == c {
				out[i].Items = append(out[i].Items, it)
			}
		}
	}
	return out
}

// servicesData is the guide list, all four categories or the one asked.
type servicesData struct {
	Groups     []serviceGroup
	Category   data.PowerCategory // "" for all
	Categories []data.PowerCategory
	All        string
}

func (s *Site) services(w http.ResponseWriter, r *http.Request, st *data.Street) {
	list, err := items[data.ServiceItem](r.Context(), s, data.KindService, st.Code)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := servicesData{Groups: groupServices(list), Categories: data.PowerCategories, All: sectionPath(st, "services")}
	if v := r.URL.Query().Get("category"); v != "" {
		d.Category = data.PowerCategory(v)
		var one []serviceGroup
		for _, g := range d.Groups {
			if g.Category == d.Category {
				one = append(one, g)
			}
		}
		if one == nil {
			s.badRequest(w, r, st, "bad.category")
			return
		}
		d.Groups = one
	}
	p := newPage(r, st, s.p.Today())
	p.Title = p.T("services.title")
	p.crumbs(crumb{Label: p.Title})
	p.Data = d
	s.render(w, r, http.StatusOK, "services", p)
}

func (s *Site) service(w http.ResponseWriter, r *http.Request, st *data.Street) {
	it, ok := detail[data.ServiceItem](s, w, r, st, data.KindService)
	if !ok {
		return
	}
	p := newPage(r, st, s.p.Today())
	p.Title = it.Name
	p.crumbs(crumb{Label: p.T("services.title"), Href: sectionPath(st, "services")}, crumb{Label: it.Name, Content: true})
	p.Data = it
	s.render(w, r, http.StatusOK, "service", p)
}
