package main

import (
	"context"
	"fmt"
	"time"

	"jiezhen/data"
	"jiezhen/data/store"
	"jiezhen/sync/wire"
)

// A kiosk's number in the district is the first part (KKK) of every
// reference it makes, so that it can make them offline unique in the
// district. It comes from the kiosk's token (districtd kiosk add prints
// jzk_<number>.<secret>, see wire.TokenKiosk), or --kiosk, or else the
// number the database recorded at an earlier start. A kiosk without one
// makes references with 000, which the district replaces at sync.

// noNumberNote is what status and the log say of a kiosk without a number.
const noNumberNote = "this kiosk has no number: the district replaces the references it makes at sync, so residents' receipts will not find their cases; give it a token from 'districtd kiosk add'"

// numberOf decides the kiosk's number from --kiosk (0: not given) and its
// token ("" for none): the one that is given, 0 when neither is, and an
// error when the two differ or either is not a kiosk number.
func numberOf(flagKiosk int64, token string) (int64, error) {
	fromToken, err := wire.TokenKiosk(token)
	if err != nil {
		return 0, fmt.Errorf("%v: %w", err, errUsage)
	}
	switch {
	case flagKiosk < 0 || flagKiosk > data.MaxRefKiosk:
		return 0, fmt.Errorf("--kiosk must be 1 to %d: %w", data.MaxRefKiosk, errUsage)
	case flagKiosk != 0 && fromToken != 0 && flagKiosk != fromToken:
		return 0, fmt.Errorf("--kiosk %d but the token is kiosk %d's: leave out --kiosk, the token says which kiosk this is: %w", flagKiosk, fromToken, errUsage)
	case fromToken > data.MaxRefKiosk:
		return 0, fmt.Errorf("the token is kiosk %d's, past the last number a reference can carry (%d): %w", fromToken, data.MaxRefKiosk, errUsage)
	case flagKiosk != 0:
		return flagKiosk, nil
	}
	return fromToken, nil
}

// settleNumber records the number n in the kiosk's database (see
// store.RecordKioskNumber) when it has none, or with n 0 returns the
// number recorded there, 0 for none. It returns the number the kiosk goes
// by. It runs offline (the window's start, kiosk submit), so it does not
// take another number than the recorded one: that may be a token of
// another street, which only the district can tell. kiosk sync's agent
// asks it first, then records the number (sync/client/kiosk.go).
func settleNumber(ctx context.Context, s *store.Store, n int64) (int64, error) {
	old, err := s.KioskNumber(ctx)
	if err != nil || n == 0 || old == n {
		return old, err
	}
	if old != 0 {
		return 0, fmt.Errorf("this database is kiosk %d's but the token is kiosk %d's: run 'kiosk sync --once' with the new token first, which asks the district whether it is of this kiosk's street and then records its number", old, n)
	}
	if _, err := s.RecordKioskNumber(ctx, n, time.Now()); err != nil {
		return 0, err
	}
	return n, nil
}
