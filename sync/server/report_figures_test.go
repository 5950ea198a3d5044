package server_test

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/data/report"
	"jiezhen/internal/pgtest"
	"jiezhen/sync/server"
	rf "jiezhen/sync/server/reportfixture"
)

func fixture(t *testing.T) *rf.Fixture {
	t.Helper()
	db := filepath.Join(t.TempDir(), "district.db")
	if pgtest.Enabled() {
		db = pgtest.URL(t, server.MigratePostgres)
	}
	st, err := server.OpenStore(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return rf.Build(t, st)
}

func eq[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func ratio(n, d int) report.Ratio { return report.Ratio{Num: n, Den: d} }

func TestMonthlyReportFigures(t *testing.T) {
	f := fixture(t)
	ctx := context.Background()
	nov := report.MonthPeriod(2026, time.November)
	m, err := f.P.MonthlyReport(ctx, nov, rf.StreetA, false)
	if err != nil {
		t.Fatal(err)
	}
	rf.CheckStreetANovember(t, m)

	d, err := f.P.MonthlyReport(ctx, nov, "", true)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "district", d.Name, "天河区")
	eq(t, "district received", d.Cases.Received, 8) // + b1
	eq(t, "district supervision", d.Supervision, 1)
	eq(t, "district on time", d.Cases.OnTime, ratio(4, 6))
	eq(t, "district satisfaction", d.Cases.Satisfaction, ratio(3, 5))
	eq(t, "district kiosks", len(d.Kiosks), 3)
	eq(t, "district availability", d.Availability, ratio(13, 75))
	eq(t, "streets", d.Streets, []report.StreetLine{
		{Street: rf.StreetA, Name: "天河南街道", Received: 7, Completed: 5, OnTime: ratio(3, 5), Satisfaction: ratio(3, 4)},
		{Street: rf.StreetB, Name: "林和街道", Received: 1, Completed: 1, OnTime: ratio(1, 1), Satisfaction: ratio(0, 1)}})
	eq(t, "history months", len(d.History), 12)
	if len(d.History) == 12 {
		oct, nv := d.History[10], d.History[11]
		eq(t, "October", oct.Month, "2026-10")
		eq(t, "October by type", oct.ByType, []int{0, 2, 0, 0, 0, 0, 0, 0})
		eq(t, "November by type", nv.ByType, []int{1, 2, 1, 2, 0, 0, 0, 2})
		eq(t, "November on time", nv.OnTime, ratio(4, 6))
		eq(t, "first month", d.History[0].Month, "2025-12")
	}

	if _, err := f.P.MonthlyReport(ctx, report.MonthPeriod(2027, time.February), rf.StreetA, false); err == nil || err.Error() != "2027-02 has not begun: today is 2027-01-05" {
		t.Errorf("a month to come: %v", err)
	}
	if _, err := f.P.MonthlyReport(ctx, nov, "999", false); err == nil || err.Error() != "there is no street 999" {
		t.Errorf("an unknown street: %v", err)
	}
}

func TestQuarterlyReportFigures(t *testing.T) {
	f := fixture(t)
	ctx := context.Background()
	q, err := f.P.QuarterlyReport(ctx, report.QuarterPeriod(2026, 4), data.ZH)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "criteria", len(q.Criteria), 5)
	if q.Formula == "" || q.Criteria[0].Formula == "" {
		t.Error("no formula printed")
	}
	if len(q.Streets) != 2 {
		t.Fatalf("streets %+v", q.Streets)
	}
	a, b := q.Streets[0], q.Streets[1]
	eq(t, "first", a.Street, rf.StreetA)
	parts := func(s report.StreetScore) map[string]report.Score {
		m := map[string]report.Score{}
		for _, p := range s.Parts {
			m[p.ID] = p
		}
		return m
	}
	pa, pb := parts(a), parts(b)
	eq(t, "A on time", pa["on_time"].Value, ratio(3, 5))
	eq(t, "A satisfaction", pa["satisfaction"].Value, ratio(3, 4))
	eq(t, "A freshness", pa["freshness"].Value, ratio(2, 5)) // n-nov, n-exp of svc-a p-a zj-a n-nov n-exp
	eq(t, "A feedback", pa["feedback"].Value, ratio(0, 1))
	eq(t, "A availability", pa["availability"].Value, ratio(13, 92+46))
	eq(t, "A points", [5]float64{pa["on_time"].Points, pa["satisfaction"].Points, pa["freshness"].Points, pa["availability"].Points, pa["feedback"].Points},
		[5]float64{18, 22.5, 6, 1.41, 0})
	eq(t, "A score", a.Score, 47.91)
	eq(t, "B on time", pb["on_time"].Value, ratio(len(data.ReplyTypes)+1, len(data.ReplyTypes)+1))
	eq(t, "B feedback", pb["feedback"].Value, ratio(0, 0))
	eq(t, "B score", b.Score, 33.33) // on time alone of 90 weight
	eq(t, "ranks", [2]int{a.Rank, b.Rank}, [2]int{1, 2})
	// The third quarter: A 30 (freshness 3/5 of 30 weight), B 50.
	eq(t, "previous ranks", [2]int{a.PreviousRank, b.PreviousRank}, [2]int{2, 1})
	if a.Change == nil || b.Change == nil {
		t.Fatal("no change")
	}
	eq(t, "changes", [2]float64{*a.Change, *b.Change}, [2]float64{17.91, -16.67})

	// The district's weights: satisfaction alone.
	if err := f.P.SetReportCriteria(ctx, []report.Criterion{{ID: "satisfaction", Weight: 1}}); err != nil {
		t.Fatal(err)
	}
	q, err = f.P.QuarterlyReport(ctx, report.QuarterPeriod(2026, 4), data.EN)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "one criterion", len(q.Criteria), 1)
	eq(t, "scores", [2]float64{q.Streets[0].Score, q.Streets[1].Score}, [2]float64{75, 0})
	if err := f.P.SetReportCriteria(ctx, []report.Criterion{{ID: "speed", Weight: 1}}); err == nil {
		t.Error("an unknown criterion accepted")
	}
}

