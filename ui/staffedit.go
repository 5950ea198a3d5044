package ui

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"jiezhen/data"
	"jiezhen/data/store"
	"jiezhen/ui/keyboard"
)

// Staff edit the street's providers (便民服务) and notices (通知公告):
// lists with 新增, each item as residents see it with 编辑 and 撤下, and a
// form checked with the content rules of the data package, with errors
// next to the fields, a 预览 and 保存. 保存 hands the edit to
// StaffStore.EditContent, which applies it on this kiosk at once and
// queues it for the district; until the district has it the item is
// marked 等待区县确认, here and on the resident screens.

// staffRow is a row of a staff list.
type staffRow struct {
	id, title, detail string
	ours              bool // of this street: staff here may change it
	waiting           bool
}

// openStaffList lists the providers or notices the kiosk has.
func openStaffList(e *env, kind data.Kind) {
	st := &listState{}
	e.open(func() string { return staffListTitle(e, kind) }, func() fyne.CanvasObject { return newStaffList(e, kind, st) })
}

func staffListTitle(e *env, kind data.Kind) string {
	if kind == data.KindProvider {
		return e.L("staff.edit_providers")
	}
	return e.L("staff.edit_notices")
}

func newStaffList(e *env, kind data.Kind, st *listState) fyne.CanvasObject {
	src, street := e.src, e.street.Code
	l := newPagedList(e, st,
		func(ctx context.Context, p store.Page) ([]staffRow, int, error) {
			waiting, err := e.staffSrc.WaitingEdits(ctx)
			if err != nil {
				return nil, 0, err
			}
			var out []staffRow
			var total int
			if kind == data.KindProvider {
				rows, n, err := src.ListProviders(ctx, store.ProviderFilter{}, p)
				if err != nil {
					return nil, 0, err
				}
				total = n
				for _, r := range rows {
					row := staffRow{id: r.ID, title: r.Name, detail: joinDot(r.Category, r.Address, r.Phone)}
					if full, err := src.Provider(ctx, r.ID); err == nil {
						row.ours = full.Street == street
					}
					out = append(out, row)
				}
			} else {
				rows, n, err := src.ListNotices(ctx, store.NoticeFilter{}, p)
				if err != nil {
					return nil, 0, err
				}
				total = n
				for _, r := range rows {
					t := r.Title
					if r.Pinned {
						t = e.L("notice.pinned") + " " + t
					}
					row := staffRow{id: r.ID, title: t, detail: joinDot(r.Category, r.Publisher, e.date(r.Published))}
					if full, err := src.Notice(ctx, r.ID); err == nil {
						row.ours = full.Street == street && street != ""
					}
					out = append(out, row)
				}
			}
			for i := range out {
				out[i].waiting = waiting[waitKey(kind, out[i].id)]
			}
			return out, total, nil
		},
		func(r staffRow) rowText {
			t := rowText{title: r.title, detail: r.detail}
			if !r.ours {
				t.detail = joinDot(e.L("staff.not_ours"), r.detail)
			}
			if r.waiting {
				t.badge, t.wait = e.L("staff.waiting"), true
			}
			return t
		},
		func(r staffRow) { openStaffItem(e, kind, r.id) })
	add := e.primary(e.L("staff.add"), theme.ContentAddIcon(), func() {
		if kind == data.KindProvider {
			openProviderForm(e, newProviderDraft(e))
		} else {
			openNoticeForm(e, newNoticeDraft(e))
		}
	})
	hint := staffNote(e.L("staff.list_hint"))
	return container.NewBorder(container.NewBorder(nil, nil, nil, add, hint), nil, nil, nil, l.obj)
}

// openStaffItem shows an item as residents see it, with 编辑 and 撤下 when
// it belongs to this street.
func openStaffItem(e *env, kind data.Kind, id string) {
	e.open(func() string { return staffListTitle(e, kind) }, func() fyne.CanvasObject { return newStaffItem(e, kind, id) })
}

