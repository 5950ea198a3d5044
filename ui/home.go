package ui

import (
	"context"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"jiezhen/data"
	"jiezhen/data/store"
)

// tile is one entry point of the home screen.
type tile struct {
	title func() string
	icon  fyne.Resource
	kind  data.Kind // whose count the tile shows; empty for none
	open  func()
	note  string // key of what the tile says under its title when it has no count
}

// newHome is the home screen: a search box and large tiles for every part
// of the kiosk. query holds the search text across rebuilds.
func newHome(e *env, query *string) fyne.CanvasObject {
	tiles := []tile{
		{func() string { return e.L("tile.notice") }, theme.DocumentIcon(), data.KindNotice, func() { openNotices(e, e.src) }, ""},
		{func() string { return e.L("tile.catalog") }, theme.FolderOpenIcon(), data.KindCatalog, func() { openCatalog(e, e.src) }, ""},
		{func() string { return e.L("tile.service") }, theme.ListIcon(), data.KindService, func() { openServiceCategories(e, e.src) }, ""},
		{func() string { return e.L("tile.provider") }, theme.AccountIcon(), data.KindProvider, func() { openProviders(e, e.src) }, ""},
		{func() string { return e.L("tile.consultation") }, theme.MailComposeIcon(), data.KindConsultation, func() { openConsultations(e, e.src) }, ""},
		applyTile(e),
		appealTile(e),
		trackTile(e),
	}
	counts := map[data.Kind]*widget.Label{}
	var objs []fyne.CanvasObject
	for _, t := range tiles {
		icon := widget.NewIcon(t.icon)
		name := subheading(t.title())
		name.Alignment = fyne.TextAlignCenter
		// One line, cut with an ellipsis if a translation is too long for
		// the tile, rather than breaking after every character.
		name.Wrapping = fyne.TextWrapOff
		name.Truncation = fyne.TextTruncateEllipsis
		sub := widget.NewLabel(" ")
		sub.Alignment = fyne.TextAlignCenter
		if t.kind != "" {
			counts[t.kind] = sub
		} else {
			note := t.note
			if note == "" {
				note = "home.window"
			}
			sub.SetText(e.L(note))
		}
		side := 2 * theme.Size(theme.SizeNameInlineIcon)
		// Spacers centre the tile's content vertically while the labels keep
		// the tile's full width.
		content := container.NewVBox(layout.NewSpacer(),
			container.NewCenter(container.NewGridWrap(fyne.NewSize(side, side), icon)),
			name, sub, layout.NewSpacer())
		objs = append(objs, e.card(t.title(), content, t.open))
	}
	load(e, func(ctx context.Context) (store.Status, error) { return e.src.Status(ctx) },
		func(st store.Status, err error) {
			if err != nil {
				return
			}
			for kind, l := range counts {
				l.SetText(e.Lf("home.count", strconv.Itoa(st.Counts[kind])))
			}
		})

	entry := e.entry(e.L("search.placeholder"))
	entry.SetText(*query)
	entry.OnChanged = func(s string) {
		*query = s
		e.touch()
	}
	search := func() {
		e.kb.Commit() // pinyin letters typed and not yet converted
		if *query != "" {
			openSearch(e, e.src, *query, nil)
		}
	}
	entry.OnSubmitted = func(string) { search() }
	searchBtn := e.primary(e.L("search.button"), theme.SearchIcon(), search)
	bar := container.NewBorder(nil, nil, nil, searchBtn, entry)
	return container.NewBorder(container.NewPadded(bar), nil, nil, nil,
		roomy(container.NewPadded(container.New(tileGrid{}, objs...))))
}

// tileGrid lays the home tiles out in 4 columns on a landscape screen and
// in 2 columns on a portrait one (2x4: not 4 pillars a quarter wide), each
// tile taking an equal share of the room.
type tileGrid struct{}

func (tileGrid) columns(size fyne.Size) int {
	if size.Width < size.Height {
		return 2
	}
	return 4
}

// MinSize is the landscape grid's: a portrait screen always has the
// height the taller grid needs.
func (tileGrid) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var cell fyne.Size
	for _, o := range objs {
		cell = cell.Max(o.MinSize())
	}
	pad := theme.Padding()
	rows := (len(objs) + 3) / 4
	return fyne.NewSize(2*cell.Width+pad, float32(rows)*cell.Height+float32(rows-1)*pad)
}

func (g tileGrid) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	cols := g.columns(size)
	rows := (len(objs) + cols - 1) / cols
	pad := theme.Padding()
	w := (size.Width - float32(cols-1)*pad) / float32(cols)
	h := (size.Height - float32(rows-1)*pad) / float32(rows)
	for i, o := range objs {
		c, r := i%cols, i/cols
		o.Move(fyne.NewPos(float32(c)*(w+pad), float32(r)*(h+pad)))
		o.Resize(fyne.NewSize(w, h))
	}
}

// appealTile is 我要反映: the appeal form on a kiosk that can file cases,
// the service window otherwise.
func appealTile(e *env) tile {
	t := tile{title: func() string { return e.L("tile.appeal") }, icon: theme.MailSendIcon()}
	if e.cases == nil {
		t.open = func() { openSoon(e, e.L("tile.appeal")) }
		return t
	}
	t.note = "home.here"
	t.open = func() { openAppeal(e, e.cases) }
	return t
}

// trackTile is 办件查询: tracking on a kiosk that keeps cases, the
// service window otherwise.
func trackTile(e *env) tile {
	t := tile{title: func() string { return e.L("tile.track") }, icon: theme.SearchIcon()}
	if e.tracker == nil {
		t.open = func() { openSoon(e, e.L("tile.track")) }
		return t
	}
	t.note = "home.here"
	t.open = func() { openTrack(e, e.tracker) }
	return t
}

// openSoon shows what a resident can do for a service the kiosk does not
// offer: where the service window is and when it is open. It is not a
// dead end: back and home are above it like everywhere.
func openSoon(e *env, title string) {
	e.openRead(func() string { return title }, func() fyne.CanvasObject { return newSoon(e) })
}
