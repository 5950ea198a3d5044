package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"jiezhen/data"
	"jiezhen/data/report"
	"jiezhen/sync/server"
	rf "jiezhen/sync/server/reportfixture"
)

// reportDB is a district database built by reportfixture, closed.
func reportDB(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "district.db")
	st, err := server.OpenSQLite(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	rf.Build(t, st)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return db
}

// The monthly report as JSON carries every figure the fixture constructs,
// and as XLSX the same figures, cell by cell, as numbers.
func TestReportMonthlyJSONAndXLSX(t *testing.T) {
	db := reportDB(t)
	dir := t.TempDir()
	js, xl := filepath.Join(dir, "m.json"), filepath.Join(dir, "m.xlsx")
	ok(t, "report", "monthly", "--db", db, "--month", "2026-11", "--street", rf.StreetA, "--format", "json", "--out", js)
	b, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	var m report.Monthly
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	rf.CheckStreetANovember(t, m)

	ok(t, "report", "monthly", "--db", db, "--month", "2026-11", "--street", rf.StreetA, "--format", "xlsx", "--out", xl)
	f, err := excelize.OpenFile(xl)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	want := []string{"办件概况", "按类型和渠道", "好差评", "内容发布", "意见与终端"}
	if strings.Join(sheets, ",") != strings.Join(want, ",") {
		t.Fatalf("sheets %v, want %v", sheets, want)
	}
	// cell checks a cell's value and that it is a number, not text.
	cell := func(sheet, ref, want string) {
		t.Helper()
		v, err := f.GetCellValue(sheet, ref)
		if err != nil || v != want {
			t.Errorf("%s!%s = %q (%v), want %q", sheet, ref, v, err, want)
		}
		ty, _ := f.GetCellType(sheet, ref)
		if ty == excelize.CellTypeSharedString || ty == excelize.CellTypeInlineString {
			t.Errorf("%s!%s is text, want a number", sheet, ref)
		}
	}
	c := m.Cases
	for i, v := range []int{c.Received, c.Completed, c.OnTime.Den, c.OnTime.Num} {
		cell("办件概况", fmt.Sprintf("B%d", 3+i), fmt.Sprint(v))
	}
	cell("办件概况", "B7", "60.00%")
	for i, v := range []int{c.OverdueNow, c.OverdueDuring, c.MedianDays, c.P90Days, c.Corrections, c.Extensions, c.Merged} {
		cell("办件概况", fmt.Sprintf("B%d", 8+i), fmt.Sprint(v))
	}
	cell("办件概况", "B15", fmt.Sprint(m.Supervision))
	for i := range report.Types() {
		for j := range report.Channels {
			ref, _ := excelize.CoordinatesToCellName(2+j, 3+i)
			cell("按类型和渠道", ref, fmt.Sprint(c.ByTypeChannel[i][j]))
		}
		cell("按类型和渠道", fmt.Sprintf("F%d", 3+i), fmt.Sprint(c.ByType[i]))
	}
	cell("按类型和渠道", "F11", "7")
	for i, v := range []int{1, 0, 2, 1, 0, 2, 4} { // 非常满意 … 非常不满意, default, total
		cell("好差评", fmt.Sprintf("B%d", 3+i), fmt.Sprint(v))
	}
	cell("好差评", "B10", "75.00%")
	for i, v := range []int{2, 1, 1} {
		cell("内容发布", fmt.Sprintf("%c3", 'B'+i), fmt.Sprint(v))
	}
	cell("内容发布", "B8", "1")
	cell("内容发布", "B9", "0")
	cell("内容发布", "B10", "1")
	cell("意见与终端", "B3", "1")
	cell("意见与终端", "B4", "0")
	cell("意见与终端", "B5", "10")
	cell("意见与终端", "C5", "30")
	cell("意见与终端", "B7", "13")
	cell("意见与终端", "C7", "45")
}

