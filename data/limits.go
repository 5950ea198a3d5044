package data

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limit is the class of a string field: how long it may be and which
// characters and forms it takes. Every string field of every item (the
// content a district publishes, staff edits, and what kiosks push) names
// its class in a `limit:"..."` struct tag; CheckFields enforces them, so
// publishing, the district's push handler and the kiosk refuse the same
// values before storing them.
type Limit string

const (
	LimitID    Limit = "id"    // an id or a code used as one: IDPattern
	LimitCode  Limit = "code"  // a short machine value: an enum, a reference, a hash
	LimitName  Limit = "name"  // a person's or a place's name, a phone, a category
	LimitTitle Limit = "title" // a title, a label, an address, one line of a list
	LimitText  Limit = "text"  // free text on several lines: a description, an answer
	LimitDoc   Limit = "doc"   // a published document's body
	LimitURL   Limit = "url"   // an http or https address
)

// Limits holds, per class, its longest value in characters and whether it
// may run over several lines. This table is the one place the limits are
// set.
var Limits = map[Limit]struct {
	Max       int
	Multiline bool
}{
	LimitID:    {64, false},
	LimitCode:  {200, false},
	LimitName:  {100, false},
	LimitTitle: {200, false},
	LimitText:  {5000, true},
	LimitDoc:   {100000, true},
	LimitURL:   {2048, false},
}

// IDPattern is what every id takes: ASCII letters, digits, '.', '_' and
// '-', starting with a letter or digit, at most 64 characters. Such an id
// is safe in a path, a log line, a URL and a web page as it is.
var IDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// CheckID says in one phrase what is wrong with an id, nil if nothing.
func CheckID(id string) error {
	switch {
	case id == "":
		return errors.New("is empty")
	case len(id) > Limits[LimitID].Max:
		return fmt.Errorf("is longer than %d characters", Limits[LimitID].Max)
	case !IDPattern.MatchString(id):
		return errors.New("may hold only letters, digits, '.', '_' and '-', starting with a letter or digit")
	}
	return nil
}

// CheckURL says in one phrase what is wrong with a url a kiosk shows as a
// QR code or a link, nil if nothing: an absolute http or https address
// with a host, at most Limits[LimitURL] characters, no spaces or control
// characters.
func CheckURL(s string) error {
	if n := Limits[LimitURL].Max; utf8.RuneCountInString(s) > n {
		return fmt.Errorf("is longer than %d characters", n)
	}
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }) >= 0 {
		return errors.New("contains a space or a control character")
	}
	u, err := url.Parse(s)
	if err != nil {
		return errors.New("is not a url")
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return errors.New("must start with https: or http:")
	}
	if u.Host == "" {
		return errors.New("has no host")
	}
	return nil
}

// controlIn reports whether s holds a control character; a multi-line
// value may hold line breaks and tabs.
func controlIn(s string, multiline bool) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		if multiline && (r == '\n' || r == '\r' || r == '\t') {
			return false
		}
		return unicode.IsControl(r) || r == utf8.RuneError
	}) >= 0
}

// checkString says in one phrase what is wrong with a value of class c.
func checkString(s string, c Limit) error {
	if c == LimitID {
		if s == "" {
			return nil // whether an id is required is the item's rule
		}
		return CheckID(s)
	}
	if c == LimitURL {
		if s == "" {
			return nil
		}
		return CheckURL(s)
	}
	l, ok := Limits[c]
	if !ok {
		l = Limits[LimitText]
	}
	if utf8.RuneCountInString(s) > l.Max {
		return fmt.Errorf("is longer than %d characters", l.Max)
	}
	if controlIn(s, l.Multiline) {
		if l.Multiline {
			return errors.New("contains a control character")
		}
		return errors.New("contains a line break or a control character")
	}
	return nil
}

// FieldProblem is a string field that breaks its class's rules. Field is
// its path in the item's JSON, as "applicant.name" or "materials[2].note".
type FieldProblem struct {
	Field string
	Err   error
}

func (p *FieldProblem) Error() string { return fmt.Sprintf("field %q %v", p.Field, p.Err) }

// CheckFields checks every string field of v (a struct or a pointer to
// one, and what it holds) against the class its `limit` tag names, and
// returns the first problem as a *FieldProblem, or nil. A string field
// without a tag is free text (LimitText). Map keys are ids; values take
// the class of the map's field. Types with a JSON form of their own
// (dates, hours, times) are checked by their own code and skipped here.
func CheckFields(v any) error {
	return walkFields(reflect.ValueOf(v), "", LimitText)
}

var jsonMarshaler = reflect.TypeFor[json.Marshaler]()

func walkFields(v reflect.Value, path string, class Limit) error {
	if !v.IsValid() {
		return nil
	}
	if v.Kind() != reflect.Pointer && v.Type().Implements(jsonMarshaler) {
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return walkFields(v.Elem(), path, class)
	case reflect.String:
		if err := checkString(v.String(), class); err != nil {
			return &FieldProblem{Field: path, Err: err}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return nil // raw bytes: JSON checked where it is read
		}
		for i := range v.Len() {
			if err := walkFields(v.Index(i), fmt.Sprintf("%s[%d]", path, i), class); err != nil {
				return err
			}
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			k := iter.Key()
			if k.Kind() == reflect.String {
				if err := checkString(k.String(), LimitID); err != nil {
					return &FieldProblem{Field: join(path, clip(k.String())), Err: err}
				}
			}
			if err := walkFields(iter.Value(), join(path, clip(k.String())), class); err != nil {
				return err
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			sf := t.Field(i)
			if !sf.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = sf.Name
			}
			c := Limit(sf.Tag.Get("limit"))
			if c == "" {
				c = LimitText
			}
			if sf.Anonymous {
				name = path
			} else {
				name = join(path, name)
			}
			if err := walkFields(v.Field(i), name, c); err != nil {
				return err
			}
		}
	}
	return nil
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// clip shortens a value for a message: the first 32 characters.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= 32 {
		return s
	}
	return string([]rune(s)[:32]) + "…"
}
