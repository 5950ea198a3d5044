package data

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
