package main

import (
	"context"
	"time"

	"jiezhen/data"
	"jiezhen/data/store"
	"jiezhen/sync/client"
	"jiezhen/ui"
)

// districtTracker is the kiosk window's way to ask the district for a
// case the kiosk does not hold (ui.DistrictTracker): the sync agent's
// lookup, its timeline built with data.BuildTimeline on the kiosk's
// calendar, as the kiosk's own cases are.
type districtTracker struct {
	agent *client.Agent
	st    *store.Store
}

var _ ui.DistrictTracker = districtTracker{}

func (d districtTracker) Online() bool { return d.agent.Status().Online }

func (d districtTracker) DistrictTimeline(ctx context.Context, ref, phone4 string, now time.Time, lang data.Lang) (data.Timeline, error) {
	resp, err := d.agent.Track(ctx, ref, phone4)
	if err != nil {
		return data.Timeline{}, err
	}
	years, err := d.st.Calendar(ctx)
	if err != nil {
		return data.Timeline{}, err
	}
	cal, err := data.NewCalendar(years...)
	if err != nil {
		return data.Timeline{}, err
	}
	// The district's copy is the latest there is: never stale.
	return data.BuildTimeline(*resp.Case, data.TrackInput{
		Now: now, Calendar: cal, LastSync: now, PublicOnly: resp.PublicOnly, Contact: resp.Contact, Lang: lang,
	}), nil
}
