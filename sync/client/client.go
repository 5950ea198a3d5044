// Package client is the kiosk's sync agent. It sends the outbox to the
// district and pulls the district's feed into the kiosk's store, whenever
// the network allows, without losing, doubling or half-applying anything:
//
//   - push first, then pull, so a resident's case is on the district
//     before the kiosk asks for its status;
//   - each pushed item leaves the outbox in the same transaction that
//     records the district's answer (store.Settle); the district
//     deduplicates by the item's id, so a retry after a lost answer gets
//     the first answer again;
//   - pulled pages are applied with the cursor in one transaction
//     (store.ApplyPage): a page never straddles two, and pages that
//     arrive while the previous transaction is written go together into
//     the next; the last also records the time of the sync;
//   - requests are retried with capped, jittered exponential backoff,
//     each attempt with its own timeout, and Run keeps trying by itself
//     when the network comes back.
//
// The kiosk's clock decides nothing: the district orders changes and
// stamps answers; the kiosk's clock only says when to try again and when
// the last sync was, for display.
package client

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"jiezhen/data"
	"jiezhen/data/store"
	"jiezhen/sync/wire"
)

// Defaults of Config.
const (
	DefaultAttemptTimeout = 20 * time.Second
	DefaultRetryMin       = time.Second
	DefaultRetryCap       = 5 * time.Minute
	DefaultRetries        = 3
	DefaultInterval       = 30 * time.Second
	DefaultBatch          = 200
	DefaultPage           = wire.MaxLimit
	// A kiosk more changes behind than this takes a snapshot: ten full
	// pages, whose round trips and transactions one download replaces.
	DefaultSnapshotBehind  = 10 * wire.MaxLimit
	DefaultSnapshotTimeout = 10 * time.Minute
)

// Config sets up an Agent. District and Token are required.
type Config struct {
	District string // the district's base URL, e.g. https://districtd.example:8443
	Token    string // this kiosk's bearer token; never logged
	Street   string // the kiosk's street code; when set, the token's street must be it, and pulls say so

	// Transport carries the requests; nil is http.DefaultTransport.
	// Tests put a fault-injecting one here.
	Transport http.RoundTripper
	// AttemptTimeout bounds each attempt, the body included.
	AttemptTimeout time.Duration
	// RetryMin and RetryCap bound the backoff between attempts, and
	// between failed cycles of Run. A Retry-After never waits past RetryCap.
	RetryMin, RetryCap time.Duration
	// Retries is how many times one request is retried within a cycle
	// before the cycle gives up (Run then backs off and tries again); 0
	// is DefaultRetries, a negative number none.
	Retries int
	// Interval is how often Run syncs while everything goes well.
	Interval time.Duration
	// Batch is the number of outbox items per push, at most wire.MaxBatch;
	// Page the number of changes asked for per pull, at most wire.MaxLimit.
	Batch, Page int

	// SnapshotBehind: a kiosk whose cursor is 0, or whom the district
	// tells (wire.PullResponse.Behind, asked for on a cycle's first page)
	// it is more than this many changes behind, downloads a signed
	// snapshot of its street (wire.PathBundle) instead of paging through
	// the feed, verifies and applies it as `kiosk import` does
	// (ImportBundle, with the keys the kiosk trusts), then pulls the rest.
	// Without a trusted key, or if the district serves no snapshot or it
	// is refused, the kiosk pages. 0 is DefaultSnapshotBehind; negative,
	// never.
	SnapshotBehind int64
	// Trust is the district's bundle key to pin when the kiosk trusts
	// none yet, as `kiosk import --trust` does: recorded with the first
	// snapshot imported. Keys recorded since (rotations) take over.
	Trust ed25519.PublicKey
	// SnapshotTimeout bounds a snapshot's download; 0 is
	// DefaultSnapshotTimeout.
	SnapshotTimeout time.Duration

	// Now is the kiosk's clock, used only for display (the last sync) and
	// local bookkeeping; nil is time.Now.
	Now func() time.Time
	// Log receives the agent's log lines; nil discards them. Whatever it
	// is, the agent wraps it so that no token or personal number gets out.
	Log *slog.Logger
	// OnChange, when set, is called with the new status whenever it
	// changes, from the agent's goroutine. A UI wraps it in fyne.Do.
	OnChange func(Status)
	// UserAgent is sent with every request; the district records the
	// version of "jiezhen-kiosk/VERSION" (wire.AgentProduct).
	UserAgent string

	// Trace, when set, is called at each step of a cycle with a short name
	// of the step ("send /api/v1/push", "pushed", "settle", "pulled",
	// "apply", "applied"). Crash tests use it to stop the process at a
	// chosen step.
	Trace func(step string)
}

