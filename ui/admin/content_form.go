package admin

import (
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"jiezhen/data"
	"jiezhen/sync/server"
	"jiezhen/ui/web"
)

// Content forms (docs/ADMIN.md, "Content and review"): every kind's form
// is generated from the item's own Go type in data, by its JSON names and
// its fields' limit classes, and read back into that type; the item is
// then checked by the rules publishing applies (data.ReadItem through the
// platform), each problem shown at the field its path names
// (data.ContentProblem.Field). A list (materials, a form's fields, a
// choice list, topics, feedback, holidays) is a run of rows; without
// JavaScript, "add a row" and "remove" are submit buttons that send the
// form back with a row more or less (formOp).

// contentTypes are the Go types of the drafted kinds.
var contentTypes = map[data.Kind]reflect.Type{
	data.KindNotice:       reflect.TypeFor[data.Notice](),
	data.KindCatalog:      reflect.TypeFor[data.CatalogEntry](),
	data.KindService:      reflect.TypeFor[data.ServiceItem](),
	data.KindProvider:     reflect.TypeFor[data.Provider](),
	data.KindConsultation: reflect.TypeFor[data.Consultation](),
	data.KindCalendar:     reflect.TypeFor[data.CalendarYear](),
}

var (
	typeDate       = reflect.TypeFor[data.Date]()
	typeBound      = reflect.TypeFor[data.Bound]()
	typeHours      = reflect.TypeFor[data.WeekHours]()
	typeAttachment = reflect.TypeFor[data.Attachment]()
)

// enumChoices are the values of the kinds' closed lists, with their
// labels; optional lists start with "" (not stated).
func enumChoices(t reflect.Type, l data.Lang) ([]string, func(string) string, bool) {
	switch t {
	case reflect.TypeFor[data.Validity]():
		return append([]string{""}, strs(data.Validities)...), func(v string) string { return data.Validity(v).Label(l) }, true
	case reflect.TypeFor[data.PowerCategory]():
		return strs(data.PowerCategories), func(v string) string { return data.PowerCategory(v).Label(l) }, true
	case reflect.TypeFor[data.MaterialForm]():
		return strs([]data.MaterialForm{data.FormOriginal, data.FormCopy, data.FormOriginalAndCopy}),
			func(v string) string { return data.MaterialForm(v).Label(l) }, true
	case reflect.TypeFor[data.ProviderKind]():
		return strs([]data.ProviderKind{data.ProviderBusiness, data.ProviderOrganisation, data.ProviderConvenience}),
			func(v string) string { return data.ProviderKind(v).Label(l) }, true
	case reflect.TypeFor[data.Outcome]():
		return strs([]data.Outcome{data.OutcomeAdopted, data.OutcomePartly, data.OutcomeNotAdopted}),
			func(v string) string { return data.Outcome(v).Label(l) }, true
	case reflect.TypeFor[data.FieldType]():
		return strs(data.FieldTypes), func(v string) string { return translate(l, "cf.fieldtype."+v) }, true
	case reflect.TypeFor[data.DateWhen]():
		return []string{"", string(data.DatePast), string(data.DateFuture)}, func(v string) string { return translate(l, "cf.when."+v) }, true
	}
	return nil, nil, false
}

