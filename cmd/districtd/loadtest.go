package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"jiezhen/data"
	"jiezhen/sync/server"
	"jiezhen/sync/wire"
)

// loadtest runs simulated kiosks against a running districtd and checks
// that every item they sent is stored exactly once and that every kiosk
// was served: had a batch acknowledged and pulled the feed to its end,
// its own acknowledged cases included. Latencies are reported, not
// checked. It registers its kiosks in the server's database (and revokes
// them after), so it is for a test district, not a live one.
//
// --url may name several replicas of one district (repeated or comma
// separated): each kiosk keeps to one, the i-th kiosk's the i-th modulo
// their number, and sends one request in five to another, as behind a
// load balancer. With --residents the website's browse and file mix
// (webload.go) runs alongside on the same replicas and its report comes
// under "web".
func loadtest(args []string, stdout, stderr io.Writer) error {
	if slices.Contains(args, "--web") || slices.Contains(args, "-web") {
		return webLoadtest(args, stdout, stderr)
	}
	fs := newFlags("loadtest")
	dbPath := fs.String("db", "", "the running districtd's database")
	var bases repeated
	fs.Var(&bases, "url", "the running districtd's address (default http://127.0.0.1:8080); several replicas repeated or comma separated")
	kiosks := fs.Int("kiosks", 1000, "simulated kiosks")
	duration := fs.Duration("duration", 30*time.Second, "how long the kiosks sync")
	interval := fs.Duration("interval", 2*time.Second, "mean pause between a kiosk's syncs")
	street := fs.String("street", "", "the kiosks' street (default: the first published)")
	residents := fs.Int("residents", 0, "simulated residents browsing the street's website alongside (0: none)")
	think := fs.Duration("think", time.Second, "mean pause between a resident's pages")
	filings := fs.Int("filings", 0, "appeals filed through the website's form per second alongside")
	pushShare := fs.Float64("push-share", 1, "share of a kiosk's syncs that push new appeals (1: every one, a stress far above a street's real filings)")
	keyPath := dataKeyFlag(fs)
	if _, err := parse(fs, args, 0, ""); err != nil {
		return err
	}
	if *dbPath == "" {
		return usagef("missing --db")
	}
	if *kiosks < 1 || *duration <= 0 || *interval <= 0 {
		return usagef("--kiosks, --duration and --interval must be above zero")
	}
	if !(*pushShare > 0 && *pushShare <= 1) {
		return usagef("--push-share must be above 0 and at most 1, not %v", *pushShare)
	}
	if *residents < 0 || *think <= 0 || *filings < 0 || *filings > 1000 || (*filings > 0 && *residents == 0) {
		return usagef("--residents from 0 (with --filings 0), --think above zero, --filings from 0 to 1000")
	}
	urls, err := urlList(bases, "http://127.0.0.1:8080")
	if err != nil {
		return err
	}
	ctx := context.Background()
	db, err := openDB(ctx, *dbPath, false, false, nil)
	if err != nil {
		return err
	}
	defer db.close(false)
	if err := db.useDataKey(ctx, dataKeyPath(*keyPath, *dbPath), false, nil); err != nil {
		return err
	}
	cfg := loadConfig{urls: urls, kiosks: *kiosks, duration: *duration, interval: *interval, street: *street, progress: stderr,
		pushShare: *pushShare}
	if *residents > 0 {
		cfg.web = &webLoadConfig{urls: urls, residents: *residents, duration: *duration, think: *think,
			street: *street, filings: *filings, db: db}
	}
	res, err := runLoad(ctx, db, cfg)
	if err != nil {
		return err
	}
	if err := printJSON(stdout, res); err != nil {
		return err
	}
	if res.Lost > 0 || res.Doubled > 0 || res.Served < res.Kiosks {
		return fmt.Errorf("%d item(s) lost and %d doubled, %d not back in their kiosk's feed; %d of %d kiosks served",
			res.Lost, res.Doubled, res.Unseen, res.Served, res.Kiosks)
	}
	if w := res.Web; w != nil && (w.Errors > 0 || w.Lost > 0 || w.Doubled > 0) {
		return fmt.Errorf("website: %d of %d requests failed; %d filing(s) lost and %d doubled", w.Errors, w.Requests, w.Lost, w.Doubled)
	}
	return nil
}

// urlList splits the --url values at commas, drops trailing slashes and
// checks that each is an http(s) address; def when none was given.
func urlList(values []string, def string) ([]string, error) {
	var urls []string
	for _, v := range values {
		for u := range strings.SplitSeq(v, ",") {
			u = strings.TrimSuffix(strings.TrimSpace(u), "/")
			if p, err := url.Parse(u); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
				return nil, usagef("--url %q is not an http:// or https:// address", u)
			}
			urls = append(urls, u)
		}
	}
	if len(urls) == 0 && def != "" {
		urls = []string{def}
	}
	return urls, nil
}

