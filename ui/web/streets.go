package web

import (
	"net/http"
	"slices"

	"jiezhen/data"
)

// streets lists the district's streets.
func (s *Site) streets(w http.ResponseWriter, r *http.Request) {
	list, err := s.p.Streets(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := newPage(r, nil, s.p.Today())
	p.Title = p.T("streets.title")
	p.Data = list
	s.render(w, r, http.StatusOK, "streets", p)
}

// homeData is a street's home: the latest of each section.
type homeData struct {
	Notices       []data.Notice
	Catalog       []data.CatalogEntry
	Services      []serviceCount      // the four categories, in their order
	Providers     []providerCount     // by category
	Consultations []data.Consultation // open today
}

type serviceCount struct {
	Category data.PowerCategory
	Count    int
}

type providerCount struct {
	Category string
	Count    int
}

// homeLatest is how many items of a section the home shows.
const homeLatest = 5

// home reads only what it shows (Platform.StreetHome): a street may have
// tens of thousands of items.
func (s *Site) home(w http.ResponseWriter, r *http.Request, st *data.Street) {
	p := newPage(r, st, s.p.Today())
	p.Title = st.Name
	h, err := s.p.StreetHome(r.Context(), st.Code, homeLatest)
	var d homeData
	if err == nil {
		d.Notices, err = decodeAll[data.Notice](h.Notices)
	}
	if err == nil {
		d.Catalog, err = decodeAll[data.CatalogEntry](h.Catalog)
	}
	if err == nil {
		d.Consultations, err = decodeAll[data.Consultation](h.Consultations)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, c := range data.PowerCategories {
		d.Services = append(d.Services, serviceCount{Category: c, Count: h.Services[string(c)]})
	}
	for c, n := range h.Providers {
		d.Providers = append(d.Providers, providerCount{Category: c, Count: n})
	}
	slices.SortFunc(d.Providers, func(a, b providerCount) int { return compareStrings(a.Category, b.Category) })
	p.Data = d
	s.render(w, r, http.StatusOK, "home", p)
}
