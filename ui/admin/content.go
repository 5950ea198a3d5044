package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"jiezhen/data"
	"jiezhen/sync/server"
	"jiezhen/ui/web"
)

// Content and review (docs/ADMIN.md): editors draft items of every kind
// in generated forms (content_form.go), reviewers publish them or send
// them back with a reason, through the platform's drafts
// (sync/server/drafts.go), which keep the two-person rule, the schedule
// and the street scoping. The website's own templates preview a draft.

var (
	contentReaders = []server.Role{server.RoleEditor, server.RoleReviewer, server.RoleInspector}
	contentEditors = []server.Role{server.RoleEditor}
	contentReview  = []server.Role{server.RoleReviewer}
)

func (o *Office) contentRoutes() []route {
	return []route{
		{Method: "GET", Pattern: Prefix + "content/{$}", Roles: contentReaders, Handle: o.contentHome, Nav: "nav.content"},
		{Method: "GET", Pattern: Prefix + "content/items/{kind}/{$}", Roles: contentReaders, Handle: o.contentItems},
		{Method: "POST", Pattern: Prefix + "content/items/{kind}/{id}/edit", Roles: contentEditors, Handle: o.contentEditItem},
		{Method: "GET", Pattern: Prefix + "content/new/{kind}", Roles: contentEditors, Handle: o.contentNew},
		{Method: "POST", Pattern: Prefix + "content/new/{kind}", Roles: contentEditors, Handle: o.contentNewPost},
		{Method: "GET", Pattern: Prefix + "content/drafts/{id}/{$}", Roles: contentReaders, Handle: o.contentDraft},
		{Method: "GET", Pattern: Prefix + "content/drafts/{id}/edit", Roles: contentEditors, Handle: o.contentEdit},
		{Method: "POST", Pattern: Prefix + "content/drafts/{id}/edit", Roles: contentEditors, Handle: o.contentEditPost},
		{Method: "POST", Pattern: Prefix + "content/drafts/{id}/submit", Roles: contentEditors, Handle: o.contentSubmit},
		{Method: "POST", Pattern: Prefix + "content/drafts/{id}/approve", Roles: contentReview, Handle: o.contentApprove},
		{Method: "POST", Pattern: Prefix + "content/drafts/{id}/reject", Roles: contentReview, Handle: o.contentReject},
		{Method: "POST", Pattern: Prefix + "content/drafts/{id}/withdraw", Roles: contentReview, Handle: o.contentWithdraw},
		{Method: "GET", Pattern: Prefix + "content/drafts/{id}/preview", Roles: contentReaders, Handle: o.contentPreview},
		{Method: "GET", Pattern: Prefix + "content/drafts/{id}/files/{file}", Roles: contentReaders, Handle: o.contentFile},
	}
}

func draftPath(id int64) string { return fmt.Sprintf("%scontent/drafts/%d/", Prefix, id) }

// kindOf reads the {kind} of a path: a drafted kind, or 404.
func (o *Office) kindOf(w http.ResponseWriter, r *http.Request, u *server.User) (data.Kind, bool) {
	k := data.Kind(r.PathValue("kind"))
	if !slices.Contains(server.DraftKinds, k) {
		o.notFound(w, r, u)
		return "", false
	}
	return k, true
}

// draftRow is a draft as the lists show it.
type draftRow struct {
	ID                    int64
	Href                  string
	Kind, Title, ItemID   string
	Street, State, Author string
	StateCode             server.DraftState
	Updated               time.Time
}

// itemTitle is what an item is called: its title, name or year.
func itemTitle(body json.RawMessage) string {
	var v struct {
		Title string `json:"title"`
		Name  string `json:"name"`
		Year  int    `json:"year"`
	}
	json.Unmarshal(body, &v)
	switch {
	case v.Title != "":
		return v.Title
	case v.Name != "":
		return v.Name
	case v.Year != 0:
		return strconv.Itoa(v.Year)
	}
	return ""
}

// contentHomeData is the drafts list with its filter and the staff's
// edits on kiosks.
type contentHomeData struct {
	Drafts     []draftRow
	State      string
	Kind       string
	Street     string
	Mine       bool
	States     []option
	Kinds      []option
	Streets    []option
	NewKinds   []option // the kinds an editor may draft, with their form's path
	ItemKinds  []option // the published items' lists
	StaffEdits []staffEditRow
	Reviewer   bool
}

