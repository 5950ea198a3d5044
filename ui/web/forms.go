package web

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"jiezhen/data"
	"jiezhen/sync/server"
	"jiezhen/sync/wire"
)

// The forms residents file from home: 在线申报, 我要反映, 申请公开 and an
// opinion on a consultation. Each is generated from the data package's
// form (ServiceItem.Form.WithApplicant, AppealForm, DisclosureForm,
// OpinionForm) and checked by its constructor (NewApplication, NewAppeal,
// NewDisclosure, NewOpinion), the code the kiosk uses; what passes goes
// to the district with Platform.FileFromWeb, the path a kiosk's push
// takes. A form is POSTed, then redirected (303) to its receipt. See
// docs/WEB.md.

// maxFormBytes bounds a form's body: the longest form is a few
// kilobytes of text.
const maxFormBytes = 64 << 10

// formIDField is the hidden field holding the form's random id, made when
// the form is shown: the same form sent twice is filed once.
const formIDField = "form_id"

var formIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

func newFormID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// formView is a form as its template shows it.
type formView struct {
	Action string
	FormID string
	Fields []Field
	// Errors are the fields with a problem, in the form's order, for the
	// summary at the top.
	Errors []Field
	// Problem is a problem of the whole form, in the page's language.
	Problem string
	// Anonymity offers 匿名; Consent offers 同意公开显示 (appeals).
	Anonymity, Anonymous bool
	Consent, Public      bool
	Submit               string // the button's label
}

// Field is one field of a form as the GOV.UK pattern shows it: its
// input, its value as sent, its problem. The back office's content forms
// (ui/admin) show their fields with it too.
type Field struct {
	ID, Code, Label, Help string
	Content               bool // the label is content (Chinese), not an interface string
	ChoiceContent         bool // so are the choices' labels
	Type                  data.FieldType
	Required              bool
	Value                 string
	Choices               []Choice
	Msg                   string
	MaxLen                int
	Autocomplete          string
	InputMode             string
	Contact               bool // left out of an anonymous form
}

// Choice is one choice of a Field.
type Choice struct {
	ID, Value, Label string
	Checked          bool
}

// Input is the input element's type for a one-line field.
func (f Field) Input() string {
	switch f.Type {
	case data.FieldDate:
		return "date"
	case data.FieldMobile:
		return "tel"
	}
	return "text"
}

// Long, Radios, Checks and Select say how the field is asked.
func (f Field) Long() bool   { return f.Type == data.FieldLongText }
func (f Field) Checks() bool { return f.Type == data.FieldMultiChoice }
func (f Field) Radios() bool { return f.Type == data.FieldChoice && len(f.Choices) <= 8 }
func (f Field) Select() bool { return f.Type == data.FieldChoice && len(f.Choices) > 8 }

// labels gives a form's texts: how a field and a choice are named.
type labels struct {
	content bool // the labels are the form's own (content, Chinese)
	// choiceContent: the choices' labels are content (a consultation's
	// topics), whatever the fields' are.
	choiceContent bool
	field         func(f data.FormField) (label, help string)
	choice        func(f data.FormField, c string) string
}

// interfaceLabels names a field by the page's "form.field.CODE" and
// "form.help.CODE" strings, falling back to the form's own.
func interfaceLabels(p *page, choice func(f data.FormField, c string) string) labels {
	return labels{
		field: func(f data.FormField) (string, string) {
			label, help := f.Label, f.Help
			if k := "form.field." + f.Code; translate(p.Lang, k) != k {
				label = translate(p.Lang, k)
			}
			if k := "form.help." + f.Code; translate(p.Lang, k) != k {
				help = translate(p.Lang, k)
			}
			return label, help
		},
		choice: choice,
	}
}

// contentLabels names fields and choices as the guide's form does.
var contentLabels = labels{
	content: true, choiceContent: true,
	field:  func(f data.FormField) (string, string) { return f.Label, f.Help },
	choice: func(_ data.FormField, c string) string { return c },
}

// newFormView builds the view of schema with the values v and the
// problems errs (nil when the form is new).
func newFormView(p *page, schema data.FormSchema, l labels, v data.FormValues, errs data.FieldErrors) formView {
	fv := formView{}
	for _, f := range schema.Fields {
		label, help := l.field(f)
		view := Field{
			ID: "f-" + f.Code, Code: f.Code, Label: label, Help: help, Content: l.content,
			Type: f.Type, Required: f.Required, Value: v[f.Code], MaxLen: f.MaxLen, ChoiceContent: l.choiceContent,
			Contact: f.Code == data.CodeApplicantName || f.Code == data.CodeMobile,
		}
		switch f.Type {
		case data.FieldMobile:
			view.Autocomplete, view.InputMode = "tel", "numeric"
		case data.FieldIDNumber:
			view.Autocomplete = "off"
		case data.FieldNumber:
			view.InputMode = "decimal"
		}
		if f.Code == data.CodeApplicantName {
			view.Autocomplete = "name"
		}
		chosen := strings.Split(v[f.Code], "\n")
		for i, c := range f.Choices {
			cv := Choice{ID: view.ID, Value: c, Label: l.choice(f, c)}
			if i > 0 {
				cv.ID = view.ID + "-" + c
			}
			for _, got := range chosen {
				cv.Checked = cv.Checked || got == c
			}
			view.Choices = append(view.Choices, cv)
		}
		if fe := errs.For(f.Code); fe != nil {
			view.Msg = fe.Reason.Message(p.Lang)
			fv.Errors = append(fv.Errors, view)
		}
		fv.Fields = append(fv.Fields, view)
	}
	return fv
}

