package admin

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/sync/server"
	"jiezhen/sync/wire"
)

const (
	openConsultation = "zj-2026-03" // street A, open until 2026-12-31
	residentName     = "王小明"
	residentMobile   = "13912345678"
)

// giveOpinions files n opinions on a topic of a consultation through the
// website, as residents do, and returns their ids.
func (o *testOffice) giveOpinions(consultation, topic string, n int) []string {
	o.t.Helper()
	var ids []string
	for i := range n {
		id := fmt.Sprintf("%s%s%02d%s", server.WebPrefix, strings.Repeat("a", 28), i, topic)
		body, _ := json.Marshal(data.Opinion{ID: id, Consultation: consultation, Topic: topic,
			Text: fmt.Sprintf("第%d条意见：希望增加座椅。", i+1), Name: residentName, Mobile: residentMobile})
		r, err := o.p.FileFromWeb(context.Background(), demoStreet, wire.ItemOpinion, id, body)
		if err != nil || r.Outcome != wire.Accepted {
			o.t.Fatalf("opinion %s: %+v %v", id, r, err)
		}
		ids = append(ids, id)
	}
	return ids
}

func status(t *testing.T, resp *http.Response, want int, what string) {
	t.Helper()
	if resp.StatusCode != want {
		t.Fatalf("%s: %d, want %d", what, resp.StatusCode, want)
	}
}