type staffEditRow struct {
	At             time.Time
	Staff, StaffID string
	Kiosk          int64
	Street, Action string
	Href, Item     string
}

func (o *Office) contentHome(w http.ResponseWriter, r *http.Request, u *server.User) {
	ctx := r.Context()
	l := web.LangOf(r)
	o.runSchedule(ctx)
	q := r.URL.Query()
	f := server.DraftFilter{State: server.DraftState(q.Get("state")), Kind: data.Kind(q.Get("kind")), Street: q.Get("street"), Limit: 200}
	if f.State != "" && !slices.Contains(server.DraftStates, f.State) {
		o.badRequest(w, r, u, "content.bad.filter")
		return
	}
	if f.Kind != "" && !slices.Contains(server.DraftKinds, f.Kind) {
		o.badRequest(w, r, u, "content.bad.filter")
		return
	}
	d := contentHomeData{State: string(f.State), Kind: string(f.Kind), Street: f.Street, Mine: q.Get("mine") == "1", Reviewer: u.Has(server.RoleReviewer)}
	if d.Mine {
		f.Author = u.ID
	}
	// 待我审核: waiting for review, and not the user's own.
	if q.Get("review") == "1" {
		f.State, f.NotBy = server.DraftPending, u.ID
		d.State = string(f.State)
	}
	names, streets, err := o.streetNames(ctx, l)
	if !o.check(w, r, u, err) {
		return
	}
	if f.Street != "" && f.Street != "-" {
		if _, ok := names[f.Street]; !ok {
			o.badRequest(w, r, u, "content.bad.filter")
			return
		}
		if !o.streetAllowed(w, r, u, f.Street) {
			return
		}
	}
	list, err := o.p.Drafts(ctx, *u, f)
	if !o.check(w, r, u, err) {
		return
	}
	for _, dr := range list {
		d.Drafts = append(d.Drafts, draftRow{ID: dr.ID, Href: draftPath(dr.ID), Kind: dr.Kind.Label(l), Title: itemTitle(dr.Body),
			ItemID: dr.ItemID, Street: names[dr.Street], State: dr.State.Label(l), StateCode: dr.State, Author: dr.Author, Updated: dr.UpdatedAt})
	}
	d.States = append(d.States, option{Value: "", Label: translate(l, "content.filter.all"), Selected: f.State == ""})
	for _, s := range server.DraftStates {
		d.States = append(d.States, option{Value: string(s), Label: s.Label(l), Selected: s == f.State})
	}
	d.Kinds = append(d.Kinds, option{Value: "", Label: translate(l, "content.filter.all"), Selected: f.Kind == ""})
	for _, k := range server.DraftKinds {
		d.Kinds = append(d.Kinds, option{Value: string(k), Label: k.Label(l), Selected: k == f.Kind})
		d.ItemKinds = append(d.ItemKinds, option{Value: string(k), Label: k.Label(l), Href: Prefix + "content/items/" + string(k) + "/"})
		if u.Has(server.RoleEditor) && (k != data.KindCalendar || len(u.Streets) == 0) {
			d.NewKinds = append(d.NewKinds, option{Value: string(k), Label: k.Label(l), Href: Prefix + "content/new/" + string(k)})
		}
	}
	d.Streets = append(d.Streets, option{Value: "", Label: translate(l, "content.filter.all"), Selected: f.Street == ""},
		option{Value: "-", Label: names[""], Selected: f.Street == "-"})
	for _, s := range streets {
		if u.SeesStreet(s.Code) {
			d.Streets = append(d.Streets, option{Value: s.Code, Label: s.Name, Selected: s.Code == f.Street})
		}
	}
	edits, err := o.p.StaffEdits(ctx, *u, 50)
	if !o.check(w, r, u, err) {
		return
	}
	for _, a := range edits {
		row := staffEditRow{At: a.ReceivedAt, Staff: a.Staff, StaffID: a.StaffID, Kiosk: a.Kiosk, Street: names[a.Street], Action: a.Detail}
		// The kiosk's detail reads "upsert notice/n-1".
		if op, item, ok := strings.Cut(a.Detail, " "); ok {
			if kind, id, ok := strings.Cut(item, "/"); ok && data.Kind(kind).Valid() {
				row.Item = data.Kind(kind).Label(l) + " " + id
				row.Action = translate(l, "content.staffedit."+op)
				if op == string(data.OpUpsert) && slices.Contains(server.DraftKinds, data.Kind(kind)) {
					row.Href = Prefix + "content/items/" + kind + "/#item-" + id
				}
			}
		}
		d.StaffEdits = append(d.StaffEdits, row)
	}
	o.render(w, r, u, http.StatusOK, "content", "content.title", d)
}

