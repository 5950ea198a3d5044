package client

import (
	"log/slog"
	"net/url"

	"jiezhen/data/redact"
)

// The agent's log lines carry item ids, counts, cursors and plain error
// sentences; they never carry bodies. As a second line of defence, every
// line passes through data/redact before it reaches the caller's handler:
// the token, and anything shaped like a resident ID number or a mobile
// number, is replaced, whatever field it hides in.

// redactURL drops a user and password from a URL before it is shown.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	u.User = nil
	return u.String()
}

// newLogger wraps l (nil: discard) in the redacting handler, which also
// knows the token.
func newLogger(l *slog.Logger, token string) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return redact.New(l.Handler(), token)
}
