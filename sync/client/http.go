package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"jiezhen/data/fastjson"
	"jiezhen/sync/wire"
)

// maxResponse caps what the agent reads of one response: a page of
// wire.MaxLimit changes is far below it, and a district that sends
// endless data is cut off instead of filling memory.
const maxResponse = 64 << 20

// HTTPError is an answer of the district that retrying will not change:
// one of the statuses the API refuses a request with (districtStatus), in
// the district's error body (wire.Error). Item names the pushed item that
// caused it, when the district said so.
type HTTPError struct {
	Status  int
	Message string
	Item    string
}

// districtStatus reports whether status is one the district's API refuses
// a whole request with (docs/ARCHITECTURE.md, the sync agent): 400, 401,
// 403, 409 and 413. Any other final answer (404, 405, 410, a redirect...)
// comes from an address that is not the district's API, or not now.
func districtStatus(status int) bool {
	switch status {
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden,
		http.StatusConflict, http.StatusRequestEntityTooLarge:
		return true
	}
	return false
}

// NotDistrictError is a final answer that does not come from the district's
// API: a status the API does not refuse with, a redirect (never followed,
// so the token goes nowhere else), a page, or a body that is not the
// district's JSON. It judges no item: whatever was sent stays queued.
type NotDistrictError struct {
	URL    string // the address asked, without its query
	Status int    // the answer's HTTP status
	What   string // what came back, in plain words
	// Use is the district URL to give instead, when the one given with or
	// without /api/v1 answered as the district; empty when none did.
	Use string
}

func (e *NotDistrictError) Error() string {
	msg := fmt.Sprintf("%s answered %d %s, %s: not the district's API; no item was refused, the waiting ones stay queued",
		e.URL, e.Status, http.StatusText(e.Status), e.What)
	if e.Use != "" {
		msg += "; use --district " + e.Use
	}
	return msg
}

// answerError is what the response handler makes of an answer other than
// a 2xx in JSON: the district's refusal (*HTTPError) when the status is
// one of districtStatus and the body is the district's error body, and a
// *NotDistrictError otherwise.
func answerError(resp *http.Response, b []byte) error {
	u := *resp.Request.URL
	u.RawQuery = ""
	nd := &NotDistrictError{URL: redactURL(u.String()), Status: resp.StatusCode}
	isJSON := jsonType(resp.Header.Get("Content-Type"))
	var e struct {
		Message *string `json:"error"`
		Item    string  `json:"item"`
	}
	envelope := isJSON && json.Unmarshal(b, &e) == nil && e.Message != nil && *e.Message != ""
	switch {
	case resp.StatusCode/100 == 3:
		nd.What = "a redirect, which the kiosk does not follow"
		if loc := resp.Header.Get("Location"); loc != "" {
			nd.What = fmt.Sprintf("a redirect to %s, which the kiosk does not follow", redactURL(clip(loc)))
		}
		return nd
	case resp.StatusCode/100 == 2:
		nd.What = "with " + bodyKind(resp, isJSON) + " instead of the district's JSON"
		return nd
	case envelope && districtStatus(resp.StatusCode):
		return &HTTPError{Status: resp.StatusCode, Message: *e.Message, Item: e.Item}
	case envelope:
		nd.What = fmt.Sprintf("%q", clip(*e.Message))
		return nd
	}
	nd.What = "with " + bodyKind(resp, isJSON)
	return nd
}

// bodyKind names what an answer that is not the district's carries.
func bodyKind(resp *http.Response, isJSON bool) string {
	ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	switch {
	case isJSON:
		return "JSON that is not the district's"
	case ct == "text/html":
		return "an HTML page"
	case ct == "":
		return "a body of no stated type"
	}
	return "a body of type " + clip(ct)
}

// jsonType reports whether a Content-Type is JSON, as every answer of the
// district's API is.
func jsonType(v string) bool {
	ct, _, err := mime.ParseMediaType(v)
	return err == nil && ct == "application/json"
}

