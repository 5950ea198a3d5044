package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"jiezhen/data/synth"
)

// webLoadtest (`loadtest --web`) has simulated residents browse a street's
// website: the home, the section lists, the items they link to and
// searches, each resident one keep-alive connection with a pause between
// pages. It reports latencies per page type and counts every answer that
// is not 200 as an error. Against --url it loads a running districtd;
// with --db alone it serves that database itself on a free loopback port.
// It only reads. Filing from the website is not simulated.
func webLoadtest(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("loadtest")
	fs.Bool("web", true, "load the website instead of the kiosks' API")
	dbPath := fs.String("db", "", "the database to serve on a free loopback port, without --url")
	base := fs.String("url", "", "a running districtd's address")
	residents := fs.Int("residents", 500, "simulated residents")
	duration := fs.Duration("duration", 30*time.Second, "how long they browse")
	think := fs.Duration("think", time.Second, "mean pause between a resident's pages")
	street := fs.String("street", "", "the street they browse (default: the first listed)")
	if _, err := parse(fs, args, 0, ""); err != nil {
		return err
	}
	if (*dbPath == "") == (*base == "") {
		return usagef("give --url of a running districtd or --db to serve")
	}
	if *residents < 1 || *duration <= 0 || *think <= 0 {
		return usagef("--residents, --duration and --think must be above zero")
	}
	ctx := context.Background()
	if *dbPath != "" {
		db, err := openDB(ctx, *dbPath, false, false, nil)
		if err != nil {
			return err
		}
		defer db.close(false)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		srv := &http.Server{Handler: siteHandler(db.p, slog.New(slog.NewTextHandler(io.Discard, nil)))}
		go srv.Serve(ln)
		defer srv.Close()
		*base = "http://" + ln.Addr().String()
	}
	res, err := runWebLoad(ctx, webLoadConfig{url: strings.TrimSuffix(*base, "/"), residents: *residents,
		duration: *duration, think: *think, street: *street})
	if err != nil {
		return err
	}
	if err := printJSON(stdout, res); err != nil {
		return err
	}
	if res.Errors > 0 {
		return fmt.Errorf("%d of %d requests failed", res.Errors, res.Requests)
	}
	return nil
}

type webLoadConfig struct {
	url             string
	residents       int
	duration, think time.Duration
	street          string
}

// webLoadResult is the report, latencies in milliseconds.
type webLoadResult struct {
	URL       string             `json:"url"`
	Street    string             `json:"street"`
	Residents int                `json:"residents"`
	Seconds   float64            `json:"seconds"`
	Requests  int                `json:"requests"`
	PerSecond float64            `json:"requests_per_second"`
	Errors    int                `json:"errors"`
	P50       float64            `json:"p50_ms"`
	P99       float64            `json:"p99_ms"`
	Max       float64            `json:"max_ms"`
	PageP99   map[string]float64 `json:"page_p99_ms"`
	FirstErr  string             `json:"first_error,omitempty"`
}

var (
	streetLink = regexp.MustCompile(`href="/s/([^/"]+)/"`)
	itemLink   = regexp.MustCompile(`href="(/s/[^/"]+/(?:notices|catalog|services|consultations)/[^/"?]+)"`)
)

// webSections are the lists a resident opens.
var webSections = []string{"notices/", "catalog/", "services/", "providers/", "consultations/"}

func runWebLoad(ctx context.Context, cfg webLoadConfig) (*webLoadResult, error) {
	c := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConns: cfg.residents, MaxIdleConnsPerHost: cfg.residents, IdleConnTimeout: time.Minute}}
	get := func(path string) (string, error) {
		resp, err := c.Get(cfg.url + path)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("GET %s: %s", path, resp.Status)
		}
		return string(b), err
	}
	// The street and the items its lists link to.
	if cfg.street == "" {
		page, err := get("/")
		if err != nil {
			return nil, fmt.Errorf("list the streets at %s: %w", cfg.url, err)
		}
		m := streetLink.FindStringSubmatch(page)
		if m == nil {
			return nil, errors.New("the website lists no street")
		}
		cfg.street = m[1]
	}
	home := "/s/" + url.PathEscape(cfg.street) + "/"
	var items []string
	for _, sec := range webSections {
		page, err := get(home + sec)
		if err != nil {
			return nil, fmt.Errorf("street %s: %w", cfg.street, err)
		}
		for _, m := range itemLink.FindAllStringSubmatch(page, -1) {
			items = append(items, m[1])
		}
	}
	long, short := synth.Queries()
	queries := append(long, short...)

	var mu sync.Mutex
	res := &webLoadResult{URL: cfg.url, Street: cfg.street, Residents: cfg.residents, PageP99: map[string]float64{}}
	byPage := map[string][]time.Duration{}
	var all []time.Duration
	start := time.Now()
	stop := start.Add(cfg.duration)
	var wg sync.WaitGroup
	for i := range cfg.residents {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(i), uint64(start.UnixNano())))
			// Residents arrive over the first pause, not all at once.
			time.Sleep(time.Duration(r.Int64N(int64(cfg.think))))
			for time.Now().Before(stop) {
				var kind, path string
				switch n := r.IntN(100); {
				case n < 25:
					kind, path = "home", home
				case n < 55:
					kind, path = "list", home+webSections[r.IntN(len(webSections))]
				case n < 85 && len(items) > 0:
					kind, path = "item", items[r.IntN(len(items))]
				default:
					kind, path = "search", home+"search?q="+url.QueryEscape(queries[r.IntN(len(queries))])
				}
				t0 := time.Now()
				_, err := get(path)
				d := time.Since(t0)
				mu.Lock()
				res.Requests++
				all = append(all, d)
				byPage[kind] = append(byPage[kind], d)
				if err != nil {
					res.Errors++
					if res.FirstErr == "" {
						res.FirstErr = err.Error()
					}
				}
				mu.Unlock()
				// A pause of the mean think time, give or take half.
				time.Sleep(min(time.Until(stop), cfg.think/2+time.Duration(r.Int64N(int64(cfg.think)))))
			}
		})
	}
	wg.Wait()
	res.Seconds = time.Since(start).Seconds()
	res.PerSecond = float64(res.Requests) / res.Seconds
	res.P50, res.P99, res.Max = percentile(all, 50), percentile(all, 99), percentile(all, 100)
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range byPage {
			if !yield(k) {
				return
			}
		}
	}) {
		res.PageP99[k] = percentile(byPage[k], 99)
	}
	return res, ctx.Err()
}
