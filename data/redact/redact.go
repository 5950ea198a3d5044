// Package redact keeps secrets and personal numbers out of log lines: a
// slog handler that every line of both programs passes through before it
// is written (docs/ARCHITECTURE.md, "Logs").
package redact

import (
	"context"
	"log/slog"
	"regexp"
	"strings"
)

// personal matches an 18-character resident ID number (17 digits and a
// digit or X), an old 15-digit one, and a mainland mobile number, when
// they stand alone (not inside a longer run of digits).
var personal = regexp.MustCompile(`(^|[^0-9])([0-9]{17}[0-9Xx]|[0-9]{15}|1[3-9][0-9]{9})([^0-9]|$)`)

// Text returns s with every secret replaced by [token], anything after
// "Bearer " too, and every resident ID number and mobile number by
// [number].
func Text(s string, secrets ...string) string {
	for _, secret := range secrets {
		if secret != "" && strings.Contains(s, secret) {
			s = strings.ReplaceAll(s, secret, "[token]")
		}
	}
	if i := strings.Index(strings.ToLower(s), "bearer "); i >= 0 {
		s = s[:i] + "Bearer [token]"
	}
	return personal.ReplaceAllString(s, "$1[number]$3")
}

// Handler wraps next so that every message and attribute it gets is
// redacted (Text) first, whatever field a secret hides in; attributes
// named token, authorization, password or pin are dropped whole.
func Handler(next slog.Handler, secrets ...string) slog.Handler {
	var keep []string
	for _, s := range secrets {
		if s != "" {
			keep = append(keep, s)
		}
	}
	if r, ok := next.(*redactor); ok {
		return &redactor{next: r.next, secrets: append(append([]string(nil), r.secrets...), keep...)}
	}
	return &redactor{next: next, secrets: keep}
}

// New is a logger that writes through Handler to next.
func New(next slog.Handler, secrets ...string) *slog.Logger {
	return slog.New(Handler(next, secrets...))
}

type redactor struct {
	next    slog.Handler
	secrets []string
}

func (r *redactor) Enabled(ctx context.Context, level slog.Level) bool {
	return r.next.Enabled(ctx, level)
}

func (r *redactor) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, Text(rec.Message, r.secrets...), rec.PC)
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
		return slog.String(a.Key, Text(v.String(), r.secrets...))
	case slog.KindAny:
		// Errors, structs and the rest: as the text they would print.
		return slog.String(a.Key, Text(v.String(), r.secrets...))
	}
	return slog.Attr{Key: a.Key, Value: v}
}

func (r *redactor) WithAttrs(attrs []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		red[i] = r.attr(a)
	}
	return &redactor{next: r.next.WithAttrs(red), secrets: r.secrets}
}

func (r *redactor) WithGroup(name string) slog.Handler {
	return &redactor{next: r.next.WithGroup(name), secrets: r.secrets}
}