// Status is the agent's state as the UI shows it.
type Status struct {
	Online      bool      `json:"online"`                // the last exchange with the district got an answer
	Syncing     bool      `json:"syncing"`               // a cycle is running
	LastSuccess time.Time `json:"last_success,omitzero"` // the end of the last complete sync, kiosk clock
	Waiting     int       `json:"waiting"`               // items in the outbox
	DeadLetters int       `json:"dead_letters"`          // items the district refused for good
	Conflicts   int       `json:"conflicts"`             // stale staff edits waiting for a decision
	LastError   string    `json:"last_error,omitempty"`  // why the last cycle did not finish
	NextAttempt time.Time `json:"next_attempt,omitzero"` // when Run tries again
	// Wrong is set while the district's URL answers, but not as the
	// district's API (a NotDistrictError); zero otherwise.
	Wrong WrongAnswer `json:"wrong_answer,omitzero"`
}

// WrongAnswer is where a request went that did not get the district's
// answer, and what came back, for staff.
type WrongAnswer struct {
	URL    string `json:"url"`           // the address asked
	Status int    `json:"status"`        // its HTTP status
	Use    string `json:"use,omitempty"` // the district URL to give instead, when found
}

// StatusSource is what a screen needs from the agent: a snapshot now, and
// a call whenever it changes (Config.OnChange).
type StatusSource interface {
	Status() Status
}

// Result counts what one cycle did.
type Result struct {
	Accepted   int   `json:"accepted"`           // pushed items the district has now
	Conflicts  int   `json:"conflicts"`          // pushed staff edits that were stale
	Refused    int   `json:"refused"`            // pushed items moved to dead letters
	Pulled     int   `json:"pulled"`             // changes received
	Pages      int   `json:"pages"`              // pull pages applied
	Resets     int   `json:"resets"`             // scope resets carried out
	Cursor     int64 `json:"cursor"`             // the feed's cursor after the cycle
	Snapshot   int   `json:"snapshot,omitempty"` // changes applied from a snapshot bundle
	Waiting    int   `json:"waiting"`            // outbox items left
	DeadLetter int   `json:"dead_letters"`
}

// Agent syncs one kiosk store with its district. It is safe for
// concurrent use; cycles never overlap.
type Agent struct {
	st   *store.Store
	cfg  Config
	base string
	http *retryablehttp.Client
	log  *slog.Logger
	kick chan struct{}

	cycle     sync.Mutex   // one cycle at a time
	checked   bool         // the district named the token's street, and it is the kiosk's (cycle lock)
	afterPush atomic.Int64 // items left in the outbox when the last push ended
	// noSnapshotsUntil: the district said it serves no snapshots (404);
	// the agent asks again after this (kiosk clock, cycle goroutine only).
	noSnapshotsUntil time.Time

	mu       sync.Mutex
	status   Status
	onChange func(Status)
}

// New returns an agent for st. It reads the store's counts once so that
// Status is right before the first cycle.
func New(ctx context.Context, st *store.Store, cfg Config) (*Agent, error) {
	base := strings.TrimRight(cfg.District, "/")
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("the district URL %q is not an http or https address", redactURL(cfg.District))
	}
	if u.User != nil {
		return nil, errors.New("the district URL must not carry a user or password; use the token")
	}
	if cfg.Token == "" {
		return nil, errors.New("no token: give the kiosk's token")
	}
	if cfg.AttemptTimeout <= 0 {
		cfg.AttemptTimeout = DefaultAttemptTimeout
	}
	if cfg.RetryMin <= 0 {
		cfg.RetryMin = DefaultRetryMin
	}
	if cfg.RetryCap <= 0 {
		cfg.RetryCap = DefaultRetryCap
	}
	if cfg.RetryCap < cfg.RetryMin {
		cfg.RetryCap = cfg.RetryMin
	}
	if cfg.Retries < 0 {
		cfg.Retries = 0
	} else if cfg.Retries == 0 {
		cfg.Retries = DefaultRetries
	}
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultInterval
	}
	if cfg.Batch <= 0 || cfg.Batch > wire.MaxBatch {
		cfg.Batch = min(DefaultBatch, wire.MaxBatch)
	}
	if cfg.Page <= 0 || cfg.Page > wire.MaxLimit {
		cfg.Page = DefaultPage
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SnapshotBehind == 0 {
		cfg.SnapshotBehind = DefaultSnapshotBehind
	}
	if cfg.SnapshotTimeout <= 0 {
		cfg.SnapshotTimeout = DefaultSnapshotTimeout
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = wire.AgentProduct
	}
	a := &Agent{
		st:   st,
		cfg:  cfg,
		base: base,
		log:  newLogger(cfg.Log, cfg.Token),
		kick: make(chan struct{}, 1),

		onChange: cfg.OnChange,
	}
	a.http = a.newHTTP()
	if err := a.refreshCounts(ctx); err != nil {
		return nil, err
	}
	return a, nil
}

