package server

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/sync/wire"
)

// consultations publishes, beside the test content's zj-a, a consultation
// of street A with two topics closing on 2026-11-30, and a district-wide
// one.
func (e *env) consultations() {
	e.t.Helper()
	topics := []data.Topic{{ID: "t1", Title: "口袋公园"}, {ID: "t2", Title: "停车位"}}
	e.publish(&data.ContentSet{Consultations: []data.Consultation{
		{ID: "zj-b", Street: streetA, Title: "改造方案", Publisher: "街道", Draft: "方案", Opens: data.MustDate("2026-11-10"), Closes: data.MustDate("2026-11-30"), Topics: topics},
		{ID: "zj-d", Title: "全区方案", Publisher: "区", Draft: "方案", Opens: data.MustDate("2026-11-10"), Closes: data.MustDate("2026-11-30"), Topics: topics[:1]},
	}})
}

func opinionOn(t testing.TB, id, consultation, topic string) wire.PushItem {
	o := data.Opinion{ID: id, Consultation: consultation, Topic: topic, Text: "意见" + id, Name: "王五", Mobile: testMobile, At: time.Now()}
	return wire.PushItem{ID: id, Kind: wire.ItemOpinion, Body: mustJSON(t, o)}
}

// Opinions from kiosks and the website are counted per topic, marked with
// a reason, and the consultation's feedback, once published, reaches the
// kiosks' feed with the counts.
func TestOpinionsMarkAndFeedback(t *testing.T) {
	e := newEnv(t)
	e.consultations()
	ctx := context.Background()
	e.push(e.tokA1, opinionOn(t, "op-1", "zj-b", "t1"), opinionOn(t, "op-2", "zj-b", "t1"), opinionOn(t, "op-3", "zj-b", "t2"),
		opinionOn(t, "op-d-a", "zj-d", "t1"))
	e.push(e.tokB1, opinionOn(t, "op-d-b", "zj-d", "t1"))
	web := opinionOn(t, WebPrefix+"00112233445566778899aabbccddeeff", "zj-b", "t2")
	if r, err := e.p.FileFromWeb(ctx, streetA, web.Kind, web.ID, web.Body); err != nil || r.Outcome != wire.Accepted {
		t.Fatalf("an opinion from the website: %+v %v", r, err)
	}

	district := User{ID: 1, Name: "区审核"}
	pg, err := e.p.ConsultationOpinions(ctx, district, "zj-b", OpinionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if pg.Total.Total != 4 || pg.Matched != 4 || len(pg.Opinions) != 4 || len(pg.Counts) != 2 ||
		pg.Counts[0].Topic != "t1" || pg.Counts[0].Total != 2 || pg.Counts[1].Topic != "t2" || pg.Counts[1].Total != 2 {
		t.Fatalf("zj-b: total %+v, %d matched, %d listed, counts %+v", pg.Total, pg.Matched, len(pg.Opinions), pg.Counts)
	}
	if pg.Opinions[3].Kiosk != 0 || pg.Opinions[0].Kiosk != e.a1.ID {
		t.Errorf("the website's opinion is not the last, from kiosk 0: %+v", pg.Opinions)
	}
	page, err := e.p.ConsultationOpinions(ctx, district, "zj-b", OpinionFilter{Topic: "t2", Offset: 1, Limit: 1})
	if err != nil || page.Matched != 2 || len(page.Opinions) != 1 || page.Opinions[0].Opinion.ID != web.ID {
		t.Fatalf("topic t2's second page: %+v %v", page, err)
	}

	// Marks: checked, stored, counted.
	if _, err := e.p.MarkOpinion(ctx, district, "op-1", "maybe", "理由"); !errors.Is(err, ErrOutcome) {
		t.Errorf("an unknown outcome: %v", err)
	}
	if _, err := e.p.MarkOpinion(ctx, district, "op-1", data.OutcomeAdopted, "  "); !errors.Is(err, ErrReason) {
		t.Errorf("no reason: %v", err)
	}
	if _, err := e.p.MarkOpinion(ctx, district, "op-none", data.OutcomeAdopted, "理由"); !errors.Is(err, ErrNotFound) {
		t.Errorf("an unknown opinion: %v", err)
	}
	e.clock.Add(time.Hour)
	o, err := e.p.MarkOpinion(ctx, district, "op-1", data.OutcomeAdopted, " 已纳入方案 ")
	if err != nil || o.Reason != "已纳入方案" || o.MarkedBy != "区审核" || !o.MarkedAt.Equal(e.clock.Now()) {
		t.Fatalf("mark: %+v %v", o, err)
	}
	if _, err := e.p.MarkOpinion(ctx, district, "op-2", data.OutcomeNotAdopted, "超出范围"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.p.MarkOpinion(ctx, district, "op-3", data.OutcomePartly, "部分采纳"); err != nil {
		t.Fatal(err)
	}
	list, err := e.p.ConsultationList(ctx, district)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]TopicCount{}
	for _, s := range list {
		counts[s.Consultation.ID] = s.Count
	}
	if c := counts["zj-b"]; len(list) != 3 || c.Total != 4 || c.Adopted != 1 || c.NotAdopted != 1 || c.Partly != 1 || c.Unmarked() != 1 || counts["zj-d"].Total != 2 {
		t.Fatalf("the list's counts: %+v", counts)
	}
	if n := e.query("SELECT count(*) FROM opinions WHERE outcome = 'adopted' AND reason = '已纳入方案' AND marked_by = '区审核'"); n != 1 {
		t.Errorf("%d stored marks", n)
	}
	marks, _, err := e.p.AdminAuditLines(ctx, AuditFilter{Action: "opinion.mark"})
	if err != nil || len(marks) != 3 || marks[0].Target != "opinion:op-3" || marks[0].Street != streetA || marks[0].UserName != "区审核" {
		t.Fatalf("the marks' audit: %+v %v", marks, err)
	}

	// Feedback: only once closed, every topic with an outcome and a reason.
	fb := []data.TopicFeedback{{Topic: "t1", Outcome: data.OutcomePartly, Reason: "部分采纳", Opinions: 99}, {Topic: "t2", Outcome: data.OutcomeAdopted, Reason: "增设车位"}}
	if _, err := e.p.PublishFeedback(ctx, district, "zj-b", fb); !errors.Is(err, ErrStillOpen) {
		t.Fatalf("feedback while open: %v", err)
	}
	e.clock.Add(6 * 24 * time.Hour) // 2026-12-01
	var te *TopicError
	if _, err := e.p.PublishFeedback(ctx, district, "zj-b", fb[:1]); !errors.As(err, &te) || te.Topic != "t2" {
		t.Fatalf("feedback without topic t2: %v", err)
	}
	c, err := e.p.PublishFeedback(ctx, district, "zj-b", fb)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Feedback) != 2 || c.Feedback[0].Opinions != 2 || c.Feedback[1].Opinions != 2 {
		t.Fatalf("published feedback %+v: the counts are the district's", c.Feedback)
	}
	if lines, _, err := e.p.AdminAuditLines(ctx, AuditFilter{Action: "consultation.feedback"}); err != nil || len(lines) != 1 || lines[0].Target != "consultation:zj-b" {
		t.Fatalf("the feedback's audit: %+v %v", lines, err)
	}
	changes, _ := e.pullAll(e.tokA2, 0)
	ch, ok := find(changes, data.KindConsultation, "zj-b")
	if !ok {
		t.Fatal("the consultation is not in street A's feed")
	}
	var got data.Consultation
	if err := json.Unmarshal(ch.Body, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Feedback) != 2 || got.Feedback[0].Outcome != data.OutcomePartly || got.Feedback[0].Reason != "部分采纳" ||
		got.Feedback[1].Opinions != 2 || ch.Version != 2 {
		t.Fatalf("the kiosk got version %d with feedback %+v", ch.Version, got.Feedback)
	}
}