// runSchedule publishes and withdraws what is due before a list or a
// draft is shown, beside serve's ticker; a failure is only logged.
func (o *Office) runSchedule(ctx context.Context) {
	if _, err := o.p.RunSchedule(ctx); err != nil && ctx.Err() == nil {
		o.log.Error("content schedule", "err", err)
	}
}

// itemRow is a published item with its edit button.
type itemRow struct {
	ID, Title, Street string
	Version           int64
	CanEdit           bool
}

type itemsData struct {
	Kind  string
	Label string
	Items []itemRow
}

func (o *Office) contentItems(w http.ResponseWriter, r *http.Request, u *server.User) {
	kind, ok := o.kindOf(w, r, u)
	if !ok {
		return
	}
	l := web.LangOf(r)
	names, _, err := o.streetNames(r.Context(), l)
	if !o.check(w, r, u, err) {
		return
	}
	its, err := o.p.ScopedContent(r.Context(), *u, kind)
	if !o.check(w, r, u, err) {
		return
	}
	d := itemsData{Kind: string(kind), Label: kind.Label(l)}
	for _, it := range its {
		d.Items = append(d.Items, itemRow{ID: it.ID, Title: itemTitle(it.Body), Street: names[it.Street], Version: it.Version,
			CanEdit: u.Has(server.RoleEditor) && (len(u.Streets) == 0 || slices.Contains(u.Streets, it.Street))})
	}
	p := o.newPage(r, u, kind.Label(l), d)
	o.renderPage(w, r, http.StatusOK, "content-items", p)
}

func (o *Office) contentEditItem(w http.ResponseWriter, r *http.Request, u *server.User) {
	kind, ok := o.kindOf(w, r, u)
	if !ok {
		return
	}
	d, err := o.p.EditItem(r.Context(), *u, kind, r.PathValue("id"))
	if !o.check(w, r, u, err) {
		return
	}
	o.auditIn(r, u, d.Street, "content.draft", fmt.Sprintf("draft/%d", d.ID), fmt.Sprintf("%s/%s version %d", d.Kind, d.ItemID, d.BaseVersion))
	o.redirect(w, r, draftPath(d.ID)+"edit", "")
}

// draftOf reads the {id} draft of a path, answering 404 or 403 itself.
func (o *Office) draftOf(w http.ResponseWriter, r *http.Request, u *server.User) (server.Draft, []server.DraftEvent, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		o.notFound(w, r, u)
		return server.Draft{}, nil, false
	}
	d, evs, err := o.p.Draft(r.Context(), *u, id)
	if !o.check(w, r, u, err) {
		return server.Draft{}, nil, false
	}
	return d, evs, true
}

// formData is a content form page.
type formData struct {
	Action    string
	KindLabel string
	Nodes     []*formNode
	Errors    []*formNode
	General   []string
	PublishAt *formNode
	ExpireAt  *formNode
	Cancel    string
	Submit    bool // offer 保存并提交审核
	Multipart bool
}

// timeField is a publish-at or expire-at field.
func timeField(l data.Lang, name string, t *time.Time, msg string) *formNode {
	val := ""
	if t != nil {
		val = t.In(china).Format("2006-01-02T15:04")
	}
	label, help := translate(l, "content."+name), translate(l, "content."+name+".help")
	return &formNode{Path: name, ID: elemID(name), Label: label, Msg: msg,
		Field: &web.Field{ID: elemID(name), Code: name, Label: label, Help: help, Value: val, Msg: msg}}
}