func newStaffItem(e *env, kind data.Kind, id string) fyne.CanvasObject {
	type item struct {
		p       data.Provider
		n       data.Notice
		held    heldFiles
		waiting bool
	}
	street := e.street.Code
	box := container.NewStack(widget.NewLabel(e.L("loading")))
	load(e, func(ctx context.Context) (item, error) {
		var it item
		var err error
		if kind == data.KindProvider {
			it.p, err = e.src.Provider(ctx, id)
		} else {
			it.n, err = e.src.Notice(ctx, id)
			if err == nil {
				it.held = loadHeld(ctx, e.src, it.n.Attachments)
			}
		}
		it.waiting = err == nil && e.waiting(ctx, kind, id)
		return it, err
	}, func(it item, err error) {
		if err != nil {
			box.Objects = []fyne.CanvasObject{e.errorText(err)}
			box.Refresh()
			return
		}
		var view fyne.CanvasObject
		var ours bool
		var edit func()
		var name string
		if kind == data.KindProvider {
			view, ours, name = e.providerView(it.p, it.waiting), it.p.Street == street, it.p.Name
			edit = func() { openProviderForm(e, editProviderDraft(it.p)) }
		} else {
			view, ours, name = e.noticeView(it.n, it.waiting, it.held), it.n.Street == street && street != "", it.n.Title
			edit = func() { openNoticeForm(e, editNoticeDraft(it.n)) }
		}
		var bar fyne.CanvasObject = staffNote(e.L("staff.not_ours_hint"))
		if ours {
			withdraw := e.button(e.L("staff.withdraw"), theme.DeleteIcon(), func() {
				openConfirm(e, e.L("staff.withdraw"), e.Lf("staff.withdraw_confirm", name), e.L("staff.withdraw_ok"),
					func(ctx context.Context, by data.Staff, now time.Time) error {
						return e.staffSrc.EditContent(ctx, by, store.ContentEdit{Kind: kind, ID: id, Op: data.OpDelete}, now)
					}, func() { e.back(); e.back() })
			})
			bar = container.NewBorder(nil, nil, nil, container.NewHBox(withdraw,
				e.primary(e.L("staff.edit"), theme.DocumentCreateIcon(), edit)), staffNote(e.L("staff.item_hint")))
		}
		box.Objects = []fyne.CanvasObject{container.NewBorder(nil, container.NewVBox(widget.NewSeparator(), bar), nil, nil,
			e.scrollPages(view))}
		box.Refresh()
	})
	return box
}

// openConfirm asks before something that cannot be taken back. do runs off
// the Fyne goroutine with the signed-in staff member; after it succeeds,
// done runs (it usually goes back past this screen).
func openConfirm(e *env, title, question, okLabel string, do func(ctx context.Context, by data.Staff, now time.Time) error, done func()) {
	problem := ""
	busy := false
	e.open(func() string { return title }, func() fyne.CanvasObject {
		q := subheading(question)
		var ok *tapButton
		ok = e.primary(okLabel, theme.ConfirmIcon(), func() {
			if busy || e.staff == nil {
				return
			}
			busy = true
			by, now := *e.staff, e.now()
			load(e, func(ctx context.Context) (struct{}, error) { return struct{}{}, do(ctx, by, now) },
				func(_ struct{}, err error) {
					busy = false
					if err != nil {
						problem = e.L("staff.failed") + "\n" + e.errText(err)
						e.refresh()
						return
					}
					e.kick()
					done()
				})
		})
		ok.min *= 1.5
		cancel := e.button(e.L("staff.cancel"), theme.CancelIcon(), e.back)
		cancel.min *= 1.5
		return container.NewPadded(container.NewVBox(q, e.problemText(problem),
			container.NewGridWithColumns(2, cancel, ok)))
	})
}

// The edit forms keep what was typed in a draft that lives with the
// screen: a change of language or mode rebuilds the form from it, and
// 取消, 首页 and the sign-out drop it.

// providerDraft is a provider being edited.
type providerDraft struct {
	base  data.Provider // id, street and what the form does not edit
	isNew bool

	name, category, address, phone, services, description string
	kind                                                  data.ProviderKind
	hours                                                 [7]string // by time.Weekday, spans separated by spaces

	problems map[string]string // field -> message, shown next to it
	general  string            // what no field explains
	busy     bool
}

