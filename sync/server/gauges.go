package server

import (
	"context"
	"database/sql"
	"time"

	"jiezhen/data"
	"jiezhen/sync/wire"
)

// Seen is a kiosk's latest pull: when, and the cursor it pulled after
// (kiosks.seen_at and cursor, written by Platform.SeeKiosk).
type Seen struct {
	Kiosk  int64
	At     time.Time
	Cursor int64
}

// Gauges is what the district's gauges show, per street: its kiosks by
// the age of their last pull, how far its slowest kiosk is behind, and
// its case backlog.
type Gauges struct {
	Streets map[string]*StreetGauges
}

// KioskAges are the buckets kiosks are counted in by the age of their
// last pull, in order; "never" is a kiosk that has not pulled yet.
var KioskAges = []struct {
	Label string
	Under time.Duration // 0: no bound
}{
	{"5m", 5 * time.Minute},
	{"1h", time.Hour},
	{"1d", 24 * time.Hour},
	{"7d", 7 * 24 * time.Hour},
	{"older", 0},
	{"never", 0},
}

// StreetGauges is one street's part of Gauges.
type StreetGauges struct {
	// Kiosks counts the street's kiosks in service by KioskAges' labels.
	Kiosks map[string]int
	// Lag is the number of changes in the street's feed (its content and
	// the district-wide content) after the cursor of its slowest kiosk
	// that has pulled at all, counted up to LagCap.
	Lag int64
	// Backlog counts the cases not yet answered, closed or refused;
	// Overdue those of them whose deadline runs and has passed.
	Backlog, Overdue int64
}

// LagCap bounds the changes Gauges counts for a street's lag, so that a
// kiosk offline for months does not make every scrape count the feed.
const LagCap = 100_000

// GaugeKiosk is what a store reads for Gauges: a kiosk in service with its
// last pull (zero At when it has not pulled).
type GaugeKiosk struct {
	Street string
	Seen   Seen
}

// BacklogStatuses are the case statuses that count as backlog: the
// district has not answered, closed or refused the case.
var BacklogStatuses = []data.Status{data.StatusReceived, data.StatusAccepted, data.StatusCorrection,
	data.StatusDispatched, data.StatusInProgress, data.StatusExtended}

// runningStatuses are the backlog's statuses whose deadline runs: a case
// returned for correction waits for the resident.
var runningStatuses = []data.Status{data.StatusReceived, data.StatusAccepted,
	data.StatusDispatched, data.StatusInProgress, data.StatusExtended}

// Gauges reads the district's gauges. It is cheap enough to run on every
// scrape (docs/PERFORMANCE.md); ctx bounds it.
func (p *Platform) Gauges(ctx context.Context) (Gauges, error) {
	now := p.clock()
	today := data.DateOf(now.In(china))
	f := Gauges{Streets: map[string]*StreetGauges{}}
	street := func(s string) *StreetGauges {
		sf := f.Streets[s]
		if sf == nil {
			sf = &StreetGauges{Kiosks: map[string]int{}}
			for _, a := range KioskAges {
				sf.Kiosks[a.Label] = 0
			}
			f.Streets[s] = sf
		}
		return sf
	}
	err := p.store.Read(ctx, func(tx ReadTx) error {
		rows, err := tx.GaugeKiosks()
		if err != nil {
			return err
		}
		slowest := map[string]int64{}
		for _, r := range rows {
			sf := street(r.Street)
			if r.Seen.At.IsZero() {
				sf.Kiosks["never"]++
				continue
			}
			sf.Kiosks[ageLabel(now.Sub(r.Seen.At))]++
			if c, ok := slowest[r.Street]; !ok || r.Seen.Cursor < c {
				slowest[r.Street] = r.Seen.Cursor
			}
		}
		for s, cursor := range slowest {
			if street(s).Lag, err = tx.FeedAfter(s, cursor, LagCap); err != nil {
				return err
			}
		}
		backlog, err := tx.Backlog(BacklogStatuses, runningStatuses, today)
		if err != nil {
			return err
		}
		for s, b := range backlog {
			sf := street(s)
			sf.Backlog, sf.Overdue = b[0], b[1]
		}
		return nil
	})
	return f, err
}

func ageLabel(d time.Duration) string {
	for _, a := range KioskAges {
		if a.Under == 0 || d < a.Under {
			return a.Label
		}
	}
	return "older"
}

// Ready says whether the district can serve: its database answers a read
// and, where the store can tell, carries every migration this binary has.
func (p *Platform) Ready(ctx context.Context) error {
	err := p.store.Read(ctx, func(tx ReadTx) error {
		_, err := tx.LastSeq()
		return err
	})
	if err != nil {
		return err
	}
	if m, ok := p.raw.(interface{ Migrated(context.Context) error }); ok {
		return m.Migrated(ctx)
	}
	return nil
}

// PushObserver, when set in Options, is told the outcome of every item
// a push stored (the metrics count them); it must not block.
type PushObserver func(wire.PushResult)

// DBStats gives the store's connection pools' statistics by pool name,
// for the metrics; nil when the store has none to give.
func (p *Platform) DBStats() map[string]sql.DBStats {
	if s, ok := p.raw.(interface{ DBStats() map[string]sql.DBStats }); ok {
		return s.DBStats()
	}
	return nil
}
