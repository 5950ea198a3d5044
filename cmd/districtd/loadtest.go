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
// was served: had a batch acknowledged and pulled the feed to its end.
// Latencies are reported, not checked. It registers its
// kiosks in the server's database (and revokes them after), so it is for
// a test district, not a live one.
func loadtest(args []string, stdout, stderr io.Writer) error {
	if slices.Contains(args, "--web") || slices.Contains(args, "-web") {
		return webLoadtest(args, stdout, stderr)
	}
	fs := newFlags("loadtest")
	dbPath := fs.String("db", "", "the running districtd's database")
	base := fs.String("url", "http://127.0.0.1:8080", "the running districtd's address")
	kiosks := fs.Int("kiosks", 1000, "simulated kiosks")
	duration := fs.Duration("duration", 30*time.Second, "how long the kiosks sync")
	interval := fs.Duration("interval", 2*time.Second, "mean pause between a kiosk's syncs")
	street := fs.String("street", "", "the kiosks' street (default: the first published)")
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
	ctx := context.Background()
	db, err := openDB(ctx, *dbPath, false, false, nil)
	if err != nil {
		return err
	}
	defer db.close(false)
	if err := db.useDataKey(ctx, dataKeyPath(*keyPath, *dbPath), false, nil); err != nil {
		return err
	}
	res, err := runLoad(ctx, db, loadConfig{url: strings.TrimSuffix(*base, "/"), kiosks: *kiosks,
		duration: *duration, interval: *interval, street: *street, progress: stderr})
	if err != nil {
		return err
	}
	if err := printJSON(stdout, res); err != nil {
		return err
	}
	if res.Lost > 0 || res.Doubled > 0 || res.Served < res.Kiosks {
		return fmt.Errorf("%d item(s) lost and %d doubled; %d of %d kiosks served", res.Lost, res.Doubled, res.Served, res.Kiosks)
	}
	return nil
}

type loadConfig struct {
	url                string
	kiosks             int
	duration, interval time.Duration
	street             string
	progress           io.Writer
}

// loadResult is the report: latencies of every request in milliseconds
// and what the check of the database found.
type loadResult struct {
	Kiosks     int     `json:"kiosks"`
	Seconds    float64 `json:"seconds"`
	Requests   int     `json:"requests"`
	PerSecond  float64 `json:"requests_per_second"`
	P50        float64 `json:"p50_ms"`
	P99        float64 `json:"p99_ms"`
	Max        float64 `json:"max_ms"`
	PushP99    float64 `json:"push_p99_ms"`
	PullP99    float64 `json:"pull_p99_ms"`
	Items      int     `json:"items"`      // distinct items acknowledged
	Retries    int     `json:"retries"`    // batches sent again as if the answer was lost
	Failed     int     `json:"failed"`     // requests without a 200, retried
	Lost       int     `json:"lost"`       // acknowledged but not stored
	Doubled    int     `json:"doubled"`    // stored more than once
	Unanswered int     `json:"unanswered"` // stored, but the kiosk gave up before it heard
	Changes    int     `json:"changes"`    // changes pulled
	Served     int     `json:"served"`     // kiosks with a batch acknowledged that pulled to the end
}

type simKiosk struct {
	id     int64
	token  string
	cursor int64
	sent   []string // every id acknowledged
	push   []time.Duration
	pull   []time.Duration
	failed int
	retry  int
	pulled int
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
		sims[i] = &simKiosk{id: k.ID, token: token}
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
	fmt.Fprintf(cfg.progress, "districtd loadtest: %d kiosks of street %s syncing for %s\n", cfg.kiosks, cfg.street, cfg.duration)
	start := time.Now()
	stop := start.Add(cfg.duration)
	var wg sync.WaitGroup
	for i, s := range sims {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.run(ctx, client, cfg, run, i, stop)
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)

	res := &loadResult{Kiosks: cfg.kiosks, Seconds: elapsed.Seconds()}
	var all, push, pull []time.Duration
	for _, s := range sims {
		push = append(push, s.push...)
		pull = append(pull, s.pull...)
		res.Failed += s.failed
		res.Retries += s.retry
		res.Changes += s.pulled
		if len(s.sent) > 0 && s.caughtUp {
			res.Served++
		}
	}
	all = append(append(all, push...), pull...)
	res.Requests = len(all)
	res.PerSecond = float64(len(all)) / elapsed.Seconds()
	res.P50, res.P99, res.Max = percentile(all, 50), percentile(all, 99), percentile(all, 100)
	res.PushP99, res.PullP99 = percentile(push, 99), percentile(pull, 99)

	// Every acknowledged id is in the ledger once, filed by its kiosk, and
	// is one case; the run's cases are exactly those ids.
	err := db.st.Read(ctx, func(tx server.ReadTx) error {
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
		cases, err := tx.Cases(server.CaseFilter{Street: cfg.street})
		if err != nil {
			return err
		}
		count := map[string]int{}
		for _, c := range cases {
			if strings.HasPrefix(c.Case.ID, run+"-") {
				count[c.Case.ID]++
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
	return res, err
}

// run is one kiosk: push a small batch of new appeals (now and then the
// previous batch again, as if its answer was lost), pull to the end, wait,
// and at the deadline keep pushing until the last batch is acknowledged
// and pulling until it has once reached the end of the feed, for at most a
// minute more: on a slow or loaded machine a kiosk is then still served,
// only later.
func (s *simKiosk) run(ctx context.Context, c *http.Client, cfg loadConfig, run string, i int, stop time.Time) {
	rng := rand.New(rand.NewPCG(uint64(i), uint64(stop.UnixNano())))
	// Spread the first syncs over one interval, as kiosks coming online do.
	time.Sleep(time.Duration(rng.Int64N(int64(cfg.interval))))
	n := 0
	var pending, last []wire.PushItem
	giveUp := stop.Add(time.Minute)
	for time.Now().Before(stop) || ((pending != nil || !s.caughtUp) && time.Now().Before(giveUp)) {
		if pending == nil && (time.Now().Before(stop) || n == 0) {
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
		if pending != nil && s.pushBatch(ctx, c, cfg.url, pending) {
			for _, it := range pending {
				s.sent = append(s.sent, it.ID)
			}
			last, pending = pending, nil
		}
		if time.Now().Before(stop) {
			s.pullAll(ctx, c, cfg.url)
			pause := time.Duration(rng.ExpFloat64() * float64(cfg.interval))
			time.Sleep(min(pause, time.Until(stop)))
		} else {
			if !s.caughtUp {
				s.pullAll(ctx, c, cfg.url)
			}
			if pending != nil || !s.caughtUp {
				time.Sleep(100 * time.Millisecond)
			}
		}
	}
}

func (s *simKiosk) appeal(id, street string) wire.PushItem {
	body, _ := json.Marshal(data.Case{ID: id, Kind: data.CaseAppeal, Street: street, Status: data.StatusSubmitted,
		AppealType: data.AppealConsult, Description: "负载测试", Anonymous: true, SubmittedAt: time.Now()})
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

func (s *simKiosk) pullAll(ctx context.Context, c *http.Client, base string) {
	for range 100 {
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
