package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"jiezhen/data"
	"jiezhen/sync/wire"
)

// Tracking a case from anywhere: the website's 办件查询 and a kiosk that
// does not hold the case ask the district, which holds every case in full.
// The rules are the kiosk's (data/store.Store.Track), applied by the
// district: see docs/WEB.md, "Tracking".

// Tracking errors, the kiosk's (data.ErrTrackNoMatch, data.ErrTrackLimited).
var (
	ErrTrackNoMatch = data.ErrTrackNoMatch
	ErrTrackLimited = data.ErrTrackLimited
)

// Limits on guessing: data.TrackMaxFailures failed tries of one reference,
// and TrackMaxClientFailures of one client (an address or a kiosk,
// whichever references it tries), within data.TrackFailureWindow.
const (
	TrackMaxFailures       = data.TrackMaxFailures
	TrackMaxClientFailures = 20
	TrackFailureWindow     = data.TrackFailureWindow
)

// Tracked is a case found by tracking.
type Tracked struct {
	Case data.Case
	// PublicOnly: found by the reference alone (an anonymous appeal);
	// only its public part may be shown.
	PublicOnly bool
	Contact    string // masked name and mobile
}

// lastFour returns the last four digits of a mobile, or "".
func lastFour(mobile string) string {
	var digits []byte
	for i := 0; i < len(mobile); i++ {
		if mobile[i] >= '0' && mobile[i] <= '9' {
			digits = append(digits, mobile[i])
		}
	}
	if len(digits) < 4 {
		return ""
	}
	return string(digits[len(digits)-4:])
}

// trackClientKey is the failure key of a client: never the address
// itself, so the district keeps no addresses.
func trackClientKey(client string) string {
	h := sha256.Sum256([]byte(client))
	return "client:" + hex.EncodeToString(h[:12])
}

// Track finds the case with reference ref (as typed) for a resident who
// gives phone4, the last four digits of the applicant's mobile, asking
// from client (a network address, or "kiosk:N"). A named case is found
// only with the right four digits; an anonymous appeal by the reference
// alone, with PublicOnly set. A wrong phone4 and an unknown reference are
// the same ErrTrackNoMatch and each counts as a failed try of the
// reference and of the client: after TrackMaxFailures of the reference,
// or TrackMaxClientFailures of the client, within TrackFailureWindow,
// every try gets ErrTrackLimited until the failures age out. A malformed
// reference or phone4 is an *Error of status 400, and a reference
// without four digits is no try: neither counts.
func (p *Platform) Track(ctx context.Context, ref, phone4, client string) (Tracked, error) {
	ref = strings.TrimSpace(ref)
	if err := data.CheckReference(ref); err != nil {
		return Tracked{}, &Error{Status: http.StatusBadRequest, Msg: err.Error()}
	}
	phone4 = strings.TrimSpace(phone4)
	if phone4 != "" && (len(phone4) != 4 || strings.Trim(phone4, "0123456789") != "") {
		return Tracked{}, &Error{Status: http.StatusBadRequest, Msg: "the last four digits of the mobile are four digits"}
	}
	refKey := "ref:" + data.NormalizeReference(ref)
	clientKey := trackClientKey(client)
	var out Tracked
	failed := false
	err := p.store.Write(ctx, func(tx Tx) error {
		now := p.clock()
		since := now.Add(-TrackFailureWindow)
		n, err := tx.TrackFailures(refKey, since)
		if err != nil {
			return err
		}
		m, err := tx.TrackFailures(clientKey, since)
		if err != nil {
			return err
		}
		if n >= TrackMaxFailures || m >= TrackMaxClientFailures {
			return ErrTrackLimited
		}
		// Read as stored: a wrong try decrypts nothing, the match is by
		// the keyed hash, and only a found case is opened.
		rec, err := unsealed(tx).CaseByRef(data.FormatReference(ref))
		found := err == nil
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		c := rec.Case
		match := false
		switch {
		case found && c.Anonymous:
			match, out.PublicOnly = true, true
		case phone4 == "":
			// Not a try: the four digits were not given.
			return ErrTrackNoMatch
		case found && rec.Phone4Hash != "":
			// Compared by the keyed hash beside the sealed mobile.
			match = p.keys.matchHash(rec.Phone4Hash, "phone4", phone4)
		case found && c.Applicant != nil && !isSealed(c.Applicant.Mobile):
			want := lastFour(c.Applicant.Mobile)
			match = want != "" && subtle.ConstantTimeCompare([]byte(want), []byte(phone4)) == 1
		}
		if !match {
			for _, key := range []string{refKey, clientKey} {
				if err := tx.AddTrackFailure(key, now, since); err != nil {
					return err
				}
			}
			failed = true // committed: the failure counts
			return nil
		}
		if err := p.keys.openCase(&rec); err != nil {
			return err
		}
		c = rec.Case
		out.Case = c
		if a := c.Applicant; a != nil && !out.PublicOnly {
			out.Contact = strings.TrimSpace(data.MaskName(strings.TrimSpace(a.Name)) + "  " + data.MaskMobile(a.Mobile))
		}
		return nil
	})
	if err != nil {
		return Tracked{}, err
	}
	if failed {
		return Tracked{}, ErrTrackNoMatch
	}
	return out, nil
}

