package wire

import (
	"fmt"
	"strconv"
	"strings"
)

// A kiosk's token is what it shows the district on every request
// (Authorization: Bearer). The district stores only its SHA-256 and finds
// the kiosk by it. The token reads
//
//	jzk_7.<secret>
//
// jzk_ marks it as a Jiezhen kiosk token, so that secret scanners and
// people recognise one that leaked; 7 is the kiosk's number in the
// district (districtd's kiosk id, the KKK of the references it makes),
// readable so that the kiosk knows its number offline; the secret is 32
// random bytes in unpadded base64url, which has no dot. The whole token
// is hashed, and the district refuses a token whose number is not that of
// the kiosk its hash belongs to.
//
// Tokens made before the number was added read jzk_<secret>, with no dot:
// they still authenticate, and carry no number.
const TokenPrefix = "jzk_"

// KioskToken returns the token of kiosk number kiosk (from 1) with the
// given secret.
func KioskToken(kiosk int64, secret string) string {
	return TokenPrefix + strconv.FormatInt(kiosk, 10) + "." + secret
}

// TokenKiosk returns the kiosk number a token carries: 0 with no error
// for a token of the old form, which carries none, and an error for a
// token whose number is not a number from 1 or whose secret is missing.
func TokenKiosk(token string) (int64, error) {
	rest, ok := strings.CutPrefix(token, TokenPrefix)
	if !ok {
		return 0, nil
	}
	num, secret, ok := strings.Cut(rest, ".")
	if !ok {
		return 0, nil
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 1 || num[0] == '0' || num[0] == '+' {
		return 0, fmt.Errorf("the token's kiosk number %q is not a number from 1 (a token reads %s<number>.<secret>)", clipNumber(num), TokenPrefix)
	}
	if secret == "" {
		return 0, fmt.Errorf("the token of kiosk %d has nothing after the dot: it was cut short", n)
	}
	return n, nil
}

// clipNumber shortens a token's number part for an error message, so
// that a mangled token does not end up whole in a log.
func clipNumber(s string) string {
	if len(s) <= 12 {
		return s
	}
	return s[:12] + "…"
}
