package data

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// The applicant of an application or a disclosure request is asked for in
// the form itself, under these codes: the district needs a real name, and
// the kiosk asks for the ID number and mobile that the window checks and
// that tracking uses.
const (
	CodeApplicantName = "applicant_name"
	CodeIDNumber      = "id_number"
	CodeMobile        = "mobile"
)

// applicantFields are the applicant's fields for a form that lacks them.
var applicantFields = []FormField{
	{Code: CodeApplicantName, Label: "申请人姓名", Type: FieldText, Required: true, MaxLen: 50, Help: "请填写与身份证件一致的姓名"},
	{Code: CodeIDNumber, Label: "身份证号码", Type: FieldIDNumber, Required: true, Help: "18位居民身份证号码"},
	{Code: CodeMobile, Label: "手机号码", Type: FieldMobile, Required: true, Help: "用于查询进度和接收通知"},
}

// IsApplicantCode reports whether code is one of the applicant's fields.
func IsApplicantCode(code string) bool {
	return code == CodeApplicantName || code == CodeIDNumber || code == CodeMobile
}

// WithApplicant returns the fields a resident fills in: the applicant's
// three first (the schema's own, made required, or the standard ones where
// it has none), then the rest of the schema in its order.
func (s FormSchema) WithApplicant() FormSchema {
	var out FormSchema
	for _, std := range applicantFields {
		f := std
		if i := slices.IndexFunc(s.Fields, func(g FormField) bool { return g.Code == std.Code }); i >= 0 {
			f = s.Fields[i]
			f.Required = true
			f.Type = std.Type
			f.Choices = nil
		}
		out.Fields = append(out.Fields, f)
	}
	for _, f := range s.Fields {
		if !IsApplicantCode(f.Code) {
			out.Fields = append(out.Fields, f)
		}
	}
	return out
}

// Problem is why val is not a good value for the field on its own, or ""
// when it is. today bounds ID birth dates.
func (f FormField) Problem(val string, today Date) Reason { return f.check(val, today) }

// FieldErrors are the problems of a whole form, in the form's order. Its
// Error is the first problem, which names its field.
type FieldErrors []*FieldError

func (e FieldErrors) Error() string {
	switch len(e) {
	case 0:
		return "no problems"
	case 1:
		return e[0].Error()
	}
	return fmt.Sprintf("%s (and %d more)", e[0].Error(), len(e)-1)
}

// For returns the problem of field code, or nil.
func (e FieldErrors) For(code string) *FieldError {
	for _, fe := range e {
		if fe.Field == code {
			return fe
		}
	}
	return nil
}

// tidy trims every value, drops empty ones and writes ID numbers the way
// they are stored.
func tidy(fields []FormField, v FormValues) FormValues {
	out := FormValues{}
	for code, val := range v {
		val = strings.TrimSpace(val)
		if i := slices.IndexFunc(fields, func(f FormField) bool { return f.Code == code }); i >= 0 && fields[i].Type == FieldIDNumber {
			val = NormalizeIDNumber(val)
		}
		if val != "" {
			out[code] = val
		}
	}
	return out
}

// ErrNotOnline: the service item cannot be applied for on a kiosk.
var ErrNotOnline = errors.New("cannot be applied for online")

// NewApplication checks a resident's answers to svc's form (with the
// applicant's fields, WithApplicant) and builds the application: status
// submitted, the applicant taken from the applicant's fields, and the
// values of the service's own fields. The kiosk fills in the street, the
// time and the reference. The error is ErrNotOnline or FieldErrors.
func NewApplication(svc ServiceItem, v FormValues, today Date) (Case, error) {
	if !svc.Online || len(svc.Form.Fields) == 0 {
		return Case{}, fmt.Errorf("service %s: %w", svc.Code, ErrNotOnline)
	}
	form := svc.Form.WithApplicant()
	v = tidy(form.Fields, v)
	if errs := form.Validate(v, today); len(errs) > 0 {
		return Case{}, FieldErrors(errs)
	}
	values := FormValues{}
	for _, f := range svc.Form.Fields {
		if val, ok := v[f.Code]; ok {
			values[f.Code] = val
		}
	}
	return Case{
		Kind:      CaseApplication,
		Status:    StatusSubmitted,
		Service:   svc.ID,
		Applicant: applicantOf(v),
		Values:    values,
	}, nil
}

