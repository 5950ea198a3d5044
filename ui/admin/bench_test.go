package admin

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"jiezhen/assets"
	"jiezhen/data"
	"jiezhen/sync/server"
)

// The case benchmarks' district: benchOpen open cases, all of the demo
// street, which the benchmarks' handler serves, and benchClosed closed
// ones of both demo streets, as a district has after some years.
const (
	benchOpen   = 10_000
	benchClosed = 1_000_000
)

// caseBench is the benchmarks' district database, built once per run in
// a directory TestMain removes.
var caseBench struct {
	once    sync.Once
	dir     string
	path    string
	handler server.User
	ref     string // an open disclosure request with notes and a 督办
	err     error
}

// removeBenchData removes the benchmarks' generated database, once the
// package's tests and benchmarks are done (TestMain).
func removeBenchData() {
	if caseBench.dir != "" {
		os.RemoveAll(caseBench.dir)
	}
}

// benchNow is the benchmarks' clock: 2026-12-08 10:00 in Beijing.
func benchNow() time.Time { return time.Date(2026, 12, 8, 2, 0, 0, 0, time.UTC) }

var benchQuiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// benchCase is the i-th generated case: residents' appeals, disclosure
// requests and applications in turn, moved along their lifecycle by
// data.Case.Move as a handler would; closed ones end completed.
func benchCase(i int, received time.Time, street string, closed bool, cal *data.Calendar) data.Case {
	c := data.Case{ID: fmt.Sprintf("bench-%07d", i), Street: street, Status: data.StatusSubmitted, SubmittedAt: received,
		Channel:   []data.Channel{data.ChannelKiosk, data.ChannelWeb, data.ChannelOpen311, data.ChannelUSB}[i%4],
		Applicant: &data.Person{Name: "张伟", Mobile: "13912345678", IDNumber: "440106199001011235", Address: "天河南二路29号"}}
	c.Ref = fmt.Sprintf("B%07d", i) // unique whatever the day's serials
	day := data.DateOf(received.In(time.FixedZone("CST", 8*3600)))
	var path []data.Status
	switch i % 3 {
	case 0:
		c.Kind, c.AppealType = data.CaseAppeal, data.AppealComplaint
		c.Description, c.Location, c.Category = "小区门口道路破损，雨天积水严重，影响居民出行，请尽快安排维修。", "天河南二路29号", "市政设施"
		c.Deadline = cal.AddWorkdays(day, data.DefaultAppealDays[c.AppealType])
		path = []data.Status{data.StatusDispatched, data.StatusInProgress, data.StatusReplied, data.StatusCompleted}
	case 1:
		c.Kind = data.CaseDisclosure
		c.Request = &data.DisclosureRequest{Information: "2025年老旧小区改造资金使用情况及招标文件", Purpose: "了解本小区改造", Delivery: data.DeliveryEmail}
		c.Deadline = cal.AddWorkdays(day, data.DisclosureDays)
		path = []data.Status{data.StatusInProgress, data.StatusExtended, data.StatusReplied, data.StatusCompleted}
	default:
		c.Kind, c.Service = data.CaseApplication, "svc-juzhu-dengji"
		c.Values = data.FormValues{"name": "张伟", "id_number": "440106199001011235"}
		c.Deadline = cal.AddWorkdays(day, 5)
		path = []data.Status{data.StatusAccepted, data.StatusInProgress, data.StatusCompleted}
	}
	at := received
	c.Move(data.StatusReceived, at, "")
	steps := len(path)
	if !closed {
		steps = i % 3 // received, and up to two moves on
	}
	for _, to := range path[:steps] {
		at = at.Add(time.Hour)
		reason := "已处理"
		if to == data.StatusReplied {
			c.Reply = &data.Reply{Text: "已安排维修，预计本周内完成。", At: at}
			if c.Kind == data.CaseDisclosure {
				c.Reply.Type = data.ReplyDisclosed
			}
		}
		if to == data.StatusExtended {
			c.Deadline = cal.AddWorkdays(c.Deadline, data.DisclosureExtendDays)
		}
		if to == data.StatusDispatched {
			c.Department = "城管科"
		}
		if err := c.Move(to, at, reason); err != nil {
			panic(err)
		}
	}
	return c
}