// showForm renders a content form for item v.
func (o *Office) showForm(w http.ResponseWriter, r *http.Request, u *server.User, status int, kind data.Kind, v reflect.Value,
	action, cancel string, idLocked bool, problems map[string]string, ce data.ContentErrors, general []string, publishAt, expireAt *time.Time) {
	l := web.LangOf(r)
	_, streets, err := o.streetNames(r.Context(), l)
	if !o.check(w, r, u, err) {
		return
	}
	c := &formCtx{lang: l, kind: kind, streets: streetChoices(u, l, streets), problems: problems, idLocked: idLocked}
	if r.Method == http.MethodPost {
		c.raw = r.PostForm
	}
	if con, ok := v.Interface().(data.Consultation); ok {
		for _, t := range con.Topics {
			if t.ID != "" {
				c.topics = append(c.topics, t.ID)
			}
		}
	}
	// Placing the platform's problems needs the nodes; then build again
	// with them.
	nodes := c.build(v, "")
	general = append(general, placeProblems(l, nodes, ce, problems)...)
	nodes = c.build(v, "")
	d := formData{Action: action, KindLabel: kind.Label(l), Nodes: nodes, General: general, Cancel: cancel,
		PublishAt: timeField(l, "publish_at", publishAt, problems["publish_at"]),
		ExpireAt:  timeField(l, "expire_at", expireAt, problems["expire_at"]),
		Submit:    true, Multipart: kind == data.KindNotice || kind == data.KindService}
	d.Errors = errorList(append([]*formNode{d.PublishAt, d.ExpireAt}, nodes...))
	title := fmt.Sprintf(translate(l, "content.form.title"), kind.Label(l))
	p := o.newPage(r, u, title, d)
	o.renderPage(w, r, status, "content-form", p)
}

func (o *Office) contentNew(w http.ResponseWriter, r *http.Request, u *server.User) {
	kind, ok := o.kindOf(w, r, u)
	if !ok {
		return
	}
	v := reflect.New(contentTypes[kind]).Elem()
	// A new item starts on today, in the user's street when it has one.
	today := o.p.Today()
	for _, name := range []string{"published", "opens"} {
		if f, ok := walk(v, []string{name}); ok {
			f.Set(reflect.ValueOf(today))
		}
	}
	if f, ok := walk(v, []string{"street"}); ok && len(u.Streets) > 0 {
		f.SetString(u.Streets[0])
	}
	if f, ok := walk(v, []string{"year"}); ok {
		f.SetInt(int64(today.Year + 1))
	}
	o.showForm(w, r, u, http.StatusOK, kind, v, Prefix+"content/new/"+string(kind), Prefix+"content/", false, map[string]string{}, nil, nil, nil, nil)
}

func (o *Office) contentNewPost(w http.ResponseWriter, r *http.Request, u *server.User) {
	kind, ok := o.kindOf(w, r, u)
	if !ok {
		return
	}
	o.saveForm(w, r, u, kind, server.Draft{}, Prefix+"content/new/"+string(kind), Prefix+"content/")
}

func (o *Office) contentEdit(w http.ResponseWriter, r *http.Request, u *server.User) {
	d, _, ok := o.draftOf(w, r, u)
	if !ok {
		return
	}
	if d.State != server.DraftDraft {
		o.problem(w, r, u, http.StatusConflict, "content.notdraft")
		return
	}
	v, err := decodeItem(d.Kind, d.Body)
	if !o.check(w, r, u, err) {
		return
	}
	o.showForm(w, r, u, http.StatusOK, d.Kind, v, draftPath(d.ID)+"edit", draftPath(d.ID), true, map[string]string{}, nil, nil, d.PublishAt, d.ExpireAt)
}

func (o *Office) contentEditPost(w http.ResponseWriter, r *http.Request, u *server.User) {
	d, _, ok := o.draftOf(w, r, u)
	if !ok {
		return
	}
	o.saveForm(w, r, u, d.Kind, d, draftPath(d.ID)+"edit", draftPath(d.ID))
}

