package ui

import (
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"jiezhen/data"
	"jiezhen/ui/keyboard"
	kioskTheme "jiezhen/ui/theme"
)

// A form generated from a data.FormSchema: the online application of a
// service item and the disclosure request. The fields are laid out in
// pages that fit the screen, each with its label, help and the input its
// type needs; problems show next to the field as it is typed, and 下一步
// checks the page with the same data code that checks the whole case (and
// `kiosk submit`). A review page shows everything masked, and 提交 files
// the case durably before the receipt shows.

// formSpec is what makes one kind of form.
type formSpec struct {
	title  func() string
	fields []data.FormField // applicant first
	// shows says whether a field is asked for given the answers so far;
	// nil asks for every field.
	shows func(code string, v data.FormValues) bool
	// label, help and choice give the texts shown for a field and a
	// choice; nil shows the schema's own.
	label  func(f data.FormField) string
	help   func(f data.FormField) string
	choice func(f data.FormField, c string) string
	// build checks the answers and makes the case (data.NewApplication,
	// data.NewDisclosure); its error is data.FieldErrors for bad answers.
	build func(v data.FormValues, today data.Date) (data.Case, error)
	// review adds to the review page (the materials to bring).
	review  func() fyne.CanvasObject
	consent string
	svc     *data.ServiceItem // for an application: its guide
	failed  string            // what a failed write says
	// intro, if set, shows under the fields of the first page, and what
	// it returns for later pages under theirs (nil: nothing): the
	// entries stay at the top, where the on-screen keyboard of 长者模式
	// leaves them in view.
	intro func(first bool) fyne.CanvasObject
	// submit, if set, replaces filing a case on the review page's 提交
	// (a correction is queued, not filed).
	submit func(st *formState)
}

// formState is what the resident has entered so far. It lives in the
// screen's closure, so 完成, the home button and the idle reset drop it
// with everything personal in it.
type formState struct {
	values    data.FormValues
	problems  map[string]data.Reason // shown next to their fields
	page      int                    // pages of fields, then the review
	picking   string                 // the date field whose picker is open
	pick      data.Date              // the date being picked
	problem   string                 // why the last 下一步 did not go on
	submitErr string
	filed     *filedCase // after 提交: what the receipt shows
	changed   bool       // the resident has typed or chosen something
}

func newFormState() *formState {
	return &formState{values: data.FormValues{}, problems: map[string]data.Reason{}}
}

// openForm shows the form of spec with the answers of st.
func openForm(e *env, w CaseWriter, spec *formSpec, st *formState) {
	e.open(func() string {
		if st.filed != nil {
			return e.L("receipt.title")
		}
		return spec.title()
	}, func() fyne.CanvasObject {
		e.holds(func() bool { return st.filed == nil && st.changed })
		return newForm(e, w, spec, st)
	})
}

func (s *formSpec) labelOf(f data.FormField) string {
	if s.label != nil {
		return s.label(f)
	}
	return f.Label
}

func (s *formSpec) helpOf(f data.FormField) string {
	if s.help != nil {
		return s.help(f)
	}
	return f.Help
}

func (s *formSpec) choiceOf(f data.FormField, c string) string {
	if s.choice != nil {
		return s.choice(f, c)
	}
	return c
}

// visible lists the fields asked for now.
func (s *formSpec) visible(v data.FormValues) []data.FormField {
	var out []data.FormField
	for _, f := range s.fields {
		if s.shows == nil || s.shows(f.Code, v) {
			out = append(out, f)
		}
	}
	return out
}

// formViewHeight is the height of the screen under the title bar: a page
// of fields and the buttons under it fit it without scrolling while the
// on-screen keyboard is down. The header, title bar and footer take what
// env.chromeHeight measures (about 222 pixels, 285 in 长者模式, at
// 1280x800); a window lower than the kiosk's 800 pixels is paged as if it
// had them, and scrolls.
func (e *env) formViewHeight() float32 {
	h := float32(800)
	if e.screenHeight != nil {
		h = max(h, e.screenHeight())
	}
	if e.chromeHeight != nil {
		if c := e.chromeHeight(); c > 0 {
			return h - c
		}
	}
	if e.elder {
		return h - 285
	}
	return h - 222
}