type loadConfig struct {
	urls               []string // the replicas
	kiosks             int
	duration, interval time.Duration
	street             string
	// pushShare is the share of a kiosk's syncs that push new appeals
	// (0 is taken as 1).
	pushShare float64
	progress  io.Writer
	web       *webLoadConfig // the website's mix alongside, nil for none
}

// everyPush is whether every sync of a kiosk pushes, its first sync at
// the latest (--push-share 1).
func (cfg loadConfig) everyPush() bool { return cfg.pushShare == 0 || cfg.pushShare >= 1 }

// loadResult is the report: latencies of every request in milliseconds
// and what the check of the database found.
type loadResult struct {
	URLs      []string `json:"urls"`
	PerURL    []int    `json:"requests_per_url"` // the kiosks' requests to each of URLs
	Switched  int      `json:"switched"`         // requests a kiosk sent to a replica not its own
	Kiosks    int      `json:"kiosks"`
	Seconds   float64  `json:"seconds"`
	Requests  int      `json:"requests"`
	PerSecond float64  `json:"requests_per_second"`
	P50       float64  `json:"p50_ms"`
	P99       float64  `json:"p99_ms"`
	Max       float64  `json:"max_ms"`
	PushP99   float64  `json:"push_p99_ms"`
	PullP99   float64  `json:"pull_p99_ms"`
	// Kinds: push and pull, and with the website's mix its page kinds.
	Kinds      map[string]latencies `json:"kinds"`
	Items      int                  `json:"items"`      // distinct items acknowledged
	Retries    int                  `json:"retries"`    // batches sent again as if the answer was lost
	Failed     int                  `json:"failed"`     // requests without a 200, retried
	Lost       int                  `json:"lost"`       // acknowledged but not stored
	Doubled    int                  `json:"doubled"`    // stored more than once
	Unanswered int                  `json:"unanswered"` // stored, but the kiosk gave up before it heard
	Changes    int                  `json:"changes"`    // changes pulled
	// Unseen: acknowledged items that did not come back in their kiosk's
	// feed (its own cases) by the end.
	Unseen int `json:"unseen"`
	// Served: kiosks with a batch acknowledged (unless --push-share let
	// some send none) that then pulled to the end of the feed and got
	// back every item they sent.
	Served int            `json:"served"`
	Web    *webLoadResult `json:"web,omitempty"` // the website's mix, run alongside
}

// latencies sums up one kind of request, in milliseconds.
type latencies struct {
	Requests int     `json:"requests"`
	P50      float64 `json:"p50_ms"`
	P99      float64 `json:"p99_ms"`
	Max      float64 `json:"max_ms"`
}

func summarize(ds []time.Duration) latencies {
	return latencies{Requests: len(ds), P50: percentile(ds, 50), P99: percentile(ds, 99), Max: percentile(ds, 100)}
}

type simKiosk struct {
	id       int64
	token    string
	home     int // its replica, an index of loadConfig.urls
	cursor   int64
	sent     []string        // every id acknowledged
	seen     map[string]bool // the ids of its cases the feed brought back
	perURL   []int           // requests to each replica
	switched int
	push     []time.Duration
	pull     []time.Duration
	failed   int
	retry    int
	pulled   int
	// caughtUp: a pull reached the end of the feed.
	caughtUp bool
}