func TestAnnualReportFigures(t *testing.T) {
	f := fixture(t)
	ctx := context.Background()
	a, err := f.P.AnnualReport(ctx, report.YearPeriod(2026), rf.StreetA, nil)
	if err != nil {
		t.Fatal(err)
	}
	cell := func(tab report.DisclosureTable, key string, col int) int { return tab.Row(key).Counts[col] }
	tab := a.Table
	for _, c := range []struct {
		key       string
		col, want int
	}{
		{"new", report.ColCompany, 1}, {"new", report.ColPerson, 1}, {"new", report.ColTotal, 2},
		{"carried_in", report.ColResearch, 1}, {"carried_in", report.ColTotal, 1},
		{"disclosed", report.ColResearch, 1}, {"withheld.1", report.ColCompany, 1}, {"total", report.ColTotal, 2},
		{"carried_out", report.ColPerson, 1}, {"carried_out", report.ColTotal, 1},
	} {
		eq(t, fmt.Sprintf("A %s %d", c.key, c.col), cell(tab, c.key, c.col), c.want)
	}
	eq(t, "A year received", a.Cases.Received, 10) // c1..c10 but c0
	eq(t, "A year on time", a.Cases.OnTime, ratio(4, 6))
	eq(t, "A notices published", a.Published[0].Published, 2)
	eq(t, "A live notices", a.Live["notice"], 2)
	want := "2026年，天河南街道依托街镇政务服务平台推进政府信息公开工作。全年主动公开信息2条；受理各类办件10件，办结6件，按期办结率66.7%；收到好差评4条，满意率75.0%；新收政府信息公开申请2件，办结2件。"
	eq(t, "overview", a.Overview, want)

	b, err := f.P.AnnualReport(ctx, report.YearPeriod(2026), rf.StreetB, &report.AnnualText{Organ: "林和街道办事处", Overview: "共{requests_new}件"})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "B overview", b.Overview, "共25件")
	eq(t, "B organ", b.Organ, "林和街道办事处")
	// One request per reply type, the requester kinds in turn.
	rows := map[data.ReplyType]string{
		"already_public": "disclosed", "disclosed": "disclosed", "not_disclosed": "", "not_exist": "unavailable.1",
		"not_held": "unavailable.1", "repeat": "not_processed.2", "registration": "withheld.8", "partly_disclosed": "partly",
		"withheld_secret": "withheld.1", "withheld_law": "withheld.2", "withheld_safety": "withheld.3",
		"withheld_third_party": "withheld.4", "withheld_internal": "withheld.5", "withheld_process": "withheld.6",
		"withheld_enforcement": "withheld.7", "withheld_query": "withheld.8", "needs_making": "unavailable.2",
		"unclear": "unavailable.3", "petition": "not_processed.1", "publication": "not_processed.3",
		"excessive": "not_processed.4", "confirm": "not_processed.5", "no_correction": "other.1", "unpaid": "other.2", "other": "other.3",
	}
	cols := []int{report.ColPerson, report.ColCompany, report.ColResearch, report.ColNonprofit, report.ColLegalService, report.ColOtherOrg}
	var wantTab report.DisclosureTable
	wantTab.Rows = make([]report.TableRow, len(b.Table.Rows))
	copy(wantTab.Rows, b.Table.Rows)
	for i := range wantTab.Rows {
		wantTab.Rows[i].Counts = [report.NumCols]int{}
	}
	inc := func(key string, col int) {
		r := wantTab.Row(key)
		r.Counts[col]++
		r.Counts[report.ColTotal]++
	}
	for i, rt := range data.ReplyTypes {
		col := cols[i%6]
		inc("new", col)
		inc("total", col)
		if rows[rt] != "" {
			inc(rows[rt], col)
		}
	}
	for i := range b.Table.Rows {
		eq(t, "B row "+b.Table.Rows[i].Key, b.Table.Rows[i].Counts, wantTab.Rows[i].Counts)
	}
	eq(t, "B unclassified", b.Table.Unclassified, []string{"d02"})
}

