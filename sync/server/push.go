package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"jiezhen/data"
	"jiezhen/data/report"
	"jiezhen/sync/wire"
)

// itemHash is what the ledger compares to tell a retry from a different
// item reusing an id. The body is compacted first, so that a client that
// re-encodes its queue with other spacing still retries rather than
// conflicts.
func itemHash(it wire.PushItem) string {
	var b bytes.Buffer
	if err := json.Compact(&b, it.Body); err != nil {
		b.Reset()
		b.Write(it.Body)
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%d\x00", it.Kind, it.BaseVersion)
	h.Write(b.Bytes())
	return hex.EncodeToString(h.Sum(nil))
}

// refused is a permanent problem with one item: it gets a refused result
// with the code of its kind, and the rest of the batch goes on.
type refused struct {
	code   wire.RefusalCode
	reason string
}

func (r refused) Error() string { return r.reason }

func refuse(code wire.RefusalCode, format string, args ...any) error {
	return refused{code, fmt.Sprintf(format, args...)}
}

// Push stores a batch of outbox items from kiosk k in one transaction and
// answers each. A retried id with the same body gets its first result
// again; an id reused with a different body, or an item for another
// street, refuses the whole batch (409, 403) with nothing stored.
func (p *Platform) Push(ctx context.Context, k Kiosk, req *wire.PushRequest) (wire.PushResponse, error) {
	return p.push(ctx, k, req, data.ChannelKiosk)
}

// push is Push for a channel: the channel each case it files records.
func (p *Platform) push(ctx context.Context, k Kiosk, req *wire.PushRequest, channel data.Channel) (wire.PushResponse, error) {
	if err := req.Check(); err != nil {
		var ie *wire.ItemError
		item := ""
		if errors.As(err, &ie) {
			item = ie.Item
		}
		return wire.PushResponse{}, &Error{Status: http.StatusBadRequest, Item: item, Msg: err.Error()}
	}
	resp := wire.PushResponse{Results: make([]wire.PushResult, 0, len(req.Items))}
	counts := map[wire.Outcome]int{}
	var now time.Time
	err := p.store.Write(ctx, func(tx Tx) error {
		resp.Results = resp.Results[:0]
		clear(counts)
		// The time is read once the write's turn has come, so that the
		// district's times run in the same order as its feed and its
		// references, whichever request arrived first.
		now = p.clock()
		pt := &pushTx{p: p, tx: tx, k: k, channel: channel, now: now, today: data.DateOf(now.In(china))}
		// The batch's items are looked up in the ledger, and its cases
		// among those filed, in one statement rather than one by one: each lookup
		// is a round trip under the district's write lock on PostgreSQL.
		// Ids are unique within a batch (wire.PushRequest.Check), so
		// what the batch itself writes cannot change the answers.
		ids := make([]string, len(req.Items))
		var caseIDs []string
		for i, it := range req.Items {
			ids[i] = it.ID
			if it.Kind == wire.ItemCase {
				caseIDs = append(caseIDs, it.ID)
			}
		}
		entries, filed, err := tx.Seen(ids, caseIDs)
		if err != nil {
			return err
		}
		pt.filed = filed
		for _, it := range req.Items {
			hash := itemHash(it)
			if e, ok := entries[it.ID]; ok {
				if e.Kiosk != k.ID || e.Hash != hash {
					return errorf(http.StatusConflict, it.ID, "item %s was sent before with a different body, and the first one stands", it.ID)
				}
				first := e.Result
				resp.Results = append(resp.Results, wire.PushResult{ID: it.ID, Outcome: wire.Duplicate, First: &first})
				counts[wire.Duplicate]++
				continue
			}
			res, err := pt.apply(it)
			var r refused
			if errors.As(err, &r) {
				res, err = wire.PushResult{ID: it.ID, Outcome: wire.Refused, Reason: r.reason, Code: r.code}, nil
			}
			if err != nil {
				return err
			}
			if err := tx.PutEntry(ledgerEntry(it, k, hash, res, now)); err != nil {
				return err
			}
			resp.Results = append(resp.Results, res)
			counts[res.Outcome]++
		}
		return nil
	})
	if err != nil {
		return wire.PushResponse{}, err
	}
	resp.ServerTime = now
	if p.onPush != nil {
		for _, r := range resp.Results {
			p.onPush(r)
		}
	}
	p.log.Info("push", "kiosk", k.ID, "items", len(req.Items), "accepted", counts[wire.Accepted],
		"duplicate", counts[wire.Duplicate], "conflict", counts[wire.Conflict], "refused", counts[wire.Refused])
	return resp, nil
}

func ledgerEntry(it wire.PushItem, k Kiosk, hash string, res wire.PushResult, now time.Time) Entry {
	return Entry{ID: it.ID, Kiosk: k.ID, Kind: it.Kind, Hash: hash, Result: res, At: now}
}

// pushTx is one batch being applied.
type pushTx struct {
	p       *Platform
	tx      Tx
	k       Kiosk // ID 0 for the website
	channel data.Channel
	now     time.Time
	today   data.Date
	cal     *data.Calendar
	// filed is which of the batch's case items are cases the district
	// already has, read when the batch began; nil when not read.
	filed map[string]bool
}

func (pt *pushTx) apply(it wire.PushItem) (wire.PushResult, error) {
	switch it.Kind {
	case wire.ItemCase:
		return pt.fileCase(it)
	case wire.ItemOpinion:
		return pt.opinion(it)
	case wire.ItemRating:
		return pt.rating(it)
	case wire.ItemStaffEdit:
		return pt.staffEdit(it)
	case wire.ItemCorrection:
		return pt.correction(it)
	case wire.ItemAudit:
		return pt.audit(it)
	}
	return wire.PushResult{}, refuse(wire.RefusedMalformed, "unknown kind %q", it.Kind)
}

func (pt *pushTx) accepted(it wire.PushItem, ref string) wire.PushResult {
	return wire.PushResult{ID: it.ID, Outcome: wire.Accepted, Ref: ref, At: pt.now}
}

// otherStreet refuses the whole batch: a kiosk writing for another street
// is a misconfigured or stolen token, not a resident's mistake.
func (pt *pushTx) otherStreet(it wire.PushItem, what, street string) error {
	return errorf(http.StatusForbidden, it.ID, "item %s: %s belongs to street %s, not to this kiosk's street %s", it.ID, what, street, pt.k.Street)
}

// decodeBody decodes an item's body without echoing it in the error (it
// may hold personal data) and checks every string field of it.
func decodeBody(it wire.PushItem, v any) error {
	if err := json.Unmarshal(it.Body, v); err != nil {
		var typ *json.UnmarshalTypeError
		if errors.As(err, &typ) && typ.Field != "" {
			return refuse(wire.RefusedMalformed, "the %s body does not decode: field %s has the wrong type", it.Kind, typ.Field)
		}
		return refuse(wire.RefusedMalformed, "the %s body does not decode", it.Kind)
	}
	// Every string field keeps its class's length, characters and form
	// before anything is stored (docs/ARCHITECTURE.md, "Field rules").
	if err := data.CheckFields(v); err != nil {
		return refuse(wire.RefusedForm, "the %s's %v", it.Kind, err)
	}
	return nil
}

func (pt *pushTx) liveItem(kind data.Kind, id string) (Item, bool, error) {
	item, err := pt.tx.Item(kind, id)
	if errors.Is(err, ErrNotFound) || (err == nil && item.Deleted) {
		return item, false, nil
	}
	return item, err == nil, err
}

func (pt *pushTx) calendar() (*data.Calendar, error) {
	if pt.cal != nil {
		return pt.cal, nil
	}
	cal, err := calendarOf(pt.tx)
	pt.cal = cal
	return cal, err
}

// fileCase receives a resident's case: the district gives it its
// reference, its deadline on the district's calendar and the move to
// received, all at the district's time.
func (pt *pushTx) fileCase(it wire.PushItem) (wire.PushResult, error) {
	var c data.Case
	if err := decodeBody(it, &c); err != nil {
		return wire.PushResult{}, err
	}
	switch {
	case c.ID == "":
		c.ID = it.ID
	case c.ID != it.ID:
		return wire.PushResult{}, refuse(wire.RefusedMalformed, "the case's id is not the item's id")
	}
	if c.Street != pt.k.Street {
		return wire.PushResult{}, pt.otherStreet(it, "the case", c.Street)
	}
	if !c.Kind.Valid() {
		return wire.PushResult{}, refuse(wire.RefusedMalformed, "unknown case kind %q", c.Kind)
	}
	if c.Status != "" && c.Status != data.StatusSubmitted {
		return wire.PushResult{}, refuse(wire.RefusedMalformed, "a new case must be %q, not %q", data.StatusSubmitted, c.Status)
	}
	filed := pt.filed[c.ID]
	if pt.filed == nil {
		// Not read with the batch's (a case applied alone).
		_, err := pt.tx.Case(c.ID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return wire.PushResult{}, err
		}
		filed = err == nil
	}
	if filed {
		return wire.PushResult{}, refuse(wire.RefusedAlreadyFiled, "case %s is already filed", c.ID)
	}
	days, err := pt.checkCase(it, &c)
	if err != nil {
		return wire.PushResult{}, err
	}

	// What the district decides, whatever the kiosk sent.
	c.Status, c.History, c.Reply, c.Rating, c.RatingDefault, c.MergedInto, c.Department = data.StatusSubmitted, nil, nil, 0, false, "", ""
	c.Corrections = nil
	c.Channel = pt.channel
	c.Kiosk = ""
	if pt.k.ID > 0 {
		c.Kiosk = strconv.FormatInt(pt.k.ID, 10)
	}
	if pt.k.ID == 0 {
		// A case filed on the website: the time it was filed is the
		// district's.
		c.SubmittedAt = pt.now
	}
	day := data.DateOf(pt.now.In(china))
	sent := c.Ref
	if c.Ref, err = pt.reference(sent); err != nil {
		return wire.PushResult{}, err
	}
	if sent != "" && c.Ref != data.FormatReference(sent) {
		pt.p.log.Warn("case reference replaced", "kiosk", pt.k.ID, "id", c.ID, "sent", sent, "ref", c.Ref)
	}
	c.Deadline = data.Date{}
	if days >= 0 {
		cal, err := pt.calendar()
		if err != nil {
			return wire.PushResult{}, err
		}
		c.Deadline = cal.AddWorkdays(day, days)
	}
	if err := c.Move(data.StatusReceived, pt.now, ""); err != nil {
		return wire.PushResult{}, err
	}
	rec := CaseRecord{Case: c, Kiosk: pt.k.ID, ReceivedAt: pt.now, Version: 1}
	if err := putCaseView(pt.tx, rec, true); err != nil {
		return wire.PushResult{}, err
	}
	return pt.accepted(it, c.Ref), nil
}

// reference keeps the reference the kiosk made offline, which is on the
// resident's receipt, when it is well formed, its kiosk field is this
// kiosk's number and no other case has it. Otherwise (a kiosk started
// without its number, or a kiosk whose database was replaced and counts
// its serials again) the district gives one of its own, and the push
// result carries it back to the kiosk.
func (pt *pushTx) reference(sent string) (string, error) {
	if k, err := data.ReferenceKiosk(sent); err == nil && k == pt.k.ID {
		ref := data.FormatReference(sent)
		_, err := pt.tx.CaseByRef(ref)
		if errors.Is(err, ErrNotFound) {
			return ref, nil
		}
		if err != nil {
			return "", err
		}
	}
	return districtReference(pt.tx, pt.now)
}

// districtReference gives a reference in the kiosks' format from the
// district's own series: kiosk field 0, which no kiosk has (kiosk numbers
// start at 1), with the day's serials. A day with more than MaxRefSerial
// of them goes on in the kiosk fields counted down from MaxRefKiosk. A
// reference some kiosk has already used is skipped.
func districtReference(tx Tx, now time.Time) (string, error) {
	day := data.DateOf(now.In(china))
	for {
		n, err := tx.NextSerial("ref:" + day.String())
		if err != nil {
			return "", err
		}
		block, seq := (n-1)/data.MaxRefSerial, int((n-1)%data.MaxRefSerial)+1
		kiosk := int64(0)
		if block > 0 {
			kiosk = data.MaxRefKiosk + 1 - block
		}
		ref, err := data.NewReference(kiosk, now, seq)
		if err != nil {
			return "", err
		}
		if _, err := tx.CaseByRef(ref); errors.Is(err, ErrNotFound) {
			return ref, nil
		} else if err != nil {
			return "", err
		}
	}
}

// putCase stores the district's record and the filing kiosk's view of it;
// a case filed on the website has no kiosk, and no view in the feed (an
// item of kiosk 0 would go to every kiosk of the street).
func (pt *pushTx) putCase(rec CaseRecord) error {
	return putCaseView(pt.tx, rec, false)
}

func putCase(tx Tx, rec CaseRecord) error { return putCaseView(tx, rec, false) }

// putCaseView is putCase for a case that may be new: one just filed has no
// view in the feed yet, which PutItem then need not look for.
func putCaseView(tx Tx, rec CaseRecord, filed bool) error {
	if err := tx.PutCase(rec); err != nil {
		return err
	}
	if rec.Kiosk == 0 {
		return nil
	}
	view, err := json.Marshal(rec.Case.WithoutPersonal())
	if err != nil {
		return err
	}
	_, err = tx.PutItem(Item{Kind: wire.KindCase, ID: rec.Case.ID, Street: rec.Case.Street, Kiosk: rec.Kiosk, Version: rec.Version, Body: view, New: filed})
	return err
}

// checkCase checks what a case of each kind must have, and returns the
// working days it is to be done in (-1 for no deadline). The reasons name
// fields, never their values.
func (pt *pushTx) checkCase(it wire.PushItem, c *data.Case) (int, error) {
	if c.Anonymous && c.Kind != data.CaseAppeal {
		return 0, refuse(wire.RefusedApplicant, "only an appeal can be anonymous")
	}
	if !c.Anonymous {
		a := c.Applicant
		if a == nil || strings.TrimSpace(a.Name) == "" {
			return 0, refuse(wire.RefusedApplicant, "the applicant's name is missing")
		}
		if a.IDNumber != "" {
			if err := data.ValidateIDNumber(a.IDNumber, pt.today); err != nil {
				return 0, refuse(wire.RefusedApplicant, "the applicant's %v", err)
			}
		}
		if a.Mobile != "" {
			if err := data.ValidateMobile(a.Mobile); err != nil {
				return 0, refuse(wire.RefusedApplicant, "the applicant's mobile %v", err)
			}
		}
	}
	switch c.Kind {
	case data.CaseApplication:
		if c.Service == "" {
			return 0, refuse(wire.RefusedIncomplete, "the application names no service")
		}
		svcItem, ok, err := pt.liveItem(data.KindService, c.Service)
		if err != nil {
			return 0, err
		}
		if !ok {
			return 0, refuse(wire.RefusedNotPublished, "service %q is not published", c.Service)
		}
		if svcItem.Street != "" && svcItem.Street != pt.k.Street {
			return 0, pt.otherStreet(it, "service "+c.Service, svcItem.Street)
		}
		var svc data.ServiceItem
		if err := jsonDecode(svcItem.Body, &svc); err != nil {
			return 0, err
		}
		if !svc.AppliesOnline() {
			return 0, refuse(wire.RefusedNotOnline, "service %q cannot be applied for online", c.Service)
		}
		if err := checkForm(svc, c.Values, pt.today); err != nil {
			return 0, err
		}
		return serviceDays(svc), nil
	case data.CaseAppeal:
		if !slices.Contains(data.AppealTypes, c.AppealType) {
			return 0, refuse(wire.RefusedMalformed, "unknown appeal type %q", c.AppealType)
		}
		if strings.TrimSpace(c.Description) == "" {
			return 0, refuse(wire.RefusedIncomplete, "the appeal has no description")
		}
		return data.DefaultAppealDays[c.AppealType], nil
	case data.CaseDisclosure:
		r := c.Request
		if r == nil || strings.TrimSpace(r.Information) == "" {
			return 0, refuse(wire.RefusedIncomplete, "the disclosure request does not say what information it asks for")
		}
		if r.Requester != "" && !r.Requester.Valid() {
			return 0, refuse(wire.RefusedMalformed, "unknown requester %q", r.Requester)
		}
		if !slices.Contains([]data.Delivery{data.DeliveryPickup, data.DeliveryPost, data.DeliveryEmail}, r.Delivery) {
			return 0, refuse(wire.RefusedMalformed, "unknown delivery %q", r.Delivery)
		}
		return data.DisclosureDays, nil
	}
	return -1, nil
}

// checkForm refuses an application's values that the service's form
// does not take; the reasons name fields, never their values.
func checkForm(svc data.ServiceItem, values data.FormValues, today data.Date) error {
	errs := svc.Form.Validate(values, today)
	if len(errs) == 0 {
		return nil
	}
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	return refuse(wire.RefusedForm, "the form has problems: %s", strings.Join(msgs, "; "))
}

// serviceDays is the working days an application for svc is to be done
// in: 0 for one done on the spot, the promised time (承诺办结时限) or else
// the legal one, -1 for none.
func serviceDays(svc data.ServiceItem) int {
	switch {
	case svc.OnTheSpot:
		return 0
	case svc.PromisedDays > 0:
		return svc.PromisedDays
	case svc.LegalDays > 0:
		return svc.LegalDays
	}
	return -1
}

// opinion takes a resident's opinion on a consultation. One that arrives
// after the consultation closed is kept and marked late rather than
// refused: the resident may have written it on the last day while the
// line was down, and the district decides what to do with it.
func (pt *pushTx) opinion(it wire.PushItem) (wire.PushResult, error) {
	var o data.Opinion
	if err := decodeBody(it, &o); err != nil {
		return wire.PushResult{}, err
	}
	switch {
	case o.ID == "":
		o.ID = it.ID
	case o.ID != it.ID:
		return wire.PushResult{}, refuse(wire.RefusedMalformed, "the opinion's id is not the item's id")
	}
	item, ok, err := pt.liveItem(data.KindConsultation, o.Consultation)
	if err != nil {
		return wire.PushResult{}, err
	}
	if !ok {
		return wire.PushResult{}, refuse(wire.RefusedNotPublished, "consultation %q is not published", o.Consultation)
	}
	if item.Street != "" && item.Street != pt.k.Street {
		return wire.PushResult{}, pt.otherStreet(it, "consultation "+o.Consultation, item.Street)
	}
	var c data.Consultation
	if err := jsonDecode(item.Body, &c); err != nil {
		return wire.PushResult{}, err
	}
	if !slices.ContainsFunc(c.Topics, func(t data.Topic) bool { return t.ID == o.Topic }) {
		return wire.PushResult{}, refuse(wire.RefusedNotPublished, "consultation %q has no topic %q", c.ID, o.Topic)
	}
	if strings.TrimSpace(o.Text) == "" {
		return wire.PushResult{}, refuse(wire.RefusedIncomplete, "the opinion is empty")
	}
	if pt.today.Before(c.Opens) {
		return wire.PushResult{}, refuse(wire.RefusedNotOpen, "consultation %q opens on %s", c.ID, c.Opens)
	}
	if o.Mobile != "" {
		if err := data.ValidateMobile(o.Mobile); err != nil {
			return wire.PushResult{}, refuse(wire.RefusedApplicant, "the mobile %v", err)
		}
	}
	if pt.k.ID == 0 {
		o.At = pt.now // filed on the website: the district's time
	}
	n, err := pt.tx.NextSerial("opinion:" + c.ID)
	if err != nil {
		return wire.PushResult{}, err
	}
	ref := fmt.Sprintf("%s-%d", c.ID, n)
	rec := OpinionRecord{Opinion: o, Ref: ref, Street: pt.k.Street, Kiosk: pt.k.ID, ReceivedAt: pt.now, Late: c.ClosedOn(pt.today)}
	if err := pt.tx.AddOpinion(rec); err != nil {
		return wire.PushResult{}, err
	}
	return pt.accepted(it, ref), nil
}

// rating rates a completed case; the case moves to rated and its filing
// kiosk sees that in its feed.
func (pt *pushTx) rating(it wire.PushItem) (wire.PushResult, error) {
	var r wire.RatingBody
	if err := decodeBody(it, &r); err != nil {
		return wire.PushResult{}, err
	}
	if r.Rating < data.RatingVeryUnsatisfied || r.Rating > data.RatingVerySatisfied {
		return wire.PushResult{}, refuse(wire.RefusedMalformed, "the rating must be 1 to 5, not %d", r.Rating)
	}
	rec, err := pt.tx.Case(r.Case)
	if errors.Is(err, ErrNotFound) {
		return wire.PushResult{}, refuse(wire.RefusedCaseUnknown, "case %q is not known", r.Case)
	}
	if err != nil {
		return wire.PushResult{}, err
	}
	if rec.Case.Street != pt.k.Street {
		return wire.PushResult{}, pt.otherStreet(it, "case "+r.Case, rec.Case.Street)
	}
	switch {
	case rec.Case.Status == data.StatusRated && rec.Case.RatingDefault:
		return wire.PushResult{}, refuse(wire.RefusedRatingLate, "case %s was not rated within %d days of its completion and already counts as %s; a later rating is not taken",
			rec.Case.Ref, data.DefaultRatingDays, data.RatingBasic.Label(data.ZH))
	case rec.Case.Status == data.StatusRated:
		return wire.PushResult{}, refuse(wire.RefusedNotRatable, "case %s is already rated", rec.Case.Ref)
	}
	if err := rec.Case.Move(data.StatusRated, pt.now, ""); err != nil {
		return wire.PushResult{}, refuse(wire.RefusedNotRatable, "%v", err)
	}
	rec.Case.Rating = r.Rating
	rec.Version++
	if err := pt.putCase(rec); err != nil {
		return wire.PushResult{}, err
	}
	if err := pt.tx.AddRating(RatingRecord{ID: it.ID, Case: r.Case, Rating: r.Rating, Comment: r.Comment, Kiosk: pt.k.ID, ReceivedAt: pt.now}); err != nil {
		return wire.PushResult{}, err
	}
	return pt.accepted(it, rec.Case.Ref), nil
}

// staffEdit applies street staff's edit of their street's content if it
// was made on the current version; otherwise it is a conflict that hands
// back the current item, and nothing is overwritten.
func (pt *pushTx) staffEdit(it wire.PushItem) (wire.PushResult, error) {
	var e wire.StaffEdit
	if err := decodeBody(it, &e); err != nil {
		return wire.PushResult{}, err
	}
	if !e.Kind.Valid() {
		return wire.PushResult{}, refuse(wire.RefusedMalformed, "staff cannot edit %q content", e.Kind)
	}
	if e.Kind == data.KindCalendar || e.Kind == data.KindStaff {
		return wire.PushResult{}, refuse(wire.RefusedDistrictContent, "staff cannot edit %q content", e.Kind)
	}
	if e.ID == "" {
		return wire.PushResult{}, refuse(wire.RefusedMalformed, "the staff edit names no item")
	}
	cur, err := pt.tx.Item(e.Kind, e.ID)
	exists := err == nil
	if err != nil && !errors.Is(err, ErrNotFound) {
		return wire.PushResult{}, err
	}
	if exists {
		switch {
		case cur.Street == "":
			return wire.PushResult{}, refuse(wire.RefusedDistrictContent, "%s %q is district-wide content, which only the district edits", e.Kind, e.ID)
		case cur.Street != pt.k.Street:
			return wire.PushResult{}, pt.otherStreet(it, fmt.Sprintf("%s %s", e.Kind, e.ID), cur.Street)
		}
	}
	next := Item{Kind: e.Kind, ID: e.ID, Street: pt.k.Street, Version: cur.Version + 1}
	switch e.Op {
	case data.OpUpsert:
		c, err := oneItem(e.Kind, e.Item, pt.today)
		if err != nil {
			return wire.PushResult{}, refuse(wire.RefusedContent, "%v", err)
		}
		if c.ID != e.ID {
			return wire.PushResult{}, refuse(wire.RefusedMalformed, "the edited item's id is %q, not %q", c.ID, e.ID)
		}
		street, err := streetOf(c)
		if err != nil {
			return wire.PushResult{}, refuse(wire.RefusedContent, "%v", err)
		}
		if street != pt.k.Street {
			return wire.PushResult{}, pt.otherStreet(it, fmt.Sprintf("the edited %s %s", e.Kind, e.ID), street)
		}
		if err := checkFiles(pt.tx, c); err != nil {
			return wire.PushResult{}, refuse(wire.RefusedContent, "%v", err)
		}
		next.Body = c.Body
	case data.OpDelete:
		next.Deleted = true
	default:
		return wire.PushResult{}, refuse(wire.RefusedMalformed, "unknown op %q", e.Op)
	}
	if it.BaseVersion != cur.Version {
		res := wire.PushResult{ID: it.ID, Outcome: wire.Conflict, Version: cur.Version}
		if exists && !cur.Deleted {
			res.Current = cur.Body
		}
		return res, nil
	}
	if next.Deleted && (!exists || cur.Deleted) {
		return wire.PushResult{}, refuse(wire.RefusedNothingToDelete, "%s %q is not published, so there is nothing to delete", e.Kind, e.ID)
	}
	res := pt.accepted(it, fmt.Sprintf("%s/%s", e.Kind, e.ID))
	if exists && !cur.Deleted && !next.Deleted && bytes.Equal(cur.Body, next.Body) {
		res.Version = cur.Version
		return res, nil
	}
	if _, err := pt.tx.PutItem(next); err != nil {
		return wire.PushResult{}, err
	}
	op := report.ContentUpdate
	switch {
	case next.Deleted:
		op = report.ContentWithdraw
	case !exists || cur.Deleted:
		op = report.ContentPublish
	}
	if err := pt.tx.LogContent(pt.now, next.Kind, next.ID, next.Street, op); err != nil {
		return wire.PushResult{}, err
	}
	res.Version = next.Version
	return res, nil
}

// audit records an action of street staff on the kiosk, with the
// district's time of receipt.
func (pt *pushTx) audit(it wire.PushItem) (wire.PushResult, error) {
	var a wire.AuditBody
	if err := decodeBody(it, &a); err != nil {
		return wire.PushResult{}, err
	}
	switch {
	case strings.TrimSpace(a.Action) == "" || len(a.Action) > 64:
		return wire.PushResult{}, refuse(wire.RefusedMalformed, "the audit record has no action, or a longer one than 64 bytes")
	case strings.TrimSpace(a.Staff) == "" || strings.TrimSpace(a.StaffID) == "":
		return wire.PushResult{}, refuse(wire.RefusedMalformed, "the audit record names no staff member")
	}
	rec := AuditRecord{ID: it.ID, ReceivedAt: pt.now, Kiosk: pt.k.ID, Street: pt.k.Street, Staff: a.Staff,
		StaffID: a.StaffID, Action: a.Action, Detail: a.Detail, At: a.At.UTC()}
	if err := pt.tx.AddAudit(rec); err != nil {
		return wire.PushResult{}, err
	}
	return pt.accepted(it, ""), nil
}
