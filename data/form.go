package data

import "strings"

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
	Code     string    `json:"code"` // stable key of the value, e.g. "applicant_name"
	Label    string    `json:"label"`
	Type     FieldType `json:"type"`
	Required bool      `json:"required"`
	Choices  []string  `json:"choices,omitempty"` // for choice and multichoice
	Help     string    `json:"help,omitempty"`
	MaxLen   int       `json:"max_len,omitempty"` // in characters; 0 means the type's default
}

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
