package admin

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"jiezhen/sync/server"
)

// The reports page shows the chosen report with its charts and offers
// each format; a user of some streets gets only those streets' reports
// (403, audited, for another street or the district) and only their
// lines of the ranking; an editor sends the annual report to review.
func TestReports(t *testing.T) {
	o := newTestOffice(t)
	streets, err := o.p.Streets(context.Background())
	if err != nil || len(streets) < 2 {
		t.Fatal(streets, err)
	}
	a, b := streets[0], streets[1]

	admin := o.signIn("区管理员", []server.Role{server.RoleAdmin})
	resp, page := admin.get("/admin/reports/")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("reports: %d", resp.StatusCode)
	}
	for _, want := range []string{"统计报表", "2026-11 月度统计", "<svg", "近12个月按期办结率", "各街道按期办结率", "reports/file?format=xlsx"} {
		if !strings.Contains(page, want) && !strings.Contains(page, strings.ReplaceAll(want, "?", "?kind=monthly&amp;period=2026-11&amp;street=&amp;")) {
			t.Errorf("the reports page lacks %q", want)
		}
	}
	if strings.Contains(page, "/admin/reports/draft") {
		t.Error("an admin who is no editor is offered the draft")
	}
	_, page = admin.get("/admin/reports/?kind=annual&period=2026&street=" + a.Code)
	for _, want := range []string{"2026年政府信息公开工作年度报告", "三、收到和处理政府信息公开申请情况", "（七）总计", "商业企业"} {
		if !strings.Contains(page, want) {
			t.Errorf("the annual report lacks %q", want)
		}
	}
	resp, body := admin.get("/admin/reports/file?kind=monthly&period=2026-11&street=" + a.Code + "&format=xlsx")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != reportTypes["xlsx"] || !strings.HasPrefix(body, "PK") ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "monthly-2026-11-"+a.Code+".xlsx") {
		t.Errorf("xlsx: %d %v", resp.StatusCode, resp.Header)
	}
	resp, body = admin.get("/admin/reports/file?kind=quarterly&period=2026Q4&street=&format=json")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"quarter": "2026Q4"`) {
		t.Errorf("json: %d %.200s", resp.StatusCode, body)
	}
	for _, bad := range []string{"?kind=weekly", "?kind=monthly&period=2026Q4", "?kind=monthly&period=2030-01"} {
		if resp, _ := admin.get("/admin/reports/" + bad); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", bad, resp.StatusCode)
		}
	}

	inspector := o.signIn("监察甲", []server.Role{server.RoleInspector}, a.Code)
	if resp, page := inspector.get("/admin/reports/"); resp.StatusCode != http.StatusOK || strings.Contains(page, `value=""`) ||
		!strings.Contains(page, a.Name+" 2026-11 月度统计") {
		t.Errorf("a street's inspector: %d, district offered or not their street's report", resp.StatusCode)
	}
	o.wantForbidden(inspector, http.MethodGet, "/admin/reports/?kind=monthly&period=2026-11&street="+b.Code, nil)
	o.wantForbidden(inspector, http.MethodGet, "/admin/reports/?kind=monthly&period=2026-11&street=", nil)
	o.wantForbidden(inspector, http.MethodGet, "/admin/reports/file?kind=annual&period=2026&format=pdf&street="+b.Code, nil)
	_, page = inspector.get("/admin/reports/?kind=quarterly&period=2026Q4&street=" + a.Code)
	if strings.Contains(page, "403") || !strings.Contains(page, a.Name) || strings.Contains(page, ">"+b.Name+"<") {
		i := strings.Index(page, ">"+b.Name+"<")
		t.Errorf("a street's inspector sees another street's line of the ranking: %q", page[max(i-300, 0):min(i+100, len(page))])
	}

	editor := o.signIn("编辑乙", []server.Role{server.RoleAdmin, server.RoleEditor})
	_, page = editor.get("/admin/reports/?kind=annual&period=2026&street=" + a.Code)
	if !strings.Contains(page, "/admin/reports/draft") {
		t.Fatal("an editor is not offered the draft")
	}
	resp, _ = editor.post("/admin/reports/draft", url.Values{"period": {"2026"}, "street": {a.Code}})
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/admin/content/drafts/") {
		t.Fatalf("draft: %d %s", resp.StatusCode, loc)
	}
	_, page = editor.get(loc)
	if !strings.Contains(page, "政府信息公开年报") && !strings.Contains(page, "annual-report-2026-"+a.Code) {
		t.Errorf("the draft's page does not show the annual report")
	}
	if lines := o.auditLines("report.draft"); len(lines) != 1 {
		t.Errorf("audit lines for the draft: %d", len(lines))
	}
}
