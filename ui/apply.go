package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"

	"jiezhen/data"
)

// 我要申报: the service items a resident can apply for on the kiosk, by
// category, each opening its guide with 在线申报.

// applyTile is 我要申报: the online items on a kiosk that can file cases,
// the service window otherwise.
func applyTile(e *env) tile {
	t := tile{title: func() string { return e.L("tile.apply") }, icon: theme.DocumentCreateIcon()}
	if e.cases == nil {
		t.open = func() { openSoon(e, e.L("tile.apply")) }
		return t
	}
	t.note = "home.here"
	t.open = func() { openApplyCategories(e, e.src) }
	return t
}

// openApplyCategories shows the four categories with the number of items
// in each that can be applied for here.
func openApplyCategories(e *env, src ServiceReader) {
	e.open(func() string { return e.L("tile.apply") }, func() fyne.CanvasObject {
		hint := para(e.L("apply.hint"))
		return container.NewBorder(container.NewPadded(hint), nil, nil, nil, e.serviceCategoryTiles(src, true))
	})
}

// applyButton is the guide's 在线申报 for an item that can be applied for
// here, or nil.
func (e *env) applyButton(s data.ServiceItem) fyne.CanvasObject {
	if !s.AppliesOnline() || e.cases == nil {
		return nil
	}
	b := e.primary(e.L("apply.button"), theme.DocumentCreateIcon(), func() { openApplication(e, e.cases, s) })
	b.min = 1.5 * b.min
	return b
}

// openApplication starts an application for s.
func openApplication(e *env, w CaseWriter, s data.ServiceItem) {
	openForm(e, w, applicationSpec(e, s), newFormState())
}

func applicationSpec(e *env, s data.ServiceItem) *formSpec {
	svc := s
	return &formSpec{
		title:  func() string { return e.L("apply.title") + " · " + svc.Name },
		fields: svc.Form.WithApplicant().Fields,
		build: func(v data.FormValues, today data.Date) (data.Case, error) {
			return data.NewApplication(svc, v, today)
		},
		review:  func() fyne.CanvasObject { return e.materialsToBring(svc) },
		consent: e.Lf("apply.consent", svc.Department),
		svc:     &svc,
		failed:  e.L("apply.submit_failed"),
	}
}

// materialsToBring lists the materials of the guide for the review page:
// the window checks them in person.
func (e *env) materialsToBring(s data.ServiceItem) fyne.CanvasObject {
	box := container.NewVBox(subheading(e.L("apply.bring")))
	var lines []string
	for _, m := range s.Materials {
		need := e.L("service.optional")
		if m.Required {
			need = e.L("service.required")
		}
		lines = append(lines, joinDot(m.Name, m.Form.Label(e.lang), e.Lf("service.copies", m.Count), need))
	}
	box.Add(numbered(lines))
	if s.Location != "" {
		box.Add(para(e.Lf("apply.where", s.Location)))
	}
	return box
}
