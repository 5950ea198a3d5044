package ui

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"jiezhen/data"
	"jiezhen/data/store"
	"jiezhen/ui/keyboard"
)

// CaseWriter files what a resident gives the district: a case, made
// durable in the outbox together with the kiosk's own copy, or an opinion
// (store.Store implements it). The store builds the outbox items.
type CaseWriter interface {
	FileCase(ctx context.Context, c data.Case, kiosk int64, days int) (data.Case, error)
	FileOpinion(ctx context.Context, o data.Opinion) (data.Opinion, error)
}

var _ CaseWriter = (*store.Store)(nil)

// MaxAppealText is the longest description an appeal takes, in characters.
const MaxAppealText = data.MaxAppealText

// appealCategories are what an appeal is about, in display order; the
// stored category is the key's last part.
var appealCategories = data.AppealCategories

// The steps of the appeal form; the receipt follows them.
const (
	appealStepType = iota
	appealStepText
	appealStepContact
	appealStepReview
	appealStepReceipt
)

// appealForm is what the resident has entered so far. It lives in the
// screen's closure, so 完成, the home button and the idle reset, which
// drop the screen, drop it with everything personal in it.
type appealForm struct {
	step        int
	typ         data.AppealType
	category    string
	description string
	location    string
	anonymous   bool
	name        string
	mobile      string
	problem     string // why the last 下一步 or 提交 did not go on
	// errs are the problems of the page's fields, each shown at its
	// field (type, category, description, name, mobile) until fixed.
	errs      map[string]string
	summary   fyne.CanvasObject // what shows problem, hidden once every field is fixed
	submitErr string
	filed     *filedCase // after 提交: what the receipt shows
}

// openAppeal starts a new appeal (我要反映).
func openAppeal(e *env, w CaseWriter) { openAppealForm(e, w, &appealForm{}) }

// openAppealForm shows the appeal form at the step and with the entries
// of f.
func openAppealForm(e *env, w CaseWriter, f *appealForm) {
	e.open(func() string {
		if f.step == appealStepReceipt {
			return e.L("receipt.title")
		}
		return e.L("tile.appeal")
	}, func() fyne.CanvasObject {
		e.holds(f.unsaved)
		return newAppeal(e, w, f)
	})
}

// unsaved reports answers given and not yet filed.
func (f *appealForm) unsaved() bool {
	return f.step < appealStepReceipt && (f.typ != "" || f.category != "" || strings.TrimSpace(f.description) != "" ||
		strings.TrimSpace(f.location) != "" || f.name != "" || f.mobile != "")
}

// keyEntry registers an entry made by the keyboard with the screen being
// built, like env.entry, for entries of other modes.
func (e *env) keyEntry(label string, en *keyboard.Entry) *keyboard.Entry {
	e.entries++
	en.Label = label
	en.SetPlaceHolder(label)
	return en
}

func newAppeal(e *env, w CaseWriter, f *appealForm) fyne.CanvasObject {
	var page, nav fyne.CanvasObject
	switch f.step {
	case appealStepType:
		page, nav = e.appealTypePage(f)
		// In 长者模式 and English the tiles take more rows than fit.
		page = roomy(page)
	case appealStepText:
		page, nav = e.appealTextPage(f)
	case appealStepContact:
		page, nav = e.appealContactPage(f)
	case appealStepReview:
		page, nav = e.appealReviewPage(w, f)
	default:
		return newReceipt(e, f.filed)
	}
	// The buttons, with the step between them, stay in place under the page.
	var bar fyne.CanvasObject = nav
	if f.problem != "" {
		f.summary = e.problemText(f.problem)
		bar = container.NewVBox(f.summary, nav)
	}
	return e.steps(page, bar)
}

// go moves the form to step, clearing the last complaint.
func (e *env) appealGo(f *appealForm, step int) {
	f.step, f.problem, f.submitErr, f.errs = step, "", "", nil
	e.refresh()
}

// flag records the problem of a field of the page; the page then says to
// fix what is marked.
func (e *env) flag(f *appealForm, field, problem string) {
	if f.errs == nil {
		f.errs = map[string]string{}
	}
	f.errs[field] = problem
	f.problem = e.L("form.fix_page")
}

// fixed forgets the problem of a field; once none is left, the page's
// complaint goes too.
func (f *appealForm) fixed(field string) {
	delete(f.errs, field)
	if len(f.errs) == 0 && f.problem != "" {
		f.problem = ""
		if f.summary != nil {
			f.summary.Hide()
		}
	}
}

