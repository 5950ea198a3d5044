package web

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/sync/server"
	"jiezhen/sync/wire"
)

// A street's last month shows on its home in three large figures and on
// its figures page with a chart of 12 months, once the district has set
// them; publishing the content again keeps them.
func TestStreetFigures(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	_, home := s.get("/s/" + demoStreet + "/")
	if strings.Contains(home, "办件公开") {
		t.Fatal("the home shows figures before there are any")
	}
	if _, page := s.get("/s/" + demoStreet + "/figures"); !strings.Contains(page, "本街道尚无上月统计。") {
		t.Fatal("the figures page says nothing of having none")
	}
	s.clock.Set(time.Date(2026, 11, 10, 2, 0, 0, 0, time.UTC))
	c := data.Case{ID: "web-fig-1", Kind: data.CaseAppeal, Street: demoStreet, Status: data.StatusSubmitted, AppealType: data.AppealConsult,
		Description: "路灯不亮", Applicant: &data.Person{Name: "张三", Mobile: "13800138000"}, SubmittedAt: s.clock.Now()}
	body, _ := json.Marshal(c)
	res, err := s.p.FileFromWeb(ctx, demoStreet, wire.ItemCase, c.ID, body)
	if err != nil || res.Outcome != wire.Accepted {
		t.Fatalf("file: %+v %v", res, err)
	}
	s.clock.Set(time.Date(2026, 11, 11, 2, 0, 0, 0, time.UTC))
	if _, err := s.p.MoveCase(ctx, server.CaseMove{Ref: res.Ref, To: data.StatusReplied, Reason: "已修复"}); err != nil {
		t.Fatal(err)
	}
	s.clock.Set(time.Date(2026, 12, 8, 2, 0, 0, 0, time.UTC))
	if n, err := s.p.PublishFigures(ctx, s.p.LastMonth()); err != nil || n == 0 {
		t.Fatalf("figures: %d streets, %v", n, err)
	}
	_, home = s.get("/s/" + demoStreet + "/")
	for _, want := range []string{"办件公开", `<span class="figure">1</span> 件受理`, `<span class="figure">100%</span> 按期办结率`,
		`<span class="figure">—</span> 群众满意率`, `href="/s/` + demoStreet + `/figures"`} {
		if !strings.Contains(home, want) {
			t.Errorf("the home lacks %q", want)
		}
	}
	_, page := s.get("/s/" + demoStreet + "/figures")
	for _, want := range []string{"<svg", "近12个月每月受理办件数", "2026-11: 1", "2026-11"} {
		if !strings.Contains(page, want) {
			t.Errorf("the figures page lacks %q", want)
		}
	}
	if strings.Contains(page, "<script") {
		t.Error("a script on the figures page")
	}
	st, err := s.p.Content(ctx, data.KindStreet, demoStreet)
	if err != nil {
		t.Fatal(err)
	}
	var street data.Street
	json.Unmarshal(st.Body, &street)
	if _, err := s.p.Publish(ctx, &data.ContentSet{Streets: []data.Street{{Code: street.Code, Name: street.Name, District: street.District,
		Address: street.Address, Phone: street.Phone, Hours: street.Hours + " "}}}); err != nil {
		t.Fatal(err)
	}
	if _, home = s.get("/s/" + demoStreet + "/"); !strings.Contains(home, `<span class="figure">1</span>`) {
		t.Error("publishing the street again dropped its figures")
	}
}
