package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"jiezhen/assets"
	"jiezhen/data"
	"jiezhen/data/store"
	"jiezhen/internal/pgtest"
	"jiezhen/sync/client"
	"jiezhen/sync/server"
	"jiezhen/sync/wire"
)

// The demo streets: the kiosks under test belong to streetA.
const (
	streetA = "440106005"
	streetB = "440106006"
)

// Personal data used in test items; Guarantee 9 checks none of it is logged.
const (
	testIDNumber = "11010519491231002X"
	testMobile   = "13800138000"
)

// district is the real district platform on a real SQLite file, behind
// its real handler over real HTTP.
type district struct {
	t   *testing.T
	p   *server.Platform
	st  server.Store
	srv *httptest.Server
	mu  sync.Mutex
	now time.Time
}

func (d *district) clock() time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.now
}

func (d *district) advance(dt time.Duration) {
	d.mu.Lock()
	d.now = d.now.Add(dt)
	d.mu.Unlock()
}

// demoContent is the demo content set from assets, as the district
// publishes it.
func demoContent(t testing.TB) *data.ContentSet {
	t.Helper()
	all, err := data.ReadContentFiles(assets.Demo, "demo/*.json")
	if err != nil {
		t.Fatalf("demo content: %v", err)
	}
	return all
}

func newDistrict(t testing.TB) *district {
	t.Helper()
	return newDistrictWith(t, server.Snapshots{})
}

// newDistrictWith is newDistrict serving snapshots signed as snaps says.
func newDistrictWith(t testing.TB, snaps server.Snapshots) *district {
	t.Helper()
	db := filepath.Join(t.TempDir(), "district.db")
	if pgtest.Enabled() {
		db = pgtest.URL(t, server.MigratePostgres)
	}
	return newDistrictAt(t, db, snaps)
}

