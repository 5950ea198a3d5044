package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"jiezhen/data"
	"jiezhen/data/store"
	"jiezhen/sync/wire"
)

// Track asks the district for a case this kiosk does not hold, by its
// reference and the last four digits of the mobile on it (POST
// /api/v1/track). The district applies the lockout; its answers come back
// as the kiosk's own tracking errors (store.ErrTrackNoMatch,
// store.ErrTrackLimited), so that the tracking screen says the same
// whichever answered. A district that cannot be reached is the error of
// the call, and the agent's Status says it is offline.
func (a *Agent) Track(ctx context.Context, ref, phone4 string) (wire.TrackResponse, error) {
	body, err := json.Marshal(wire.TrackRequest{Ref: strings.TrimSpace(ref), Phone4: strings.TrimSpace(phone4)})
	if err != nil {
		return wire.TrackResponse{}, err
	}
	var out wire.TrackResponse
	err = a.call(ctx, http.MethodPost, wire.PathTrack, nil, body, &out)
	var he *HTTPError
	switch {
	case errors.As(err, &he) && he.Status == http.StatusBadRequest:
		return out, fmt.Errorf("the district refused the lookup: %s", he.Message)
	case err != nil:
		return out, err
	}
	switch out.Outcome {
	case wire.TrackNoMatch:
		return out, store.ErrTrackNoMatch
	case wire.TrackLocked:
		return out, store.ErrTrackLimited
	case wire.TrackFound:
		if out.Case != nil && out.Case.ID != "" && data.NormalizeReference(out.Case.Ref) == data.NormalizeReference(ref) {
			return out, nil
		}
	}
	return wire.TrackResponse{}, fmt.Errorf("the district's answer to the lookup is not the case asked for")
}
