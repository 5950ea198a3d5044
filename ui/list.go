package ui

import (
	"image/color"

	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"jiezhen/data"
	"jiezhen/data/store"
	kioskTheme "jiezhen/ui/theme"
)

// listState is what a list remembers across rebuilds (mode or language
// changes, coming back from a detail): its position.
type listState struct {
	offset int
}

// rowText is what one list row shows.
type rowText struct {
	title, detail string
	badge         string // optional status word
	on            bool   // the badge's state: 营业中, 征集中
	wait          bool   // the badge is 等待区县确认 (staff lists)
}

// pagedList is the kiosk's list: one page of rows in a widget.List, with
// large 上一页 / 下一页 buttons and the position, because finger-drag
// scrolling does not work on every Linux touchscreen. Only one page is
// read from the store at a time, so 100,000 rows cost what 5 do.
type pagedList[T any] struct {
	e     *env
	st    *listState
	fetch func(ctx context.Context, p store.Page) ([]T, int, error)
	text  func(T) rowText
	open  func(T)

	rows  []T
	total int
	seq   int // of the latest load, so that a slow old one cannot win

	list       *widget.List
	pos        *widget.Label
	empty      *widget.Label
	prev, next *tapButton
	obj        fyne.CanvasObject
}

// pageSize is how many rows a page holds: fewer in 长者模式, where rows
// are taller.
func (e *env) pageSize() int {
	if e.elder {
		return 3
	}
	return 5
}

func newPagedList[T any](e *env, st *listState, fetch func(context.Context, store.Page) ([]T, int, error), text func(T) rowText, open func(T)) *pagedList[T] {
	l := &pagedList[T]{e: e, st: st, fetch: fetch, text: text, open: open}
	l.list = &widget.List{
		Length:     func() int { return len(l.rows) },
		CreateItem: l.createRow,
		UpdateItem: l.updateRow,
		OnSelected: func(id widget.ListItemID) {
			l.list.Unselect(id)
			if id < len(l.rows) {
				e.touch()
				l.open(l.rows[id])
			}
		},
	}
	l.list.ExtendBaseWidget(l.list)
	l.pos = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	l.empty = para("")
	l.empty.Alignment = fyne.TextAlignCenter
	l.prev = e.button(e.L("list.prev"), theme.NavigateBackIcon(), func() { l.turn(-1) })
	l.next = e.button(e.L("list.next"), theme.NavigateNextIcon(), func() { l.turn(1) })
	l.next.IconPlacement = widget.ButtonIconTrailingText
	l.prev.Disable()
	l.next.Disable()
	bar := container.NewBorder(nil, nil, l.prev, l.next, l.pos)
	l.obj = container.NewBorder(nil, bar, nil, nil, container.NewStack(l.list, container.NewCenter(l.empty)))
	l.reload()
	return l
}

func (l *pagedList[T]) createRow() fyne.CanvasObject {
	// One RichText with two lines rather than two Labels: it pads the pair
	// once, so rows stay compact enough for a useful page in 长者模式.
	texts := widget.NewRichText(
		&widget.TextSegment{Style: rowTitleStyle},
		&widget.TextSegment{Style: rowDetailStyle})
	texts.Truncation = fyne.TextTruncateEllipsis
	// A row is a touch target: never shorter than the mode's minimum.
	floor := canvas.NewRectangle(color.Transparent)
	floor.SetMinSize(fyne.NewSize(0, kioskTheme.MinTarget(l.e.elder)))
	slot := container.NewStack()
	return container.NewStack(floor, container.NewBorder(nil, nil, nil, container.NewCenter(slot), texts))
}

var (
	rowTitleStyle  = widget.RichTextStyle{TextStyle: fyne.TextStyle{Bold: true}}
	rowDetailStyle = widget.RichTextStyle{ColorName: theme.ColorNamePlaceHolder}
)

func (l *pagedList[T]) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	if id >= len(l.rows) {
		return
	}
	t := l.text(l.rows[id])
	row := o.(*fyne.Container).Objects[1].(*fyne.Container)
	texts := row.Objects[0].(*widget.RichText)
	texts.Segments[0].(*widget.TextSegment).Text = t.title
	texts.Segments[1].(*widget.TextSegment).Text = t.detail
	texts.Refresh()
	slot := row.Objects[1].(*fyne.Container).Objects[0].(*fyne.Container)
	if t.badge == "" {
		slot.Objects = nil
	} else if t.wait {
		slot.Objects = []fyne.CanvasObject{waitBadge(t.badge)}
	} else {
		slot.Objects = []fyne.CanvasObject{badge(t.badge, t.on)}
	}
	// The badge changes the right column's width: lay the row out again.
	row.Refresh()
}

// turn moves by dir pages.
func (l *pagedList[T]) turn(dir int) {
	size := l.e.pageSize()
	l.st.offset = max(0, l.st.offset+dir*size)
	l.reload()
}

// reload reads the page at the state's offset in the background.
func (l *pagedList[T]) reload() {
	l.seq++
	seq := l.seq
	size := l.e.pageSize()
	// Keep the position on a page boundary of the current page size: the
	// size changes with 长者模式.
	l.st.offset -= l.st.offset % size
	offset := l.st.offset
	type page struct {
		rows  []T
		total int
	}
	load(l.e, func(ctx context.Context) (page, error) {
		rows, total, err := l.fetch(ctx, store.Page{Offset: offset, Limit: size})
		return page{rows, total}, err
	}, func(p page, err error) {
		if seq != l.seq {
			return
		}
		if err != nil {
			l.rows, l.total = nil, 0
			l.empty.SetText(l.e.L("error.load") + "\n" + l.e.errText(err))
			l.list.Refresh()
			return
		}
		if len(p.rows) == 0 && p.total > 0 && offset > 0 {
			// The list shrank under us (a filter, a sync): go to its last page.
			l.st.offset = (p.total - 1) / size * size
			l.reload()
			return
		}
		l.rows, l.total = p.rows, p.total
		l.show()
	})
}

func (l *pagedList[T]) show() {
	size := l.e.pageSize()
	pages := max(1, (l.total+size-1)/size)
	page := l.st.offset/size + 1
	l.pos.SetText(l.e.Lf("list.position", page, pages, l.total))
	if l.total == 0 {
		l.empty.SetText(l.e.L("list.empty"))
	} else {
		l.empty.SetText("")
	}
	setEnabled(l.prev, page > 1)
	setEnabled(l.next, page < pages)
	l.list.Refresh()
	l.list.ScrollToTop()
}

func setEnabled(b *tapButton, on bool) {
	if on {
		b.Enable()
	} else {
		b.Disable()
	}
}

// searchBar is the search box above a list: it searches the list's kind
// only.
func (e *env) searchBar(kind data.Kind) fyne.CanvasObject {
	entry := e.entry(e.Lf("search.within", kind.Label(e.lang)))
	run := func() {
		e.kb.Commit() // pinyin letters typed and not yet converted
		if entry.Text != "" {
			openSearch(e, e.src, entry.Text, []data.Kind{kind})
		}
	}
	entry.OnSubmitted = func(string) { run() }
	return container.NewBorder(nil, nil, nil, e.button(e.L("search.button"), theme.SearchIcon(), run), entry)
}
