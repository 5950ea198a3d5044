package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"

	"jiezhen/data"
	"jiezhen/sync/server"
)

// china is where a reply's month is read.
var china = time.FixedZone("CST", 8*3600)

// appealsData is one page of a street's answered public appeals and the
// filter form's choices.
type appealsData struct {
	Appeals []server.PublicAppeal
	Types   []option
	Years   []option
	Months  []option
	Type    data.AppealType
	Year    int
	Month   int
	Pager   pager
}

// option is one choice of a filter's <select>.
type option struct {
	Value, Label string
	Selected     bool
}

// appealFilter reads ?type=, ?year= and ?month= (1-12, with a year);
// key is the translation of what is wrong, "" when nothing is.
func appealFilter(r *http.Request) (t data.AppealType, year, month int, key string) {
	q := r.URL.Query()
	t = data.AppealType(q.Get("type"))
	if t != "" && !slices.Contains(data.AppealTypes, t) {
		return "", 0, 0, "bad.appealtype"
	}
	if v := q.Get("year"); v != "" {
		y, err := strconv.Atoi(v)
		if err != nil || y < 1900 || y > 9999 || len(v) != 4 {
			return "", 0, 0, "bad.year"
		}
		year = y
	}
	if v := q.Get("month"); v != "" {
		m, err := strconv.Atoi(v)
		if err != nil || m < 1 || m > 12 {
			return "", 0, 0, "bad.month"
		}
		if year == 0 {
			return "", 0, 0, "bad.monthyear"
		}
		month = m
	}
	return t, year, month, ""
}

func (s *Site) appeals(w http.ResponseWriter, r *http.Request, st *data.Street) {
	t, year, month, bad := appealFilter(r)
	if bad != "" {
		s.badRequest(w, r, st, bad)
		return
	}
	all, err := s.p.PublicAppeals(r.Context(), st.Code, t, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := newPage(r, st, s.p.Today())
	d := appealsData{Type: t, Year: year, Month: month}
	var selected []server.PublicAppeal
	years := map[int]bool{}
	for _, a := range all {
		at := a.Answered.In(china)
		years[at.Year()] = true
		if (year == 0 || at.Year() == year) && (month == 0 || int(at.Month()) == month) {
			selected = append(selected, a)
		}
	}
	d.Types = []option{{Label: p.T("appeals.alltypes")}}
	for _, at := range data.AppealTypes {
		d.Types = append(d.Types, option{Value: string(at), Label: at.Label(p.Lang), Selected: at == t})
	}
	d.Years = []option{{Label: p.T("appeals.allyears")}}
	ys := slices.Sorted(func(yield func(int) bool) {
		for y := range years {
			if !yield(y) {
				return
			}
		}
	})
	if year != 0 && !years[year] {
		ys = append(ys, year)
		slices.Sort(ys)
	}
	slices.Reverse(ys)
	for _, y := range ys {
		d.Years = append(d.Years, option{Value: strconv.Itoa(y), Label: strconv.Itoa(y), Selected: y == year})
	}
	d.Months = []option{{Label: p.T("appeals.allmonths")}}
	for m := 1; m <= 12; m++ {
		d.Months = append(d.Months, option{Value: strconv.Itoa(m), Label: monthLabel(p.Lang, m), Selected: m == month})
	}
	var ok bool
	if d.Appeals, d.Pager, ok = paginate(r, selected); !ok {
		s.badRequest(w, r, st, "bad.page", d.Pager.Pages)
		return
	}
	p.Title = p.T("appeals.title")
	p.crumbs(crumb{Label: p.Title})
	p.Feed = &feedLink{Href: streetPath(st.Code) + "appeals.atom", Title: p.T("appeals.feed")}
	p.Data = d
	s.render(w, r, http.StatusOK, "appeals", p)
}

func monthLabel(l data.Lang, m int) string {
	if l == data.EN {
		return time.Month(m).String()
	}
	return strconv.Itoa(m) + "月"
}

func (s *Site) appeal(w http.ResponseWriter, r *http.Request, st *data.Street) {
	a, err := s.p.PublicAppealByRef(r.Context(), r.PathValue("ref"))
	if errors.Is(err, server.ErrNotFound) || (err == nil && (a.Street != st.Code || a.Reply == "")) {
		s.notFound(w, r, st)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := newPage(r, st, s.p.Today())
	p.Title = a.Ref
	p.crumbs(crumb{Label: p.T("appeals.title"), Href: sectionPath(st, "appeals")}, crumb{Label: a.Ref})
	p.Data = a
	s.render(w, r, http.StatusOK, "appeal", p)
}
