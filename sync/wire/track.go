package wire

import (
	"time"

	"jiezhen/data"
)

// PathTrack is POST: a kiosk asks the district for a case it does not
// hold (TrackRequest), with the district's lockout (TrackResponse).
const PathTrack = Prefix + "/track"

// TrackRequest is a resident's reference and the last four digits of the
// mobile given on the case (empty for an anonymous appeal).
type TrackRequest struct {
	Ref    string `json:"ref"`
	Phone4 string `json:"phone4,omitempty"`
}

// Outcomes of a lookup. A wrong four digits and an unknown reference are
// the same TrackNoMatch.
const (
	TrackFound   = "found"
	TrackNoMatch = "no_match"
	TrackLocked  = "locked" // too many failures of the reference or the kiosk
)

// TrackResponse is the outcome and, when found, the case without personal
// data (data.Case.WithoutPersonal), with the reasons of its steps left out
// when PublicOnly (found by the reference alone), and the masked contact.
type TrackResponse struct {
	Outcome    string     `json:"outcome"`
	Case       *data.Case `json:"case,omitempty"`
	PublicOnly bool       `json:"public_only,omitempty"`
	Contact    string     `json:"contact,omitempty"`
	ServerTime time.Time  `json:"server_time"`
}
