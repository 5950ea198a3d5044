package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/sync/server"
	"jiezhen/sync/wire"
)

var testPDF = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

// postMultipart sends a form with files (field name → file name and
// bytes) as a browser does, with the session's CSRF token.
func (c *client) postMultipart(path string, form url.Values, files map[string][2]string) (*http.Response, string) {
	c.o.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	if !form.Has("csrf") {
		mw.WriteField("csrf", c.csrf)
	}
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for field, f := range files {
		w, err := mw.CreateFormFile(field, f[0])
		if err != nil {
			c.o.t.Fatal(err)
		}
		w.Write([]byte(f[1]))
	}
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, c.o.url+path, &b)
	if err != nil {
		c.o.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

var draftLocation = regexp.MustCompile(`^/admin/content/drafts/(\d+)/$`)

// draftID is the draft a POST redirected to.
func draftID(t testing.TB, resp *http.Response, body string) int64 {
	t.Helper()
	m := draftLocation.FindStringSubmatch(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("want a redirect to a draft, got %d %q: %s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	var id int64
	fmt.Sscan(m[1], &id)
	return id
}

func noticeForm(id, title string) url.Values {
	return url.Values{"id": {id}, "street": {demoStreet}, "title": {title}, "category": {"通知"},
		"publisher": {"天河南街道办事处"}, "published": {"2026-12-08"}, "body": {"第一段。\n第二段。"}, "attachments.rows": {"0"}}
}

// An editor drafts a notice with a PDF in the generated form (a row
// added for it with the form's own button), sends it for review; the
// author may not approve it; another reviewer publishes it, and the
// website then shows it with its file. Every step is audited.
func TestContentDraftReviewPublish(t *testing.T) {
	o := newTestOffice(t)
	editor := o.signIn("编辑小王", []server.Role{server.RoleEditor, server.RoleReviewer}, demoStreet)
	reviewer := o.signIn("审核老李", []server.Role{server.RoleReviewer}, demoStreet)

	if resp, body := editor.get(Prefix + "content/new/notice"); resp.StatusCode != 200 || !strings.Contains(body, `name="title"`) {
		t.Fatalf("new notice form: %d", resp.StatusCode)
	}
	form := noticeForm("n-admin-1", "关于冬季供暖的通知")
	form.Set("op", "add:attachments")
	resp, body := editor.postMultipart(Prefix+"content/new/notice", form, nil)
	if resp.StatusCode != 200 || !strings.Contains(body, `name="attachments.0.upload"`) || !strings.Contains(body, `value="关于冬季供暖的通知"`) {
		t.Fatalf("add a row: %d, no attachment row kept with the values:\n%s", resp.StatusCode, body)
	}
	form.Set("op", "save")
	form.Set("attachments.rows", "1")
	resp, body = editor.postMultipart(Prefix+"content/new/notice", form, map[string][2]string{"attachments.0.upload": {"供暖安排.pdf", string(testPDF)}})
	id := draftID(t, resp, body)
	page := fmt.Sprintf("%scontent/drafts/%d/", Prefix, id)
	if _, body := editor.get(page); !strings.Contains(body, "草稿") || !strings.Contains(body, "供暖安排") {
		t.Fatalf("draft page: %s", body)
	}
	if resp, _ := o.anon().get("/s/" + demoStreet + "/notices/n-admin-1"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("the website shows a draft: %d", resp.StatusCode)
	}
	if resp, body := editor.post(page+"submit", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: %d %s", resp.StatusCode, body)
	}
	// Its author holds the reviewer's role and is refused all the same.
	resp, body = editor.post(page+"approve", nil)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "撰写人和最后修改人以外") {
		t.Fatalf("approve by the author: %d", resp.StatusCode)
	}
	// 待我审核 lists it for the reviewer, not for its author.
	if _, body := reviewer.get(Prefix + "content/?review=1"); !strings.Contains(body, "关于冬季供暖的通知") {
		t.Fatal("the reviewer's list of drafts to review lacks it")
	}
	if _, body := editor.get(Prefix + "content/?review=1"); strings.Contains(body, "关于冬季供暖的通知") {
		t.Fatal("its author is offered to review it")
	}
	if _, body := reviewer.get(page); !strings.Contains(body, "审核通过并发布") || !strings.Contains(body, "关于冬季供暖的通知") {
		t.Fatalf("the reviewer's draft page has no approval: %s", body)
	}
	if resp, body := reviewer.post(page+"approve", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %d %s", resp.StatusCode, body)
	}
	resp, body = o.anon().get("/s/" + demoStreet + "/notices/n-admin-1")
	if resp.StatusCode != 200 || !strings.Contains(body, "关于冬季供暖的通知") || !strings.Contains(body, ".pdf\" download>供暖安排</a>") {
		t.Fatalf("the website after publishing: %d %s", resp.StatusCode, body)
	}
	for _, action := range []string{"content.save", "content.submit", "content.approve", "content.approve.refused", "content.upload"} {
		if len(o.auditLines(action)) != 1 {
			t.Errorf("%d audit lines %s, want 1", len(o.auditLines(action)), action)
		}
	}
}

// A form the rules refuse comes back with 422, a summary linking to each
// field and the problem at the field, and the values as typed.
func TestContentFormProblemsAtFields(t *testing.T) {
	o := newTestOffice(t)
	editor := o.signIn("编辑", []server.Role{server.RoleEditor}, demoStreet)
	form := noticeForm("n-bad", "")
	form.Set("published", "2026-02-30")
	form.Set("body", "正文")
	resp, body := editor.post(Prefix+"content/new/notice", form)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", resp.StatusCode)
	}
	for _, want := range []string{`href="#f-published"`, `<p class="error" id="f-published-error">请填写正确的日期，例如 2026-03-01</p>`,
		`value="2026-02-30"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	form.Set("published", "2026-12-08")
	resp, body = editor.post(Prefix+"content/new/notice", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#f-title"`) ||
		!strings.Contains(body, `<p class="error" id="f-title-error">这一项必须填写</p>`) {
		t.Fatalf("empty title: %d %s", resp.StatusCode, body)
	}
	if ds, _ := o.p.Drafts(context.Background(), editor.user, server.DraftFilter{}); len(ds) != 0 {
		t.Fatalf("a refused form saved %d drafts", len(ds))
	}
	// A provider's hours are checked by day.
	p := url.Values{"id": {"p-new"}, "street": {demoStreet}, "name": {"修鞋铺"}, "kind": {"business"}, "category": {"维修"},
		"address": {"天河南一路"}, "hours.mon": {"08:00-12:00 11:00-13:00"}, "hours.tue": {"8点到12点"}}
	resp, body = editor.post(Prefix+"content/new/provider", p)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="f-hours-tue-error"`) {
		t.Fatalf("bad span: %d", resp.StatusCode)
	}
	p.Set("hours.tue", "")
	resp, body = editor.post(Prefix+"content/new/provider", p)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `<p class="error" id="f-hours-mon-error">时段有重叠，请核对</p>`) {
		t.Fatalf("overlapping spans: %d %s", resp.StatusCode, body)
	}
}

// A service guide's lists grow and shrink with the form's buttons, rows
// within rows included, and the guide is saved with its materials and
// its form's fields and choices.
func TestContentServiceRows(t *testing.T) {
	o := newTestOffice(t)
	editor := o.signIn("编辑", []server.Role{server.RoleEditor}, demoStreet)
	f := url.Values{"id": {"svc-new"}, "street": {demoStreet}, "code": {"440106-001"}, "name": {"新事项"}, "category": {"public"},
		"department": {"街道办"}, "phone": {"020-38880000"}, "online": {"yes"},
		"materials.rows": {"1"}, "materials.0.name": {"身份证"}, "materials.0.form": {"original"}, "materials.0.count": {"1"},
		"form.fields.rows": {"1"}, "form.fields.0.code": {"meal"}, "form.fields.0.label": {"用餐"}, "form.fields.0.type": {"choice"},
		"form.fields.0.choices.rows": {"1"}, "form.fields.0.choices.0": {"午餐"}}
	f.Set("op", "add:form.fields.0.choices")
	resp, body := editor.post(Prefix+"content/new/service", f)
	if resp.StatusCode != 200 || !strings.Contains(body, `name="form.fields.0.choices.1"`) || !strings.Contains(body, `value="午餐"`) {
		t.Fatalf("add a choice: %d", resp.StatusCode)
	}
	f.Set("form.fields.0.choices.rows", "2")
	f.Set("form.fields.0.choices.1", "午餐")
	f.Set("op", "save")
	resp, body = editor.post(Prefix+"content/new/service", f)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="f-form-fields-0-choices-1-error"`) {
		t.Fatalf("a choice given twice: %d", resp.StatusCode)
	}
	f.Set("form.fields.0.choices.1", "晚餐")
	f.Set("op", "add:materials")
	if resp, body := editor.post(Prefix+"content/new/service", f); resp.StatusCode != 200 || !strings.Contains(body, `name="materials.1.name"`) {
		t.Fatalf("add a material: %d", resp.StatusCode)
	}
	f.Set("op", "remove:materials.0")
	if resp, body := editor.post(Prefix+"content/new/service", f); resp.StatusCode != 200 || strings.Contains(body, `value="身份证"`) {
		t.Fatalf("remove a material: %d", resp.StatusCode)
	}
	f.Set("op", "save")
	resp0, body0 := editor.post(Prefix+"content/new/service", f)
	id := draftID(t, resp0, body0)
	d, _, err := o.p.Draft(context.Background(), editor.user, id)
	if err != nil {
		t.Fatal(err)
	}
	var sv data.ServiceItem
	json.Unmarshal(d.Body, &sv)
	if len(sv.Materials) != 1 || sv.Materials[0].Name != "身份证" || sv.Materials[0].Form != data.FormOriginal ||
		len(sv.Form.Fields) != 1 || fmt.Sprint(sv.Form.Fields[0].Choices) != "[午餐 晚餐]" || !sv.Online {
		t.Fatalf("saved guide: %+v", sv)
	}
}

