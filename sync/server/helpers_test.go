package server

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/internal/pgtest"
	"jiezhen/sync/bundle"
	"jiezhen/sync/wire"
)

const (
	streetA = "440106005"
	streetB = "440106006"
)

// fakeClock is the district's clock in tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// logBuffer collects log output from the server's goroutines.
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

// env is a district platform on a real SQLite file behind the real
// handler over real HTTP, with the test content published and three
// kiosks: A1 and A2 of street A, B1 of street B.
type env struct {
	t     testing.TB
	p     *Platform
	st    Store
	path  string // the database file, on SQLite
	url   string // the database's URL, on PostgreSQL
	srv   *httptest.Server
	clock *fakeClock
	logs  *logBuffer

	a1, a2, b1          Kiosk
	tokA1, tokA2, tokB1 string
	bundleKey           ed25519.PublicKey // signs the snapshots the handler serves
}

// openStore opens an empty district store for t, closed when t ends: a
// SQLite file, or with JIEZHEN_TEST_STORE=postgres a database of its own
// on the tests' PostgreSQL server (internal/pgtest).
func openStore(t testing.TB) Store {
	t.Helper()
	if pgtest.Enabled() {
		return openPostgres(t)
	}
	return openSQLite(t)
}

// openSQLite opens a new SQLite file for t, whatever
// JIEZHEN_TEST_STORE says.
func openSQLite(t testing.TB) *SQLite {
	t.Helper()
	return openSQLiteFile(t, filepath.Join(t.TempDir(), "district.db"))
}