// saveForm reads a posted content form: uploads first, then the fields;
// a row added or removed shows the form again; otherwise the draft is
// saved (and sent for review with op=submit), or the form comes back
// with 422 and each problem at its field.
func (o *Office) saveForm(w http.ResponseWriter, r *http.Request, u *server.User, kind data.Kind, d server.Draft, action, cancel string) {
	l := web.LangOf(r)
	problems := map[string]string{}
	if err := o.takeUploads(r, u, problems); err != nil {
		o.fail(w, r, err)
		return
	}
	v, readProblems := readForm(kind, r.PostForm, l)
	for k, msg := range readProblems {
		problems[k] = msg
	}
	locked := d.ID != 0
	if locked {
		// The item's id is the draft's: the form sends it back unchanged.
		if f, ok := walk(v, []string{"id"}); ok && f.Kind() == reflect.String {
			f.SetString(d.ItemID)
		}
	}
	var publishAt, expireAt *time.Time
	for name, dst := range map[string]**time.Time{"publish_at": &publishAt, "expire_at": &expireAt} {
		s := strings.TrimSpace(r.PostFormValue(name))
		if s == "" {
			continue
		}
		t, err := time.ParseInLocation("2006-01-02T15:04", s, china)
		if err != nil {
			problems[name] = translate(l, "content.bad.time")
			continue
		}
		*dst = &t
	}
	op := r.PostFormValue("op")
	if strings.HasPrefix(op, "add:") || strings.HasPrefix(op, "remove:") {
		if !applyOp(v, op) {
			o.badRequest(w, r, u, "content.bad.op")
			return
		}
		o.showForm(w, r, u, http.StatusOK, kind, v, action, cancel, locked, problems, nil, nil, publishAt, expireAt)
		return
	}
	if len(problems) > 0 {
		o.showForm(w, r, u, http.StatusUnprocessableEntity, kind, v, action, cancel, locked, problems, nil, nil, publishAt, expireAt)
		return
	}
	prune(v)
	body, err := itemBody(v)
	if !o.check(w, r, u, err) {
		return
	}
	saved, err := o.p.SaveDraft(r.Context(), *u, d.ID, kind, server.DraftInput{Body: body, PublishAt: publishAt, ExpireAt: expireAt})
	if ce, general, ok := o.refusal(l, err); ok {
		o.showForm(w, r, u, http.StatusUnprocessableEntity, kind, v, action, cancel, locked, problems, ce, general, publishAt, expireAt)
		return
	}
	if !o.check(w, r, u, err) {
		return
	}
	o.auditIn(r, u, saved.Street, "content.save", fmt.Sprintf("draft/%d", saved.ID), fmt.Sprintf("%s/%s", saved.Kind, saved.ItemID))
	if op != "submit" {
		o.redirect(w, r, draftPath(saved.ID), "content.flash.saved")
		return
	}
	if _, err := o.p.SubmitDraft(r.Context(), *u, saved.ID); !o.check(w, r, u, err) {
		return
	}
	o.auditIn(r, u, saved.Street, "content.submit", fmt.Sprintf("draft/%d", saved.ID), fmt.Sprintf("%s/%s", saved.Kind, saved.ItemID))
	o.redirect(w, r, draftPath(saved.ID), "content.flash.submitted")
}

// refusal sorts a refusal of the platform the page shows itself: the
// content's problems, or a sentence (a conflict, a rule of review).
func (o *Office) refusal(l data.Lang, err error) (data.ContentErrors, []string, bool) {
	var ce data.ContentErrors
	if errors.As(err, &ce) {
		return ce, nil, true
	}
	if errors.Is(err, server.ErrTwoPerson) {
		return nil, []string{refusalText(l, err)}, true
	}
	var se *server.Error
	if errors.As(err, &se) && se.Status != http.StatusForbidden {
		return nil, []string{refusalText(l, err)}, true
	}
	return nil, nil, false
}

// refusalText words a rule's refusal: the known ones in the language,
// others as the platform's sentence.
func refusalText(l data.Lang, err error) string {
	switch {
	case errors.Is(err, server.ErrTwoPerson):
		return translate(l, "content.twoperson")
	case errors.Is(err, server.ErrNoReason):
		return translate(l, "content.noreason")
	}
	return fmt.Sprintf(translate(l, "content.refused"), err.Error())
}

