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

	"jiezhen/data"
	"jiezhen/data/synth"
	"jiezhen/sync/server"
)

// webLoadtest (`loadtest --web`) has simulated residents browse a street's
// website: the home, the section lists, the items they link to and
// searches, each resident one keep-alive connection with a pause between
// pages. Alongside, --filings residents a second file an appeal through
// the website's form, as a browser does (webFile). It reports latencies
// per page type and counts every answer that is not the expected one as
// an error, then checks the district's database: every filing that got
// its receipt is one case, none is stored twice. Against --url it loads a
// running districtd and reads its --db; with --db alone it serves that
// database itself on a free loopback port. Several --url (repeated or
// comma separated) are replicas of one district: the i-th resident and
// the i-th filing go to the i-th modulo their number.
func webLoadtest(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("loadtest")
	fs.Bool("web", true, "load the website instead of the kiosks' API")
	dbPath := fs.String("db", "", "the database to serve on a free loopback port, without --url")
	var bases repeated
	fs.Var(&bases, "url", "a running districtd's address; several replicas repeated or comma separated")
	residents := fs.Int("residents", 500, "simulated residents")
	duration := fs.Duration("duration", 30*time.Second, "how long they browse")
	think := fs.Duration("think", time.Second, "mean pause between a resident's pages")
	street := fs.String("street", "", "the street they browse (default: the first listed)")
	filings := fs.Int("filings", 20, "appeals filed through the website's form per second (0: browse only)")
	keyPath := dataKeyFlag(fs)
	if _, err := parse(fs, args, 0, ""); err != nil {
		return err
	}
	urls, err := urlList(bases, "")
	if err != nil {
		return err
	}
	if *dbPath == "" && (len(urls) == 0 || *filings > 0) {
		return usagef("give --db, the district's database (served on a free port without --url, read to check the filings with it), or --url with --filings 0")
	}
	if *residents < 1 || *duration <= 0 || *think <= 0 || *filings < 0 || *filings > 1000 {
		return usagef("--residents, --duration and --think must be above zero, --filings from 0 to 1000")
	}
	ctx := context.Background()
	var db *database
	if *dbPath != "" {
		var err error
		if db, err = openDB(ctx, *dbPath, false, false, nil); err != nil {
			return err
		}
		defer db.close(false)
		if err := db.useDataKey(ctx, dataKeyPath(*keyPath, *dbPath), false, nil); err != nil {
			return err
		}
	}
	if len(urls) == 0 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		srv := &http.Server{Handler: siteHandler(db.p, slog.New(slog.NewTextHandler(io.Discard, nil)))}
		go srv.Serve(ln)
		defer srv.Close()
		urls = []string{"http://" + ln.Addr().String()}
	}
	res, err := runWebLoad(ctx, webLoadConfig{urls: urls, residents: *residents,
		duration: *duration, think: *think, street: *street, filings: *filings, db: db})
	if err != nil {
		return err
	}
	if err := printJSON(stdout, res); err != nil {
		return err
	}
	if res.Errors > 0 || res.Lost > 0 || res.Doubled > 0 {
		return fmt.Errorf("%d of %d requests failed; %d filing(s) lost and %d doubled", res.Errors, res.Requests, res.Lost, res.Doubled)
	}
	return nil
}

type webLoadConfig struct {
	urls            []string // the replicas
	residents       int
	duration, think time.Duration
	street          string
	filings         int       // per second
	db              *database // the district's, to check the filings
}

