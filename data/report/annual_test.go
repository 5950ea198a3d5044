package report

import (
	"fmt"
	"slices"
	"testing"

	"jiezhen/data"
)

// The table of part 三 counts each request in its requester's column and
// in the row of its reply type, with the carry-overs at both ends of the
// year, so that 一 + 二 = （七） + 四 in every column.
func TestCountRequests(t *testing.T) {
	y := YearPeriod(2026)
	var facts []Facts
	n := 0
	add := func(req data.Requester, received, answered string, reply data.ReplyType) {
		n++
		f := Facts{Case: fmt.Sprint("c", n), Kind: data.CaseDisclosure, Requester: req, Received: day(received), Outcome: OutcomeOpen}
		if answered != "" {
			f.Outcome, f.Answered, f.Reply = OutcomeAnswered, day(answered), reply
		}
		facts = append(facts, f)
	}
	// Every reply type once by a company, answered in the year.
	for _, rt := range data.ReplyTypes {
		add(data.RequesterCompany, "2026-03-02", "2026-03-20", rt)
	}
	// Each requester kind once, disclosed.
	for _, r := range data.Requesters {
		add(r, "2026-05-06", "2026-05-20", data.ReplyDisclosed)
	}
	add("", "2026-05-06", "2026-05-20", data.ReplyPartlyDisclosed)                  // no requester: 自然人
	add(data.RequesterPerson, "2025-12-31", "2026-01-05", data.ReplyWithheldSecret) // carried in, done
	add(data.RequesterResearch, "2025-12-20", "", "")                               // carried in and out
	add(data.RequesterPerson, "2026-12-31", "2027-01-04", data.ReplyDisclosed)      // carried out
	add(data.RequesterPerson, "2025-06-01", "2025-06-10", data.ReplyDisclosed)      // neither
	add(data.RequesterPerson, "2027-01-04", "", "")                                 // next year's
	facts = append(facts, Facts{Case: "appeal", Kind: data.CaseAppeal, Received: day("2026-04-01")})

	tab := CountRequests(facts, y)
	cell := func(key string, col int) int { return tab.Row(key).Counts[col] }
	checks := []struct {
		key       string
		col, want int
	}{
		{"new", ColCompany, len(data.ReplyTypes) + 1}, {"new", ColPerson, 3}, {"new", ColResearch, 1},
		{"new", ColNonprofit, 1}, {"new", ColLegalService, 1}, {"new", ColOtherOrg, 1},
		{"new", ColTotal, len(data.ReplyTypes) + 8},
		{"carried_in", ColPerson, 1}, {"carried_in", ColResearch, 1}, {"carried_in", ColTotal, 2},
		{"disclosed", ColCompany, 3}, {"disclosed", ColPerson, 1}, {"disclosed", ColTotal, 8},
		{"partly", ColPerson, 1}, {"partly", ColCompany, 1},
		{"withheld.1", ColCompany, 1}, {"withheld.1", ColPerson, 1}, {"withheld.8", ColCompany, 2},
		{"unavailable.1", ColCompany, 2}, {"unavailable.2", ColCompany, 1}, {"unavailable.3", ColCompany, 1},
		{"not_processed.2", ColCompany, 1}, {"not_processed.5", ColCompany, 1},
		{"other.1", ColCompany, 1}, {"other.3", ColTotal, 1},
		{"total", ColTotal, len(data.ReplyTypes) + 8}, {"total", ColCompany, len(data.ReplyTypes) + 1},
		{"carried_out", ColResearch, 1}, {"carried_out", ColPerson, 1}, {"carried_out", ColTotal, 2},
	}
	for _, c := range checks {
		if got := cell(c.key, c.col); got != c.want {
			t.Errorf("%s / %s = %d, want %d", c.key, ColumnLabels[c.col], got, c.want)
		}
	}
	if len(tab.Unclassified) != 1 {
		t.Errorf("unclassified %v, want the one not_disclosed", tab.Unclassified)
	}
	for col := range NumCols {
		if a, b := cell("new", col)+cell("carried_in", col), cell("total", col)+cell("carried_out", col); a != b {
			t.Errorf("column %s: new + carried in %d != total + carried out %d", ColumnLabels[col], a, b)
		}
		sum := 0
		for _, r := range tab.Rows {
			if r.Level == 1 && !r.Heading && r.Key != "total" || r.Level == 2 {
				sum += r.Counts[col]
			}
		}
		if sum+len(tab.Unclassified)*b2i(col == ColCompany || col == ColTotal) != cell("total", col) {
			t.Errorf("column %s: rows add up to %d, total %d", ColumnLabels[col], sum, cell("total", col))
		}
	}
	// The national format's headings, in order.
	var labels []string
	for _, r := range tab.Rows {
		labels = append(labels, r.Label)
	}
	for _, want := range []string{"一、本年新收政府信息公开申请数量", "（三）不予公开", "8.属于行政查询事项", "（七）总计", "四、结转下年度继续办理"} {
		if !slices.Contains(labels, want) {
			t.Errorf("no row %q", want)
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestFillOverview(t *testing.T) {
	got, err := FillOverview("全年{a}件，{b}", map[string]string{"a": "3", "b": "好"})
	if err != nil || got != "全年3件，好" {
		t.Fatalf("%q %v", got, err)
	}
	if _, err := FillOverview("{nope}", nil); err == nil || err.Error() != "overview: unknown figure {nope}" {
		t.Fatalf("unknown: %v", err)
	}
	if _, err := FillOverview("x{y", nil); err == nil {
		t.Fatal("unclosed accepted")
	}
}