func strs[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// jsonName is a struct field's name in the item's JSON, "" for one left
// out.
func jsonName(sf reflect.StructField) string {
	if !sf.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
	if name == "-" {
		return ""
	}
	if name == "" {
		return sf.Name
	}
	return name
}

// skipped are fields the forms never show: the street's website and the
// demo mark are the district's, an attachment's file fields come from
// its upload.
func skipped(t reflect.Type, name string) bool {
	if t == typeAttachment {
		return name == "file" || name == "sha256" || name == "size" || name == "type"
	}
	return name == "website"
}

// formNode is one part of a content form: a field (Field), a group of
// fields (a struct: Children), a list of rows (Rows, each a node), the
// week's hours or an attachment.
type formNode struct {
	Path  string // the form name: "materials.1.name"
	ID    string // the element id: "f-materials-1-name"
	Label string
	Help  string
	Msg   string // its problem, in the page's language

	Field    *web.Field // a field
	Bool     bool       // a checkbox (Field.Value "yes" when checked)
	ReadOnly bool       // shown, sent back, not changed (an item's id once drafted)
	Group    bool
	Children []*formNode
	List     bool
	Rows     []*formNode
	// Add is the list's "add a row" op, Remove a row's "remove" op.
	Add, Remove       string
	AddLabel, RemLbl  string
	Attachment        bool // Children: name, url; and Upload, CurrentText
	Upload            string
	UploadLabel       string
	CurrentText       string     // the file it holds
	Hidden            url.Values // sent back as they are
	Long              bool
	Nested            bool // a list inside a row
	RowLabel          string
	typ               reflect.Type
	contentValueLabel bool
}

// formCtx is what building a form needs: the language, the kind, the
// streets offered and the problems by path.
type formCtx struct {
	lang     data.Lang
	kind     data.Kind
	streets  []streetChoice
	problems map[string]string
	idLocked bool
	topics   []string // a consultation's topic ids, offered for feedback
	// raw is the form as posted: a value that did not read as its
	// field's type (a date, a number, hours) is shown again as typed.
	raw url.Values
}

type streetChoice struct{ Code, Name string }

// labelFor is the label of a field by its path without row numbers:
// the kind's own (cf.notice.category) or the common one (cf.category),
// with its hint (cfhint.notice.category, cfhint.category) if it has one.
func (c *formCtx) labelFor(key string) (label, help string) {
	for _, k := range []string{string(c.kind) + "." + key, key} {
		if v := translate(c.lang, "cf."+k); v != "cf."+k {
			label = v
			if h := translate(c.lang, "cfhint."+k); h != "cfhint."+k {
				help = h
			}
			return label, help
		}
	}
	return key, ""
}

var rowIndex = regexp.MustCompile(`\.\d+(\.|$)`)

// labelKey is a path without its row numbers.
func labelKey(path string) string {
	for rowIndex.MatchString(path) {
		path = rowIndex.ReplaceAllString(path, "$1")
	}
	return path
}

func elemID(path string) string { return "f-" + strings.ReplaceAll(path, ".", "-") }

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// build makes the form of v (an item of the kind's type, or a group of
// it at path).
func (c *formCtx) build(v reflect.Value, path string) []*formNode {
	var out []*formNode
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		name := jsonName(sf)
		if name == "" || skipped(t, name) {
			continue
		}
		out = append(out, c.node(v.Field(i), join(path, name), sf.Tag.Get("limit")))
	}
	return out
}

