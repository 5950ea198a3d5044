package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"jiezhen/assets"
	"jiezhen/data"
	"jiezhen/data/synth"
	"jiezhen/internal/pgtest"
	"jiezhen/sync/server"
	"jiezhen/sync/wire"
)

// benchItems is how many data/synth items the benchmarks' district holds
// beside the demo content.
const benchItems = 100_000

// benchDB is the benchmarks' district database, built once per run in a
// directory TestMain removes.
var benchDB struct {
	once sync.Once
	dir  string
	path string
	ref  string // a case a kiosk filed, tracked with trackMobile's last four digits
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDB.dir != "" {
		os.RemoveAll(benchDB.dir)
	}
	pgtest.Stop()
	os.Exit(code)
}

// benchClock is the site's fixed clock: 2026-12-08 10:00 in Beijing.
func benchClock() time.Time { return time.Date(2026, 12, 8, 2, 0, 0, 0, time.UTC) }

// buildBenchDB publishes the demo content and writes benchItems synth
// items, with their search documents, in batches of 5,000, and files one
// appeal from a kiosk, answered, for tracking.
//
// With JIEZHEN_TEST_STORE=postgres the database is on the tests'
// PostgreSQL server.
func buildBenchDB(b *testing.B) (string, error) {
	dir, err := os.MkdirTemp("", "jiezhen-web-bench")
	if err != nil {
		return "", err
	}
	benchDB.dir = dir
	ctx := context.Background()
	path := filepath.Join(dir, "district.db")
	if pgtest.Enabled() {
		path = pgtest.SharedURL(b, server.MigratePostgres)
	}
	st, err := server.OpenStore(ctx, path)
	if err != nil {
		return "", err
	}
	defer st.Close()
	p := server.New(st, server.Options{Now: benchClock, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	set, err := data.ReadContentFiles(assets.Demo, "demo/*.json")
	if err != nil {
		return "", err
	}
	if _, err := p.Publish(ctx, set); err != nil {
		return "", err
	}
	changes := synth.Changes(benchItems, 1)
	for len(changes) > 0 {
		batch := changes[:min(5000, len(changes))]
		changes = changes[len(batch):]
		err := st.Write(ctx, func(tx server.Tx) error {
			for _, c := range batch {
				var v struct {
					Street string `json:"street"`
				}
				if err := json.Unmarshal(c.Body, &v); err != nil {
					return err
				}
				if _, err := tx.PutItem(server.Item{Kind: c.Kind, ID: c.ID, Street: v.Street, Version: 1, Body: c.Body}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return "", err
		}
	}
	k, _, err := p.AddKiosk(ctx, demoStreet, "一楼大厅")
	if err != nil {
		return "", err
	}
	body, err := json.Marshal(appealCase("bench-appeal-1"))
	if err != nil {
		return "", err
	}
	resp, err := p.Push(ctx, k, &wire.PushRequest{Items: []wire.PushItem{{ID: "bench-appeal-1", Kind: wire.ItemCase, Body: body}}})
	if err != nil {
		return "", err
	}
	if resp.Results[0].Outcome != wire.Accepted {
		return "", fmt.Errorf("push the tracked appeal: %+v", resp.Results[0])
	}
	benchDB.ref = resp.Results[0].Ref
	if _, err := p.MoveCase(ctx, server.CaseMove{Ref: benchDB.ref, To: data.StatusReplied, Reason: "已联系供电部门修复路灯"}); err != nil {
		return "", err
	}
	return path, nil
}

// benchSite serves the benchmarks' database over loopback HTTP.
func benchSite(b *testing.B) (*Site, *server.Platform, string) {
	b.Helper()
	benchDB.once.Do(func() { benchDB.path, benchDB.err = buildBenchDB(b) })
	if benchDB.err != nil {
		b.Fatal(benchDB.err)
	}
	st, err := server.OpenStore(context.Background(), benchDB.path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	p := server.New(st, server.Options{Now: benchClock, Log: quiet})
	s := New(p, quiet)
	srv := httptest.NewServer(s.Handler())
	b.Cleanup(srv.Close)
	return s, p, srv.URL
}

// fetch GETs a URL and reads the whole body, failing on any status but
// 200.
func fetch(b *testing.B, c *http.Client, u string) int {
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

// perOp times fn over at least 200 runs and half a second.
func perOp(fn func()) time.Duration {
	start := time.Now()
	n := 0
	for n < 200 || time.Since(start) < 500*time.Millisecond {
		fn()
		n++
	}
	return time.Since(start) / time.Duration(n)
}

// BenchmarkWebStreetHome renders the demo street's home through the real
// handler over loopback HTTP, against the floor of serving a static file
// of the same size through the same middleware.
func BenchmarkWebStreetHome(b *testing.B) {
	s, _, base := benchSite(b)
	c := &http.Client{}
	home := base + "/s/" + demoStreet + "/"
	resp, err := c.Get(home)
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	static := httptest.NewServer(s.chain(http.FileServerFS(fstest.MapFS{"home.html": {Data: body}})))
	defer static.Close()
	floor := perOp(func() { fetch(b, c, static.URL+"/home.html") })

	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		fetch(b, c, home)
	}
	per := time.Since(start) / time.Duration(b.N)
	b.ReportMetric(float64(floor.Nanoseconds()), "floor-ns/op")
	b.ReportMetric(float64(per)/float64(floor), "x-floor")
	b.ReportMetric(float64(len(body)), "bytes")
}

// BenchmarkWebSearch runs a three-character and a two-character search
// page of the demo street over loopback HTTP, against the floor of the
// bare search (Platform.Search) on the same database.
func BenchmarkWebSearch(b *testing.B) {
	_, p, base := benchSite(b)
	c := &http.Client{}
	ctx := context.Background()
	for _, q := range []struct{ name, q string }{{"3chars", "居委会"}, {"2chars", "社区"}} {
		b.Run(q.name, func(b *testing.B) {
			floor := perOp(func() {
				if _, err := p.Search(ctx, demoStreet, q.q, searchPerKind); err != nil {
					b.Fatal(err)
				}
			})
			u := base + "/s/" + demoStreet + "/search?q=" + url.QueryEscape(q.q)
			b.ResetTimer()
			start := time.Now()
			for b.Loop() {
				fetch(b, c, u)
			}
			per := time.Since(start) / time.Duration(b.N)
			b.ReportMetric(float64(floor.Nanoseconds()), "floor-ns/op")
			b.ReportMetric(float64(per)/float64(floor), "x-floor")
		})
	}
}

// BenchmarkWebTrack looks a case up through the real handler over
// loopback HTTP, as a resident does: the tracking form POSTed with the
// reference and the right four digits, then the timeline page it
// redirects to; against the floor of the bare lookup and timeline
// (Platform.Track and Platform.Timeline, which is data.BuildTimeline on
// the district's calendar) on the same database. The digits are always
// right, so no failure is counted against the reference or the client
// address and the lockout never applies.
func BenchmarkWebTrack(b *testing.B) {
	_, p, base := benchSite(b)
	ctx := context.Background()
	ref, phone4 := benchDB.ref, trackMobile[len(trackMobile)-4:]
	floor := perOp(func() {
		tr, err := p.Track(ctx, ref, phone4, "127.0.0.1")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := p.Timeline(ctx, tr, data.ZH); err != nil {
			b.Fatal(err)
		}
	})
	form := url.Values{"ref": {ref}, "phone4": {phone4}}.Encode()
	track := base + "/s/" + demoStreet + "/track"
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		resp, err := c.Post(track, "application/x-www-form-urlencoded", strings.NewReader(form))
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/s/"+demoStreet+"/track/") {
			b.Fatalf("POST %s: %d %q", track, resp.StatusCode, loc)
		}
		fetch(b, c, base+loc)
	}
	per := time.Since(start) / time.Duration(b.N)
	b.ReportMetric(float64(floor.Nanoseconds()), "floor-ns/op")
	b.ReportMetric(float64(per)/float64(floor), "x-floor")
}