// buildCaseBench publishes the demo content and writes the cases in
// batches of 10,000 straight through the store (the push path would
// take an hour), a handler of the demo street, and one open disclosure
// request with notes and a 督办 for the case page.
func buildCaseBench() error {
	dir, err := os.MkdirTemp("", "jiezhen-admin-bench")
	if err != nil {
		return err
	}
	caseBench.dir = dir
	ctx := context.Background()
	caseBench.path = filepath.Join(dir, "district.db")
	st, err := server.OpenSQLite(ctx, caseBench.path)
	if err != nil {
		return err
	}
	defer st.Close()
	p := server.New(st, server.Options{Now: benchNow, Log: benchQuiet})
	set, err := data.ReadContentFiles(assets.Demo, "demo/*.json")
	if err != nil {
		return err
	}
	if _, err := p.Publish(ctx, set); err != nil {
		return err
	}
	cal, _, err := p.Calendar(ctx)
	if err != nil {
		return err
	}
	streets := []string{demoStreet, otherStreet}
	now := benchNow()
	total := benchOpen + benchClosed
	for start := 0; start < total; start += 10_000 {
		err := st.Write(ctx, func(tx server.Tx) error {
			for i := start; i < min(start+10_000, total); i++ {
				var c data.Case
				if i < benchOpen {
					// Open: received over the last 40 days.
					at := now.Add(-time.Duration(i%(40*24*6)) * 10 * time.Minute)
					c = benchCase(i, at, demoStreet, false, cal)
				} else {
					// Closed: received over the three years before.
					at := now.Add(-40*24*time.Hour - time.Duration(i-benchOpen)*90*time.Second)
					c = benchCase(i, at, streets[i%2], true, cal)
				}
				if err := tx.PutCase(server.CaseRecord{Case: c, ReceivedAt: c.SubmittedAt, Version: int64(len(c.History))}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	// The handler works for the intake department, which has the cases
	// not dispatched to a department: every open one here (the open
	// appeals wait for their dispatch).
	for _, d := range []server.Department{{Name: "城管科"}, {Name: testIntake, Intake: true}} {
		if _, err := p.AddDepartment(ctx, d); err != nil {
			return err
		}
	}
	if caseBench.handler, _, err = p.AddUser(ctx, "承办甲", []server.Role{server.RoleHandler}, []string{demoStreet}, testIntake); err != nil {
		return err
	}
	inspector, _, err := p.AddUser(ctx, "监察丙", []server.Role{server.RoleInspector}, nil, "")
	if err != nil {
		return err
	}
	// bench-0000001 is an open disclosure request, received 10 minutes
	// before now and moved on once; its notes and 督办 are the page's.
	caseBench.ref = "B0000001"
	for i := range 5 {
		if _, err := p.AddCaseNote(ctx, caseBench.handler, caseBench.ref, fmt.Sprintf("第%d次电话联系申请人，确认所需信息的范围。", i+1)); err != nil {
			return err
		}
	}
	// 督办 on the most overdue cases, as the queue shows them.
	overdue, err := p.OverdueCases(ctx, inspector)
	if err != nil {
		return err
	}
	for _, row := range overdue[:min(200, len(overdue))] {
		if _, err := p.Supervise(ctx, inspector, row.Rec.Case.Ref, "已超期，请于三日内办结并报告。"); err != nil {
			return err
		}
	}
	return nil
}

// benchOffice serves the benchmarks' database over loopback HTTP and
// returns a client signed in as its handler.
func benchOffice(b *testing.B) (*server.Platform, *http.Client, string) {
	b.Helper()
	caseBench.once.Do(func() { caseBench.err = buildCaseBench() })
	if caseBench.err != nil {
		b.Fatal(caseBench.err)
	}
	ctx := context.Background()
	st, err := server.OpenSQLite(ctx, caseBench.path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	p := server.New(st, server.Options{Now: benchNow, Log: benchQuiet})
	srv := httptest.NewServer(New(p, benchQuiet).Handler())
	b.Cleanup(srv.Close)
	token, err := p.StartSession(ctx, caseBench.handler.ID)
	if err != nil {
		b.Fatal(err)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	c.Jar = benchJar{&http.Cookie{Name: sessionCookie, Value: token}}
	return p, c, srv.URL
}

// benchJar sends the one session cookie.
type benchJar struct{ c *http.Cookie }

func (j benchJar) SetCookies(*url.URL, []*http.Cookie) {}
func (j benchJar) Cookies(*url.URL) []*http.Cookie     { return []*http.Cookie{j.c} }

// benchGet GETs a page and reads it whole, failing on anything but 200.
func benchGet(b *testing.B, c *http.Client, u string) int {
	resp, err := c.Get(u)
	if err != nil {
		b.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("GET %s: %d %v", u, resp.StatusCode, err)
	}
	return int(n)
}

// perOp times fn over at least 100 runs and half a second.
func perOp(fn func()) time.Duration {
	start := time.Now()
	n := 0
	for n < 100 || time.Since(start) < 500*time.Millisecond {
		fn()
		n++
	}
	return time.Since(start) / time.Duration(n)
}

// BenchmarkAdminQueue renders the first page of the handler's queue (its
// street's 10,000 open cases among 1,010,000) through the real handler
// over loopback HTTP, session and role check included; floor-ns/op is
// the bare Platform.CaseQueue on the same database.
func BenchmarkAdminQueue(b *testing.B) {
	p, c, base := benchOffice(b)
	ctx := context.Background()
	floor := perOp(func() {
		q, err := p.CaseQueue(ctx, caseBench.handler, server.QueueFilter{})
		if err != nil || q.Total != benchOpen {
			b.Fatalf("queue: %d cases, %v", q.Total, err)
		}
	})
	u := base + Prefix + "cases/"
	size := benchGet(b, c, u)
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		benchGet(b, c, u)
	}
	per := time.Since(start) / time.Duration(b.N)
	b.ReportMetric(float64(per.Microseconds())/1000, "ms/page")
	b.ReportMetric(float64(floor.Microseconds())/1000, "floor-ms")
	b.ReportMetric(float64(size), "bytes")
}

// BenchmarkAdminCase renders a case page (an open disclosure request with
// its timeline, notes and 督办) the same way; floor-ns/op is the bare
// Platform.CaseFile.
func BenchmarkAdminCase(b *testing.B) {
	p, c, base := benchOffice(b)
	ctx := context.Background()
	floor := perOp(func() {
		if _, err := p.CaseFile(ctx, caseBench.handler, caseBench.ref, false); err != nil {
			b.Fatal(err)
		}
	})
	u := base + casePath(caseBench.ref)
	size := benchGet(b, c, u)
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		benchGet(b, c, u)
	}
	per := time.Since(start) / time.Duration(b.N)
	b.ReportMetric(float64(per.Microseconds())/1000, "ms/page")
	b.ReportMetric(float64(floor.Microseconds())/1000, "floor-ms")
	b.ReportMetric(float64(size), "bytes")
}
