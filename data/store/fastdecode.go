package store

import (
	"reflect"
	"strings"
	"unicode/utf8"

	"jiezhen/data"
)

// A validating single-pass reader for change bodies, the apply path's
// alternative to encoding/json. Apply needs a handful of an item's fields
// (its list columns), but must refuse a body that does not decode into the
// kind's type. encoding/json does that in two passes over every byte (a
// validity scan, then the decode) and copies every string, most of which
// are long texts Apply never looks at; on the shared two cores that was
// almost half of Apply's CPU time.
//
// fastDecode walks the body once against a schema built from the kind's Go
// type: it checks that every known field holds what encoding/json would
// accept for its type, skips unknown fields after checking that they are
// valid JSON, and stores only the captured top-level fields. It answers
// "decoded" only when encoding/json would decode the body without error and
// give the captured fields the same values. Anything it does not handle
// exactly (escapes in a captured string or in a key, null, a key that
// matches a field only case-insensitively, a repeated field, a number that
// is not a plain integer, deep nesting, ...) makes it answer "not sure",
// and the caller decodes the body with encoding/json instead, which then
// gives the answer and the error message.

type fkind uint8

const (
	fString fkind = iota
	fBool
	fInt
	fSlice
	fStruct
	fPtr   // pointer to a struct: null or the struct
	fDate  // data.Date: "" or a date ParseDate reads
	fWeek  // data.WeekHours
	fOther // not supported: the kind is always decoded by encoding/json
)

type fnode struct {
	kind   fkind
	elem   *fnode            // fSlice, fPtr
	fields map[string]fField // fStruct, by exact JSON name
	folded []string          // fStruct: the field names in lower case
}

type fField struct {
	node    *fnode
	index   int  // the field's index in its struct
	capture bool // stored in the value (top level only)
	bit     uint64
}

var (
	dateType = reflect.TypeFor[data.Date]()
	weekType = reflect.TypeFor[data.WeekHours]()
)

// fastSchema builds the schema of t, a struct type, capturing the
// top-level fields named in capture. It returns nil when t uses anything
// the reader does not support.
func fastSchema(t reflect.Type, capture ...string) *fnode {
	n := fschemaOf(t, 0)
	if n == nil || n.kind != fStruct || len(n.fields) > 64 {
		return nil
	}
	for _, name := range capture {
		f, ok := n.fields[name]
		if !ok {
			panic("fastSchema: no field " + name + " in " + t.String())
		}
		switch f.node.kind {
		case fString, fBool, fDate, fWeek:
		default:
			panic("fastSchema: cannot capture " + name)
		}
		f.capture = true
		n.fields[name] = f
	}
	return n
}

func fschemaOf(t reflect.Type, depth int) *fnode {
	if depth > 8 {
		return nil
	}
	switch t {
	case dateType:
		return &fnode{kind: fDate}
	case weekType:
		return &fnode{kind: fWeek}
	}
	if reflect.PointerTo(t).Implements(reflect.TypeFor[interface{ UnmarshalJSON([]byte) error }]()) ||
		reflect.PointerTo(t).Implements(reflect.TypeFor[interface{ UnmarshalText([]byte) error }]()) {
		return nil
	}
	switch t.Kind() {
	case reflect.String:
		return &fnode{kind: fString}
	case reflect.Bool:
		return &fnode{kind: fBool}
	case reflect.Int, reflect.Int64:
		return &fnode{kind: fInt}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 { // []byte is base64 in JSON
			return nil
		}
		e := fschemaOf(t.Elem(), depth+1)
		if e == nil {
			return nil
		}
		return &fnode{kind: fSlice, elem: e}
	case reflect.Pointer:
		e := fschemaOf(t.Elem(), depth+1)
		if e == nil || e.kind != fStruct {
			return nil
		}
		return &fnode{kind: fPtr, elem: e}
	case reflect.Struct:
		n := &fnode{kind: fStruct, fields: map[string]fField{}}
		for i := range t.NumField() {
			sf := t.Field(i)
			if sf.Anonymous {
				return nil
			}
			if !sf.IsExported() {
				continue
			}
			tag := sf.Tag.Get("json")
			name, opts, _ := strings.Cut(tag, ",")
			if tag == "-" || strings.Contains(opts, "string") {
				return nil
			}
			if name == "" {
				name = sf.Name
			}
			for j := 0; j < len(name); j++ {
				if name[j] >= utf8.RuneSelf || name[j] == '\\' || name[j] == '"' {
					return nil
				}
			}
			fn := fschemaOf(sf.Type, depth+1)
			if fn == nil {
				return nil
			}
			if _, dup := n.fields[name]; dup {
				return nil
			}
			n.fields[name] = fField{node: fn, index: i, bit: 1 << len(n.folded)}
			n.folded = append(n.folded, strings.ToLower(name))
		}
		if len(n.folded) > 64 {
			return nil
		}
		return n
	}
	return nil
}

