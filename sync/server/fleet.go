package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"jiezhen/sync/wire"
)

// The kiosk fleet in the back office (docs/ADMIN.md, "Kiosks"): what each
// kiosk last told the district, how far behind its street's content it
// is, the last bundle built of its street, and the admin's actions on
// kiosks, each audited in its own transaction.

// SeenEvery is how often at most a kiosk's pulls and pushes are recorded
// (KioskSeen): a kiosk syncing every 30 seconds costs the district one
// small write a minute, not one a request.
const SeenEvery = time.Minute

// QuietAfter is how long a kiosk may go without a pull or a push before
// the fleet page marks it quiet.
const QuietAfter = 24 * time.Hour

// DefaultBundleValid is how long a bundle for a USB drive stays valid:
// long enough to carry to every street, short enough that a lost drive
// soon holds nothing a kiosk takes.
const DefaultBundleValid = 14 * 24 * time.Hour

// SeeKiosk records what kiosk k told the district with a request, unless
// the last record is younger than SeenEvery.
func (p *Platform) SeeKiosk(ctx context.Context, k Kiosk, s KioskSeen) error {
	now := p.clock()
	if at := k.Seen.At; at != nil && now.Sub(*at) < SeenEvery && !now.Before(*at) {
		return nil
	}
	s.At = &now
	return p.store.WriteAside(ctx, func(tx Tx) error { return tx.SeeKiosk(k.ID, s) })
}

// seenOf reads what a kiosk's request tells: its app version from the
// User-Agent the sync agent sends ("jiezhen-kiosk/VERSION"), and its
// outbox depth and dead letters from their headers.
func seenOf(r *http.Request) KioskSeen {
	var s KioskSeen
	if v, ok := strings.CutPrefix(r.Header.Get("User-Agent"), wire.AgentProduct+"/"); ok {
		v, _, _ = strings.Cut(v, " ")
		printable := strings.IndexFunc(v, func(r rune) bool { return r < '!' || r > '~' }) < 0
		if v != "" && len(v) <= 64 && printable {
			s.Version = v
		}
	}
	count := func(h string) *int {
		n, err := strconv.Atoi(r.Header.Get(h))
		if err != nil || n < 0 {
			return nil
		}
		return &n
	}
	s.Outbox, s.DeadLetters = count(wire.HeaderOutbox), count(wire.HeaderDeadLetters)
	return s
}

// seen records a pull's or a push's kiosk; a failure to is logged, never
// the request's.
func (h *handler) seen(r *http.Request, k Kiosk, s KioskSeen) {
	if err := h.p.SeeKiosk(r.Context(), k, s); err != nil && r.Context().Err() == nil {
		h.log.Warn("recording the kiosk's sync", "kiosk", k.ID, "err", err)
	}
}

// FleetKiosk is a kiosk as the fleet page shows it.
type FleetKiosk struct {
	Kiosk
	// StreetEnd is the district's last seq of the kiosk's street scope;
	// Lag how far the kiosk's cursor is behind it (nil: not reported).
	StreetEnd int64
	Lag       *int64
	// Quiet: not revoked and not seen (or, never seen, not added) for
	// more than QuietAfter.
	Quiet bool
	// Bundle is the last bundle built of its street, nil for none.
	Bundle *BundleRecord
}

// Fleet lists the kiosks the user sees, by id, with their figures.
func (p *Platform) Fleet(ctx context.Context, u User) ([]FleetKiosk, error) {
	now := p.clock()
	var out []FleetKiosk
	err := p.store.Read(ctx, func(tx ReadTx) error {
		ks, err := tx.StreetKiosks(u.Streets)
		if err != nil {
			return err
		}
		bundles, err := tx.StreetBundles(u.Streets)
		if err != nil {
			return err
		}
		ends := map[string]int64{}
		for _, k := range ks {
			end, ok := ends[k.Street]
			if !ok {
				if end, err = tx.ScopeEnd(Scope{Street: k.Street}); err != nil {
					return err
				}
				ends[k.Street] = end
			}
			f := FleetKiosk{Kiosk: k, StreetEnd: end}
			if c := k.Seen.Cursor; c != nil {
				lag := max(0, end-*c)
				f.Lag = &lag
			}
			last := k.CreatedAt
			if k.Seen.At != nil {
				last = *k.Seen.At
			}
			f.Quiet = k.RevokedAt == nil && now.Sub(last) > QuietAfter
			if b, ok := bundles[k.Street]; ok {
				f.Bundle = &b
			}
			out = append(out, f)
		}
		return nil
	})
	return out, err
}