// The annual report as PDF has Chinese text: pdftotext reads back the
// table's headings and numbers.
func TestReportAnnualPDF(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils, scripts/deps.sh) is not installed")
	}
	db := reportDB(t)
	pdf := filepath.Join(t.TempDir(), "a.pdf")
	ok(t, "report", "annual", "--db", db, "--year", "2026", "--street", rf.StreetB, "--format", "pdf", "--out", pdf)
	out, err := exec.Command("pdftotext", "-layout", pdf, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, want := range []string{"林和街道2026年政府信息公开工作年度报告", "一、总体情况", "三、收到和处理政府信息公开申请情况",
		"自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "总计", "一、本年新收政府信息公开申请数量",
		"（三）不予公开", "8.属于行政查询事项", "（七）总计", "四、结转下年度继续办理", "四、政府信息公开行政复议、行政诉讼情况"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q", want)
		}
	}
	// 一、本年新收: 25 requests, the six kinds of requester in turn.
	if !lineWith(text, "一、本年新收政府信息公开申请数量", "5 4 4 4 4 4 25") {
		t.Errorf("the first row's numbers are not in the PDF:\n%s", text)
	}
	// registration (the 7th type: 自然人) and withheld_query (the 16th: 社会公益组织).
	if !lineWith(text, "8.属于行政查询事项", "1 0 0 1 0 0 2") {
		t.Errorf("row 8's numbers are not in the PDF")
	}
}

// lineWith reports whether a line of text starting with label has the
// numbers, separated by any spaces, after it.
func lineWith(text, label, numbers string) bool {
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, label) && strings.Join(strings.Fields(strings.TrimPrefix(l, label)), " ") == numbers {
			return true
		}
	}
	return false
}

// The HTML report is one page with its charts inline: SVG, no script, no
// outside address.
func TestReportHTML(t *testing.T) {
	db := reportDB(t)
	dir := t.TempDir()
	for _, args := range [][]string{
		{"monthly", "--month", "2026-11"}, {"quarterly", "--quarter", "2026Q4"}, {"annual", "--year", "2026", "--street", rf.StreetA},
	} {
		out := filepath.Join(dir, args[0]+".html")
		ok(t, append(append([]string{"report"}, args...), "--db", db, "--format", "html", "--out", out)...)
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		page := string(b)
		if strings.Contains(page, "<script") || strings.Contains(strings.ReplaceAll(page, `xmlns="http://www.w3.org/2000/svg"`, ""), "http") {
			t.Errorf("%s: a script or an outside address", args[0])
		}
		if args[0] != "annual" && !strings.Contains(page, "<svg") {
			t.Errorf("%s: no chart", args[0])
		}
	}
	b, _ := os.ReadFile(filepath.Join(dir, "monthly.html"))
	for _, want := range []string{"各月受理办件（按类型）", "近12个月按期办结率", "好差评分布", "各街道按期办结率", "66.7%"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the monthly page lacks %q", want)
		}
	}
	b, _ = os.ReadFile(filepath.Join(dir, "quarterly.html"))
	// The quarter runs until the district's clock reaches its end, so
	// only what does not move with today's date is checked here; the
	// scores are sync/server's TestQuarterlyReportFigures.
	for _, want := range []string{"得分公式", "1. 天河南街道", "2. 林和街道", "按期办结率"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the quarterly page lacks %q", want)
		}
	}
}

