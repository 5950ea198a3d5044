package open311

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"jiezhen/data"
	"jiezhen/sync/server"
	"jiezhen/sync/wire"
)

// IdempotencyHeader carries a client's key for one request: a retried
// POST with the same key and the same request is stored once.
const IdempotencyHeader = "Idempotency-Key"

// maxIdempotencyKey is the longest idempotency key taken, in bytes.
const maxIdempotencyKey = 200

type postedJSON struct {
	ID     string `json:"service_request_id"`
	Notice string `json:"service_notice"`
}

// post is POST requests.json: file an appeal or an application.
func (a *API) post(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body is larger than %d KB", maxBody>>10))
			return
		}
		writeError(w, http.StatusBadRequest, "the request body is not form-encoded (application/x-www-form-urlencoded)")
		return
	}
	key := r.PostForm.Get("api_key")
	if key == "" {
		key = r.Header.Get("X-Api-Key")
	}
	client, err := a.p.AuthenticateAPIKey(r.Context(), key)
	if errors.Is(err, server.ErrUnauthorized) {
		writeError(w, http.StatusUnauthorized, "the api_key is missing, unknown or removed: ask the district for one")
		return
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	idem := r.Header.Get(IdempotencyHeader)
	if len(idem) > maxIdempotencyKey {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("the %s header is longer than %d bytes", IdempotencyHeader, maxIdempotencyKey))
		return
	}
	st, ok := a.street(w, r, r.PostForm.Get("jurisdiction_id"))
	if !ok {
		return
	}
	code := r.PostForm.Get("service_code")
	if code == "" {
		writeError(w, http.StatusBadRequest, "service_code is missing: see services.json")
		return
	}
	svc, found, err := a.lookup(r.Context(), st.Code, code)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if !found {
		writeError(w, http.StatusNotFound, "service_code "+quote(code)+" is not a service of street "+st.Code+": see services.json")
		return
	}
	values, problems := attributeValues(r, svc.form())
	if len(problems) > 0 {
		writeError(w, http.StatusBadRequest, problems...)
		return
	}
	c, problems := a.newCase(r, svc, values)
	if len(problems) > 0 {
		writeError(w, http.StatusBadRequest, problems...)
		return
	}
	res, err := a.p.FileOpen311(r.Context(), client, st.Code, c, idem)
	var se *server.Error
	switch {
	case errors.As(err, &se) && se.Status == http.StatusConflict:
		writeError(w, http.StatusConflict, "this "+IdempotencyHeader+" was used before with another request; the first one stands")
		return
	case errors.As(err, &se) && se.Status == http.StatusBadRequest:
		writeError(w, http.StatusBadRequest, se.Msg)
		return
	case err != nil:
		a.fail(w, r, err)
		return
	}
	if res.Outcome == wire.Duplicate && res.First != nil {
		res = *res.First
	}
	if res.Outcome != wire.Accepted {
		writeError(w, http.StatusBadRequest, res.Reason)
		return
	}
	writeJSON(w, http.StatusOK, []postedJSON{{ID: res.Ref,
		Notice: "filed as " + res.Ref + "; the resident tracks it with this reference and the last four digits of the mobile"}})
}

// attributeValues reads attribute[CODE]=V (attribute[CODE][]=V for a
// multivaluelist) into form values and checks them against the form's
// fields; each problem names its attribute.
func attributeValues(r *http.Request, form data.FormSchema) (data.FormValues, []string) {
	values := data.FormValues{}
	var problems []string
	keys := make([]string, 0, len(r.PostForm))
	for k := range r.PostForm {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		inner, ok := strings.CutPrefix(k, "attribute[")
		if !ok {
			continue
		}
		code, multi := strings.CutSuffix(inner, "][]")
		if !multi {
			code, ok = strings.CutSuffix(inner, "]")
			if !ok || strings.ContainsAny(code, "[]") {
				problems = append(problems, quote(k)+" is not an attribute: write attribute[CODE]")
				continue
			}
		}
		vs := r.PostForm[k]
		field := fieldOf(form, code)
		switch {
		case field != nil && field.Type == data.FieldMultiChoice:
			values[code] = strings.Join(vs, "\n")
		case multi || len(vs) > 1:
			problems = append(problems, "attribute["+code+"] takes one value, not a list")
		default:
			values[code] = vs[0]
		}
	}
	return values, problems
}

func fieldOf(form data.FormSchema, code string) *data.FormField {
	for i := range form.Fields {
		if form.Fields[i].Code == code {
			return &form.Fields[i]
		}
	}
	return nil
}

// fieldProblems words the form's problems, one line each naming its
// attribute.
func fieldProblems(errs []*data.FieldError) []string {
	out := make([]string, len(errs))
	for i, e := range errs {
		text := strings.TrimPrefix(e.Error(), fmt.Sprintf("field %q ", e.Field))
		out[i] = "attribute[" + e.Field + "] " + text
	}
	return out
}

// newCase builds the case the request files, with the domain's rules for
// its kind; each problem names the field or attribute.
func (a *API) newCase(r *http.Request, svc service, values data.FormValues) (data.Case, []string) {
	f := r.PostForm
	name := strings.TrimSpace(strings.TrimSpace(f.Get("last_name")) + strings.TrimSpace(f.Get("first_name")))
	phone := strings.TrimSpace(f.Get("phone"))
	email := strings.TrimSpace(f.Get("email"))
	today := a.p.Today()
	if svc.item != nil {
		// The applicant's fields are attributes; Open311's own name and
		// phone fill them when the attributes are left out.
		if values[data.CodeApplicantName] == "" && name != "" {
			values[data.CodeApplicantName] = name
		}
		if values[data.CodeMobile] == "" && phone != "" {
			values[data.CodeMobile] = phone
		}
		c, err := data.NewApplication(*svc.item, values, today)
		var fe data.FieldErrors
		if errors.As(err, &fe) {
			return data.Case{}, fieldProblems(fe)
		}
		if err != nil {
			return data.Case{}, []string{err.Error()}
		}
		if email != "" {
			c.Applicant.Email = email
		}
		return c, nil
	}
	if errs := appealForm.Validate(values, today); len(errs) > 0 {
		return data.Case{}, fieldProblems(errs)
	}
	var problems []string
	desc := strings.TrimSpace(f.Get("description"))
	if desc == "" {
		problems = append(problems, "description is missing: the appeal's text")
	}
	if phone != "" {
		if err := data.ValidateMobile(phone); err != nil {
			problems = append(problems, "phone "+err.Error())
		}
	}
	if name == "" && (phone != "" || email != "") {
		problems = append(problems, "a phone or email needs the resident's name (last_name, first_name); leave all three out to appeal anonymously")
	}
	if len(problems) > 0 {
		return data.Case{}, problems
	}
	c := data.Case{Kind: data.CaseAppeal, Status: data.StatusSubmitted, AppealType: svc.appeal,
		Category: strings.TrimSpace(values[codeSubject]), Description: desc,
		Location: strings.TrimSpace(f.Get("address_string")), Public: values[codePublic] == "yes"}
	if name == "" {
		c.Anonymous = true
	} else {
		c.Applicant = &data.Person{Name: name, Mobile: phone, Email: email}
	}
	return c, nil
}
