package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"

	"jiezhen/data"
)

// CaseFiler is what filing a case needs: the calendar for its deadline,
// the kiosk's cases for a free reference, and the durable outbox write.
// *Store implements it; the window and `kiosk submit` both file through
// FileCase.
type CaseFiler interface {
	Enqueue(ctx context.Context, it OutboxItem) error
	Calendar(ctx context.Context) ([]data.CalendarYear, error)
	Case(ctx context.Context, idOrRef string) (data.Case, error)
}

var _ CaseFiler = (*Store)(nil)

// FileCase gives c its id, its reference from kiosk and c.SubmittedAt, and
// its deadline days working days after the day, in China, it was submitted (none
// when days is negative), and queues it in the outbox together with the
// kiosk's own copy, in one durable transaction (SYNC.md guarantee 4): when
// it returns nil the case survives a power cut. On error nothing is
// queued.
func FileCase(ctx context.Context, w CaseFiler, c data.Case, kiosk int64, days int) (data.Case, error) {
	c.Deadline = data.Date{}
	if days >= 0 {
		years, err := w.Calendar(ctx)
		if err != nil {
			return c, err
		}
		cal, err := data.NewCalendar(years...)
		if err != nil {
			return c, err
		}
		c.Deadline = cal.AddWorkdays(data.DayInChina(c.SubmittedAt), days)
	}
	var id [16]byte
	if _, err := rand.Read(id[:]); err != nil {
		return c, err
	}
	c.ID = "case-" + hex.EncodeToString(id[:])
	// The first serial of the day not yet used on this kiosk.
	for seq := 1; ; seq++ {
		ref, err := data.NewReference(kiosk, c.SubmittedAt, seq)
		if err != nil {
			return c, err
		}
		if _, err := w.Case(ctx, ref); errors.Is(err, ErrNotFound) {
			c.Ref = ref
			break
		} else if err != nil {
			return c, err
		}
	}
	body, err := json.Marshal(c)
	if err != nil {
		return c, err
	}
	err = w.Enqueue(ctx, OutboxItem{ID: c.ID, Kind: data.ItemCase, Body: body, CreatedAt: c.SubmittedAt, Case: &c})
	return c, err
}