func applicantOf(v FormValues) *Person {
	return &Person{Name: v[CodeApplicantName], IDNumber: v[CodeIDNumber], Mobile: v[CodeMobile]}
}

// DeadlineDays is in how many working days an application for the item is
// done: none for an on-the-spot item, else the promised days, else the
// legal days. ok is false when the guide gives no time limit.
func (s ServiceItem) DeadlineDays() (days int, ok bool) {
	switch {
	case s.OnTheSpot:
		return 0, true
	case s.PromisedDays > 0:
		return s.PromisedDays, true
	case s.LegalDays > 0:
		return s.LegalDays, true
	}
	return 0, false
}

// Requester is who files a disclosure request: the disclosure
// regulation's annual report counts natural persons apart from legal
// persons and other organisations.
type Requester string

// The annual report splits 法人或其他组织 into five columns; a request
// filed as RequesterOrganisation before they were asked for (or by a
// kiosk that does not offer them) counts in 其他.
const (
	RequesterPerson       Requester = "person"        // 自然人
	RequesterCompany      Requester = "company"       // 商业企业
	RequesterResearch     Requester = "research"      // 科研机构
	RequesterNonprofit    Requester = "nonprofit"     // 社会公益组织
	RequesterLegalService Requester = "legal_service" // 法律服务机构
	RequesterOrganisation Requester = "organisation"  // 其他组织 (of 法人或其他组织)
)

// Requesters lists the kinds of requester, in the order forms offer them.
var Requesters = []Requester{RequesterPerson, RequesterCompany, RequesterResearch, RequesterNonprofit, RequesterLegalService, RequesterOrganisation}

// Organisation reports whether r is a legal person or other organisation
// (法人或其他组织), of whichever kind.
func (r Requester) Organisation() bool { return r.Valid() && r != RequesterPerson }

// Valid reports whether r is one of Requesters.
func (r Requester) Valid() bool { return slices.Contains(Requesters, r) }

// Label returns the kind of requester in the given language.
func (r Requester) Label(l Lang) string {
	return pick(l, map[Requester][2]string{
		RequesterPerson:       {"自然人", "Natural person"},
		RequesterCompany:      {"商业企业", "Business"},
		RequesterResearch:     {"科研机构", "Research body"},
		RequesterNonprofit:    {"社会公益组织", "Non-profit"},
		RequesterLegalService: {"法律服务机构", "Legal services"},
		RequesterOrganisation: {"其他组织", "Other entity"},
	}, r, string(r))
}

func requesterChoices() []string {
	out := make([]string, len(Requesters))
	for i, r := range Requesters {
		out[i] = string(r)
	}
	return out
}

// The fields of a disclosure request besides the applicant's.
const (
	CodeRequester   = "requester"   // one of the Requester values; empty: a natural person
	CodeInformation = "information" // what information is asked for
	CodePurpose     = "purpose"
	CodeDelivery    = "delivery" // one of the Delivery values
	CodeAddress     = "address"  // the postal address, for DeliveryPost
	CodeEmail       = "email"    // for DeliveryEmail
)

// Deliveries lists the ways a disclosure answer can reach the resident.
var Deliveries = []Delivery{DeliveryPickup, DeliveryPost, DeliveryEmail}

// Label returns the delivery in the given language.
func (d Delivery) Label(l Lang) string {
	return pick(l, map[Delivery][2]string{
		DeliveryPickup: {"当面领取", "Collect in person"},
		DeliveryPost:   {"邮寄", "By post"},
		DeliveryEmail:  {"电子邮件", "By email"},
	}, d, string(d))
}

// MaxDisclosureText is the longest description of the information asked
// for, in characters.
const MaxDisclosureText = 1000

