// Package server is the district platform: the sync API that kiosks pull
// content from and push residents' writes to, and the administration of
// content, kiosks and cases behind districtd's commands. Its rules live in
// Platform; its rows live in a Store (SQLite by default).
package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"jiezhen/data"
	"jiezhen/data/report"
	"jiezhen/sync/wire"
)

// China keeps one time zone without daylight saving: the district's
// calendar days, case references and deadlines are days in it.
var china = time.FixedZone("CST", 8*3600)

// Platform is the district platform over one store. Its methods are safe
// for concurrent use.
type Platform struct {
	store     Store // sealing personal data on its way in (sealed.go)
	raw       Store // the engine under the sealing layer
	keys      *dataKeys
	now       func() time.Time
	log       *slog.Logger
	snapshots Snapshots
	onPush    PushObserver
	// synced remembers the day each kiosk's sync was last recorded for
	// the reports (markSynced), so a day costs one write per kiosk.
	synced sync.Map // kiosk id -> report.Day
}

// Options adjust a Platform; the zero value is the real clock and the
// default logger.
type Options struct {
	Now func() time.Time // the district's clock: the only one that decides
	Log *slog.Logger
	// Snapshots, with a key, has the handler serve signed snapshot
	// bundles of each kiosk's street (wire.PathBundle).
	Snapshots Snapshots
	// OnPush is told each stored push item's outcome (gauges.go).
	OnPush PushObserver
}

// New returns a platform over st.
func New(st Store, opt Options) *Platform {
	p := &Platform{store: &sealedStore{Store: st}, raw: st, now: opt.Now, log: opt.Log, snapshots: opt.Snapshots, onPush: opt.OnPush}
	if p.now == nil {
		p.now = time.Now
	}
	if p.log == nil {
		p.log = slog.Default()
	}
	p.log = slog.New(LimitLog(p.log.Handler()))
	return p
}

func (p *Platform) clock() time.Time { return p.now().UTC().Truncate(time.Millisecond) }

func (p *Platform) today() data.Date { return data.DateOf(p.now().In(china)) }

// Error is a request refused as a whole, nothing stored, with the HTTP
// status that says why and, when one item caused it, that item's id.
type Error struct {
	Status int
	Item   string
	Msg    string
}

func (e *Error) Error() string { return e.Msg }

func errorf(status int, item, format string, args ...any) *Error {
	return &Error{Status: status, Item: item, Msg: fmt.Sprintf(format, args...)}
}

// ErrUnauthorized is a missing, unknown or revoked token.
var ErrUnauthorized = &Error{Status: http.StatusUnauthorized, Msg: "the token is missing, unknown or revoked"}

// newSecret returns 32 random bytes as text: a token's secret.
func newSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make a token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func hashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// AddKiosk registers a kiosk of a known street and returns it with its
// token. The token is shown this once: only its SHA-256 is stored.
func (p *Platform) AddKiosk(ctx context.Context, street, name string) (Kiosk, string, error) {
	return p.addKiosk(ctx, street, name, nil)
}

// addKiosk is AddKiosk; then, when set, runs in its transaction (the back
// office's audit).
func (p *Platform) addKiosk(ctx context.Context, street, name string, then func(Tx, Kiosk) error) (Kiosk, string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return Kiosk{}, "", errors.New("the kiosk needs a name")
	}
	secret, err := newSecret()
	if err != nil {
		return Kiosk{}, "", err
	}
	var token string
	k := Kiosk{Street: street, Name: name, CreatedAt: p.clock()}
	err = p.store.Write(ctx, func(tx Tx) error {
		if err := knownStreet(tx, street); err != nil {
			return err
		}
		// The token carries the kiosk's id, known once the row is in: the
		// row is added with the hash of the bare secret, which is never
		// shown and so matches no token, and then gets the token's.
		if k.ID, err = tx.AddKiosk(k, hashToken(secret)); err != nil {
			return err
		}
		token = wire.KioskToken(k.ID, secret)
		if err := tx.SetTokenHash(k.ID, hashToken(token)); err != nil || then == nil {
			return err
		}
		return then(tx, k)
	})
	if err != nil {
		return Kiosk{}, "", err
	}
	return k, token, nil
}

func knownStreet(tx ReadTx, code string) error {
	it, err := tx.Item(data.KindStreet, code)
	if errors.Is(err, ErrNotFound) || (err == nil && it.Deleted) {
		return errorf(http.StatusUnprocessableEntity, "", "street %q is not published", code)
	}
	return err
}