// Bad input gets one line and writes nothing.
func TestReportRefusals(t *testing.T) {
	db := reportDB(t)
	out := filepath.Join(t.TempDir(), "r.json")
	fails(t, 2, "month \"2026-13\": want YYYY-MM", "report", "monthly", "--db", db, "--month", "2026-13", "--format", "json", "--out", out)
	fails(t, 2, "unknown format \"docx\"", "report", "monthly", "--db", db, "--month", "2026-11", "--format", "docx", "--out", out)
	fails(t, 2, "missing --out", "report", "annual", "--db", db, "--year", "2026", "--format", "json")
	fails(t, 1, "there is no street 999", "report", "monthly", "--db", db, "--month", "2026-11", "--street", "999", "--format", "json", "--out", out)
	fails(t, 2, "no --street", "report", "quarterly", "--db", db, "--quarter", "2026Q4", "--street", rf.StreetA, "--format", "json", "--out", out)
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a refused report left %s", out)
	}
	crit := filepath.Join(t.TempDir(), "c.json")
	os.WriteFile(crit, []byte(`[{"id": "on_time", "weight": 200}]`), 0o644)
	fails(t, 1, `the weight of "on_time" is 200, not from 0 to 100`, "report", "criteria", "--db", db, "--set", crit)
	os.WriteFile(crit, []byte(`[{"id": "on_time", "weight": 60}, {"id": "satisfaction", "weight": 40}]`), 0o644)
	if got := lines(ok(t, "report", "criteria", "--db", db, "--set", crit)); len(got) != 2 || !strings.Contains(got[0], `"weight":60`) {
		t.Errorf("criteria after --set: %v", got)
	}
	if got := lines(ok(t, "report", "criteria", "--db", db, "--reset")); len(got) != 5 {
		t.Errorf("criteria after --reset: %v", got)
	}
}

// The annual report becomes a draft catalogue entry that `districtd
// publish` takes as it is.
func TestReportAnnualEntry(t *testing.T) {
	db := reportDB(t)
	dir := t.TempDir()
	text, entry := filepath.Join(dir, "text.json"), filepath.Join(dir, "entry.json")
	os.WriteFile(text, []byte(`{"organ": "天河南街道办事处", "index_no": "007482910/2027-00001", "overview": "本年新收申请{requests_new}件。",
		"review": {"review": [1, 0, 0, 0, 1]}, "problems": "网上申请渠道宣传不足。"}`), 0o644)
	ok(t, "report", "annual", "--db", db, "--year", "2026", "--street", rf.StreetA, "--text", text, "--format", "entry", "--out", entry)
	b, err := os.ReadFile(entry)
	if err != nil {
		t.Fatal(err)
	}
	var set data.ContentSet
	if err := json.Unmarshal(b, &set); err != nil || len(set.Catalog) != 1 {
		t.Fatalf("entry %s: %v", b, err)
	}
	e := set.Catalog[0]
	if e.Topic != "政府信息公开年报" || e.Title != "天河南街道办事处2026年政府信息公开工作年度报告" || e.IndexNo != "007482910/2027-00001" ||
		e.Street != rf.StreetA || e.Summary != "本年新收申请2件。" {
		t.Errorf("entry %+v", e)
	}
	for _, want := range []string{"三、收到和处理政府信息公开申请情况", "一、本年新收政府信息公开申请数量 | 1 | 1 | 0 | 0 | 0 | 0 | 2",
		"行政复议 | 1 | 0 | 0 | 0 | 1", "网上申请渠道宣传不足。"} {
		if !strings.Contains(e.Body, want) {
			t.Errorf("the body lacks %q:\n%s", want, e.Body)
		}
	}
	if out := ok(t, "publish", "--db", db, entry); !strings.Contains(out, `"added":1`) {
		t.Errorf("publish: %s", out)
	}
	os.WriteFile(text, []byte(`{"organ": "x", "overview": "{nope}"}`), 0o644)
	fails(t, 1, "overview: unknown figure {nope}", "report", "annual", "--db", db, "--year", "2026", "--text", text, "--format", "entry", "--out", entry)
	os.WriteFile(text, []byte(`{"organ": 3}`), 0o644)
	fails(t, 1, "text.json", "report", "annual", "--db", db, "--year", "2026", "--text", text, "--format", "entry", "--out", entry)
}

