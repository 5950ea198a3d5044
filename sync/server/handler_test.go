package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"jiezhen/sync/wire"
)

// The OpenAPI document and the real handler agree: every route the handler
// serves is documented with its method, and every documented operation is
// served, while other methods on those paths get 405.
func TestOpenAPIMatchesHandler(t *testing.T) {
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi %q, want 3.1.0", doc.OpenAPI)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	served := map[string]bool{}
	for _, rt := range routes {
		served[rt.method+" "+rt.path] = true
		if !documented[rt.method+" "+rt.path] {
			t.Errorf("%s %s is served but not documented", rt.method, rt.path)
		}
	}
	for op := range documented {
		if !served[op] {
			t.Errorf("%s is documented but not served", op)
		}
	}

	e := newEnv(t)
	for path := range doc.Paths {
		for _, method := range []string{"GET", "POST", "PUT", "DELETE", "PATCH"} {
			status, body := e.do(method, path, e.tokA1, []byte(`{"items":[{"id":"h","kind":"opinion","body":{}}]}`))
			want := documented[method+" "+path]
			got := status != http.StatusNotFound && status != http.StatusMethodNotAllowed
			if got != want {
				t.Errorf("%s %s: status %d %s, documented %v", method, path, status, body, want)
			}
		}
	}
	// The push item kinds are the ones the wire package knows.
	var kinds struct {
		Components struct {
			Schemas struct {
				PushItem struct {
					Properties struct {
						Kind struct {
							Enum []wire.ItemKind `json:"enum"`
						} `json:"kind"`
					} `json:"properties"`
				} `json:"PushItem"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPI, &kinds); err != nil {
		t.Fatal(err)
	}
	if got := kinds.Components.Schemas.PushItem.Properties.Kind.Enum; !slices.Equal(got, wire.ItemKinds) {
		t.Errorf("documented push kinds %v, wire.ItemKinds %v", got, wire.ItemKinds)
	}
	status, body := e.do("GET", wire.PathOpenAPI, "", nil)
	if status != http.StatusOK || string(body) != string(openAPI) {
		t.Fatalf("served document: %d", status)
	}
	// Every $ref points at something in the document.
	var all map[string]any
	json.Unmarshal(openAPI, &all)
	for _, ref := range refs(all) {
		var node any = all
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			m, _ := node.(map[string]any)
			node = m[part]
		}
		if node == nil {
			t.Errorf("$ref %s points at nothing", ref)
		}
	}
}

func refs(v any) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && k == "$ref" {
				out = append(out, s)
			}
			out = append(out, refs(x)...)
		}
	case []any:
		for _, x := range v {
			out = append(out, refs(x)...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// gateStore holds the first write (a push records its kiosk's sync,
// then stores the items) until the test lets it go.
type gateStore struct {
	Store
	once    sync.Once
	entered chan struct{}
	release chan struct{}
}

func (g *gateStore) Write(ctx context.Context, fn func(Tx) error) error {
	g.once.Do(func() {
		g.entered <- struct{}{}
		<-g.release
	})
	return g.Store.Write(ctx, fn)
}

// A shutdown lets the request in flight finish and commit, then Serve
// returns; the listener takes no new connections meanwhile.
func TestGracefulShutdown(t *testing.T) {
	e := newEnv(t)
	gate := &gateStore{Store: e.st, entered: make(chan struct{}), release: make(chan struct{})}
	p := New(gate, Options{Now: e.clock.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- Serve(ctx, ln, Handler(p), "", "", 10*time.Second, p.log) }()

	body, _ := json.Marshal(wire.PushRequest{Items: []wire.PushItem{appeal(t, "case-inflight", streetA)}})
	type result struct {
		status int
		body   string
		err    error
	}
	done := make(chan result, 1)
	go func() {
		req, _ := http.NewRequest("POST", "http://"+ln.Addr().String()+wire.PathPush, strings.NewReader(string(body)))
		req.Header.Set("Authorization", "Bearer "+e.tokA1)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		done <- result{status: resp.StatusCode, body: string(b)}
	}()

	<-gate.entered // the request is inside its write
	cancel()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", ln.Addr().String(), 100*time.Millisecond)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the listener still takes connections after shutdown began")
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case err := <-served:
		t.Fatalf("Serve returned %v with a request in flight", err)
	default:
	}
	close(gate.release)
	r := <-done
	if r.err != nil || r.status != http.StatusOK || !strings.Contains(r.body, `"accepted"`) {
		t.Fatalf("in-flight request: %d %s %v", r.status, r.body, r.err)
	}
	if err := <-served; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if n := e.count("cases"); n != 1 {
		t.Fatalf("%d cases after shutdown", n)
	}
}

func TestServeTLSFilesMissing(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	err = Serve(context.Background(), ln, http.NotFoundHandler(), "/nonexistent/cert.pem", "/nonexistent/key.pem", time.Second, slog.Default())
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("serve with missing TLS files: %v", err)
	}
}
