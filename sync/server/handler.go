package server

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"jiezhen/data"
	"jiezhen/data/fastjson"
	"jiezhen/sync/wire"
)

//go:embed openapi.json
var openAPI []byte

// route is one thing the API serves. The table below is the only place
// routes are registered, so the OpenAPI test can hold the document to it.
type route struct {
	method, path string
	auth         bool // needs a kiosk's bearer token
	json         bool // takes a JSON body: Content-Type application/json
	serve        func(h *handler, w http.ResponseWriter, r *http.Request, k Kiosk)
}

var routes = []route{
	{http.MethodGet, wire.PathChanges, true, false, (*handler).pull},
	{http.MethodPost, wire.PathPush, true, true, (*handler).push},
	{http.MethodGet, wire.PathHealth, false, false, (*handler).health},
	{http.MethodGet, wire.PathOpenAPI, false, false, (*handler).openAPI},
	{http.MethodGet, wire.PathBundle, true, false, (*handler).snapshot},
	{http.MethodGet, wire.PathKiosk, true, false, (*handler).kiosk},
	{http.MethodGet, wire.PathPINKey, true, false, (*handler).pinKey},
	{http.MethodPost, wire.PathTrack, true, true, (*handler).track},
}

type handler struct {
	p         *Platform
	log       *slog.Logger
	snapshots *snapshotCache // nil: no signing key, no bundles
}

// Handler serves the sync API of p under /api/v1. It logs one line per
// request (method, route, status, duration, kiosk id) and never a header,
// query value or body: they hold tokens and personal data.
func Handler(p *Platform) http.Handler {
	h := &handler{p: p, log: p.log}
	if p.snapshots.Key != nil {
		h.snapshots = newSnapshotCache(p.snapshots)
	}
	mux := http.NewServeMux()
	allow := map[string][]string{}
	for _, rt := range routes {
		mux.HandleFunc(rt.method+" "+rt.path, h.wrap(rt))
		allow[rt.path] = append(allow[rt.path], rt.method)
	}
	// The method-less pattern catches the other methods on a known path,
	// so they get 405 in JSON rather than the catch-all's 404.
	for path, methods := range allow {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			h.done(path, r.Method, http.StatusMethodNotAllowed, 0, time.Now())
			w.Header().Set("Allow", strings.Join(methods, ", "))
			writeError(w, http.StatusMethodNotAllowed, "", "this route does not take "+r.Method)
		})
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h.done("unknown", r.Method, http.StatusNotFound, 0, time.Now())
		writeError(w, http.StatusNotFound, "", "there is no such route")
	})
	return mux
}

// statusWriter remembers the status for the log line.
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

func (h *handler) wrap(rt route) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		var k Kiosk
		defer func() { h.done(rt.path, r.Method, sw.status, k.ID, start) }()
		if rt.json && !isJSON(r.Header.Get("Content-Type")) {
			writeError(sw, http.StatusUnsupportedMediaType, "", "the body must be sent as Content-Type: application/json")
			return
		}
		if rt.auth {
			var err error
			k, err = h.p.Authenticate(r.Context(), bearer(r))
			if err != nil {
				h.fail(sw, r, err)
				return
			}
		}
		rt.serve(h, sw, r, k)
	}
}

func (h *handler) done(route, method string, status int, kiosk int64, start time.Time) {
	attrs := []any{"method", method, "route", route, "status", status,
		"ms", time.Since(start).Milliseconds()}
	if kiosk != 0 {
		attrs = append(attrs, "kiosk", kiosk)
	}
	h.log.Info("request", attrs...)
}

// isJSON reports whether a request's Content-Type is JSON: the media type
// application/json, with a charset parameter, if any, of utf-8 (the only
// encoding JSON has).
func isJSON(contentType string) bool {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "application/json" {
		return false
	}
	cs, ok := params["charset"]
	return !ok || strings.EqualFold(cs, "utf-8")
}