// Status returns a snapshot of the agent's state.
func (a *Agent) Status() Status {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.status
}

// SyncError is why the last cycle did not finish, "" when it did: the
// staff health screen shows it (ui.SyncErrorSource).
func (a *Agent) SyncError() string {
	return a.Status().LastError
}

// SyncStatus is Status in the shape the kiosk's header asks for.
func (a *Agent) SyncStatus() (online bool, lastSync *time.Time, waiting int) {
	s := a.Status()
	if !s.LastSuccess.IsZero() {
		t := s.LastSuccess
		lastSync = &t
	}
	return s.Online, lastSync, s.Waiting
}

// Kick wakes Run now instead of at its next planned attempt: call it after
// queueing an item, so the item goes at once if the network is there.
func (a *Agent) Kick() {
	select {
	case a.kick <- struct{}{}:
	default:
	}
}

// OnChange replaces Config.OnChange: fn is called with the new status
// whenever it changes, from the agent's goroutines. A UI built after the
// agent sets it here, wrapping its updates in fyne.Do.
func (a *Agent) OnChange(fn func(Status)) {
	a.mu.Lock()
	a.onChange = fn
	a.mu.Unlock()
}

// update changes the status under the lock and reports it if it changed.
func (a *Agent) update(fn func(*Status)) {
	a.mu.Lock()
	old := a.status
	fn(&a.status)
	now, notify := a.status, a.onChange
	a.mu.Unlock()
	if now != old && notify != nil {
		notify(now)
	}
}

func (a *Agent) setOnline(online bool, lastErr string) {
	a.update(func(s *Status) {
		s.Online = online
		s.Wrong = WrongAnswer{}
		if lastErr != "" {
			s.LastError = lastErr
		}
	})
}

// notDistrict records an answer that did not come from the district, and
// logs it when it is not the one recorded already.
func (a *Agent) notDistrict(e *NotDistrictError) {
	w := WrongAnswer{URL: e.URL, Status: e.Status, Use: e.Use}
	if a.Status().Wrong != w {
		a.log.Warn("the district's URL does not answer as the district", "error", e.Error())
	}
	a.update(func(s *Status) {
		s.Online = false
		s.LastError = e.Error()
		s.Wrong = w
	})
}

// WrongAnswer reports, for the staff health screen, where the last request
// went if it did not get the district's answer (url empty otherwise): its
// HTTP status, and the district URL to use instead when one was found.
func (a *Agent) WrongAnswer() (url string, status int, use string) {
	w := a.Status().Wrong
	return w.URL, w.Status, w.Use
}

func (a *Agent) refreshCounts(ctx context.Context) error {
	waiting, err := a.st.OutboxCount(ctx)
	if err != nil {
		return err
	}
	dead, err := a.st.DeadLetterCount(ctx)
	if err != nil {
		return err
	}
	conflicts, err := a.st.ConflictCount(ctx)
	if err != nil {
		return err
	}
	last, err := a.st.LastSync(ctx, store.ContentFeed)
	if err != nil {
		return err
	}
	a.update(func(s *Status) {
		s.Waiting, s.DeadLetters, s.Conflicts = waiting, dead, conflicts
		if last.After(s.LastSuccess) {
			s.LastSuccess = last
		}
	})
	return nil
}

func (a *Agent) trace(step string) {
	if a.cfg.Trace != nil {
		a.cfg.Trace(step)
	}
}

// Once runs one full cycle: push the whole outbox, then pull until the
// feed has no more. It returns nil only when both finished; the error is
// one line saying why not (the district unreachable, the token refused...).
// Items the district refused are not an error: they are in dead letters.
func (a *Agent) Once(ctx context.Context) error {
	_, err := a.OnceResult(ctx)
	return err
}