// Every kind has its form, every field of it a label in both languages.
func TestContentFormsEveryKind(t *testing.T) {
	o := newTestOffice(t)
	editor := o.signIn("区编辑", []server.Role{server.RoleEditor})
	for _, k := range server.DraftKinds {
		resp, body := editor.get(Prefix + "content/new/" + string(k))
		if resp.StatusCode != 200 {
			t.Fatalf("%s form: %d", k, resp.StatusCode)
		}
		if m := regexp.MustCompile(`>cf\.[a-z_.]+<`).FindString(body); m != "" {
			t.Errorf("%s form: a label without its string %s", k, m)
		}
	}
	for _, l := range []data.Lang{data.ZH, data.EN} {
		for k, typ := range contentTypes {
			c := &formCtx{lang: l, kind: k, problems: map[string]string{}}
			var walkNodes func(ns []*formNode)
			walkNodes = func(ns []*formNode) {
				for _, n := range ns {
					if label, _ := c.labelFor(labelKey(n.Path)); label == labelKey(n.Path) {
						t.Errorf("%s %s: no label for %s", l, k, n.Path)
					}
					walkNodes(n.Children)
					walkNodes(n.Rows)
				}
			}
			v := reflect.New(typ).Elem()
			// One row in every list, so that rows' fields are walked too.
			var fill func(v reflect.Value)
			fill = func(v reflect.Value) {
				switch v.Kind() {
				case reflect.Struct:
					for i := range v.NumField() {
						if v.Type().Field(i).IsExported() {
							fill(v.Field(i))
						}
					}
				case reflect.Pointer:
					v.Set(reflect.New(v.Type().Elem()))
					fill(v.Elem())
				case reflect.Slice:
					v.Set(reflect.MakeSlice(v.Type(), 1, 1))
					fill(v.Index(0))
				}
			}
			fill(v)
			walkNodes(c.build(v, ""))
		}
	}
}