// fastDecode reads body into v, a pointer to the schema's struct, storing
// the captured fields. ok is false when the body must be decoded by
// encoding/json instead; v may then hold some fields already.
func fastDecode(n *fnode, body []byte, v any) (ok bool) {
	d := freader{b: body}
	d.ws()
	if !d.object(n, reflect.ValueOf(v).Elem(), 0) {
		return false
	}
	d.ws()
	return d.i == len(d.b)
}

// maxDepth is the deepest nesting the reader follows (encoding/json
// allows 10,000; deeper bodies go to it).
const maxDepth = 64

type freader struct {
	b []byte
	i int
}

func (d *freader) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// object reads an object into the struct v (invalid when nothing is
// captured at this level).
func (d *freader) object(n *fnode, v reflect.Value, depth int) bool {
	if depth > maxDepth || d.i >= len(d.b) || d.b[d.i] != '{' {
		return false
	}
	d.i++
	d.ws()
	if d.i < len(d.b) && d.b[d.i] == '}' {
		d.i++
		return true
	}
	var seen uint64
	for {
		key, ok := d.plainString()
		if !ok {
			return false
		}
		d.ws()
		if d.i >= len(d.b) || d.b[d.i] != ':' {
			return false
		}
		d.i++
		d.ws()
		f, known := n.fields[string(key)]
		switch {
		case known:
			if seen&f.bit != 0 {
				return false // repeated: encoding/json's last-wins, leave it to it
			}
			seen |= f.bit
			var fv reflect.Value
			if f.capture && v.IsValid() {
				fv = v.Field(f.index)
			}
			if !d.value(f.node, fv, depth+1) {
				return false
			}
		case foldsToField(n, key):
			return false // matched case-insensitively by encoding/json
		default:
			if !d.skip(depth + 1) {
				return false
			}
		}
		d.ws()
		if d.i >= len(d.b) {
			return false
		}
		switch d.b[d.i] {
		case ',':
			d.i++
			d.ws()
		case '}':
			d.i++
			return true
		default:
			return false
		}
	}
}

// foldsToField reports whether key, matching no field exactly, may match
// one the way encoding/json folds names. Keys with non-ASCII bytes count
// as matching (Unicode folding maps some to ASCII letters).
func foldsToField(n *fnode, key []byte) bool {
	for _, c := range key {
		if c >= utf8.RuneSelf {
			return true
		}
	}
	for _, f := range n.folded {
		if len(f) == len(key) && strings.EqualFold(f, string(key)) {
			return true
		}
	}
	return false
}

// value reads a value of node n; fv, when valid, receives it.
func (d *freader) value(n *fnode, fv reflect.Value, depth int) bool {
	if d.i >= len(d.b) {
		return false
	}
	c := d.b[d.i]
	switch n.kind {
	case fString:
		if c != '"' {
			return false
		}
		if !fv.IsValid() {
			return d.skipString()
		}
		s, ok := d.plainString()
		if !ok || !utf8.Valid(s) {
			return false
		}
		fv.SetString(string(s))
		return true
	case fBool:
		var val bool
		switch {
		case d.lit("true"):
			val = true
		case d.lit("false"):
		default:
			return false
		}
		if fv.IsValid() {
			fv.SetBool(val)
		}
		return true
	case fInt:
		return d.integer()
	case fSlice:
		if c != '[' || depth > maxDepth {
			return false
		}
		d.i++
		d.ws()
		if d.i < len(d.b) && d.b[d.i] == ']' {
			d.i++
			return true
		}
		for {
			if !d.value(n.elem, reflect.Value{}, depth+1) {
				return false
			}
			d.ws()
			if d.i >= len(d.b) {
				return false
			}
			switch d.b[d.i] {
			case ',':
				d.i++
				d.ws()
			case ']':
				d.i++
				return true
			default:
				return false
			}
		}
	case fStruct:
		return d.object(n, reflect.Value{}, depth)
	case fPtr:
		return d.object(n.elem, reflect.Value{}, depth)
	case fDate:
		s, ok := d.plainString()
		if !ok {
			return false
		}
		var date data.Date
		if len(s) > 0 {
			var err error
			if date, err = data.ParseDate(string(s)); err != nil {
				return false
			}
		}
		if fv.IsValid() {
			fv.Set(reflect.ValueOf(date))
		}
		return true
	case fWeek:
		return d.week(fv)
	}
	return false
}

