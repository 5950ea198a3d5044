package web

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/sync/server"
	"jiezhen/sync/wire"
)

const trackMobile = "13912345678"

// fileCase pushes a case as a kiosk of the demo street does and returns
// its reference.
func (s *site) fileCase(k server.Kiosk, c data.Case) string {
	s.t.Helper()
	body, err := json.Marshal(c)
	if err != nil {
		s.t.Fatal(err)
	}
	resp, err := s.p.Push(context.Background(), k, &wire.PushRequest{Items: []wire.PushItem{{ID: c.ID, Kind: wire.ItemCase, Body: body}}})
	if err != nil || resp.Results[0].Outcome != wire.Accepted {
		s.t.Fatalf("push %s: %+v %v", c.ID, resp, err)
	}
	return resp.Results[0].Ref
}

func (s *site) kiosk() server.Kiosk {
	s.t.Helper()
	k, _, err := s.p.AddKiosk(context.Background(), demoStreet, "一楼大厅")
	if err != nil {
		s.t.Fatal(err)
	}
	return k
}

func (s *site) move(ref string, to data.Status, reason string) {
	s.t.Helper()
	if _, err := s.p.MoveCase(context.Background(), server.CaseMove{Ref: ref, To: to, Reason: reason}); err != nil {
		s.t.Fatalf("move %s to %s: %v", ref, to, err)
	}
}

// trackTo posts the tracking form and returns the timeline's path.
func (s *site) trackTo(ref, phone4 string) string {
	s.t.Helper()
	resp, body := s.post("/s/"+demoStreet+"/track", url.Values{"ref": {ref}, "phone4": {phone4}})
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/s/"+demoStreet+"/track/") {
		s.t.Fatalf("track %s: %d %q\n%s", ref, resp.StatusCode, loc, body)
	}
	if phone4 != "" && strings.Contains(loc, phone4) {
		s.t.Fatalf("the four digits are in the URL %s", loc)
	}
	return loc
}

func appealCase(id string) data.Case {
	return data.Case{ID: id, Kind: data.CaseAppeal, Street: demoStreet, Status: data.StatusSubmitted,
		SubmittedAt: time.Date(2026, 12, 8, 1, 0, 0, 0, time.UTC), AppealType: data.AppealComplaint,
		Description: "小区门口路灯不亮", Location: "天河南一路1号",
		Applicant: &data.Person{Name: "陈小明", Mobile: trackMobile}}
}

