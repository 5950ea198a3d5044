package server

import (
	"context"
	"errors"
	"fmt"
	"time"

	"jiezhen/data"
)

// Reads for the public website (ui/web): a street's current content and
// the files it refers to, as residents may see them. Staff accounts are
// never among them.

// StreetContent lists the live items of a content kind that a street
// shows, its own and the district-wide ones, by id.
func (p *Platform) StreetContent(ctx context.Context, kind data.Kind, street string) ([]Item, error) {
	if err := publicKind(kind); err != nil {
		return nil, err
	}
	var out []Item
	err := p.store.Read(ctx, func(tx ReadTx) (err error) {
		out, err = tx.StreetItems(kind, street)
		return err
	})
	return out, err
}

// Content returns one live content item, or ErrNotFound when it is not
// published (or was unpublished).
func (p *Platform) Content(ctx context.Context, kind data.Kind, id string) (Item, error) {
	if err := publicKind(kind); err != nil {
		return Item{}, err
	}
	var it Item
	err := p.store.Read(ctx, func(tx ReadTx) (err error) {
		it, err = tx.Item(kind, id)
		return err
	})
	if err == nil && it.Deleted {
		err = ErrNotFound
	}
	return it, err
}

// FileData returns a stored attachment file with its bytes, or
// ErrNotFound.
func (p *Platform) FileData(ctx context.Context, path string) (StoredFile, []byte, error) {
	var f StoredFile
	var b []byte
	err := p.store.Read(ctx, func(tx ReadTx) (err error) {
		if f, err = tx.File(path); err != nil {
			return err
		}
		b, err = tx.FileData(path)
		return err
	})
	return f, b, err
}

// Today is today's date in China by the district's clock.
func (p *Platform) Today() data.Date { return p.today() }

func publicKind(kind data.Kind) error {
	if !kind.Valid() || kind == data.KindStaff {
		return fmt.Errorf("%q is not a kind of public content: %w", kind, errors.ErrUnsupported)
	}
	return nil
}

// Now is the district's clock in China, where opening hours are read.
func (p *Platform) Now() time.Time { return p.now().In(china) }