// OnceResult is Once, also reporting what the cycle did.
func (a *Agent) OnceResult(ctx context.Context) (Result, error) {
	a.cycle.Lock()
	defer a.cycle.Unlock()
	a.update(func(s *Status) { s.Syncing = true })
	defer a.update(func(s *Status) { s.Syncing = false })

	var res Result
	// The counts go with every request (see call): fresh ones, with what
	// was queued since the last cycle.
	err := a.refreshCounts(ctx)
	if err == nil {
		err = a.checkKiosk(ctx)
	}
	if err == nil {
		err = a.push(ctx, &res)
	}
	// What is queued from here on is new to Run's wait.
	if n, cerr := a.st.OutboxCount(context.WithoutCancel(ctx)); cerr == nil {
		a.afterPush.Store(int64(n))
	}
	if err == nil {
		err = a.pull(ctx, &res)
	}
	if err == nil {
		err = a.pinKey(ctx)
	}
	if cerr := a.refreshCounts(context.WithoutCancel(ctx)); cerr != nil && err == nil {
		err = cerr
	}
	st := a.Status()
	res.Waiting, res.DeadLetter = st.Waiting, st.DeadLetters
	if err != nil {
		if se := (*StreetError)(nil); errors.As(err, &se) {
			a.update(func(s *Status) { s.LastError = err.Error() })
		}
		a.log.Warn("sync did not finish", "error", err.Error(), "waiting", st.Waiting)
		return res, err
	}
	a.update(func(s *Status) { s.LastError = "" })
	a.log.Info("sync finished", "accepted", res.Accepted, "conflicts", res.Conflicts, "refused", res.Refused,
		"pulled", res.Pulled, "cursor", res.Cursor, "waiting", res.Waiting)
	return res, nil
}

// Push sends the whole outbox, as the first half of a cycle does.
func (a *Agent) Push(ctx context.Context) (Result, error) {
	a.cycle.Lock()
	defer a.cycle.Unlock()
	var res Result
	err := a.checkKiosk(ctx)
	if err == nil {
		err = a.push(ctx, &res)
	}
	a.refreshCounts(context.WithoutCancel(ctx))
	return res, err
}

// Pull applies the feed until it has no more, as the second half of a
// cycle does.
func (a *Agent) Pull(ctx context.Context) (Result, error) {
	a.cycle.Lock()
	defer a.cycle.Unlock()
	var res Result
	err := a.pull(ctx, &res)
	return res, err
}

// pinKey asks the district for the street's staff PIN key when the kiosk
// holds staff accounts keyed with a key its token does not open (a first
// sync, a new token), and stores it sealed under the token.
func (a *Agent) pinKey(ctx context.Context) error {
	missing, err := a.st.PINKeyMissing(ctx, a.cfg.Token)
	if err != nil || !missing {
		return err
	}
	var k wire.PINKey
	if err := a.call(ctx, http.MethodGet, wire.PathPINKey, nil, nil, &k); err != nil {
		return fmt.Errorf("staff PIN key: %w", err)
	}
	if err := a.st.SetPINKey(ctx, k.Street, k.Kiosk, a.cfg.Token, k.Key); err != nil {
		return err
	}
	a.log.Info("staff PIN key stored", "street", k.Street)
	return nil
}

// watchEvery is how often Run, while it waits, looks whether the outbox
// has grown, so that a new item goes at once even if nobody calls Kick.
const watchEvery = 2 * time.Second

// Run syncs until ctx ends: a cycle every Interval while all goes well;
// after a failure, again after a capped, jittered backoff that grows with
// each failure in a row, so it picks up by itself when the network
// returns; and early when an item is queued (it looks every couple of
// seconds) or Kick is called. It returns ctx's error.
func (a *Agent) Run(ctx context.Context) error {
	failures := 0
	for {
		err := a.Once(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		wait := a.cfg.Interval
		if err != nil {
			wait = Backoff(a.cfg.RetryMin, a.cfg.RetryCap, failures, nil)
			var te *transientError
			if errors.As(err, &te) && te.retryAfter > wait {
				wait = min(te.retryAfter, a.cfg.RetryCap)
			}
			failures++
		} else {
			failures = 0
		}
		next := a.cfg.Now().Add(wait)
		a.update(func(s *Status) { s.NextAttempt = next })
		if err := a.wait(ctx, wait, err == nil); err != nil {
			return err
		}
	}
}

// wait returns after d, on Kick, or when an item was queued: after a
// cycle that finished, anything in the outbox is new (the push emptied
// it); after one that failed, more than the push left.
func (a *Agent) wait(ctx context.Context, d time.Duration, finished bool) error {
	queued := int(a.afterPush.Load())
	if finished {
		queued = 0
	}
	t := time.NewTimer(d)
	defer t.Stop()
	watch := time.NewTicker(watchEvery)
	defer watch.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-a.kick:
			return nil
		case <-t.C:
			return nil
		case <-watch.C:
			if n, err := a.st.OutboxCount(ctx); err == nil && n > queued {
				return nil
			} else if err == nil {
				queued = n // items may also have left (dead-lettered by staff...)
			}
		}
	}
}

