package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"

	"jiezhen/data"
)

// 依申请公开: a resident asks for government information that is not
// published, from the disclosure catalogue's screens. The form is
// data.DisclosureForm, made by the same form code as an application.

// disclosureButton is the large 申请公开 button, prefilled with what the
// request is about (empty: the resident writes it); nil on a kiosk that
// cannot file cases.
func (e *env) disclosureButton(label, prefill string) fyne.CanvasObject {
	if e.cases == nil {
		return nil
	}
	b := e.primary(label, theme.MailComposeIcon(), func() { openDisclosure(e, e.cases, prefill) })
	b.min = 1.25 * b.min
	return container.NewHBox(b)
}

// openDisclosure starts a disclosure request; prefill is the description
// of the information asked for, when it comes from a catalogue entry.
func openDisclosure(e *env, w CaseWriter, prefill string) {
	st := newFormState()
	if prefill != "" {
		st.values[data.CodeInformation] = prefill
	}
	openForm(e, w, disclosureSpec(e), st)
}

func disclosureSpec(e *env) *formSpec {
	text := func(prefix string, f data.FormField, fallback string) string {
		key := prefix + f.Code
		if s := e.L(key); s != key {
			return s
		}
		return fallback
	}
	return &formSpec{
		title:  func() string { return e.L("disclosure.title") },
		fields: data.DisclosureForm().Fields,
		shows:  data.DisclosureShows,
		label:  func(f data.FormField) string { return text("disclosure.field.", f, f.Label) },
		help:   func(f data.FormField) string { return text("disclosure.help.", f, "") },
		choice: func(f data.FormField, c string) string {
			switch f.Code {
			case data.CodeDelivery:
				return data.Delivery(c).Label(e.lang)
			case data.CodeRequester:
				return data.Requester(c).Label(e.lang)
			}
			return c
		},
		build:   data.NewDisclosure,
		review:  func() fyne.CanvasObject { return para(e.Lf("disclosure.deadline", data.DisclosureDays)) },
		consent: e.L("disclosure.consent"),
		failed:  e.L("disclosure.submit_failed"),
	}
}
