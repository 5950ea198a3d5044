package data

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// ReadContentSet reads a content set strictly: unknown fields, unknown
// sections, a section given twice and anything after the closing brace are
// errors, because a typo in a field name would otherwise silently publish
// an empty value. The error names the line, the section and index of the
// item, and the item's id when it has one.
func ReadContentSet(r io.Reader) (*ContentSet, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("content set: %w", err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("content set: the input is empty")
	}
	sr := setReader{data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	set := &ContentSet{}
	if err := sr.read(set); err != nil {
		return nil, fmt.Errorf("content set: %w", err)
	}
	return set, nil
}

type setReader struct {
	data []byte
	dec  *json.Decoder
}

// sectionKeys are the top-level keys of a content set, in the order the
// error message suggests them.
var sectionKeys = []string{"streets", "notices", "catalog", "services", "providers", "consultations", "calendars"}

func (sr *setReader) read(set *ContentSet) error {
	tok, err := sr.dec.Token()
	if err != nil {
		return sr.located(err, 0)
	}
	if tok != json.Delim('{') {
		return fmt.Errorf("%s: want an object {\"notices\": [...], ...}, got %s", sr.pos(0), describeToken(tok))
	}
	seen := map[string]bool{}
	for sr.dec.More() {
		at := sr.skipToValue(sr.dec.InputOffset())
		tok, err := sr.dec.Token()
		if err != nil {
			return sr.located(err, 0)
		}
		key, _ := tok.(string)
		if seen[key] {
			return fmt.Errorf("%s: section %q is given twice", sr.pos(at), key)
		}
		seen[key] = true
		switch key {
		case "streets":
			err = readSection(sr, key, &set.Streets)
		case "notices":
			err = readSection(sr, key, &set.Notices)
		case "catalog":
			err = readSection(sr, key, &set.Catalog)
		case "services":
			err = readSection(sr, key, &set.Services)
		case "providers":
			err = readSection(sr, key, &set.Providers)
		case "consultations":
			err = readSection(sr, key, &set.Consultations)
		case "calendars":
			err = readSection(sr, key, &set.Calendars)
		default:
			return fmt.Errorf("%s: unknown section %q (want one of %s)", sr.pos(at), key, strings.Join(sectionKeys, ", "))
		}
		if err != nil {
			return err
		}
	}
	if _, err := sr.dec.Token(); err != nil { // the closing brace
		return sr.located(err, 0)
	}
	end := sr.dec.InputOffset()
	if _, err := sr.dec.Token(); err != io.EOF {
		return fmt.Errorf("%s: unexpected data after the end of the content set", sr.pos(end))
	}
	return nil
}

// readSection reads one section's list, decoding each item on its own so
// that an error can say which item it is in.
func readSection[T any](sr *setReader, key string, dst *[]T) error {
	at := sr.skipToValue(sr.dec.InputOffset())
	tok, err := sr.dec.Token()
	if err != nil {
		return sr.located(err, 0)
	}
	if tok == nil {
		return nil
	}
	if tok != json.Delim('[') {
		return fmt.Errorf("%s: section %q: want a list [...], got %s", sr.pos(at), key, describeToken(tok))
	}
	for i := 0; sr.dec.More(); i++ {
		start := sr.skipToValue(sr.dec.InputOffset())
		var raw json.RawMessage
		if err := sr.dec.Decode(&raw); err != nil {
			// The decoder's offsets count from where it happened to
			// start scanning; scanning again from the item gives a
			// position an editor can use.
			// Its offset counts the offending byte, hence the -1.
			at := start
			if again := json.Unmarshal(sr.data[start:], &raw); again != nil {
				err, at = again, offsetIn(again, start-1)
			}
			return fmt.Errorf("%s: %s[%d]: %s", sr.pos(at), key, i, explain(err))
		}
		var item T
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&item); err != nil {
			return fmt.Errorf("%s: %s[%d]%s: %s", sr.pos(offsetIn(err, start)), key, i, itemName(raw), explain(err))
		}
		*dst = append(*dst, item)
	}
	_, err = sr.dec.Token() // the closing bracket
	if err != nil {
		return sr.located(err, 0)
	}
	return nil
}

// skipToValue moves past the separators the decoder reports as already
// read, so that an error position points at the item itself.
func (sr *setReader) skipToValue(off int64) int64 {
	for off < int64(len(sr.data)) && strings.IndexByte(" \t\r\n,:", sr.data[off]) >= 0 {
		off++
	}
	return off
}

