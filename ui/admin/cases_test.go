package admin

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/sync/server"
	"jiezhen/sync/wire"
	"jiezhen/ui/admin/replynotice/pdftext"

	_ "modernc.org/sqlite"
)

// The resident behind the test cases.
const (
	caseName   = "张伟"
	caseMobile = "13912345678"
	caseID     = "440106199001011235"
)

// fileCase files c from a new kiosk of its street through the push path,
// as a kiosk's sync does, and returns its reference.
func (o *testOffice) fileCase(c data.Case) string {
	o.t.Helper()
	ctx := context.Background()
	k, _, err := o.p.AddKiosk(ctx, c.Street, "一楼大厅")
	if err != nil {
		o.t.Fatal(err)
	}
	c.Status, c.SubmittedAt = data.StatusSubmitted, o.clock.Now()
	body, err := json.Marshal(c)
	if err != nil {
		o.t.Fatal(err)
	}
	resp, err := o.p.Push(ctx, k, &wire.PushRequest{Items: []wire.PushItem{{ID: c.ID, Kind: wire.ItemCase, Body: body}}})
	if err != nil || resp.Results[0].Outcome != wire.Accepted {
		o.t.Fatalf("push %s: %+v %v", c.ID, resp, err)
	}
	return resp.Results[0].Ref
}

func testAppeal(id, street string) data.Case {
	return data.Case{ID: id, Kind: data.CaseAppeal, Street: street, AppealType: data.AppealComplaint,
		Description: "小区门口路灯不亮，晚上出行不便", Location: "天河南二路29号",
		Applicant: &data.Person{Name: caseName, Mobile: caseMobile, IDNumber: caseID}}
}

func testDisclosure(id string) data.Case {
	return data.Case{ID: id, Kind: data.CaseDisclosure, Street: demoStreet,
		Request:   &data.DisclosureRequest{Information: "2025年老旧小区改造资金使用情况", Purpose: "了解本小区改造", Delivery: data.DeliveryEmail},
		Applicant: &data.Person{Name: "王小五", Mobile: caseMobile, IDNumber: caseID, Email: "wxw@example.com"}}
}

// mustStatus fails unless resp is status want.
func mustStatus(t testing.TB, resp *http.Response, body string, want int) {
	t.Helper()
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d, want %d\n%s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, want, body)
	}
}

// A handler of street A: street B's cases are not in its queue, and
// reading or changing one is 403 with an audit line; the resident's data
// is masked until the handler asks, which is audited; an inspector reads
// masked only.
func TestCasesScopedAndMasked(t *testing.T) {
	o := newTestOffice(t)
	refA := o.fileCase(testAppeal("a-1", demoStreet))
	refB := o.fileCase(testAppeal("b-1", otherStreet))
	h := o.signIn("承办甲", []server.Role{server.RoleHandler}, demoStreet)

	resp, body := h.get(Prefix + "cases/")
	mustStatus(t, resp, body, http.StatusOK)
	if !strings.Contains(body, refA) || strings.Contains(body, refB) {
		t.Fatalf("A's queue: want %s and not %s\n%s", refA, refB, body)
	}
	if _, body := h.get(Prefix + "cases/?street=" + otherStreet); strings.Contains(body, refB) {
		t.Fatalf("A's queue filtered to B shows B's case")
	}

	before := len(o.auditLines("denied"))
	for _, try := range []func() (*http.Response, string){
		func() (*http.Response, string) { return h.get(casePath(refB)) },
		func() (*http.Response, string) { return h.post(casePath(refB)+"/note", url.Values{"note": {"看看"}}) },
		func() (*http.Response, string) { return h.post(casePath(refB)+"/unmask", nil) },
		func() (*http.Response, string) {
			return h.post(casePath(refB)+"/move", url.Values{"to": {"merged"}, "into": {refA}, "reason": {"重复"}})
		},
	} {
		resp, body := try()
		mustStatus(t, resp, body, http.StatusForbidden)
		if strings.Contains(body, caseName[:3]) || strings.Contains(body, "路灯") {
			t.Fatalf("the 403 page shows the case: %s", body)
		}
	}
	if n := len(o.auditLines("denied")) - before; n != 4 {
		t.Fatalf("%d denied audit lines, want 4", n)
	}

	// Masked by default.
	_, body = h.get(casePath(refA))
	for _, s := range []string{"张*", "139****5678", "4401**********1235"} {
		if !strings.Contains(body, s) {
			t.Errorf("the case page lacks the masked %q", s)
		}
	}
	for _, s := range []string{caseName, caseMobile, caseID} {
		if strings.Contains(body, s) {
			t.Errorf("the masked case page shows %q", s)
		}
	}
	// Unmasked on a POST, audited.
	resp, body = h.post(casePath(refA)+"/unmask", nil)
	mustStatus(t, resp, body, http.StatusOK)
	for _, s := range []string{caseName, caseMobile, caseID} {
		if !strings.Contains(body, s) {
			t.Errorf("the unmasked page lacks %q", s)
		}
	}
	if lines := o.auditLines("unmask"); len(lines) != 1 || lines[0].Target != refA || lines[0].UserName != "承办甲" || lines[0].Street != demoStreet {
		t.Fatalf("unmask audit: %+v", lines)
	}
	if _, body := h.get(casePath(refA)); strings.Contains(body, caseMobile) {
		t.Fatal("the next GET is not masked again")
	}

	// An inspector of the whole district reads both, masked, and may not
	// unmask or act.
	insp := o.signIn("监察丙", []server.Role{server.RoleInspector})
	_, body = insp.get(Prefix + "cases/")
	if !strings.Contains(body, refA) || !strings.Contains(body, refB) {
		t.Fatalf("the inspector's queue lacks a case")
	}
	_, body = insp.get(casePath(refB))
	if strings.Contains(body, caseMobile) || strings.Contains(body, "/unmask") || strings.Contains(body, "/move") {
		t.Fatalf("the inspector's case page offers unmasking or moves")
	}
	resp, body = insp.post(casePath(refB)+"/unmask", nil)
	mustStatus(t, resp, body, http.StatusForbidden)

	// A showing that cannot be audited is not shown.
	down := []string{`CREATE TRIGGER audit_down BEFORE INSERT ON admin_audit WHEN NEW.action = 'unmask'
		BEGIN SELECT RAISE(ABORT, 'the audit is down'); END`}
	if server.IsPostgresURL(o.db) {
		down = []string{`CREATE FUNCTION audit_down() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF NEW.action = 'unmask' THEN RAISE EXCEPTION 'the audit is down'; END IF; RETURN NEW; END $$`,
			`CREATE TRIGGER audit_down BEFORE INSERT ON admin_audit FOR EACH ROW EXECUTE FUNCTION audit_down()`}
	}
	o.exec(down...)
	resp, body = h.post(casePath(refA)+"/unmask", nil)
	if resp.StatusCode != http.StatusInternalServerError || strings.Contains(body, caseMobile) || strings.Contains(body, caseID) {
		t.Fatalf("unmask without its audit line: %d, shown: %v", resp.StatusCode, strings.Contains(body, caseMobile))
	}
}

