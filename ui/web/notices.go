package web

import (
	"context"
	"net/http"
	"slices"

	"jiezhen/data"
)

// streetNotices are a street's notices, pinned first, then newest first.
func streetNotices(ctx context.Context, s *Site, street string) ([]data.Notice, error) {
	list, err := items[data.Notice](ctx, s, data.KindNotice, street)
	slices.SortStableFunc(list, func(a, b data.Notice) int {
		if a.Pinned != b.Pinned {
			if a.Pinned {
				return -1
			}
			return 1
		}
		return b.Published.Compare(a.Published)
	})
	return list, err
}

// noticesData is one page of the notices list.
type noticesData struct {
	Notices []data.Notice
	Pager   pager
}

func (s *Site) notices(w http.ResponseWriter, r *http.Request, st *data.Street) {
	list, err := streetNotices(r.Context(), s, st.Code)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	shown, pg, ok := paginate(r, list)
	if !ok {
		s.badRequest(w, r, st, "bad.page", pg.Pages)
		return
	}
	p := newPage(r, st, s.p.Today())
	p.Title = p.T("notices.title")
	p.crumbs(crumb{Label: p.Title})
	p.Feed = &feedLink{Href: streetPath(st.Code) + "notices.atom", Title: p.T("notices.feed")}
	p.Data = noticesData{Notices: shown, Pager: pg}
	s.render(w, r, http.StatusOK, "notices", p)
}

func (s *Site) notice(w http.ResponseWriter, r *http.Request, st *data.Street) {
	n, ok := detail[data.Notice](s, w, r, st, data.KindNotice)
	if !ok {
		return
	}
	p := newPage(r, st, s.p.Today())
	p.Title = n.Title
	p.crumbs(crumb{Label: p.T("notices.title"), Href: sectionPath(st, "notices")}, crumb{Label: n.Title, Content: true})
	p.Data = n
	s.render(w, r, http.StatusOK, "notice", p)
}
