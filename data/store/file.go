package store

import (
	"context"
	"encoding/json"
	"errors"

	"jiezhen/data"
)

// FileCase gives c its id, its reference from kiosk and c.SubmittedAt, and
// its deadline days working days after the day, in China, it was submitted (none
// when days is negative), and queues it in the outbox together with the
// kiosk's own copy, in one durable transaction (docs/SYNC.md guarantee 4): when
// it returns nil the case survives a power cut. On error nothing is
// queued. The window and `kiosk submit` both file through it.
func (s *Store) FileCase(ctx context.Context, c data.Case, kiosk int64, days int) (data.Case, error) {
	c.Deadline = data.Date{}
	if days >= 0 {
		years, err := s.Calendar(ctx)
		if err != nil {
			return c, err
		}
		cal, err := data.NewCalendar(years...)
		if err != nil {
			return c, err
		}
		c.Deadline = cal.AddWorkdays(data.DayInChina(c.SubmittedAt), days)
	}
	c.ID = "case-" + randomHex()
	// The first serial of the day not yet used on this kiosk.
	for seq := 1; ; seq++ {
		ref, err := data.NewReference(kiosk, c.SubmittedAt, seq)
		if err != nil {
			return c, err
		}
		if _, err := s.Case(ctx, ref); errors.Is(err, ErrNotFound) {
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
	err = s.Enqueue(ctx, OutboxItem{ID: c.ID, Kind: data.ItemCase, Body: body, CreatedAt: c.SubmittedAt, Case: &c})
	return c, err
}

// FileOpinion gives o its id and queues it in the outbox, durably, at
// o.At. On error nothing is queued.
func (s *Store) FileOpinion(ctx context.Context, o data.Opinion) (data.Opinion, error) {
	o.ID = "opinion-" + randomHex()
	body, err := json.Marshal(o)
	if err != nil {
		return o, err
	}
	return o, s.Enqueue(ctx, OutboxItem{ID: o.ID, Kind: data.ItemOpinion, Body: body, CreatedAt: o.At})
}
