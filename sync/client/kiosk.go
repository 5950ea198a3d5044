package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"jiezhen/sync/wire"
)

// A token carries its kiosk's number, not its street: the district knows
// that. Before a cycle first pushes, the agent asks the district who the
// token is (GET /api/v1/kiosk) and holds the answer against the street
// the kiosk serves (store.KioskStreets, and Config.Street when given). A
// token of another street is refused and nothing is sent: its residents'
// cases would be refused as another street's, and its content is not the
// street's. A kiosk with no street yet takes the token's. See
// docs/ARCHITECTURE.md, the sync agent's "Whose is the token".

// StreetError is the refusal of a token of another street than the one
// the kiosk serves.
type StreetError struct {
	Kiosk       int64    // the token's kiosk, as the district says
	TokenStreet string   // the token's street, as the district says
	Held        []string // the street(s) the kiosk serves
}

func (e *StreetError) Error() string {
	held := strings.Join(e.Held, ", ")
	return fmt.Sprintf("the token is kiosk %d's of street %s, but this kiosk serves street %s; nothing was sent: "+
		"give it a token of street %s, or move it to street %s on purpose with 'kiosk reset --db FILE --street %s' once its outbox is empty",
		e.Kiosk, e.TokenStreet, held, held, e.TokenStreet, e.TokenStreet)
}

// checkKiosk asks the district who the token is, before a cycle first
// pushes, and refuses a token of another street than the kiosk's with a
// *StreetError, changing nothing. A kiosk with no street yet records the
// token's. Then the token's number is recorded as the kiosk's
// (store.RecordKioskNumber, which refuses another number while cases
// filed under the recorded one wait). Once it passed, the agent does not
// ask again: the token and the kiosk's street do not change while it runs.
func (a *Agent) checkKiosk(ctx context.Context) error {
	if a.checked {
		return nil
	}
	var info wire.KioskInfo
	err := a.call(ctx, http.MethodGet, wire.PathKiosk, nil, nil, &info)
	var he *HTTPError
	switch {
	case errors.As(err, &he) && he.Status == http.StatusUnauthorized:
		return fmt.Errorf("the district refused the kiosk's token (401): %s", he.Message)
	case errors.As(err, &he):
		return fmt.Errorf("asking the district at %s which kiosk the token is: %w", a.base, he)
	case err != nil:
		return err
	case info.Street == "" || info.Kiosk < 1:
		// 2xx JSON, but not the district's answer: nobody said whose the
		// token is, and nothing may be pushed on it.
		nd := &NotDistrictError{URL: a.base + wire.PathKiosk, Status: http.StatusOK, What: "with JSON that does not say which kiosk the token is"}
		nd.Use = a.probe(ctx)
		a.notDistrict(nd)
		return nd
	}
	held, err := a.st.KioskStreets(ctx)
	if err != nil {
		return err
	}
	if len(held) == 0 || slices.Contains(held, info.Street) {
		if a.cfg.Street != "" {
			held = []string{a.cfg.Street} // the street the kiosk was told it serves
		}
	}
	if len(held) > 0 && !slices.Contains(held, info.Street) {
		a.log.Warn("token of another street refused", "kiosk", info.Kiosk, "token_street", info.Street, "street", strings.Join(held, ","))
		return &StreetError{Kiosk: info.Kiosk, TokenStreet: info.Street, Held: held}
	}
	if err := a.st.RecordKioskStreet(ctx, info.Street, a.cfg.Now()); err != nil {
		return err
	}
	if n, _ := wire.TokenKiosk(a.cfg.Token); n != 0 {
		if _, err := a.st.RecordKioskNumber(ctx, n, a.cfg.Now()); err != nil {
			return err
		}
	}
	a.checked = true
	return nil
}