// isPortrait reports whether the window is taller than wide.
func (e *env) isPortrait() bool { return e.portrait != nil && e.portrait() }

// formScreenWidth is the width of the kiosk's screen.
const formScreenWidth = 1280

func newForm(e *env, w CaseWriter, spec *formSpec, st *formState) fyne.CanvasObject {
	if st.filed != nil {
		return newReceipt(e, st.filed)
	}
	if st.picking != "" {
		return e.datePicker(spec, st)
	}
	fields := spec.visible(st.values)
	objs := make([]fyne.CanvasObject, len(fields)*2)
	typed := make([]*keyboard.Entry, len(fields)) // the fields typed on the keyboard
	for i, f := range fields {
		objs[2*i], objs[2*i+1], typed[i] = e.formField(spec, st, f)
	}
	// Greedy pages by the real heights of the fields in this mode, with
	// their notes wrapped at the width they will have on the screen.
	var pages [][2]int // [from, to) into fields
	var h, labelW float32
	pad := theme.Padding()
	bottom := container.NewVBox(e.problemText(e.L("form.fix_page")), e.formNav(0, 1, func() {}, func() {}, e.L("appeal.next")))
	budget := e.formViewHeight() - bottom.MinSize().Height - 2*pad
	var intro [2]fyne.CanvasObject // the first page's, the others'
	var introH [2]float32
	if spec.intro != nil {
		for i := range intro {
			if intro[i] = spec.intro(i == 0); intro[i] == nil {
				continue
			}
			intro[i].Resize(fyne.NewSize(formScreenWidth-4*pad, intro[i].MinSize().Height))
			introH[i] = intro[i].MinSize().Height + pad
		}
	}
	pageBudget := func(n int) float32 { return budget - introH[min(n, 1)] }
	for i := range fields {
		labelW = max(labelW, objs[2*i].MinSize().Width)
	}
	for i := range fields {
		in := objs[2*i+1]
		in.Resize(fyne.NewSize(formScreenWidth-labelW-6*pad, in.MinSize().Height))
	}
	for i := range fields {
		fh := max(objs[2*i].MinSize().Height, objs[2*i+1].MinSize().Height) + pad
		if len(pages) == 0 || h+fh > pageBudget(len(pages)-1) {
			pages = append(pages, [2]int{i, i})
			h = 0
		}
		pages[len(pages)-1][1] = i + 1
		h += fh

	}
	st.page = min(st.page, len(pages))
	total := len(pages) + 1
	var page, nav fyne.CanvasObject
	if st.page < len(pages) {
		from, to := pages[st.page][0], pages[st.page][1]
		// The page's last typed field closes the keyboard (填好了) and so
		// brings 下一步 into view, rather than going back up to the first.
		for i := to - 1; i >= from; i-- {
			if typed[i] != nil {
				typed[i].Last = true
				break
			}
		}
		page = container.NewVBox(container.New(layout.NewFormLayout(), objs[2*from:2*to]...))
		if in := intro[min(st.page, 1)]; in != nil {
			page = container.NewBorder(nil, in, nil, nil, page)
		}
		var prev func()
		if st.page > 0 {
			prev = func() { e.kb.Commit(); e.formGo(st, st.page-1) }
		}
		next := func() {
			e.kb.Commit()
			if e.checkPage(spec, st, fields[from:to]) {
				e.formGo(st, st.page+1)
				return
			}
			st.problem = e.L("form.fix_page")
			e.refresh()
		}
		nav = e.formNav(st.page, total, prev, next, e.L("appeal.next"))
	} else {
		page = e.formReview(spec, st, fields)
		submit := func() { e.submitForm(w, spec, st) }
		if spec.submit != nil {
			submit = func() { spec.submit(st) }
		}
		nav = e.formNav(st.page, total, func() { e.formGo(st, len(pages)-1) }, submit, e.L("appeal.submit"))
	}
	return e.steps(page, e.stepBar(st.problem, nav))
}

