package web

import (
	"net/http"
	"slices"
	"time"

	"jiezhen/data"
)

// providerGroup is one category of local services.
type providerGroup struct {
	Category  string
	Providers []providerView
	Open      int // how many are open now
}

// providerView is a provider and whether it is open at the page's time.
type providerView struct {
	data.Provider
	Open bool
}

// groupProviders sorts providers into their categories, by name, each
// marked open or closed at now (Beijing time) as the kiosk does
// (data.WeekHours.OpenAt).
func groupProviders(list []data.Provider, now time.Time) []providerGroup {
	byCat := map[string]*providerGroup{}
	var out []*providerGroup
	for _, pr := range list {
		g := byCat[pr.Category]
		if g == nil {
			g = &providerGroup{Category: pr.Category}
			byCat[pr.Category] = g
			out = append(out, g)
		}
		v := providerView{Provider: pr, Open: pr.Hours.OpenAt(now)}
		if v.Open {
			g.Open++
		}
		g.Providers = append(g.Providers, v)
	}
	slices.SortFunc(out, func(a, b *providerGroup) int { return compareStrings(a.Category, b.Category) })
	groups := make([]providerGroup, len(out))
	for i, g := range out {
		slices.SortFunc(g.Providers, func(a, b providerView) int { return compareStrings(a.Name, b.Name) })
		groups[i] = *g
	}
	return groups
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// providersData is the local services page.
type providersData struct {
	Groups     []providerGroup
	Category   string // "" for all
	Categories []string
	All        string
	Now        time.Time
	// Holiday names today's public holiday by the working-day calendar,
	// when it is one: opening hours may differ then.
	Holiday string
	// Workday is set on a weekend day the calendar makes a working day.
	Workday bool
}

func (s *Site) providers(w http.ResponseWriter, r *http.Request, st *data.Street) {
	ctx := r.Context()
	list, err := items[data.Provider](ctx, s, data.KindProvider, st.Code)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cal, today, err := s.p.Calendar(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.p.Now()
	d := providersData{Groups: groupProviders(list, now), All: sectionPath(st, "providers"), Now: now}
	if cal.Covers(today) {
		d.Holiday = cal.HolidayName(today)
		wd := today.Weekday()
		d.Workday = (wd == time.Saturday || wd == time.Sunday) && cal.IsWorkday(today)
	}
	for _, g := range d.Groups {
		d.Categories = append(d.Categories, g.Category)
	}
	if v := r.URL.Query().Get("category"); v != "" {
		d.Groups = slices.DeleteFunc(d.Groups, func(g providerGroup) bool { return g.Category != v })
		if len(d.Groups) == 0 {
			s.badRequest(w, r, st, "bad.providercategory")
			return
		}
		d.Category = v
	}
	p := newPage(r, st, today)
	p.Title = p.T("providers.title")
	p.crumbs(crumb{Label: p.Title})
	p.Data = d
	s.render(w, r, http.StatusOK, "providers", p)
}
