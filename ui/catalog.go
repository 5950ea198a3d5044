package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"jiezhen/data"
	"jiezhen/data/store"
)

// openCatalog shows the government-information disclosure catalogue,
// newest first.
func openCatalog(e *env, src CatalogReader) {
	st := &listState{}
	e.open(func() string { return e.L("tile.catalog") }, func() fyne.CanvasObject {
		return newCatalogList(e, src, st)
	})
}

func newCatalogList(e *env, src CatalogReader, st *listState) fyne.CanvasObject {
	l := newPagedList(e, st,
		func(ctx context.Context, p store.Page) ([]store.CatalogRow, int, error) {
			return src.ListCatalog(ctx, store.CatalogFilter{}, p)
		},
		func(r store.CatalogRow) rowText {
			return rowText{title: r.Title, detail: joinDot(r.DocNo, r.Topic, r.Publisher, e.date(r.Published))}
		},
		func(r store.CatalogRow) { openCatalogEntry(e, src, r.ID) })
	top := container.NewVBox(e.searchBar(data.KindCatalog))
	if b := e.disclosureButton(e.L("disclosure.button"), ""); b != nil {
		top.Add(b)
	}
	return container.NewBorder(top, nil, nil, nil, l.obj)
}

func openCatalogEntry(e *env, src CatalogReader, id string) {
	e.openRead(func() string { return e.L("catalog.title") }, func() fyne.CanvasObject {
		return newCatalogDetail(e, src, id)
	})
}

// newCatalogDetail shows a catalogue entry: its metadata as a two-column
// table, then the document, paragraph by paragraph, with large buttons to
// move through it.
func newCatalogDetail(e *env, src CatalogReader, id string) fyne.CanvasObject {
	return loadDetail(e, func(ctx context.Context) (data.CatalogEntry, error) { return src.CatalogEntry(ctx, id) },
		func(c data.CatalogEntry) fyne.CanvasObject {
			meta := fields(
				e.L("catalog.index_no"), c.IndexNo,
				e.L("catalog.name"), c.Title,
				e.L("catalog.publisher"), c.Publisher,
				e.L("catalog.topic"), c.Topic,
				e.L("catalog.doc_no"), c.DocNo,
				e.L("catalog.published"), e.date(c.Published),
				e.L("catalog.keywords"), strings.Join(c.Keywords, e.L("list.separator")),
				e.L("catalog.summary"), c.Summary,
				e.L("catalog.disclosure"), joinDot(c.Disclosure, c.Timeframe),
			)
			content := container.NewVBox(heading(c.Title))
			// A document already published is read here or at its
			// publisher: asking for it again would only be answered so.
			if !c.IsPublic() {
				if b := e.disclosureButton(e.L("disclosure.button_entry"), c.RequestDescription()); b != nil {
					content.Add(b)
				}
			}
			content.Add(meta)
			content.Add(widget.NewSeparator())
			if strings.TrimSpace(c.Body) != "" {
				content.Add(subheading(e.L("catalog.body")))
				content.Add(body(c.Body))
			}
			return content
		})
}
