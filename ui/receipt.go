package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"jiezhen/data"
)

// spacedRef writes a reference for reading aloud: its groups apart and a
// space between characters.
func spacedRef(ref string) string {
	var groups []string
	for _, g := range strings.Split(data.FormatReference(ref), "-") {
		groups = append(groups, strings.Join(strings.Split(g, ""), " "))
	}
	return strings.Join(groups, "  ")
}

// Receipt is what a resident's receipt says, for every kind of case: the
// window shows it and `kiosk submit` prints it as JSON.
type Receipt struct {
	Ref          string        `json:"ref"`
	Kind         data.CaseKind `json:"kind"`
	Title        string        `json:"title"`             // 您的申请已提交
	Service      string        `json:"service,omitempty"` // the service item's name, for applications
	Deadline     *data.Date    `json:"deadline"`          // nil: the guide gives no time limit
	DeadlineText string        `json:"deadline_text"`     // 2026年12月14日前办结
	Workdays     int           `json:"workdays"`          // the deadline in working days after the day of submission
	Next         []string      `json:"next"`              // what happens next
	Bring        []string      `json:"bring,omitempty"`   // materials to bring in person, for applications
	Keep         string        `json:"keep"`
	Ask          ReceiptAsk    `json:"ask"`
	// TrackURL is the street website's tracking form with the reference
	// filled in (data.Street.TrackURL), which the QR code opens; empty
	// when the district gives the street no website, and then the
	// receipt has no QR code.
	TrackURL string `json:"track_url,omitempty"`
}

// ReceiptAsk is where to ask about a case.
type ReceiptAsk struct {
	Place   string `json:"place"`
	Address string `json:"address,omitempty"`
	Phone   string `json:"phone,omitempty"`
	Hours   string `json:"hours,omitempty"`
}

// CaseDays is in how many working days a case is to be done: the guide's
// time limit for an application (ok false when it gives none), the type's
// days for an appeal, DisclosureDays for a disclosure request.
func CaseDays(c data.Case, svc *data.ServiceItem) (days int, ok bool) {
	switch c.Kind {
	case data.CaseApplication:
		if svc == nil {
			return 0, false
		}
		return svc.DeadlineDays()
	case data.CaseAppeal:
		d, ok := data.DefaultAppealDays[c.AppealType]
		return d, ok
	case data.CaseDisclosure:
		return data.DisclosureDays, true
	}
	return 0, false
}

// NewReceipt says what happens next with c in language l. svc is the
// service item of an application (nil for other kinds); st is the street
// whose service centre residents ask. It says the case goes to the street
// once the kiosk is online (`kiosk submit` files without sending).
func NewReceipt(l data.Lang, c data.Case, svc *data.ServiceItem, st data.Street) Receipt {
	return receiptFor(l, c, svc, st, false)
}

// newReceiptOf is the receipt of a case the window filed: a kiosk that
// was online then does not say 本机联网后.
func newReceiptOf(l data.Lang, f *filedCase, st data.Street) Receipt {
	return receiptFor(l, f.c, f.svc, st, f.online)
}

func receiptFor(l data.Lang, c data.Case, svc *data.ServiceItem, st data.Street, online bool) Receipt {
	L := func(key string) string { return tr(l, key) }
	// The sentences on sending the case have an online form, without
	// "when this kiosk is online".
	sent := func(key string) string {
		if online {
			return key + "_online"
		}
		return key
	}
	Lf := func(key string, args ...any) string { return fmt.Sprintf(tr(l, key), args...) }
	r := Receipt{
		Ref:      data.FormatReference(c.Ref),
		Kind:     c.Kind,
		Keep:     L("receipt.keep"),
		Ask:      ReceiptAsk{Place: st.Name, Address: st.Address, Phone: st.Phone, Hours: st.Hours},
		TrackURL: st.TrackURL(c.Ref),
	}
	if r.TrackURL == "" {
		r.Keep = L("receipt.track_here") // no QR code to scan
	}
	days, ok := CaseDays(c, svc)
	date := func(d data.Date) string { return Lf("date.short", d.Year, int(d.Month), d.Day) }
	if ok && !c.Deadline.IsZero() {
		d := c.Deadline
		r.Deadline, r.Workdays = &d, days
	}
	switch c.Kind {
	case data.CaseApplication:
		r.Title = L("receipt.done_application")
		place := ""
		if svc != nil {
			r.Service = svc.Name
			if svc.Phone != "" {
				r.Ask.Phone = svc.Phone
			}
			place = svc.Location
			for _, m := range svc.Materials {
				if m.Required {
					r.Bring = append(r.Bring, m.Name+"（"+m.Form.Label(l)+"）")
				}
			}
		}
		switch {
		case r.Deadline == nil:
			r.DeadlineText = L("receipt.no_deadline")
		case days == 0:
			r.DeadlineText = L("receipt.on_the_spot")
		default:
			r.DeadlineText = Lf("receipt.deadline_done", date(*r.Deadline))
		}
		r.Next = append(r.Next, L(sent("receipt.next_application")))
		if place != "" {
			r.Next = append(r.Next, Lf("receipt.bring_to", place))
		}
	case data.CaseDisclosure:
		r.Title = L("receipt.done_disclosure")
		r.DeadlineText = Lf("receipt.deadline", date(c.Deadline))
		how := ""
		if c.Request != nil {
			how = c.Request.Delivery.Label(l)
		}
		r.Next = append(r.Next, Lf(sent("receipt.next_disclosure"), how), Lf("receipt.extend_disclosure", data.DisclosureExtendDays))
	default:
		r.Title = L("receipt.done")
		r.DeadlineText = Lf("receipt.deadline", date(c.Deadline))
		r.Next = append(r.Next, Lf(sent("receipt.next"), c.AppealType.Label(l)))
	}
	if r.Deadline != nil && days > 0 {
		r.Next = append(r.Next, Lf("receipt.workdays", days))
	}
	return r
}

