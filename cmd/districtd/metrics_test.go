package main

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"jiezhen/sync/wire"
)

// get answers a GET with its status and body; token "" sends none.
func get(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func scrape(t *testing.T, url string) (map[string]*dto.MetricFamily, string) {
	t.Helper()
	status, body := get(t, url+"/metrics", "")
	if status != http.StatusOK {
		t.Fatalf("/metrics: %d %s", status, body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("/metrics does not parse: %v", err)
	}
	return fams, body
}

// value is the value of the family's series with exactly these labels
// among its own; -1 when there is none.
func value(fams map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	f := fams[name]
	if f == nil {
		return -1
	}
next:
	for _, m := range f.Metric {
		have := map[string]string{}
		for _, l := range m.Label {
			have[l.GetName()] = l.GetValue()
		}
		for i := 0; i+1 < len(labels); i += 2 {
			if have[labels[i]] != labels[i+1] {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		}
	}
	return -1
}

// serve --metrics-addr: Prometheus metrics on their own listener, with
// the requests counted by route pattern, the pushes by outcome and code,
// the fleet and the backlog per street and the database pools; /healthz
// and /readyz on both listeners; and the dashboard in docs/ uses only
// metrics that exist.
func TestServeMetrics(t *testing.T) {
	db := filepath.Join(t.TempDir(), "district.db")
	url, logs, stop := startServeWith(t, serveConfig{db: db, demo: true, metricsAddr: "127.0.0.1:0"})
	defer func() {
		if err := stop(); err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	m := regexp.MustCompile(`msg=metrics url=(http://\S+)/metrics`).FindStringSubmatch(logs.String())
	if m == nil {
		t.Fatalf("no metrics address in the log:\n%s", logs)
	}
	murl := m[1]
	const street = "440106005"
	token := strings.TrimSpace(ok(t, "kiosk", "add", "--db", db, "--street", street, "--name", "M1"))

	status, body := get(t, url+wire.PathChanges+"?after=0", token)
	if status != http.StatusOK {
		t.Fatalf("pull: %d %s", status, body)
	}
	// The fleet records the cursor a kiosk pulled from (docs/ADMIN.md,
	// "Kiosks"): after its first pull from 0 the kiosk is behind by all
	// that pull brought.
	var pulled wire.PullResponse
	if err := json.Unmarshal([]byte(body), &pulled); err != nil || pulled.Next == 0 || pulled.More {
		t.Fatalf("pull: %v, next %d, more %v", err, pulled.Next, pulled.More)
	}
	good := testAppeal(t, "metrics-case-1", street)
	bad := testAppeal(t, "metrics-case-2", street)
	bad.Body = []byte(strings.Replace(string(bad.Body), "440106199001011235", "440106199001011234", 1)) // a wrong check character
	push := func(items ...wire.PushItem) wire.PushResponse {
		t.Helper()
		res, err := pushHTTP(url, token, items...)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	res := push(good, bad)
	ref := res.Results[0].Ref
	push(good)
	if status, _ := get(t, url+"/s/"+street+"/notices/", ""); status != http.StatusOK {
		t.Fatalf("the website's notices: %d", status)
	}
	for _, base := range []string{url, murl} {
		if status, body := get(t, base+"/healthz", ""); status != http.StatusOK || body != "ok\n" {
			t.Errorf("%s/healthz: %d %q", base, status, body)
		}
		if status, body := get(t, base+"/readyz", ""); status != http.StatusOK || body != "ready\n" {
			t.Errorf("%s/readyz: %d %q", base, status, body)
		}
	}

	var fams map[string]*dto.MetricFamily
	var text string
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		fams, text = scrape(t, murl)
		if value(fams, "jiezhen_kiosks", "street", street, "age", "5m") == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the kiosk's pull is not counted:\n%s", text)
		}
	}
	checks := []struct {
		name   string
		labels []string
		want   float64
	}{
		{"jiezhen_http_requests_total", []string{"route", "GET " + wire.PathChanges, "code", "200"}, 1},
		{"jiezhen_http_requests_total", []string{"route", "POST " + wire.PathPush, "code", "200"}, 2},
		{"jiezhen_http_request_duration_seconds", []string{"route", "POST " + wire.PathPush}, 2},
		{"jiezhen_push_items_total", []string{"outcome", "accepted", "code", ""}, 1},
		{"jiezhen_push_items_total", []string{"outcome", "duplicate", "code", ""}, 1},
		{"jiezhen_push_items_total", []string{"outcome", "refused", "code", string(wire.RefusedApplicant)}, 1},
		{"jiezhen_case_backlog", []string{"street", street}, 1},
		{"jiezhen_cases_overdue", []string{"street", street}, 0},
		{"jiezhen_feed_lag_changes", []string{"street", street}, float64(len(pulled.Changes))},
		{"jiezhen_store_scrape_ok", nil, 1},
		{"jiezhen_db_connections_max", []string{"pool", "write"}, 2},
	}
	for _, c := range checks {
		if got := value(fams, c.name, c.labels...); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	if value(fams, "jiezhen_db_connections_open", "pool", "read") <= 0 {
		t.Errorf("no open read connections counted")
	}
	// Routes are patterns: no raw path, reference or token in a label.
	if value(fams, "jiezhen_http_requests_total", "route", "GET /s/{street}/notices/{$}", "code", "200") != 1 {
		t.Errorf("the website's route is not counted by its pattern:\n%s", grepLines(text, "http_requests_total"))
	}
	for _, secret := range []string{ref, token, "/s/" + street + "/", "王五", "13800138000"} {
		if strings.Contains(text, secret) {
			t.Errorf("the metrics carry %q", secret)
		}
	}

	// The dashboard is JSON and every metric its queries use exists.
	raw, err := os.ReadFile("../../docs/grafana-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(raw, &dash); err != nil {
		t.Fatalf("docs/grafana-dashboard.json: %v", err)
	}
	used := 0
	name := regexp.MustCompile(`\bjiezhen_[a-z_]+`)
	for _, p := range dash.Panels {
		for _, tg := range p.Targets {
			for _, n := range name.FindAllString(tg.Expr, -1) {
				used++
				base := n
				if fams[base] == nil {
					base = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(n, "_bucket"), "_sum"), "_count")
					if f := fams[base]; f == nil || f.GetType() != dto.MetricType_HISTOGRAM {
						base = ""
					}
				}
				if base == "" {
					t.Errorf("panel %q uses %s, which districtd does not export", p.Title, n)
				}
			}
		}
	}
	if used < 10 {
		t.Fatalf("the dashboard uses only %d metrics", used)
	}
}

func grepLines(text, s string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, s) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// An address the metrics cannot listen on fails serve at once, before the
// database is created.
func TestServeMetricsAddrInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	db := filepath.Join(t.TempDir(), "district.db")
	fails(t, 1, "--metrics-addr: cannot listen on "+ln.Addr().String(), "serve", "--db", db, "--addr", "127.0.0.1:0", "--metrics-addr", ln.Addr().String())
	if m, _ := filepath.Glob(db + "*"); len(m) != 0 {
		t.Fatalf("a failed serve left %v", m)
	}
}
