package ui

import (
	"context"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"jiezhen/data"
	"jiezhen/ui/keyboard"
)

// MaxOpinionText is the longest opinion the kiosk takes, in characters.
const MaxOpinionText = data.MaxOpinionText

// opinionForm is an opinion being given on a consultation. It lives in
// the screen's closure and goes with it (完成, home, idle reset).
type opinionForm struct {
	step      int // 0: topic; 1: text; 2: contact
	topic     string
	text      string
	anonymous bool
	name      string
	mobile    string
	problem   string
	// nameErr and mobileErr: 提交 found the field wrong; its problem
	// shows at it until it is fixed.
	nameErr, mobileErr bool
	done               *data.Opinion // after 提交: what the receipt shows
}

// openOpinion shows the opinion form for consultation c.
func openOpinion(e *env, w CaseWriter, c data.Consultation) {
	f := &opinionForm{}
	if len(c.Topics) == 1 {
		f.topic = c.Topics[0].ID
	}
	e.open(func() string {
		if f.done != nil {
			return e.L("opinion.receipt_title")
		}
		return e.L("opinion.title")
	}, func() fyne.CanvasObject {
		e.holds(func() bool {
			return f.done == nil && (strings.TrimSpace(f.text) != "" || f.name != "" || f.mobile != "")
		})
		return newOpinion(e, w, c, f)
	})
}

func newOpinion(e *env, w CaseWriter, c data.Consultation, f *opinionForm) fyne.CanvasObject {
	if f.done != nil {
		return e.opinionReceipt(c, f.done)
	}
	// One step per page, each entry near the top of its page: the
	// on-screen keyboard leaves only a strip at the top in 长者模式, and a
	// touch on a field lower down would be released over the footer,
	// which takes the focus away again.
	var page, nav fyne.CanvasObject
	switch f.step {
	case 0:
		page, nav = e.opinionTopicPage(c, f)
	case 1:
		page, nav = e.opinionTextPage(f)
	default:
		page, nav = e.opinionContactPage(w, c, f)
	}
	return e.steps(page, e.stepBar(f.problem, nav))
}

// opinionNav is the form's bar: back, the step, and next or submit.
func (e *env) opinionNav(f *opinionForm, prev func(), next func(), nextLabel string, icon fyne.Resource) fyne.CanvasObject {
	var left fyne.CanvasObject = layout.NewSpacer()
	if prev != nil {
		left = e.button(e.L("appeal.prev"), theme.NavigateBackIcon(), prev)
	}
	n := e.primary(nextLabel, icon, next)
	steps := widget.NewLabel(e.Lf("appeal.step", f.step+1, 3))
	steps.Alignment = fyne.TextAlignCenter
	return container.NewBorder(nil, nil, left, n, container.NewCenter(steps))
}

// opinionTopicPage is the first step: the topic.
func (e *env) opinionTopicPage(c data.Consultation, f *opinionForm) (page, nav fyne.CanvasObject) {
	titles := make([]string, len(c.Topics))
	chosen := -1
	for i, t := range c.Topics {
		titles[i] = t.Title
		if t.ID == f.topic {
			chosen = i
		}
	}
	topics := e.choices(2, titles, chosen, func(i int) {
		f.topic, f.problem = c.Topics[i].ID, ""
		e.refresh()
	})
	next := func() {
		if f.topic == "" {
			f.problem = e.L("opinion.need_topic")
		} else {
			f.step, f.problem = 1, ""
		}
		e.refresh()
	}
	page = container.NewVBox(subheading(c.Title), para(e.L("opinion.topic_hint")), topics)
	return page, e.opinionNav(f, nil, next, e.L("appeal.next"), theme.NavigateNextIcon())
}

// opinionTextPage is the second step: the opinion.
func (e *env) opinionTextPage(f *opinionForm) (page, nav fyne.CanvasObject) {
	text := e.keyEntry(e.L("opinion.text"), e.kb.NewMultiLineEntry())
	text.SetPlaceHolder(e.L("opinion.text_hint"))
	text.SetMinRowsVisible(4)
	text.SetText(f.text)
	count := widget.NewLabel(e.Lf("appeal.count", utf8.RuneCountInString(f.text), MaxOpinionText))
	count.Alignment = fyne.TextAlignTrailing
	text.OnChanged = func(s string) {
		e.touch()
		if utf8.RuneCountInString(s) > MaxOpinionText {
			text.SetText(string([]rune(s)[:MaxOpinionText]))
			return
		}
		f.text = s
		count.SetText(e.Lf("appeal.count", utf8.RuneCountInString(s), MaxOpinionText))
	}
	next := func() {
		e.kb.Commit()
		if strings.TrimSpace(f.text) == "" {
			f.problem = e.L("opinion.need_text")
		} else {
			f.step, f.problem = 2, ""
		}
		e.refresh()
	}
	prev := func() { e.kb.Commit(); f.step, f.problem = 0, ""; e.refresh() }
	// The entry first: in 长者模式 the keyboard leaves only a strip at the
	// top, and a touch lower down would be released over the footer.
	page = container.NewVBox(text, count)
	return page, e.opinionNav(f, prev, next, e.L("appeal.next"), theme.NavigateNextIcon())
}

