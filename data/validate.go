package data

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Reason is why a value was refused. The codes are stable: the UI maps them
// to messages and they may be logged or counted.
type Reason string

const (
	ReasonRequired     Reason = "required"      // no value for a required field
	ReasonUnknownField Reason = "unknown_field" // a value for a field the form does not have
	ReasonTooLong      Reason = "too_long"
	ReasonNumber       Reason = "number"
	ReasonDate         Reason = "date"
	ReasonChoice       Reason = "choice"        // not one of the offered choices
	ReasonIDLength     Reason = "id_length"     // an ID number is not 18 characters
	ReasonIDFormat     Reason = "id_format"     // not 17 digits and a check character
	ReasonIDBirthDate  Reason = "id_birth_date" // the birth date inside is not a possible one
	ReasonIDCheckChar  Reason = "id_check_char" // the check character does not match
	ReasonMobile       Reason = "mobile"
	ReasonEmail        Reason = "email"
	ReasonRange        Reason = "range"        // a number outside the field's range
	ReasonWhole        Reason = "whole"        // not a whole number where the field wants one
	ReasonAfterToday   Reason = "after_today"  // a past date (a birth, an event) after today
	ReasonBeforeToday  Reason = "before_today" // a future date (an appointment) before today
	ReasonDateWindow   Reason = "date_window"  // a date too many years from today
	ReasonControl      Reason = "control"      // a control character, or a line break in a one-line field
	ReasonList         Reason = "list"         // a multiple choice not given as a list
	ReasonOneValue     Reason = "one_value"    // a list or an object where one value is wanted
)

// reasonTexts holds, per reason, the Chinese and English messages for
// residents and the lower-case English used in Error().
var reasonTexts = map[Reason][3]string{
	ReasonRequired:     {"这一项必须填写", "Please fill this in", "is required"},
	ReasonUnknownField: {"这一项不在表格中", "This is not part of the form", "is not a field of the form"},
	ReasonTooLong:      {"内容太长了，请删减一些", "This is too long, please shorten it", "is too long"},
	ReasonNumber:       {"请填写数字，例如 12 或 3.5", "Please enter a number, such as 12 or 3.5", "is not a number"},
	ReasonDate:         {"请填写正确的日期，例如 2026-03-01", "Please enter a real date, such as 2026-03-01", "is not a date like 2026-03-01"},
	ReasonChoice:       {"请从给出的选项中选择", "Please pick from the choices shown", "is not one of the choices"},
	ReasonIDLength:     {"身份证号码应为18位，请核对", "An ID number has 18 characters, please check it", "id number must have 18 characters"},
	ReasonIDFormat:     {"身份证号码前17位应为数字，最后一位为数字或X，请核对", "An ID number is 17 digits followed by a digit or X, please check it", "id number must be 17 digits and a digit or X"},
	ReasonIDBirthDate:  {"身份证号码中的出生日期不对，请核对", "The date of birth in this ID number is not right, please check it", "id number has an impossible birth date"},
	ReasonIDCheckChar:  {"身份证号码最后一位校验码不对，请核对", "The last character of this ID number does not match, please check it", "id number check character does not match"},
	ReasonMobile:       {"请填写11位手机号码，例如 13800138000", "Please enter an 11-digit mainland mobile number, such as 13800138000", "is not a mainland mobile number"},
	ReasonEmail:        {"请填写正确的电子邮箱，例如 name@example.com", "Please enter an email address, such as name@example.com", "is not an email address"},
	ReasonRange:        {"这个数字超出了可填写的范围，请核对", "This number is outside the range this field takes, please check it", "is outside the field's range"},
	ReasonWhole:        {"请填写整数，例如 3", "Please enter a whole number, such as 3", "must be a whole number"},
	ReasonAfterToday:   {"这个日期不能晚于今天，请核对", "This date cannot be after today, please check it", "must not be after today"},
	ReasonBeforeToday:  {"这个日期不能早于今天，请核对", "This date cannot be before today, please check it", "must not be before today"},
	ReasonDateWindow:   {"这个日期离今天太远了，请核对", "This date is too far from today, please check it", "is too far from today"},
	ReasonControl:      {"请删去换行或特殊字符", "Please remove line breaks and special characters", "contains a line break or a control character"},
	ReasonList:         {"请从给出的选项中选择一项或多项", "Please pick one or more of the choices shown", "must be a list of choices"},
	ReasonOneValue:     {"这一项只填一个值", "This takes a single value", "must be text or a number, not a list or an object"},
}