func newProviderDraft(e *env) *providerDraft {
	return &providerDraft{base: data.Provider{ID: newItemID(e, "p"), Street: e.street.Code}, isNew: true}
}

func editProviderDraft(p data.Provider) *providerDraft {
	d := &providerDraft{base: p, name: p.Name, kind: p.Kind, category: p.Category, address: p.Address,
		phone: p.Phone, services: strings.Join(p.Services, "、"), description: p.Description}
	for wd, spans := range p.Hours {
		var s []string
		for _, sp := range spans {
			s = append(s, sp.String())
		}
		d.hours[wd] = strings.Join(s, " ")
	}
	return d
}

// newItemID makes the id of a new item: the street, a letter for the kind
// and random hex, unique without asking the district.
func newItemID(e *env, letter string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%s-%s", e.street.Code, letter, hex.EncodeToString(b[:]))
}

// mondayFirst is the order of days on Chinese timetables.
var mondayFirst = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

var dayKeys = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

func openProviderForm(e *env, d *providerDraft) {
	e.open(func() string {
		if d.isNew {
			return e.L("staff.new_provider")
		}
		return e.L("staff.edit_provider")
	}, func() fyne.CanvasObject { return newProviderForm(e, d) })
}

// formEntry makes an entry of mode for a field of a draft: set keeps the
// draft up to date as it is typed.
func (e *env) formEntry(label string, mode keyboard.Mode, text string, set func(string)) *keyboard.Entry {
	en := e.keyEntry(label, e.kb.NewEntry(mode))
	en.SetText(text)
	en.OnChanged = func(s string) { e.touch(); set(s) }
	return en
}

// fieldMsg is the message next to a field: empty until there is one.
func (e *env) fieldMsg(problems map[string]string, field string) fyne.CanvasObject {
	if problems[field] == "" {
		return nil
	}
	return e.problemText(problems[field])
}

func newProviderForm(e *env, d *providerDraft) fyne.CanvasObject {
	name := e.formEntry(e.L("staff.name"), keyboard.Chinese, d.name, func(s string) { d.name = s })
	kinds := []data.ProviderKind{data.ProviderBusiness, data.ProviderOrganisation, data.ProviderConvenience}
	labels := make([]string, len(kinds))
	for i, k := range kinds {
		labels[i] = k.Label(e.lang)
	}
	kind := e.choices(3, labels, slices.Index(kinds, d.kind), func(i int) {
		e.kb.Commit()
		d.kind = kinds[i]
		delete(d.problems, "kind")
		e.refresh()
	})
	category := e.formEntry(e.L("staff.category"), keyboard.Chinese, d.category, func(s string) { d.category = s })
	address := e.formEntry(e.L("provider.address"), keyboard.Chinese, d.address, func(s string) { d.address = s })
	phone := e.formEntry(e.L("provider.phone"), keyboard.English, d.phone, func(s string) { d.phone = s })
	services := e.formEntry(e.L("provider.services"), keyboard.Chinese, d.services, func(s string) { d.services = s })
	desc := e.keyEntry(e.L("provider.description"), e.kb.NewMultiLineEntry())
	desc.SetMinRowsVisible(3)
	desc.SetText(d.description)
	desc.OnChanged = func(s string) { e.touch(); d.description = s }

	hours := container.NewGridWithColumns(2)
	names := dayNames(e)
	for _, wd := range mondayFirst {
		wd := wd
		en := e.formEntry(names[wd], keyboard.English, d.hours[wd], func(s string) { d.hours[wd] = s })
		en.SetPlaceHolder(e.L("staff.hours_hint"))
		hours.Add(fields2(names[wd], en, e.fieldMsg(d.problems, "hours."+dayKeys[wd])))
	}
	form := container.NewVBox(
		aligned(
			fields2(e.L("staff.name"), name, e.fieldMsg(d.problems, "name")),
			fields2(e.L("staff.kind"), kind, e.fieldMsg(d.problems, "kind")),
			fields2(e.L("staff.category"), category, e.fieldMsg(d.problems, "category")),
			fields2(e.L("provider.address"), address, e.fieldMsg(d.problems, "address")),
			fields2(e.L("provider.phone"), phone, e.fieldMsg(d.problems, "phone"))),
		subheading(e.L("provider.hours")), staffNote(e.L("staff.hours_help")), hours,
		aligned(
			fields2(e.L("provider.services"), services, e.fieldMsg(d.problems, "services")),
			fields2(e.L("provider.description"), desc, nil)),
	)
	check := func() (data.Provider, bool) {
		e.kb.Commit()
		p, problems, general := e.checkProvider(d)
		d.problems, d.general = problems, general
		return p, len(problems) == 0 && general == ""
	}
	preview := func() {
		if p, ok := check(); ok {
			openPreview(e, e.providerView(p, false))
		} else {
			e.refresh()
		}
	}
	save := func() {
		p, ok := check()
		if !ok {
			e.refresh()
			return
		}
		item, err := json.Marshal(p)
		if err != nil {
			d.general = e.errText(err)
			e.refresh()
			return
		}
		e.saveEdit(&d.busy, &d.general, store.ContentEdit{Kind: data.KindProvider, ID: p.ID, Op: data.OpUpsert, Item: item})
	}
	return container.NewBorder(e.staffFormNav(d.general, preview, save), nil, nil, nil, form)
}