// takeUploads stores the files of a content form's upload fields
// (PATH.upload) with the platform's attachment files (AddFiles, which
// checks their type and size) and sets the attachment's fields in the
// form to the stored file; a file refused is a problem at its
// attachment.
func (o *Office) takeUploads(r *http.Request, u *server.User, problems map[string]string) error {
	l := web.LangOf(r)
	if r.MultipartForm == nil {
		return nil
	}
	for key, fhs := range r.MultipartForm.File {
		at, ok := strings.CutSuffix(key, ".upload")
		if !ok || len(fhs) == 0 || fhs[0].Size == 0 {
			continue
		}
		fh := fhs[0]
		if fh.Size > data.MaxAttachmentSize {
			problems[at] = translate(l, "content.bad.bigfile")
			continue
		}
		f, err := fh.Open()
		if err != nil {
			return err
		}
		b, err := io.ReadAll(io.LimitReader(f, data.MaxAttachmentSize+1))
		f.Close()
		if err != nil {
			return err
		}
		name := path.Base(strings.ReplaceAll(fh.Filename, "\\", "/"))
		stored, _, err := o.p.AddFiles(r.Context(), []server.NewFile{{Name: name, Data: b}})
		var refused *server.Error
		if errors.As(err, &refused) {
			problems[at] = translate(l, "content.bad.upload")
			continue
		}
		if err != nil {
			return err
		}
		sf := stored[0]
		r.PostForm.Set(at+".file", sf.Path)
		r.PostForm.Set(at+".sha256", sf.SHA256)
		r.PostForm.Set(at+".size", strconv.FormatInt(sf.Size, 10))
		r.PostForm.Set(at+".type", sf.Type)
		if strings.TrimSpace(r.PostForm.Get(at+".name")) == "" {
			r.PostForm.Set(at+".name", strings.TrimSuffix(name, path.Ext(name)))
		}
		o.audit(r, u, "content.upload", sf.Path, fmt.Sprintf("%s %d bytes", sf.Type, sf.Size))
	}
	return nil
}

// draftData is a draft's page.
type draftData struct {
	Draft                server.Draft
	Href                 string
	Title, Kind, Street  string
	State                string
	Changes              []changeRow
	New                  bool // no published version to compare with
	History              []eventRow
	CanEdit, CanSubmit   bool
	CanReview, Party     bool
	CanWithdraw, Preview bool
	ReasonErr, General   string
	Reason               string
}

type changeRow struct{ Label, Old, New string }

type eventRow struct {
	At                 time.Time
	By, From, To, Note string
}

func (o *Office) contentDraft(w http.ResponseWriter, r *http.Request, u *server.User) {
	o.runSchedule(r.Context())
	d, evs, ok := o.draftOf(w, r, u)
	if !ok {
		return
	}
	o.showDraft(w, r, u, http.StatusOK, d, evs, "", "")
}

func (o *Office) showDraft(w http.ResponseWriter, r *http.Request, u *server.User, status int, d server.Draft, evs []server.DraftEvent, reasonErr, general string) {
	l := web.LangOf(r)
	names, _, err := o.streetNames(r.Context(), l)
	if !o.check(w, r, u, err) {
		return
	}
	writes := len(u.Streets) == 0 || slices.Contains(u.Streets, d.Street)
	party := d.AuthorID == u.ID || d.EditorID == u.ID
	dd := draftData{Draft: d, Href: draftPath(d.ID), Title: itemTitle(d.Body), Kind: d.Kind.Label(l), Street: names[d.Street],
		State: d.State.Label(l), Preview: web.Previewable(d.Kind), ReasonErr: reasonErr, General: general, Reason: r.PostFormValue("reason"),
		CanEdit:     u.Has(server.RoleEditor) && writes && d.State == server.DraftDraft,
		CanReview:   u.Has(server.RoleReviewer) && d.State == server.DraftPending && !party,
		Party:       u.Has(server.RoleReviewer) && d.State == server.DraftPending && party,
		CanWithdraw: u.Has(server.RoleReviewer) && (d.State == server.DraftPublished || d.State == server.DraftScheduled)}
	dd.CanSubmit = dd.CanEdit
	var old json.RawMessage
	if d.BaseVersion > 0 {
		if it, err := o.p.Content(r.Context(), d.Kind, d.ItemID); err == nil {
			old = it.Body
		} else if !errors.Is(err, server.ErrNotFound) {
			o.fail(w, r, err)
			return
		}
	}
	dd.New = old == nil
	c := &formCtx{lang: l, kind: d.Kind}
	dd.Changes = diffItems(c, old, d.Body, names)
	for _, e := range evs {
		row := eventRow{At: e.At, By: e.By, To: e.To.Label(l), Note: e.Note}
		if e.From != "" {
			row.From = e.From.Label(l)
		}
		if e.ByID == 0 {
			row.By = translate(l, "content.scheduler")
		}
		dd.History = append(dd.History, row)
	}
	p := o.newPage(r, u, fmt.Sprintf(translate(l, "content.draft.title"), d.ID), dd)
	o.renderPage(w, r, status, "content-draft", p)
}