// newDistrictAt is newDistrictWith on the store db names (a SQLite file
// or a PostgreSQL URL), whatever JIEZHEN_TEST_STORE says.
func newDistrictAt(t testing.TB, db string, snaps server.Snapshots) *district {
	t.Helper()
	tt, _ := t.(*testing.T)
	d := &district{t: tt, now: time.Now().UTC().Truncate(time.Second)}
	ctx := context.Background()
	st, err := server.OpenStore(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	d.st = st
	if snaps.Key != nil && snaps.Dir == "" {
		snaps.Dir = t.TempDir()
	}
	d.p = server.New(st, server.Options{Now: d.clock, Log: slog.New(slog.DiscardHandler), Snapshots: snaps})
	if _, err := d.p.Publish(ctx, demoContent(t)); err != nil {
		t.Fatal(err)
	}
	d.srv = httptest.NewServer(server.Handler(d.p))
	t.Cleanup(d.srv.Close)
	return d
}

// kiosk registers a kiosk of street and returns its token.
func (d *district) kiosk(t testing.TB, street string) (server.Kiosk, string) {
	t.Helper()
	k, tok, err := d.p.AddKiosk(context.Background(), street, fmt.Sprintf("kiosk-%d", time.Now().UnixNano()))
	if err != nil {
		t.Fatal(err)
	}
	return k, tok
}

// entry is the district's ledger record of an item id, if any.
func (d *district) entry(t testing.TB, id string) (server.Entry, bool) {
	t.Helper()
	var e server.Entry
	err := d.st.Read(context.Background(), func(tx server.ReadTx) error {
		var err error
		e, err = tx.Entry(id)
		return err
	})
	if errors.Is(err, server.ErrNotFound) {
		return e, false
	}
	if err != nil {
		t.Fatal(err)
	}
	return e, true
}

// cases returns the district's cases by id, failing on any id stored twice.
func (d *district) cases(t testing.TB) map[string]server.CaseRecord {
	t.Helper()
	recs, err := d.p.Cases(context.Background(), server.CaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]server.CaseRecord{}
	refs := map[string]bool{}
	for _, r := range recs {
		if _, dup := out[r.Case.ID]; dup {
			t.Fatalf("case %s is stored twice on the district", r.Case.ID)
		}
		if refs[r.Case.Ref] {
			t.Fatalf("reference %s is given twice", r.Case.Ref)
		}
		out[r.Case.ID], refs[r.Case.Ref] = r, true
	}
	return out
}

func (d *district) item(t testing.TB, kind data.Kind, id string) server.Item {
	t.Helper()
	var it server.Item
	err := d.st.Read(context.Background(), func(tx server.ReadTx) error {
		var err error
		it, err = tx.Item(kind, id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return it
}

// openKiosk opens a new kiosk store in the test's directory.
func openKiosk(t testing.TB) *store.Store {
	t.Helper()
	return openKioskAt(t, filepath.Join(t.TempDir(), "kiosk.db"))
}

func openKioskAt(t testing.TB, path string) *store.Store {
	t.Helper()
	st, err := store.OpenWith(context.Background(), path, store.Options{NoIndexer: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// fastConfig is a configuration with short waits, so retries show in
// milliseconds.
func fastConfig(d *district, token string) client.Config {
	return client.Config{
		District:       d.srv.URL,
		Token:          token,
		Street:         streetA,
		AttemptTimeout: 2 * time.Second,
		RetryMin:       2 * time.Millisecond,
		RetryCap:       20 * time.Millisecond,
		Retries:        4,
		Interval:       time.Hour,
	}
}

func newAgent(t testing.TB, st *store.Store, cfg client.Config) *client.Agent {
	t.Helper()
	a, err := client.New(context.Background(), st, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// appeal is a resident's appeal as the kiosk queues it: with personal data.
func appeal(id string, at time.Time) data.Case {
	return data.Case{
		ID:          id,
		Kind:        data.CaseAppeal,
		Street:      streetA,
		Status:      data.StatusSubmitted,
		SubmittedAt: at,
		Applicant:   &data.Person{Name: "张三", IDNumber: testIDNumber, Mobile: testMobile},
		AppealType:  data.AppealSuggestion,
		Category:    "环境卫生",
		Description: "小区门口的路灯坏了，晚上很暗。",
		Location:    "天河南二路",
	}
}

// enqueueCase queues c as the kiosk does when a resident submits it.
func enqueueCase(t testing.TB, st *store.Store, c data.Case) {
	t.Helper()
	body, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	err = st.Enqueue(context.Background(), store.OutboxItem{ID: c.ID, Kind: wire.ItemCase, Body: body, CreatedAt: c.SubmittedAt, Case: &c})
	if err != nil {
		t.Fatal(err)
	}
}

func enqueueAppeals(t testing.TB, st *store.Store, prefix string, n int) []string {
	t.Helper()
	ids := make([]string, n)
	at := time.Now()
	for i := range ids {
		ids[i] = fmt.Sprintf("%s-%04d", prefix, i)
		enqueueCase(t, st, appeal(ids[i], at.Add(time.Duration(i)*time.Millisecond)))
	}
	return ids
}

// staffEdit queues an edit of a notice made on version base.
func staffEdit(t testing.TB, st *store.Store, id string, n data.Notice, base int64) {
	t.Helper()
	staffEditAt(t, st, id, n, base, time.Now())
}

// staffEditAt is staffEdit with the kiosk's clock at at.
func staffEditAt(t testing.TB, st *store.Store, id string, n data.Notice, base int64, at time.Time) {
	t.Helper()
	item, err := json.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(data.StaffEditBody{
		StaffEdit:   wire.StaffEdit{Kind: data.KindNotice, ID: n.ID, Op: data.OpUpsert, Item: item},
		BaseVersion: base,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Enqueue(context.Background(), store.OutboxItem{ID: id, Kind: wire.ItemStaffEdit, Body: body, CreatedAt: at}); err != nil {
		t.Fatal(err)
	}
}

// streetNotice returns a notice of streetA as the kiosk holds it, with its
// version.
func streetNotice(t testing.TB, st *store.Store) (data.Notice, int64) {
	t.Helper()
	rows, _, err := st.ListNotices(context.Background(), store.NoticeFilter{}, store.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		n, err := st.Notice(context.Background(), r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if n.Street == streetA {
			_, v, err := st.Get(context.Background(), data.KindNotice, n.ID)
			if err != nil {
				t.Fatal(err)
			}
			return n, v
		}
	}
	t.Fatal("no notice of the street")
	return data.Notice{}, 0
}

func outboxCount(t testing.TB, st *store.Store) int {
	t.Helper()
	n, err := st.OutboxCount(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// fault is what the faulty transport does to one request.
type fault int

const (
	pass      fault = iota
	refuse          // connection refused: nothing reaches the district
	reset           // the connection resets before the request arrives
	lostAck         // the district gets and commits the request; the answer is lost
	truncate        // the answer is cut off half way
	status5xx       // a 502 from a proxy in front of the district
	tooMany         // 429 with Retry-After: 3600
	stall           // nothing comes back until the attempt times out
	slow            // the answer comes back after a delay
)

func (f fault) String() string {
	return [...]string{"pass", "refuse", "reset", "lostAck", "truncate", "5xx", "429", "stall", "slow"}[f]
}

// faulty is an http.RoundTripper between the agent and the district that
// applies plan(n, req) to the n-th request (from 0).
type faulty struct {
	next http.RoundTripper
	plan func(n int, req *http.Request) fault

	mu     sync.Mutex
	n      int
	counts map[fault]int
}

func newFaulty(plan func(n int, req *http.Request) fault) *faulty {
	return &faulty{next: http.DefaultTransport, plan: plan, counts: map[fault]int{}}
}

func (f *faulty) count(k fault) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.counts[k]
}

func (f *faulty) requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.n
}

func (f *faulty) RoundTrip(req *http.Request) (*http.Response, error) {
	f.mu.Lock()
	n := f.n
	f.n++
	k := pass
	if f.plan != nil {
		k = f.plan(n, req)
	}
	f.counts[k]++
	f.mu.Unlock()

	opErr := func(errno syscall.Errno) error {
		if req.Body != nil {
			io.Copy(io.Discard, req.Body)
			req.Body.Close()
		}
		return &net.OpError{Op: "read", Net: "tcp", Err: &net.OpError{Op: "dial", Err: errno}}
	}
	synthetic := func(code int, hdr http.Header) *http.Response {
		if req.Body != nil {
			io.Copy(io.Discard, req.Body)
			req.Body.Close()
		}
		if hdr == nil {
			hdr = http.Header{}
		}
		return &http.Response{StatusCode: code, Status: fmt.Sprintf("%d %s", code, http.StatusText(code)),
			Header: hdr, Body: io.NopCloser(strings.NewReader(`{"error":"busy"}`)), Request: req,
			Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}
	}
	switch k {
	case refuse:
		return nil, opErr(syscall.ECONNREFUSED)
	case reset:
		return nil, opErr(syscall.ECONNRESET)
	case status5xx:
		return synthetic(http.StatusBadGateway, nil), nil
	case tooMany:
		return synthetic(http.StatusTooManyRequests, http.Header{"Retry-After": {"3600"}}), nil
	case stall:
		<-req.Context().Done()
		return nil, req.Context().Err()
	case slow:
		select {
		case <-time.After(30 * time.Millisecond):
		case <-req.Context().Done():
			return nil, req.Context().Err()
		}
	}
	resp, err := f.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	switch k {
	case lostAck:
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return nil, opErr(syscall.ECONNRESET)
	case truncate:
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(b[:len(b)/2]), errReader{io.ErrUnexpectedEOF}))
		resp.ContentLength = -1
		resp.Header.Del("Content-Length")
	}
	return resp, nil
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// isPush reports whether req is a push.
func isPush(req *http.Request) bool { return req.URL.Path == wire.PathPush }

// checkExactlyOnce checks that every id is on the district exactly once,
// as a case, and that the kiosk's queue is empty.
func checkExactlyOnce(t testing.TB, d *district, st *store.Store, ids []string) {
	t.Helper()
	cases := d.cases(t)
	for _, id := range ids {
		if _, ok := cases[id]; !ok {
			t.Errorf("case %s is not on the district", id)
		}
		if _, ok := d.entry(t, id); !ok {
			t.Errorf("item %s is not in the district's ledger", id)
		}
	}
	if n := outboxCount(t, st); n != 0 {
		t.Errorf("%d items still queued on the kiosk", n)
	}
}

// logBuffer collects log output from several goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