// staffFormNav is the bar above an edit form: 取消, 预览 and 保存, and the
// problem no field explains. It is on top because a form is longer than
// the screen, and after 保存 the form shows from the top with its problems.
func (e *env) staffFormNav(general string, preview, save func()) fyne.CanvasObject {
	cancel := e.button(e.L("staff.cancel"), theme.CancelIcon(), e.back)
	pre := e.button(e.L("staff.preview"), theme.VisibilityIcon(), preview)
	ok := e.primary(e.L("staff.save"), theme.DocumentSaveIcon(), save)
	bar := container.NewVBox(container.NewBorder(nil, nil, nil, container.NewHBox(cancel, pre, ok), staffNote(e.L("staff.form_hint"))))
	if general != "" {
		bar.Add(e.problemText(general))
	}
	bar.Add(widget.NewSeparator())
	return bar
}

// saveEdit queues an edit off the Fyne goroutine; once it is stored the
// form closes and the screen below shows the item with its mark.
func (e *env) saveEdit(busy *bool, general *string, edit store.ContentEdit) {
	if *busy || e.staff == nil {
		return
	}
	*busy = true
	by, now := *e.staff, e.now()
	load(e, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, e.staffSrc.EditContent(ctx, by, edit, now)
	}, func(_ struct{}, err error) {
		*busy = false
		if err != nil {
			*general = e.L("staff.save_failed") + "\n" + e.errText(err)
			e.refresh()
			return
		}
		e.kick()
		e.back()
	})
}

// openPreview shows an item as residents will see it.
func openPreview(e *env, view fyne.CanvasObject) {
	e.open(func() string { return e.L("staff.preview_title") }, func() fyne.CanvasObject {
		note := staffNote(e.L("staff.preview_note"))
		back := e.primary(e.L("staff.back_to_form"), theme.NavigateBackIcon(), e.back)
		return container.NewBorder(nil, container.NewBorder(nil, nil, nil, back, note), nil, nil, e.scrollPages(view))
	})
}

func dayNames(e *env) [7]string {
	var n [7]string
	for wd := range 7 {
		n[wd] = e.L("staff.day" + fmt.Sprint(wd))
	}
	return n
}