// A handler takes an appeal through the pages: dispatched to a department
// of the admin's list, in progress, replied from a template, completed;
// the internal note never reaches the resident's tracking page.
func TestCaseHandledThroughPages(t *testing.T) {
	o := newTestOffice(t)
	ref := o.fileCase(testAppeal("a-1", demoStreet))
	dup := o.fileCase(testAppeal("a-2", demoStreet))
	admin := o.signIn("区管理员", []server.Role{server.RoleAdmin})
	h := o.signIn("承办甲", []server.Role{server.RoleHandler}, demoStreet)
	intake := h

	resp, body := admin.post(Prefix+"departments/add", url.Values{"name": {"城管科"}})
	mustStatus(t, resp, body, http.StatusSeeOther)
	resp, body = admin.post(Prefix+"templates/save", url.Values{"kind": {"appeal"}, "title": {"路灯"}, "text": {"已通知供电部门，路灯已修复。"}})
	mustStatus(t, resp, body, http.StatusSeeOther)
	if _, body := admin.get(Prefix + "templates/"); !strings.Contains(body, "已通知供电部门") {
		t.Fatal("the templates page lacks the template")
	}
	if len(o.auditLines("department.add")) != 1 || len(o.auditLines("template.save")) != 1 {
		t.Fatal("the admin's changes are not audited")
	}

	_, body = h.get(casePath(ref))
	for _, s := range []string{`value="dispatched"`, `value="replied"`, `value="merged"`, "城管科"} {
		if !strings.Contains(body, s) {
			t.Fatalf("the received appeal's page lacks %q", s)
		}
	}
	if strings.Contains(body, `value="completed"`) {
		t.Fatal("a received appeal offers completion")
	}
	resp, body = h.post(casePath(ref)+"/move", url.Values{"to": {"dispatched"}, "department": {"不在名录科"}})
	mustStatus(t, resp, body, http.StatusBadRequest)
	// Dispatched, the case is the department's: the intake's handler goes
	// back to its queue, and the department's handler goes on.
	o.clock.Add(time.Minute)
	resp, body = h.post(casePath(ref)+"/move", url.Values{"to": {"dispatched"}, "department": {"城管科"}})
	mustStatus(t, resp, body, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); loc != Prefix+"cases/" {
		t.Fatalf("after the dispatch: to %s", loc)
	}
	h = o.session(o.addUserIn("城管甲", []server.Role{server.RoleHandler}, "城管科", demoStreet))
	move := func(form url.Values) {
		t.Helper()
		o.clock.Add(time.Minute)
		resp, body := h.post(casePath(ref)+"/move", form)
		mustStatus(t, resp, body, http.StatusSeeOther)
	}
	move(url.Values{"to": {"in_progress"}})
	resp, body = h.post(casePath(ref)+"/note", url.Values{"note": {"内部：来电人情绪激动，注意沟通"}})
	mustStatus(t, resp, body, http.StatusSeeOther)

	// The template fills the reply box.
	_, body = h.get(casePath(ref))
	id := between(body, `<option value="`, `">路灯`)
	_, body = h.get(casePath(ref) + "?template=" + id)
	if !strings.Contains(body, ">已通知供电部门，路灯已修复。</textarea>") {
		t.Fatalf("the reply box is not filled from the template %q:\n%s", id, body)
	}
	resp, body = h.post(casePath(ref)+"/move", url.Values{"to": {"completed"}, "reason": {"x"}})
	mustStatus(t, resp, body, http.StatusBadRequest)
	move(url.Values{"to": {"replied"}, "reason": {"已通知供电部门，路灯已修复。"}})
	resp, body = h.post(casePath(ref)+"/move", url.Values{"to": {"completed"}})
	mustStatus(t, resp, body, http.StatusBadRequest)
	if !strings.Contains(body, "请填写理由") {
		t.Fatalf("a completion without a reason: %s", body)
	}
	move(url.Values{"to": {"completed"}, "reason": {"回访确认已修复"}})

	// The intake's handler joins the duplicate to it; both staff
	// timelines say so.
	city, h := h, intake
	resp, body = h.post(casePath(dup)+"/move", url.Values{"to": {"merged"}, "into": {"999-999-999"}, "reason": {"同一路灯"}})
	mustStatus(t, resp, body, http.StatusBadRequest)
	if !strings.Contains(body, "there is no case 999-999-999") {
		t.Fatalf("a merge into no case: %s", body)
	}
	resp, body = h.post(casePath(dup)+"/move", url.Values{"to": {"merged"}, "into": {ref}, "reason": {"同一路灯"}})
	mustStatus(t, resp, body, http.StatusSeeOther)
	_, body = city.get(casePath(ref))
	if !strings.Contains(body, dup+" 作为重复件并入本件") || !strings.Contains(body, "内部：来电人情绪激动") {
		t.Fatalf("the case's timeline lacks the merge or the note")
	}
	_, body = h.get(casePath(dup))
	if !strings.Contains(body, `<a href="`+casePath(ref)+`">`+ref+`</a>`) || !strings.Contains(body, "已合并") {
		t.Fatalf("the duplicate's page lacks its pointer")
	}
	if n := len(o.auditLines("case.move")); n != 5 {
		t.Fatalf("%d case.move audit lines, want 5", n)
	}

	// The resident's tracking page on the website: the reply, never the
	// note.
	c := h.o.anon()
	resp, _ = c.postRaw("/s/"+demoStreet+"/track", url.Values{"ref": {ref}, "phone4": {caseMobile[7:]}}, nil)
	mustStatus(t, resp, "", http.StatusSeeOther)
	_, body = c.get(resp.Header.Get("Location"))
	if !strings.Contains(body, "路灯已修复") || strings.Contains(body, "内部") || strings.Contains(body, "情绪") {
		t.Fatalf("the tracking page: reply shown %v, note shown %v", strings.Contains(body, "路灯已修复"), strings.Contains(body, "情绪"))
	}
}