func (e *env) formGo(st *formState, page int) {
	st.page, st.problem, st.submitErr = page, "", ""
	e.refresh()
}

func (e *env) formNav(step, total int, prev, next func(), nextLabel string) fyne.CanvasObject {
	var left fyne.CanvasObject = layout.NewSpacer()
	if prev != nil {
		left = e.button(e.L("appeal.prev"), theme.NavigateBackIcon(), prev)
	}
	n := e.primary(nextLabel, theme.NavigateNextIcon(), next)
	steps := widget.NewLabel(e.Lf("appeal.step", step+1, total))
	steps.Alignment = fyne.TextAlignCenter
	return container.NewBorder(nil, nil, left, n, container.NewCenter(steps))
}

// checkPage checks the whole form with the data code and keeps the
// problems of this page's fields; it reports whether there are none.
func (e *env) checkPage(spec *formSpec, st *formState, page []data.FormField) bool {
	_, err := spec.build(st.values, data.DateOf(e.now()))
	var errs data.FieldErrors
	errors.As(err, &errs)
	ok := true
	for _, f := range page {
		delete(st.problems, f.Code)
		if fe := errs.For(f.Code); fe != nil {
			st.problems[f.Code] = fe.Reason
			ok = false
		}
	}
	return ok
}

// liveProblem is the problem of a value being typed: none while it is
// empty or can still become a good value.
func liveProblem(f data.FormField, val string, today data.Date) data.Reason {
	if strings.TrimSpace(val) == "" {
		return ""
	}
	r := f.Problem(val, today)
	switch f.Type {
	case data.FieldMobile:
		if r != "" && len(val) < 11 && strings.Trim(val, "0123456789") == "" && val[0] == '1' && (len(val) < 2 || val[1] >= '3') {
			return ""
		}
	case data.FieldIDNumber:
		if r == data.ReasonIDLength && utf8.RuneCountInString(val) < 18 && strings.Trim(val, "0123456789") == "" {
			return ""
		}
	case data.FieldNumber:
		// 3. on the way to 3.5
		if r == data.ReasonNumber && strings.HasSuffix(val, ".") && f.Problem(val+"0", today) == "" {
			return ""
		}
		// 1 on the way to 12 when the field starts at 10: a number below
		// the minimum waits for the page's check.
		if n, err := strconv.ParseFloat(strings.TrimSuffix(val, "."), 64); (r == data.ReasonRange || r == data.ReasonNumber) &&
			err == nil && n >= 0 && f.Min.Set && n < f.Min.Value {
			return ""
		}
	}
	return r
}

