package server

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/sync/wire"
)

// TestPushRefusesFieldsBreakingRules: an item with a string field longer
// than its class allows, a control character, an id that is not an id or
// a url that is not http(s) is refused with the form code and a short
// reason naming the field, and nothing of it is stored; the rest of the
// batch goes on.
func TestPushRefusesFieldsBreakingRules(t *testing.T) {
	e := newEnv(t)
	huge := strings.Repeat("参", 6000) // past every class but a document's
	// The one example of the request's size: a 900,000-character reference.
	bigRef := appeal(t, "c-bigref", streetA)
	bigRef.Body = bytes.Replace(bigRef.Body, []byte(`"ref":""`), []byte(`"ref":"`+strings.Repeat("7", 900000)+`"`), 1)
	if r := e.push(e.tokA1, bigRef).Results[0]; r.Outcome != wire.Refused || r.Code != wire.RefusedForm ||
		!strings.Contains(r.Reason, `field "ref" is longer than 200 characters`) || len(r.Reason) > 300 {
		t.Errorf("a 900,000-character ref: %s %q %.300q", r.Outcome, r.Code, r.Reason)
	}
	edit := func(c *data.Case) wire.PushItem {
		return wire.PushItem{ID: c.ID, Kind: wire.ItemCase, Body: mustJSON(t, c)}
	}
	base := func(id string) *data.Case {
		return &data.Case{ID: id, Kind: data.CaseAppeal, Street: streetA, Status: data.StatusSubmitted,
			SubmittedAt: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC), AppealType: data.AppealComplaint,
			Description: "楼下噪音扰民", Applicant: &data.Person{Name: "张三", Mobile: testMobile}}
	}
	hugeRef := base("c-ref")
	hugeRef.Ref = huge
	nulName := base("c-name")
	nulName.Applicant.Name = "张\x00三"
	hugeText := base("c-text")
	hugeText.Description = huge
	badService := base("c-svc")
	badService.Kind, badService.Service = data.CaseApplication, "../../etc/passwd"
	hugeValue := application(t, "c-value", data.FormValues{"name": huge, "id_number": testID})
	ctrlValue := application(t, "c-ctrl", data.FormValues{"name": "李\x1b四", "id_number": testID})
	op := opinion(t, "op-huge")
	op.Body = bytes.Replace(op.Body, []byte(`"希望增加座椅"`), mustJSON(t, huge), 1)
	rating := wire.PushItem{ID: "r-huge", Kind: wire.ItemRating, Body: mustJSON(t, wire.RatingBody{Case: "c-good", Rating: 5, Comment: huge})}
	audit := wire.PushItem{ID: "a-huge", Kind: wire.ItemAudit, Body: mustJSON(t, wire.AuditBody{Action: "sign_in", Staff: huge, StaffID: "st-1", At: time.Now()})}
	editPath := wire.PushItem{ID: "e-path", Kind: wire.ItemStaffEdit, Body: mustJSON(t, wire.StaffEdit{Kind: data.KindNotice, ID: "../../etc/passwd", Op: data.OpDelete})}
	n := data.Notice{ID: "n-js", Street: streetA, Title: "停水通知", Category: "通知", Publisher: "天河南街道",
		Published: data.MustDate("2026-11-20"), Body: "明日停水", Attachments: []data.Attachment{{Name: "表格", URL: "javascript:alert(1)"}}}
	editJS := wire.PushItem{ID: "e-js", Kind: wire.ItemStaffEdit, Body: mustJSON(t, wire.StaffEdit{Kind: data.KindNotice, ID: "n-js", Op: data.OpUpsert, Item: mustJSON(t, n)})}
	n.ID, n.Attachments = "<script>", nil
	editScript := wire.PushItem{ID: "e-script", Kind: wire.ItemStaffEdit, Body: mustJSON(t, wire.StaffEdit{Kind: data.KindNotice, ID: "<script>", Op: data.OpUpsert, Item: mustJSON(t, n)})}

	items := []wire.PushItem{edit(hugeRef), edit(nulName), edit(hugeText), edit(badService), hugeValue, ctrlValue, op, rating, audit,
		editPath, editJS, editScript, appeal(t, "c-good", streetA)}
	want := []struct {
		code  wire.RefusalCode
		field string
	}{
		{wire.RefusedForm, `"ref" is longer than 200 characters`},
		{wire.RefusedForm, `"applicant.name" contains a line break or a control character`},
		{wire.RefusedForm, `"description" is longer than 5000 characters`},
		{wire.RefusedForm, `"service" may hold only`},
		{wire.RefusedForm, `"values.name" is longer than 5000 characters`},
		{wire.RefusedForm, `"values.name" contains a control character`},
		{wire.RefusedForm, `"text" is longer than 5000 characters`},
		{wire.RefusedForm, `"comment" is longer than 5000 characters`},
		{wire.RefusedForm, `"staff" is longer than 100 characters`},
		{wire.RefusedForm, `"id" may hold only`},
		{wire.RefusedContent, `"attachments[0].url" must start with https: or http:`},
		{wire.RefusedForm, `"id" may hold only`},
	}
	resp := e.push(e.tokA1, items...)
	for i, w := range want {
		r := resp.Results[i]
		if r.Outcome != wire.Refused || r.Code != w.code || !strings.Contains(r.Reason, w.field) {
			t.Errorf("%s: %s %q %.200q, want refused %q naming %s", items[i].ID, r.Outcome, r.Code, r.Reason, w.code, w.field)
		}
		if len(r.Reason) > 300 || strings.Contains(r.Reason, "参参") || strings.Contains(r.Reason, "张") {
			t.Errorf("%s: the reason is %d bytes or quotes the value: %.200q", items[i].ID, len(r.Reason), r.Reason)
		}
	}
	if r := resp.Results[len(items)-1]; r.Outcome != wire.Accepted {
		t.Errorf("the good appeal after them: %+v", r)
	}
	if n := e.count("cases"); n != 1 { // c-good
		t.Errorf("%d cases stored, want the good one", n)
	}
	if n := e.count("opinions") + e.count("audit") + e.count("ratings"); n != 0 {
		t.Errorf("%d opinions, audit records and ratings stored", n)
	}
	all, _ := e.pullAll(e.tokA1, 0)
	for _, id := range []string{"n-js", "<script>", "../../etc/passwd"} {
		if _, ok := find(all, data.KindNotice, id); ok {
			t.Errorf("notice %q was published", id)
		}
	}
}