// Message is the reason in plain words for the resident at the kiosk.
func (r Reason) Message(l Lang) string {
	t, ok := reasonTexts[r]
	if !ok {
		if l == EN {
			return "Please check this"
		}
		return "请核对这一项"
	}
	if l == EN {
		return t[1]
	}
	return t[0]
}

// FieldError says which field was refused and why. Field is the form
// field's code; it is empty when a single value was checked on its own.
type FieldError struct {
	Field  string `json:"field"`
	Reason Reason `json:"reason"`
	// Detail, when set, says the reason with the field's own bounds
	// ("must be between 1 and 30"), in lower-case English for Error().
	Detail string `json:"detail,omitempty"`
}

func (e *FieldError) Error() string {
	text := string(e.Reason)
	if t, ok := reasonTexts[e.Reason]; ok {
		text = t[2]
	}
	if e.Detail != "" {
		text = e.Detail
	}
	if e.Field == "" {
		return text
	}
	return fmt.Sprintf("field %q %s", e.Field, text)
}

// idWeights and idCheckChars are the GB 11643 check character algorithm.
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const idCheckChars = "10X98765432"

// IDCheckChar returns the check character for the first 17 digits of an ID
// number, or 0 if they are not 17 ASCII digits.
func IDCheckChar(first17 string) byte {
	if len(first17) != 17 || !isDigits(first17) {
		return 0
	}
	sum := 0
	for i := range 17 {
		sum += int(first17[i]-'0') * idWeights[i]
	}
	return idCheckChars[sum%11]
}

// earliestBirth is the earliest birth date accepted in an ID number: no
// one born before it is alive to file a case.
var earliestBirth = Date{1900, 1, 1}

// ValidateIDNumber checks a resident ID number (GB 11643): 18 characters,
// 17 digits, a check character that matches (a lower-case x is taken as X),
// and a birth date that exists, is not before 1900 and not after today.
// today comes from the caller so the result does not depend on the clock;
// a zero today skips the future check. The error is a *FieldError.
func ValidateIDNumber(s string, today Date) error {
	if r := idReason(s, today); r != "" {
		return &FieldError{Reason: r}
	}
	return nil
}

func idReason(s string, today Date) Reason {
	if utf8.RuneCountInString(s) != 18 {
		return ReasonIDLength
	}
	if len(s) != 18 || !isDigits(s[:17]) || !strings.ContainsRune("0123456789Xx", rune(s[17])) {
		return ReasonIDFormat
	}
	// The birth date goes first: one mistyped digit in it also breaks the
	// check character, and "the birth date is wrong" is the better hint.
	birth, err := ParseDate(s[6:10] + "-" + s[10:12] + "-" + s[12:14])
	if err != nil || birth.Before(earliestBirth) || (!today.IsZero() && today.Before(birth)) {
		return ReasonIDBirthDate
	}
	if IDCheckChar(s[:17]) != upperX(s[17]) {
		return ReasonIDCheckChar
	}
	return ""
}

func upperX(c byte) byte {
	if c == 'x' {
		return 'X'
	}
	return c
}

// IDBirthDate is the date of birth a valid ID number gives; false for a
// number ValidateIDNumber refuses.
func IDBirthDate(s string, today Date) (Date, bool) {
	s = NormalizeIDNumber(s)
	if idReason(s, today) != "" {
		return Date{}, false
	}
	d, err := ParseDate(s[6:10] + "-" + s[10:12] + "-" + s[12:14])
	return d, err == nil
}

// NormalizeIDNumber removes spaces and upper-cases the check character, the
// form in which an ID number is stored and sent.
func NormalizeIDNumber(s string) string {
	return strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
}

// ValidateMobile checks a mainland mobile number: 11 digits, a 1 and then
// 3 to 9. The error is a *FieldError.
func ValidateMobile(s string) error {
	if !validMobile(s) {
		return &FieldError{Reason: ReasonMobile}
	}
	return nil
}

func validMobile(s string) bool {
	return len(s) == 11 && isDigits(s) && s[0] == '1' && s[1] >= '3'
}

