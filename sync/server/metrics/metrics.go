// Package metrics is districtd's Prometheus metrics and health checks:
// requests by route pattern, push outcomes, the fleet and case backlog
// read from the store at scrape time, and the database pools
// (docs/DEPLOY.md, "Metrics"). Labels carry route patterns, street codes,
// outcomes and refusal codes, never a path, reference or personal data.
package metrics

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"jiezhen/sync/server"
	"jiezhen/sync/wire"
)

// Namespace starts every metric's name.
const Namespace = "jiezhen"

// ScrapeTimeout bounds the store's queries of one scrape.
const ScrapeTimeout = 5 * time.Second

// Metrics holds districtd's registry. Make it with New before the
// platform (its OnPush goes into server.Options), then Attach the
// platform.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	pushes   *prometheus.CounterVec
	p        *server.Platform
	log      *slog.Logger
	timeout  time.Duration
}

// New makes the registry with the request and push counters and Go's
// and the process's own metrics.
func New(log *slog.Logger) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(), log: log, timeout: ScrapeTimeout}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: Namespace, Name: "http_requests_total",
		Help: "HTTP requests answered, by route pattern and status code.",
	}, []string{"route", "code"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: Namespace, Name: "http_request_duration_seconds",
		Help:    "Time to answer an HTTP request, by route pattern.",
		Buckets: []float64{.005, .01, .025, .05, .1, .2, .5, 1, 2.5, 5, 10},
	}, []string{"route"})
	m.pushes = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: Namespace, Name: "push_items_total",
		Help: "Pushed items stored, by outcome (accepted, duplicate, conflict, refused) and refusal code.",
	}, []string{"outcome", "code"})
	m.reg.MustRegister(m.requests, m.latency, m.pushes,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// OnPush counts one pushed item's outcome; it is the platform's
// server.Options.OnPush.
func (m *Metrics) OnPush(r wire.PushResult) {
	m.pushes.WithLabelValues(string(r.Outcome), string(r.Code)).Inc()
}

// Attach registers the gauges read from p's store at scrape time.
func (m *Metrics) Attach(p *server.Platform) {
	m.p = p
	m.reg.MustRegister(&collector{m: m})
}

// Registry is the registry, for tests and for the metrics' names.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics listener: /metrics, /healthz and /readyz.
func (m *Metrics) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorLog: slogPrinter{m.log}}))
	mux.HandleFunc("GET /healthz", healthz)
	mux.HandleFunc("GET /readyz", m.readyz)
	return mux
}

// Instrument counts next's requests by the pattern that matched them
// (http.Request.Pattern, set by the innermost ServeMux that shares the
// request) and answers /healthz and /readyz itself.
func (m *Metrics) Instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			switch r.URL.Path {
			case "/healthz":
				healthz(w, r)
				return
			case "/readyz":
				m.readyz(w, r)
				return
			}
		}
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		m.requests.WithLabelValues(route, strconv.Itoa(sw.status)).Inc()
		m.latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
	})
}

func healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprintln(w, "ok")
}

func (m *Metrics) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	ctx, cancel := context.WithTimeout(r.Context(), m.timeout)
	defer cancel()
	if m.p == nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "not ready: the database is not open yet")
		return
	}
	if err := m.p.Ready(ctx); err != nil {
		m.log.Warn("not ready", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "not ready: "+err.Error())
		return
	}
	fmt.Fprintln(w, "ready")
}

// statusWriter remembers the status for the counters.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

type slogPrinter struct{ log *slog.Logger }

func (p slogPrinter) Println(v ...any) { p.log.Error("metrics", "err", fmt.Sprint(v...)) }