// itemName finds an item's id (a street's code, a calendar's year) for an
// error message, ignoring everything else that may be wrong with it.
func itemName(raw []byte) string {
	var names struct {
		ID   any `json:"id"`
		Code any `json:"code"`
		Year any `json:"year"`
	}
	if json.Unmarshal(raw, &names) != nil {
		return ""
	}
	for _, v := range []any{names.ID, names.Code, names.Year} {
		switch v := v.(type) {
		case string:
			if v != "" {
				return fmt.Sprintf(" (id %q)", v)
			}
		case float64:
			return fmt.Sprintf(" (id %s)", strconv.FormatFloat(v, 'f', -1, 64))
		}
	}
	return ""
}

// offsetIn returns where in the input err happened, for errors that say.
func offsetIn(err error, base int64) int64 {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return base + syn.Offset
	case errors.As(err, &typ):
		return base + typ.Offset
	}
	return base
}

// explain rewords the json package's errors, which speak of Go types, in
// terms of the file an admin wrote.
func explain(err error) string {
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		want := typ.Type.Kind().String()
		switch want {
		case "slice", "array":
			want = "list"
		case "struct", "map":
			want = "object"
		case "int", "int64", "int32", "float64":
			want = "number"
		}
		got, _, _ := strings.Cut(typ.Value, " ")
		switch got {
		case "array":
			got = "list"
		case "bool":
			got = "true/false"
		}
		if typ.Field == "" {
			return fmt.Sprintf("want %s, got %s", withArticle(want), withArticle(got))
		}
		return fmt.Sprintf("field %q: want %s, got %s", typ.Field, withArticle(want), withArticle(got))
	}
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		return "the input ends in the middle"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// ExplainJSON says what is wrong with a JSON document in words about the
// document, not about Go types: `field "values": want an object, got a
// list` rather than "cannot unmarshal array into Go struct field".
func ExplainJSON(err error) string { return explain(err) }

func withArticle(word string) string {
	switch {
	case word == "true/false":
		return word
	case strings.ContainsRune("aeiou", rune(word[0])):
		return "an " + word
	}
	return "a " + word
}

func (sr *setReader) located(err error, base int64) error {
	off := offsetIn(err, base)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		off = int64(len(sr.data))
	}
	return fmt.Errorf("%s: %s", sr.pos(off), explain(err))
}

// pos turns a byte offset into "line L col C", which editors can jump to.
func (sr *setReader) pos(off int64) string {
	off = min(max(off, 0), int64(len(sr.data)))
	before := sr.data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := len([]rune(string(before[bytes.LastIndexByte(before, '\n')+1:]))) + 1
	return fmt.Sprintf("line %d col %d", line, col)
}

func describeToken(tok json.Token) string {
	switch tok := tok.(type) {
	case nil:
		return "null"
	case json.Delim:
		return string(tok)
	case string:
		return "a string"
	case float64, json.Number:
		return "a number"
	case bool:
		return "true/false"
	}
	return fmt.Sprint(tok)
}

// ContentProblem is one thing wrong with one item of a content set.
// Field, when the problem is one field's, is that field's path in the
// item's JSON ("title", "materials[1].name", "hours.mon"), so that a form
// can show the problem next to its field.
type ContentProblem struct {
	Kind    Kind   `json:"kind"`
	ID      string `json:"id"`
	Field   string `json:"field,omitempty"`
	Problem string `json:"problem"`
}

func (p ContentProblem) String() string {
	return fmt.Sprintf("%s %q: %s", p.Kind, clip(p.ID), p.Problem)
}

// ContentErrors are all the problems Validate found. Error shows the first
// few; the whole list is there for a publishing tool to show in full.
type ContentErrors []ContentProblem

// contentErrorsShown is how many problems Error() spells out.
const contentErrorsShown = 5