// StreetBundles is the last bundle built of each street the user sees.
func (p *Platform) StreetBundles(ctx context.Context, u User) (map[string]BundleRecord, error) {
	var out map[string]BundleRecord
	err := p.store.Read(ctx, func(tx ReadTx) (err error) {
		out, err = tx.StreetBundles(u.Streets)
		return err
	})
	return out, err
}

// KioskFor reads a kiosk the user sees: ErrNotFound when there is none,
// ErrForbidden when it is of another street.
func (p *Platform) KioskFor(ctx context.Context, u User, id int64) (Kiosk, error) {
	var k Kiosk
	err := p.store.Read(ctx, func(tx ReadTx) (err error) {
		if k, err = tx.Kiosk(id); err == nil && !u.SeesStreet(k.Street) {
			err = ErrForbidden
		}
		return err
	})
	return k, err
}

// scoped refuses a kiosk of a street the user does not see, and audits
// the action otherwise, in the action's transaction.
func (p *Platform) scoped(u User, action string) func(Tx, Kiosk) error {
	return func(tx Tx, k Kiosk) error {
		if !u.SeesStreet(k.Street) {
			return ErrForbidden
		}
		return p.auditTx(tx, u, k.Street, action, fmt.Sprintf("kiosk:%d", k.ID), "")
	}
}

// AddKioskAs is AddKiosk by a back office user, of one of its streets.
func (p *Platform) AddKioskAs(ctx context.Context, u User, street, name string) (Kiosk, string, error) {
	if street == "" || !u.SeesStreet(street) {
		return Kiosk{}, "", ErrForbidden
	}
	return p.addKiosk(ctx, street, name, p.scoped(u, "kiosk.add"))
}

// RevokeKioskAs is RevokeKiosk by a back office user.
func (p *Platform) RevokeKioskAs(ctx context.Context, u User, id int64) error {
	return p.revokeKiosk(ctx, id, p.scoped(u, "kiosk.revoke"))
}

// NewTokenAs is NewToken by a back office user.
func (p *Platform) NewTokenAs(ctx context.Context, u User, id int64) (string, bool, error) {
	return p.newToken(ctx, id, p.scoped(u, "kiosk.token"))
}

// SignsBundles reports whether the district holds the bundle key
// (districtd serve --bundle-key): without it, bundles are made with
// districtd bundle on the machine that keeps the key.
func (p *Platform) SignsBundles() bool { return p.snapshots.Key != nil }

// ErrNoBundleKey is a bundle asked of a district without the key.
var ErrNoBundleKey = errors.New("this district does not hold the bundle key; make bundles with districtd bundle where the key is kept")

// WriteStreetBundle writes a full signed bundle of a street the user sees
// with the district's bundle key and its key statements, valid for
// DefaultBundleValid, and audits it.
func (p *Platform) WriteStreetBundle(ctx context.Context, u User, w io.Writer, street string) (BundleInfo, error) {
	if !p.SignsBundles() {
		return BundleInfo{}, ErrNoBundleKey
	}
	if street == "" || !u.SeesStreet(street) {
		return BundleInfo{}, ErrForbidden
	}
	info, err := p.WriteBundle(ctx, w, street, BundleSpec{Key: p.snapshots.Key, Valid: DefaultBundleValid, Statements: p.snapshots.Statements})
	if err != nil {
		return info, err
	}
	err = p.store.Write(ctx, func(tx Tx) error {
		return p.auditTx(tx, u, street, "bundle.build", "street:"+street, fmt.Sprintf("to=%d", info.Manifest.To))
	})
	return info, err
}
