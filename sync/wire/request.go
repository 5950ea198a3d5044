package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"

	"jiezhen/data"
)

// PullRequest is what a pull asks for, sent as the query of
// GET /api/v1/changes: after=SEQ&limit=N&street=CODE&cases_after=SEQ.
// Street is optional; when given it must be the kiosk's own street, so a
// kiosk that was moved to another street finds out (403) instead of mixing
// two scopes.
//
// CasesAfter is the cursor of the kiosk's own cases when it is behind
// After: a bundle carries a street's content only, yet moves the content
// cursor, so the status changes of the kiosk's cases in the bundle's range
// are still to be pulled. Nil means the same as After; it is never past
// After.
type PullRequest struct {
	After      int64
	Limit      int
	Street     string
	CasesAfter *int64
	// Count asks for Behind in the answer (see PullResponse).
	Count bool
}

// Query encodes the request as URL query values.
func (r PullRequest) Query() url.Values {
	q := url.Values{}
	q.Set("after", strconv.FormatInt(r.After, 10))
	if r.Limit > 0 {
		q.Set("limit", strconv.Itoa(r.Limit))
	}
	if r.Street != "" {
		q.Set("street", r.Street)
	}
	if r.CasesAfter != nil {
		q.Set("cases_after", strconv.FormatInt(*r.CasesAfter, 10))
	}
	if r.Count {
		q.Set("count", "1")
	}
	return q
}

// ParsePullQuery reads a pull request from URL query values. A missing
// limit is DefaultLimit and a larger one than MaxLimit is lowered to it.
// A missing cases_after is nil.
func ParsePullQuery(q url.Values) (PullRequest, error) {
	r := PullRequest{Limit: DefaultLimit, Street: q.Get("street")}
	if s := q.Get("after"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return r, fmt.Errorf("after must be a whole number of zero or more, not %q", clip(s))
		}
		r.After = n
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return r, fmt.Errorf("limit must be a whole number of one or more, not %q", clip(s))
		}
		r.Limit = min(n, MaxLimit)
	}
	if s := q.Get("cases_after"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return r, fmt.Errorf("cases_after must be a whole number of zero or more, not %q", clip(s))
		}
		if n > r.After {
			return r, fmt.Errorf("cases_after %d is past after %d", n, r.After)
		}
		r.CasesAfter = &n
	}
	switch s := q.Get("count"); s {
	case "", "0":
	case "1":
		r.Count = true
	default:
		return r, fmt.Errorf("count must be 0 or 1, not %q", clip(s))
	}
	return r, nil
}

// ItemError is a push request refused whole because of one of its items.
type ItemError struct {
	Item string // the item's id, or "" when it has none
	Err  error
}

func (e *ItemError) Error() string { return e.Err.Error() }
func (e *ItemError) Unwrap() error { return e.Err }

// DecodePushRequest reads a push request and checks its shape: well-formed
// JSON with nothing after it, at most MaxBatch items, each with a usable
// id not used twice in the batch, a known kind and a JSON object body. It
// does not judge what the bodies say: that is per item, on the server. A
// problem with one item is an *ItemError naming it.
func DecodePushRequest(r io.Reader) (*PushRequest, error) {
	dec := json.NewDecoder(r)
	var req PushRequest
	if err := dec.Decode(&req); err != nil {
		return nil, &decodeError{msg: "the request body is not a push request in JSON: " + plainJSONError(err), err: err}
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("the request body has more after the push request")
	}
	if err := req.Check(); err != nil {
		return nil, err
	}
	return &req, nil
}

// Check checks the shape of a push request as DecodePushRequest does.
func (req *PushRequest) Check() error {
	if len(req.Items) == 0 {
		return errors.New("the push request has no items")
	}
	if len(req.Items) > MaxBatch {
		return fmt.Errorf("the push request has %d items, more than the limit of %d", len(req.Items), MaxBatch)
	}
	seen := make(map[string]bool, len(req.Items))
	for i, it := range req.Items {
		bad := func(format string, args ...any) error {
			return &ItemError{Item: it.ID, Err: fmt.Errorf("item %d: "+format, append([]any{i + 1}, args...)...)}
		}
		if err := CheckID(it.ID); err != nil {
			return &ItemError{Err: fmt.Errorf("item %d: %w", i+1, err)}
		}
		if seen[it.ID] {
			return bad("id %q is used twice in the batch", it.ID)
		}
		seen[it.ID] = true
		if !it.Kind.Valid() {
			return bad("unknown kind %q", clip(string(it.Kind)))
		}
		if b := bytes.TrimSpace(it.Body); len(b) == 0 || b[0] != '{' {
			return bad("the body is not a JSON object")
		}
		if it.BaseVersion < 0 {
			return bad("base_version is negative")
		}
		if it.BaseVersion != 0 && it.Kind != ItemStaffEdit {
			return bad("base_version is only for staff edits")
		}
	}
	return nil
}

// decodeError says what was wrong in plain words, and keeps the cause for
// errors.As (an *http.MaxBytesError, say) without printing it.
type decodeError struct {
	msg string
	err error
}

func (e *decodeError) Error() string { return e.msg }
func (e *decodeError) Unwrap() error { return e.err }

// CheckID checks a client-generated id: the one pattern of every id
// (data.IDPattern: 1 to MaxIDLength ASCII letters, digits, '.', '_' and
// '-'), so that it is safe in logs, paths and keys.
func CheckID(id string) error {
	if id == "" {
		return errors.New("the item has no id")
	}
	if len(id) > MaxIDLength {
		return fmt.Errorf("the id is longer than %d characters", MaxIDLength)
	}
	if err := data.CheckID(id); err != nil {
		return fmt.Errorf("the id %q %v", clip(id), err)
	}
	return nil
}

// plainJSONError turns a decoding error into words without echoing the
// input, which may hold personal data.
func plainJSONError(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return "it is empty"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "it ends too early"
	case errors.As(err, &syn):
		return fmt.Sprintf("bad syntax at byte %d", syn.Offset)
	case errors.As(err, &typ):
		if typ.Field != "" {
			return fmt.Sprintf("field %s has the wrong type", typ.Field)
		}
		return "it has the wrong type"
	}
	return "it does not decode"
}

// clip shortens what a client sent before it goes into an error message.
func clip(s string) string {
	const max = 40
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	return string(r[:max]) + "..."
}