// webLoadResult is the report, latencies in milliseconds.
type webLoadResult struct {
	URL       string               `json:"url"` // the first of URLs
	URLs      []string             `json:"urls"`
	Street    string               `json:"street"`
	Residents int                  `json:"residents"`
	Seconds   float64              `json:"seconds"`
	Requests  int                  `json:"requests"`
	PerSecond float64              `json:"requests_per_second"`
	Errors    int                  `json:"errors"`
	P50       float64              `json:"p50_ms"`
	P99       float64              `json:"p99_ms"`
	Max       float64              `json:"max_ms"`
	PageP50   map[string]float64   `json:"page_p50_ms"`
	PageP99   map[string]float64   `json:"page_p99_ms"`
	Pages     map[string]latencies `json:"pages"`
	FirstErr  string               `json:"first_error,omitempty"`
	// The filings: sent (forms posted), filed (the receipt was shown),
	// resent (the same form posted again, as after a lost answer), and
	// what the check of the database found: lost (filed but not one case
	// under its form's id with its receipt's reference), doubled (stored
	// more than once), unanswered (stored though the resident saw no
	// receipt).
	Sent       int `json:"filings_sent"`
	Filed      int `json:"filings_filed"`
	Resent     int `json:"filings_resent"`
	Lost       int `json:"filings_lost"`
	Doubled    int `json:"filings_doubled"`
	Unanswered int `json:"filings_unanswered"`
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
	get := func(base, path string) (string, error) {
		resp, err := c.Get(base + path)
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
		page, err := get(cfg.urls[0], "/")
		if err != nil {
			return nil, fmt.Errorf("list the streets at %s: %w", cfg.urls[0], err)
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
		page, err := get(cfg.urls[0], home+sec)
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
	res := &webLoadResult{URL: cfg.urls[0], URLs: cfg.urls, Street: cfg.street, Residents: cfg.residents,
		PageP50: map[string]float64{}, PageP99: map[string]float64{}, Pages: map[string]latencies{}}
	byPage := map[string][]time.Duration{}
	var all []time.Duration
	record := func(kind string, d time.Duration, err error) {
		mu.Lock()
		defer mu.Unlock()
		res.Requests++
		all = append(all, d)
		byPage[kind] = append(byPage[kind], d)
		if err != nil {
			res.Errors++
			if res.FirstErr == "" {
				res.FirstErr = err.Error()
			}
		}
	}
	start := time.Now()
	stop := start.Add(cfg.duration)
	var wg sync.WaitGroup
	run := fmt.Sprintf("lt%x", start.UnixNano())
	var filings []*webFiling
	if cfg.filings > 0 {
		// The n-th filing starts n/filings seconds in: exactly filings a
		// second, however late the machine wakes this loop.
		every := time.Second / time.Duration(cfg.filings)
		wg.Go(func() {
			for i := 0; start.Add(time.Duration(i) * every).Before(stop); i++ {
				time.Sleep(time.Until(start.Add(time.Duration(i) * every)))
				f := &webFiling{run: run, n: i}
				filings = append(filings, f)
				wg.Go(func() { f.file(cfg.urls[i%len(cfg.urls)], home, record) })
			}
		})
	}
	for i := range cfg.residents {
		base := cfg.urls[i%len(cfg.urls)]
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
				_, err := get(base, path)
				record(kind, time.Since(t0), err)
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
		res.Pages[k] = summarize(byPage[k])
		res.PageP50[k], res.PageP99[k] = res.Pages[k].P50, res.Pages[k].P99
	}
	if cfg.filings > 0 {
		if err := checkWebFilings(ctx, cfg, run, filings, res); err != nil {
			return nil, err
		}
	}
	return res, ctx.Err()
}

// webFiling is one resident filing an appeal: the n-th of the run.
type webFiling struct {
	run    string
	n      int
	formID string
	sent   bool
	ref    string // the receipt's reference, once it was shown
	resent bool
}

var (
	formIDInput = regexp.MustCompile(`name="form_id" value="([0-9a-f]{32})"`)
	receiptPath = regexp.MustCompile(`^/s/[^/]+/receipt/([^/?]+)$`)
)

// description marks a filing's appeal with the run and its number, so
// that the check finds every case it made, under whatever id.
func (f *webFiling) description() string {
	return fmt.Sprintf("负载测试 %s 第%d件：小区门口路灯不亮", f.run, f.n)
}

// file opens the appeal form at base, posts it with the form's id (one time in
// ten twice, as a browser does when the answer is lost) and opens the
// receipt it is redirected to, without following redirects so that the
// POST is timed alone. Each filing comes from its own loopback address,
// as residents come from their own: the website limits the posts of one
// address (docs/WEB.md). Against a server that is not on 127.0.0.0/8
// every filing comes from this machine's address and most are refused
// with 429, which counts as errors.
func (f *webFiling) file(base, home string, record func(string, time.Duration, error)) {
	tr := &http.Transport{}
	if u, err := url.Parse(base); err == nil {
		if ip := net.ParseIP(u.Hostname()); ip != nil && ip.To4() != nil && ip.IsLoopback() {
			// 127.1.0.1 onwards: never the residents' 127.0.0.1.
			n := f.n + 1
			d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 1+byte(n>>16), byte(n>>8), byte(n))}}
			tr.DialContext = d.DialContext
		}
	}
	defer tr.CloseIdleConnections()
	c := &http.Client{Timeout: 30 * time.Second, Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(kind, method, path string, form url.Values, want int) (*http.Response, string, error) {
		t0 := time.Now()
		var resp *http.Response
		var err error
		if method == http.MethodPost {
			resp, err = c.PostForm(base+path, form)
		} else {
			resp, err = c.Get(base + path)
		}
		var body []byte
		if err == nil {
			body, err = io.ReadAll(resp.Body)
			resp.Body.Close()
			if err == nil && resp.StatusCode != want {
				err = fmt.Errorf("%s %s: %s", method, path, resp.Status)
			}
		}
		record(kind, time.Since(t0), err)
		return resp, string(body), err
	}
	_, page, err := do("appeal-form", http.MethodGet, home+"appeal", nil, http.StatusOK)
	if err != nil {
		return
	}
	m := formIDInput.FindStringSubmatch(page)
	if m == nil {
		record("appeal-form", 0, fmt.Errorf("GET %sappeal: no form id", home))
		return
	}
	f.formID = m[1]
	form := url.Values{"form_id": {f.formID}, "appeal_type": {string(data.AppealTypes[f.n%len(data.AppealTypes)])},
		"category": {data.AppealCategories[f.n%len(data.AppealCategories)]}, "description": {f.description()},
		"location": {"天河南一路1号"}, "anonymous": {"yes"}}
	f.sent = true
	resp, _, err := do("appeal-post", http.MethodPost, home+"appeal", form, http.StatusSeeOther)
	if err != nil {
		return
	}
	loc := resp.Header.Get("Location")
	if f.n%10 == 9 {
		f.resent = true
		again, _, err := do("appeal-post", http.MethodPost, home+"appeal", form, http.StatusSeeOther)
		if err != nil {
			return
		}
		if l := again.Header.Get("Location"); l != loc {
			record("appeal-post", 0, fmt.Errorf("the same form posted again went to %s, not %s", l, loc))
			return
		}
	}
	rm := receiptPath.FindStringSubmatch(loc)
	if rm == nil {
		record("appeal-post", 0, fmt.Errorf("POST %sappeal went to %q, not a receipt", home, loc))
		return
	}
	if _, page, err := do("receipt", http.MethodGet, loc, nil, http.StatusOK); err == nil {
		ref, _ := url.PathUnescape(rm[1])
		if strings.Contains(page, ref) {
			f.ref = ref
		}
	}
}