// A street-scoped user sees its streets' consultations and the
// district-wide ones, of those only its streets' opinions, and is refused
// another street's consultation and opinions; a district-wide
// consultation's feedback takes a user of the whole district.
func TestOpinionsStreetScope(t *testing.T) {
	e := newEnv(t)
	e.consultations()
	ctx := context.Background()
	e.push(e.tokA1, opinionOn(t, "op-a", "zj-b", "t1"), opinionOn(t, "op-d-a", "zj-d", "t1"))
	e.push(e.tokB1, opinionOn(t, "op-d-b", "zj-d", "t1"))
	b := User{ID: 2, Name: "乙街编辑", Streets: []string{streetB}}

	list, err := e.p.ConsultationList(ctx, b)
	if err != nil || len(list) != 1 || list[0].Consultation.ID != "zj-d" || list[0].Count.Total != 1 {
		t.Fatalf("street B's list: %+v %v", list, err)
	}
	if _, err := e.p.ConsultationOpinions(ctx, b, "zj-b", OpinionFilter{}); !errors.Is(err, ErrForbidden) {
		t.Errorf("street A's consultation: %v", err)
	}
	if _, _, err := e.p.Opinion(ctx, b, "op-a"); !errors.Is(err, ErrForbidden) {
		t.Errorf("street A's opinion: %v", err)
	}
	if _, err := e.p.MarkOpinion(ctx, b, "op-d-a", data.OutcomeAdopted, "理由"); !errors.Is(err, ErrForbidden) {
		t.Errorf("marking street A's opinion on a district-wide consultation: %v", err)
	}
	pg, err := e.p.ConsultationOpinions(ctx, b, "zj-d", OpinionFilter{})
	if err != nil || pg.Total.Total != 1 || len(pg.Opinions) != 1 || pg.Opinions[0].Opinion.ID != "op-d-b" {
		t.Fatalf("the district-wide consultation for street B: %+v %v", pg, err)
	}
	e.clock.Add(7 * 24 * time.Hour)
	fb := []data.TopicFeedback{{Topic: "t1", Outcome: data.OutcomeAdopted, Reason: "采纳"}}
	if _, err := e.p.PublishFeedback(ctx, b, "zj-d", fb); !errors.Is(err, ErrForbidden) {
		t.Errorf("street B publishing a district-wide feedback: %v", err)
	}
	if n := e.query("SELECT count(*) FROM opinions WHERE outcome <> ''"); n != 0 {
		t.Errorf("%d opinions marked by refused requests", n)
	}
	if v := e.query("SELECT version FROM items WHERE kind = 'consultation' AND id = 'zj-d'"); v != 1 {
		t.Errorf("the refused feedback was published: version %d", v)
	}
}