// week reads data.WeekHours the way its UnmarshalJSON does: an object of
// day keys, each a list of spans.
func (d *freader) week(fv reflect.Value) bool {
	if d.i >= len(d.b) || d.b[d.i] != '{' {
		return false
	}
	d.i++
	d.ws()
	var h data.WeekHours
	var seen [7]bool
	if d.i < len(d.b) && d.b[d.i] == '}' {
		d.i++
	} else {
	days:
		for {
			key, ok := d.plainString()
			if !ok {
				return false
			}
			wd := -1
			for i, k := range dayKeys {
				if k == string(key) {
					wd = i
				}
			}
			if wd < 0 || seen[wd] {
				return false
			}
			seen[wd] = true
			d.ws()
			if d.i >= len(d.b) || d.b[d.i] != ':' {
				return false
			}
			d.i++
			d.ws()
			if d.i >= len(d.b) || d.b[d.i] != '[' {
				return false
			}
			d.i++
			d.ws()
			if d.i < len(d.b) && d.b[d.i] == ']' {
				d.i++
			} else {
				for {
					s, ok := d.plainString()
					if !ok {
						return false
					}
					sp, err := data.ParseSpan(string(s))
					if err != nil {
						return false
					}
					h[wd] = append(h[wd], sp)
					d.ws()
					if d.i >= len(d.b) {
						return false
					}
					if d.b[d.i] == ']' {
						d.i++
						break
					}
					if d.b[d.i] != ',' {
						return false
					}
					d.i++
					d.ws()
				}
			}
			d.ws()
			if d.i >= len(d.b) {
				return false
			}
			switch d.b[d.i] {
			case ',':
				d.i++
				d.ws()
			case '}':
				d.i++
				break days
			default:
				return false
			}
		}
	}
	if fv.IsValid() {
		fv.Set(reflect.ValueOf(h))
	}
	return true
}

// dayKeys are data.WeekHours' JSON keys, indexed by weekday.
var dayKeys = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// plainString reads a string without escapes and returns its bytes.
func (d *freader) plainString() ([]byte, bool) {
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return nil, false
	}
	start := d.i + 1
	for j := start; j < len(d.b); j++ {
		switch c := d.b[j]; {
		case c == '"':
			d.i = j + 1
			return d.b[start:j], true
		case c == '\\' || c < 0x20:
			return nil, false
		}
	}
	return nil, false
}

// skipString passes over a valid string, escapes included.
func (d *freader) skipString() bool {
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return false
	}
	for j := d.i + 1; j < len(d.b); j++ {
		switch c := d.b[j]; {
		case c == '"':
			d.i = j + 1
			return true
		case c < 0x20:
			return false
		case c == '\\':
			j++
			if j >= len(d.b) {
				return false
			}
			switch d.b[j] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if j+4 >= len(d.b) {
					return false
				}
				for k := j + 1; k <= j+4; k++ {
					if !isHex(d.b[k]) {
						return false
					}
				}
				j += 4
			default:
				return false
			}
		}
	}
	return false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func (d *freader) lit(s string) bool {
	if len(d.b)-d.i >= len(s) && string(d.b[d.i:d.i+len(s)]) == s {
		d.i += len(s)
		return true
	}
	return false
}

// integer reads an integer that fits any int: at most 18 digits, no
// fraction, no exponent.
func (d *freader) integer() bool {
	j := d.i
	if j < len(d.b) && d.b[j] == '-' {
		j++
	}
	start := j
	for j < len(d.b) && '0' <= d.b[j] && d.b[j] <= '9' {
		j++
	}
	n := j - start
	if n == 0 || n > 18 || (n > 1 && d.b[start] == '0') {
		return false
	}
	if j < len(d.b) {
		switch d.b[j] {
		case '.', 'e', 'E':
			return false
		}
	}
	d.i = j
	return true
}

// number passes over any valid JSON number.
func (d *freader) number() bool {
	j := d.i
	if j < len(d.b) && d.b[j] == '-' {
		j++
	}
	digits := func() int {
		k := j
		for j < len(d.b) && '0' <= d.b[j] && d.b[j] <= '9' {
			j++
		}
		return j - k
	}
	if j < len(d.b) && d.b[j] == '0' {
		j++
	} else if digits() == 0 {
		return false
	}
	if j < len(d.b) && d.b[j] == '.' {
		j++
		if digits() == 0 {
			return false
		}
	}
	if j < len(d.b) && (d.b[j] == 'e' || d.b[j] == 'E') {
		j++
		if j < len(d.b) && (d.b[j] == '+' || d.b[j] == '-') {
			j++
		}
		if digits() == 0 {
			return false
		}
	}
	d.i = j
	return true
}

// skip passes over any valid JSON value (an unknown field's).
func (d *freader) skip(depth int) bool {
	if d.i >= len(d.b) || depth > maxDepth {
		return false
	}
	switch c := d.b[d.i]; {
	case c == '"':
		return d.skipString()
	case c == '{' || c == '[':
		end := byte('}')
		if c == '[' {
			end = ']'
		}
		d.i++
		d.ws()
		if d.i < len(d.b) && d.b[d.i] == end {
			d.i++
			return true
		}
		for {
			if c == '{' {
				if !d.skipString() {
					return false
				}
				d.ws()
				if d.i >= len(d.b) || d.b[d.i] != ':' {
					return false
				}
				d.i++
				d.ws()
			}
			if !d.skip(depth + 1) {
				return false
			}
			d.ws()
			if d.i >= len(d.b) {
				return false
			}
			switch d.b[d.i] {
			case ',':
				d.i++
				d.ws()
			case end:
				d.i++
				return true
			default:
				return false
			}
		}
	case c == 't':
		return d.lit("true")
	case c == 'f':
		return d.lit("false")
	case c == 'n':
		return d.lit("null")
	default:
		return d.number()
	}
}
