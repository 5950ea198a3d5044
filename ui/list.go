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
	seq   int  // of the latest load, so that a slow old one cannot win
	size  int  // rows a page holds: as many as fit (fitRows)
	sized bool // the list has been laid out and size set by fit

	list       *widget.List
	pos        *widget.Label
	empty      *wrapLabel
	prev, next *tapButton
	obj        fyne.CanvasObject
}

// pageSize is how many rows a page holds before the list knows its
// height (fitRows), and a page of search hits: fewer in 长者模式, where
// rows are taller.
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
	l.size = e.pageSize()
	l.obj = container.NewBorder(nil, bar, nil, nil, container.New(&fitRows{fit: l.fit, row: l.rowPitch}, l.list, container.NewCenter(l.empty)))
	// The first page is read once the list knows how many rows fit.
	return l
}

// rowPitch is the height a row takes in the list, with the list's
// separator and padding.
func (l *pagedList[T]) rowPitch() float32 {
	return l.createRow().MinSize().Height + theme.Padding() + theme.SeparatorThicknessSize()
}

// fit makes a page as many rows as the list's height holds whole, and
// reads the page again when that changed (a new window shape or mode).
func (l *pagedList[T]) fit(rows int) {
	if l.sized && rows == l.size {
		return
	}
	l.sized, l.size = true, rows
	l.reload()
}

// fitRows lays out a list and its empty note over each other, and tells
// fit how many whole rows of height row the list shows, so that no row is
// ever cut at the bottom and the pager reaches every row.
type fitRows struct {
	fit func(rows int)
	row func() float32
}

func (f *fitRows) MinSize(objs []fyne.CanvasObject) fyne.Size {
	return fyne.NewSize(objs[1].MinSize().Width, f.row())
}

func (f *fitRows) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Resize(size)
		o.Move(fyne.Position{})
	}
	if size.Height > 0 {
		f.fit(max(1, int((size.Height+theme.Padding())/f.row())))
	}
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
	size := l.size
	l.st.offset = max(0, l.st.offset+dir*size)
	l.reload()
}

// reload reads the page at the state's offset in the background.
func (l *pagedList[T]) reload() {
	l.seq++
	seq := l.seq
	size := l.size
	// Keep the position on a page boundary of the current page size: the
	// size changes with the window and 长者模式.
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
	size := l.size
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
