package web

import (
	"net/http"
	"net/url"
	"strconv"
)

// perPage is how many items a list page shows.
const perPage = 20

// pager is a list's position: this page, how many there are, and links
// to the pages before and after ("" at either end).
type pager struct {
	Page, Pages int
	Prev, Next  string
}

// paginate cuts the page ?page=N (from 1) out of list. ok is false when
// N is not a page of the list; the caller answers 400 with bad.page.
func paginate[T any](r *http.Request, list []T) (out []T, pg pager, ok bool) {
	pg = pager{Page: 1, Pages: max(1, (len(list)+perPage-1)/perPage)}
	q := r.URL.Query()
	if v := q.Get("page"); v != "" || q.Has("page") {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > pg.Pages {
			return nil, pg, false
		}
		pg.Page = n
	}
	link := func(n int) string {
		q := r.URL.Query()
		q.Del("lang")
		q.Del("size")
		if n == 1 {
			q.Del("page")
		} else {
			q.Set("page", strconv.Itoa(n))
		}
		return (&url.URL{Path: r.URL.Path, RawQuery: q.Encode()}).String()
	}
	if pg.Page > 1 {
		pg.Prev = link(pg.Page - 1)
	}
	if pg.Page < pg.Pages {
		pg.Next = link(pg.Page + 1)
	}
	from := (pg.Page - 1) * perPage
	return list[min(from, len(list)):min(from+perPage, len(list))], pg, true
}
