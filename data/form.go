package data

import (
	"encoding/json"
	"errors"
	"strings"
)

// FieldType is the datatype of a field in a service's online form.
type FieldType string

const (
	FieldText        FieldType = "text"
	FieldLongText    FieldType = "longtext"
	FieldNumber      FieldType = "number"
	FieldDate        FieldType = "date"
	FieldChoice      FieldType = "choice"      // single choice
	FieldMultiChoice FieldType = "multichoice" // multiple choice
	FieldIDNumber    FieldType = "idnumber"    // resident ID number (GB 11643)
	FieldMobile      FieldType = "mobile"      // mainland mobile number
)

// FieldTypes lists every field type.
var FieldTypes = []FieldType{FieldText, FieldLongText, FieldNumber, FieldDate, FieldChoice, FieldMultiChoice, FieldIDNumber, FieldMobile}

// FormField is one field of an online form.
type FormField struct {
	Code     string    `json:"code" limit:"id"` // stable key of the value, e.g. "applicant_name"
	Label    string    `json:"label" limit:"title"`
	Type     FieldType `json:"type" limit:"code"`
	Required bool      `json:"required"`
	Choices  []string  `json:"choices,omitempty" limit:"title"` // for choice and multichoice
	Help     string    `json:"help,omitempty" limit:"text"`
	MaxLen   int       `json:"max_len,omitempty"` // in characters; 0 means the type's default

	// A number field's range and whether it takes only whole numbers.
	// Without Min or Max a number is between 0 and DefaultNumberMax: the
	// numbers a street's forms ask for are counts, amounts and sizes.
	Min   Bound `json:"min,omitzero"`
	Max   Bound `json:"max,omitzero"`
	Whole bool  `json:"whole,omitempty"`

	// A date field's window: When says on which side of today the date
	// lies (DatePast: today or before; DateFuture: today or after; empty:
	// either, except a date of birth, which is past), and Years how far
	// from today it may be (0: DefaultDateYears).
	When  DateWhen `json:"when,omitempty" limit:"code"`
	Years int      `json:"years,omitempty"`
}

// DateWhen is the side of today a date field's answer lies on.
type DateWhen string

const (
	DatePast   DateWhen = "past"   // today or before: a birth, an event that happened
	DateFuture DateWhen = "future" // today or after: an appointment, a planned start
)

// Bound is a number field's min or max; the zero Bound is not given.
type Bound struct {
	Value float64
	Set   bool
}

// NewBound is a given bound of n.
func NewBound(n float64) Bound { return Bound{Value: n, Set: true} }

// MarshalJSON writes the number.
func (b Bound) MarshalJSON() ([]byte, error) {
	if !b.Set {
		return []byte("null"), nil
	}
	return json.Marshal(b.Value)
}

// UnmarshalJSON reads a number; null is not given.
func (b *Bound) UnmarshalJSON(raw []byte) error {
	if string(raw) == "null" {
		*b = Bound{}
		return nil
	}
	var n float64
	if err := json.Unmarshal(raw, &n); err != nil {
		return errors.New("want a number")
	}
	*b = NewBound(n)
	return nil
}

// DefaultNumberMax is the largest number a field without Max takes.
const DefaultNumberMax = 1e9

// DefaultDateYears is how far from today a date field without Years may
// be: the longest life, for a date of birth.
const DefaultDateYears = 150

// FormSchema is the online form of a service item.
type FormSchema struct {
	Fields []FormField `json:"fields"`
}

// FormValues are a resident's answers keyed by FormField.Code. A
// multichoice value holds its choices joined by "\n"; dates are 2006-01-02.
type FormValues map[string]string

// CodeBirthDate is the code of a form's date-of-birth field; a code
// ending in "_birth_date" (child_birth_date) asks for one too.
const CodeBirthDate = "birth_date"

// BirthDateYearsBack is how many years before today a date picker for a
// date of birth starts: the middle of the adults who file, so that a
// birth date is a few taps of ±10 and ±1 years rather than dozens.
const BirthDateYearsBack = 40

// IsBirthDate reports whether f asks for a date of birth.
func (f FormField) IsBirthDate() bool {
	if f.Type != FieldDate {
		return false
	}
	return f.Code == CodeBirthDate || strings.HasSuffix(f.Code, "_"+CodeBirthDate)
}

// PickerStart is the day a date picker for f shows before anything is
// chosen: today, but BirthDateYearsBack years earlier for a date of birth
// (29 February becomes the 28th in a common year).
func (f FormField) PickerStart(today Date) Date {
	if !f.IsBirthDate() {
		return today
	}
	d := Date{Year: today.Year - BirthDateYearsBack, Month: today.Month, Day: today.Day}
	for !d.Valid() {
		d.Day--
	}
	return d
}