// Timeline is data.BuildTimeline of a tracked case on the district's
// calendar and clock: what the website and a kiosk asking the district
// show. The district's copy is the latest, so it is never stale.
func (p *Platform) Timeline(ctx context.Context, tr Tracked, lang data.Lang) (data.Timeline, error) {
	cal, _, err := p.Calendar(ctx)
	if err != nil {
		return data.Timeline{}, err
	}
	now := p.clock()
	return data.BuildTimeline(tr.Case, data.TrackInput{
		Now: now, Calendar: cal, LastSync: now, PublicOnly: tr.PublicOnly, Contact: tr.Contact, Lang: lang,
	}), nil
}

// Tracked reads again a case found by Track, by its id: the website's
// timeline page after the form, and its rating and correction.
func (p *Platform) Tracked(ctx context.Context, id string, publicOnly bool) (Tracked, error) {
	var rec CaseRecord
	err := p.store.Read(ctx, func(tx ReadTx) (err error) {
		rec, err = tx.Case(id)
		return err
	})
	if err != nil {
		return Tracked{}, err
	}
	tr := Tracked{Case: rec.Case, PublicOnly: publicOnly}
	if a := rec.Case.Applicant; a != nil && !publicOnly {
		tr.Contact = strings.TrimSpace(data.MaskName(strings.TrimSpace(a.Name)) + "  " + data.MaskMobile(a.Mobile))
	}
	return tr, nil
}

// RateCase records a resident's rating of a completed case tracked on the
// website, through the rules of a kiosk's rating item (pushTx.rating): a
// case is rated once. A refusal is an *Error with status 409 and the
// reason.
func (p *Platform) RateCase(ctx context.Context, caseID string, r data.Rating, comment string) error {
	body, err := json.Marshal(wire.RatingBody{Case: caseID, Rating: r, Comment: strings.TrimSpace(comment)})
	if err != nil {
		return err
	}
	return p.webItem(ctx, caseID, wire.ItemRating, body, func(c data.Case) error {
		if c.Anonymous {
			return refuse(wire.RefusedNotRatable, "an anonymous appeal cannot be rated")
		}
		return nil
	})
}

// CorrectCase takes what a resident supplied on the website for a case
// waiting for 补正, through the rules of a kiosk's correction item
// (pushTx.correction).
func (p *Platform) CorrectCase(ctx context.Context, corr data.Correction) error {
	corr.At = time.Time{}
	body, err := json.Marshal(corr)
	if err != nil {
		return err
	}
	return p.webItem(ctx, corr.Case, wire.ItemCorrection, body, nil)
}