// push sends the outbox in batches until it is empty. An item the district
// refuses goes to dead letters and the rest go on; a failure of the
// network or the district ends the push with the items still queued.
func (a *Agent) push(ctx context.Context, res *Result) error {
	for {
		items, err := a.st.Pending(ctx, a.cfg.Batch)
		if err != nil {
			return err
		}
		if len(items) == 0 {
			return nil
		}
		before := res.Accepted + res.Conflicts + res.Refused
		if err := a.pushBatch(ctx, items, res); err != nil {
			return err
		}
		if res.Accepted+res.Conflicts+res.Refused == before {
			// Nothing settled and no error: the district answered for
			// none of the items. Stop rather than loop.
			return errors.New("the district answered for none of the pushed items")
		}
		a.refreshCounts(ctx)
	}
}

// pushBatch pushes items and records every answer. A request the
// district refused whole, in its error body, because of one item it names
// sets that item aside as refused and sends the rest; refused whole for no
// named item (400, 413), the batch is halved until the culprit is alone,
// and it stays queued. No other answer refuses an item.
func (a *Agent) pushBatch(ctx context.Context, items []store.OutboxItem, res *Result) error {
	req := wire.PushRequest{Items: make([]wire.PushItem, 0, len(items))}
	refusedUpfront := map[string]string{}
	for _, it := range items {
		pi, err := pushItem(it)
		if err != nil {
			refusedUpfront[it.ID] = err.Error()
			continue
		}
		req.Items = append(req.Items, pi)
	}
	for _, it := range items {
		if reason, ok := refusedUpfront[it.ID]; ok {
			if err := a.settle(ctx, it, store.Answer{Outcome: store.Refused, Reason: reason, Code: string(wire.RefusedMalformed)}, res); err != nil {
				return err
			}
		}
	}
	if len(req.Items) == 0 {
		return nil
	}
	body, err := json.Marshal(&req)
	if err != nil {
		return err
	}
	if len(body) > wire.MaxBodyBytes {
		if len(items) > 1 {
			return a.split(ctx, items, res)
		}
		// The district refuses every request this large (413): the kiosk
		// knows it without asking, as it knows an unknown kind.
		reason := fmt.Sprintf("the item is larger than the district's limit of %d bytes", wire.MaxBodyBytes)
		return a.settle(ctx, items[0], store.Answer{Outcome: store.Refused, Reason: reason, Code: string(wire.RefusedMalformed)}, res)
	}
	var resp wire.PushResponse
	err = a.call(ctx, http.MethodPost, wire.PathPush, nil, body, &resp)
	// Only the district's refusal naming an item, or its result for an
	// item, moves that item to dead letters; any other answer leaves the
	// items queued (docs/ARCHITECTURE.md, the sync agent).
	var he *HTTPError
	if errors.As(err, &he) {
		switch {
		case he.Status == http.StatusUnauthorized:
			return fmt.Errorf("the district refused the kiosk's token (401): %s", he.Message)
		case he.Status == http.StatusForbidden:
			// An item of another street than the token's: the kiosk and
			// its items disagree on the street, which no item can mend,
			// and a dead letter would lose a resident's case. All stay
			// queued (a token of another street is refused before any
			// push, see kiosk.go).
			return fmt.Errorf("push: %w; the items stay queued", he)
		case he.Item != "" && wholeRefusal(he.Status) != "":
			for _, it := range items {
				if it.ID == he.Item {
					return a.settle(ctx, it, store.Answer{Outcome: store.Refused, Reason: he.Error(), Code: string(wholeRefusal(he.Status))}, res)
				}
			}
			return fmt.Errorf("push: %w (for an item not in the batch)", he)
		case he.Item == "" && len(items) > 1 && (he.Status == http.StatusBadRequest || he.Status == http.StatusRequestEntityTooLarge):
			// Refused for no named item: halve the batch, so that what
			// the district takes goes, and the item at fault stays queued
			// alone with the error.
			return a.split(ctx, items, res)
		}
		return fmt.Errorf("push: %w; the items stay queued", he)
	}
	if err != nil {
		return err
	}
	if resp.ServerTime.IsZero() || resp.Results == nil {
		// 2xx JSON, but not a push answer: nobody judged the items.
		nd := &NotDistrictError{URL: a.base + wire.PathPush, Status: http.StatusOK, What: "with JSON that is not the district's push answer"}
		nd.Use = a.probe(ctx)
		a.notDistrict(nd)
		return nd
	}
	a.trace("pushed")
	byID := make(map[string]store.OutboxItem, len(items))
	for _, it := range items {
		byID[it.ID] = it
	}
	answers := make([]store.Settlement, 0, len(resp.Results))
	var settled []store.OutboxItem
	for _, r := range resp.Results {
		it, ok := byID[r.ID]
		if !ok {
			continue // not ours, or answered twice: ignore; an unanswered item stays queued
		}
		ans, err := answer(it, r, resp.ServerTime)
		if err != nil {
			return fmt.Errorf("push: item %s: %w", it.ID, err)
		}
		if ans.Conflict != nil {
			ans.Conflict.CreatedAt = a.cfg.Now()
		}
		answers = append(answers, store.Settlement{ID: it.ID, Answer: ans})
		settled = append(settled, it)
		delete(byID, r.ID)
	}
	a.trace("settle")
	// The whole batch's answers in one transaction (one fsync), each
	// item leaving the outbox with its answer. Recorded even if ctx ends
	// now: dropping them would only mean asking again.
	if err := a.st.SettleAll(context.WithoutCancel(ctx), answers); err != nil {
		return err
	}
	for i, it := range settled {
		a.counted(it, answers[i].Answer, res)
	}
	return nil
}

