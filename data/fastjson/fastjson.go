// Package fastjson is a validating single-pass JSON reader for the
// shapes that change bodies, bundle lines and pull pages have, as a faster
// stand-in for encoding/json where throughput matters (applying 100,000
// changes). encoding/json reads every byte twice (a validity scan, then
// the decode) and copies every string; here the input is read once, and
// values the caller does not need are checked but not stored.
//
// Decode answers "decoded" only when encoding/json would decode the same
// input into the same type without error and store the same values in the
// fields Decode stores. Anything it does not handle exactly (escapes in a
// stored string or in a key, null, a key that matches a field only
// case-insensitively, a repeated key, a number that is not a plain integer
// where an integer goes, deep nesting, ...) makes it answer "not sure", and
// the caller then decodes with encoding/json, which decides and words the
// error. Supported types: strings, bools, int and int64, slices, structs,
// pointers to structs, json.RawMessage, data.Date, data.WeekHours and other
// types with their own UnmarshalJSON (time.Time); a type with anything else
// gets no Schema.
package fastjson

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"jiezhen/data"
)

type kind uint8

const (
	kString kind = iota
	kBool
	kInt
	kSlice
	kStruct
	kPtr  // pointer to a struct: the struct (null is left to encoding/json)
	kRaw  // json.RawMessage: any valid value, its bytes
	kDate // data.Date: "" or a date data.ParseDate reads
	kWeek // data.WeekHours
	kUnm  // another json.Unmarshaler (time.Time): its own UnmarshalJSON
)

type node struct {
	kind   kind
	typ    reflect.Type
	elem   *node            // kSlice, kPtr
	fields map[string]field // kStruct, by exact JSON name
	folded []string         // kStruct: the JSON names in lower case
}

type field struct {
	node  *node
	index int  // the field's index in its struct
	store bool // decoded into the value, not only checked
	bit   uint64
}

// Schema is how Decode reads one Go type.
type Schema struct{ root *node }

var (
	dateType = reflect.TypeFor[data.Date]()
	weekType = reflect.TypeFor[data.WeekHours]()
	rawType  = reflect.TypeFor[json.RawMessage]()
)

// For returns the schema of the struct type t, or nil when t holds a type
// Decode does not support. With fields, Decode stores only those top-level
// fields (named by their JSON names) and checks the others; without, it
// stores everything.
func For(t reflect.Type, fields ...string) *Schema {
	n := schemaOf(t, 0)
	if n == nil || n.kind != kStruct {
		return nil
	}
	if len(fields) > 0 {
		for name, f := range n.fields {
			f.store = false
			n.fields[name] = f
		}
		for _, name := range fields {
			f, ok := n.fields[name]
			if !ok {
				panic("fastjson: no field " + name + " in " + t.String())
			}
			f.store = true
			n.fields[name] = f
		}
	}
	return &Schema{n}
}

func schemaOf(t reflect.Type, depth int) *node {
	if depth > 8 {
		return nil
	}
	switch t {
	case dateType:
		return &node{kind: kDate, typ: t}
	case weekType:
		return &node{kind: kWeek, typ: t}
	case rawType:
		return &node{kind: kRaw, typ: t}
	}
	if reflect.PointerTo(t).Implements(reflect.TypeFor[json.Unmarshaler]()) && t.Kind() != reflect.Pointer {
		return &node{kind: kUnm, typ: t}
	}
	if reflect.PointerTo(t).Implements(reflect.TypeFor[json.Unmarshaler]()) ||
		reflect.PointerTo(t).Implements(reflect.TypeFor[interface{ UnmarshalText([]byte) error }]()) {
		return nil
	}
	switch t.Kind() {
	case reflect.String:
		return &node{kind: kString, typ: t}
	case reflect.Bool:
		return &node{kind: kBool, typ: t}
	case reflect.Int, reflect.Int64:
		return &node{kind: kInt, typ: t}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 { // []byte is base64 in JSON
			return nil
		}
		e := schemaOf(t.Elem(), depth+1)
		if e == nil {
			return nil
		}
		return &node{kind: kSlice, typ: t, elem: e}
	case reflect.Pointer:
		e := schemaOf(t.Elem(), depth+1)
		if e == nil || e.kind != kStruct {
			return nil
		}
		return &node{kind: kPtr, typ: t, elem: e}
	case reflect.Struct:
		n := &node{kind: kStruct, typ: t, fields: map[string]field{}}
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
				if c := name[j]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
					return nil
				}
			}
			fn := schemaOf(sf.Type, depth+1)
			if fn == nil {
				return nil
			}
			if _, dup := n.fields[name]; dup || len(n.folded) == 64 {
				return nil
			}
			n.fields[name] = field{node: fn, index: i, store: true, bit: 1 << len(n.folded)}
			n.folded = append(n.folded, strings.ToLower(name))
		}
		return n
	}
	return nil
}

