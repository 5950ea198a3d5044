package redact

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

// The redacting handler is the second line of defence: whatever field a
// token or a personal number hides in, it does not reach the output.
func TestLoggerRedacts(t *testing.T) {
	const tok = "jzk_abcdefghijklmnopqrstuvwxyz0123456789"
	var buf bytes.Buffer
	log := New(slog.NewJSONHandler(&buf, nil), tok)
	log = log.With("kiosk", "token "+tok)
	log.Info("sent with "+tok,
		"error", errors.New("request with Authorization: Bearer "+tok+" failed"),
		"who", "身份证11010519491231002X，手机13800138000",
		slog.Group("g", "inner", "old id 110105491231002"),
		"token", "anything",
		"ok", "order 1234567890123456789012 stays") // a long number is not an ID
	out := buf.String()
	for _, secret := range []string{tok, "11010519491231002X", "13800138000", "110105491231002", "anything"} {
		if strings.Contains(out, secret) {
			t.Errorf("output has %q: %s", secret, out)
		}
	}
	if !strings.Contains(out, "1234567890123456789012") || !strings.Contains(out, "[number]") {
		t.Errorf("redacted too much or too little: %s", out)
	}
}