// Kiosks lists every kiosk, revoked ones included.
func (p *Platform) Kiosks(ctx context.Context) ([]Kiosk, error) {
	var out []Kiosk
	err := p.store.Read(ctx, func(tx ReadTx) (err error) {
		out, err = tx.Kiosks()
		return err
	})
	return out, err
}

// RevokeKiosk revokes a kiosk's token for good: its next request gets 401.
func (p *Platform) RevokeKiosk(ctx context.Context, id int64) error {
	return p.revokeKiosk(ctx, id, nil)
}

// revokeKiosk is RevokeKiosk; check, when set, runs first in its
// transaction (the back office's street scope and audit).
func (p *Platform) revokeKiosk(ctx context.Context, id int64, check func(Tx, Kiosk) error) error {
	return p.store.Write(ctx, func(tx Tx) error {
		k, err := tx.Kiosk(id)
		if errors.Is(err, ErrNotFound) {
			return fmt.Errorf("there is no kiosk %d", id)
		}
		if err != nil {
			return err
		}
		if check != nil {
			if err := check(tx, k); err != nil {
				return err
			}
		}
		if k.RevokedAt != nil {
			return fmt.Errorf("kiosk %d was already revoked at %s", id, k.RevokedAt.Format(time.RFC3339))
		}
		return tx.RevokeKiosk(id, p.clock())
	})
}

// NewToken gives kiosk id a new token and returns it; the old one stops
// working at once. The kiosk keeps its number, so the references of the
// cases it filed offline stay valid: this, not a new kiosk, is the way to
// replace a token that leaked or was lost. A revoked kiosk is taken back
// into service with it (reinstated reports that); its old token stays
// dead.
func (p *Platform) NewToken(ctx context.Context, id int64) (token string, reinstated bool, err error) {
	return p.newToken(ctx, id, nil)
}

// newToken is NewToken; check, when set, runs first in its transaction
// (the back office's street scope and audit).
func (p *Platform) newToken(ctx context.Context, id int64, check func(Tx, Kiosk) error) (token string, reinstated bool, err error) {
	secret, err := newSecret()
	if err != nil {
		return "", false, err
	}
	token = wire.KioskToken(id, secret)
	err = p.store.Write(ctx, func(tx Tx) error {
		k, err := tx.Kiosk(id)
		if errors.Is(err, ErrNotFound) {
			return fmt.Errorf("there is no kiosk %d", id)
		}
		if err != nil {
			return err
		}
		if check != nil {
			if err := check(tx, k); err != nil {
				return err
			}
		}
		if err := tx.SetTokenHash(id, hashToken(token)); err != nil {
			return err
		}
		if reinstated = k.RevokedAt != nil; reinstated {
			return tx.ReinstateKiosk(id)
		}
		return nil
	})
	if err != nil {
		return "", false, err
	}
	p.log.Info("kiosk token replaced", "kiosk", id, "reinstated", reinstated)
	return token, reinstated, nil
}

// Authenticate returns the kiosk whose token this is, or ErrUnauthorized.
func (p *Platform) Authenticate(ctx context.Context, token string) (Kiosk, error) {
	if token == "" {
		return Kiosk{}, ErrUnauthorized
	}
	number, err := wire.TokenKiosk(token)
	if err != nil {
		return Kiosk{}, ErrUnauthorized
	}
	var k Kiosk
	err = p.store.Read(ctx, func(tx ReadTx) (err error) {
		k, err = tx.KioskByTokenHash(hashToken(token))
		return err
	})
	switch {
	case errors.Is(err, ErrNotFound):
		return Kiosk{}, ErrUnauthorized
	case err != nil:
		return Kiosk{}, err
	case k.RevokedAt != nil:
		return Kiosk{}, ErrUnauthorized
	case number != 0 && number != k.ID:
		// The hash is right but the number is another kiosk's: a kiosk
		// would file references in that kiosk's name.
		p.log.Warn("token names another kiosk", "kiosk", k.ID, "token_kiosk", number)
		return Kiosk{}, ErrUnauthorized
	}
	return k, nil
}

// Streets lists the published streets by code.
func (p *Platform) Streets(ctx context.Context) ([]data.Street, error) {
	var out []data.Street
	err := p.store.Read(ctx, func(tx ReadTx) error {
		items, err := tx.LiveItems(data.KindStreet)
		if err != nil {
			return err
		}
		for _, it := range items {
			var s data.Street
			if err := jsonDecode(it.Body, &s); err != nil {
				return fmt.Errorf("street %s: %w", it.ID, err)
			}
			out = append(out, s)
		}
		return nil
	})
	return out, err
}