func (e ContentErrors) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "content set has %d problem", len(e))
	if len(e) != 1 {
		b.WriteString("s")
	}
	for i, p := range e {
		if i == contentErrorsShown {
			fmt.Fprintf(&b, "; and %d more", len(e)-i)
			break
		}
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// Validate checks every item as a district would before publishing it:
// ids, required texts, known codes, phones, hours, form schemas, dates and
// consultation feedback. today is the publishing day: it refuses items
// published in the future, feedback on a consultation still open, and
// calendars for years no notice can exist for yet; a zero today skips
// those checks. The error is a ContentErrors listing every problem.
func (s *ContentSet) Validate(today Date) error {
	c := &contentChecker{today: today, seen: map[Kind]map[string]bool{}}
	for _, st := range s.Streets {
		c.street(st)
	}
	for _, n := range s.Notices {
		c.notice(n)
	}
	for _, e := range s.Catalog {
		c.catalogEntry(e)
	}
	for _, sv := range s.Services {
		c.service(sv)
	}
	for _, p := range s.Providers {
		c.provider(p)
	}
	for _, cs := range s.Consultations {
		c.consultation(cs)
	}
	for _, y := range s.Calendars {
		c.calendar(y)
	}
	if len(c.errs) == 0 {
		return nil
	}
	return c.errs
}

// contentChecker gathers the problems Validate finds, each with the kind
// and id of the item being checked.
type contentChecker struct {
	today Date
	errs  ContentErrors
	kind  Kind
	id    string
	seen  map[Kind]map[string]bool
}

// badAt records a problem of the field at (its path in the item's JSON,
// "materials[1].name"), so that a form can show it there; bad one of the
// whole item.
func (c *contentChecker) badAt(at, format string, args ...any) {
	c.errs = append(c.errs, ContentProblem{Kind: c.kind, ID: c.id, Field: at, Problem: fmt.Sprintf(format, args...)})
}

func (c *contentChecker) bad(format string, args ...any) { c.badAt("", format, args...) }

func (c *contentChecker) required(field, value string) {
	if strings.TrimSpace(value) == "" {
		c.badAt(field, "%s is empty", field)
	}
}

func (c *contentChecker) date(field string, d Date) {
	switch {
	case d.IsZero():
		c.badAt(field, "%s is missing", field)
	case !d.Valid():
		c.badAt(field, "%s %v is not a real day", field, d)
	}
}

func (c *contentChecker) published(d Date) {
	c.date("published", d)
	if !c.today.IsZero() && d.After(c.today) {
		c.badAt("published", "published %s is after today (%s)", d, c.today)
	}
}

func (c *contentChecker) phone(field, value string, need bool) {
	switch {
	case value == "" && need:
		c.badAt(field, "%s is empty", field)
	case value != "" && !plausiblePhone(value):
		c.badAt(field, "%s %q does not look like a phone number", field, value)
	}
}

// fields checks every string field of the item against its class.
func (c *contentChecker) fields(v any) {
	if err := CheckFields(v); err != nil {
		var fp *FieldProblem
		if errors.As(err, &fp) {
			c.badAt(fp.Field, "%v", err)
			return
		}
		c.bad("%v", err)
	}
}

// item starts the checks of an item: its id (the field idField) is set
// and not used twice within its kind.
func (c *contentChecker) item(k Kind, itemID, idField string) {
	c.kind, c.id = k, itemID
	if c.seen[k] == nil {
		c.seen[k] = map[string]bool{}
	}
	switch {
	case strings.TrimSpace(itemID) == "":
		c.badAt(idField, "id is empty")
	case c.seen[k][itemID]:
		c.badAt(idField, "id is used twice")
	}
	c.seen[k][itemID] = true
}

// street checks a street.
func (c *contentChecker) street(st Street) {
	c.item(KindStreet, st.Code, "code")
	c.fields(st)
	if st.Code != "" && !(isDigits(st.Code) && (len(st.Code) == 9 || len(st.Code) == 12)) {
		c.badAt("code", "code %q is not a 9- or 12-digit township code", st.Code)
	}
	c.required("name", st.Name)
	c.required("district", st.District)
	c.phone("phone", st.Phone, false)
}

// notice checks a notice.
func (c *contentChecker) notice(n Notice) {
	c.item(KindNotice, n.ID, "id")
	c.fields(n)
	c.required("title", n.Title)
	c.required("body", n.Body)
	c.published(n.Published)
	for i, a := range n.Attachments {
		if p := a.problem(); p != "" {
			c.badAt(fmt.Sprintf("attachments[%d]", i), "%s", p)
		}
	}
}

// catalogEntry checks an entry of the disclosure catalogue.
func (c *contentChecker) catalogEntry(e CatalogEntry) {
	c.item(KindCatalog, e.ID, "id")
	c.fields(e)
	c.required("title", e.Title)
	c.required("index_no", e.IndexNo)
	c.required("publisher", e.Publisher)
	c.published(e.Published)
	if !e.Written.IsZero() {
		c.date("written", e.Written)
		if !e.Published.IsZero() && e.Written.After(e.Published) {
			c.badAt("written", "written %s is after published %s", e.Written, e.Published)
		}
	}
	if e.Validity != "" && !slices.Contains(Validities, e.Validity) {
		c.badAt("validity", "validity %q is not one of %v", e.Validity, Validities)
	}
}

// service checks a service item and its guide.
func (c *contentChecker) service(sv ServiceItem) {
	c.item(KindService, sv.ID, "id")
	c.fields(sv)
	c.required("code", sv.Code)
	c.required("name", sv.Name)
	c.required("department", sv.Department)
	if !slices.Contains(PowerCategories, sv.Category) {
		c.badAt("category", "category %q is not one of %v", sv.Category, PowerCategories)
	}
	switch {
	case sv.LegalDays < 0:
		c.badAt("legal_days", "legal_days and promised_days cannot be negative")
	case sv.PromisedDays < 0:
		c.badAt("promised_days", "legal_days and promised_days cannot be negative")
	case sv.LegalDays > 0 && sv.PromisedDays > sv.LegalDays:
		c.badAt("promised_days", "promised_days %d is longer than legal_days %d", sv.PromisedDays, sv.LegalDays)
	}
	c.phone("phone", sv.Phone, true)
	c.phone("complaint_phone", sv.ComplaintPhone, false)
	for i, m := range sv.Materials {
		at := fmt.Sprintf("materials[%d].", i)
		switch {
		case strings.TrimSpace(m.Name) == "":
			c.badAt(at+"name", "material %d has no name", i+1)
		case !slices.Contains([]MaterialForm{FormOriginal, FormCopy, FormOriginalAndCopy}, m.Form):
			c.badAt(at+"form", "material %q: unknown form %q", m.Name, m.Form)
		case m.Count < 0:
			c.badAt(at+"count", "material %q: count %d is negative", m.Name, m.Count)
		}
		if m.Template != nil {
			if p := m.Template.problem(); p != "" {
				c.badAt(at+"template", "material %q: template: %s", m.Name, p)
			}
		}
	}
	for _, e := range sv.Form.Problems() {
		c.badAt(e.Field, "%s", e.Problem)
	}
	if sv.Online && len(sv.Form.Fields) == 0 {
		c.badAt("online", "it can be applied for online but its form has no fields")
	}
}

// provider checks a provider.
func (c *contentChecker) provider(p Provider) {
	c.item(KindProvider, p.ID, "id")
	c.fields(p)
	c.required("name", p.Name)
	if !slices.Contains([]ProviderKind{ProviderBusiness, ProviderOrganisation, ProviderConvenience}, p.Kind) {
		c.badAt("kind", "kind %q is not business, organisation or convenience", p.Kind)
	}
	c.phone("phone", p.Phone, false)
	if err := p.Hours.Validate(); err != nil {
		c.badAt(hoursField(err), "%v", err)
	}
}

// consultation checks a consultation, its topics and its feedback.
func (c *contentChecker) consultation(cs Consultation) {
	c.item(KindConsultation, cs.ID, "id")
	c.fields(cs)
	c.required("title", cs.Title)
	c.date("opens", cs.Opens)
	c.date("closes", cs.Closes)
	if cs.Closes.Before(cs.Opens) {
		c.badAt("closes", "closes %s is before opens %s", cs.Closes, cs.Opens)
	}
	if len(cs.Topics) == 0 {
		c.badAt("topics", "it has no topics")
	}
	topics := map[string]bool{}
	for i, t := range cs.Topics {
		at := fmt.Sprintf("topics[%d].", i)
		switch {
		case t.ID == "":
			c.badAt(at+"id", "topic %d has no id", i+1)
		case topics[t.ID]:
			c.badAt(at+"id", "topic id %q is used twice", t.ID)
		}
		topics[t.ID] = true
		if strings.TrimSpace(t.Title) == "" {
			c.badAt(at+"title", "topic %q has no title", t.ID)
		}
	}
	if len(cs.Feedback) > 0 && !c.today.IsZero() && !cs.ClosedOn(c.today) {
		c.badAt("feedback", "it has feedback but is open until %s", cs.Closes)
	}
	answered := map[string]bool{}
	for i, f := range cs.Feedback {
		at := fmt.Sprintf("feedback[%d].", i)
		switch {
		case !topics[f.Topic]:
			c.badAt(at+"topic", "feedback on topic %q, which it does not have", f.Topic)
		case answered[f.Topic]:
			c.badAt(at+"topic", "feedback on topic %q is given twice", f.Topic)
		}
		answered[f.Topic] = true
		if !slices.Contains([]Outcome{OutcomeAdopted, OutcomePartly, OutcomeNotAdopted}, f.Outcome) {
			c.badAt(at+"outcome", "feedback on topic %q: unknown outcome %q", f.Topic, f.Outcome)
		}
		if strings.TrimSpace(f.Reason) == "" {
			c.badAt(at+"reason", "feedback on topic %q gives no reason", f.Topic)
		}
		if f.Opinions < 0 {
			c.badAt(at+"opinions", "feedback on topic %q: opinions %d is negative", f.Topic, f.Opinions)
		}
	}
}

// calendar checks a year of the working-day calendar.
func (c *contentChecker) calendar(y CalendarYear) {
	c.item(KindCalendar, strconv.Itoa(y.Year), "year")
	c.fields(y)
	if _, err := NewCalendar(y); err != nil {
		c.badAt("holidays", "%s", strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	if !c.today.IsZero() && y.Year > c.today.Year+1 {
		c.badAt("year", "year %d is too far ahead: notices come out late in the year before", y.Year)
	}
	c.required("source", y.Source)
}

// plausiblePhone accepts what guides print as phone numbers: landlines with
// area codes and extensions (转 8001), mobiles, short hotlines such as
// 12345, and several of them separated by 、 or commas.
func plausiblePhone(s string) bool {
	parts := strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune("、,，/;；", r) })
	if len(parts) == 0 {
		return false
	}
	for _, p := range parts {
		digits := 0
		for _, r := range p {
			switch {
			case r >= '0' && r <= '9':
				digits++
			case strings.ContainsRune("-+() 转", r):
			default:
				return false
			}
		}
		if digits < 5 || digits > 20 {
			return false
		}
	}
	return true
}

// Changes turns the set into one upsert per item, as the district first
// publishes it: Seq 0 (the district assigns it), Version 1, Body the item's
// JSON. Calendars are keyed by their year and streets by their code. The
// order is fixed, by kind as in ContentKinds and then by id, so publishing
// the same set twice gives the same feed.
func (s *ContentSet) Changes() ([]Change, error) {
	var out []Change
	var errs []error
	add := func(kind Kind, id string, item any) {
		if strings.TrimSpace(id) == "" {
			errs = append(errs, fmt.Errorf("%s with an empty id", kind))
			return
		}
		body, err := json.Marshal(item)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s %q: %v", kind, id, err))
			return
		}
		out = append(out, Change{Kind: kind, ID: id, Op: OpUpsert, Version: 1, Body: body})
	}
	for _, v := range s.Notices {
		add(KindNotice, v.ID, v)
	}
	for _, v := range s.Catalog {
		add(KindCatalog, v.ID, v)
	}
	for _, v := range s.Services {
		add(KindService, v.ID, v)
	}
	for _, v := range s.Providers {
		add(KindProvider, v.ID, v)
	}
	for _, v := range s.Consultations {
		add(KindConsultation, v.ID, v)
	}
	for _, v := range s.Calendars {
		add(KindCalendar, strconv.Itoa(v.Year), v)
	}
	for _, v := range s.Streets {
		add(KindStreet, v.Code, v)
	}
	order := func(k Kind) int { return slices.Index(ContentKinds, k) }
	slices.SortStableFunc(out, func(a, b Change) int {
		if a.Kind != b.Kind {
			return order(a.Kind) - order(b.Kind)
		}
		return strings.Compare(a.ID, b.ID)
	})
	for i := 1; i < len(out); i++ {
		if out[i].Kind == out[i-1].Kind && out[i].ID == out[i-1].ID {
			errs = append(errs, fmt.Errorf("%s %q is given twice", out[i].Kind, out[i].ID))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// hoursField is the field a WeekHours problem is of: the day it names
// ("hours mon: ..." is "hours.mon"), else the hours as a whole.
func hoursField(err error) string {
	rest, ok := strings.CutPrefix(err.Error(), "hours ")
	if !ok {
		return "hours"
	}
	day, _, _ := strings.Cut(rest, " ")
	day = strings.TrimSuffix(day, ":")
	if slices.Contains(dayKeys[:], day) {
		return "hours." + day
	}
	return "hours"
}
