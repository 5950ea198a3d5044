package ui

import (
	"context"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"jiezhen/data"
	"jiezhen/data/store"
)

// providerState is the provider list's position and filters.
type providerState struct {
	listState
	category string // empty: every category
	openNow  bool
}

// providerItem is a list row with what the badge needs: the list query
// returns no opening hours, so each row of the page is read in full.
type providerItem struct {
	store.ProviderRow
	open bool
}

// openProviders lists local businesses and service providers, with
// filters by category and "open now".
func openProviders(e *env, src ProviderReader) {
	st := &providerState{}
	e.open(func() string { return e.L("tile.provider") }, func() fyne.CanvasObject {
		return newProviderList(e, src, st)
	})
}

func newProviderList(e *env, src ProviderReader, st *providerState) fyne.CanvasObject {
	// The filters are copied: the loads run off the Fyne goroutine, and a
	// change of filter rebuilds the screen.
	category, openNow := st.category, st.openNow
	l := newPagedList(e, &st.listState,
		func(ctx context.Context, p store.Page) ([]providerItem, int, error) {
			now := e.now()
			f := store.ProviderFilter{Category: category}
			if openNow {
				f.OpenAt = now
			}
			rows, total, err := src.ListProviders(ctx, f, p)
			if err != nil {
				return nil, 0, err
			}
			items := make([]providerItem, len(rows))
			for i, r := range rows {
				items[i].ProviderRow = r
				if full, err := src.Provider(ctx, r.ID); err == nil {
					items[i].open = full.Hours.OpenAt(now)
				}
			}
			return items, total, nil
		},
		func(r providerItem) rowText {
			return rowText{title: r.Name, detail: joinDot(r.Category, r.Address, r.Phone),
				badge: openWord(e, r.open), on: r.open}
		},
		func(r providerItem) { openProvider(e, src, r.ID) })

	cat := e.L("provider.all")
	if st.category != "" {
		cat = st.category
	}
	catBtn := e.button(e.Lf("provider.category", cat), theme.MenuDropDownIcon(), func() {
		openProviderCategories(e, src, st)
	})
	catBtn.IconPlacement = widget.ButtonIconTrailingText
	openIcon := theme.CheckButtonIcon()
	if st.openNow {
		openIcon = theme.CheckButtonCheckedIcon()
	}
	openBtn := e.button(e.L("provider.open_now"), openIcon, func() {
		st.openNow = !st.openNow
		st.offset = 0
		e.refresh()
	})
	filters := container.NewBorder(nil, nil, container.NewHBox(catBtn, openBtn), nil, e.searchBar(data.KindProvider))
	return container.NewBorder(filters, nil, nil, nil, l.obj)
}

func openWord(e *env, open bool) string {
	if open {
		return e.L("provider.open")
	}
	return e.L("provider.closed")
}

// openProviderCategories lets the resident pick a category with large
// tiles instead of a drop-down menu, whose rows are too small to touch.
func openProviderCategories(e *env, src ProviderReader, st *providerState) {
	e.open(func() string { return e.L("provider.pick_category") }, func() fyne.CanvasObject {
		cols := 4
		if e.isPortrait() {
			cols = 2
		}
		grid := container.NewGridWithColumns(cols)
		pick := func(c string) func() {
			return func() {
				st.category = c
				st.offset = 0
				e.back()
			}
		}
		load(e, func(ctx context.Context) ([]store.CategoryCount, error) { return src.ProviderCategories(ctx) },
			func(cats []store.CategoryCount, err error) {
				if err != nil {
					grid.Add(e.errorText(err))
					return
				}
				total := 0
				for _, c := range cats {
					total += c.Count
				}
				add := func(label, value string, n int) {
					name := widget.NewLabelWithStyle(label, fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
					count := widget.NewLabel(e.Lf("home.count", strconv.Itoa(n)))
					count.Alignment = fyne.TextAlignCenter
					grid.Add(e.card(label, container.NewCenter(container.NewVBox(name, count)), pick(value)))
				}
				add(e.L("provider.all"), "", total)
				for _, c := range cats {
					add(c.Category, c.Category, c.Count)
				}
			})
		// Many categories are taller than the window in 长者模式.
		return e.scrollPages(container.NewPadded(grid))
	})
}

func openProvider(e *env, src ProviderReader, id string) {
	e.openRead(func() string { return e.L("provider.title") }, func() fyne.CanvasObject {
		return newProviderDetail(e, src, id)
	})
}

// newProviderDetail shows a provider with an 营业中 / 已打烊 badge from the
// kiosk's clock, and 等待区县确认 while a staff edit of it is on its way.
func newProviderDetail(e *env, src ProviderReader, id string) fyne.CanvasObject {
	type shown struct {
		p       data.Provider
		waiting bool
	}
	return loadDetail(e, func(ctx context.Context) (shown, error) {
		p, err := src.Provider(ctx, id)
		return shown{p, err == nil && e.waiting(ctx, data.KindProvider, id)}, err
	}, func(s shown) fyne.CanvasObject { return e.providerView(s.p, s.waiting) })
}

// providerView lays out a provider as residents see it; staff previews
// use it too.
func (e *env) providerView(p data.Provider, waiting bool) fyne.CanvasObject {
	open := p.Hours.OpenAt(e.now())
	marks := badge(openWord(e, open), open)
	if waiting {
		marks = container.NewHBox(marks, waitBadge(e.L("staff.waiting")))
	}
	title := container.NewBorder(nil, nil, nil, container.NewCenter(marks), heading(p.Name))
	info := fields(
		e.L("provider.kind"), joinDot(p.Kind.Label(e.lang), p.Category),
		e.L("provider.address"), p.Address,
		e.L("provider.phone"), p.Phone,
		e.L("provider.hours"), p.Hours.Summary(e.lang),
		e.L("provider.services"), strings.Join(p.Services, e.L("list.separator")),
		e.L("provider.description"), p.Description,
	)
	return container.NewVBox(title, info)
}
