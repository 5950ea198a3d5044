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
// attachments (pictures and PDFs the kiosk holds, QR codes of the rest);
// 等待区县确认 while a staff edit of it is on its way.
func newNoticeDetail(e *env, src NoticeReader, id string) fyne.CanvasObject {
	type shown struct {
		n       data.Notice
		waiting bool
		held    heldFiles
	}
	return loadDetail(e, func(ctx context.Context) (shown, error) {
		n, err := src.Notice(ctx, id)
		if err != nil {
			return shown{}, err
		}
		return shown{n, e.waiting(ctx, data.KindNotice, id), loadHeld(ctx, src, n.Attachments)}, nil
	}, func(s shown) fyne.CanvasObject { return e.noticeView(s.n, s.waiting, s.held) })
}

// noticeView lays out a notice as residents see it, with the attachment
// files the kiosk holds (held may be nil); staff previews use it too.
func (e *env) noticeView(n data.Notice, waiting bool, held heldFiles) fyne.CanvasObject {
	meta := para(joinDot(n.Category, n.Publisher, e.date(n.Published)))
	meta.Importance = widget.LowImportance
	var title fyne.CanvasObject = heading(n.Title)
	if waiting {
		title = container.NewBorder(nil, nil, nil, container.NewCenter(waitBadge(e.L("staff.waiting"))), title)
	}
	content := container.NewVBox(title, meta, widget.NewSeparator(), body(n.Body))
	if len(n.Attachments) > 0 {
		head := e.L("notice.attachments")
		if len(held) > 0 {
			head = e.L("notice.attachments_held")
		}
		content.Add(subheading(head))
		content.Add(e.attachmentsView(n.Attachments, held))
	}
	return content
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
