package server

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/sync/wire"
)

// withRef is the item with the reference a kiosk made offline.
func withRef(t testing.TB, it wire.PushItem, ref string) wire.PushItem {
	t.Helper()
	var c data.Case
	if err := json.Unmarshal(it.Body, &c); err != nil {
		t.Fatal(err)
	}
	c.Ref = ref
	it.Body = mustJSON(t, c)
	return it
}

func kioskRef(t testing.TB, kiosk int64, at time.Time, seq int) string {
	t.Helper()
	ref, err := data.NewReference(kiosk, at, seq)
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

// The district keeps the reference on the resident's receipt when the
// kiosk made it right, and gives its own (kiosk field 0) otherwise.
func TestCaseReferences(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	now := e.clock.Now()
	mine := kioskRef(t, e.a1.ID, now, 1)
	other := kioskRef(t, e.a2.ID, now, 7)
	check := "1"
	if mine[10] == '1' {
		check = "2"
	}
	bad := mine[:10] + check
	if data.CheckReference(bad) == nil {
		t.Fatal("test reference with a wrong check character passes")
	}
	res := e.push(e.tokA1,
		withRef(t, appeal(t, "case-kept", streetA), strings.ToLower(mine)), // as typed: still the kiosk's
		withRef(t, appeal(t, "case-reused", streetA), mine),                // used already
		withRef(t, appeal(t, "case-other", streetA), other),                // another kiosk's number
		withRef(t, appeal(t, "case-bad", streetA), bad),                    // mistyped check character
		appeal(t, "case-none", streetA),                                    // a kiosk without a number
	).Results
	if res[0].Outcome != wire.Accepted || res[0].Ref != mine {
		t.Fatalf("the kiosk's own reference is not kept: %+v (sent %s)", res[0], mine)
	}
	seen := map[string]bool{mine: true}
	for _, r := range res[1:] {
		k, err := data.ReferenceKiosk(r.Ref)
		if r.Outcome != wire.Accepted || err != nil || k != 0 || seen[r.Ref] {
			t.Fatalf("%s: want a new district reference with kiosk field 0, got %+v (%v)", r.ID, r, err)
		}
		seen[r.Ref] = true
	}
	// The feed and the record carry the same reference as the result.
	changes, _ := e.pullAll(e.tokA1, 0)
	for _, r := range res {
		c, ok := find(changes, wire.KindCase, r.ID)
		var got data.Case
		if !ok || json.Unmarshal(c.Body, &got) != nil || got.Ref != r.Ref {
			t.Fatalf("%s in the feed: %s, want ref %s", r.ID, c.Body, r.Ref)
		}
	}
	// Found as a resident or clerk types it: any case, with or without
	// dashes, O for 0.
	typed := strings.ToLower(strings.ReplaceAll(mine, "-", ""))
	typed = strings.ReplaceAll(typed, "0", "o")
	rec, err := e.p.MoveCase(ctx, CaseMove{Ref: " " + typed + " ", To: data.StatusReplied, Reason: "已处理"})
	if err != nil || rec.Case.ID != "case-kept" {
		t.Fatalf("move by %q: %+v %v", typed, rec.Case, err)
	}
	if _, err := e.p.MoveCase(ctx, CaseMove{Ref: bad, To: data.StatusReplied, Reason: "x"}); err == nil || !strings.Contains(err.Error(), "check character") {
		t.Fatalf("a mistyped reference: %v", err)
	}
	// A district serial runs on the next day from 1 again, still unique.
	e.clock.Add(24 * time.Hour)
	r := e.push(e.tokA2, appeal(t, "case-next-day", streetA)).Results[0]
	if k, err := data.ReferenceKiosk(r.Ref); err != nil || k != 0 || seen[r.Ref] || !strings.HasSuffix(r.Ref[:10], "-01") {
		t.Fatalf("next day's district reference %s (%v)", r.Ref, err)
	}
}

// A day with more district references than the serial field holds goes on
// in the reserved kiosk fields from the top, and never repeats one.
func TestDistrictReferenceOverflow(t *testing.T) {
	e := newEnv(t)
	seen := map[string]bool{}
	var last string
	err := e.st.Write(context.Background(), func(tx Tx) error {
		for i := 0; i < data.MaxRefSerial+2; i++ {
			ref, err := districtReference(tx, e.clock.Now())
			if err != nil {
				return err
			}
			if seen[ref] || data.CheckReference(ref) != nil {
				t.Fatalf("reference %d: %s repeated or malformed", i, ref)
			}
			seen[ref] = true
			last = ref
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if k, _ := data.ReferenceKiosk(last); k != data.MaxRefKiosk {
		t.Fatalf("overflow reference %s: kiosk field %d, want %d", last, k, data.MaxRefKiosk)
	}
}

func disclosure(t testing.TB, id string) wire.PushItem {
	c := data.Case{ID: id, Kind: data.CaseDisclosure, Street: streetA, Status: data.StatusSubmitted,
		SubmittedAt: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC),
		Request:     &data.DisclosureRequest{Information: "2025年老旧小区改造资金使用情况", Purpose: "了解本小区改造", Delivery: data.DeliveryEmail},
		Applicant:   &data.Person{Name: "王五", IDNumber: testID, Mobile: testMobile, Email: "wangwu@example.com", Address: "六运三街22号"}}
	return wire.PushItem{ID: id, Kind: wire.ItemCase, Body: mustJSON(t, c)}
}

// feedCase is the filing kiosk's current view of a case.
func (e *env) feedCase(token, id string) (data.Case, string) {
	e.t.Helper()
	changes, _ := e.pullAll(token, 0)
	c, ok := find(changes, wire.KindCase, id)
	if !ok {
		e.t.Fatalf("case %s is not in the feed", id)
	}
	var got data.Case
	if err := json.Unmarshal(c.Body, &got); err != nil {
		e.t.Fatal(err)
	}
	return got, string(c.Body)
}

func (e *env) move(m CaseMove) CaseRecord {
	e.t.Helper()
	e.clock.Add(time.Hour)
	rec, err := e.p.MoveCase(context.Background(), m)
	if err != nil {
		e.t.Fatalf("move %s to %s: %v", m.Ref, m.To, err)
	}
	return rec
}

// Every clerk action on every kind of case, with what each must carry, and
// what the filing kiosk sees of it: reasons, department, reply, reply type
// and deadline, and never the resident's personal data.
func TestClerkActions(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	res := e.push(e.tokA1,
		application(t, "app-1", data.FormValues{"name": "李四", "id_number": testID}),
		appeal(t, "appeal-1", streetA),
		disclosure(t, "disc-1"),
		disclosure(t, "disc-2"),
	).Results
	app, apl, disc, disc2 := res[0].Ref, res[1].Ref, res[2].Ref, res[3].Ref
	for _, r := range res {
		if r.Outcome != wire.Accepted {
			t.Fatalf("push: %+v", r)
		}
	}
	refused := func(m CaseMove, want string) {
		t.Helper()
		if _, err := e.p.MoveCase(ctx, m); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("move %s to %s: %v, want an error saying %q", m.Ref, m.To, err, want)
		}
	}

	// An application: returned for correction saying what is missing,
	// then refused with the reason.
	refused(CaseMove{Ref: app, To: data.StatusCorrection}, "needs a reason")
	e.move(CaseMove{Ref: app, To: data.StatusCorrection, Reason: "缺少户口簿首页复印件"})
	e.move(CaseMove{Ref: app, To: data.StatusRefused, Reason: "申请人不在本街道居住"})
	got, _ := e.feedCase(e.tokA1, "app-1")
	if h := got.History; got.Status != data.StatusRefused || len(h) != 3 || h[1].Reason != "缺少户口簿首页复印件" || h[2].Reason != "申请人不在本街道居住" {
		t.Fatalf("application in the feed: %+v", got)
	}
	refused(CaseMove{Ref: app, To: data.StatusAccepted}, `from "refused"`)

	// An appeal: dispatched to a department, which the resident sees.
	refused(CaseMove{Ref: apl, To: data.StatusDispatched}, "department")
	refused(CaseMove{Ref: apl, To: data.StatusInProgress, Department: "城管科"}, "department goes only with")
	refused(CaseMove{Ref: apl, To: data.StatusReplied, Reason: "已处理", ReplyType: data.ReplyDisclosed}, "only a disclosure request's reply")
	e.move(CaseMove{Ref: apl, To: data.StatusDispatched, Department: "  街道城管科 "})
	e.move(CaseMove{Ref: apl, To: data.StatusInProgress})
	e.move(CaseMove{Ref: apl, To: data.StatusReplied, Reason: "已责令商户整改，夜间施工已停止"})
	e.move(CaseMove{Ref: apl, To: data.StatusCompleted, Reason: "回访确认已解决"})
	got, body := e.feedCase(e.tokA1, "appeal-1")
	if got.Department != "街道城管科" || got.Reply == nil || got.Reply.Text != "已责令商户整改，夜间施工已停止" || got.Reply.Type != "" ||
		got.Status != data.StatusCompleted || got.History[len(got.History)-1].Reason != "回访确认已解决" {
		t.Fatalf("appeal in the feed: %s", body)
	}

	// A disclosure request: extended once, with its reason, on the
	// district's calendar; then replied with one of the seven types.
	first, _ := e.feedCase(e.tokA1, "disc-1")
	if first.Deadline != data.MustDate("2026-12-23") {
		t.Fatalf("disclosure deadline %s, want 20 working days after 2026-11-25", first.Deadline)
	}
	refused(CaseMove{Ref: disc, To: data.StatusExtended}, "needs a reason")
	e.move(CaseMove{Ref: disc, To: data.StatusExtended, Reason: "需征求第三方意见"})
	refused(CaseMove{Ref: disc, To: data.StatusExtended, Reason: "再次延期"}, "extended")
	refused(CaseMove{Ref: disc, To: data.StatusReplied, Reason: "见附件"}, "needs a reply type")
	refused(CaseMove{Ref: disc, To: data.StatusReplied, Reason: "见附件", ReplyType: "maybe"}, `unknown reply type "maybe"`)
	e.move(CaseMove{Ref: disc, To: data.StatusReplied, Reason: "已通过电子邮件发送", ReplyType: data.ReplyDisclosed})
	got, body = e.feedCase(e.tokA1, "disc-1")
	if got.Deadline != data.MustDate("2027-01-20") {
		t.Fatalf("extended deadline %s, want 20 working days after 2026-12-23", got.Deadline)
	}
	if h := got.History; len(h) != 3 || h[1].To != data.StatusExtended || h[1].Reason != "需征求第三方意见" {
		t.Fatalf("extension in the timeline: %+v", h)
	}
	if got.Reply == nil || got.Reply.Type != data.ReplyDisclosed || got.Reply.Text != "已通过电子邮件发送" {
		t.Fatalf("disclosure reply in the feed: %s", body)
	}
	// The one-time correction notice of a disclosure request.
	e.move(CaseMove{Ref: disc2, To: data.StatusCorrection, Reason: "请说明所需信息的年份"})

	for _, id := range []string{"app-1", "appeal-1", "disc-1", "disc-2"} {
		_, body := e.feedCase(e.tokA1, id)
		for _, s := range []string{"李四", "张三", "王五", testID, testMobile, "wangwu@", "噪音", "六运三街", "老旧小区", "了解本小区"} {
			if strings.Contains(body, s) {
				t.Errorf("case %s in the feed holds personal data or free text %q: %s", id, s, body)
			}
		}
	}
}

// A completed case not rated within 7 calendar days counts as 基本满意; a
// rating that comes later is refused and says why.
func TestAutoRate(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	res := e.push(e.tokA1, appeal(t, "case-1", streetA), appeal(t, "case-2", streetA), appeal(t, "case-3", streetA)).Results
	for _, r := range res {
		e.move(CaseMove{Ref: r.Ref, To: data.StatusReplied, Reason: "已答复"})
		e.move(CaseMove{Ref: r.Ref, To: data.StatusCompleted, Reason: "办结"})
	}
	// Completed on 25 November (China): open for rating through 2 December.
	rate := func(id, caseID string) wire.PushResult {
		return e.push(e.tokA1, wire.PushItem{ID: id, Kind: wire.ItemRating, Body: mustJSON(t, wire.RatingBody{Case: caseID, Rating: data.RatingVerySatisfied})}).Results[0]
	}
	if r := rate("rate-1", "case-1"); r.Outcome != wire.Accepted {
		t.Fatalf("rating in time: %+v", r)
	}
	e.clock.t = time.Date(2026, 12, 2, 15, 59, 0, 0, time.UTC) // 23:59 on 2 December in China
	if n, err := e.p.AutoRate(ctx); err != nil || n != 0 {
		t.Fatalf("auto-rate on the 7th day: %d %v", n, err)
	}
	e.clock.Add(2 * time.Minute)
	if n, err := e.p.AutoRate(ctx); err != nil || n != 2 {
		t.Fatalf("auto-rate after 7 days: %d %v", n, err)
	}
	if n, err := e.p.AutoRate(ctx); err != nil || n != 0 {
		t.Fatalf("auto-rate again: %d %v", n, err)
	}
	got, _ := e.feedCase(e.tokA1, "case-2")
	last := got.History[len(got.History)-1]
	if got.Status != data.StatusRated || got.Rating != data.RatingBasic || !got.RatingDefault || last.Reason != DefaultRatingReason || !last.At.Equal(e.clock.Now()) {
		t.Fatalf("auto-rated case in the feed: %+v", got)
	}
	if got, _ := e.feedCase(e.tokA1, "case-1"); got.Rating != data.RatingVerySatisfied || got.RatingDefault {
		t.Fatalf("a rated case was rated again: %+v", got)
	}
	if r := rate("rate-3", "case-3"); r.Outcome != wire.Refused || !strings.Contains(r.Reason, "基本满意") || !strings.Contains(r.Reason, "7 days") {
		t.Fatalf("a rating after the default: %+v", r)
	}
	if r := rate("rate-1b", "case-1"); r.Outcome != wire.Refused || !strings.Contains(r.Reason, "already rated") {
		t.Fatalf("a second rating: %+v", r)
	}
	if n := e.query("SELECT count(*) FROM ratings WHERE rating = 3 AND kiosk = 0"); n != 2 {
		t.Fatalf("%d default ratings recorded", n)
	}
}

func correctionItem(t testing.TB, id string, corr data.Correction) wire.PushItem {
	return wire.PushItem{ID: id, Kind: wire.ItemCorrection, Body: mustJSON(t, corr)}
}

// 补正: a case returned for correction goes back to received when the
// resident supplies what was missing, with a new deadline; what was
// supplied stays on the district.
func TestCorrection(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	res := e.push(e.tokA1,
		application(t, "app-1", data.FormValues{"name": "李四", "id_number": testID}),
		disclosure(t, "disc-1"),
		appeal(t, "appeal-1", streetA),
	).Results
	app, disc := res[0].Ref, res[1].Ref
	push := func(tok string, it wire.PushItem) wire.PushResult {
		t.Helper()
		return e.push(tok, it).Results[0]
	}
	early := push(e.tokA1, correctionItem(t, "corr-0", data.Correction{Case: "app-1", Note: "补交户口簿"}))
	if early.Outcome != wire.Refused || !strings.Contains(early.Reason, "not waiting for a correction") {
		t.Fatalf("a correction before the notice: %+v", early)
	}
	e.move(CaseMove{Ref: app, To: data.StatusCorrection, Reason: "姓名与身份证不一致"})
	e.move(CaseMove{Ref: disc, To: data.StatusCorrection, Reason: "请说明所需信息的年份"})
	e.clock.Add(3 * 24 * time.Hour) // 28 November, a Saturday in China

	for i, c := range []struct {
		corr data.Correction
		want string
	}{
		{data.Correction{Case: "app-1"}, "supplies nothing"},
		{data.Correction{Case: "app-1", Values: data.FormValues{"id_number": "440106199001011234"}}, "id_number"},
		{data.Correction{Case: "app-1", Values: data.FormValues{"pets": "2"}}, "pets"},
		{data.Correction{Case: "app-1", Information: "2025年"}, "only a disclosure request's"},
		{data.Correction{Case: "disc-1", Values: data.FormValues{"name": "x"}}, "only an application's"},
		{data.Correction{Case: "appeal-1", Note: "x"}, "not waiting"},
		{data.Correction{Case: "nope", Note: "x"}, `case "nope" is not known`},
		{data.Correction{Case: "app-1", Note: strings.Repeat("长", data.MaxCorrectionNote+1)}, "longer than"},
	} {
		r := push(e.tokA1, correctionItem(t, fmt.Sprintf("bad-%d", i), c.corr))
		if r.Outcome != wire.Refused || !strings.Contains(r.Reason, c.want) || strings.Contains(r.Reason, "440106199001011234") {
			t.Errorf("%+v: %+v, want refused saying %q", c.corr, r, c.want)
		}
	}
	if status, body := e.pushItems(e.tokB1, correctionItem(t, "corr-b", data.Correction{Case: "app-1", Note: "x"})); status != 403 {
		t.Fatalf("a correction from another street: %d %s", status, body)
	}

	good := correctionItem(t, "corr-1", data.Correction{Case: "app-1", Values: data.FormValues{"name": "李思"}, Note: "已核对身份证"})
	r := push(e.tokA2, good) // any kiosk of the street
	if r.Outcome != wire.Accepted || r.Ref != app {
		t.Fatalf("correction: %+v", r)
	}
	if again := push(e.tokA2, good); again.Outcome != wire.Duplicate || again.First == nil || again.First.Ref != app {
		t.Fatalf("retried correction: %+v", again)
	}
	changed := good
	changed.Body = mustJSON(t, data.Correction{Case: "app-1", Note: "另一个"})
	if status, _ := e.pushItems(e.tokA2, changed); status != 409 {
		t.Fatalf("same id, other body: %d", status)
	}
	got, body := e.feedCase(e.tokA1, "app-1")
	last := got.History[len(got.History)-1]
	// 5 promised working days from Saturday 28 November.
	if got.Status != data.StatusReceived || last.From != data.StatusCorrection || last.Reason != CorrectedReason || got.Deadline != data.MustDate("2026-12-04") {
		t.Fatalf("corrected application in the feed: %s", body)
	}
	for _, s := range []string{"李思", "已核对", "李四", testID} {
		if strings.Contains(body, s) {
			t.Errorf("the feed holds %q: %s", s, body)
		}
	}
	recs, _ := e.p.Cases(ctx, CaseFilter{})
	for _, rec := range recs {
		if rec.Case.ID == "app-1" {
			if rec.Case.Values["name"] != "李思" || rec.Case.Values["id_number"] != testID || len(rec.Case.Corrections) != 1 ||
				rec.Case.Corrections[0].Note != "已核对身份证" || !rec.Case.Corrections[0].At.Equal(e.clock.Now()) {
				t.Fatalf("the district's record: %+v", rec.Case)
			}
		}
	}
	// Once corrected, another correction waits for another notice.
	if r := push(e.tokA1, correctionItem(t, "corr-2", data.Correction{Case: "app-1", Note: "x"})); r.Outcome != wire.Refused {
		t.Fatalf("a second correction: %+v", r)
	}

	// A disclosure request: its 20 working days run again from today.
	if r := push(e.tokA1, correctionItem(t, "corr-3", data.Correction{Case: "disc-1", Information: "2025年度的资金使用情况"})); r.Outcome != wire.Accepted {
		t.Fatalf("disclosure correction: %+v", r)
	}
	got, _ = e.feedCase(e.tokA1, "disc-1")
	if got.Status != data.StatusReceived || got.Deadline != data.MustDate("2026-12-25") {
		t.Fatalf("corrected disclosure request: %+v", got)
	}
}