// report figures sets each street's figures of a month on its street
// item, once: a second run changes nothing.
func TestReportFigures(t *testing.T) {
	db := reportDB(t)
	if out := ok(t, "report", "figures", "--db", db, "--month", "2026-11"); out != `{"month":"2026-11","streets_changed":2}`+"\n" {
		t.Errorf("first run: %s", out)
	}
	if out := ok(t, "report", "figures", "--db", db, "--month", "2026-11"); out != `{"month":"2026-11","streets_changed":0}`+"\n" {
		t.Errorf("second run: %s", out)
	}
	fails(t, 2, `month "11": want YYYY-MM`, "report", "figures", "--db", db, "--month", "11")
	store, err := server.OpenSQLite(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	list, err := server.New(store, server.Options{}).Streets(context.Background())
	if err != nil || len(list) != 2 {
		t.Fatal(list, err)
	}
	if f := list[0].Figures; f == nil || f.Month != "2026-11" || f.Received != 7 || f.OnTime != 3 || f.WithDeadline != 5 || f.Satisfied != 3 ||
		f.Rated != 4 || len(f.Months) != 12 || f.Months[10] != (data.MonthCount{Month: "2026-10", Received: 2}) {
		t.Errorf("street A's figures: %+v", list[0].Figures)
	}
}

// runReport writes a report as JSON, decoded into v, and as XLSX, opened.
func runReport(t *testing.T, v any, args ...string) *excelize.File {
	t.Helper()
	dir := t.TempDir()
	js, xl := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.xlsx")
	ok(t, append(args, "--format", "json", "--out", js)...)
	b, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
	ok(t, append(args, "--format", "xlsx", "--out", xl)...)
	f, err := excelize.OpenFile(xl)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// checkSheet compares a sheet's heading row (row 2) and every cell of its
// table (from row 3) with head and rows: a string is text, an int or a
// float64 a number stored as a number; nothing follows the table but
// its note.
func checkSheet(t *testing.T, f *excelize.File, sheet string, head []string, rows [][]any) {
	t.Helper()
	got, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) < 2 || strings.Join(got[1], "|") != strings.Join(head, "|") {
		t.Errorf("%s: heading row %v, want %v", sheet, got[1:2], head)
	}
	if n := len(got); n != len(rows)+2 && n != len(rows)+4 {
		t.Errorf("%s: %d rows, want %d and a note", sheet, n, len(rows)+2)
	}
	for r, row := range rows {
		for c, want := range row {
			ref, _ := excelize.CoordinatesToCellName(c+1, r+3)
			v, _ := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
			ty, _ := f.GetCellType(sheet, ref)
			text := ty == excelize.CellTypeSharedString || ty == excelize.CellTypeInlineString
			switch w := want.(type) {
			case string:
				if v != w || (w != "" && !text) {
					t.Errorf("%s!%s = %q (type %v), want the text %q", sheet, ref, v, ty, w)
				}
			case int, float64:
				x, err := strconv.ParseFloat(v, 64)
				wf, _ := w.(float64)
				if i, isInt := w.(int); isInt {
					wf = float64(i)
				}
				if err != nil || text || math.Abs(x-wf) > 1e-9 {
					t.Errorf("%s!%s = %q (type %v), want the number %v", sheet, ref, v, ty, w)
				}
			}
		}
	}
}

// share is a ratio's cell: its value as a number, or "—" with no cases.
func share(r report.Ratio) any {
	if v, ok := r.Value(); ok {
		return v
	}
	return "—"
}

// The quarterly review as JSON carries the fixture's figures, and as XLSX
// every cell of both tables is the JSON's, numbers as numbers.
func TestReportQuarterlyJSONAndXLSX(t *testing.T) {
	db := reportDB(t)
	var q report.Quarterly
	f := runReport(t, &q, "report", "quarterly", "--db", db, "--quarter", "2026Q4")
	rf.CheckQuarterQ4(t, q)
	if want := []string{"评议指标", "得分排名"}; strings.Join(f.GetSheetList(), ",") != strings.Join(want, ",") {
		t.Fatalf("sheets %v, want %v", f.GetSheetList(), want)
	}
	var crit [][]any
	for _, c := range q.Criteria {
		crit = append(crit, []any{c.Name, c.Weight, c.Formula})
	}
	checkSheet(t, f, "评议指标", []string{"指标", "权重", "计算方法"}, crit)
	if note, _ := f.GetCellValue("评议指标", fmt.Sprintf("A%d", len(crit)+4)); note != "得分公式："+q.Formula {
		t.Errorf("the formula's note is %q", note)
	}
	head := []string{"排名", "街道"}
	for _, c := range q.Criteria {
		head = append(head, c.Name, c.Name+"得分")
	}
	head = append(head, "总分", "上季度得分", "上季度排名", "变化")
	var rank [][]any
	for _, s := range q.Streets {
		row := []any{s.Rank, s.Name}
		for _, c := range q.Criteria {
			var p *report.Score
			for i := range s.Parts {
				if s.Parts[i].ID == c.ID {
					p = &s.Parts[i]
				}
			}
			if p == nil || p.Value.Den == 0 {
				row = append(row, "—", "—")
			} else {
				row = append(row, share(p.Value), p.Points)
			}
		}
		row = append(row, s.Score)
		if s.Previous == nil {
			t.Fatalf("%s has no previous score", s.Name)
		}
		row = append(row, *s.Previous, s.PreviousRank, *s.Change)
		rank = append(rank, row)
	}
	checkSheet(t, f, "得分排名", head, rank)
	// Street B has no opinion to answer: its feedback is "—", as text.
	if v, _ := f.GetCellValue("得分排名", "K4"); v != "—" || q.Criteria[4].ID != "feedback" {
		t.Errorf("B's feedback is %q (criteria %v)", v, q.Criteria)
	}
}

// The annual report as JSON carries the fixture's figures, and as XLSX
// every cell of its three tables is the JSON's, the national table
// 三、收到和处理政府信息公开申请情况 row by row and column by column.
func TestReportAnnualJSONAndXLSX(t *testing.T) {
	db := reportDB(t)
	text := filepath.Join(t.TempDir(), "text.json")
	os.WriteFile(text, []byte(`{"review": {"review": [1, 0, 0, 0, 1], "direct_suit": [0, 2, 0, 1, 3], "suit_after_review": [0, 0, 1, 0, 1]}}`), 0o644)
	for _, street := range []string{rf.StreetA, rf.StreetB} {
		t.Run(street, func(t *testing.T) {
			var a report.Annual
			f := runReport(t, &a, "report", "annual", "--db", db, "--year", "2026", "--street", street, "--text", text)
			if street == rf.StreetA {
				rf.CheckStreetAYear(t, a)
			} else {
				rf.CheckStreetBTable(t, a)
			}
			if a.Review != (report.ReviewLitigation{Review: [5]int{1, 0, 0, 0, 1}, DirectSuit: [5]int{0, 2, 0, 1, 3}, SuitAfterReview: [5]int{0, 0, 1, 0, 1}}) {
				t.Errorf("review %+v", a.Review)
			}
			if want := []string{"主动公开", "收到和处理申请", "复议诉讼"}; strings.Join(f.GetSheetList(), ",") != strings.Join(want, ",") {
				t.Fatalf("sheets %v, want %v", f.GetSheetList(), want)
			}
			var pub [][]any
			for _, r := range a.Published {
				pub = append(pub, []any{r.Label, r.Published, r.Updated, r.Withdrawn, a.Live[string(r.Kind)]})
			}
			checkSheet(t, f, "主动公开", []string{"信息类别", "本年发布", "本年更新", "本年撤下", "现行有效"}, pub)
			var tab [][]any
			for _, r := range a.Table.Rows {
				row := []any{strings.Repeat("  ", r.Level) + r.Label}
				for _, n := range r.Counts {
					if r.Heading {
						row = append(row, "")
					} else {
						row = append(row, n)
					}
				}
				tab = append(tab, row)
			}
			if len(tab) != 30 {
				t.Errorf("the national table has %d rows, want 30", len(tab))
			}
			checkSheet(t, f, "收到和处理申请", append([]string{"项目"}, report.ColumnLabels[:]...), tab)
			var rev [][]any
			for i, g := range [][5]int{a.Review.Review, a.Review.DirectSuit, a.Review.SuitAfterReview} {
				row := []any{[]string{"行政复议", "行政诉讼：未经复议直接起诉", "行政诉讼：复议后起诉"}[i]}
				for _, n := range g {
					row = append(row, n)
				}
				rev = append(rev, row)
			}
			checkSheet(t, f, "复议诉讼", append([]string{"类别"}, report.ReviewColumns[:]...), rev)
		})
	}
}
