package server

import (
	"context"
	"fmt"
	"log/slog"
	"unicode/utf8"
)

// MaxLogValue is the most bytes of one string a district log line
// carries in a value (and in its message). Values often come from a
// request (a case's reference, an item id, an error naming what was
// sent), and a request may carry a megabyte of them: a log line stays a
// line.
const MaxLogValue = 256

// limitHandler cuts every string value, every error's text and the
// message of a record to MaxLogValue bytes before the handler it wraps
// sees them.
type limitHandler struct{ slog.Handler }

// LimitLog wraps h so that no value it logs is longer than MaxLogValue
// bytes. The platform's logger and the HTTP server's error log go
// through it, so every line the district logs about a request is bounded
// whoever made the logger.
func LimitLog(h slog.Handler) slog.Handler {
	if _, ok := h.(limitHandler); ok {
		return h
	}
	return limitHandler{h}
}

func (h limitHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, limitString(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(limitAttr(a))
		return true
	})
	return h.Handler.Handle(ctx, out)
}

func (h limitHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	cut := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		cut[i] = limitAttr(a)
	}
	return limitHandler{h.Handler.WithAttrs(cut)}
}

func (h limitHandler) WithGroup(name string) slog.Handler {
	return limitHandler{h.Handler.WithGroup(name)}
}

func limitAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		if len(v.String()) > MaxLogValue {
			a.Value = slog.StringValue(limitString(v.String()))
		} else {
			a.Value = v
		}
	case slog.KindGroup:
		group := v.Group()
		cut := make([]slog.Attr, len(group))
		for i, g := range group {
			cut[i] = limitAttr(g)
		}
		a.Value = slog.GroupValue(cut...)
	case slog.KindAny:
		// Errors and anything else printed by fmt: cut its text.
		if s := fmt.Sprintf("%+v", v.Any()); len(s) > MaxLogValue {
			a.Value = slog.StringValue(limitString(s))
		} else {
			a.Value = v
		}
	default:
		a.Value = v
	}
	return a
}

// limitString cuts s to MaxLogValue bytes at a character boundary and
// says how much was left out.
func limitString(s string) string {
	if len(s) <= MaxLogValue {
		return s
	}
	n := MaxLogValue
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return fmt.Sprintf("%s…(%d more bytes)", s[:n], len(s)-n)
}