// clip keeps a value from an answer short enough for one line.
func clip(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

// noRedirects is the HTTP client's CheckRedirect: the district's API never
// redirects, and following a redirect elsewhere would hand the kiosk's
// token to another host or port; the answer is reported instead
// (NotDistrictError).
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

func (e *HTTPError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	return fmt.Sprintf("district answered %d: %s", e.Status, msg)
}

// transientError is a failure that the next attempt may not have: the
// network, a 5xx or 429, a body cut short.
type transientError struct {
	err        error
	retryAfter time.Duration // from a 429 or 503, 0 when none
}

func (e *transientError) Error() string { return e.err.Error() }
func (e *transientError) Unwrap() error { return e.err }

// newHTTP builds the retrying HTTP client: every attempt has its own
// timeout (http.Client.Timeout covers the body too, which the response
// handler reads inside the attempt), failures are retried with capped,
// jittered exponential backoff, and a Retry-After is honoured only up to
// the cap.
func (a *Agent) newHTTP() *retryablehttp.Client {
	rt := a.cfg.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	return &retryablehttp.Client{
		HTTPClient:   &http.Client{Transport: rt, Timeout: a.cfg.AttemptTimeout, CheckRedirect: noRedirects},
		Logger:       nil, // the agent logs for itself, through its redacting logger
		RetryWaitMin: a.cfg.RetryMin,
		RetryWaitMax: a.cfg.RetryCap,
		RetryMax:     a.cfg.Retries,
		CheckRetry:   a.checkRetry,
		Backoff:      Backoff,
		ErrorHandler: errorHandler,
		RequestLogHook: func(_ retryablehttp.Logger, req *http.Request, attempt int) {
			if attempt > 0 {
				a.log.Debug("retrying", "method", req.Method, "path", req.URL.Path, "attempt", attempt+1)
			}
		},
	}
}

// Backoff is the wait before retry number attempt+1: exponential from
// lo, capped at hi, with jitter (a uniformly random point in the upper
// half, so kiosks that lost the network together do not come back
// together). A Retry-After on a 429 or 503 lengthens the wait, but never
// past hi: a district that says "come back in an hour" does not put a
// kiosk to sleep for an hour.
func Backoff(lo, hi time.Duration, attempt int, resp *http.Response) time.Duration {
	if hi < lo {
		hi = lo
	}
	d := hi
	if attempt < 30 {
		if e := lo << attempt; e > 0 && e < hi {
			d = e
		}
	}
	if d > 1 {
		d = d/2 + rand.N(d/2+1)
	}
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if ra, ok := retryAfter(resp); ok && ra > d {
			d = ra
		}
	}
	return min(d, hi)
}

func retryAfter(resp *http.Response) (time.Duration, bool) {
	v := resp.Header.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
		if n > int64(24*time.Hour/time.Second) {
			n = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(0, time.Until(t)), true
	}
	return 0, false
}

// checkRetry retries what another attempt may fix: network errors and
// timeouts, 429 and 5xx (not 501), and bodies that do not decode (cut
// short on the way). A definite answer (2xx decoded, other 4xx) and TLS or
// URL errors are final, and so is a Retry-After that would wait (up to
// RetryCap) past ctx's deadline.
func (a *Agent) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	var he *HTTPError
	var nd *NotDistrictError
	var we *WaitError
	if errors.As(err, &he) || errors.As(err, &nd) || errors.As(err, &we) {
		return false, err
	}
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			return retryablehttp.ErrorPropagatedRetryPolicy(ctx, resp, err)
		}
		return true, err // the response handler's: a body cut short
	}
	if resp.StatusCode == http.StatusTooManyRequests ||
		(resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented) {
		if w := tooLong(ctx, resp, a.cfg.RetryCap); w != nil {
			return false, w
		}
		return true, fmt.Errorf("answered %s", resp.Status)
	}
	return false, nil
}

// WaitError: the district asked (Retry-After on a 429 or 503) to wait
// longer than the context's deadline leaves, so the run ends now instead
// of sleeping into its limit; no item was refused.
type WaitError struct{ Wait time.Duration }

func (e *WaitError) Error() string {
	return fmt.Sprintf("the district asked to wait %d s, longer than this run has left; the waiting items stay queued", int64(e.Wait/time.Second))
}

// tooLong is a *WaitError when resp asks to wait past ctx's deadline (the
// wait being capped at most).
func tooLong(ctx context.Context, resp *http.Response, most time.Duration) error {
	deadline, ok := ctx.Deadline()
	if !ok || (resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable) {
		return nil
	}
	if ra, ok := retryAfter(resp); ok && min(ra, most) > time.Until(deadline) {
		return &WaitError{Wait: ra}
	}
	return nil
}

// errorHandler runs when the attempts are used up or the answer is final:
// it closes what is left of the response and keeps the last error,
// marked transient unless it is a definite answer.
func errorHandler(resp *http.Response, err error, attempts int) (*http.Response, error) {
	var ra time.Duration
	if resp != nil {
		if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
			ra, _ = retryAfter(resp)
		}
		io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
	}
	if err == nil {
		err = errors.New("no usable answer")
	}
	var he *HTTPError
	var nd *NotDistrictError
	if errors.As(err, &he) || errors.As(err, &nd) || errors.Is(err, context.Canceled) {
		return nil, err
	}
	return nil, &transientError{err: err, retryAfter: ra}
}

// pageSchema reads pull pages (nil if wire.PullResponse ever holds a
// type fastjson does not read; encoding/json then reads every page).
var pageSchema = fastjson.For(reflect.TypeFor[wire.PullResponse]())

