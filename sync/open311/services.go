package open311

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"jiezhen/data"
)

// Form codes of an appeal's attributes; an appeal's text, place and the
// resident's contact come in Open311's own fields (docs/OPEN311.md).
const (
	codeSubject = "subject"
	codePublic  = "public"
)

// appealForm is what an appeal takes as attributes, checked with the
// same field rules as every form.
var appealForm = data.FormSchema{Fields: []data.FormField{
	{Code: codeSubject, Label: "诉求主题", Type: data.FieldText, MaxLen: 50,
		Help: "诉求的主题，可公开显示 / the appeal's subject in a few words, which may be shown publicly"},
	{Code: codePublic, Label: "同意公开", Type: data.FieldChoice, Required: true, Choices: []string{"yes", "no"},
		Help: "居民是否同意在街道网站公开诉求主题、类型、地点、答复和日期（不含个人信息）/ yes if the resident agrees to show the subject, type, place, reply and dates (never personal data) on the street's website"},
}}

// serviceJSON is one entry of services.json.
type serviceJSON struct {
	Code        string `json:"service_code"`
	Name        string `json:"service_name"`
	Description string `json:"description"`
	Metadata    bool   `json:"metadata"`
	Type        string `json:"type"`
	Keywords    string `json:"keywords"`
	Group       string `json:"group"`
}

// services lists the appeal types and the street's online service items.
func (a *API) services(w http.ResponseWriter, r *http.Request) {
	st, ok := a.street(w, r, r.URL.Query().Get("jurisdiction_id"))
	if !ok {
		return
	}
	list, err := a.serviceList(r.Context(), st.Code)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := make([]serviceJSON, 0, len(list))
	for _, s := range list {
		out = append(out, s.json())
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) serviceList(ctx context.Context, street string) ([]service, error) {
	var out []service
	for _, t := range data.AppealTypes {
		out = append(out, service{appeal: t})
	}
	items, err := a.p.StreetContent(ctx, data.KindService, street)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		var svc data.ServiceItem
		if err := json.Unmarshal(it.Body, &svc); err != nil {
			return nil, err
		}
		if svc.AppliesOnline() {
			out = append(out, service{item: &svc})
		}
	}
	return out, nil
}

func (s service) json() serviceJSON {
	if s.item != nil {
		return serviceJSON{Code: s.code(), Name: s.item.Name, Metadata: true, Type: "realtime",
			Description: s.item.Category.Label(data.ZH) + "：" + s.item.Name + "（" + s.item.Department + "）",
			Keywords:    "办事申请," + s.item.Code, Group: data.CaseApplication.Label(data.ZH)}
	}
	return serviceJSON{Code: s.code(), Name: s.appeal.Label(data.ZH), Metadata: true, Type: "realtime",
		Description: data.CaseAppeal.Label(data.ZH) + "：" + s.appeal.Label(data.ZH) + " / " + s.appeal.Label(data.EN),
		Keywords:    "诉求," + string(s.appeal), Group: data.CaseAppeal.Label(data.ZH)}
}

// form is the service's fields that come as attributes.
func (s service) form() data.FormSchema {
	if s.item != nil {
		return s.item.Form.WithApplicant()
	}
	return appealForm
}

type definitionJSON struct {
	Code       string          `json:"service_code"`
	Attributes []attributeJSON `json:"attributes"`
}

type attributeJSON struct {
	Variable    bool        `json:"variable"`
	Code        string      `json:"code"`
	Datatype    string      `json:"datatype"`
	Required    bool        `json:"required"`
	Description string      `json:"datatype_description"`
	Order       int         `json:"order"`
	Label       string      `json:"description"`
	Values      []valueJSON `json:"values,omitempty"`
}

type valueJSON struct {
	Key  string `json:"key"`
	Name string `json:"name"`
}

// datatypes are Open311's datatypes of the form's field types.
var datatypes = map[data.FieldType]string{
	data.FieldText:        "string",
	data.FieldLongText:    "text",
	data.FieldNumber:      "number",
	data.FieldDate:        "datetime",
	data.FieldChoice:      "singlevaluelist",
	data.FieldMultiChoice: "multivaluelist",
	data.FieldIDNumber:    "string",
	data.FieldMobile:      "string",
}

// typeNotes say what a field type takes, where the datatype does not.
var typeNotes = map[data.FieldType]string{
	data.FieldDate:     "a date, YYYY-MM-DD",
	data.FieldIDNumber: "an 18-character resident ID number (GB 11643)",
	data.FieldMobile:   "an 11-digit mainland mobile number",
}

func attributes(form data.FormSchema) []attributeJSON {
	out := make([]attributeJSON, 0, len(form.Fields))
	for i, f := range form.Fields {
		notes := []string{}
		if n := typeNotes[f.Type]; n != "" {
			notes = append(notes, n)
		}
		if f.Help != "" {
			notes = append(notes, f.Help)
		}
		at := attributeJSON{Variable: true, Code: f.Code, Datatype: datatypes[f.Type], Required: f.Required,
			Description: strings.Join(notes, "; "), Order: i + 1, Label: f.Label}
		for _, c := range f.Choices {
			at.Values = append(at.Values, valueJSON{Key: c, Name: c})
		}
		out = append(out, at)
	}
	return out
}

// serviceDefinition is services/{code}.json: the service's attributes.
func (a *API) serviceDefinition(w http.ResponseWriter, r *http.Request) {
	code, ok := splitFile(w, r)
	if !ok {
		return
	}
	st, ok := a.street(w, r, r.URL.Query().Get("jurisdiction_id"))
	if !ok {
		return
	}
	s, found, err := a.lookup(r.Context(), st.Code, code)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if !found {
		writeError(w, http.StatusNotFound, "service_code "+quote(code)+" is not a service of street "+st.Code+": see services.json")
		return
	}
	writeJSON(w, http.StatusOK, definitionJSON{Code: s.code(), Attributes: attributes(s.form())})
}
