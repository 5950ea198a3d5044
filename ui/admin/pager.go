package admin

import (
	"net/http"
	"net/url"
	"strconv"
)

// pager is a list's position when the store pages it: this page, how
// many there are, and links to the pages before and after ("" at either
// end). Any page family's list may use it with the "pager" template.
type pager struct {
	Page, Pages int
	Prev, Next  string
}

// pageParam reads ?page=N (from 1); ok is false for anything else, which
// the caller answers with 400 and "error.page".
func pageParam(r *http.Request) (page int, ok bool) {
	q := r.URL.Query()
	if !q.Has("page") {
		return 1, true
	}
	n, err := strconv.Atoi(q.Get("page"))
	return n, err == nil && n >= 1
}

// newPager is the position of page among total items, per a page; ok is
// false for a page after the last.
func newPager(r *http.Request, page, per, total int) (pager, bool) {
	pg := pager{Page: page, Pages: max(1, (total+per-1)/per)}
	if page > pg.Pages {
		return pg, false
	}
	link := func(n int) string {
		q := r.URL.Query()
		q.Del("lang")
		if n == 1 {
			q.Del("page")
		} else {
			q.Set("page", strconv.Itoa(n))
		}
		return (&url.URL{Path: r.URL.Path, RawQuery: q.Encode()}).String()
	}
	if page > 1 {
		pg.Prev = link(page - 1)
	}
	if page < pg.Pages {
		pg.Next = link(page + 1)
	}
	return pg, true
}
