package data

// ContentSet is a batch of content as district admins write it: the shape
// of the demo content and of `districtd publish` files. Every item in it is
// an upsert.
type ContentSet struct {
	Streets       []Street       `json:"streets,omitempty"`
	Notices       []Notice       `json:"notices,omitempty"`
	Catalog       []CatalogEntry `json:"catalog,omitempty"`
	Services      []ServiceItem  `json:"services,omitempty"`
	Providers     []Provider     `json:"providers,omitempty"`
	Consultations []Consultation `json:"consultations,omitempty"`
	Calendars     []CalendarYear `json:"calendars,omitempty"`
}

// Scope returns the part of s that a kiosk of the given street holds: that
// street's own items, district-wide items (no street) and every calendar
// year. It is the same scope the district's feed serves a kiosk.
func (s *ContentSet) Scope(street string) *ContentSet {
	in := func(itemStreet string) bool { return itemStreet == "" || itemStreet == street }
	out := &ContentSet{Calendars: s.Calendars}
	for _, x := range s.Streets {
		if x.Code == street {
			out.Streets = append(out.Streets, x)
		}
	}
	out.Notices = keep(s.Notices, func(x Notice) bool { return in(x.Street) })
	out.Catalog = keep(s.Catalog, func(x CatalogEntry) bool { return in(x.Street) })
	out.Services = keep(s.Services, func(x ServiceItem) bool { return in(x.Street) })
	out.Providers = keep(s.Providers, func(x Provider) bool { return in(x.Street) })
	out.Consultations = keep(s.Consultations, func(x Consultation) bool { return in(x.Street) })
	return out
}

func keep[T any](xs []T, ok func(T) bool) []T {
	var out []T
	for _, x := range xs {
		if ok(x) {
			out = append(out, x)
		}
	}
	return out
}
