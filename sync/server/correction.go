package server

import (
	"errors"
	"maps"
	"strings"
	"unicode/utf8"

	"jiezhen/data"
	"jiezhen/sync/wire"
)

// CorrectedReason is the reason recorded when a case returned for
// correction comes back with what was missing; the resident reads it in
// the timeline. What was supplied stays on the district.
const CorrectedReason = "申请人已补正"

// correction takes what a resident supplied for a case returned for
// correction (补正): an application's corrected form values, a disclosure
// request's restated information, a note. The case goes back to received
// with a new deadline counted from today, as the time limit runs again
// from the day the correction arrives, and its filing kiosk sees that in
// its feed. Any kiosk of the case's street may send it.
func (pt *pushTx) correction(it wire.PushItem) (wire.PushResult, error) {
	var corr data.Correction
	if err := decodeBody(it, &corr); err != nil {
		return wire.PushResult{}, err
	}
	if corr.Case == "" {
		return wire.PushResult{}, refuse(wire.RefusedMalformed, "the correction names no case")
	}
	rec, err := pt.tx.Case(corr.Case)
	if errors.Is(err, ErrNotFound) {
		return wire.PushResult{}, refuse(wire.RefusedCaseUnknown, "case %q is not known", corr.Case)
	}
	if err != nil {
		return wire.PushResult{}, err
	}
	c := &rec.Case
	if c.Street != pt.k.Street {
		return wire.PushResult{}, pt.otherStreet(it, "case "+corr.Case, c.Street)
	}
	if c.Status != data.StatusCorrection {
		return wire.PushResult{}, refuse(wire.RefusedNotAwaitingCorrection, "case %s is not waiting for a correction: it is %s", c.Ref, c.Status.Label(data.EN))
	}
	corr.Information = strings.TrimSpace(corr.Information)
	corr.Note = strings.TrimSpace(corr.Note)
	switch {
	case len(corr.Values) == 0 && corr.Information == "" && corr.Note == "":
		return wire.PushResult{}, refuse(wire.RefusedIncomplete, "the correction supplies nothing: no values, information or note")
	case len(corr.Values) > 0 && c.Kind != data.CaseApplication:
		return wire.PushResult{}, refuse(wire.RefusedMalformed, "only an application's correction has form values")
	case corr.Information != "" && c.Kind != data.CaseDisclosure:
		return wire.PushResult{}, refuse(wire.RefusedMalformed, "only a disclosure request's correction restates its information")
	case utf8.RuneCountInString(corr.Note) > data.MaxCorrectionNote:
		return wire.PushResult{}, refuse(wire.RefusedMalformed, "the correction's note is longer than %d characters", data.MaxCorrectionNote)
	}
	days := -1
	switch c.Kind {
	case data.CaseApplication:
		svc, ok, err := pt.service(c.Service)
		if err != nil {
			return wire.PushResult{}, err
		}
		values := maps.Clone(c.Values)
		if values == nil {
			values = data.FormValues{}
		}
		maps.Copy(values, corr.Values)
		if ok {
			if err := checkForm(svc, values, pt.today); err != nil {
				return wire.PushResult{}, err
			}
			days = serviceDays(svc)
		}
		c.Values = values
	case data.CaseDisclosure:
		if corr.Information != "" {
			if c.Request == nil {
				c.Request = &data.DisclosureRequest{}
			}
			c.Request.Information = corr.Information
		}
		days = data.DisclosureDays
	}
	now := pt.now
	if n := len(c.History); n > 0 && now.Before(c.History[n-1].At) {
		now = c.History[n-1].At
	}
	if err := c.Move(data.StatusReceived, now, CorrectedReason); err != nil {
		return wire.PushResult{}, refuse(wire.RefusedNotAwaitingCorrection, "%v", err)
	}
	if days >= 0 {
		cal, err := pt.calendar()
		if err != nil {
			return wire.PushResult{}, err
		}
		c.Deadline = cal.AddWorkdays(pt.today, days)
	}
	corr.At = now
	c.Corrections = append(c.Corrections, corr)
	rec.Version++
	if err := pt.putCase(rec); err != nil {
		return wire.PushResult{}, err
	}
	return pt.accepted(it, c.Ref), nil
}

// service is a published service item, if it still is.
func (pt *pushTx) service(id string) (data.ServiceItem, bool, error) {
	var svc data.ServiceItem
	item, ok, err := pt.liveItem(data.KindService, id)
	if err != nil || !ok {
		return svc, false, err
	}
	return svc, true, jsonDecode(item.Body, &svc)
}