func (a *Agent) split(ctx context.Context, items []store.OutboxItem, res *Result) error {
	half := len(items) / 2
	if err := a.pushBatch(ctx, items[:half], res); err != nil {
		return err
	}
	return a.pushBatch(ctx, items[half:], res)
}

func (a *Agent) settle(ctx context.Context, it store.OutboxItem, ans store.Answer, res *Result) error {
	a.trace("settle")
	if ans.Conflict != nil && ans.Conflict.CreatedAt.IsZero() {
		ans.Conflict.CreatedAt = a.cfg.Now()
	}
	// The answer is recorded even if ctx ends now: it is short, and
	// dropping it would only mean asking again.
	if err := a.st.Settle(context.WithoutCancel(ctx), it.ID, ans); err != nil {
		return err
	}
	a.counted(it, ans, res)
	return nil
}

// counted counts and logs one settled answer.
func (a *Agent) counted(it store.OutboxItem, ans store.Answer, res *Result) {
	switch ans.Outcome {
	case store.Accepted:
		res.Accepted++
		a.log.Debug("item accepted", "id", it.ID, "kind", it.Kind)
	case store.Conflicted:
		res.Conflicts++
		a.log.Info("staff edit conflicts with the district's version", "id", it.ID)
	case store.Refused:
		res.Refused++
		a.log.Warn("item refused; moved to dead letters", "id", it.ID, "kind", it.Kind)
	}
}

// pushItem turns an outbox item into what goes on the wire. A staff edit
// carries its base version in the outbox body; it is sent beside the
// edit, as the API wants it.
func pushItem(it store.OutboxItem) (wire.PushItem, error) {
	pi := wire.PushItem{ID: it.ID, Kind: it.Kind, Body: it.Body}
	if err := wire.CheckID(it.ID); err != nil {
		return pi, err
	}
	if !pi.Kind.Valid() {
		return pi, fmt.Errorf("the kiosk does not know the kind %q", it.Kind)
	}
	if pi.Kind == data.ItemStaffEdit {
		var e data.StaffEditBody
		if err := json.Unmarshal(it.Body, &e); err != nil {
			return pi, fmt.Errorf("the staff edit does not decode: %v", err)
		}
		b, err := json.Marshal(e.StaffEdit)
		if err != nil {
			return pi, err
		}
		pi.Body, pi.BaseVersion = b, e.BaseVersion
	}
	return pi, nil
}

// answer turns the district's result for an item into what the store
// records. A duplicate is the first result again.
func answer(it store.OutboxItem, r wire.PushResult, serverTime time.Time) (store.Answer, error) {
	if r.Outcome == wire.Duplicate {
		if r.First != nil && r.First.Outcome != wire.Duplicate {
			first := *r.First
			first.ID = it.ID
			return answer(it, first, serverTime)
		}
		r.Outcome = wire.Accepted // the district has it; that is all the kiosk needs
	}
	switch r.Outcome {
	case wire.Accepted:
		at := r.At
		if at.IsZero() {
			at = serverTime
		}
		ans := store.Answer{Outcome: store.Accepted, Ref: r.Ref, At: at, Version: r.Version}
		if it.Kind == data.ItemCase {
			var c data.Case
			if json.Unmarshal(it.Body, &c) == nil && c.ID != "" {
				c = c.WithoutPersonal() // personal data leaves the kiosk once the district has it
				if r.Ref != "" {
					c.Ref = r.Ref
				}
				if c.Status == "" || c.Status == data.StatusSubmitted {
					c.History = append(c.History, data.Transition{From: data.StatusSubmitted, To: data.StatusReceived, At: at})
					c.Status = data.StatusReceived
				}
				ans.Case = &c
			}
		}
		return ans, nil
	case wire.Conflict:
		var e data.StaffEditBody
		if err := json.Unmarshal(it.Body, &e); err != nil {
			return store.Answer{}, fmt.Errorf("a conflict for an item that is not a staff edit")
		}
		return store.Answer{Outcome: store.Conflicted, Conflict: &store.Conflict{
			ItemKind: e.Kind, ItemID: e.ID, BaseVersion: e.BaseVersion,
			Local: it.Body, Server: r.Current, ServerVersion: r.Version,
		}}, nil
	case wire.Refused:
		reason := r.Reason
		if reason == "" {
			reason = "refused by the district"
		}
		return store.Answer{Outcome: store.Refused, Reason: reason, Code: string(r.Code)}, nil
	}
	return store.Answer{}, fmt.Errorf("unknown outcome %q", r.Outcome)
}