// Decode reads b into v, a pointer to the schema's type. ok is false when
// b must be decoded by encoding/json instead; v may then hold some fields
// already, so decode into a fresh value.
func (s *Schema) Decode(b []byte, v any) (ok bool) {
	return s.decode(reader{b: b}, v)
}

// DecodeShared is Decode for a b the caller gives up: the json.RawMessage
// values it fills share b's bytes (each capped at its own end) instead of
// copies. A pull page's bodies are a megabyte; the kiosk keeps them only
// until the page is applied.
func (s *Schema) DecodeShared(b []byte, v any) (ok bool) {
	return s.decode(reader{b: b, share: true}, v)
}

func (s *Schema) decode(d reader, v any) bool {
	d.ws()
	if !d.object(s.root, reflect.ValueOf(v).Elem(), 0) {
		return false
	}
	d.ws()
	return d.i == len(d.b)
}

// StoredField returns the value of a stored top-level field of v, by its
// JSON name (for tests).
func (s *Schema) StoredField(v any, name string) (reflect.Value, bool) {
	f, ok := s.root.fields[name]
	if !ok || !f.store {
		return reflect.Value{}, false
	}
	return reflect.ValueOf(v).Elem().Field(f.index), true
}

// Compact reports whether b is one valid JSON value that encoding/json
// would marshal, as a json.RawMessage, to exactly b: no whitespace between
// tokens, and none of the characters it escapes for HTML (<, >, &, U+2028,
// U+2029). A false answer means only that encoding/json must do it.
func Compact(b []byte) bool {
	d := reader{b: b}
	if !d.skip(0) || d.i != len(b) || d.space {
		return false
	}
	// bytes.IndexAny decodes every rune; these each scan at memory speed.
	return bytes.IndexByte(b, '<') < 0 && bytes.IndexByte(b, '>') < 0 && bytes.IndexByte(b, '&') < 0 &&
		!bytes.Contains(b, lineSep) && !bytes.Contains(b, paraSep)
}

var lineSep, paraSep = []byte("\u2028"), []byte("\u2029")

// maxDepth is the deepest nesting the reader follows (encoding/json
// allows 10,000; deeper input goes to it).
const maxDepth = 64

type reader struct {
	b     []byte
	i     int
	space bool // whitespace was skipped between tokens
	share bool // json.RawMessage values share b (DecodeShared)
}

func (d *reader) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
			d.space = true
		default:
			return
		}
	}
}

// object reads an object into the struct v, or only checks it when v is
// not valid.
func (d *reader) object(n *node, v reflect.Value, depth int) bool {
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
				return false // repeated: encoding/json's last-wins, left to it
			}
			seen |= f.bit
			var fv reflect.Value
			if f.store && v.IsValid() {
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
		if done, ok := d.next('}'); !ok || done {
			return ok
		}
	}
}