func bearer(r *http.Request) string {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, item, msg string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="jiezhen"`)
	}
	writeJSON(w, status, wire.Error{Message: msg, Item: item})
}

// fail answers with a request error's status and sentence, or with a
// plain 500 whose cause goes only to the log.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var e *Error
	switch {
	case errors.As(err, &e):
		writeError(w, e.Status, e.Item, e.Msg)
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		writeError(w, http.StatusServiceUnavailable, "", "the request was cancelled")
	default:
		h.log.Error("request failed", "route", r.URL.Path, "err", err)
		writeError(w, http.StatusInternalServerError, "", "the district platform failed; try again later")
	}
}

func (h *handler) pinKey(w http.ResponseWriter, r *http.Request, k Kiosk) {
	key, err := h.p.StaffPINKey(r.Context(), k)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, key)
}

func (h *handler) pull(w http.ResponseWriter, r *http.Request, k Kiosk) {
	req, err := wire.ParsePullQuery(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, "", err.Error())
		return
	}
	seen := seenOf(r)
	seen.Cursor = &req.After
	h.seen(r, k, seen)
	resp, err := h.p.Pull(r.Context(), k, req)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writePage(w, resp)
}

// writePage answers a pull with the page. encoding/json re-validates every
// stored body while encoding it (json.RawMessage), which was a third of
// the district's time for a pull; encodePage writes the bodies as stored
// when fastjson.Compact says that is what encoding/json would write, so
// the answer is byte for byte the same either way.
func writePage(w http.ResponseWriter, p wire.PullResponse) {
	buf := pageBufs.Get().(*[]byte)
	defer pageBufs.Put(buf)
	b, ok := encodePage((*buf)[:0], p)
	if !ok {
		writeJSON(w, http.StatusOK, p)
		return
	}
	*buf = b
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}

// pageBufs holds the buffers pages are written into: a page is about a
// megabyte, and a kiosk's first sync asks for a hundred of them.
var pageBufs = sync.Pool{New: func() any { return new([]byte) }}

// encodePage appends to dst what json.NewEncoder(w).Encode(p) writes, for
// pages whose bodies are compact; ok is false when a body is not, or the
// layout is not the one it knows.
func encodePage(dst []byte, p wire.PullResponse) ([]byte, bool) {
	const head = `{"changes":[]`
	changes := p.Changes
	if changes == nil { // "changes": null
		return nil, false
	}
	p.Changes = []data.Change{}
	tail, err := json.Marshal(p)
	if err != nil || !bytes.HasPrefix(tail, []byte(head)) {
		return nil, false
	}
	size := len(tail) + 1
	for i := range changes {
		size += len(changes[i].Body) + 128
	}
	out := append(slices.Grow(dst, size), head[:len(head)-1]...)
	for i := range changes {
		c := changes[i]
		body := c.Body
		if len(body) > 0 && !fastjson.Compact(body) {
			return nil, false
		}
		if i > 0 {
			out = append(out, ',')
		}
		var ok bool
		if out, ok = appendEnvelope(out, &c); !ok {
			c.Body = nil
			env, err := json.Marshal(c)
			if err != nil || len(env) < 2 || env[len(env)-1] != '}' {
				return nil, false
			}
			out = append(out, env[:len(env)-1]...)
		}
		if len(body) == 0 {
			out = append(out, '}')
			continue
		}
		out = append(out, `,"body":`...)
		out = append(out, body...)
		out = append(out, '}')
	}
	out = append(out, ']')
	out = append(out, tail[len(head):]...)
	return append(out, '\n'), true
}

// appendEnvelope appends what json.Marshal writes for c without its body,
// less the closing brace, when its strings need no escaping (kinds, ops
// and ids are plain ASCII); ok is false otherwise, and dst is as it was.
// One json.Marshal per change was a tenth of a page's encoding.
func appendEnvelope(dst []byte, c *data.Change) ([]byte, bool) {
	if !plainASCII(string(c.Kind)) || !plainASCII(c.ID) || !plainASCII(string(c.Op)) {
		return dst, false
	}
	dst = append(dst, `{"seq":`...)
	dst = strconv.AppendInt(dst, c.Seq, 10)
	dst = append(dst, `,"kind":"`...)
	dst = append(dst, c.Kind...)
	dst = append(dst, `","id":"`...)
	dst = append(dst, c.ID...)
	dst = append(dst, `","op":"`...)
	dst = append(dst, c.Op...)
	dst = append(dst, `","version":`...)
	return strconv.AppendInt(dst, c.Version, 10), true
}

// plainASCII reports whether encoding/json writes s between its quotes as
// it is: printable ASCII without the characters it escapes.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c >= 0x7f, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return false
		}
	}
	return true
}

func (h *handler) push(w http.ResponseWriter, r *http.Request, k Kiosk) {
	body := http.MaxBytesReader(w, r.Body, wire.MaxBodyBytes)
	req, err := wire.DecodePushRequest(body)
	if err != nil {
		var mbe *http.MaxBytesError
		var ie *wire.ItemError
		switch {
		case errors.As(err, &mbe):
			writeError(w, http.StatusRequestEntityTooLarge, "", "the request body is larger than the limit of 1 MiB")
		case errors.As(err, &ie):
			writeError(w, http.StatusBadRequest, ie.Item, err.Error())
		default:
			writeError(w, http.StatusBadRequest, "", err.Error())
		}
		return
	}
	h.seen(r, k, seenOf(r))
	resp, err := h.p.Push(r.Context(), k, req)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (h *handler) health(w http.ResponseWriter, r *http.Request, _ Kiosk) {
	err := h.p.store.Read(r.Context(), func(tx ReadTx) error {
		_, err := tx.LastSeq()
		return err
	})
	if err != nil {
		h.log.Error("health", "err", err)
		writeError(w, http.StatusServiceUnavailable, "", "the database cannot be read")
		return
	}
	writeJSON(w, http.StatusOK, wire.Health{Status: "ok", Version: wire.Version, ServerTime: h.p.clock()})
}

// kiosk answers who the token is: its kiosk's number and street.
func (h *handler) kiosk(w http.ResponseWriter, r *http.Request, k Kiosk) {
	writeJSON(w, http.StatusOK, wire.KioskInfo{Kiosk: k.ID, Street: k.Street, ServerTime: h.p.clock()})
}

func (h *handler) openAPI(w http.ResponseWriter, r *http.Request, _ Kiosk) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(openAPI)
}

// Serve serves h on ln until ctx is done, then shuts down gracefully:
// it stops accepting, lets requests in flight finish for up to grace, and
// returns. With certFile and keyFile it serves TLS.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, certFile, keyFile string, grace time.Duration, log *slog.Logger) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(LimitLog(log.Handler()), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() {
		if certFile != "" {
			errc <- srv.ServeTLS(ln, certFile, keyFile)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := srv.Shutdown(sctx)
	if e := <-errc; !errors.Is(e, http.ErrServerClosed) && err == nil {
		err = e
	}
	return err
}