func (c *formCtx) node(v reflect.Value, path, class string) *formNode {
	n := &formNode{Path: path, ID: elemID(path), typ: v.Type(), Msg: c.problems[path]}
	n.Label, n.Help = c.labelFor(labelKey(path))
	t := v.Type()
	switch {
	case path == "street" && t.Kind() == reflect.String:
		f := &web.Field{ID: n.ID, Code: path, Label: n.Label, Help: n.Help, Type: data.FieldChoice, Value: v.String()}
		for i, s := range c.streets {
			ch := web.Choice{ID: n.ID, Value: s.Code, Label: s.Name, Checked: s.Code == v.String()}
			if i > 0 {
				ch.ID = n.ID + "-" + strconv.Itoa(i)
			}
			f.Choices = append(f.Choices, ch)
		}
		n.Field = f
	case (path == "id" || path == "year") && c.idLocked:
		n.Field = &web.Field{ID: n.ID, Code: path, Label: n.Label, Value: leafText(v)}
		n.ReadOnly = true
	case t == typeDate:
		d := v.Interface().(data.Date)
		val := ""
		if !d.IsZero() {
			val = d.String()
		}
		n.Field = &web.Field{ID: n.ID, Code: path, Label: n.Label, Help: n.Help, Type: data.FieldDate, Value: val}
	case t == typeBound:
		b := v.Interface().(data.Bound)
		val := ""
		if b.Set {
			val = strconv.FormatFloat(b.Value, 'f', -1, 64)
		}
		n.Field = &web.Field{ID: n.ID, Code: path, Label: n.Label, Help: n.Help, Type: data.FieldNumber, Value: val, InputMode: "decimal"}
	case t == typeHours:
		n.Group = true
		h := v.Interface().(data.WeekHours)
		for _, wd := range data.MondayFirst() {
			key := data.DayKey(wd)
			p := join(path, key)
			var spans []string
			for _, s := range h[wd] {
				spans = append(spans, s.String())
			}
			label, _ := c.labelFor(labelKey(p))
			val := strings.Join(spans, " ")
			if c.problems[p] != "" && c.raw != nil {
				val = c.raw.Get(p)
			}
			n.Children = append(n.Children, &formNode{Path: p, ID: elemID(p), Label: label, Msg: c.problems[p],
				Field: &web.Field{ID: elemID(p), Code: p, Label: label, Type: data.FieldText, Value: val, Msg: c.problems[p]}})
		}
	case t == typeAttachment:
		n.Group, n.Attachment = true, true
		a := v.Interface().(data.Attachment)
		n.Children = c.build(v, path)
		n.Upload = join(path, "upload")
		n.UploadLabel = translate(c.lang, "content.upload")
		if a.Shipped() {
			n.CurrentText = fmt.Sprintf(translate(c.lang, "content.current"), a.Name, web.FileSize(a.Size))
			n.Hidden = url.Values{}
			n.Hidden.Set(join(path, "file"), a.File)
			n.Hidden.Set(join(path, "sha256"), a.SHA256)
			n.Hidden.Set(join(path, "size"), strconv.FormatInt(a.Size, 10))
			n.Hidden.Set(join(path, "type"), a.Type)
		}
	case t.Kind() == reflect.Pointer:
		// An optional group (a material's blank form): shown empty when
		// absent, and absent again when left empty.
		e := v
		if v.IsNil() {
			e = reflect.New(t.Elem())
		}
		n2 := c.node(e.Elem(), path, class)
		n2.Label, n2.Help = n.Label, n.Help
		return n2
	case t.Kind() == reflect.Struct:
		n.Group = true
		n.Children = c.build(v, path)
	case t.Kind() == reflect.Slice:
		n.List = true
		n.Add = "add:" + path
		n.AddLabel = translate(c.lang, "content.row.add")
		n.RemLbl = translate(c.lang, "content.row.remove")
		n.Hidden = url.Values{}
		n.Hidden.Set(join(path, "rows"), strconv.Itoa(v.Len()))
		for i := range v.Len() {
			p := join(path, strconv.Itoa(i))
			row := c.node(v.Index(i), p, class)
			row.Remove = "remove:" + p
			row.RowLabel = fmt.Sprintf(translate(c.lang, "content.row"), i+1)
			if !row.Group {
				// A list of texts: the row's field is labelled by its number.
				row.Label = n.Label + " " + row.RowLabel
				row.Field.Label = row.Label
			}
			n.Rows = append(n.Rows, row)
		}
	case t.Kind() == reflect.Bool:
		n.Bool = true
		val := ""
		if v.Bool() {
			val = "yes"
		}
		n.Field = &web.Field{ID: n.ID, Code: path, Label: n.Label, Help: n.Help, Value: val}
	case t.Kind() == reflect.Int || t.Kind() == reflect.Int64:
		n.Field = &web.Field{ID: n.ID, Code: path, Label: n.Label, Help: n.Help, Type: data.FieldNumber,
			Value: leafText(v), InputMode: "numeric"}
	case t.Kind() == reflect.String:
		f := &web.Field{ID: n.ID, Code: path, Label: n.Label, Help: n.Help, Type: data.FieldText, Value: v.String()}
		if lim, ok := data.Limits[data.Limit(class)]; ok {
			f.MaxLen = lim.Max
			if lim.Multiline {
				f.Type = data.FieldLongText
			}
		}
		if vals, label, ok := enumChoices(t, c.lang); ok {
			f.Type, f.MaxLen = data.FieldChoice, 0
			for i, val := range vals {
				ch := web.Choice{ID: n.ID, Value: val, Label: label(val), Checked: val == v.String()}
				if ch.Label == "" {
					ch.Label = translate(c.lang, "content.notstated")
				}
				if i > 0 {
					ch.ID = n.ID + "-" + strconv.Itoa(i)
				}
				f.Choices = append(f.Choices, ch)
			}
		} else if labelKey(path) == "feedback.topic" && len(c.topics) > 0 {
			f.Type = data.FieldChoice
			for i, val := range c.topics {
				ch := web.Choice{ID: n.ID, Value: val, Label: val, Checked: val == v.String()}
				if i > 0 {
					ch.ID = n.ID + "-" + strconv.Itoa(i)
				}
				f.Choices = append(f.Choices, ch)
			}
		}
		n.Field = f
		n.Long = f.Type == data.FieldLongText
	}
	if n.Field != nil {
		n.Field.Msg = n.Msg
		if n.Msg != "" && c.raw != nil && c.raw.Has(n.Path) && !n.ReadOnly {
			n.Field.Value = c.raw.Get(n.Path)
		}
	}
	return n
}