// The gauges read at scrape time.
var (
	descKiosks = prometheus.NewDesc(Namespace+"_kiosks",
		"Kiosks in service by street and the age of their last pull (under 5m, 1h, 1d, 7d, older, never).",
		[]string{"street", "age"}, nil)
	descLag = prometheus.NewDesc(Namespace+"_feed_lag_changes",
		"Changes of a street's feed after the cursor of its slowest kiosk (counted up to 100000).",
		[]string{"street"}, nil)
	descBacklog = prometheus.NewDesc(Namespace+"_case_backlog",
		"Cases not yet answered, closed or refused, by street.", []string{"street"}, nil)
	descOverdue = prometheus.NewDesc(Namespace+"_cases_overdue",
		"Cases of the backlog whose deadline runs and has passed, by street.", []string{"street"}, nil)
	descScrapeOK = prometheus.NewDesc(Namespace+"_store_scrape_ok",
		"1 when the store's gauges of this scrape were read, 0 when the read failed or timed out.", nil, nil)
	descScrapeSecs = prometheus.NewDesc(Namespace+"_store_scrape_seconds",
		"Time the store's gauges of this scrape took to read.", nil, nil)
	descDBOpen = prometheus.NewDesc(Namespace+"_db_connections_open",
		"Open database connections, by pool.", []string{"pool"}, nil)
	descDBInUse = prometheus.NewDesc(Namespace+"_db_connections_in_use",
		"Database connections in use, by pool.", []string{"pool"}, nil)
	descDBIdle = prometheus.NewDesc(Namespace+"_db_connections_idle",
		"Idle database connections, by pool.", []string{"pool"}, nil)
	descDBMax = prometheus.NewDesc(Namespace+"_db_connections_max",
		"The most connections a pool may open (0: no limit).", []string{"pool"}, nil)
	descDBWaits = prometheus.NewDesc(Namespace+"_db_waits_total",
		"Times a request waited for a free database connection, by pool.", []string{"pool"}, nil)
	descDBWaitSecs = prometheus.NewDesc(Namespace+"_db_wait_seconds_total",
		"Time spent waiting for a free database connection, by pool.", []string{"pool"}, nil)
)

type collector struct{ m *Metrics }

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descKiosks, descLag, descBacklog, descOverdue, descScrapeOK,
		descScrapeSecs, descDBOpen, descDBInUse, descDBIdle, descDBMax, descDBWaits, descDBWaitSecs} {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.m.timeout)
	defer cancel()
	start := time.Now()
	f, err := c.m.p.Gauges(ctx)
	ch <- prometheus.MustNewConstMetric(descScrapeSecs, prometheus.GaugeValue, time.Since(start).Seconds())
	ok := 1.0
	if err != nil {
		ok = 0
		c.m.log.Warn("metrics: the store's gauges", "err", err)
	} else {
		for street, sf := range f.Streets {
			for age, n := range sf.Kiosks {
				ch <- prometheus.MustNewConstMetric(descKiosks, prometheus.GaugeValue, float64(n), street, age)
			}
			ch <- prometheus.MustNewConstMetric(descLag, prometheus.GaugeValue, float64(sf.Lag), street)
			ch <- prometheus.MustNewConstMetric(descBacklog, prometheus.GaugeValue, float64(sf.Backlog), street)
			ch <- prometheus.MustNewConstMetric(descOverdue, prometheus.GaugeValue, float64(sf.Overdue), street)
		}
	}
	ch <- prometheus.MustNewConstMetric(descScrapeOK, prometheus.GaugeValue, ok)
	for pool, s := range c.m.p.DBStats() {
		ch <- prometheus.MustNewConstMetric(descDBOpen, prometheus.GaugeValue, float64(s.OpenConnections), pool)
		ch <- prometheus.MustNewConstMetric(descDBInUse, prometheus.GaugeValue, float64(s.InUse), pool)
		ch <- prometheus.MustNewConstMetric(descDBIdle, prometheus.GaugeValue, float64(s.Idle), pool)
		ch <- prometheus.MustNewConstMetric(descDBMax, prometheus.GaugeValue, float64(s.MaxOpenConnections), pool)
		ch <- prometheus.MustNewConstMetric(descDBWaits, prometheus.CounterValue, float64(s.WaitCount), pool)
		ch <- prometheus.MustNewConstMetric(descDBWaitSecs, prometheus.CounterValue, s.WaitDuration.Seconds(), pool)
	}
}