// foldsToField reports whether key, matching no field exactly, may match
// one the way encoding/json folds names. Keys with non-ASCII bytes count
// as matching (Unicode folding maps some to ASCII letters).
func foldsToField(n *node, key []byte) bool {
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

// value reads a value of node n into fv, or only checks it when fv is not
// valid.
func (d *reader) value(n *node, fv reflect.Value, depth int) bool {
	if d.i >= len(d.b) {
		return false
	}
	c := d.b[d.i]
	switch n.kind {
	case kString:
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
	case kBool:
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
	case kInt:
		start := d.i
		if !d.integer() {
			return false
		}
		if fv.IsValid() {
			x, err := strconv.ParseInt(string(d.b[start:d.i]), 10, 64)
			if err != nil || fv.OverflowInt(x) {
				return false
			}
			fv.SetInt(x)
		}
		return true
	case kSlice:
		if c != '[' || depth > maxDepth {
			return false
		}
		d.i++
		d.ws()
		var sl reflect.Value
		if fv.IsValid() {
			sl = reflect.MakeSlice(n.typ, 0, 0)
		}
		if d.i < len(d.b) && d.b[d.i] == ']' {
			d.i++
		} else {
			for {
				var ev reflect.Value
				if sl.IsValid() {
					sl = reflect.Append(sl, reflect.Zero(n.elem.typ))
					ev = sl.Index(sl.Len() - 1)
				}
				if !d.value(n.elem, ev, depth+1) {
					return false
				}
				if done, ok := d.next(']'); !ok {
					return false
				} else if done {
					break
				}
			}
		}
		if fv.IsValid() {
			fv.Set(sl)
		}
		return true
	case kStruct:
		return d.object(n, fv, depth)
	case kPtr:
		if !fv.IsValid() {
			return d.object(n.elem, fv, depth)
		}
		p := reflect.New(n.elem.typ)
		if !d.object(n.elem, p.Elem(), depth) {
			return false
		}
		fv.Set(p)
		return true
	case kRaw:
		if c == 'n' {
			return false // null: encoding/json's business
		}
		start := d.i
		if !d.skip(depth) {
			return false
		}
		switch {
		case !fv.IsValid():
		case d.share:
			fv.SetBytes(d.b[start:d.i:d.i])
		default:
			fv.SetBytes(append([]byte(nil), d.b[start:d.i]...))
		}
		return true
	case kDate:
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
	case kWeek:
		return d.week(fv)
	case kUnm:
		// encoding/json hands the value's bytes to UnmarshalJSON (null
		// aside, which is left to it): so does this.
		if c == 'n' {
			return false
		}
		start := d.i
		if !d.skip(depth) {
			return false
		}
		if !fv.IsValid() {
			fv = reflect.New(n.typ).Elem()
		}
		return fv.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(d.b[start:d.i]) == nil
	}
	return false
}

// week reads data.WeekHours the way its UnmarshalJSON does: an object of
// day keys, each a list of spans.
func (d *reader) week(fv reflect.Value) bool {
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
					if done, ok := d.next(']'); !ok {
						return false
					} else if done {
						break
					}
				}
			}
			if done, ok := d.next('}'); !ok {
				return false
			} else if done {
				break days
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
func (d *reader) plainString() ([]byte, bool) {
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return nil, false
	}
	start := d.i + 1
	for j := start; j < len(d.b); j++ {
		for j+8 <= len(d.b) && plainWord(binary.LittleEndian.Uint64(d.b[j:])) {
			j += 8
		}
		if j >= len(d.b) {
			break
		}
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

// skipString passes over a valid string, escapes included. Bodies are
// mostly text, so it looks at eight bytes at a time for the three kinds
// of byte that need a look of their own (plainWord).
func (d *reader) skipString() bool {
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return false
	}
	for j := d.i + 1; ; j++ {
		for j+8 <= len(d.b) && plainWord(binary.LittleEndian.Uint64(d.b[j:])) {
			j += 8
		}
		if j >= len(d.b) {
			return false
		}
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
}

// plainWord reports whether none of the eight bytes in w is a quote, a
// backslash or a control character (below 0x20): the bytes a string's
// scan passes over without a look. Each test is the classic "has a zero
// byte" / "has a byte less than n" word trick, exact for the word as a
// whole.
func plainWord(w uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q := w ^ (ones * '"')
	b := w ^ (ones * '\\')
	return ((q-ones)&^q|(b-ones)&^b|(w-ones*0x20)&^w)&highs == 0
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func (d *reader) lit(s string) bool {
	if len(d.b)-d.i >= len(s) && string(d.b[d.i:d.i+len(s)]) == s {
		d.i += len(s)
		return true
	}
	return false
}

// integer reads an integer that fits any int: at most 18 digits, no
// fraction, no exponent.
func (d *reader) integer() bool {
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
func (d *reader) number() bool {
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
func (d *reader) skip(depth int) bool {
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
			if done, ok := d.next(end); !ok || done {
				return ok
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

// next reads what follows an element of an array or an object: close
// (']' or '}', and then done) or a comma and the space after it; ok is
// false for anything else.
func (d *reader) next(close byte) (done, ok bool) {
	d.ws()
	if d.i >= len(d.b) {
		return false, false
	}
	switch d.b[d.i] {
	case close:
		d.i++
		return true, true
	case ',':
		d.i++
		d.ws()
		return false, true
	}
	return false, false
}
