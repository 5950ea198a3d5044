package ui

import (
	"context"
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"jiezhen/data"
	"jiezhen/data/store"
)

// 补正: the district returned the resident's application or disclosure
// request for correction, with what is missing as the reason of that
// move. Once the resident has proved the last four digits of the mobile,
// the timeline says what is missing and offers 补正材料: a form of the
// service's fields (an application) or the information asked for (a
// disclosure request), and a note. The kiosk swept the values filed
// (privacy retention), so nothing is prefilled: every field is optional
// and each one filled is checked as in the application form. The
// correction is queued in the outbox (store.QueueCorrection); the
// district moves the case back to received and the feed brings that back.

// correctionNote is the code of the note's field in the correction form;
// no service schema uses it.
const correctionNote = "__correction_note"

// correctionInfo is what the timeline of a case in correction needs
// beyond the timeline: loaded with it, off the Fyne goroutine.
type correctionInfo struct {
	missing string            // the reason of the last move to correction
	svc     *data.ServiceItem // an application's service, if the kiosk has it
	queued  bool              // a correction waits in the outbox
	sent    bool              // it was queued just now, on this screen
}

// loadCorrection reads what the timeline of a case waiting for correction
// needs; nil for any other case or one found by the reference alone.
func loadCorrection(ctx context.Context, e *env, t Tracker, tl data.Timeline, c data.Case) (*correctionInfo, error) {
	if tl.Status != data.StatusCorrection || tl.PublicOnly {
		return nil, nil
	}
	info := &correctionInfo{}
	for _, ev := range tl.Events {
		if ev.Status == data.StatusCorrection {
			info.missing = ev.Reason
		}
	}
	q, err := t.CorrectionQueued(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	info.queued = q
	if c.Kind == data.CaseApplication && c.Service != "" && e.src != nil {
		// A service no longer on the kiosk leaves the note alone.
		if svc, err := e.src.Service(ctx, c.Service); err == nil {
			info.svc = &svc
		}
	}
	return info, nil
}

// correctionPart is the notice on the timeline: what is missing with the
// large 补正材料 button, or that the correction waits to be sent.
func (e *env) correctionPart(t Tracker, res *trackResult) fyne.CanvasObject {
	ci := res.corr
	box := container.NewVBox()
	if ci.queued {
		if ci.sent {
			done := newWrap(e.L("correction.sent"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			box.Add(done)
		}
		box.Add(para(e.L("correction.queued")))
		return box
	}
	need := newWrap(e.missingText(ci), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	need.Importance = widget.DangerImportance
	need.SizeName = theme.SizeNameSubHeadingText
	btn := e.primary(e.L("correction.button"), theme.DocumentCreateIcon(), func() { openCorrection(e, t, res) })
	btn.min = 1.5 * btn.min
	return container.NewBorder(nil, nil, nil, container.NewCenter(btn), need)
}

func (e *env) missingText(ci *correctionInfo) string {
	if strings.TrimSpace(ci.missing) == "" {
		return e.L("correction.need_unknown")
	}
	return e.Lf("correction.need", ci.missing)
}

// openCorrection shows the correction form of the case on res.
func openCorrection(e *env, t Tracker, res *trackResult) {
	st := newFormState()
	e.open(func() string { return e.L("correction.title") }, func() fyne.CanvasObject {
		e.holds(func() bool { return st.filed == nil && st.changed })
		return newForm(e, nil, correctionSpec(e, t, res), st)
	})
}

// correctionFields are the fields of the correction form: an
// application's service fields (the applicant's first, as when it was
// filed) or a disclosure request's information, each optional, then the
// note.
func correctionFields(e *env, res *trackResult) []data.FormField {
	var out []data.FormField
	switch res.tl.Kind {
	case data.CaseApplication:
		if res.corr.svc != nil {
			out = append(out, res.corr.svc.Form.WithApplicant().Fields...)
		}
	case data.CaseDisclosure:
		for _, f := range data.DisclosureForm().Fields {
			if f.Code == data.CodeInformation {
				f.Label = e.L("disclosure.field." + f.Code)
				f.Help = e.L("correction.information_help")
				out = append(out, f)
			}
		}
	}
	for i := range out {
		out[i].Required = false
	}
	return append(out, data.FormField{Code: correctionNote, Label: e.L("correction.note"), Type: data.FieldLongText,
		MaxLen: data.MaxCorrectionNote, Help: e.L("correction.note_help")})
}

func correctionSpec(e *env, t Tracker, res *trackResult) *formSpec {
	fields := correctionFields(e, res)
	title := e.L("correction.title")
	if svc := res.corr.svc; svc != nil && res.tl.Kind == data.CaseApplication {
		title += " · " + svc.Name
	}
	spec := &formSpec{
		title:  func() string { return title },
		fields: fields,
		// Only what was filled in is checked, each field as in the
		// application form.
		build: func(v data.FormValues, today data.Date) (data.Case, error) {
			var errs data.FieldErrors
			for _, f := range fields {
				if r := f.Problem(v[f.Code], today); r != "" {
					errs = append(errs, &data.FieldError{Field: f.Code, Reason: r})
				}
			}
			if len(errs) > 0 {
				return data.Case{}, errs
			}
			return data.Case{}, nil
		},
		intro: func(first bool) fyne.CanvasObject {
			need := newWrap(e.missingText(res.corr), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			need.Importance = widget.DangerImportance
			switch {
			case !first && e.elder:
				return nil // two fields a page rather than one
			case !first:
				return need
			}
			return container.NewVBox(need, para(e.L("correction.hint")))
		},
		review:  func() fyne.CanvasObject { return para(e.L("correction.after")) },
		consent: e.L("correction.consent"),
		failed:  e.L("correction.failed"),
	}
	spec.submit = func(st *formState) { e.submitCorrection(t, res, spec, st) }
	return spec
}

// correctionOf is what the form's values supply: the note apart, a
// disclosure request's information apart, trimmed, ID numbers
// normalised, empty values left out.
func correctionOf(kind data.CaseKind, fields []data.FormField, v data.FormValues) data.Correction {
	var corr data.Correction
	for _, f := range fields {
		val := strings.TrimSpace(v[f.Code])
		if f.Type == data.FieldIDNumber {
			val = data.NormalizeIDNumber(val)
		}
		switch {
		case val == "":
		case f.Code == correctionNote:
			corr.Note = val
		case kind == data.CaseDisclosure && f.Code == data.CodeInformation:
			corr.Information = val
		default:
			if corr.Values == nil {
				corr.Values = data.FormValues{}
			}
			corr.Values[f.Code] = val
		}
	}
	return corr
}

// submitCorrection queues the correction durably and goes back to the
// timeline, which then says it waits to be sent; the sync is woken so
// that it goes at once if the network is there.
func (e *env) submitCorrection(t Tracker, res *trackResult, spec *formSpec, st *formState) {
	st.submitErr = ""
	if _, err := spec.build(st.values, data.DateOf(e.now())); err != nil {
		e.showBuildProblems(st, err)
		return
	}
	corr := correctionOf(res.tl.Kind, spec.fields, st.values)
	if len(corr.Values) == 0 && corr.Information == "" && corr.Note == "" {
		st.submitErr = e.L("correction.nothing")
		e.refresh()
		return
	}
	caseID, now := res.id, e.now()
	load(e, func(ctx context.Context) (string, error) {
		return t.QueueCorrection(ctx, caseID, corr, now)
	}, func(_ string, err error) {
		switch {
		case errors.Is(err, store.ErrCorrectionQueued):
			res.corr.queued = true
		case errors.Is(err, store.ErrNotInCorrection):
			st.submitErr = e.L("correction.not_waiting")
			e.refresh()
			return
		case err != nil:
			st.submitErr = spec.failed + "\n" + e.errText(err)
			e.refresh()
			return
		default:
			res.corr.queued, res.corr.sent = true, true
			e.kick()
		}
		// Nothing personal stays behind in the form.
		*st = *newFormState()
		e.back()
	})
}
