package data

import (
	"errors"
	"time"
)

// The rules of tracking a case by its reference and the last four digits
// of the mobile given, which the kiosk (data/store) and the district
// (sync/server) both apply.

// Tracking errors. A wrong four digits and an unknown reference give the
// same ErrTrackNoMatch, so that tracking tells nothing about a case to
// someone who does not know its mobile.
var (
	ErrTrackNoMatch = errors.New("no case with this reference and these four digits")
	ErrTrackLimited = errors.New("too many wrong tries; try again later")
)

// At most TrackMaxFailures failed tries of one reference within
// TrackFailureWindow; the next is refused with ErrTrackLimited until the
// oldest ages out, whether the reference exists or not.
const (
	TrackMaxFailures   = 5
	TrackFailureWindow = 15 * time.Minute
)