// A rejection needs a reason, shown at its field; with one the draft
// goes back to its editors, who see the reason.
func TestContentRejectNeedsReason(t *testing.T) {
	o := newTestOffice(t)
	editor := o.signIn("编辑", []server.Role{server.RoleEditor}, demoStreet)
	reviewer := o.signIn("审核", []server.Role{server.RoleReviewer}, demoStreet)
	form := noticeForm("n-r", "待退回的通知")
	form.Set("op", "submit")
	resp0, body0 := editor.post(Prefix+"content/new/notice", form)
	id := draftID(t, resp0, body0)
	page := fmt.Sprintf("%scontent/drafts/%d/", Prefix, id)
	resp, body := reviewer.post(page+"reject", url.Values{"reason": {"  "}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `<p class="error" id="f-reason-error">退回时请写明理由。</p>`) {
		t.Fatalf("reject without a reason: %d %s", resp.StatusCode, body)
	}
	if resp, _ := reviewer.post(page+"reject", url.Values{"reason": {"请补充供暖时间"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reject: %d", resp.StatusCode)
	}
	if _, body := editor.get(page); !strings.Contains(body, "请补充供暖时间") || !strings.Contains(body, "修改草稿") {
		t.Fatalf("the editor does not see the reason: %s", body)
	}
}

// A user of another street gets 403 for a street's draft, with an audit
// line, and does not see it in lists; the draft's files are its readers'
// only.
func TestContentStreetScoping(t *testing.T) {
	o := newTestOffice(t)
	editor := o.signIn("编辑", []server.Role{server.RoleEditor}, demoStreet)
	other := o.signIn("林和编辑", []server.Role{server.RoleEditor, server.RoleReviewer}, otherStreet)
	form := noticeForm("n-scope", "天河南的草稿")
	form.Set("op", "submit")
	resp0, body0 := editor.post(Prefix+"content/new/notice", form)
	id := draftID(t, resp0, body0)
	page := fmt.Sprintf("%scontent/drafts/%d/", Prefix, id)
	for _, path := range []string{page, page + "edit", page + "preview"} {
		before := len(o.auditLines("denied"))
		if resp, _ := other.get(path); resp.StatusCode != http.StatusForbidden {
			t.Errorf("GET %s by another street: %d", path, resp.StatusCode)
		}
		if len(o.auditLines("denied")) != before+1 {
			t.Errorf("GET %s: no audit line", path)
		}
	}
	if resp, _ := other.post(page+"approve", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("approve by another street: %d", resp.StatusCode)
	}
	if resp, _ := other.get(Prefix + "content/?street=" + demoStreet); resp.StatusCode != http.StatusForbidden {
		t.Errorf("filter by another street: %d", resp.StatusCode)
	}
	if _, body := other.get(Prefix + "content/"); strings.Contains(body, "天河南的草稿") {
		t.Error("another street lists the draft")
	}
	if _, body := editor.get(Prefix + "content/?state=pending"); !strings.Contains(body, "天河南的草稿") {
		t.Error("its street does not list the draft")
	}
	// Nor may it draft for the street.
	f := noticeForm("n-x", "越权")
	if resp, _ := other.post(Prefix+"content/new/notice", f); resp.StatusCode != http.StatusForbidden {
		t.Errorf("drafting for another street: %d", resp.StatusCode)
	}
}

// The preview is the website's own page of the draft, before anything
// is published.
func TestContentPreview(t *testing.T) {
	o := newTestOffice(t)
	editor := o.signIn("编辑", []server.Role{server.RoleEditor}, demoStreet)
	resp0, body0 := editor.post(Prefix+"content/new/notice", noticeForm("n-pre", "预览中的通知"))
	id := draftID(t, resp0, body0)
	resp, body := editor.get(fmt.Sprintf("%scontent/drafts/%d/preview", Prefix, id))
	if resp.StatusCode != 200 || !strings.Contains(body, `<h1 lang="zh-CN">预览中的通知</h1>`) || !strings.Contains(body, `<p lang="zh-CN">第二段。</p>`) {
		t.Fatalf("preview: %d %s", resp.StatusCode, body)
	}
}

// An edit of a published item starts from it, with its version, and the
// draft page shows field by field what publishing it changes.
func TestContentEditPublished(t *testing.T) {
	o := newTestOffice(t)
	editor := o.signIn("编辑", []server.Role{server.RoleEditor}, demoStreet)
	ctx := context.Background()
	its, err := o.p.ScopedContent(ctx, editor.user, data.KindNotice)
	if err != nil || len(its) == 0 {
		t.Fatalf("notices: %v", err)
	}
	var it server.Item
	for _, x := range its {
		if x.Street == demoStreet {
			it = x
		}
	}
	if _, body := editor.get(Prefix + "content/items/notice/"); !strings.Contains(body, "/admin/content/items/notice/"+it.ID+"/edit") {
		t.Fatalf("no edit button for %s", it.ID)
	}
	resp, _ := editor.post(Prefix+"content/items/notice/"+it.ID+"/edit", nil)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(loc, "/edit") {
		t.Fatalf("edit: %d %s", resp.StatusCode, loc)
	}
	_, body := editor.get(strings.TrimPrefix(loc, o.url))
	var n data.Notice
	json.Unmarshal(it.Body, &n)
	if !strings.Contains(body, `value="`+n.Title+`"`) || !strings.Contains(body, `<input type="hidden" name="id" value="`+it.ID+`">`) {
		t.Fatalf("the form does not start from the published notice")
	}
	f := noticeForm("ignored", "改过的标题")
	f.Set("street", demoStreet)
	f.Set("published", n.Published.String())
	f.Set("body", n.Body)
	f.Set("category", n.Category)
	f.Set("publisher", n.Publisher)
	f.Set("attachments.rows", "0")
	resp, body = editor.post(strings.TrimPrefix(loc, o.url), f)
	id := draftID(t, resp, body)
	_, body = editor.get(fmt.Sprintf("%scontent/drafts/%d/", Prefix, id))
	if !strings.Contains(body, "<del>"+n.Title+"</del>") || !strings.Contains(body, "<ins>改过的标题</ins>") {
		t.Fatalf("what changes: %s", body)
	}
	if strings.Contains(body, "<ins>"+n.Body+"</ins>") {
		t.Fatal("an unchanged field is listed")
	}
}

// Staff edits made on kiosks are listed with their author and kiosk, for
// the street's users only.
func TestContentStaffEdits(t *testing.T) {
	o := newTestOffice(t)
	ctx := context.Background()
	k, _, err := o.p.AddKiosk(ctx, demoStreet, "天河南一号机")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(wire.AuditBody{Action: "edit", Staff: "张三", StaffID: "staff-1", Detail: "upsert notice/n-1", At: time.Now()})
	if _, err := o.p.Push(ctx, k, &wire.PushRequest{Items: []wire.PushItem{{ID: "audit-x", Kind: wire.ItemAudit, Body: body}}}); err != nil {
		t.Fatal(err)
	}
	mine := o.signIn("编辑", []server.Role{server.RoleEditor}, demoStreet)
	_, page := mine.get(Prefix + "content/")
	if !strings.Contains(page, "街道工作人员的修改") || !strings.Contains(page, "张三") || !strings.Contains(page, fmt.Sprintf(`<td class="num">%d</td>`, k.ID)) {
		t.Fatalf("staff edits: %s", page)
	}
	other := o.signIn("林和", []server.Role{server.RoleEditor}, otherStreet)
	if _, page := other.get(Prefix + "content/"); strings.Contains(page, "张三") {
		t.Fatal("another street sees the staff edit")
	}
}

// A draft approved with a publish-at to come waits for it; the first
// list shown after it publishes it (beside serve's ticker), and the
// draft's expire-at withdraws it. A reviewer withdraws one by hand.
func TestContentScheduleAndWithdraw(t *testing.T) {
	o := newTestOffice(t)
	editor := o.signIn("编辑", []server.Role{server.RoleEditor}, demoStreet)
	reviewer := o.signIn("审核", []server.Role{server.RoleReviewer}, demoStreet)
	at := o.clock.Now().Add(3 * time.Hour).In(china)
	form := noticeForm("n-later", "定时发布的通知")
	form.Set("publish_at", at.Format("2006-01-02T15:04"))
	form.Set("expire_at", at.Add(24*time.Hour).Format("2006-01-02T15:04"))
	form.Set("op", "submit")
	resp0, body0 := editor.post(Prefix+"content/new/notice", form)
	id := draftID(t, resp0, body0)
	page := fmt.Sprintf("%scontent/drafts/%d/", Prefix, id)
	if _, body := reviewer.get(page); !strings.Contains(body, "审核通过，按时发布") {
		t.Fatal("the reviewer is not told it waits for its time")
	}
	if resp, _ := reviewer.post(page+"approve", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %d", resp.StatusCode)
	}
	website := "/s/" + demoStreet + "/notices/n-later"
	if _, body := reviewer.get(page); !strings.Contains(body, "待发布") {
		t.Fatal("not scheduled")
	}
	if resp, _ := o.anon().get(website); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("published before its time: %d", resp.StatusCode)
	}
	// Sessions end after 30 idle minutes: sign in again after each wait.
	o.clock.Add(3 * time.Hour)
	editor, reviewer = o.session(editor.user), o.session(reviewer.user)
	if _, body := editor.get(Prefix + "content/?state=published"); !strings.Contains(body, "定时发布的通知") {
		t.Fatal("the list shown after its time does not have it published")
	}
	if resp, _ := o.anon().get(website); resp.StatusCode != http.StatusOK {
		t.Fatalf("after its time: %d", resp.StatusCode)
	}
	o.clock.Add(24 * time.Hour)
	editor, reviewer = o.session(editor.user), o.session(reviewer.user)
	if _, body := editor.get(page); !strings.Contains(body, "已撤下") || !strings.Contains(body, "系统定时") {
		t.Fatal("not withdrawn at its expiry")
	}
	if resp, _ := o.anon().get(website); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("after its expiry: %d", resp.StatusCode)
	}

	form = noticeForm("n-now", "立即发布的通知")
	form.Set("op", "submit")
	resp0, body0 = editor.post(Prefix+"content/new/notice", form)
	id = draftID(t, resp0, body0)
	page = fmt.Sprintf("%scontent/drafts/%d/", Prefix, id)
	reviewer.post(page+"approve", nil)
	if resp, _ := editor.post(page+"withdraw", nil); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("an editor withdraws: %d", resp.StatusCode)
	}
	if resp, _ := reviewer.post(page+"withdraw", url.Values{"note": {"内容有误"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("withdraw: %d", resp.StatusCode)
	}
	if resp, _ := o.anon().get("/s/" + demoStreet + "/notices/n-now"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("withdrawn notice on the website: %d", resp.StatusCode)
	}
	if len(o.auditLines("content.withdraw")) != 1 {
		t.Fatal("the withdrawal is not audited")
	}
}

// A draft's files are served to those who may read the draft, and only
// the files it refers to.
func TestContentDraftFiles(t *testing.T) {
	o := newTestOffice(t)
	editor := o.signIn("编辑", []server.Role{server.RoleEditor}, demoStreet)
	other := o.signIn("林和", []server.Role{server.RoleEditor}, otherStreet)
	form := noticeForm("n-file", "带附件的草稿")
	form.Set("attachments.rows", "1")
	resp0, body0 := editor.postMultipart(Prefix+"content/new/notice", form, map[string][2]string{"attachments.0.upload": {"表格.pdf", string(testPDF)}})
	id := draftID(t, resp0, body0)
	d, _, err := o.p.Draft(context.Background(), editor.user, id)
	if err != nil {
		t.Fatal(err)
	}
	atts, _ := data.Attachments(d.Kind, d.Body)
	if len(atts) != 1 || atts[0].Name != "表格" || atts[0].Type != "application/pdf" {
		t.Fatalf("attachments = %+v", atts)
	}
	path := fmt.Sprintf("%scontent/drafts/%d/%s", Prefix, id, atts[0].File)
	resp, body := editor.get(path)
	if resp.StatusCode != 200 || body != string(testPDF) || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("the draft's file: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if resp, _ := other.get(path); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("another street: %d", resp.StatusCode)
	}
	if resp, _ := editor.get(fmt.Sprintf("%scontent/drafts/%d/files/%064x.pdf", Prefix, id, 1)); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("a file the draft does not name: %d", resp.StatusCode)
	}
	// Not a PDF, PNG or JPEG: refused at its attachment, nothing saved.
	form.Set("id", "n-file2")
	resp, body = editor.postMultipart(Prefix+"content/new/notice", form, map[string][2]string{"attachments.0.upload": {"a.txt", "plain text"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="f-attachments-0-error"`) {
		t.Fatalf("a text file: %d", resp.StatusCode)
	}
}
