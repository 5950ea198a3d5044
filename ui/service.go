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

// openServiceCategories shows the four categories of the catalogue of
// administrative powers, each with its number of service items.
func openServiceCategories(e *env, src ServiceReader) {
	e.open(func() string { return e.L("tile.service") }, func() fyne.CanvasObject {
		return newServiceCategories(e, src)
	})
}

func newServiceCategories(e *env, src ServiceReader) fyne.CanvasObject {
	return container.NewBorder(container.NewPadded(e.searchBar(data.KindService)), nil, nil, nil,
		e.serviceCategoryTiles(src, false))
}

// serviceCategoryTiles are the four power categories as tiles with their
// number of service items, each opening its list (openServiceList): all
// the items, or with online only those that can be applied for here.
func (e *env) serviceCategoryTiles(src ServiceReader, online bool) fyne.CanvasObject {
	countKey := "home.count"
	if online {
		countKey = "apply.count"
	}
	var tiles []fyne.CanvasObject
	for _, c := range data.PowerCategories {
		if online && !c.ResidentsApply() {
			continue // a resident reports these (我要反映), not applies
		}
		name := subheading(c.Label(e.lang))
		name.Alignment = fyne.TextAlignCenter
		name.Wrapping = fyne.TextWrapOff
		count := widget.NewLabel(" ")
		count.Alignment = fyne.TextAlignCenter
		load(e, func(ctx context.Context) (int, error) {
			_, n, err := src.ListServices(ctx, store.ServiceFilter{Category: c, Online: online}, store.Page{Limit: 1})
			return n, err
		}, func(n int, err error) {
			if err == nil {
				count.SetText(e.Lf(countKey, strconv.Itoa(n)))
			}
		})
		tiles = append(tiles, e.card(c.Label(e.lang), container.NewCenter(container.NewVBox(name, count)),
			func() { openServiceList(e, src, c, online) }))
	}
	return container.NewPadded(container.NewGridWithColumns(2, tiles...))
}

// openServiceList lists the service items of one power category, each
// opening its guide: under 办事指南 all of them, below the category
// search; under 我要申报 (online) only those that can be applied for
// here, whose guide has 在线申报. An item that can be applied for here is
// marked so in either.
func openServiceList(e *env, src ServiceReader, c data.PowerCategory, online bool) {
	st := &listState{}
	tileKey := "tile.service"
	if online {
		tileKey = "tile.apply"
	}
	e.open(func() string { return e.L(tileKey) + " · " + c.Label(e.lang) }, func() fyne.CanvasObject {
		l := newPagedList(e, st,
			func(ctx context.Context, p store.Page) ([]store.ServiceRow, int, error) {
				return src.ListServices(ctx, store.ServiceFilter{Category: c, Online: online}, p)
			},
			func(r store.ServiceRow) rowText {
				t := rowText{title: r.Name, detail: joinDot(r.Department, r.Code)}
				if r.Online && c.ResidentsApply() && e.cases != nil {
					t.badge, t.on = e.L("home.here"), true
				}
				return t
			},
			func(r store.ServiceRow) { openService(e, src, r.ID) })
		if online {
			return l.obj
		}
		return container.NewBorder(e.searchBar(data.KindService), nil, nil, nil, l.obj)
	})
}

func openService(e *env, src ServiceReader, id string) {
	e.openRead(func() string { return e.L("service.title") }, func() fyne.CanvasObject {
		return newServiceDetail(e, src, id)
	})
}

// newServiceDetail shows a complete service guide, section by section,
// with QR codes for the guide online and for every blank form.
func newServiceDetail(e *env, src ServiceReader, id string) fyne.CanvasObject {
	type shown struct {
		s    data.ServiceItem
		held heldFiles
	}
	return loadDetail(e, func(ctx context.Context) (shown, error) {
		s, err := src.Service(ctx, id)
		if err != nil {
			return shown{}, err
		}
		return shown{s, loadHeld(ctx, src, templates(s))}, nil
	}, func(v shown) fyne.CanvasObject { return e.serviceGuide(v.s, v.held) })
}