// A reviewer reads a consultation's opinions with the residents' data
// masked, a page at a time, marks one (refused without a reason), and
// publishes the feedback once the consultation has closed; the website
// then shows it.
func TestOpinionPages(t *testing.T) {
	o := newTestOffice(t)
	ids := o.giveOpinions(openConsultation, "t1", 21)
	o.giveOpinions(openConsultation, "t2", 1)
	c := o.signIn("审核员", []server.Role{server.RoleReviewer})
	base := Prefix + "opinions/" + openConsultation

	resp, body := c.get(Prefix + "opinions/")
	status(t, resp, 200, "the list")
	if !strings.Contains(body, "微改造") && !strings.Contains(body, base) {
		t.Fatalf("the list does not link the consultation:\n%s", body)
	}
	if !strings.Contains(body, `<td class="num">22</td>`) {
		t.Errorf("the list does not count 22 opinions")
	}
	resp, body = c.get(base)
	status(t, resp, 200, "the consultation")
	if strings.Contains(body, residentName) || strings.Contains(body, residentMobile) {
		t.Fatal("the page shows the resident's name or mobile unmasked")
	}
	if !strings.Contains(body, data.MaskName(residentName)) || !strings.Contains(body, data.MaskMobile(residentMobile)) ||
		!strings.Contains(body, "共 22 条，第 1 / 2 页") || !strings.Contains(body, `rel="next"`) {
		t.Fatalf("the first page:\n%s", body)
	}
	if resp, body = c.get(base + "?page=2"); resp.StatusCode != 200 || strings.Count(body, `class="opinion"`) != 2 {
		t.Fatalf("the second page: %d, %d opinions", resp.StatusCode, strings.Count(body, `class="opinion"`))
	}
	if resp, body = c.get(base + "?topic=t2"); resp.StatusCode != 200 || strings.Count(body, `class="opinion"`) != 1 {
		t.Fatalf("topic t2: %d, %d opinions", resp.StatusCode, strings.Count(body, `class="opinion"`))
	}
	if resp, _ = c.get(base + "?page=x"); resp.StatusCode != 400 {
		t.Errorf("a bad page: %d", resp.StatusCode)
	}

	mark := base + "/mark/" + ids[0]
	resp, body = c.get(mark)
	status(t, resp, 200, "the mark form")
	resp, body = c.post(mark, url.Values{"outcome": {"adopted"}, "reason": {"  "}})
	if resp.StatusCode != 400 || !strings.Contains(body, "请填写理由") || !strings.Contains(body, `aria-invalid="true"`) {
		t.Fatalf("a mark without a reason: %d\n%s", resp.StatusCode, body)
	}
	resp, body = c.post(mark, url.Values{"reason": {"理由"}})
	if resp.StatusCode != 400 || !strings.Contains(body, "请选择采纳情况") {
		t.Fatalf("a mark without an outcome: %d", resp.StatusCode)
	}
	resp, body = c.post(mark, url.Values{})
	if resp.StatusCode != 400 || !strings.Contains(body, `href="#outcome-adopted"`) || !strings.Contains(body, `href="#reason"`) {
		t.Fatalf("an empty mark does not name both fields: %d", resp.StatusCode)
	}
	resp, _ = c.post(mark, url.Values{"outcome": {"adopted"}, "reason": {"已纳入改造方案"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != base {
		t.Fatalf("the mark: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = c.get(base)
	if !strings.Contains(body, "已纳入改造方案") || !strings.Contains(body, "标记已保存") {
		t.Fatal("the consultation does not show the mark and its confirmation")
	}
	if lines := o.auditLines("opinion.mark"); len(lines) != 1 || lines[0].Target != "opinion:"+ids[0] || lines[0].Street != demoStreet {
		t.Fatalf("the mark's audit: %+v", lines)
	}
	if resp, _ = c.get(base + "/mark/" + ids[0][:len(ids[0])-1] + "x"); resp.StatusCode != 404 {
		t.Errorf("an unknown opinion: %d", resp.StatusCode)
	}
	if resp, _ = c.get(Prefix + "opinions/zj-2026-04/mark/" + ids[0]); resp.StatusCode != 404 {
		t.Errorf("an opinion under another consultation: %d", resp.StatusCode)
	}

	// Feedback waits for the close.
	fb := url.Values{}
	for _, tp := range []string{"t1", "t2", "t3", "t4"} {
		fb.Set("outcome-"+tp, "partly")
		fb.Set("reason-"+tp, "部分意见已采纳："+tp)
	}
	if resp, body = c.get(base + "/feedback"); resp.StatusCode != 200 || !strings.Contains(body, "结束后才能发布反馈") {
		t.Fatalf("the feedback form while open: %d", resp.StatusCode)
	}
	if resp, _ = c.post(base+"/feedback", fb); resp.StatusCode != http.StatusConflict {
		t.Fatalf("feedback while open: %d", resp.StatusCode)
	}
	o.clock.Set(time.Date(2027, 1, 4, 2, 0, 0, 0, time.UTC))
	c = o.session(c.user) // the old session has expired meanwhile
	resp, body = c.get(base + "/feedback")
	if resp.StatusCode != 200 || !strings.Contains(body, `id="outcome-t1-adopted" name="outcome-t1" value="adopted" checked`) {
		t.Fatalf("the feedback form does not start from the marks: %d", resp.StatusCode)
	}
	short := url.Values{}
	for k, v := range fb {
		short[k] = v
	}
	short.Del("reason-t3")
	resp, body = c.post(base+"/feedback", short)
	if resp.StatusCode != 400 || !strings.Contains(body, `href="#reason-t3"`) {
		t.Fatalf("feedback without topic t3's reason: %d", resp.StatusCode)
	}
	resp, _ = c.post(base+"/feedback", fb)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != base {
		t.Fatalf("the feedback: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if lines := o.auditLines("consultation.feedback"); len(lines) != 1 || lines[0].Target != "consultation:"+openConsultation {
		t.Fatalf("the feedback's audit: %+v", lines)
	}
	resp, body = c.get("/s/" + demoStreet + "/consultations/" + openConsultation)
	if resp.StatusCode != 200 || !strings.Contains(body, "部分意见已采纳：t1") || !strings.Contains(body, "部分意见已采纳：t4") {
		t.Fatalf("the website does not show the feedback: %d", resp.StatusCode)
	}
}

// A user of street B is refused street A's consultation, its opinions,
// their marks and its feedback, each refusal audited, and does not see it
// in the list; nothing is changed.
func TestOpinionsOtherStreet(t *testing.T) {
	o := newTestOffice(t)
	ids := o.giveOpinions(openConsultation, "t1", 1)
	c := o.signIn("林和审核", []server.Role{server.RoleReviewer, server.RoleEditor}, otherStreet)
	base := Prefix + "opinions/" + openConsultation

	_, body := c.get(Prefix + "opinions/")
	if strings.Contains(body, base) {
		t.Fatal("street B's list shows street A's consultation")
	}
	for _, try := range []struct {
		method, path string
		form         url.Values
	}{
		{"GET", base, nil},
		{"GET", base + "/mark/" + ids[0], nil},
		{"POST", base + "/mark/" + ids[0], url.Values{"outcome": {"adopted"}, "reason": {"理由"}}},
		{"GET", base + "/feedback", nil},
		{"POST", base + "/feedback", url.Values{"outcome-t1": {"adopted"}, "reason-t1": {"理由"}}},
	} {
		before := len(o.auditLines("denied"))
		var resp *http.Response
		if try.method == "POST" {
			resp, body = c.post(try.path, try.form)
		} else {
			resp, body = c.get(try.path)
		}
		if resp.StatusCode != http.StatusForbidden || strings.Contains(body, "希望增加座椅") {
			t.Errorf("%s %s: %d, want 403 without the opinion", try.method, try.path, resp.StatusCode)
		}
		if denied := o.auditLines("denied"); len(denied) != before+1 || denied[0].UserID != c.user.ID {
			t.Errorf("%s %s: the refusal is not audited", try.method, try.path)
		}
	}
	if n := len(o.auditLines("opinion.mark")) + len(o.auditLines("consultation.feedback")); n != 0 {
		t.Fatalf("%d changes audited", n)
	}
	rec, _, err := o.p.Opinion(context.Background(), server.User{}, ids[0])
	if err != nil || rec.Outcome != "" {
		t.Fatalf("the opinion was marked: %+v %v", rec, err)
	}
}