func leafText(v reflect.Value) string {
	switch v.Kind() {
	case reflect.Int, reflect.Int64:
		if v.Int() == 0 {
			return ""
		}
		return strconv.FormatInt(v.Int(), 10)
	case reflect.String:
		return v.String()
	}
	return fmt.Sprint(v.Interface())
}

// readForm reads a POSTed content form into a new item of the kind's
// type; a value that is not of its field's type (a date, a number, a
// span of hours) is a problem at its path, in the language.
func readForm(kind data.Kind, form url.Values, l data.Lang) (reflect.Value, map[string]string) {
	v := reflect.New(contentTypes[kind]).Elem()
	problems := map[string]string{}
	r := formReader{form: form, problems: problems, lang: l}
	r.fields(v, "")
	return v, problems
}

type formReader struct {
	form     url.Values
	problems map[string]string
	lang     data.Lang
}

func (r *formReader) text(path string) string {
	return strings.TrimSpace(strings.ReplaceAll(r.form.Get(path), "\r\n", "\n"))
}

func (r *formReader) fields(v reflect.Value, path string) {
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		name := jsonName(sf)
		if name == "" || (name == "website") {
			continue
		}
		r.value(v.Field(i), join(path, name))
	}
}

func (r *formReader) value(v reflect.Value, path string) {
	t := v.Type()
	switch {
	case t == typeDate:
		s := r.text(path)
		if s == "" {
			return
		}
		d, err := data.ParseDate(s)
		if err != nil {
			r.problems[path] = data.ReasonDate.Message(r.lang)
			return
		}
		v.Set(reflect.ValueOf(d))
	case t == typeBound:
		s := r.text(path)
		if s == "" {
			return
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			r.problems[path] = data.ReasonNumber.Message(r.lang)
			return
		}
		v.Set(reflect.ValueOf(data.NewBound(f)))
	case t == typeHours:
		var h data.WeekHours
		for _, wd := range data.MondayFirst() {
			p := join(path, data.DayKey(wd))
			for _, tok := range strings.FieldsFunc(r.text(p), func(c rune) bool { return strings.ContainsRune(" ,，、;；\n", c) }) {
				s, err := data.ParseSpan(tok)
				if err != nil {
					r.problems[p] = translate(r.lang, "content.bad.span")
					break
				}
				h[wd] = append(h[wd], s)
			}
		}
		v.Set(reflect.ValueOf(h))
	case t.Kind() == reflect.Pointer:
		e := reflect.New(t.Elem())
		r.value(e.Elem(), path)
		if !e.Elem().IsZero() {
			v.Set(e)
		}
	case t.Kind() == reflect.Struct:
		r.fields(v, path)
	case t.Kind() == reflect.Slice:
		n, _ := strconv.Atoi(r.form.Get(join(path, "rows")))
		n = min(max(n, 0), maxRows)
		s := reflect.MakeSlice(t, 0, n)
		for i := range n {
			e := reflect.New(t.Elem()).Elem()
			r.value(e, join(path, strconv.Itoa(i)))
			s = reflect.Append(s, e)
		}
		if n > 0 {
			v.Set(s)
		}
	case t.Kind() == reflect.Bool:
		v.SetBool(r.form.Get(path) == "yes")
	case t.Kind() == reflect.Int || t.Kind() == reflect.Int64:
		s := r.text(path)
		if s == "" {
			return
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			r.problems[path] = data.ReasonWhole.Message(r.lang)
			return
		}
		v.SetInt(n)
	case t.Kind() == reflect.String:
		v.SetString(r.text(path))
	}
}