// filedCase is a case the resident has just filed, with what its receipt
// needs besides the case.
type filedCase struct {
	c   data.Case
	svc *data.ServiceItem
	// online: the kiosk was online when the case was filed, so the
	// receipt does not say it goes out once the kiosk is online.
	online bool
	// print is the receipt's printing; nil without a printer.
	print *printJob
}

// fileCase files c through w off the Fyne goroutine and hands the filed
// case to done on it, with what its receipt needs; once the case is
// durably queued and done has shown the receipt, a printer prints it.
func (e *env) fileCase(w CaseWriter, c data.Case, svc *data.ServiceItem, days int, done func(*filedCase, error)) {
	kiosk := e.kioskID
	load(e, func(ctx context.Context) (*filedCase, error) {
		filed, err := w.FileCase(ctx, c, kiosk, days)
		if err != nil {
			return nil, err
		}
		f := &filedCase{c: filed, svc: svc}
		if e.sync != nil {
			f.online, _, _ = e.sync.SyncStatus()
		}
		return f, nil
	}, func(f *filedCase, err error) {
		if err == nil && e.printer != nil {
			f.print = &printJob{}
		}
		done(f, err)
		if f != nil && f.print != nil {
			e.printReceipt(f)
		}
	})
}

// printJob is where a receipt's printing is; the Fyne goroutine alone
// reads and writes it.
type printJob struct {
	done bool
	err  error
	show func() // the receipt screen's status line, told when it is done
}

// printReceipt draws f's receipt and prints it off the Fyne goroutine,
// then tells the receipt screen and the staff health screen how it went.
func (e *env) printReceipt(f *filedCase) {
	lang, street, pr := e.lang, e.street, e.printer
	e.bg(func() {
		img, err := receiptImage(lang, f, street, pr.Width())
		if err == nil {
			err = pr.Print(context.Background(), img)
		}
		fyne.Do(func() {
			f.print.done, f.print.err = true, err
			e.printed.record(e.now(), err)
			if err != nil {
				e.log.Warn("ui: the receipt did not print", "printer", pr.String(), "ref", f.c.Ref, "error", err)
			}
			if f.print.show != nil {
				f.print.show()
			}
		})
	})
}

// printStatus is the receipt screen's line about its printing.
func (e *env) printStatus(j *printJob) string {
	switch {
	case !j.done:
		return e.L("receipt.printing")
	case j.err != nil:
		return e.Lf("receipt.print_failed", e.printErrText(j.err))
	}
	return e.L("receipt.take")
}

// printerLog is the last print's outcome, for the staff health screen.
type printerLog struct {
	at  time.Time // zero: nothing printed since the kiosk started
	err error
}

func (l *printerLog) record(at time.Time, err error) { l.at, l.err = at, err }

// newReceipt is what a resident sees once the case is durably queued: the
// reference, large and spaced, what happens next and by when, where to
// ask, a QR code to follow it on a phone, and 完成.
func newReceipt(e *env, f *filedCase) fyne.CanvasObject {
	if f == nil {
		return para(e.L("receipt.none"))
	}
	r := newReceiptOf(e.lang, f, e.street)
	done := heading(r.Title)
	refLabel := widget.NewLabel(e.L("receipt.ref"))
	var printing *wrapLabel
	if f.print != nil {
		refLabel.SetText(e.L("receipt.ref_printed"))
		printing = subheading(e.printStatus(f.print))
		j := f.print
		j.show = func() {
			printing.SetText(e.printStatus(j))
			if j.err != nil {
				printing.Importance = widget.DangerImportance
				printing.Refresh()
			}
		}
		if j.err != nil {
			printing.Importance = widget.DangerImportance
		}
	}
	ref := canvas.NewText(spacedRef(f.c.Ref), theme.Color(theme.ColorNameForeground))
	ref.TextSize = 1.5 * theme.Size(theme.SizeNameHeadingText)
	ref.TextStyle = fyne.TextStyle{Bold: true, Monospace: true}
	ref.Alignment = fyne.TextAlignLeading
	left := container.NewVBox(done)
	if r.Service != "" {
		left.Add(subheading(r.Service))
	}
	left.Add(refLabel)
	left.Add(container.NewPadded(ref))
	if printing != nil {
		left.Add(printing)
	}
	left.Add(subheading(r.DeadlineText))
	left.Add(para(r.Keep))
	left.Add(widget.NewSeparator())
	for _, n := range r.Next {
		left.Add(para(n))
	}
	if len(r.Bring) > 0 {
		left.Add(subheading(e.L("receipt.bring")))
		left.Add(numbered(r.Bring))
	}
	left.Add(widget.NewSeparator())
	left.Add(subheading(e.L("receipt.ask")))
	left.Add(fields(
		e.L("soon.place"), r.Ask.Place,
		e.L("soon.address"), r.Ask.Address,
		e.L("soon.phone"), r.Ask.Phone,
	))
	finish := e.primary(e.L("receipt.finish"), theme.ConfirmIcon(), e.reset)
	finish.min = 1.5 * finish.min
	right := container.NewVBox(finish)
	if r.TrackURL != "" {
		right = container.NewVBox(e.qrCode(e.L("receipt.qr"), r.TrackURL), finish)
	}
	if e.isPortrait() {
		// Too narrow for the code beside the text: under it.
		return e.scrollPages(container.NewVBox(left, container.NewCenter(right)))
	}
	return e.scrollPages(container.NewBorder(nil, nil, nil, container.NewPadded(right), left))
}
