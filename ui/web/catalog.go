package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"jiezhen/data"
)

// streetCatalog is a street's disclosure catalogue, newest first.
func streetCatalog(ctx context.Context, s *Site, street string) ([]data.CatalogEntry, error) {
	list, err := items[data.CatalogEntry](ctx, s, data.KindCatalog, street)
	slices.SortStableFunc(list, func(a, b data.CatalogEntry) int { return b.Published.Compare(a.Published) })
	return list, err
}

// catalogData is the catalogue page: the entries the filter selects and
// the topics and years to browse by, each with its count.
type catalogData struct {
	Entries []data.CatalogEntry
	Topics  []facet
	Years   []facet
	Topic   string // the selected topic, "" for all
	Year    int    // the selected year, 0 for all
	All     string // the catalogue without a filter
	Pager   pager
	// Guides are the street's 政府信息公开指南 and annual reports,
	// newest first.
	Guides []data.CatalogEntry
}

// guideTitles are the names the disclosure regulation gives a body's
// guide to its government information and its annual report on the
// work; the catalogue lists entries so titled apart.
var guideTitles = []string{"政府信息公开指南", "政府信息公开工作年度报告"}

func isGuide(e data.CatalogEntry) bool {
	for _, t := range guideTitles {
		if strings.Contains(e.Title, t) {
			return true
		}
	}
	return false
}

// facet is one value to browse by, with its link and count.
type facet struct {
	Label    string
	Href     string
	Count    int
	Selected bool
}

func (s *Site) catalog(w http.ResponseWriter, r *http.Request, st *data.Street) {
	all, err := streetCatalog(r.Context(), s, st.Code)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	d := catalogData{Topic: q.Get("topic"), All: sectionPath(st, "catalog")}
	if v := q.Get("year"); v != "" {
		y, err := strconv.Atoi(v)
		if err != nil || y < 1900 || y > 9999 || len(v) != 4 {
			s.badRequest(w, r, st, "bad.year")
			return
		}
		d.Year = y
	}
	topics, years := map[string]int{}, map[int]int{}
	var topicOrder []string
	var yearOrder []int
	for _, e := range all {
		if isGuide(e) && e.Street != "" {
			d.Guides = append(d.Guides, e)
		}
		if topics[e.Topic] == 0 {
			topicOrder = append(topicOrder, e.Topic)
		}
		topics[e.Topic]++
		if years[e.Published.Year] == 0 {
			yearOrder = append(yearOrder, e.Published.Year)
		}
		years[e.Published.Year]++
	}
	if d.Topic != "" && topics[d.Topic] == 0 {
		s.badRequest(w, r, st, "bad.topic")
		return
	}
	slices.Sort(topicOrder)
	slices.SortFunc(yearOrder, func(a, b int) int { return b - a })
	for _, t := range topicOrder {
		d.Topics = append(d.Topics, facet{Label: t, Href: d.All + "?topic=" + url.QueryEscape(t), Count: topics[t], Selected: t == d.Topic})
	}
	for _, y := range yearOrder {
		ys := strconv.Itoa(y)
		d.Years = append(d.Years, facet{Label: ys, Href: d.All + "?year=" + ys, Count: years[y], Selected: y == d.Year})
	}
	var selected []data.CatalogEntry
	for _, e := range all {
		if (d.Topic == "" || e.Topic == d.Topic) && (d.Year == 0 || e.Published.Year == d.Year) {
			selected = append(selected, e)
		}
	}
	var ok bool
	if d.Entries, d.Pager, ok = paginate(r, selected); !ok {
		s.badRequest(w, r, st, "bad.page", d.Pager.Pages)
		return
	}
	p := newPage(r, st, s.p.Today())
	p.Title = p.T("catalog.title")
	p.crumbs(crumb{Label: p.Title})
	p.Data = d
	s.render(w, r, http.StatusOK, "catalog", p)
}

func (s *Site) catalogEntry(w http.ResponseWriter, r *http.Request, st *data.Street) {
	e, ok := detail[data.CatalogEntry](s, w, r, st, data.KindCatalog)
	if !ok {
		return
	}
	p := newPage(r, st, s.p.Today())
	p.Title = e.Title
	p.crumbs(crumb{Label: p.T("catalog.title"), Href: sectionPath(st, "catalog")}, crumb{Label: e.Title, Content: true})
	p.Data = e
	s.render(w, r, http.StatusOK, "catalogentry", p)
}
