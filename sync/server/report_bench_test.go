package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/data/report"
)

// The reports' benchmarks run on a generated district of benchCases cases
// received over the three years 2024–2026 across benchStreets streets. The
// database is generated once per run of the test binary, in a temporary
// folder removed when the run ends (TestMain), and only when a report
// benchmark runs.
const (
	benchCases   = 1_000_000
	benchStreets = 20
)

var (
	benchOnce sync.Once
	benchDir  string
	benchPath string
	benchErr  error
)

// removeBenchDistrict removes the generated district when the run ends
// (TestMain).
func removeBenchDistrict() {
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
}

func benchStreet(i int) string { return fmt.Sprintf("4401069%02d", i) }

// benchNow is the district's clock while the reports run: after the
// three years, so every period is complete.
var benchNow = time.Date(2027, 1, 5, 2, 0, 0, 0, time.UTC)

// benchDistrict opens the generated district (generating it the first
// time) with a platform on benchNow.
func benchDistrict(b *testing.B) (*SQLite, *Platform) {
	b.Helper()
	benchOnce.Do(func() {
		benchDir, benchErr = os.MkdirTemp("", "jiezhen-report-bench-")
		if benchErr != nil {
			return
		}
		benchPath = filepath.Join(benchDir, "district.db")
		start := time.Now()
		benchErr = generateDistrict(benchPath)
		fmt.Fprintf(os.Stderr, "generated %d cases in %s\n", benchCases, time.Since(start).Round(time.Second))
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	st, err := OpenSQLite(context.Background(), benchPath)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return st, New(st, Options{Now: func() time.Time { return benchNow }, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
}

// generateDistrict writes the streets through Publish, then every case
// and its report facts in one transaction of prepared statements: a
// received case of a random kind and type, on a random day of the three
// years, done (98%) within 0–25 working days, sometimes after a 补正 or
// an extension, rated (70% of the done), merged (1% of appeals).
func generateDistrict(path string) error { return generateDistrictN(path, benchCases) }

// generateDistrictN is generateDistrict with n cases.
func generateDistrictN(path string, cases int) error {
	ctx := context.Background()
	st, err := OpenSQLite(ctx, path)
	if err != nil {
		return err
	}
	defer st.Close()
	p := New(st, Options{Now: func() time.Time { return time.Date(2023, 12, 1, 0, 0, 0, 0, time.UTC) }, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	set := &data.ContentSet{}
	for i := range benchStreets {
		set.Streets = append(set.Streets, data.Street{Code: benchStreet(i), Name: fmt.Sprintf("第%d街道", i+1), District: "天河区",
			Address: "天河路1号", Phone: "020-38621180", Hours: "周一至周五"})
	}
	if _, err := p.Publish(ctx, set); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	first := time.Date(2024, 1, 1, 0, 0, 0, 0, report.Zone)
	span := time.Date(2027, 1, 1, 0, 0, 0, 0, report.Zone).Sub(first)
	var cal *data.Calendar
	return st.Write(ctx, func(tx Tx) (err error) {
		t := tx.(*sqlTx)
		// The tables' indexes are built once, after the rows.
		indexes, err := queryAll(t, func(sc scanner) (string, error) {
			var s string
			return s, sc.Scan(&s)
		}, "SELECT sql FROM sqlite_schema WHERE type = 'index' AND tbl_name IN ('cases', 'case_facts') AND sql IS NOT NULL")
		if err != nil {
			return err
		}
		for _, ix := range indexes {
			name := strings.Fields(ix)[2]
			if err := t.exec("DROP INDEX " + name); err != nil {
				return err
			}
		}
		defer func() {
			for _, ix := range indexes {
				if err == nil {
					err = t.exec(ix)
				}
			}
		}()
		for n := range cases {
			at := first.Add(time.Duration(rng.Int64N(int64(span)))).UTC().Truncate(time.Millisecond)
			c := data.Case{ID: fmt.Sprintf("g%07d", n), Ref: fmt.Sprintf("G%07d", n), Street: benchStreet(n % benchStreets),
				Status: data.StatusReceived, SubmittedAt: at, Channel: []data.Channel{data.ChannelKiosk, data.ChannelKiosk, data.ChannelWeb, data.ChannelOpen311}[rng.IntN(4)]}
			days := 3
			switch k := rng.IntN(20); {
			case k < 12:
				c.Kind, c.AppealType = data.CaseAppeal, data.AppealTypes[rng.IntN(len(data.AppealTypes))]
				days = data.DefaultAppealDays[c.AppealType]
			case k < 17:
				c.Kind, c.Service, days = data.CaseApplication, "svc", 10
			default:
				c.Kind, days = data.CaseDisclosure, data.DisclosureDays
				c.Request = &data.DisclosureRequest{Requester: data.Requesters[rng.IntN(len(data.Requesters))], Information: "某文件", Delivery: data.DeliveryPickup}
			}
			day := data.DayInChina(at)
			c.Deadline = cal.AddWorkdays(day, days)
			c.History = []data.Transition{{From: data.StatusSubmitted, To: data.StatusReceived, At: at}}
			now := at
			step := func(to data.Status, wd int) {
				now = cal.AddWorkdays(data.DayInChina(now), wd).Time(report.Zone).Add(10 * time.Hour).UTC()
				c.History = append(c.History, data.Transition{From: c.Status, To: to, At: now, Reason: "依规办理"})
				c.Status = to
			}
			if rng.IntN(100) < 98 {
				if c.Kind != data.CaseAppeal && rng.IntN(20) == 0 {
					step(data.StatusCorrection, 1)
					step(data.StatusReceived, 1+rng.IntN(5))
					c.Deadline = cal.AddWorkdays(data.DayInChina(now), days)
				}
				if c.Kind == data.CaseDisclosure && rng.IntN(10) == 0 {
					step(data.StatusExtended, 5)
					c.Deadline = cal.AddWorkdays(c.Deadline, data.DisclosureExtendDays)
				}
				switch {
				case c.Kind == data.CaseAppeal && rng.IntN(100) == 0:
					step(data.StatusMerged, 1)
				case c.Kind == data.CaseApplication:
					step(data.StatusAccepted, 0)
					step(data.StatusCompleted, rng.IntN(days+3))
				default:
					step(data.StatusReplied, rng.IntN(days+5))
					c.Reply = &data.Reply{Text: "答复", At: now}
					if c.Kind == data.CaseDisclosure {
						c.Reply.Type = data.ReplyTypes[rng.IntN(len(data.ReplyTypes))]
					}
					step(data.StatusCompleted, 0)
				}
				if c.Status == data.StatusCompleted && rng.IntN(10) < 7 {
					step(data.StatusRated, rng.IntN(7))
					c.Rating = data.Rating(1 + rng.IntN(5))
				}
			}
			doc, err := json.Marshal(c)
			if err != nil {
				return err
			}
			if err := t.exec(`INSERT INTO cases(id, ref, kind, street, kiosk, status, received_at, version, doc) VALUES(?, ?, ?, ?, 0, ?, ?, 1, ?)`,
				c.ID, c.Ref, c.Kind, c.Street, c.Status, millis(at), string(doc)); err != nil {
				return err
			}
			if err := t.exec(putFacts, factsArgs(&c, at)...); err != nil {
				return err
			}
		}
		return nil
	})
}

// fullScan reads every row of the cases table with its document: the
// least a report computed from the cases themselves would read.
func fullScan(b *testing.B, st *SQLite) time.Duration {
	b.Helper()
	start := time.Now()
	n := 0
	err := st.Read(context.Background(), func(tx ReadTx) error {
		rows, err := tx.(*sqlTx).query("SELECT id, street, received_at, doc FROM cases")
		if err != nil {
			return err
		}
		defer rows.Close()
		var id, street, doc string
		var at int64
		for rows.Next() {
			if err := rows.Scan(&id, &street, &at, &doc); err != nil {
				return err
			}
			n++
		}
		return rows.Err()
	})
	if err != nil || n != benchCases {
		b.Fatalf("full scan: %d rows, %v", n, err)
	}
	return time.Since(start)
}

func reportMetrics(b *testing.B, scan time.Duration) {
	per := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64(per.Microseconds())/1000, "ms/report")
	b.ReportMetric(float64(scan.Microseconds())/1000, "scan-ms")
	b.ReportMetric(float64(scan)/float64(per), "scan/report")
}

// BenchmarkMonthlyReport is one street's monthly statistics (JSON, no
// history), against a full scan of the cases table in the same run.
func BenchmarkMonthlyReport(b *testing.B) {
	st, p := benchDistrict(b)
	scan := fullScan(b, st)
	m := report.MonthPeriod(2026, time.June)
	ctx := context.Background()
	for b.Loop() {
		r, err := p.MonthlyReport(ctx, m, benchStreet(7), false)
		if err != nil || r.Cases.Received == 0 {
			b.Fatalf("%+v %v", r.Cases, err)
		}
	}
	reportMetrics(b, scan)
}

// BenchmarkAnnualReport is the district's annual report, against a full
// scan of the cases table in the same run.
func BenchmarkAnnualReport(b *testing.B) {
	st, p := benchDistrict(b)
	scan := fullScan(b, st)
	ctx := context.Background()
	for b.Loop() {
		a, err := p.AnnualReport(ctx, report.YearPeriod(2026), "", nil)
		if err != nil || a.Table.Row("new").Counts[report.ColTotal] == 0 {
			b.Fatalf("%v", err)
		}
	}
	reportMetrics(b, scan)
}