// call sends one request, with retries, and decodes a 2xx answer into
// out. The body, when not nil, is sent as JSON. The response is read and
// decoded inside the attempt, so a body cut short is retried like a
// dropped connection.
func (a *Agent) call(ctx context.Context, method, path string, query url.Values, body []byte, out any) error {
	u := a.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var raw any
	if body != nil {
		raw = body
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, method, u, raw)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+a.cfg.Token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", a.cfg.UserAgent)
	// The outbox's depth and the dead letters, for the district's fleet
	// page, as the agent last counted them.
	st := a.Status()
	req.Header.Set(wire.HeaderOutbox, strconv.Itoa(st.Waiting))
	req.Header.Set(wire.HeaderDeadLetters, strconv.Itoa(st.DeadLetters))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.SetResponseHandler(func(resp *http.Response) error {
		defer resp.Body.Close()
		b, err := readAnswer(resp)
		if err != nil {
			return fmt.Errorf("reading the answer: %w", err)
		}
		if len(b) > maxResponse {
			return &HTTPError{Status: resp.StatusCode, Message: "the answer is larger than the kiosk accepts"}
		}
		if w := tooLong(ctx, resp, a.cfg.RetryCap); w != nil {
			return w
		}
		if resp.StatusCode/100 != 2 || !jsonType(resp.Header.Get("Content-Type")) {
			return answerError(resp, b)
		}
		if p, ok := out.(*wire.PullResponse); ok && pageSchema != nil {
			// Pages carry the bodies of up to a thousand changes: read
			// in one pass when fastjson can answer for the page, the
			// bodies left in b, which is the page's alone.
			var page wire.PullResponse
			if pageSchema.DecodeShared(b, &page) {
				*p = page
				return nil
			}
		}
		if err := json.NewDecoder(bytes.NewReader(b)).Decode(out); err != nil {
			return fmt.Errorf("the answer does not decode: %w", err)
		}
		return nil
	})
	a.trace("send " + path)
	_, err = a.http.Do(req)
	if err == nil {
		a.setOnline(true, "")
		return nil
	}
	var he *HTTPError
	if errors.As(err, &he) {
		a.setOnline(true, "") // the district answered
		return he
	}
	var nd *NotDistrictError
	if errors.As(err, &nd) {
		nd.Use = a.probe(ctx)
		a.notDistrict(nd)
		return nd
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	err = a.plain(err)
	a.setOnline(false, err.Error())
	return err
}

// apiSuffix is what a district URL copied from `districtd serve`'s log
// ends with; the kiosk adds it to every path itself.
const apiSuffix = "/api/v1"

// probe looks for the district next to a base URL that did not answer as
// the district: the same URL without /api/v1, or with it. It returns the
// one whose health route answers as the district's does, or "". The health
// route takes no token, and none is sent.
func (a *Agent) probe(ctx context.Context) string {
	cand := a.base + apiSuffix
	if b, ok := strings.CutSuffix(a.base, apiSuffix); ok {
		cand = b
	}
	ctx, cancel := context.WithTimeout(ctx, min(a.cfg.AttemptTimeout, 5*time.Second))
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, cand+wire.PathHealth, nil)
	if err != nil {
		return ""
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", a.cfg.UserAgent)
	resp, err := a.http.HTTPClient.Do(req)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	var h wire.Health
	if resp.StatusCode != http.StatusOK || !jsonType(resp.Header.Get("Content-Type")) ||
		json.NewDecoder(io.LimitReader(resp.Body, 4096)).Decode(&h) != nil || h.Status != "ok" || h.Version == "" {
		return ""
	}
	return cand
}

// plain turns a transport error into one sentence that names the district
// and the cause: "district unreachable at http://host:8080: connection
// refused". It keeps the transientError mark (and its Retry-After).
func (a *Agent) plain(err error) error {
	te := &transientError{err: err}
	errors.As(err, &te)
	var msg string
	var errno syscall.Errno
	var dnsErr *net.DNSError
	var netErr net.Error
	var we *WaitError
	switch {
	case errors.As(err, &we):
		msg = fmt.Sprintf("the district at %s asked to wait %d s, longer than this run has left; the waiting items stay queued", a.base, int64(we.Wait/time.Second))
	case errors.As(err, &errno):
		msg = fmt.Sprintf("district unreachable at %s: %s", a.base, errno.Error())
	case errors.As(err, &dnsErr):
		msg = fmt.Sprintf("district unreachable at %s: no such host %s", a.base, dnsErr.Name)
	case errors.As(err, &netErr) && netErr.Timeout():
		msg = fmt.Sprintf("district at %s did not answer within %s", a.base, a.cfg.AttemptTimeout)
	default:
		cause := err.Error()
		var ue *url.Error
		if errors.As(err, &ue) {
			cause = ue.Err.Error()
		}
		msg = fmt.Sprintf("district at %s: %s", a.base, strings.TrimPrefix(cause, "net/http: "))
	}
	return &transientError{err: errors.New(msg), retryAfter: te.retryAfter}
}

// readAnswer reads resp's body, up to maxResponse+1 bytes. A page of the
// feed is about a megabyte: when the length is announced it is read into
// one buffer of that size instead of one grown by doubling.
func readAnswer(resp *http.Response) ([]byte, error) {
	n := resp.ContentLength
	if n <= 0 || n > maxResponse {
		return io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	}
	b := make([]byte, n, n+1)
	if _, err := io.ReadFull(resp.Body, b); err != nil {
		return nil, err
	}
	// Nothing may follow the announced length (net/http reports it as an
	// error; this keeps the check here).
	if m, _ := resp.Body.Read(b[n : n+1]); m > 0 {
		return nil, errors.New("the answer is longer than announced")
	}
	return b, nil
}