// maxRows bounds a list's rows in one form.
const maxRows = 500

// formOp is a button that changes the form's shape rather than saving
// it: "add:PATH" adds an empty row to the list at PATH, "remove:PATH.N"
// removes its row N.
func applyOp(v reflect.Value, op string) bool {
	verb, path, ok := strings.Cut(op, ":")
	if !ok || (verb != "add" && verb != "remove") {
		return false
	}
	parts := strings.Split(path, ".")
	idx := -1
	if verb == "remove" {
		i, err := strconv.Atoi(parts[len(parts)-1])
		if err != nil {
			return false
		}
		idx, parts = i, parts[:len(parts)-1]
	}
	list, ok := walk(v, parts)
	if !ok || list.Kind() != reflect.Slice {
		return false
	}
	switch verb {
	case "add":
		if list.Len() >= maxRows {
			return true
		}
		list.Set(reflect.Append(list, reflect.New(list.Type().Elem()).Elem()))
	case "remove":
		if idx < 0 || idx >= list.Len() {
			return false
		}
		list.Set(reflect.AppendSlice(list.Slice(0, idx), list.Slice(idx+1, list.Len())))
	}
	return true
}

// walk finds the value at a form path's parts.
func walk(v reflect.Value, parts []string) (reflect.Value, bool) {
	for _, p := range parts {
		for v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		switch v.Kind() {
		case reflect.Struct:
			found := false
			for i := range v.NumField() {
				if jsonName(v.Type().Field(i)) == p {
					v, found = v.Field(i), true
					break
				}
			}
			if !found {
				return v, false
			}
		case reflect.Slice:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= v.Len() {
				return v, false
			}
			v = v.Index(i)
		default:
			return v, false
		}
	}
	return v, true
}

// problemPath is a content problem's field path as a form path:
// "materials[1].name" is "materials.1.name".
func problemPath(field string) string {
	return strings.NewReplacer("[", ".", "]", "").Replace(field)
}

// problemText words a content problem of one field for the page; what
// it does not know it shows as the rule's own sentence.
func problemText(l data.Lang, problem string) string {
	for _, m := range problemWords {
		if strings.Contains(problem, m.has) {
			return translate(l, m.key)
		}
	}
	return fmt.Sprintf(translate(l, "content.bad.other"), problem)
}

var problemWords = []struct{ has, key string }{
	{"is longer than legal_days", "content.bad.promise"},
	{"is longer than", "content.bad.long"},
	{"contains", "content.bad.control"},
	{"is empty", "content.bad.required"},
	{"is missing", "content.bad.required"},
	{"has no name", "content.bad.required"},
	{"has no title", "content.bad.required"},
	{"has no id", "content.bad.required"},
	{"gives no reason", "content.bad.required"},
	{"needs a url or a file", "content.bad.file"},
	{"is not a real day", "content.bad.date"},
	{"is after today", "content.bad.future"},
	{"is after published", "content.bad.written"},
	{"is before opens", "content.bad.closes"},
	{"does not look like a phone number", "content.bad.phone"},
	{"overlaps", "content.bad.overlap"},
	{"is used twice", "content.bad.twice"},
	{"is listed twice", "content.bad.twice"},
	{"is given twice", "content.bad.twice"},
	{"needs choices", "content.bad.choices"},
	{"cannot have choices", "content.bad.nochoices"},
	{"is negative", "content.bad.negative"},
	{"is not one of", "content.bad.choice"},
	{"unknown", "content.bad.choice"},
	{"which it does not have", "content.bad.topic"},
	{"is open until", "content.bad.open"},
	{"form has no fields", "content.bad.online"},
	{"is not after publish_at", "content.bad.expire"},
	{"the district holds no file", "content.bad.nofile"},
}