// serviceGuide lays out a guide; held are the blank forms the kiosk holds
// (may be nil).
func (e *env) serviceGuide(s data.ServiceItem, held heldFiles) fyne.CanvasObject {
	basic := fields(
		e.L("service.code"), s.Code,
		e.L("service.category"), s.Category.Label(e.lang),
		e.L("service.department"), s.Department,
		e.L("service.audience"), s.Audience,
		e.L("service.basis"), strings.Join(s.Basis, "\n"),
		e.L("service.visits"), e.Lf("service.visits_n", s.Visits),
	)
	head := container.NewVBox(heading(s.Name))
	apply := e.applyButton(s)
	if apply != nil {
		head.Add(container.NewHBox(apply))
	}
	head.Add(subheading(e.L("service.basic")))
	head.Add(basic)
	top := fyne.CanvasObject(head)
	if s.URL != "" {
		top = container.NewBorder(nil, nil, nil, e.qrCode(e.L("service.qr_guide"), s.URL), top)
	}
	c := container.NewVBox(top)
	section := func(key string, objs ...fyne.CanvasObject) {
		c.Add(widget.NewSeparator())
		c.Add(subheading(e.L(key)))
		for _, o := range objs {
			c.Add(o)
		}
	}
	section("service.conditions", numbered(s.Conditions))
	var mats []fyne.CanvasObject
	for i, m := range s.Materials {
		need := e.L("service.optional")
		if m.Required {
			need = e.L("service.required")
		}
		name := newWrap(strconv.Itoa(i+1)+". "+m.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		detail := para(joinDot(m.Form.Label(e.lang), e.Lf("service.copies", m.Count), need, m.Note))
		row := fyne.CanvasObject(container.NewVBox(name, detail))
		if m.Template != nil {
			if v := e.heldView(*m.Template, held, e.L("service.qr_form")); v != nil {
				row = container.NewVBox(row, v)
			} else if m.Template.URL != "" {
				row = container.NewBorder(nil, nil, nil, e.qrCode(e.L("service.qr_form"), m.Template.URL), row)
			}
		}
		mats = append(mats, row)
	}
	section("service.materials", mats...)
	section("service.procedure", numbered(s.Procedure))
	limit := e.L("service.on_the_spot")
	if !s.OnTheSpot {
		limit = joinDot(e.Lf("service.legal_days", s.LegalDays), e.Lf("service.promised_days", s.PromisedDays))
	}
	section("service.time_limit", para(limit))
	section("service.fee", fields(e.L("service.fee_standard"), s.Fee, e.L("service.fee_basis"), s.FeeBasis))
	section("service.where_when", fields(e.L("service.location"), s.Location, e.L("service.hours"), s.Hours))
	section("service.phones", fields(e.L("service.phone"), s.Phone, e.L("service.complaint_phone"), s.ComplaintPhone))
	if len(s.FAQ) > 0 {
		var faq []fyne.CanvasObject
		for _, f := range s.FAQ {
			q := newWrap(e.L("service.q")+f.Q, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			faq = append(faq, q, para(e.L("service.a")+f.A))
		}
		section("service.faq", faq...)
	}
	switch {
	case apply != nil:
		c.Add(widget.NewSeparator())
		c.Add(container.NewHBox(e.applyButton(s)))
	case !s.Category.ResidentsApply() && e.cases != nil:
		// A resident who saw such a problem reports it (我要反映).
		c.Add(widget.NewSeparator())
		c.Add(para(e.L("service.report_hint")))
		c.Add(container.NewHBox(e.button(e.L("tile.appeal"), theme.MailSendIcon(), func() { openAppeal(e, e.cases) })))
	case s.Online:
		c.Add(widget.NewSeparator())
		hint := newWrap(e.L("service.online_hint"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		c.Add(container.NewBorder(nil, nil, widget.NewIcon(theme.InfoIcon()), nil, hint))
	}
	return c
}

// numbered shows steps or conditions as a numbered list.
func numbered(items []string) fyne.CanvasObject {
	var b strings.Builder
	for i, it := range items {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(strconv.Itoa(i+1) + ". " + it)
	}
	return body(b.String())
}
