package web

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"sync"

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
//
// A rendered home is kept and served again while nothing was written to
// the district (its last feed seq is the same), for the same street, day,
// language, text size and query: it shows nothing else.
func (s *Site) home(w http.ResponseWriter, r *http.Request, st *data.Street) {
	p := newPage(r, st, s.p.Today())
	seq, err := s.p.LastSeq(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	key := fmt.Sprint(st.Code, "|", p.Today, "|", p.Lang, "|", p.Large, "|", r.URL.RawQuery)
	if b, ok := s.homes.get(seq, key); ok {
		writePage(w, http.StatusOK, b)
		return
	}
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
	var b bytes.Buffer
	if err := s.pages["home"].ExecuteTemplate(&b, "layout", p); err != nil {
		s.fail(w, r, fmt.Errorf("page home: %w", err))
		return
	}
	s.homes.put(seq, key, b.Bytes())
	writePage(w, http.StatusOK, b.Bytes())
}

// pageCache keeps rendered pages of one database state: a put of a newer
// seq drops the pages of older ones. It holds at most pageCacheMax pages.
type pageCache struct {
	mu    sync.Mutex
	seq   int64
	pages map[string][]byte
}

const pageCacheMax = 1000

func (c *pageCache) get(seq int64, key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if seq != c.seq {
		return nil, false
	}
	b, ok := c.pages[key]
	return b, ok
}

func (c *pageCache) put(seq int64, key string, b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if seq < c.seq {
		return
	}
	if seq > c.seq || c.pages == nil || len(c.pages) >= pageCacheMax {
		c.seq, c.pages = seq, map[string][]byte{}
	}
	c.pages[key] = b
}