// checkWebFilings reads the district's cases of the street: every filing
// whose receipt was shown is one case under its form's id, with the
// receipt's reference, filed on the website; no filing of the run is
// stored twice (counted by the run's mark in the description, whatever
// the id).
func checkWebFilings(ctx context.Context, cfg webLoadConfig, run string, filings []*webFiling, res *webLoadResult) error {
	cases, err := cfg.db.p.Cases(ctx, server.CaseFilter{Street: cfg.street})
	if err != nil {
		return err
	}
	byID := map[string][]data.Case{}
	byMark := map[string]int{}
	for _, rec := range cases {
		byID[rec.Case.ID] = append(byID[rec.Case.ID], rec.Case)
		if strings.Contains(rec.Case.Description, run) {
			byMark[rec.Case.Description]++
		}
	}
	for _, f := range filings {
		if f.sent {
			res.Sent++
		}
		if f.resent {
			res.Resent++
		}
		stored := byID[server.WebPrefix+f.formID]
		if f.ref == "" {
			if f.sent && len(stored) > 0 {
				res.Unanswered++
			}
		} else {
			res.Filed++
			if len(stored) == 0 || stored[0].Ref != f.ref || stored[0].Channel != data.ChannelWeb || stored[0].Description != f.description() {
				res.Lost++
			}
		}
		if n := byMark[f.description()]; n > 1 {
			res.Doubled += n - 1
		}
	}
	return nil
}