// wholeRefusal is the kind of refusal of an item a whole push request was
// refused for, by the request's status: 400 for an item the district
// cannot take, 409 for an id sent before with another body. Any other
// status refuses no item (""): a 403, an item of another street, stays
// queued (see pushBatch).
func wholeRefusal(status int) wire.RefusalCode {
	switch status {
	case http.StatusBadRequest:
		return wire.RefusedInvalid
	case http.StatusConflict:
		return wire.RefusedIDReused
	}
	return "" // no refusal of an item
}

// maxResets bounds the resets one cycle carries out, so a district that
// keeps ordering them cannot keep the kiosk pulling forever.
const maxResets = 2

// Pulling runs ahead of applying: while one transaction is written, the
// next pages are fetched (up to prefetch of them), and pages that have
// arrived by the time the transaction ends are applied together in the
// next one, up to maxApply changes. On a slow line that is one page per
// transaction; on a fast one it saves most of the commits (each an fsync).
// Either way a transaction holds whole pages and moves the cursor to the
// end of its last one.
const (
	prefetch = 10
	maxApply = 10000
)

// pull applies the feed after the kiosk's cursor until the district has
// no more, carrying out any reset it orders on the way. The last
// transaction also records the time of the sync.
func (a *Agent) pull(ctx context.Context, res *Result) (err error) {
	defer func() {
		// A first sync that stops before its last page leaves the list
		// indexes of the tables it filled to be built (store.ApplyPage);
		// build them now rather than at the next complete sync. When
		// the kiosk is shutting down the next Open does it.
		if err != nil && ctx.Err() == nil {
			if rerr := a.st.RestoreIndexes(ctx); rerr != nil {
				a.log.Warn("building deferred indexes", "err", rerr)
			}
		}
	}()
	content, cases, err := a.st.Cursors(ctx, store.ContentFeed)
	if err != nil {
		return err
	}
	cursor := cursors{content, cases}
	tried := a.cfg.SnapshotBehind < 0 // a snapshot at most once a cycle
	for {
		if !tried && cursor.content == 0 {
			tried = true
			if a.snapshot(ctx, res) {
				if cursor, err = a.cursors(ctx); err != nil {
					return err
				}
			}
		}
		reset, err := a.pullFrom(ctx, cursor, !tried, res)
		if errors.Is(err, errFarBehind) {
			tried = true
			a.snapshot(ctx, res)
			if cursor, err = a.cursors(ctx); err != nil {
				return err
			}
			continue
		}
		if err != nil || reset == nil {
			return err
		}
		if res.Resets >= maxResets {
			return fmt.Errorf("pull: the district ordered more than %d resets in one sync", maxResets)
		}
		a.log.Info("district ordered a reset", "scope", reset.Scope)
		if err := a.st.ResetScope(ctx, store.ContentFeed, reset.Scope); err != nil {
			return err
		}
		res.Resets++
		cursor = cursors{}
	}
}

func (a *Agent) cursors(ctx context.Context) (cursors, error) {
	content, cases, err := a.st.Cursors(ctx, store.ContentFeed)
	return cursors{content, cases}, err
}

// cursors are where the kiosk is in the feed: its content, and its own
// cases, which are behind the content only after a bundle (which carries
// no cases) moved the content past them.
type cursors struct{ content, cases int64 }

// next is where a page leaves the cursors. A district that does not know
// about the cases' cursor sends no cases_next: the cases are at next.
func next(p *wire.PullResponse) cursors {
	c := cursors{p.Next, p.CasesNext}
	if c.cases == 0 || c.cases > c.content {
		c.cases = c.content
	}
	return c
}