// diffItems lists, field by field in the item's own order, what
// publishing new changes in old (nil: a new item, every field given). A
// shipped file's hash, size and type go with its path.
func diffItems(c *formCtx, old, new json.RawMessage, streets map[string]string) []changeRow {
	a, b := map[string]string{}, map[string]string{}
	var keys []string
	for _, kv := range flatten(new) {
		b[kv[0]] = kv[1]
		keys = append(keys, kv[0])
	}
	for _, kv := range flatten(old) {
		if _, ok := b[kv[0]]; !ok {
			keys = append(keys, kv[0])
		}
		a[kv[0]] = kv[1]
	}
	var out []changeRow
	for _, k := range keys {
		last := k[strings.LastIndexByte(k, '.')+1:]
		if a[k] == b[k] || last == "sha256" || last == "size" || last == "type" && strings.Contains(k, "attachments") || last == "type" && strings.Contains(k, "template") {
			continue
		}
		label, _ := c.labelFor(labelKey(k))
		if nums := rowNumbers(k); nums != "" {
			label += " " + nums
		}
		ov, nv := a[k], b[k]
		if labelKey(k) == "street" {
			ov, nv = streetLabel(streets, ov, old == nil), streetLabel(streets, nv, false)
		}
		out = append(out, changeRow{Label: label, Old: ov, New: nv})
	}
	return out
}

func streetLabel(names map[string]string, code string, none bool) string {
	if none {
		return ""
	}
	if n, ok := names[code]; ok {
		return n
	}
	return code
}

// rowNumbers are a path's row numbers, counted from 1: "materials.1.name"
// is "#2".
func rowNumbers(k string) string {
	var out []string
	for _, p := range strings.Split(k, ".") {
		if n, err := strconv.Atoi(p); err == nil {
			out = append(out, "#"+strconv.Itoa(n+1))
		}
	}
	return strings.Join(out, " ")
}

// flatten lists each leaf of a JSON document with its text, by its form
// path, in the document's order.
func flatten(b json.RawMessage) [][2]string {
	var out [][2]string
	if b == nil {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var value func(p string) error
	value = func(p string) error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch x := tok.(type) {
		case json.Delim:
			switch x {
			case '{':
				for dec.More() {
					kt, err := dec.Token()
					if err != nil {
						return err
					}
					if err := value(join(p, kt.(string))); err != nil {
						return err
					}
				}
			case '[':
				for i := 0; dec.More(); i++ {
					if err := value(join(p, strconv.Itoa(i))); err != nil {
						return err
					}
				}
			}
			_, err := dec.Token() // the closing delimiter
			return err
		case nil:
		case string:
			out = append(out, [2]string{p, x})
		case bool:
			if x {
				out = append(out, [2]string{p, "✓"})
			}
		default:
			out = append(out, [2]string{p, fmt.Sprint(x)})
		}
		return nil
	}
	if value("") != nil {
		return nil
	}
	return out
}

func (o *Office) contentSubmit(w http.ResponseWriter, r *http.Request, u *server.User) {
	d, _, ok := o.draftOf(w, r, u)
	if !ok {
		return
	}
	_, err := o.p.SubmitDraft(r.Context(), *u, d.ID)
	if ce, general, ok := o.refusal(web.LangOf(r), err); ok {
		// The form shows each problem at its field.
		v, derr := decodeItem(d.Kind, d.Body)
		if !o.check(w, r, u, derr) {
			return
		}
		o.showForm(w, r, u, http.StatusUnprocessableEntity, d.Kind, v, draftPath(d.ID)+"edit", draftPath(d.ID), true, map[string]string{}, ce, general, d.PublishAt, d.ExpireAt)
		return
	}
	if !o.check(w, r, u, err) {
		return
	}
	o.auditIn(r, u, d.Street, "content.submit", fmt.Sprintf("draft/%d", d.ID), fmt.Sprintf("%s/%s", d.Kind, d.ItemID))
	o.redirect(w, r, draftPath(d.ID), "content.flash.submitted")
}