func runLoad(ctx context.Context, db *database, cfg loadConfig) (*loadResult, error) {
	if cfg.street == "" {
		streets, err := db.p.Streets(ctx)
		if err != nil {
			return nil, err
		}
		if len(streets) == 0 {
			return nil, errors.New("the district has no streets: publish content first")
		}
		cfg.street = streets[0].Code
	}
	run := fmt.Sprintf("lt%x", time.Now().UnixNano())
	sims := make([]*simKiosk, cfg.kiosks)
	for i := range sims {
		k, token, err := db.p.AddKiosk(ctx, cfg.street, fmt.Sprintf("%s-%d", run, i))
		if err != nil {
			return nil, err
		}
		sims[i] = &simKiosk{id: k.ID, token: token, home: i % len(cfg.urls), seen: map[string]bool{}, perURL: make([]int, len(cfg.urls))}
	}
	defer func() {
		for _, s := range sims {
			db.p.RevokeKiosk(ctx, s.id)
		}
	}()
	client := &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConns: cfg.kiosks, MaxIdleConnsPerHost: cfg.kiosks, IdleConnTimeout: time.Minute},
	}
	fmt.Fprintf(cfg.progress, "districtd loadtest: %d kiosks of street %s syncing for %s with %d replica(s)\n", cfg.kiosks, cfg.street, cfg.duration, len(cfg.urls))
	start := time.Now()
	stop := start.Add(cfg.duration)
	var wg sync.WaitGroup
	var web *webLoadResult
	var webErr error
	if cfg.web != nil {
		wcfg := *cfg.web
		wcfg.street = cfg.street
		wg.Go(func() { web, webErr = runWebLoad(ctx, wcfg) })
	}
	for i, s := range sims {
		wg.Go(func() { s.run(ctx, client, cfg, run, i, stop) })
	}
	wg.Wait()
	elapsed := time.Since(start)
	if webErr != nil {
		return nil, webErr
	}

	res := &loadResult{URLs: cfg.urls, PerURL: make([]int, len(cfg.urls)), Kiosks: cfg.kiosks, Seconds: elapsed.Seconds(), Web: web}
	var all, push, pull []time.Duration
	for _, s := range sims {
		push = append(push, s.push...)
		pull = append(pull, s.pull...)
		res.Failed += s.failed
		res.Retries += s.retry
		res.Changes += s.pulled
		res.Switched += s.switched
		for i, n := range s.perURL {
			res.PerURL[i] += n
		}
		if (len(s.sent) > 0 || !cfg.everyPush()) && s.caughtUp && s.unseen() == 0 {
			res.Served++
		}
		res.Unseen += s.unseen()
	}
	all = append(append(all, push...), pull...)
	res.Requests = len(all)
	res.PerSecond = float64(len(all)) / elapsed.Seconds()
	res.P50, res.P99, res.Max = percentile(all, 50), percentile(all, 99), percentile(all, 100)
	res.PushP99, res.PullP99 = percentile(push, 99), percentile(pull, 99)
	res.Kinds = map[string]latencies{"push": summarize(push), "pull": summarize(pull)}
	if web != nil {
		for k, v := range web.Pages {
			res.Kinds[k] = v
		}
	}
	return res, checkLoad(ctx, db, cfg.street, run, sims, res)
}

// checkLoad reads the district's database: every id a kiosk had
// acknowledged is in the ledger once, filed by that kiosk, and is one
// case (else lost); no appeal of the run is stored more than once,
// counted by the mark in its description whatever its id (doubled); a
// stored appeal its kiosk never heard acknowledged is unanswered.
func checkLoad(ctx context.Context, db *database, street, run string, sims []*simKiosk, res *loadResult) error {
	return db.st.Read(ctx, func(tx server.ReadTx) error {
		seen := map[string]bool{}
		for _, s := range sims {
			for _, id := range s.sent {
				if seen[id] {
					continue
				}
				seen[id] = true
				res.Items++
				e, err := tx.Entry(id)
				if errors.Is(err, server.ErrNotFound) {
					res.Lost++
					continue
				}
				if err != nil {
					return err
				}
				if e.Kiosk != s.id || e.Result.Outcome != wire.Accepted {
					res.Lost++
					continue
				}
				if _, err := tx.Case(id); errors.Is(err, server.ErrNotFound) {
					res.Lost++
				} else if err != nil {
					return err
				}
			}
		}
		cases, err := tx.Cases(server.CaseFilter{Street: street})
		if err != nil {
			return err
		}
		count := map[string]int{}
		for _, c := range cases {
			if id, ok := strings.CutPrefix(c.Case.Description, loadMark); ok && strings.HasPrefix(id, run+"-") {
				count[id]++
			}
		}
		for id, n := range count {
			res.Doubled += n - 1
			if !seen[id] {
				res.Unanswered++
			}
		}
		return nil
	})
}

// loadMark begins the description of a simulated kiosk's appeal; its
// item id follows.
const loadMark = "负载测试 "

