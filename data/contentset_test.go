package data

import "testing"

func TestScopeKeepsStreetAndDistrictWide(t *testing.T) {
	s := &ContentSet{
		Streets:       []Street{{Code: "A", Name: "甲街道"}, {Code: "B", Name: "乙街道"}},
		Notices:       []Notice{{ID: "a", Street: "A"}, {ID: "b", Street: "B"}, {ID: "all"}},
		Catalog:       []CatalogEntry{{ID: "b", Street: "B"}, {ID: "all"}},
		Services:      []ServiceItem{{ID: "a", Street: "A"}},
		Providers:     []Provider{{ID: "a", Street: "A"}, {ID: "b", Street: "B"}},
		Consultations: []Consultation{{ID: "b", Street: "B"}},
		Calendars:     []CalendarYear{{Year: 2026}},
	}
	got := s.Scope("A")
	ids := func(n int, id func(int) string) []string {
		var out []string
		for i := 0; i < n; i++ {
			out = append(out, id(i))
		}
		return out
	}
	check := func(what string, have []string, want ...string) {
		t.Helper()
		if len(have) != len(want) {
			t.Errorf("%s: %v, want %v", what, have, want)
			return
		}
		for i := range want {
			if have[i] != want[i] {
				t.Errorf("%s: %v, want %v", what, have, want)
			}
		}
	}
	check("streets", ids(len(got.Streets), func(i int) string { return got.Streets[i].Code }), "A")
	check("notices", ids(len(got.Notices), func(i int) string { return got.Notices[i].ID }), "a", "all")
	check("catalog", ids(len(got.Catalog), func(i int) string { return got.Catalog[i].ID }), "all")
	check("services", ids(len(got.Services), func(i int) string { return got.Services[i].ID }), "a")
	check("providers", ids(len(got.Providers), func(i int) string { return got.Providers[i].ID }), "a")
	check("consultations", ids(len(got.Consultations), func(i int) string { return got.Consultations[i].ID }))
	if len(got.Calendars) != 1 {
		t.Errorf("calendars: %v", got.Calendars)
	}
}