// A case a kiosk filed is tracked on the website by its reference and the
// last four digits, rated once, and a case waiting for 补正 corrected,
// all through the district's rules; wrong digits and an unknown reference
// get the same page, and five failures lock the reference.
func TestTrackPages(t *testing.T) {
	s := newSite(t)
	k := s.kiosk()
	ref := s.fileCase(k, appealCase("web-appeal-1"))
	s.move(ref, data.StatusReplied, "已联系供电部门修复路灯")

	resp, body := s.get("/s/" + demoStreet + "/track?ref=" + url.QueryEscape(ref))
	if resp.StatusCode != 200 || !strings.Contains(body, `value="`+ref+`"`) || !strings.Contains(body, `method="post"`) {
		t.Fatalf("the form: %d\n%s", resp.StatusCode, body)
	}

	loc := s.trackTo(strings.ReplaceAll(ref, "-", ""), "5678")
	resp, body = s.get(loc)
	for _, want := range []string{ref, "已答复", "已联系供电部门修复路灯", "陈**", "139****5678", "办理过程"} {
		if resp.StatusCode != 200 || !strings.Contains(body, want) {
			t.Fatalf("the timeline lacks %q: %d\n%s", want, resp.StatusCode, body)
		}
	}
	if strings.Contains(body, trackMobile) || strings.Contains(body, "小区门口路灯不亮") || strings.Contains(body, `name="rating"`) {
		t.Fatalf("the timeline shows the mobile, the description or a rating form before completion\n%s", body)
	}
	if resp, _ := s.get("/s/" + otherStreet + loc[len("/s/"+demoStreet):]); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("the token under another street: %d", resp.StatusCode)
	}
	if resp, body := s.get("/s/" + demoStreet + "/track/nosuchtoken"); resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "查询已过期") {
		t.Fatalf("an unknown token: %d\n%s", resp.StatusCode, body)
	}

	// Wrong digits and an unknown reference: the same page.
	wrong, wbody := s.post("/s/"+demoStreet+"/track", url.Values{"ref": {ref}, "phone4": {"1234"}})
	unknownRef, _ := data.NewReference(k.ID, time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), 9)
	unknown, ubody := s.post("/s/"+demoStreet+"/track", url.Values{"ref": {unknownRef}, "phone4": {"1234"}})
	if wrong.StatusCode != http.StatusNotFound || unknown.StatusCode != http.StatusNotFound ||
		strings.ReplaceAll(ubody, unknownRef, ref) != wbody || !strings.Contains(wbody, "没有找到") {
		t.Fatalf("wrong digits %d, unknown reference %d: not the same page\n%s\n%s", wrong.StatusCode, unknown.StatusCode, wbody, ubody)
	}
	if resp, body := s.post("/s/"+demoStreet+"/track", url.Values{"ref": {"abc"}, "phone4": {"5678"}}); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "格式不正确") {
		t.Fatalf("a malformed reference: %d\n%s", resp.StatusCode, body)
	}

	// Completed: rated once, with a comment.
	s.move(ref, data.StatusCompleted, "回访确认路灯已修复")
	_, body = s.get(loc)
	if !strings.Contains(body, `name="rating"`) || strings.Count(body, `type="radio"`) != 5 {
		t.Fatalf("the completed case offers no rating with five choices\n%s", body)
	}
	resp, body = s.post(loc+"/rate", url.Values{"comment": {"修得很快"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "请选择一项评价") {
		t.Fatalf("a rating without a choice: %d\n%s", resp.StatusCode, body)
	}
	resp, _ = s.post(loc+"/rate", url.Values{"rating": {"5"}, "comment": {"修得很快"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != loc+"?done=rated" {
		t.Fatalf("rating: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = s.get(loc + "?done=rated")
	if !strings.Contains(body, "感谢您的评价") || !strings.Contains(body, "非常满意") || strings.Contains(body, `name="rating"`) {
		t.Fatalf("after rating\n%s", body)
	}
	if resp, body := s.post(loc+"/rate", url.Values{"rating": {"1"}}); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "already rated") {
		t.Fatalf("a second rating: %d\n%s", resp.StatusCode, body)
	}
	recs, err := s.p.Cases(context.Background(), server.CaseFilter{})
	if err != nil || len(recs) != 1 || recs[0].Case.Rating != data.RatingVerySatisfied || recs[0].Case.Status != data.StatusRated {
		t.Fatalf("the district's case: %+v %v", recs, err)
	}

	// A disclosure request waiting for 补正 is corrected on the website.
	disc := data.Case{ID: "web-disc-1", Kind: data.CaseDisclosure, Street: demoStreet, Status: data.StatusSubmitted,
		SubmittedAt: time.Date(2026, 12, 8, 1, 0, 0, 0, time.UTC),
		Request:     &data.DisclosureRequest{Information: "2025年道路维修资金", Purpose: "了解情况", Delivery: data.DeliveryEmail},
		Applicant:   &data.Person{Name: "王五", IDNumber: "440106199001011235", Mobile: "13700001111", Email: "w@example.com", Address: "天河南一路2号"}}
	dref := s.fileCase(k, disc)
	s.move(dref, data.StatusCorrection, "请说明所需信息的具体年份和路段")
	dloc := s.trackTo(dref, "1111")
	_, body = s.get(dloc)
	for _, want := range []string{"需要补正：", "请说明所需信息的具体年份和路段", "时限暂停", `action="/s/` + demoStreet + `/track/`} {
		if !strings.Contains(body, want) {
			t.Fatalf("the correction timeline lacks %q\n%s", want, body)
		}
	}
	if resp, body := s.post(dloc+"/correct", url.Values{}); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "请至少填写一项") {
		t.Fatalf("an empty correction: %d\n%s", resp.StatusCode, body)
	}
	resp, _ = s.post(dloc+"/correct", url.Values{data.CodeInformation: {"2025年天河南一路维修资金"}, correctionNote: {"补充年份"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the correction: %d", resp.StatusCode)
	}
	_, body = s.get(resp.Header.Get("Location"))
	if !strings.Contains(body, "补正已提交") || !strings.Contains(body, server.CorrectedReason) || strings.Contains(body, "需要补正：") {
		t.Fatalf("after the correction\n%s", body)
	}

	// An anonymous appeal by its reference alone, its public part only.
	anon := appealCase("web-anon-1")
	anon.Anonymous, anon.Applicant = true, nil
	aref := s.fileCase(k, anon)
	s.move(aref, data.StatusReplied, "已转交城管科处理")
	_, body = s.get(s.trackTo(aref, ""))
	if !strings.Contains(body, "只显示公开") || strings.Contains(body, "</time><br>") || strings.Contains(body, "联系人") {
		t.Fatalf("the anonymous appeal\n%s", body)
	}

	// Five failures lock the reference, even for the right digits.
	for i := 0; i < server.TrackMaxFailures-1; i++ {
		s.post("/s/"+demoStreet+"/track", url.Values{"ref": {dref}, "phone4": {"0000"}})
	}
	if resp, body := s.post("/s/"+demoStreet+"/track", url.Values{"ref": {dref}, "phone4": {"0000"}}); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("the fifth failure: %d\n%s", resp.StatusCode, body)
	}
	if resp, body := s.post("/s/"+demoStreet+"/track", url.Values{"ref": {dref}, "phone4": {"1111"}}); resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "15分钟") {
		t.Fatalf("after five failures: %d\n%s", resp.StatusCode, body)
	}
}

// A tracking token given by one districtd replica shows its case on
// another serving the same database, until it expires on both.
func TestTrackTokenOnAnotherReplica(t *testing.T) {
	s := newSite(t)
	ref := s.fileCase(s.kiosk(), appealCase("web-appeal-replica"))
	loc := s.trackTo(ref, "5678")

	st, err := server.OpenStore(context.Background(), s.db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	op := server.New(st, server.Options{Now: s.clock.Now})
	if err := op.UseKeyFile(context.Background(), s.kf); err != nil {
		t.Fatal(err)
	}
	other := httptest.NewServer(New(op, slog.New(slog.NewTextHandler(io.Discard, nil))).Handler())
	defer other.Close()
	get := func(base string) (int, string) {
		resp, err := noRedirect.Get(base + loc)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get(other.URL); code != http.StatusOK || !strings.Contains(body, ref) {
		t.Fatalf("the token on another replica: %d\n%s", code, body)
	}
	s.clock.Set(s.clock.Now().Add(server.TrackTTL))
	for _, base := range []string{s.url, other.URL} {
		if code, body := get(base); code != http.StatusNotFound || !strings.Contains(body, "查询已过期") {
			t.Fatalf("an expired token: %d\n%s", code, body)
		}
	}
}