// markSynced records that kiosk k synced today (China time), once a day
// per kiosk and process: the kiosk availability of the reports. A day
// another replica recorded already is only read: with a kiosk behind a
// load balancer, each replica's first pull of the day would otherwise
// queue behind the district's writes.
func (p *Platform) markSynced(ctx context.Context, k int64) error {
	day := report.DayOf(p.clock())
	if d, ok := p.synced.Load(k); ok && d.(report.Day) == day {
		return nil
	}
	var marked bool
	if err := p.store.Read(ctx, func(tx ReadTx) (err error) {
		marked, err = tx.KioskSynced(k, day)
		return err
	}); err != nil {
		return err
	}
	if !marked {
		if err := p.store.WriteAside(ctx, func(tx Tx) error { return tx.MarkKioskDay(k, day) }); err != nil {
			return err
		}
	}
	p.synced.Store(k, day)
	return nil
}

// Pull returns one page of the kiosk's feed after req.After, and of its
// cases after req.CasesAfter (nil: After).
func (p *Platform) Pull(ctx context.Context, k Kiosk, req wire.PullRequest) (wire.PullResponse, error) {
	if req.Street != "" && req.Street != k.Street {
		return wire.PullResponse{}, errorf(http.StatusForbidden, "", "this kiosk belongs to street %s and cannot read street %s", k.Street, req.Street)
	}
	casesAfter := req.After
	if req.CasesAfter != nil {
		if *req.CasesAfter < 0 || *req.CasesAfter > req.After {
			return wire.PullResponse{}, errorf(http.StatusBadRequest, "", "cases_after %d is not between 0 and after %d", *req.CasesAfter, req.After)
		}
		casesAfter = *req.CasesAfter
	}
	limit := req.Limit
	if limit <= 0 {
		limit = wire.DefaultLimit
	}
	limit = min(limit, wire.MaxLimit)
	resp := wire.PullResponse{Changes: []data.Change{}}
	if err := p.markSynced(ctx, k.ID); err != nil {
		return resp, err
	}
	if k.ResetPending {
		if req.After > 0 {
			resp.Reset = &wire.Reset{Scope: k.Street, Reason: "the district ordered a refetch of this street"}
			resp.ServerTime = p.clock()
			return resp, nil
		}
		// Pulling from 0 is the refetch itself.
		if err := p.store.Write(ctx, func(tx Tx) error { return tx.ResetDone(k.ID) }); err != nil {
			return resp, err
		}
	}
	err := p.store.Read(ctx, func(tx ReadTx) error {
		last, err := tx.LastSeq()
		if err != nil {
			return err
		}
		if req.After > last {
			// The kiosk has seen a feed this database never had: the
			// district restored a backup or the kiosk was pointed at
			// another district. Only a refetch makes them agree again.
			resp.Reset = &wire.Reset{Scope: k.Street, Reason: "the cursor is ahead of the district's feed"}
			return nil
		}
		scope := Scope{Street: k.Street, Kiosk: k.ID}
		changes, err := tx.Feed(scope, req.After, casesAfter, limit+1)
		if err != nil {
			return err
		}
		if len(changes) > limit {
			// Everything in scope up to the page's last seq is in the
			// page, for both cursors; neither moves back.
			end := changes[limit-1].Seq
			resp.Changes, resp.More = changes[:limit], true
			resp.Next, resp.CasesNext = max(req.After, end), max(casesAfter, end)
			if req.Count {
				resp.Behind, err = tx.Behind(scope, req.After, casesAfter)
			}
			return err
		}
		resp.Changes = append(resp.Changes, changes...)
		// Everything in scope up to last is in this page, so the cursor
		// may skip the other scopes' changes up to there.
		resp.Next, resp.CasesNext = last, last
		return nil
	})
	resp.ServerTime = p.clock()
	return resp, err
}

// OrderReset orders every kiosk of a street to clear its content and cases
// and pull again from 0, and returns how many kiosks it reaches.
func (p *Platform) OrderReset(ctx context.Context, street string) (int, error) {
	var n int
	err := p.store.Write(ctx, func(tx Tx) (err error) {
		if err := knownStreet(tx, street); err != nil {
			return err
		}
		n, err = tx.OrderReset(street)
		return err
	})
	return n, err
}