// The store's grouped counts (CaseTotals) agree with report.CountTotals
// over the facts, for every street and the district, by month and year.
func TestCaseTotalsAgree(t *testing.T) {
	f := fixture(t)
	st := f.Store
	for _, p := range []report.Period{report.MonthPeriod(2026, time.October), report.MonthPeriod(2026, time.November), report.YearPeriod(2026), report.YearPeriod(2025)} {
		for _, street := range []string{"", rf.StreetA, rf.StreetB} {
			var got report.Totals
			var facts []report.Facts
			err := st.Read(context.Background(), func(tx server.ReadTx) (err error) {
				if got, err = tx.CaseTotals(street, p); err != nil {
					return err
				}
				facts, err = tx.CaseFacts(server.FactsQuery{Street: street, Period: p})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			eq(t, p.Name+" "+street, got, report.CountTotals(facts, p))
		}
	}
}

// RequestFacts, from the requests' indexes alone, gives the annual
// table what CaseFacts gives it from the rows.
func TestRequestFactsAgree(t *testing.T) {
	f := fixture(t)
	for _, y := range []report.Period{report.YearPeriod(2025), report.YearPeriod(2026)} {
		for _, street := range []string{"", rf.StreetA, rf.StreetB} {
			var narrow, full []report.Facts
			err := f.Store.Read(context.Background(), func(tx server.ReadTx) (err error) {
				if narrow, err = tx.RequestFacts(street, y); err != nil {
					return err
				}
				full, err = tx.CaseFacts(server.FactsQuery{Street: street, Kind: data.CaseDisclosure, Period: y, NoRatings: true})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			eq(t, y.Name+" "+street, report.CountRequests(narrow, y), report.CountRequests(full, y))
			eq(t, y.Name+" "+street+" rows", len(narrow), len(full))
		}
	}
}