// DisclosureForm is the form of a disclosure request (依申请公开), with the
// applicant's fields first. The labels are Chinese; a screen may show its
// own. The choices of delivery are the Delivery values.
func DisclosureForm() FormSchema {
	s := FormSchema{Fields: []FormField{
		{Code: CodeRequester, Label: "申请人类型", Type: FieldChoice,
			Choices: requesterChoices(), Help: "不选视为自然人"},
		{Code: CodeInformation, Label: "所需信息的内容描述", Type: FieldLongText, Required: true, MaxLen: MaxDisclosureText,
			Help: "尽量写明文件名称、文号或便于查找的其他特征"},
		{Code: CodePurpose, Label: "用途（选填）", Type: FieldText, MaxLen: 200},
		{Code: CodeDelivery, Label: "获取方式", Type: FieldChoice, Required: true,
			Choices: []string{string(DeliveryPickup), string(DeliveryPost), string(DeliveryEmail)}},
		{Code: CodeAddress, Label: "邮寄地址", Type: FieldText, MaxLen: 200, Help: "选择邮寄时填写"},
		{Code: CodeEmail, Label: "电子邮箱", Type: FieldText, MaxLen: 100, Help: "选择电子邮件时填写"},
	}}
	return s.WithApplicant()
}

// DisclosureShows reports whether a field of the disclosure form is asked
// for, given the answers so far: the address only for post, the email only
// for email.
func DisclosureShows(code string, v FormValues) bool {
	switch code {
	case CodeAddress:
		return v[CodeDelivery] == string(DeliveryPost)
	case CodeEmail:
		return v[CodeDelivery] == string(DeliveryEmail)
	}
	return true
}

var plainEmail = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s.]+$`)

// NewDisclosure checks a disclosure request filled in on DisclosureForm
// and builds its case. The address is needed for post and the email for
// email; the one not needed is dropped. The error is FieldErrors.
func NewDisclosure(v FormValues, today Date) (Case, error) {
	form := DisclosureForm()
	v = tidy(form.Fields, v)
	errs := FieldErrors(form.Validate(v, today))
	need := func(code string) {
		if v[code] == "" && errs.For(code) == nil {
			errs = append(errs, &FieldError{Field: code, Reason: ReasonRequired})
		}
	}
	switch Delivery(v[CodeDelivery]) {
	case DeliveryPost:
		need(CodeAddress)
		delete(v, CodeEmail)
	case DeliveryEmail:
		need(CodeEmail)
		if e := v[CodeEmail]; e != "" && errs.For(CodeEmail) == nil && !plainEmail.MatchString(e) {
			errs = append(errs, &FieldError{Field: CodeEmail, Reason: ReasonEmail})
		}
		delete(v, CodeAddress)
	default:
		delete(v, CodeAddress)
		delete(v, CodeEmail)
	}
	if len(errs) > 0 {
		// Keep the form's order for the problems added after Validate.
		slices.SortStableFunc(errs, func(a, b *FieldError) int {
			return fieldIndex(form, a.Field) - fieldIndex(form, b.Field)
		})
		return Case{}, errs
	}
	requester := Requester(v[CodeRequester])
	if requester == "" {
		requester = RequesterPerson
	}
	a := applicantOf(v)
	a.Address, a.Email = v[CodeAddress], v[CodeEmail]
	return Case{
		Kind:      CaseDisclosure,
		Status:    StatusSubmitted,
		Applicant: a,
		Request: &DisclosureRequest{
			Requester:   requester,
			Information: v[CodeInformation],
			Purpose:     v[CodePurpose],
			Delivery:    Delivery(v[CodeDelivery]),
		},
	}, nil
}

func fieldIndex(s FormSchema, code string) int {
	if i := slices.IndexFunc(s.Fields, func(f FormField) bool { return f.Code == code }); i >= 0 {
		return i
	}
	return len(s.Fields)
}

// MaskEmail shows an email address as zh***@example.com.
func MaskEmail(s string) string {
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return mask(s, 0, 0, 0)
	}
	user := []rune(s[:at])
	keep := min(2, len(user)/2)
	return string(user[:keep]) + "***" + s[at:]
}
