package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"jiezhen/data"
	"jiezhen/data/store"
)

// openNotices shows the list of notices, pinned first.
func openNotices(e *env, src NoticeReader) {
	st := &listState{}
	e.open(func() string { return e.L("tile.notice") }, func() fyne.CanvasObject {
		return newNoticeList(e, src, st)
	})
}

func newNoticeList(e *env, src NoticeReader, st *listState) fyne.CanvasObject {
	l := newPagedList(e, st,
		func(ctx context.Context, p store.Page) ([]store.NoticeRow, int, error) {
			return src.ListNotices(ctx, store.NoticeFilter{}, p)
		},
		func(r store.NoticeRow) rowText {
			t := r.Title
			if r.Pinned {
				t = e.L("notice.pinned") + " " + t
			}
			return rowText{title: t, detail: joinDot(r.Category, r.Publisher, e.date(r.Published))}
		},
		func(r store.NoticeRow) { openNotice(e, src, r.ID) })
	return container.NewBorder(e.searchBar(data.KindNotice), nil, nil, nil, l.obj)
}

func openNotice(e *env, src NoticeReader, id string) {
	e.openRead(func() string { return e.L("notice.title") }, func() fyne.CanvasObject {
		return newNoticeDetail(e, src, id)
	})
}

// newNoticeDetail shows one notice: title, publisher, date, body and the
// attachments as QR codes.
func newNoticeDetail(e *env, src NoticeReader, id string) fyne.CanvasObject {
	return loadDetail(e, func(ctx context.Context) (data.Notice, error) { return src.Notice(ctx, id) },
		func(n data.Notice) fyne.CanvasObject {
			meta := para(joinDot(n.Category, n.Publisher, e.date(n.Published)))
			meta.Importance = widget.LowImportance
			content := container.NewVBox(heading(n.Title), meta, widget.NewSeparator(), body(n.Body))
			if len(n.Attachments) > 0 {
				content.Add(subheading(e.L("notice.attachments")))
				content.Add(e.qrRow(n.Attachments))
			}
			return content
		})
}

// joinDot joins the non-empty parts with " · ".
func joinDot(parts ...string) string {
	s := ""
	for _, p := range parts {
		if p == "" {
			continue
		}
		if s != "" {
			s += " · "
		}
		s += p
	}
	return s
}