// opinionContactPage is the third step: a name and mobile, or none.
func (e *env) opinionContactPage(w CaseWriter, c data.Consultation, f *opinionForm) (page, nav fyne.CanvasObject) {
	who := e.choices(2, []string{e.L("appeal.named"), e.L("opinion.anonymous")}, map[bool]int{false: 0, true: 1}[f.anonymous],
		func(i int) {
			e.kb.Commit()
			f.anonymous, f.problem, f.nameErr, f.mobileErr = i == 1, "", false, false
			e.refresh()
		})
	box := container.NewVBox(who)
	if f.anonymous {
		box.Add(para(e.L("opinion.anonymous_hint")))
	} else {
		name := e.entry(e.L("appeal.name"))
		name.SetText(f.name)
		nameMsg := e.fieldProblem("")
		if f.nameErr {
			showProblem(nameMsg, e.L("appeal.need_name"))
		}
		markEntry(name, f.nameErr)
		name.OnChanged = func(s string) {
			e.touch()
			f.name = s
			if f.nameErr && strings.TrimSpace(s) != "" {
				f.nameErr = false
				showProblem(nameMsg, "")
				markEntry(name, false)
			}
		}
		mobile := e.keyEntry(e.L("appeal.mobile"), e.kb.NewEntry(keyboard.Digits))
		mobile.Last = true
		mobile.SetText(f.mobile)
		// Hidden while empty: in 长者模式 the page just fits. A number 提交
		// found wrong is judged whole until it is right.
		msg := e.fieldProblem(e.mobileProblem(f.mobile, f.mobileErr))
		markEntry(mobile, f.mobileErr)
		mobile.OnChanged = func(s string) {
			e.touch()
			f.mobile = s
			showProblem(msg, e.mobileProblem(s, f.mobileErr))
			if f.mobileErr && e.mobileProblem(s, true) == "" {
				f.mobileErr = false
				markEntry(mobile, false)
			}
		}
		box.Add(aligned(fields2(e.L("appeal.name"), name, nameMsg), fields2(e.L("appeal.mobile"), mobile, msg)))
	}
	box.Add(para(e.L(map[bool]string{false: "opinion.consent", true: "opinion.consent_anonymous"}[f.anonymous])))
	prev := func() { e.kb.Commit(); f.step, f.problem = 1, ""; e.refresh() }
	return box, e.opinionNav(f, prev, func() { e.submitOpinion(w, c, f) }, e.L("appeal.submit"), theme.MailSendIcon())
}

// submitOpinion checks the form and writes the opinion durably to the
// outbox; the receipt shows only once it is written.
func (e *env) submitOpinion(w CaseWriter, c data.Consultation, f *opinionForm) {
	e.kb.Commit()
	f.problem = ""
	switch {
	case !c.OpenOn(data.DateOf(e.now())):
		f.problem = e.L("opinion.closed")
	case f.topic == "":
		f.problem = e.L("opinion.need_topic")
	case strings.TrimSpace(f.text) == "":
		f.problem = e.L("opinion.need_text")
	case !f.anonymous:
		f.nameErr = strings.TrimSpace(f.name) == ""
		f.mobileErr = e.mobileProblem(f.mobile, true) != ""
		if f.nameErr || f.mobileErr {
			f.problem = e.L("form.fix_page")
		}
	}
	if f.problem != "" {
		e.refresh()
		return
	}
	o := data.Opinion{Consultation: c.ID, Topic: f.topic, Text: strings.TrimSpace(f.text), Anonymous: f.anonymous, At: e.now()}
	if !f.anonymous {
		o.Name, o.Mobile = strings.TrimSpace(f.name), f.mobile
	}
	load(e, func(ctx context.Context) (data.Opinion, error) {
		return w.FileOpinion(ctx, o)
	}, func(o data.Opinion, err error) {
		if err != nil {
			f.problem = e.L("opinion.failed") + "\n" + e.errText(err)
			e.refresh()
			return
		}
		// Nothing personal stays behind the receipt.
		*f = opinionForm{done: &data.Opinion{ID: o.ID, Consultation: o.Consultation, Topic: o.Topic, Anonymous: o.Anonymous, At: o.At}}
		e.refresh()
	})
}

// opinionReceipt says the opinion is kept and what happens next.
func (e *env) opinionReceipt(c data.Consultation, o *data.Opinion) fyne.CanvasObject {
	topic := o.Topic
	for _, t := range c.Topics {
		if t.ID == o.Topic {
			topic = t.Title
		}
	}
	finish := e.primary(e.L("receipt.finish"), theme.ConfirmIcon(), e.reset)
	finish.min = 1.5 * finish.min
	// In 长者模式 and English the receipt is taller than the window.
	return e.scrollPages(container.NewVBox(
		heading(e.L("opinion.done")),
		fields(
			e.L("opinion.consultation"), c.Title,
			e.L("opinion.topic"), topic,
			e.L("opinion.at"), e.moment(o.At),
		),
		para(e.Lf("opinion.next", e.date(c.Closes))),
		container.NewHBox(finish),
	))
}