// placeProblems puts the platform's problems at the fields they name,
// keeping a problem already found while reading the form; what names no
// field of the form is returned for the summary.
func placeProblems(l data.Lang, nodes []*formNode, ce data.ContentErrors, problems map[string]string) []string {
	known := map[string]bool{}
	var mark func(ns []*formNode)
	mark = func(ns []*formNode) {
		for _, n := range ns {
			known[n.Path] = true
			mark(n.Children)
			mark(n.Rows)
		}
	}
	mark(nodes)
	known["publish_at"], known["expire_at"] = true, true
	var general []string
	for _, p := range ce {
		path := problemPath(p.Field)
		for path != "" && !known[path] {
			i := strings.LastIndexByte(path, '.')
			if i < 0 {
				path = ""
				break
			}
			path = path[:i]
		}
		if path == "" {
			general = append(general, problemText(l, p.Problem))
			continue
		}
		if problems[path] == "" {
			problems[path] = problemText(l, p.Problem)
		}
	}
	return general
}

// errorList is the form's problems in its order, for the summary at the
// top: each links to its field.
func errorList(nodes []*formNode) []*formNode {
	var out []*formNode
	var walkNodes func(ns []*formNode)
	walkNodes = func(ns []*formNode) {
		for _, n := range ns {
			if n.Msg != "" {
				out = append(out, n)
			}
			walkNodes(n.Children)
			walkNodes(n.Rows)
		}
	}
	walkNodes(nodes)
	return out
}

// itemBody is the item's JSON as the platform takes it.
func itemBody(v reflect.Value) (json.RawMessage, error) {
	return json.Marshal(v.Interface())
}

// decodeItem reads a stored body into a new item of the kind's type.
func decodeItem(kind data.Kind, body json.RawMessage) (reflect.Value, error) {
	v := reflect.New(contentTypes[kind])
	if err := json.Unmarshal(body, v.Interface()); err != nil {
		return reflect.Value{}, fmt.Errorf("%s: the stored body does not decode", kind)
	}
	return v.Elem(), nil
}

// streetChoices are the streets u may draft for, by code, and the
// district as a whole ("") for a user of the whole district.
func streetChoices(u *server.User, l data.Lang, all []data.Street) []streetChoice {
	var out []streetChoice
	if len(u.Streets) == 0 {
		out = append(out, streetChoice{Code: "", Name: translate(l, "content.district")})
	}
	for _, s := range all {
		if len(u.Streets) == 0 || slices.Contains(u.Streets, s.Code) {
			out = append(out, streetChoice{Code: s.Code, Name: s.Name})
		}
	}
	return out
}

// prune drops the rows left wholly empty from every list of v, so that a
// row added and not filled in is not an item's problem.
func prune(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			prune(v.Elem())
		}
	case reflect.Struct:
		if v.Type() == typeDate || v.Type() == typeBound || v.Type() == typeHours {
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				prune(v.Field(i))
			}
		}
	case reflect.Slice:
		if v.Type() == reflect.TypeFor[json.RawMessage]() {
			return
		}
		kept := reflect.MakeSlice(v.Type(), 0, v.Len())
		for i := range v.Len() {
			e := v.Index(i)
			prune(e)
			if !e.IsZero() {
				kept = reflect.Append(kept, e)
			}
		}
		if kept.Len() == 0 {
			kept = reflect.Zero(v.Type())
		}
		v.Set(kept)
	}
}
