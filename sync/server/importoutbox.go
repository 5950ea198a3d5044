package server

import (
	"context"
	"errors"
	"fmt"

	"jiezhen/data"
	"jiezhen/sync/wire"
)

// ImportResult counts what an outbox import did.
type ImportResult struct {
	Kiosk     int64      `json:"kiosk"`
	Items     int        `json:"items"` // in the file
	Accepted  int        `json:"accepted"`
	Duplicate int        `json:"duplicate"`
	Conflict  int        `json:"conflict"`
	Refused   int        `json:"refused"`
	SetAside  []SetAside `json:"set_aside,omitempty"`
}

// SetAside is an item a whole batch was refused for (another street, an
// id reused with another body): nothing is stored for it, and the kiosk
// gets the same answer when it pushes it.
type SetAside struct {
	ID     string `json:"id"`
	Reason string `json:"reason"`
}

// ImportOutbox applies a kiosk's outbox carried on a USB drive: the kiosk
// is the one whose token the file holds, checked against the registry as
// for an HTTP push (unknown or revoked: refused), and street, when the
// file names one, must be its street. The items go through Push in
// batches, so the ledger answers an item already stored with its first
// result: importing twice, or syncing afterwards, stores nothing twice.
// An item a batch is refused whole for is set aside and the rest go on,
// as the kiosk's agent does.
func (p *Platform) ImportOutbox(ctx context.Context, token, street string, items []wire.PushItem) (ImportResult, error) {
	res := ImportResult{Items: len(items)}
	k, err := p.Authenticate(ctx, token)
	if errors.Is(err, ErrUnauthorized) {
		return res, errors.New("the file's kiosk is not registered here, or has been revoked")
	}
	if err != nil {
		return res, err
	}
	res.Kiosk = k.ID
	if street != "" && street != k.Street {
		return res, fmt.Errorf("the file says street %s, but its kiosk %d belongs to street %s", street, k.ID, k.Street)
	}
	for lo := 0; lo < len(items); lo += wire.MaxBatch {
		batch := items[lo:min(lo+wire.MaxBatch, len(items))]
		for len(batch) > 0 {
			resp, err := p.push(ctx, k, &wire.PushRequest{Items: batch}, data.ChannelUSB)
			var pe *Error
			if errors.As(err, &pe) && pe.Item != "" {
				res.SetAside = append(res.SetAside, SetAside{ID: pe.Item, Reason: pe.Msg})
				rest := make([]wire.PushItem, 0, len(batch)-1)
				for _, it := range batch {
					if it.ID != pe.Item {
						rest = append(rest, it)
					}
				}
				if len(rest) == len(batch) {
					return res, err
				}
				batch = rest
				continue
			}
			if err != nil {
				return res, err
			}
			for _, r := range resp.Results {
				switch r.Outcome {
				case wire.Accepted:
					res.Accepted++
				case wire.Duplicate:
					res.Duplicate++
				case wire.Conflict:
					res.Conflict++
				case wire.Refused:
					res.Refused++
				}
			}
			break
		}
	}
	return res, nil
}