// formField makes a field's label and its input with the note under it:
// the problem when there is one, else the help; en is the input when it
// is typed on the on-screen keyboard, nil otherwise.
func (e *env) formField(spec *formSpec, st *formState, f data.FormField) (label, input fyne.CanvasObject, en *keyboard.Entry) {
	text := spec.labelOf(f)
	if !f.Required && !strings.Contains(text, e.L("form.optional")) {
		text += e.L("form.optional")
	}
	l := widget.NewLabelWithStyle(text, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	note := newWrap("", fyne.TextAlignLeading, fyne.TextStyle{})
	help := spec.helpOf(f)
	var mark func(bad bool) // marks the input's border; set below
	showNote := func(r data.Reason) {
		if mark != nil {
			mark(r != "")
		}
		if r != "" {
			note.Importance = widget.DangerImportance
			note.TextStyle = fyne.TextStyle{Bold: true}
			note.SetText(e.reasonFor(f, r))
			return
		}
		note.Importance = widget.MediumImportance
		note.TextStyle = fyne.TextStyle{}
		note.SetText(help)
	}
	today := data.DateOf(e.now())
	typed := func(s string) {
		e.touch()
		st.changed = true
		if s == "" {
			delete(st.values, f.Code)
		} else {
			st.values[f.Code] = s
		}
		st.problems[f.Code] = liveProblem(f, s, today)
		showNote(st.problems[f.Code])
	}
	var in fyne.CanvasObject
	switch f.Type {
	case data.FieldChoice, data.FieldMultiChoice:
		in = markedBox(e.formChoices(spec, st, f), st.problems[f.Code] != "")
	case data.FieldDate:
		in = markedBox(e.dateButton(spec, st, f), st.problems[f.Code] != "")
	default:
		switch {
		case f.Type == data.FieldLongText:
			en = e.kb.NewMultiLineEntry()
			// Three lines, two on an 800-pixel screen, where a long text, a
			// note and a correction's reasons above them fill the page; the
			// box scrolls for more.
			rows := 3
			if e.formViewHeight() < 600 {
				rows = 2
			}
			en.SetMinRowsVisible(rows)
			en.Wrapping = fyne.TextWrapWord
		case f.Type == data.FieldText && f.Code == data.CodeEmail:
			en = e.kb.NewEntry(keyboard.English)
		default:
			en = e.kb.NewEntry(keyboard.ModeFor(f.Type))
		}
		e.keyEntry(spec.labelOf(f), en)
		en.SetText(st.values[f.Code])
		en.OnChanged = typed
		mark = func(bad bool) { markEntry(en, bad) }
		in = en
	}
	showNote(st.problems[f.Code])
	return l, container.NewVBox(in, note), en
}

// reasonFor words a field's problem: a choice or a date missing asks to
// choose (请选择), since nothing there is filled in.
func (e *env) reasonFor(f data.FormField, r data.Reason) string {
	if r == data.ReasonRequired {
		switch f.Type {
		case data.FieldChoice, data.FieldMultiChoice:
			return e.L("form.need_choice")
		case data.FieldDate:
			return e.L("form.need_date")
		}
	}
	return r.Message(e.lang)
}

// choiceColumns is how many choice tiles fit a row for labels of n
// characters at most.
func choiceColumns(n int) int {
	switch {
	case n <= 6:
		return 3
	case n <= 14:
		return 2
	}
	return 1
}

func (e *env) formChoices(spec *formSpec, st *formState, f data.FormField) fyne.CanvasObject {
	chosen := map[string]bool{}
	if v := st.values[f.Code]; v != "" {
		for _, c := range strings.Split(v, "\n") {
			chosen[c] = true
		}
	}
	longest := 0
	var objs []fyne.CanvasObject
	for _, c := range f.Choices {
		text := spec.choiceOf(f, c)
		longest = max(longest, utf8.RuneCountInString(text))
		icon := fyne.Resource(nil)
		if f.Type == data.FieldMultiChoice {
			icon = theme.CheckButtonIcon()
		}
		b := e.button(text, icon, func() {
			e.kb.Commit()
			st.changed = true
			switch {
			case f.Type == data.FieldChoice && !f.Required && st.values[f.Code] == c:
				delete(st.values, f.Code) // an optional choice can be taken back
			case f.Type == data.FieldChoice:
				st.values[f.Code] = c
			default:
				chosen[c] = !chosen[c]
				var keep []string
				for _, o := range f.Choices {
					if chosen[o] {
						keep = append(keep, o)
					}
				}
				if len(keep) == 0 {
					delete(st.values, f.Code)
				} else {
					st.values[f.Code] = strings.Join(keep, "\n")
				}
			}
			delete(st.problems, f.Code)
			e.refresh()
		})
		if chosen[c] {
			markChosen(b)
			b.Icon = theme.ConfirmIcon()
			if f.Type == data.FieldMultiChoice {
				b.Icon = theme.CheckButtonCheckedIcon()
			}
		}
		b.Alignment = widget.ButtonAlignLeading
		objs = append(objs, b)
	}
	return container.NewGridWithColumns(choiceColumns(longest), objs...)
}

// dateButton shows a date field: the date chosen, or a request to choose
// one; touching it opens the date picker. Dates are never typed.
func (e *env) dateButton(spec *formSpec, st *formState, f data.FormField) fyne.CanvasObject {
	text := e.L("form.pick_date")
	if d, err := data.ParseDate(st.values[f.Code]); err == nil {
		text = e.date(d)
	}
	b := e.button(text, theme.CalendarIcon(), func() {
		e.kb.Commit()
		st.picking = f.Code
		// A date of birth starts decades back, not at today, or at the
		// one the form's ID number gives.
		today := data.DateOf(e.now())
		st.pick = f.PickerStart(today)
		if d, ok := birthFromID(spec, st, f, today); ok {
			st.pick = d
		}
		if d, err := data.ParseDate(st.values[f.Code]); err == nil {
			st.pick = d
		}
		e.refresh()
	})
	b.Alignment = widget.ButtonAlignLeading
	return b
}

// birthFromID is the date of birth of the form's ID number, for its
// birth_date field: the form's person, whose ID number was typed a few
// steps before (a child_birth_date is someone else's). False unless the
// form holds exactly one valid ID number.
func birthFromID(spec *formSpec, st *formState, f data.FormField, today data.Date) (data.Date, bool) {
	if f.Code != data.CodeBirthDate || f.Type != data.FieldDate {
		return data.Date{}, false
	}
	var found []data.Date
	for _, g := range spec.fields {
		if g.Type != data.FieldIDNumber {
			continue
		}
		if d, ok := data.IDBirthDate(st.values[g.Code], today); ok {
			found = append(found, d)
		}
	}
	if len(found) != 1 {
		return data.Date{}, false
	}
	return found[0], true
}

// datePicker is a touch calendar: the year in steps of one and ten, the
// month, then the day, all large buttons.
func (e *env) datePicker(spec *formSpec, st *formState) fyne.CanvasObject {
	var f data.FormField
	for _, g := range spec.fields {
		if g.Code == st.picking {
			f = g
		}
	}
	d := st.pick
	set := func(y int, m time.Month, day int) {
		last := data.Date{Year: y, Month: m, Day: 1}.AddDays(32)
		last = data.Date{Year: last.Year, Month: last.Month, Day: 1}.AddDays(-1)
		st.pick = data.Date{Year: y, Month: m, Day: min(day, last.Day)}
		e.refresh()
	}
	yearBtn := func(label string, n int) fyne.CanvasObject {
		return e.button(label, nil, func() { set(d.Year+n, d.Month, d.Day) })
	}
	yearText := widget.NewLabelWithStyle(e.Lf("form.year", d.Year), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	var months []fyne.CanvasObject
	for m := time.January; m <= time.December; m++ {
		b := e.button(e.Lf("form.month", int(m)), nil, func() { set(d.Year, m, d.Day) })
		if m == d.Month {
			markChosen(b)
		}
		months = append(months, b)
	}
	var days []fyne.CanvasObject
	for _, w := range strings.Split(e.L("form.weekdays"), ",") {
		l := widget.NewLabelWithStyle(w, fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
		days = append(days, l)
	}
	first := data.Date{Year: d.Year, Month: d.Month, Day: 1}
	for range (int(first.Weekday()) + 6) % 7 { // weeks start on Monday
		days = append(days, layout.NewSpacer())
	}
	for day := first; day.Month == d.Month; day = day.AddDays(1) {
		b := e.button(itoa(day.Day), nil, func() { set(day.Year, day.Month, day.Day) })
		if day == d {
			markChosen(b)
		}
		days = append(days, b)
	}
	chosen := subheading(spec.labelOf(f) + e.Lf("form.chosen_date", e.date(d)))
	// The year and month on the left, the days on the right: six weeks of
	// 60-pixel days fit under the title bar in 长者模式 only side by side.
	cancel := e.button(e.L("form.cancel"), theme.CancelIcon(), func() { st.picking = ""; e.refresh() })
	ok := e.primary(e.L("form.ok"), theme.ConfirmIcon(), func() {
		st.changed = true
		st.values[f.Code] = st.pick.String()
		delete(st.problems, f.Code)
		st.picking = ""
		e.refresh()
	})
	left := container.NewVBox(
		chosen,
		e.pickerGrid(5, yearBtn("−10", -10), yearBtn("−1", -1), yearText, yearBtn("+1", 1), yearBtn("+10", 10)),
		e.pickerGrid(4, months...),
		e.pickerGrid(2, cancel, ok),
	)
	if e.isPortrait() {
		// Too narrow for the two halves side by side: the days under.
		return container.NewVBox(left, e.pickerGrid(7, days...))
	}
	return container.NewGridWithColumns(2, left, container.NewVBox(e.pickerGrid(7, days...)))
}

// pickerGrid lays out the date picker's buttons in cols columns on half
// the screen (all of a portrait one), each row just the height of a touch
// target: six weeks of days, the year and the month fit under the title
// bar in 长者模式.
func (e *env) pickerGrid(cols int, objs ...fyne.CanvasObject) fyne.CanvasObject {
	pad := theme.Padding()
	width := float32(formScreenWidth)
	if e.screenWidth != nil {
		width = max(width, e.screenWidth())
	}
	half := width/2 - 4*pad
	if e.isPortrait() {
		half = e.screenWidth() - 6*pad
	}
	w := (half - float32(cols-1)*pad) / float32(cols)
	return container.NewGridWrap(fyne.NewSize(w, kioskTheme.MinTarget(e.elder)+2), objs...)
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

// shownValue is a value as the review page shows it: ID numbers, mobiles
// and emails masked, choices by their labels, dates written out.
func (e *env) shownValue(spec *formSpec, f data.FormField, v string) string {
	switch f.Type {
	case data.FieldIDNumber:
		return data.MaskID(v)
	case data.FieldMobile:
		return data.MaskMobile(v)
	case data.FieldDate:
		if d, err := data.ParseDate(v); err == nil {
			return e.date(d)
		}
	case data.FieldChoice, data.FieldMultiChoice:
		var out []string
		for _, c := range strings.Split(v, "\n") {
			out = append(out, spec.choiceOf(f, c))
		}
		return strings.Join(out, e.L("list.separator"))
	}
	if f.Code == data.CodeEmail {
		return data.MaskEmail(v)
	}
	return v
}

func (e *env) formReview(spec *formSpec, st *formState, asked []data.FormField) fyne.CanvasObject {
	var pairs []string
	for _, f := range asked {
		if v := st.values[f.Code]; v != "" {
			pairs = append(pairs, spec.labelOf(f), e.shownValue(spec, f, v))
		}
	}
	box := container.NewVBox(subheading(e.L("appeal.review")), fields(pairs...))
	if spec.review != nil {
		box.Add(widget.NewSeparator())
		box.Add(spec.review())
	}
	box.Add(widget.NewSeparator())
	consent := para(spec.consent)
	consent.TextStyle = fyne.TextStyle{Bold: true}
	box.Add(consent)
	if st.submitErr != "" {
		box.Add(e.problemText(st.submitErr))
	}
	return e.scrollPages(box)
}

// submitForm files the case: the case and its outbox item are written in
// one durable transaction, and only then does the receipt show. A failed
// write keeps the form and says so.
func (e *env) submitForm(w CaseWriter, spec *formSpec, st *formState) {
	st.submitErr = ""
	c, err := spec.build(st.values, data.DateOf(e.now()))
	if err != nil {
		// Cannot happen after the pages were checked, unless the day
		// changed under a birth date.
		e.showBuildProblems(st, err)
		return
	}
	c.Street = e.street.Code
	c.SubmittedAt = e.now()
	if e.kioskID > 0 {
		c.Kiosk = itoa(int(e.kioskID))
	}
	days, ok := CaseDays(c, spec.svc)
	if !ok {
		days = -1
	}
	e.fileCase(w, c, spec.svc, days, func(filed *filedCase, err error) {
		if err != nil {
			st.submitErr = spec.failed + "\n" + e.errText(err)
			e.refresh()
			return
		}
		// Nothing personal stays in the form behind the receipt.
		*st = formState{filed: filed}
		e.refresh()
	})
}

// showBuildProblems shows what a form's whole check found, field by field,
// and goes back to its first page.
func (e *env) showBuildProblems(st *formState, err error) {
	var errs data.FieldErrors
	if errors.As(err, &errs) {
		for _, fe := range errs {
			st.problems[fe.Field] = fe.Reason
		}
	}
	st.page, st.problem = 0, e.L("form.fix_page")
	e.refresh()
}
