package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
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
// a 4xx other than 429. Item names the pushed item that caused it, when
// the district said so.
type HTTPError struct {
	Status  int
	Message string
	Item    string
}

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
		HTTPClient:   &http.Client{Transport: rt, Timeout: a.cfg.AttemptTimeout},
		Logger:       nil, // the agent logs for itself, through its redacting logger
		RetryWaitMin: a.cfg.RetryMin,
		RetryWaitMax: a.cfg.RetryCap,
		RetryMax:     a.cfg.Retries,
		CheckRetry:   checkRetry,
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
// URL errors are final.
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	var he *HTTPError
	if errors.As(err, &he) {
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
		return true, fmt.Errorf("answered %s", resp.Status)
	}
	return false, nil
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
	if errors.As(err, &he) || errors.Is(err, context.Canceled) {
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
		if resp.StatusCode/100 != 2 {
			he := &HTTPError{Status: resp.StatusCode}
			var e wire.Error
			if json.Unmarshal(b, &e) == nil {
				he.Message, he.Item = e.Message, e.Item
			}
			return he
		}
		if p, ok := out.(*wire.PullResponse); ok && pageSchema != nil {
			// Pages carry the bodies of up to a thousand changes: read
			// in one pass when fastjson can answer for the page.
			var page wire.PullResponse
			if pageSchema.Decode(b, &page) {
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
	if ctx.Err() != nil {
		return ctx.Err()
	}
	err = a.plain(err)
	a.setOnline(false, err.Error())
	return err
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
	switch {
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