// MaskID shows an ID number as 4401**********1234. Anything shorter than
// an old 15-digit number is masked completely: showing 8 characters of a
// short string would show most of it.
func MaskID(s string) string { return mask(s, 4, 4, 15) }

// MaskMobile shows a mobile number as 138****1234; anything that is not 11
// characters is masked completely.
func MaskMobile(s string) string {
	if utf8.RuneCountInString(s) != 11 {
		return mask(s, 0, 0, 0)
	}
	return mask(s, 3, 4, 11)
}

func mask(s string, head, tail, min int) string {
	r := []rune(s)
	if len(r) < min {
		head, tail = 0, 0
	}
	out := make([]rune, len(r))
	for i := range r {
		if i < head || i >= len(r)-tail {
			out[i] = r[i]
		} else {
			out[i] = '*'
		}
	}
	return string(out)
}

// DefaultMaxLen is the longest value, in characters, of each field type
// whose FormField.MaxLen is 0. Types missing here are bounded by their
// format or choices.
var DefaultMaxLen = map[FieldType]int{
	FieldText:     100,
	FieldLongText: 2000,
	FieldNumber:   30,
}

// plainNumber is what residents type for an amount or a count. ParseFloat
// would also take "NaN", "1e9" and "0x10", none of which a form wants.
var plainNumber = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// Validate checks the resident's values against the form: required fields,
// lengths, and each type's format. It returns one error per bad field, in
// the form's order, then one per value for a field the form does not have
// (sorted by code). today bounds ID birth dates.
func (s FormSchema) Validate(v FormValues, today Date) []*FieldError {
	var errs []*FieldError
	for _, f := range s.Fields {
		if r := f.check(v[f.Code], today); r != "" {
			errs = append(errs, &FieldError{Field: f.Code, Reason: r, Detail: f.detail(r)})
		}
	}
	var unknown []string
	for code := range v {
		if !slices.ContainsFunc(s.Fields, func(f FormField) bool { return f.Code == code }) {
			unknown = append(unknown, code)
		}
	}
	sort.Strings(unknown)
	for _, code := range unknown {
		errs = append(errs, &FieldError{Field: code, Reason: ReasonUnknownField})
	}
	return errs
}

func (f FormField) check(val string, today Date) Reason {
	if strings.TrimSpace(val) == "" {
		if f.Required {
			return ReasonRequired
		}
		return ""
	}
	limit := f.MaxLen
	if limit == 0 {
		limit = DefaultMaxLen[f.Type]
	}
	if limit > 0 && utf8.RuneCountInString(val) > limit {
		return ReasonTooLong
	}
	// A multiple choice's choices are joined by line breaks and must each
	// be one of the form's; other values are text.
	if f.Type != FieldMultiChoice && controlIn(val, f.Type == FieldLongText) {
		return ReasonControl
	}
	switch f.Type {
	case FieldNumber:
		if !plainNumber.MatchString(val) {
			return ReasonNumber
		}
		n, err := strconv.ParseFloat(val, 64)
		lo, hi := f.numberRange()
		switch {
		case err != nil || n < lo || n > hi:
			return ReasonRange
		case f.Whole && n != math.Trunc(n):
			return ReasonWhole
		}
	case FieldDate:
		d, err := ParseDate(val)
		if err != nil {
			return ReasonDate
		}
		if today.IsZero() {
			break
		}
		years := f.dateYears()
		switch when := f.dateWhen(); {
		case when == DatePast && d.After(today):
			return ReasonAfterToday
		case when == DateFuture && d.Before(today):
			return ReasonBeforeToday
		case d.Before(today.AddYears(-years)) || d.After(today.AddYears(years)):
			return ReasonDateWindow
		}
	case FieldChoice:
		if !slices.Contains(f.Choices, val) {
			return ReasonChoice
		}
	case FieldMultiChoice:
		parts := strings.Split(val, "\n")
		for i, p := range parts {
			if !slices.Contains(f.Choices, p) || slices.Contains(parts[:i], p) {
				return ReasonChoice
			}
		}
	case FieldIDNumber:
		return idReason(val, today)
	case FieldMobile:
		if !validMobile(val) {
			return ReasonMobile
		}
	}
	return ""
}

// numberRange is the smallest and the largest number f takes.
func (f FormField) numberRange() (lo, hi float64) {
	lo, hi = 0, DefaultNumberMax
	if f.Min.Set {
		lo = f.Min.Value
	}
	if f.Max.Set {
		hi = f.Max.Value
	}
	return lo, hi
}