// review runs a reviewer's move and answers it: back to the draft page,
// or the draft page again with the refusal.
func (o *Office) review(w http.ResponseWriter, r *http.Request, u *server.User, action string, move func(d server.Draft) (server.Draft, error)) {
	d, _, ok := o.draftOf(w, r, u)
	if !ok {
		return
	}
	moved, err := move(d)
	l := web.LangOf(r)
	if _, general, ok := o.refusal(l, err); ok {
		o.auditIn(r, u, d.Street, "content."+action+".refused", fmt.Sprintf("draft/%d", d.ID), "")
		_, evs, rerr := o.p.Draft(r.Context(), *u, d.ID)
		if !o.check(w, r, u, rerr) {
			return
		}
		status := http.StatusConflict
		var se *server.Error
		if errors.As(err, &se) {
			status = se.Status
		}
		reasonErr := ""
		if errors.Is(err, server.ErrNoReason) {
			reasonErr, general = general[0], nil
		}
		msg := ""
		if len(general) > 0 {
			msg = general[0]
		}
		o.showDraft(w, r, u, status, d, evs, reasonErr, msg)
		return
	}
	if !o.check(w, r, u, err) {
		return
	}
	detail := fmt.Sprintf("%s/%s", moved.Kind, moved.ItemID)
	if moved.State == server.DraftPublished {
		detail += fmt.Sprintf(" version %d", moved.PublishedVersion)
	}
	o.auditIn(r, u, d.Street, "content."+action, fmt.Sprintf("draft/%d", d.ID), detail)
	flash := map[string]string{"approve": "content.flash.published", "reject": "content.flash.rejected", "withdraw": "content.flash.withdrawn"}[action]
	if moved.State == server.DraftScheduled {
		flash = "content.flash.scheduled"
	}
	o.redirect(w, r, draftPath(d.ID), flash)
}

func (o *Office) contentApprove(w http.ResponseWriter, r *http.Request, u *server.User) {
	o.review(w, r, u, "approve", func(d server.Draft) (server.Draft, error) { return o.p.ApproveDraft(r.Context(), *u, d.ID) })
}

func (o *Office) contentReject(w http.ResponseWriter, r *http.Request, u *server.User) {
	o.review(w, r, u, "reject", func(d server.Draft) (server.Draft, error) {
		return o.p.RejectDraft(r.Context(), *u, d.ID, r.PostFormValue("reason"))
	})
}

func (o *Office) contentWithdraw(w http.ResponseWriter, r *http.Request, u *server.User) {
	o.review(w, r, u, "withdraw", func(d server.Draft) (server.Draft, error) {
		return o.p.WithdrawDraft(r.Context(), *u, d.ID, r.PostFormValue("note"))
	})
}

func (o *Office) contentPreview(w http.ResponseWriter, r *http.Request, u *server.User) {
	d, _, ok := o.draftOf(w, r, u)
	if !ok {
		return
	}
	o.site.Preview(w, r, d.Kind, d.Body, draftPath(d.ID))
}

// contentFile serves a file a draft refers to, to those who may read the
// draft: the website serves only those of published items.
func (o *Office) contentFile(w http.ResponseWriter, r *http.Request, u *server.User) {
	d, _, ok := o.draftOf(w, r, u)
	if !ok {
		return
	}
	atts, err := data.Attachments(d.Kind, d.Body)
	if !o.check(w, r, u, err) {
		return
	}
	want := "files/" + r.PathValue("file")
	i := slices.IndexFunc(atts, func(a data.Attachment) bool { return a.Shipped() && a.File == want })
	if i < 0 {
		o.notFound(w, r, u)
		return
	}
	f, b, err := o.p.FileData(r.Context(), want)
	if !o.check(w, r, u, err) {
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.Type)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	disp := "attachment"
	if atts[i].IsImage() {
		disp = "inline"
	}
	h.Set("Content-Disposition", mime.FormatMediaType(disp, map[string]string{"filename": atts[i].Name + data.AttachmentTypes[f.Type]}))
	w.Write(b)
}
