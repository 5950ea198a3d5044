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
	Services      []serviceGroup
	Providers     []providerGroup
	Consultations []data.Consultation // open today
}

// homeLatest is how many items of a section the home shows.
const homeLatest = 5

func (s *Site) home(w http.ResponseWriter, r *http.Request, st *data.Street) {
	ctx := r.Context()
	p := newPage(r, st, s.p.Today())
	p.Title = st.Name
	var d homeData
	notices, err := streetNotices(ctx, s, st.Code)
	if err == nil {
		d.Notices = notices[:min(homeLatest, len(notices))]
		var cat []data.CatalogEntry
		cat, err = streetCatalog(ctx, s, st.Code)
		d.Catalog = cat[:min(homeLatest, len(cat))]
	}
	if err == nil {
		var svc []data.ServiceItem
		svc, err = items[data.ServiceItem](ctx, s, data.KindService, st.Code)
		d.Services = groupServices(svc)
	}
	if err == nil {
		var prov []data.Provider
		prov, err = items[data.Provider](ctx, s, data.KindProvider, st.Code)
		d.Providers = groupProviders(prov, s.p.Now())
	}
	if err == nil {
		var cons []data.Consultation
		cons, err = items[data.Consultation](ctx, s, data.KindConsultation, st.Code)
		d.Consultations = slices.DeleteFunc(cons, func(c data.Consultation) bool { return !c.OpenOn(p.Today) })
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = d
	s.render(w, r, http.StatusOK, "home", p)
}