// openSQLiteFile opens the SQLite file at path for t.
func openSQLiteFile(t testing.TB, path string) *SQLite {
	t.Helper()
	st, err := OpenSQLite(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// openPostgres opens a new database of its own for t on the tests'
// PostgreSQL server, whatever JIEZHEN_TEST_STORE says.
func openPostgres(t testing.TB) *Postgres {
	t.Helper()
	return openPostgresAt(t, pgURL(t))
}

// openPostgresAt opens the PostgreSQL database at url for t.
func openPostgresAt(t testing.TB, url string) *Postgres {
	t.Helper()
	st, err := OpenPostgres(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// pgURL is a new database of its own for t on the tests' PostgreSQL
// server, migrated.
func pgURL(t testing.TB) string {
	t.Helper()
	return pgtest.URL(t, MigratePostgres)
}

func newEnv(t testing.TB) *env {
	t.Helper()
	if pgtest.Enabled() {
		url := pgURL(t)
		e := newEnvOn(t, openPostgresAt(t, url))
		e.url = url
		return e
	}
	path := filepath.Join(t.TempDir(), "district.db")
	e := newEnvOn(t, openSQLiteFile(t, path))
	e.path = path
	return e
}

// newEnvOn is newEnv on the store given.
func newEnvOn(t testing.TB, st Store) *env {
	t.Helper()
	e := &env{t: t, clock: &fakeClock{t: time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)}, logs: &logBuffer{}}
	e.st = st
	pub, priv, err := bundle.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	e.bundleKey = pub
	e.p = New(st, Options{Now: e.clock.Now, Log: slog.New(slog.NewJSONHandler(e.logs, nil)),
		Snapshots: Snapshots{Key: priv, Dir: t.TempDir()}})
	e.publishFile("testdata/content.json")
	e.a1, e.tokA1 = e.addKiosk(streetA, "A1")
	e.a2, e.tokA2 = e.addKiosk(streetA, "A2")
	e.b1, e.tokB1 = e.addKiosk(streetB, "B1")
	e.srv = httptest.NewServer(Handler(e.p))
	t.Cleanup(e.srv.Close)
	return e
}

func (e *env) publishFile(name string) PublishResult {
	e.t.Helper()
	f, err := os.Open(name)
	if err != nil {
		e.t.Fatal(err)
	}
	defer f.Close()
	set, err := data.ReadContentSet(f)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.publish(set)
}

func (e *env) publish(set *data.ContentSet) PublishResult {
	e.t.Helper()
	res, err := e.p.Publish(context.Background(), set)
	if err != nil {
		e.t.Fatal(err)
	}
	return res
}

func (e *env) addKiosk(street, name string) (Kiosk, string) {
	e.t.Helper()
	k, tok, err := e.p.AddKiosk(context.Background(), street, name)
	if err != nil {
		e.t.Fatal(err)
	}
	return k, tok
}

// do sends one request, a body as application/json, and returns the
// status and body.
func (e *env) do(method, path, token string, body []byte) (int, []byte) {
	e.t.Helper()
	contentType := ""
	if body != nil {
		contentType = "application/json"
	}
	return e.doTyped(method, path, token, contentType, body)
}

// doTyped is do with the request's Content-Type ("": none).
func (e *env) doTyped(method, path, token, contentType string, body []byte) (int, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp.StatusCode, b
}

// pull gets one page; it fails the test on anything but 200.
func (e *env) pull(token string, after int64, limit int) wire.PullResponse {
	e.t.Helper()
	status, body := e.do("GET", wire.PathChanges+"?"+wire.PullRequest{After: after, Limit: limit}.Query().Encode(), token, nil)
	if status != http.StatusOK {
		e.t.Fatalf("pull: %d %s", status, body)
	}
	var resp wire.PullResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		e.t.Fatal(err)
	}
	return resp
}

// pullAll pulls every page from after and returns the changes and the
// final cursor.
func (e *env) pullAll(token string, after int64) ([]data.Change, int64) {
	e.t.Helper()
	var all []data.Change
	for i := 0; ; i++ {
		resp := e.pull(token, after, 3)
		if resp.Reset != nil {
			e.t.Fatalf("unexpected reset: %+v", resp.Reset)
		}
		all = append(all, resp.Changes...)
		after = resp.Next
		if !resp.More {
			return all, after
		}
		if i > 1000 {
			e.t.Fatal("pulling does not end")
		}
	}
}

// pushRaw sends a raw push body.
func (e *env) pushRaw(token string, body []byte) (int, []byte) {
	e.t.Helper()
	return e.do("POST", wire.PathPush, token, body)
}

// push sends items and fails the test on anything but 200.
func (e *env) push(token string, items ...wire.PushItem) wire.PushResponse {
	e.t.Helper()
	status, body := e.pushItems(token, items...)
	if status != http.StatusOK {
		e.t.Fatalf("push: %d %s", status, body)
	}
	var resp wire.PushResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		e.t.Fatal(err)
	}
	if len(resp.Results) != len(items) {
		e.t.Fatalf("%d results for %d items", len(resp.Results), len(items))
	}
	return resp
}

func (e *env) pushItems(token string, items ...wire.PushItem) (int, []byte) {
	e.t.Helper()
	b, err := json.Marshal(wire.PushRequest{Items: items})
	if err != nil {
		e.t.Fatal(err)
	}
	return e.pushRaw(token, b)
}

func errorBody(t testing.TB, body []byte) wire.Error {
	t.Helper()
	var we wire.Error
	if err := json.Unmarshal(body, &we); err != nil || we.Message == "" {
		t.Fatalf("error body %s is not {\"error\": ...}", body)
	}
	return we
}

// count counts rows of a table straight from the database file.
func (e *env) count(table string) int {
	e.t.Helper()
	return e.query("SELECT count(*) FROM " + table)
}

// query reads one number straight from the database file.
func (e *env) query(q string) int {
	e.t.Helper()
	var n int
	err := e.st.Read(context.Background(), func(tx ReadTx) error {
		return tx.(*sqlTx).one(q, nil, &n)
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// A valid ID number (check character computed per GB 11643) and mobile.
const (
	testID     = "440106199001011235"
	testMobile = "13800138000"
)

func mustJSON(t testing.TB, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func appeal(t testing.TB, id, street string) wire.PushItem {
	c := data.Case{ID: id, Kind: data.CaseAppeal, Street: street, Status: data.StatusSubmitted,
		SubmittedAt: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC), AppealType: data.AppealComplaint,
		Description: "楼下噪音扰民", Location: "六运三街22号",
		Applicant: &data.Person{Name: "张三", IDNumber: testID, Mobile: testMobile}}
	return wire.PushItem{ID: id, Kind: wire.ItemCase, Body: mustJSON(t, c)}
}

func application(t testing.TB, id string, values data.FormValues) wire.PushItem {
	c := data.Case{ID: id, Kind: data.CaseApplication, Street: streetA, Status: data.StatusSubmitted,
		SubmittedAt: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC), Service: "svc-a", Values: values,
		Applicant: &data.Person{Name: "李四", IDNumber: testID}}
	return wire.PushItem{ID: id, Kind: wire.ItemCase, Body: mustJSON(t, c)}
}

func opinion(t testing.TB, id string) wire.PushItem {
	o := data.Opinion{ID: id, Consultation: "zj-a", Topic: "t1", Text: "希望增加座椅", At: time.Now()}
	return wire.PushItem{ID: id, Kind: wire.ItemOpinion, Body: mustJSON(t, o)}
}

func find(changes []data.Change, kind data.Kind, id string) (data.Change, bool) {
	var last data.Change
	found := false
	for _, c := range changes {
		if c.Kind == kind && c.ID == id {
			last, found = c, true
		}
	}
	return last, found
}