// splitList splits what staff type as a list: 、 or commas between items.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune("、,，;；\n", r) }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// checkProvider turns the draft into a provider and checks it with the
// content rules (data.ContentSet.Validate), as the district will. Each
// problem is put next to its field in plain words.
func (e *env) checkProvider(d *providerDraft) (data.Provider, map[string]string, string) {
	problems := map[string]string{}
	p := d.base
	p.Name, p.Kind, p.Category = strings.TrimSpace(d.name), d.kind, strings.TrimSpace(d.category)
	p.Address, p.Phone = strings.TrimSpace(d.address), strings.TrimSpace(d.phone)
	p.Services, p.Description = splitList(d.services), strings.TrimSpace(d.description)
	p.Hours = data.WeekHours{}
	for wd := range 7 {
		for _, tok := range strings.Fields(strings.NewReplacer("，", " ", ",", " ", "、", " ", "；", " ", ";", " ", "：", ":", "－", "-", "—", "-", "~", "-", "至", "-").Replace(d.hours[wd])) {
			sp, err := data.ParseSpan(tok)
			if err != nil {
				problems["hours."+dayKeys[wd]] = e.Lf("staff.bad_span", tok)
				break
			}
			p.Hours[wd] = append(p.Hours[wd], sp)
		}
	}
	if p.Kind == "" {
		problems["kind"] = data.ReasonChoice.Message(e.lang)
	}
	if p.Category == "" {
		problems["category"] = data.ReasonRequired.Message(e.lang)
	}
	// A day whose hours do not parse is left out of what the content
	// rules check, so that they still find every other problem.
	found := map[string]string{}
	general := e.placeProblems(&data.ContentSet{Providers: []data.Provider{p}}, found)
	for f, msg := range found {
		if problems[f] == "" {
			problems[f] = msg
		}
	}
	return p, problems, general
}

// placeProblems validates a set of one item and puts each problem next to
// the field it names; what names no field is returned as one text.
func (e *env) placeProblems(set *data.ContentSet, problems map[string]string) string {
	err := set.Validate(data.DateOf(e.now()))
	errs, ok := err.(data.ContentErrors)
	if err != nil && !ok {
		return e.errText(err)
	}
	var rest data.ContentErrors
	for _, pr := range errs {
		// The field rules' problems (data.CheckFields) read
		// `field "title" is longer than 200 characters`.
		if code, what, ok := fieldRuleProblem(pr.Problem); ok {
			switch {
			case strings.HasPrefix(what, "is longer than"):
				problems[code] = data.ReasonTooLong.Message(e.lang)
				continue
			case strings.HasPrefix(what, "contains"):
				problems[code] = data.ReasonControl.Message(e.lang)
				continue
			}
		}
		words := strings.Fields(strings.ReplaceAll(pr.Problem, ":", " "))
		field := ""
		if len(words) > 0 {
			field = words[0]
		}
		switch field {
		case "name", "title", "body", "category", "publisher":
			if strings.HasSuffix(pr.Problem, "is empty") {
				problems[field] = data.ReasonRequired.Message(e.lang)
				continue
			}
		case "kind":
			problems["kind"] = data.ReasonChoice.Message(e.lang)
			continue
		case "phone":
			problems["phone"] = e.L("staff.bad_phone")
			continue
		case "hours":
			if len(words) > 1 && slices.Contains(dayKeys[:], words[1]) {
				problems["hours."+words[1]] = e.L("staff.hours_overlap")
				continue
			}
		}
		rest = append(rest, pr)
	}
	if len(rest) == 0 {
		return ""
	}
	// What no field explains is in the content rules' words, in English:
	// the screen says it in general, the log has it.
	return e.errText(rest)
}

// fieldRuleProblem reads a field rule's problem: the field, without a
// list index ("services[2]" is "services"), and what is wrong.
func fieldRuleProblem(p string) (code, what string, ok bool) {
	rest, ok := strings.CutPrefix(p, `field "`)
	if !ok {
		return "", "", false
	}
	code, what, ok = strings.Cut(rest, `" `)
	if i := strings.IndexByte(code, '['); i >= 0 {
		code = code[:i]
	}
	return code, what, ok
}

// noticeDraft is a notice being edited.
type noticeDraft struct {
	base  data.Notice
	isNew bool

	title, category, publisher, body string
	pinned                           bool

	problems map[string]string
	general  string
	busy     bool
}

// noticeCategories are what a street's notices are, in display order.
var noticeCategories = []string{"通知", "公告", "公示", "政策解读"}