// formValues reads the POSTed answers to schema's fields: a multiple
// choice's boxes joined by line breaks, as data keeps them. Fields the
// form does not have are not read.
func formValues(r *http.Request, schema data.FormSchema) data.FormValues {
	v := data.FormValues{}
	for _, f := range schema.Fields {
		vals := r.PostForm[f.Code]
		if f.Type == data.FieldMultiChoice {
			v[f.Code] = strings.Join(vals, "\n")
		} else if len(vals) > 0 {
			v[f.Code] = strings.ReplaceAll(vals[0], "\r\n", "\n")
		}
	}
	return v
}

// formID is the POSTed form's id, or "" when it is not one this site
// made.
func formID(r *http.Request) string {
	id := r.PostFormValue(formIDField)
	if !formIDPattern.MatchString(id) {
		return ""
	}
	return id
}

// fieldErrors is err as the problems of fields, or nil.
func fieldErrors(err error) data.FieldErrors {
	var fe data.FieldErrors
	if errors.As(err, &fe) {
		return fe
	}
	return nil
}

// filed is what the district answered for a form.
type filed struct {
	ref     string
	refused bool // the district refused it: the resident is told, and given a new form
}

// submit sends one item to the district. The same form sent again gets the
// first answer; the same form id with other answers is a conflict, which
// the caller shows as such.
func (s *Site) submit(r *http.Request, st *data.Street, kind wire.ItemKind, id string, v any) (filed, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return filed{}, err
	}
	res, err := s.p.FileFromWeb(r.Context(), st.Code, kind, id, body)
	if err != nil {
		return filed{}, err
	}
	if res.Outcome == wire.Duplicate && res.First != nil {
		res = *res.First
	}
	if res.Outcome != wire.Accepted {
		// The reason names fields, never values (sync/server), and the
		// site's own checks ran first: this is rare, so it is logged.
		s.log.Warn("website filing refused", "path", r.URL.Path, "code", res.Code, "reason", res.Reason)
		return filed{refused: true}, nil
	}
	return filed{ref: res.Ref}, nil
}

// fileFailed answers a filing the district did not take: a conflict (the
// form sent before with other answers) or a failure.
func (s *Site) fileFailed(w http.ResponseWriter, r *http.Request, st *data.Street, err error) {
	if server.IsConflict(err) {
		s.problem(w, r, st, http.StatusConflict, "form.conflict")
		return
	}
	s.fail(w, r, err)
}

// postLimiter limits each client address's form posts: a burst, then one
// every interval. It forgets an address idle for ten minutes.
type postLimiter struct {
	mu      sync.Mutex
	every   rate.Limit
	burst   int
	clients map[string]*postClient
	swept   time.Time
}

type postClient struct {
	lim    *rate.Limiter
	seen   time.Time
	logged time.Time
}

// The posts a client address may make: 10 at once, then one every 6
// seconds.
const (
	postBurst    = 10
	postInterval = 6 * time.Second
)

func newPostLimiter() *postLimiter {
	return &postLimiter{every: rate.Every(postInterval), burst: postBurst, clients: map[string]*postClient{}}
}

// allow reports whether addr may post now, and whether a refusal should
// be logged (once a minute per address).
func (pl *postLimiter) allow(addr string, now time.Time) (ok, log bool) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if now.Sub(pl.swept) > time.Minute {
		for a, c := range pl.clients {
			if now.Sub(c.seen) > 10*time.Minute {
				delete(pl.clients, a)
			}
		}
		pl.swept = now
	}
	c := pl.clients[addr]
	if c == nil {
		c = &postClient{lim: rate.NewLimiter(pl.every, pl.burst)}
		pl.clients[addr] = c
	}
	c.seen = now
	if c.lim.AllowN(now, 1) {
		return true, false
	}
	if now.Sub(c.logged) >= time.Minute {
		c.logged = now
		return false, true
	}
	return false, false
}

// PostLimiter is the forms' limit per client address, which the back
// office's sign-in shares: NewPostLimiter makes one, Allow asks it.
type PostLimiter = postLimiter

// NewPostLimiter returns a limiter of postBurst posts, then one every
// postInterval, per client address.
func NewPostLimiter() *PostLimiter { return newPostLimiter() }

// Allow reports whether addr may post now, and whether a refusal should
// be logged (once a minute per address).
func (pl *postLimiter) Allow(addr string, now time.Time) (ok, log bool) { return pl.allow(addr, now) }

// ClientAddr is the request's peer address without its port.
func ClientAddr(r *http.Request) string { return clientAddr(r) }

// clientAddr is the request's peer address without its port. A proxy in
// front of districtd makes every resident one address: the limit then
// applies to all of them together (docs/WEB.md).
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// post wraps a form's POST handler: the client address's rate limit, the
// body's size limit, and the parsed form. Only the address is logged.
func (s *Site) post(h streetHandler) streetHandler {
	return func(w http.ResponseWriter, r *http.Request, st *data.Street) {
		addr := clientAddr(r)
		if ok, log := s.limit.allow(addr, time.Now()); !ok {
			if log {
				s.log.Warn("website posts rate-limited", "addr", addr)
			}
			w.Header().Set("Retry-After", "60")
			s.problem(w, r, st, http.StatusTooManyRequests, "form.toomany")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if err := r.ParseForm(); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				s.problem(w, r, st, http.StatusRequestEntityTooLarge, "form.toolarge")
				return
			}
			s.badRequest(w, r, st, "form.unreadable")
			return
		}
		h(w, r, st)
	}
}

// redirect answers a filed form with its receipt (POST → 303 → GET).
func redirect(w http.ResponseWriter, r *http.Request, path string) {
	http.Redirect(w, r, path, http.StatusSeeOther)
}

func receiptPath(st *data.Street, ref string) string {
	return streetPath(st.Code) + "receipt/" + url.PathEscape(ref)
}