// webItem applies a resident's item sent from the website as its street's
// kiosks' items are applied, in one write: the case's street stands for
// the kiosk (kiosk 0, the website).
func (p *Platform) webItem(ctx context.Context, caseID string, kind wire.ItemKind, body json.RawMessage, check func(data.Case) error) error {
	id, err := newSecret()
	if err != nil {
		return err
	}
	it := wire.PushItem{ID: "web-" + id[:24], Kind: kind, Body: body}
	err = p.store.Write(ctx, func(tx Tx) error {
		rec, err := tx.Case(caseID)
		if errors.Is(err, ErrNotFound) {
			return refuse(wire.RefusedCaseUnknown, "case %q is not known", caseID)
		}
		if err != nil {
			return err
		}
		if check != nil {
			if err := check(rec.Case); err != nil {
				return err
			}
		}
		now := p.clock()
		pt := &pushTx{p: p, tx: tx, k: Kiosk{Street: rec.Case.Street}, now: now, today: data.DateOf(now.In(china))}
		_, err = pt.apply(it)
		return err
	})
	var r refused
	if errors.As(err, &r) {
		return &Error{Status: http.StatusConflict, Msg: r.reason}
	}
	return err
}

// track is POST /api/v1/track: a kiosk asks for a case it does not hold.
// The kiosk is the client of the lockout, as an address is on the
// website.
func (h *handler) track(w http.ResponseWriter, r *http.Request, k Kiosk) {
	var req wire.TrackRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "", "the body is not a track request: {\"ref\": ..., \"phone4\": ...}")
		return
	}
	tr, err := h.p.Track(r.Context(), req.Ref, req.Phone4, fmt.Sprintf("kiosk:%d", k.ID))
	switch {
	case errors.Is(err, ErrTrackNoMatch):
		writeJSON(w, http.StatusOK, wire.TrackResponse{Outcome: wire.TrackNoMatch, ServerTime: h.p.clock()})
		return
	case errors.Is(err, ErrTrackLimited):
		writeJSON(w, http.StatusOK, wire.TrackResponse{Outcome: wire.TrackLocked, ServerTime: h.p.clock()})
		return
	case err != nil:
		h.fail(w, r, err)
		return
	}
	c := tr.Case.WithoutPersonal()
	if tr.PublicOnly {
		c.History = slices.Clone(c.History)
		for i := range c.History {
			c.History[i].Reason = ""
		}
	}
	writeJSON(w, http.StatusOK, wire.TrackResponse{Outcome: wire.TrackFound, Case: &c, PublicOnly: tr.PublicOnly, Contact: tr.Contact, ServerTime: h.p.clock()})
}

// TrackTTL is how long a website tracking token shows its case.
const TrackTTL = 30 * time.Minute

// GrantTracking gives out a random token that shows the case g names to
// whoever holds it until TrackTTL from now (g.Expires is set here). It is
// kept in the store, so that any replica finds it (docs/WEB.md,
// "Tracking").
func (p *Platform) GrantTracking(ctx context.Context, g TrackGrant) (string, error) {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	tok := base64.RawURLEncoding.EncodeToString(b)
	now := p.Now()
	g.Expires = now.Add(TrackTTL)
	err := p.store.Write(ctx, func(tx Tx) error { return tx.AddTrackGrant(hashToken(tok), g, now) })
	return tok, err
}

// TrackingGrant is what a token GrantTracking gave shows on the street's
// website; false when it is unknown, expired or of another street.
func (p *Platform) TrackingGrant(ctx context.Context, tok, street string) (TrackGrant, bool, error) {
	var g TrackGrant
	err := p.store.Read(ctx, func(tx ReadTx) (err error) {
		g, err = tx.TrackGrant(hashToken(tok))
		return err
	})
	switch {
	case errors.Is(err, ErrNotFound):
		return TrackGrant{}, false, nil
	case err != nil:
		return TrackGrant{}, false, err
	case g.Street != street || !p.Now().Before(g.Expires):
		return TrackGrant{}, false, nil
	}
	return g, true, nil
}
