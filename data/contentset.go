package data

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
)

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

// Merge appends every item of o to s.
func (s *ContentSet) Merge(o *ContentSet) {
	s.Streets = append(s.Streets, o.Streets...)
	s.Notices = append(s.Notices, o.Notices...)
	s.Catalog = append(s.Catalog, o.Catalog...)
	s.Services = append(s.Services, o.Services...)
	s.Providers = append(s.Providers, o.Providers...)
	s.Consultations = append(s.Consultations, o.Consultations...)
	s.Calendars = append(s.Calendars, o.Calendars...)
}

// ReadContentFiles reads every file of fsys that matches pattern (as
// fs.Glob) as a content set and merges them in name order. An error names
// the file; no file at all is an error too.
func ReadContentFiles(fsys fs.FS, pattern string) (*ContentSet, error) {
	names, err := fs.Glob(fsys, pattern)
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no content files match %s", pattern)
	}
	all := &ContentSet{}
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		set, err := ReadContentSet(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path.Base(name), err)
		}
		all.Merge(set)
	}
	return all, nil
}