func (c cursors) request(limit int, street string) wire.PullRequest {
	r := wire.PullRequest{After: c.content, Limit: limit, Street: street}
	if c.cases != c.content {
		cases := c.cases
		r.CasesAfter = &cases
	}
	return r
}

// fetched is one page, or why there is none.
type fetched struct {
	page wire.PullResponse
	err  error
}

// badStep reports a page whose cursors move back from cursor, or do not
// move forward while there is more.
func badStep(cursor cursors, p *wire.PullResponse) error {
	if p.Reset != nil {
		return nil
	}
	n := next(p)
	if n.content < cursor.content || n.cases < cursor.cases || (p.More && n == cursor) {
		return fmt.Errorf("pull: the district's cursor went from %d to %d", cursor.content, p.Next)
	}
	return nil
}

// fetch sends the pages after after to out until the feed ends, a reset
// or an error comes, or ctx ends; then it closes out.
func (a *Agent) fetch(ctx context.Context, after cursors, count bool, out chan<- fetched) {
	defer close(out)
	for {
		r := after.request(a.cfg.Page, a.cfg.Street)
		r.Count, count = count, false
		q := r.Query()
		var f fetched
		if err := a.call(ctx, http.MethodGet, wire.PathChanges, q, nil, &f.page); err != nil {
			var he *HTTPError
			switch {
			case errors.As(err, &he) && he.Status == http.StatusUnauthorized:
				err = fmt.Errorf("the district refused the kiosk's token (401): %s", he.Message)
			case errors.As(err, &he):
				err = fmt.Errorf("pull: %w", he)
			}
			f.err = err
		}
		select {
		case out <- f:
		case <-ctx.Done():
			return
		}
		if f.err != nil || f.page.Reset != nil || !f.page.More || badStep(after, &f.page) != nil {
			return
		}
		after = next(&f.page)
	}
}

// errFarBehind: the first page says the kiosk is more than
// SnapshotBehind changes behind; nothing was applied.
var errFarBehind = errors.New("far behind the feed")

// pullFrom applies pages from cursor on until the feed has no more (nil,
// nil) or the district orders a reset (the reset, nil). With count, the
// first page says how far behind the kiosk is, and if that is more than
// SnapshotBehind pullFrom returns errFarBehind before applying anything.
func (a *Agent) pullFrom(ctx context.Context, cursor cursors, count bool, res *Result) (*wire.Reset, error) {
	fctx, cancel := context.WithCancel(ctx)
	pages := make(chan fetched, prefetch)
	go a.fetch(fctx, cursor, count, pages)
	defer func() {
		cancel()
		for range pages { // wait for the fetcher to stop
		}
	}()
	var held *fetched       // a page taken while gathering that must start the next transaction
	var batch []data.Change // reused: the pages of a transaction, one after the other
	for {
		var f fetched
		if held != nil {
			f, held = *held, nil
		} else {
			var ok bool
			if f, ok = <-pages; !ok {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
				return nil, errors.New("pull: the feed ended without a last page")
			}
		}
		if f.err != nil {
			return nil, f.err
		}
		a.trace("pulled")
		if f.page.Reset != nil {
			return f.page.Reset, nil
		}
		if err := badStep(cursor, &f.page); err != nil {
			return nil, err
		}
		if count && f.page.More && f.page.Behind > a.cfg.SnapshotBehind {
			a.log.Info("far behind the district's feed", "behind", f.page.Behind)
			return nil, errFarBehind
		}
		count = false
		changes, last, n := f.page.Changes, f.page, 1
	gather:
		for last.More && len(changes) < maxApply {
			select {
			case g, ok := <-pages:
				if !ok {
					break gather
				}
				if g.err != nil || g.page.Reset != nil || badStep(next(&last), &g.page) != nil {
					held = &g
					break gather
				}
				if n == 1 {
					batch = append(batch[:0], changes...)
				}
				batch = append(batch, g.page.Changes...)
				changes, last, n = batch, g.page, n+1
			default:
				break gather
			}
		}
		var syncedAt time.Time
		if !last.More {
			syncedAt = a.cfg.Now()
		}
		a.trace("apply")
		to := next(&last)
		if _, err := a.st.ApplyPage(ctx, store.ContentFeed, changes, to.content, to.cases, syncedAt); err != nil {
			return nil, fmt.Errorf("pull: %w", err)
		}
		a.trace("applied")
		res.Pulled += len(changes)
		res.Pages += n
		res.Cursor, cursor = to.content, to
		if !last.More {
			a.update(func(s *Status) { s.LastSuccess = syncedAt })
			return nil, nil
		}
	}
}