// dateWhen is the side of today f's date lies on: its When, and past for
// a date of birth that does not say.
func (f FormField) dateWhen() DateWhen {
	if f.When == "" && f.IsBirthDate() {
		return DatePast
	}
	return f.When
}

func (f FormField) dateYears() int {
	if f.Years > 0 {
		return f.Years
	}
	return DefaultDateYears
}

// detail says reason r with f's own bounds, or "" when the reason's text
// says it all.
func (f FormField) detail(r Reason) string {
	switch r {
	case ReasonRange:
		lo, hi := f.numberRange()
		return fmt.Sprintf("must be a number from %s to %s", formatNumber(lo), formatNumber(hi))
	case ReasonDateWindow:
		return fmt.Sprintf("is more than %d years from today", f.dateYears())
	case ReasonControl:
		if f.Type == FieldLongText {
			return "contains a control character"
		}
	}
	return ""
}

func formatNumber(n float64) string { return strconv.FormatFloat(n, 'f', -1, 64) }

// Check validates the schema itself, as written by a district admin: every
// field has a unique non-empty code, a label and a known type; choice types
// have unique non-empty choices and other types have none. It reports every
// problem it finds.
func (s FormSchema) Check() error {
	var errs []error
	for _, p := range s.Problems() {
		errs = append(errs, errors.New(p.Problem))
	}
	return errors.Join(errs...)
}

// SchemaProblem is one thing wrong with a form schema: the field path in
// the item that holds the form ("form.fields[2].choices") and the problem
// as Check words it.
type SchemaProblem struct {
	Field, Problem string
}

// Problems lists what Check finds, each with the field it is of.
func (s FormSchema) Problems() []SchemaProblem {
	var out []SchemaProblem
	seen := map[string]bool{}
	for i, f := range s.Fields {
		where := fmt.Sprintf("form field %d", i+1)
		if f.Code != "" {
			where += fmt.Sprintf(" %q", f.Code)
		}
		at := fmt.Sprintf("form.fields[%d].", i)
		bad := func(field, format string, args ...any) {
			out = append(out, SchemaProblem{Field: at + field, Problem: fmt.Sprintf("%s: %s", where, fmt.Sprintf(format, args...))})
		}
		switch {
		case f.Code == "":
			bad("code", "code is empty")
		case seen[f.Code]:
			bad("code", "code is used twice")
		}
		seen[f.Code] = true
		if strings.TrimSpace(f.Label) == "" {
			bad("label", "label is empty")
		}
		if !slices.Contains(FieldTypes, f.Type) {
			bad("type", "unknown type %q", f.Type)
		}
		if f.MaxLen < 0 {
			bad("max_len", "max_len %d is negative", f.MaxLen)
		}
		if f.Type != FieldNumber && (f.Min.Set || f.Max.Set || f.Whole) {
			bad("type", "only a number field has min, max or whole")
		}
		if lo, hi := f.numberRange(); lo > hi {
			bad("min", "min %s is larger than max %s", formatNumber(lo), formatNumber(hi))
		}
		if f.Type != FieldDate && (f.When != "" || f.Years != 0) {
			bad("type", "only a date field has when or years")
		}
		if f.When != "" && f.When != DatePast && f.When != DateFuture {
			bad("when", "when %q is not %q or %q", f.When, DatePast, DateFuture)
		}
		if f.Years < 0 {
			bad("years", "years %d is negative", f.Years)
		}
		choiceType := f.Type == FieldChoice || f.Type == FieldMultiChoice
		switch {
		case choiceType && len(f.Choices) == 0:
			bad("choices", "a %s field needs choices", f.Type)
		case !choiceType && len(f.Choices) > 0:
			bad("choices", "a %s field cannot have choices", f.Type)
		}
		for j, c := range f.Choices {
			ch := fmt.Sprintf("choices[%d]", j)
			switch {
			case strings.TrimSpace(c) == "":
				bad(ch, "choice %d is empty", j+1)
			case strings.Contains(c, "\n"):
				// Multichoice values are joined by "\n".
				bad(ch, "choice %q contains a line break", c)
			case slices.Contains(f.Choices[:j], c):
				bad(ch, "choice %q is listed twice", c)
			}
		}
	}
	return out
}