// run is one kiosk: push a small batch of new appeals (now and then the
// previous batch again, as if its answer was lost; on the share
// cfg.pushShare of its syncs), pull to the end, wait,
// and at the deadline keep pushing until the last batch is acknowledged
// and pulling until it has reached the end of the feed after it with every
// case it sent back, for at most a minute more: on a slow or loaded
// machine a kiosk is then still served, only later. Each request goes to
// its own replica, one in five to another (cross-replica consistency:
// a push acknowledged by one replica must come back through any other).
func (s *simKiosk) run(ctx context.Context, c *http.Client, cfg loadConfig, run string, i int, stop time.Time) {
	rng := rand.New(rand.NewPCG(uint64(i), uint64(stop.UnixNano())))
	// Spread the first syncs over one interval, as kiosks coming online do.
	time.Sleep(time.Duration(rng.Int64N(int64(cfg.interval))))
	n := 0
	var pending, last []wire.PushItem
	giveUp := stop.Add(time.Minute)
	done := func() bool { return pending == nil && s.caughtUp && s.unseen() == 0 }
	for time.Now().Before(stop) || (!done() && time.Now().Before(giveUp)) {
		every := cfg.everyPush()
		pushes := every || rng.Float64() < cfg.pushShare
		if pending == nil && pushes && (time.Now().Before(stop) || (every && n == 0)) {
			if last != nil && rng.IntN(10) == 0 {
				pending = last
				s.retry++
			} else {
				for range 1 + rng.IntN(3) {
					pending = append(pending, s.appeal(fmt.Sprintf("%s-%d-%d", run, i, n), cfg.street))
					n++
				}
			}
		}
		if pending != nil && s.pushBatch(ctx, c, s.pick(rng, cfg.urls), pending) {
			for _, it := range pending {
				s.sent = append(s.sent, it.ID)
			}
			last, pending = pending, nil
			s.caughtUp = false
		}
		if time.Now().Before(stop) {
			s.pullAll(ctx, c, rng, cfg.urls)
			pause := time.Duration(rng.ExpFloat64() * float64(cfg.interval))
			time.Sleep(min(pause, time.Until(stop)))
		} else {
			if !s.caughtUp || s.unseen() > 0 {
				s.pullAll(ctx, c, rng, cfg.urls)
			}
			if !done() {
				time.Sleep(100 * time.Millisecond)
			}
		}
	}
}

// pick is the replica of the next request: the kiosk's own, one time in
// five another.
func (s *simKiosk) pick(rng *rand.Rand, urls []string) string {
	i := s.home
	if len(urls) > 1 && rng.IntN(5) == 0 {
		i = (s.home + 1 + rng.IntN(len(urls)-1)) % len(urls)
		s.switched++
	}
	s.perURL[i]++
	return urls[i]
}

// unseen counts the acknowledged ids the feed has not brought back.
func (s *simKiosk) unseen() int {
	n := 0
	for _, id := range s.sent {
		if !s.seen[id] {
			n++
		}
	}
	return n
}

func (s *simKiosk) appeal(id, street string) wire.PushItem {
	body, _ := json.Marshal(data.Case{ID: id, Kind: data.CaseAppeal, Street: street, Status: data.StatusSubmitted,
		AppealType: data.AppealConsult, Description: loadMark + id, Anonymous: true, SubmittedAt: time.Now()})
	return wire.PushItem{ID: id, Kind: wire.ItemCase, Body: body}
}

func (s *simKiosk) do(ctx context.Context, c *http.Client, method, url string, body []byte, v any) bool {
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		s.failed++
		return false
	}
	req.Header.Set("Authorization", "Bearer "+s.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		s.failed++
		return false
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(v) != nil {
		s.failed++
		return false
	}
	return true
}

func (s *simKiosk) pushBatch(ctx context.Context, c *http.Client, base string, items []wire.PushItem) bool {
	body, _ := json.Marshal(wire.PushRequest{Items: items})
	start := time.Now()
	var resp wire.PushResponse
	ok := s.do(ctx, c, "POST", base+wire.PathPush, body, &resp)
	s.push = append(s.push, time.Since(start))
	if !ok || len(resp.Results) != len(items) {
		return false
	}
	for _, r := range resp.Results {
		if r.Outcome != wire.Accepted && r.Outcome != wire.Duplicate {
			s.failed++
			return false
		}
	}
	return true
}

func (s *simKiosk) pullAll(ctx context.Context, c *http.Client, rng *rand.Rand, urls []string) {
	for range 100 {
		base := s.pick(rng, urls)
		start := time.Now()
		var page wire.PullResponse
		ok := s.do(ctx, c, "GET", base+wire.PathChanges+"?"+wire.PullRequest{After: s.cursor, Limit: wire.MaxLimit}.Query().Encode(), nil, &page)
		s.pull = append(s.pull, time.Since(start))
		if !ok {
			return
		}
		if page.Reset != nil {
			s.cursor = 0
			continue
		}
		s.pulled += len(page.Changes)
		for _, ch := range page.Changes {
			if ch.Kind == wire.KindCase {
				s.seen[ch.ID] = true
			}
		}
		s.cursor = page.Next
		if !page.More {
			s.caughtUp = true
			return
		}
	}
}

// percentile returns the p-th percentile of ds in milliseconds.
func percentile(ds []time.Duration, p float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(float64(len(s)-1) * p / 100)
	return float64(s[i].Microseconds()) / 1000
}
