package wire

import (
	"strings"
	"testing"
)

func TestTokenKiosk(t *testing.T) {
	const secret = "q3Zp-9_xW0aBcDeFgHiJkLmNoPqRsTuVwXyZ012345a"
	if got := KioskToken(7, secret); got != "jzk_7."+secret {
		t.Fatalf("KioskToken(7) = %q", got)
	}
	for _, tc := range []struct {
		token string
		want  int64
	}{
		{KioskToken(7, secret), 7},
		{KioskToken(29790, secret), 29790},
		{KioskToken(123456, secret), 123456},
		{"jzk_" + secret, 0}, // the old form carries no number
		{"jzk_-" + secret, 0},
		{"some-other-token", 0},
		{"", 0},
	} {
		got, err := TokenKiosk(tc.token)
		if err != nil || got != tc.want {
			t.Errorf("TokenKiosk(%q) = %d, %v; want %d", tc.token, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ token, msg string }{
		{"jzk_k7." + secret, `kiosk number "k7" is not a number`},
		{"jzk_." + secret, `kiosk number "" is not a number`},
		{"jzk_0." + secret, `kiosk number "0" is not a number from 1`},
		{"jzk_07." + secret, `kiosk number "07"`},
		{"jzk_-7." + secret, `kiosk number "-7"`},
		{"jzk_+7." + secret, `kiosk number "+7"`},
		{"jzk_99999999999999999999." + secret, `kiosk number "999999999999…"`},
		{"jzk_7.", "kiosk 7 has nothing after the dot"},
	} {
		n, err := TokenKiosk(tc.token)
		if err == nil {
			t.Errorf("TokenKiosk(%q) = %d, want an error", tc.token, n)
			continue
		}
		if !strings.Contains(err.Error(), tc.msg) || strings.Contains(err.Error(), "\n") {
			t.Errorf("TokenKiosk(%q): error %q, want one line with %q", tc.token, err, tc.msg)
		}
	}
}
