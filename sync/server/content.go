package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"jiezhen/data"
	"jiezhen/data/report"
)

func jsonDecode(b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return errors.New("the stored body does not decode")
	}
	return nil
}

// streetOf says whose scope a content item is in: a street is its own
// scope, a calendar is the whole district's, every other kind says so in
// its street field ("" for district-wide).
func streetOf(c data.Change) (string, error) {
	switch c.Kind {
	case data.KindStreet:
		return c.ID, nil
	case data.KindCalendar:
		return "", nil
	}
	var v struct {
		Street string `json:"street"`
	}
	if err := json.Unmarshal(c.Body, &v); err != nil {
		return "", fmt.Errorf("%s %q: the body does not decode", c.Kind, c.ID)
	}
	return v.Street, nil
}

// oneItem reads one content item of a kind as strictly as a published
// content set, checks it as Validate does, and returns it as the change
// publishing it would make (Version and Seq not set).
func oneItem(kind data.Kind, raw json.RawMessage, today data.Date) (data.Change, error) {
	c, err := data.ReadItem(kind, raw, today)
	if err != nil {
		return data.Change{}, oneLine(err)
	}
	return c, nil
}

func oneLine(err error) error {
	return errors.New(strings.Join(strings.Fields(err.Error()), " "))
}

// PublishResult counts what a publish did.
type PublishResult struct {
	Added, Changed, Unchanged int
	Last                      int64 // the feed's last seq afterwards
}

// Publish validates a content set and records every new or changed item
// in the feed with its version raised by one; an item identical to the
// published one makes no change. It is all or nothing.
func (p *Platform) Publish(ctx context.Context, set *data.ContentSet) (PublishResult, error) {
	var res PublishResult
	if err := set.Validate(p.today()); err != nil {
		return res, oneLine(err)
	}
	changes, err := set.Changes()
	if err != nil {
		return res, oneLine(err)
	}
	incoming := map[string]bool{}
	for _, s := range set.Streets {
		incoming[s.Code] = true
	}
	err = p.store.Write(ctx, func(tx Tx) error {
		return p.publishTx(tx, changes, incoming, &res)
	})
	if err != nil {
		return PublishResult{}, err
	}
	p.log.Info("published", "added", res.Added, "changed", res.Changed, "unchanged", res.Unchanged, "seq", res.Last)
	return res, nil
}

// publishTx records every new or changed item of changes in tx, as
// Publish does, counting them in res; incoming are the streets published
// in the same write. A check that refuses an item is an *Error (422)
// given before anything of that item is written. The back office's
// drafts publish through it too.
func (p *Platform) publishTx(tx Tx, changes []data.Change, incoming map[string]bool, res *PublishResult) error {
	// A street item carries the district's website (SetPublicURL),
	// which the content files do not set.
	base, err := tx.Setting(settingPublicURL)
	if err != nil {
		return err
	}
	now := p.clock()
	for _, c := range changes {
		if c.Kind == data.KindStreet && c.Body != nil {
			if c.Body, err = streetWithWebsite(c.Body, base); err != nil {
				return err
			}
			// ... nor the figures the district set (PublishFigures).
			if old, err := tx.Item(c.Kind, c.ID); err == nil && !old.Deleted {
				var st data.Street
				if err := jsonDecode(old.Body, &st); err != nil {
					return err
				}
				if st.Figures != nil {
					if c.Body, err = streetWithFigures(c.Body, st.Figures); err != nil {
						return err
					}
				}
			}
		}
		street, err := streetOf(c)
		if err != nil {
			return err
		}
		if err := checkFiles(tx, c); err != nil {
			return err
		}
		if street != "" && !incoming[street] {
			if err := knownStreet(tx, street); err != nil {
				return fmt.Errorf("%s %q: %w", c.Kind, c.ID, err)
			}
		}
		old, err := tx.Item(c.Kind, c.ID)
		op := report.ContentPublish
		switch {
		case errors.Is(err, ErrNotFound):
			res.Added++
		case err != nil:
			return err
		case !old.Deleted && old.Street == street && bytes.Equal(old.Body, c.Body):
			res.Unchanged++
			continue
		case old.Deleted:
			res.Added++
		default:
			res.Changed++
			op = report.ContentUpdate
		}
		if err := tx.LogContent(now, c.Kind, c.ID, street, op); err != nil {
			return err
		}
		it := Item{Kind: c.Kind, ID: c.ID, Street: street, Version: old.Version + 1, Body: c.Body}
		if _, err := tx.PutItem(it); err != nil {
			return err
		}
	}
	res.Last, err = tx.LastSeq()
	return err
}

// Unpublish deletes one content item: kiosks drop it at their next pull.
// A street with kiosks that are not revoked cannot be unpublished.
func (p *Platform) Unpublish(ctx context.Context, kind data.Kind, id string) (int64, error) {
	if !kind.Valid() {
		return 0, fmt.Errorf("%q is not a content kind (one of %v)", kind, data.ContentKinds)
	}
	var seq int64
	err := p.store.Write(ctx, func(tx Tx) (err error) {
		seq, err = unpublishTx(tx, kind, id, p.clock())
		return err
	})
	if err != nil {
		return 0, err
	}
	p.log.Info("unpublished", "kind", string(kind), "id", id, "seq", seq)
	return seq, nil
}

// unpublishTx is Unpublish's write in tx at the district's time now
// (the content log's); the back office's withdrawals and expiries use it
// too.
func unpublishTx(tx Tx, kind data.Kind, id string, now time.Time) (int64, error) {
	old, err := tx.Item(kind, id)
	if errors.Is(err, ErrNotFound) || (err == nil && old.Deleted) {
		return 0, errorf(http.StatusConflict, "", "there is no published %s %q", kind, id)
	}
	if err != nil {
		return 0, err
	}
	if kind == data.KindStreet {
		ks, err := tx.Kiosks()
		if err != nil {
			return 0, err
		}
		for _, k := range ks {
			if k.Street == id && k.RevokedAt == nil {
				return 0, fmt.Errorf("street %s still has kiosk %d (%s): revoke its kiosks first", id, k.ID, k.Name)
			}
		}
	}
	old.Version++
	old.Deleted, old.Body = true, nil
	seq, err := tx.PutItem(old)
	if err != nil {
		return 0, err
	}
	return seq, tx.LogContent(now, kind, id, old.Street, report.ContentWithdraw)
}
