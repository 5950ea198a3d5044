package data

import (
	"errors"
	"strings"
)

// The fields of an appeal (我要反映) and of an opinion on a consultation,
// as forms, so that every screen that takes them (the kiosk, the street's
// website) checks them with the same code.
const (
	CodeAppealType  = "appeal_type" // one of AppealTypes
	CodeCategory    = "category"    // one of AppealCategories
	CodeDescription = "description"
	CodeLocation    = "location" // the place, in words
	CodeTopic       = "topic"    // the id of a consultation's topic
	CodeOpinion     = "opinion"  // the opinion's text
)

// MaxAppealText and MaxOpinionText are the longest description of an
// appeal and the longest opinion, in characters.
const (
	MaxAppealText  = 500
	MaxOpinionText = 500
)

// AppealCategories are what an appeal is about, in display order.
var AppealCategories = []string{"environment", "noise", "property", "traffic", "community", "other"}

// contactFields are the resident's name and mobile on an appeal or an
// opinion, which an anonymous one leaves out.
var contactFields = []FormField{
	{Code: CodeApplicantName, Label: "姓名", Type: FieldText, Required: true, MaxLen: 50},
	{Code: CodeMobile, Label: "手机号码", Type: FieldMobile, Required: true, Help: "用于回复和查询进度"},
}

// AppealForm is the form of an appeal: its type, category, description
// and place, then the contact fields.
func AppealForm() FormSchema {
	types := make([]string, len(AppealTypes))
	for i, t := range AppealTypes {
		types[i] = string(t)
	}
	return FormSchema{Fields: append([]FormField{
		{Code: CodeAppealType, Label: "反映类型", Type: FieldChoice, Required: true, Choices: types},
		{Code: CodeCategory, Label: "事项类别", Type: FieldChoice, Required: true, Choices: AppealCategories},
		{Code: CodeDescription, Label: "具体内容", Type: FieldLongText, Required: true, MaxLen: MaxAppealText},
		{Code: CodeLocation, Label: "发生地点（选填）", Type: FieldText, MaxLen: 200, Help: "例如：某路某号附近"},
	}, contactFields...)}
}

// withoutContact is s less the contact fields, and v less their values.
func withoutContact(s FormSchema, v FormValues) (FormSchema, FormValues) {
	var out FormSchema
	for _, f := range s.Fields {
		if f.Code != CodeApplicantName && f.Code != CodeMobile {
			out.Fields = append(out.Fields, f)
		}
	}
	delete(v, CodeApplicantName)
	delete(v, CodeMobile)
	return out, v
}

// NewAppeal checks an appeal filled in on AppealForm and builds its case.
// An anonymous appeal drops the contact; public is the resident's consent
// to show its public part (Case.Public). The error is FieldErrors.
func NewAppeal(v FormValues, anonymous, public bool, today Date) (Case, error) {
	form := AppealForm()
	v = tidy(form.Fields, v)
	if anonymous {
		form, v = withoutContact(form, v)
	}
	if errs := form.Validate(v, today); len(errs) > 0 {
		return Case{}, FieldErrors(errs)
	}
	c := Case{
		Kind:        CaseAppeal,
		Status:      StatusSubmitted,
		Anonymous:   anonymous,
		Public:      public,
		AppealType:  AppealType(v[CodeAppealType]),
		Category:    v[CodeCategory],
		Description: v[CodeDescription],
		Location:    v[CodeLocation],
	}
	if !anonymous {
		c.Applicant = &Person{Name: v[CodeApplicantName], Mobile: v[CodeMobile]}
	}
	return c, nil
}

// ErrNotOpen: the consultation does not take opinions today.
var ErrNotOpen = errors.New("the consultation is not open")

// OpinionForm is the form of an opinion on consultation c: the topic
// (by id), the opinion, then the contact fields.
func OpinionForm(c Consultation) FormSchema {
	topics := make([]string, len(c.Topics))
	for i, t := range c.Topics {
		topics[i] = t.ID
	}
	return FormSchema{Fields: append([]FormField{
		{Code: CodeTopic, Label: "议题", Type: FieldChoice, Required: true, Choices: topics},
		{Code: CodeOpinion, Label: "您的意见", Type: FieldLongText, Required: true, MaxLen: MaxOpinionText},
	}, contactFields...)}
}

// NewOpinion checks an opinion filled in on OpinionForm(c) on day today
// and builds it; an anonymous one drops the contact. The error is
// ErrNotOpen or FieldErrors. The id and the time are the filer's to set.
func NewOpinion(c Consultation, v FormValues, anonymous bool, today Date) (Opinion, error) {
	if !c.OpenOn(today) {
		return Opinion{}, ErrNotOpen
	}
	form := OpinionForm(c)
	v = tidy(form.Fields, v)
	if anonymous {
		form, v = withoutContact(form, v)
	}
	if errs := form.Validate(v, today); len(errs) > 0 {
		return Opinion{}, FieldErrors(errs)
	}
	o := Opinion{Consultation: c.ID, Topic: v[CodeTopic], Text: strings.TrimSpace(v[CodeOpinion]), Anonymous: anonymous}
	if !anonymous {
		o.Name, o.Mobile = v[CodeApplicantName], v[CodeMobile]
	}
	return o, nil
}