// fieldProblem is the problem shown under a field of the appeal form,
// hidden while there is none.
func (e *env) fieldProblem(s string) *wrapLabel {
	l := newWrap(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.Importance = widget.DangerImportance
	if s == "" {
		l.Hide()
	}
	return l
}

// showProblem sets the text of a fieldProblem, hiding it when empty.
func showProblem(l *wrapLabel, s string) {
	l.SetText(s)
	if s == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

// choices lays out large choice tiles; the chosen one is highlighted.
func (e *env) choices(cols int, labels []string, chosen int, pick func(i int)) fyne.CanvasObject {
	var objs []fyne.CanvasObject
	for i, l := range labels {
		i := i
		b := e.button(l, nil, func() { pick(i) })
		if i == chosen {
			markChosen(b)
		}
		objs = append(objs, b)
	}
	// Every column is as wide as the widest tile: with long labels (English
	// in 长者模式) fewer columns keep the row inside the screen, and the
	// tiles, now on more rows, keep the ordinary height so that the page
	// still fits.
	widest := float32(0)
	for _, o := range objs {
		widest = max(widest, o.MinSize().Width)
	}
	pad := theme.Padding()
	want := cols
	for cols > 1 && float32(cols)*(widest+pad) > formScreenWidth-4*pad {
		cols--
	}
	if cols == want {
		for _, o := range objs {
			o.(*tapButton).min *= 1.25
		}
	}
	// The chosen tile has a tick where it fits. The columns are counted
	// without it: a tick that widened the tile would take a column away
	// when chosen, move every tile under the finger and push the last row
	// out of the page (English in 长者模式). Where it does not fit, the
	// tile's colour alone shows the choice.
	if chosen >= 0 && chosen < len(objs) {
		b := objs[chosen].(*tapButton)
		b.Icon = theme.ConfirmIcon()
		b.Refresh()
		if cell := (formScreenWidth-4*pad)/float32(cols) - pad; b.MinSize().Width > cell {
			b.Icon = nil
			b.Refresh()
		}
	}
	return container.NewGridWithColumns(cols, objs...)
}

func (e *env) problemText(s string) fyne.CanvasObject {
	if s == "" {
		return layout.NewSpacer()
	}
	l := newWrap(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.Importance = widget.DangerImportance
	return l
}

// stepBar is what stays under a form's page: its step buttons, with the
// problem that stopped the last step above them if there is one.
func (e *env) stepBar(problem string, nav fyne.CanvasObject) fyne.CanvasObject {
	if problem == "" {
		return nav
	}
	return container.NewVBox(e.problemText(problem), nav)
}

func (e *env) appealNav(f *appealForm, prev, next func(), nextLabel string) fyne.CanvasObject {
	var left fyne.CanvasObject = layout.NewSpacer()
	if prev != nil {
		left = e.button(e.L("appeal.prev"), theme.NavigateBackIcon(), prev)
	}
	n := e.primary(nextLabel, theme.NavigateNextIcon(), next)
	steps := widget.NewLabel(e.Lf("appeal.step", f.step+1, appealStepReceipt))
	steps.Alignment = fyne.TextAlignCenter
	return container.NewBorder(nil, nil, left, n, container.NewCenter(steps))
}

func (e *env) appealTypePage(f *appealForm) (page, nav fyne.CanvasObject) {
	types := make([]string, len(data.AppealTypes))
	chosenType := -1
	for i, t := range data.AppealTypes {
		types[i] = t.Label(e.lang)
		if t == f.typ {
			chosenType = i
		}
	}
	cats := make([]string, len(appealCategories))
	chosenCat := -1
	for i, c := range appealCategories {
		cats[i] = e.L("appeal.cat." + c)
		if c == f.category {
			chosenCat = i
		}
	}
	next := func() {
		if f.typ == "" {
			e.flag(f, "type", e.L("appeal.need_type"))
		}
		if f.category == "" {
			e.flag(f, "category", e.L("appeal.need_category"))
		}
		if len(f.errs) == 0 {
			e.appealGo(f, appealStepText)
			return
		}
		e.refresh()
	}
	box := container.NewVBox(subheading(e.L("appeal.type")))
	if p := f.errs["type"]; p != "" {
		box.Add(e.fieldProblem(p))
	}
	box.Add(markedBox(e.choices(6, types, chosenType, func(i int) { f.typ = data.AppealTypes[i]; f.fixed("type"); e.refresh() }), f.errs["type"] != ""))
	box.Add(subheading(e.L("appeal.category")))
	if p := f.errs["category"]; p != "" {
		box.Add(e.fieldProblem(p))
	}
	box.Add(markedBox(e.choices(3, cats, chosenCat, func(i int) { f.category = appealCategories[i]; f.fixed("category"); e.refresh() }), f.errs["category"] != ""))
	return box, e.appealNav(f, nil, next, e.L("appeal.next"))
}

func (e *env) appealTextPage(f *appealForm) (page, nav fyne.CanvasObject) {
	desc := e.keyEntry(e.L("appeal.description"), e.kb.NewMultiLineEntry())
	desc.SetPlaceHolder(e.L("appeal.description_hint"))
	desc.SetMinRowsVisible(4)
	desc.SetText(f.description)
	count := widget.NewLabel("")
	count.Alignment = fyne.TextAlignTrailing
	showCount := func(s string) {
		count.SetText(e.Lf("appeal.count", utf8.RuneCountInString(s), MaxAppealText))
	}
	showCount(f.description)
	descMsg := e.fieldProblem(f.errs["description"])
	markEntry(desc, f.errs["description"] != "")
	desc.OnChanged = func(s string) {
		e.touch()
		if utf8.RuneCountInString(s) > MaxAppealText {
			s = string([]rune(s)[:MaxAppealText])
			desc.SetText(s)
			return
		}
		f.description = s
		showCount(s)
		if strings.TrimSpace(s) != "" && f.errs["description"] != "" {
			f.fixed("description")
			markEntry(desc, false)
			showProblem(descMsg, "")
		}
	}
	loc := e.entry(e.L("appeal.location"))
	loc.Last = true // 填好了, not back up to the description
	loc.SetText(f.location)
	loc.OnChanged = func(s string) { e.touch(); f.location = s }
	next := func() {
		e.kb.Commit()
		if strings.TrimSpace(f.description) == "" {
			e.flag(f, "description", e.L("appeal.need_description"))
			e.refresh()
			return
		}
		e.appealGo(f, appealStepContact)
	}
	return container.NewVBox(
		container.NewBorder(nil, nil, nil, count, subheading(e.L("appeal.description"))),
		desc,
		descMsg,
		fields2(e.L("appeal.location"), loc, nil),
	), e.appealNav(f, func() { e.kb.Commit(); e.appealGo(f, appealStepType) }, next, e.L("appeal.next"))
}

// mobileProblem is the message next to the mobile field while it is
// typed: none while the digits typed so far can still become a number.
func (e *env) mobileProblem(s string, final bool) string {
	if s == "" {
		if final {
			return data.ReasonRequired.Message(e.lang)
		}
		return ""
	}
	err := data.ValidateMobile(s)
	if err == nil {
		return ""
	}
	prefix := len(s) < 11 && strings.Trim(s, "0123456789") == "" && s[0] == '1' && (len(s) < 2 || s[1] >= '3')
	if prefix && !final {
		return ""
	}
	return e.errText(err)
}

func (e *env) appealContactPage(f *appealForm) (page, nav fyne.CanvasObject) {
	anon := e.choices(2, []string{e.L("appeal.named"), e.L("appeal.anonymous")}, map[bool]int{false: 0, true: 1}[f.anonymous],
		func(i int) { f.anonymous, f.problem, f.errs = i == 1, "", nil; e.refresh() })
	next := func() {
		e.kb.Commit()
		if !f.anonymous {
			if strings.TrimSpace(f.name) == "" {
				e.flag(f, "name", e.L("appeal.need_name"))
			}
			if p := e.mobileProblem(f.mobile, true); p != "" {
				e.flag(f, "mobile", p)
			}
			if len(f.errs) > 0 {
				e.refresh()
				return
			}
		}
		e.appealGo(f, appealStepReview)
	}
	prev := func() { e.kb.Commit(); e.appealGo(f, appealStepText) }
	box := container.NewVBox(subheading(e.L("appeal.contact_hint")), anon)
	if f.anonymous {
		box.Add(para(e.L("appeal.anonymous_hint")))
	} else {
		name := e.entry(e.L("appeal.name"))
		name.SetText(f.name)
		nameMsg := e.fieldProblem(f.errs["name"])
		markEntry(name, f.errs["name"] != "")
		name.OnChanged = func(s string) {
			e.touch()
			f.name = s
			if strings.TrimSpace(s) != "" && f.errs["name"] != "" {
				f.fixed("name")
				markEntry(name, false)
				showProblem(nameMsg, "")
			}
		}
		mobile := e.keyEntry(e.L("appeal.mobile"), e.kb.NewEntry(keyboard.Digits))
		mobile.Last = true
		mobile.SetText(f.mobile)
		// A number found wrong by 下一步 is judged whole until it is
		// right; before that, only what can no longer become a number.
		msg := e.fieldProblem(e.mobileProblem(f.mobile, f.errs["mobile"] != ""))
		markEntry(mobile, f.errs["mobile"] != "")
		mobile.OnChanged = func(s string) {
			e.touch()
			f.mobile = s
			flagged := f.errs["mobile"] != ""
			showProblem(msg, e.mobileProblem(s, flagged))
			if flagged && e.mobileProblem(s, true) == "" {
				f.fixed("mobile")
				markEntry(mobile, false)
			}
		}
		box.Add(aligned(fields2(e.L("appeal.name"), name, nameMsg), fields2(e.L("appeal.mobile"), mobile, msg)))
	}
	return box, e.appealNav(f, prev, next, e.L("appeal.next"))
}

// aligned lays out rows made by fields2 as one form: their inputs start
// at the same x, however long each label is.
func aligned(rows ...fyne.CanvasObject) fyne.CanvasObject {
	var objs []fyne.CanvasObject
	for _, r := range rows {
		objs = append(objs, r.(*fyne.Container).Objects...)
	}
	return container.New(layout.NewFormLayout(), objs...)
}

// fields2 is a labelled input with its message under it.
func fields2(label string, input fyne.CanvasObject, msg fyne.CanvasObject) fyne.CanvasObject {
	k := widget.NewLabelWithStyle(label, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	right := input
	if msg != nil {
		right = container.NewVBox(input, msg)
	}
	return container.New(layout.NewFormLayout(), k, right)
}

func (e *env) appealReviewPage(w CaseWriter, f *appealForm) (page, nav fyne.CanvasObject) {
	contact := e.L("appeal.anonymous")
	if !f.anonymous {
		contact = f.name + "  " + data.MaskMobile(f.mobile)
	}
	summary := fields(
		e.L("appeal.type"), f.typ.Label(e.lang),
		e.L("appeal.category"), e.L("appeal.cat."+f.category),
		e.L("appeal.description"), f.description,
		e.L("appeal.where"), f.location,
		e.L("appeal.contact"), contact,
		e.L("appeal.deadline"), e.Lf("appeal.days", data.DefaultAppealDays[f.typ]),
	)
	consentKey := "appeal.consent"
	if f.anonymous {
		consentKey = "appeal.consent_anonymous"
	}
	consent := para(e.L(consentKey))
	submit := func() {
		f.submitErr = ""
		e.submitAppeal(w, f)
	}
	box := container.NewVBox(subheading(e.L("appeal.review")), summary, widget.NewSeparator(), consent)
	if f.submitErr != "" {
		box.Add(e.problemText(f.submitErr))
	}
	return e.scrollPages(box), e.appealNav(f, func() { e.appealGo(f, appealStepContact) }, submit, e.L("appeal.submit"))
}

// submitAppeal files the appeal: the case and its outbox item are written
// in one durable transaction, and only then does the receipt show. A
// failed write keeps the form and says so.
func (e *env) submitAppeal(w CaseWriter, f *appealForm) {
	c := data.Case{
		Kind:        data.CaseAppeal,
		Street:      e.street.Code,
		Status:      data.StatusSubmitted,
		SubmittedAt: e.now(),
		Anonymous:   f.anonymous,
		AppealType:  f.typ,
		Category:    f.category,
		Description: strings.TrimSpace(f.description),
		Location:    strings.TrimSpace(f.location),
	}
	if e.kioskID > 0 {
		c.Kiosk = fmt.Sprint(e.kioskID)
	}
	if !f.anonymous {
		c.Applicant = &data.Person{Name: strings.TrimSpace(f.name), Mobile: f.mobile}
	}
	e.fileCase(w, c, nil, data.DefaultAppealDays[c.AppealType], func(filed *filedCase, err error) {
		if err != nil {
			f.submitErr = e.L("appeal.submit_failed") + "\n" + e.errText(err)
			e.refresh()
			return
		}
		// Nothing personal stays in the form behind the receipt.
		*f = appealForm{step: appealStepReceipt, filed: filed}
		e.refresh()
	})
}