// between is the text of s between the first before and the next after.
func between(s, before, after string) string {
	i := strings.Index(s, after)
	if i < 0 {
		return ""
	}
	j := strings.LastIndex(s[:i], before)
	if j < 0 {
		return ""
	}
	return s[j+len(before) : i]
}

// A disclosure request's reply is a 告知书: a page to print and a PDF
// whose text has the applicant, the reference and the legal basis.
func TestDisclosureNotice(t *testing.T) {
	o := newTestOffice(t)
	ref := o.fileCase(testDisclosure("d-1"))
	h := o.signIn("承办甲", []server.Role{server.RoleHandler}, demoStreet)
	if resp, body := h.get(casePath(ref) + "/notice.pdf"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("a 告知书 before the reply: %d %s", resp.StatusCode, body)
	}
	_, body := h.get(casePath(ref))
	if !strings.Contains(body, `name="reply_type"`) || !strings.Contains(body, `value="extended"`) || !strings.Contains(body, `value="correction"`) {
		t.Fatal("the disclosure request's page lacks the reply type, the extension or the 补正")
	}
	o.clock.Add(time.Minute)
	resp, body := h.post(casePath(ref)+"/move", url.Values{"to": {"replied"}, "reply_type": {"not_exist"}, "reason": {"经检索，本机关未制作该信息。"}})
	mustStatus(t, resp, body, http.StatusSeeOther)

	resp, body = h.get(casePath(ref) + "/notice")
	mustStatus(t, resp, body, http.StatusOK)
	for _, s := range []string{"政府信息公开申请答复告知书", "王小五", ref, "第三十六条第（四）项"} {
		if !strings.Contains(body, s) {
			t.Errorf("the 告知书 page lacks %q", s)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, o.url+casePath(ref)+"/notice.pdf", nil)
	presp, err := h.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer presp.Body.Close()
	pdf, err := io.ReadAll(presp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if presp.StatusCode != http.StatusOK || presp.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("the PDF: %d %s", presp.StatusCode, presp.Header.Get("Content-Type"))
	}
	text := pdftext.Text(t, pdf)
	for _, s := range []string{"王小五", ref, "第三十六条第（四）项", "天河南街道办事处", "行政复议"} {
		if !strings.Contains(text, s) {
			t.Errorf("the PDF's text lacks %q:\n%s", s, text)
		}
	}
	if n := len(o.auditLines("case.notice")); n != 2 {
		t.Fatalf("%d case.notice audit lines, want 2", n)
	}
}

// An inspector sees a case overdue by a working day on the supervision
// list and issues a 督办, which the handler's queue and the timeline show.
func TestSupervisionPages(t *testing.T) {
	o := newTestOffice(t)
	ref := o.fileCase(testAppeal("a-1", demoStreet)) // 13 working days from 2026-12-08
	inspector := o.addUser("监察丙", []server.Role{server.RoleInspector})
	insp := o.session(inspector)
	if _, body := insp.get(Prefix + "supervision/"); strings.Contains(body, ref) {
		t.Fatal("a case in time is on the overdue list")
	}
	resp, body := insp.post(casePath(ref)+"/supervise", url.Values{"note": {"请尽快办理"}})
	mustStatus(t, resp, body, http.StatusBadRequest)

	o.clock.Add(30 * 24 * time.Hour)
	insp = o.session(inspector)
	h := o.signIn("承办甲", []server.Role{server.RoleHandler}, demoStreet)
	_, body = insp.get(Prefix + "supervision/")
	if !strings.Contains(body, ref) || !strings.Contains(body, "已超期") {
		t.Fatalf("the overdue list lacks the case")
	}
	resp, body = insp.post(casePath(ref)+"/supervise", url.Values{"note": {"已超期，请于三日内办结并报告"}})
	mustStatus(t, resp, body, http.StatusSeeOther)
	if lines := o.auditLines("case.supervise"); len(lines) != 1 || lines[0].Target != ref {
		t.Fatalf("督办 audit: %+v", lines)
	}
	_, body = h.get(Prefix + "cases/")
	if !strings.Contains(body, "督办") || !strings.Contains(body, "已超期，请于三日内办结并报告") {
		t.Fatalf("the handler's queue lacks the 督办")
	}
	_, body = h.get(casePath(ref))
	if !strings.Contains(body, "已超期，请于三日内办结并报告") {
		t.Fatalf("the timeline lacks the 督办")
	}
	// A handler may not issue one.
	resp, body = h.post(casePath(ref)+"/supervise", url.Values{"note": {"自己督办"}})
	mustStatus(t, resp, body, http.StatusForbidden)
}

// An application's form answers are personal: hidden on the masked page,
// shown with the form's labels once unmasked.
func TestApplicationAnswers(t *testing.T) {
	o := newTestOffice(t)
	ref := o.fileCase(data.Case{ID: "app-1", Kind: data.CaseApplication, Street: demoStreet, Service: "svc-laoren-youdai",
		Applicant: &data.Person{Name: caseName, Mobile: caseMobile, IDNumber: "440106195001011237"},
		Values: data.FormValues{"applicant_name": caseName, "id_number": "440106195001011237", "mobile": caseMobile,
			"birth_date": "1950-01-01", "hukou_type": "本市户籍", "delivery": "社区居委会代领"}})
	h := o.signIn("承办甲", []server.Role{server.RoleHandler}, demoStreet)
	_, body := h.get(casePath(ref))
	if !strings.Contains(body, "老年人") && !strings.Contains(body, "优待") {
		t.Errorf("the page does not name the service")
	}
	if strings.Contains(body, "社区居委会代领") || !strings.Contains(body, "已隐藏") {
		t.Fatalf("the masked page shows the answers")
	}
	_, body = h.post(casePath(ref)+"/unmask", nil)
	for _, s := range []string{"户籍类型", "本市户籍", "领取方式", "社区居委会代领", "出生日期"} {
		if !strings.Contains(body, s) {
			t.Errorf("the unmasked page lacks %q", s)
		}
	}
}