func newNoticeDraft(e *env) *noticeDraft {
	return &noticeDraft{
		base:  data.Notice{ID: newItemID(e, "n"), Street: e.street.Code, Published: data.DateOf(e.now())},
		isNew: true, publisher: e.street.Name, category: noticeCategories[0],
	}
}

func editNoticeDraft(n data.Notice) *noticeDraft {
	return &noticeDraft{base: n, title: n.Title, category: n.Category, publisher: n.Publisher, body: n.Body, pinned: n.Pinned}
}

func openNoticeForm(e *env, d *noticeDraft) {
	e.open(func() string {
		if d.isNew {
			return e.L("staff.new_notice")
		}
		return e.L("staff.edit_notice")
	}, func() fyne.CanvasObject { return newNoticeForm(e, d) })
}

func newNoticeForm(e *env, d *noticeDraft) fyne.CanvasObject {
	title := e.formEntry(e.L("staff.notice_title"), keyboard.Chinese, d.title, func(s string) { d.title = s })
	cats := slices.Clone(noticeCategories)
	if d.category != "" && !slices.Contains(cats, d.category) {
		cats = append(cats, d.category)
	}
	category := e.choices(len(cats), cats, slices.Index(cats, d.category), func(i int) {
		e.kb.Commit()
		d.category = cats[i]
		delete(d.problems, "category")
		e.refresh()
	})
	publisher := e.formEntry(e.L("staff.publisher"), keyboard.Chinese, d.publisher, func(s string) { d.publisher = s })
	text := e.keyEntry(e.L("staff.notice_body"), e.kb.NewMultiLineEntry())
	text.SetMinRowsVisible(6)
	text.SetText(d.body)
	text.OnChanged = func(s string) { e.touch(); d.body = s }
	pinned := e.choices(2, []string{e.L("staff.not_pinned"), e.L("staff.pinned")}, map[bool]int{false: 0, true: 1}[d.pinned],
		func(i int) { e.kb.Commit(); d.pinned = i == 1; e.refresh() })
	form := container.NewVBox(aligned(
		fields2(e.L("staff.notice_title"), title, e.fieldMsg(d.problems, "title")),
		fields2(e.L("staff.category"), category, e.fieldMsg(d.problems, "category")),
		fields2(e.L("staff.publisher"), publisher, e.fieldMsg(d.problems, "publisher")),
		fields2(e.L("staff.notice_body"), text, e.fieldMsg(d.problems, "body")),
		fields2(e.L("staff.pin"), pinned, nil),
	))
	check := func() (data.Notice, bool) {
		e.kb.Commit()
		n := d.base
		n.Title, n.Category = strings.TrimSpace(d.title), d.category
		n.Publisher, n.Body, n.Pinned = strings.TrimSpace(d.publisher), strings.TrimSpace(d.body), d.pinned
		problems := map[string]string{}
		if n.Category == "" {
			problems["category"] = data.ReasonChoice.Message(e.lang)
		}
		if n.Publisher == "" {
			problems["publisher"] = data.ReasonRequired.Message(e.lang)
		}
		d.general = e.placeProblems(&data.ContentSet{Notices: []data.Notice{n}}, problems)
		d.problems = problems
		return n, len(problems) == 0 && d.general == ""
	}
	preview := func() {
		if n, ok := check(); ok {
			openPreview(e, e.noticeView(n, false, nil))
		} else {
			e.refresh()
		}
	}
	save := func() {
		n, ok := check()
		if !ok {
			e.refresh()
			return
		}
		item, err := json.Marshal(n)
		if err != nil {
			d.general = e.errText(err)
			e.refresh()
			return
		}
		e.saveEdit(&d.busy, &d.general, store.ContentEdit{Kind: data.KindNotice, ID: n.ID, Op: data.OpUpsert, Item: item})
	}
	return container.NewBorder(e.staffFormNav(d.general, preview, save), nil, nil, nil, form)
}

// kick asks the sync agent to send what was just queued, when there is
// one: the district should not wait for the next cycle to hear of it.
func (e *env) kick() {
	if e.syncNow != nil {
		e.syncNow()
	}
}
