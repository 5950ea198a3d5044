package client

import (
	"context"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
)

// The agent's log lines carry item ids, counts, cursors and plain error
// sentences; they never carry bodies. As a second line of defence, every
// line passes through redact before it reaches the caller's handler: the
// token, and anything shaped like a resident ID number or a mobile
// number, is replaced, whatever field it hides in.

// personal matches an 18-character resident ID number (17 digits and a
// digit or X), an old 15-digit one, and a mainland mobile number, when
// they stand alone (not inside a longer run of digits).
var personal = regexp.MustCompile(`(^|[^0-9])([0-9]{17}[0-9Xx]|[0-9]{15}|1[3-9][0-9]{9})([^0-9]|$)`)

func redactText(s, token string) string {
	if token != "" && strings.Contains(s, token) {
		s = strings.ReplaceAll(s, token, "[token]")
	}
	if strings.Contains(strings.ToLower(s), "bearer ") {
		i := strings.Index(strings.ToLower(s), "bearer ")
		s = s[:i] + "Bearer [token]"
	}
	return personal.ReplaceAllString(s, "$1[number]$3")
}

// redactURL drops a user and password from a URL before it is shown.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	u.User = nil
	return u.String()
}

type redactor struct {
	next  slog.Handler
	token string
}

// newLogger wraps l (nil: discard) in the redacting handler.
func newLogger(l *slog.Logger, token string) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(&redactor{next: l.Handler(), token: token})
}

func (r *redactor) Enabled(ctx context.Context, level slog.Level) bool {
	return r.next.Enabled(ctx, level)
}

func (r *redactor) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, redactText(rec.Message, r.token), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(r.attr(a))
		return true
	})
	return r.next.Handle(ctx, out)
}

func (r *redactor) attr(a slog.Attr) slog.Attr {
	switch k := strings.ToLower(a.Key); {
	case k == "token" || k == "authorization" || k == "password" || k == "pin":
		return slog.String(a.Key, "[redacted]")
	}
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindGroup:
		attrs := v.Group()
		out := make([]any, len(attrs))
		for i, g := range attrs {
			out[i] = r.attr(g)
		}
		return slog.Group(a.Key, out...)
	case slog.KindString:
		return slog.String(a.Key, redactText(v.String(), r.token))
	case slog.KindAny:
		// Errors, structs and the rest: as the text they would print.
		return slog.String(a.Key, redactText(v.String(), r.token))
	}
	return slog.Attr{Key: a.Key, Value: v}
}

func (r *redactor) WithAttrs(attrs []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		red[i] = r.attr(a)
	}
	return &redactor{next: r.next.WithAttrs(red), token: r.token}
}

func (r *redactor) WithGroup(name string) slog.Handler {
	return &redactor{next: r.next.WithGroup(name), token: r.token}
}
