package server

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"jiezhen/data"
	"jiezhen/data/report"
)

// The SQLite side of the reports: the facts kept beside each case, the
// content log and the days each kiosk synced (migration 0014_report_facts), and the
// queries that select them by day. What they count is data/report's.

// openForever is case_facts.open_until of a case not done.
const openForever = math.MaxInt32

func nullDay(d report.Day) any {
	if d == 0 {
		return nil
	}
	return int64(d)
}

const putFacts = `INSERT INTO case_facts(case_id, street, kind, channel, type, requester, reply, outcome,
	received_day, start_day, answered_day, open_until, deadline_day, on_time, has_deadline, corrected_day,
	resumed_day, corrections, first_correct, extended_day, rating, rating_default, rated_day)
	VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT(case_id) DO UPDATE SET street = excluded.street, kind = excluded.kind, channel = excluded.channel,
		type = excluded.type, requester = excluded.requester, reply = excluded.reply, outcome = excluded.outcome,
		received_day = excluded.received_day, start_day = excluded.start_day, answered_day = excluded.answered_day,
		open_until = excluded.open_until, deadline_day = excluded.deadline_day, on_time = excluded.on_time,
		has_deadline = excluded.has_deadline, corrected_day = excluded.corrected_day, resumed_day = excluded.resumed_day,
		corrections = excluded.corrections, first_correct = excluded.first_correct, extended_day = excluded.extended_day,
		rating = excluded.rating, rating_default = excluded.rating_default, rated_day = excluded.rated_day`

// factsArgs are the values of putFacts for a case received at receivedAt.
func factsArgs(c *data.Case, receivedAt time.Time) []any {
	f := report.FactsOf(c, receivedAt)
	openUntil := int64(openForever)
	if f.Answered != 0 {
		openUntil = int64(f.Answered)
	}
	return []any{f.Case, f.Street, string(f.Kind), string(f.Channel), f.Type, string(f.Requester), string(f.Reply),
		string(f.Outcome), int64(f.Received), int64(f.Start), nullDay(f.Answered), openUntil, nullDay(f.Deadline),
		f.OnTime(), f.HasDeadline(), nullDay(f.Corrected), nullDay(f.Resumed), f.Corrections, nullDay(f.FirstCorrect),
		nullDay(f.Extended), int(f.Rating), f.RatingDefault, nullDay(f.Rated)}
}

// backfillFacts derives the facts of every case that has none (cases
// stored before the table existed), in one transaction, on PostgreSQL
// when pg.
func backfillFacts(ctx context.Context, db *sql.DB, pg bool) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("derive report facts: %w", err)
	}
	defer tx.Rollback()
	// The migration marks the cases it found; once they have their facts
	// the mark goes, so later opens do not look at every case again.
	var marked int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM settings WHERE name = 'report_facts_backfill'").Scan(&marked); err != nil {
		return fmt.Errorf("derive report facts: %w", err)
	}
	if marked == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM settings WHERE name = 'report_facts_backfill'"); err != nil {
		return fmt.Errorf("derive report facts: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT received_at, doc FROM cases c
		WHERE NOT EXISTS (SELECT 1 FROM case_facts f WHERE f.case_id = c.id)`)
	if err != nil {
		return fmt.Errorf("derive report facts: %w", err)
	}
	type pending struct {
		at  time.Time
		doc string
	}
	var list []pending
	for rows.Next() {
		var at int64
		var doc string
		if err := rows.Scan(&at, &doc); err != nil {
			rows.Close()
			return fmt.Errorf("derive report facts: %w", err)
		}
		list = append(list, pending{fromMillis(at), doc})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("derive report facts: %w", err)
	}
	if len(list) == 0 {
		return tx.Commit()
	}
	put := putFacts
	if pg {
		put = pgSQL(put)
	}
	st, err := tx.PrepareContext(ctx, put)
	if err != nil {
		return fmt.Errorf("derive report facts: %w", err)
	}
	defer st.Close()
	for _, p := range list {
		var c data.Case
		if err := json.Unmarshal([]byte(p.doc), &c); err != nil {
			return fmt.Errorf("derive report facts: a case record does not decode: %w", err)
		}
		if _, err := st.ExecContext(ctx, pgArgs(factsArgs(&c, p.at))...); err != nil {
			return fmt.Errorf("derive report facts: %w", err)
		}
	}
	return tx.Commit()
}

const factsCols = `case_id, street, kind, channel, type, requester, reply, outcome, received_day, start_day,
	coalesce(answered_day, 0), coalesce(deadline_day, 0), coalesce(corrected_day, 0), coalesce(resumed_day, 0),
	corrections, coalesce(first_correct, 0), coalesce(extended_day, 0), rating, rating_default, coalesce(rated_day, 0)`

func scanFacts(sc scanner) (report.Facts, error) {
	var f report.Facts
	err := sc.Scan(&f.Case, &f.Street, &f.Kind, &f.Channel, &f.Type, &f.Requester, &f.Reply, &f.Outcome,
		&f.Received, &f.Start, &f.Answered, &f.Deadline, &f.Corrected, &f.Resumed, &f.Corrections,
		&f.FirstCorrect, &f.Extended, &f.Rating, &f.RatingDefault, &f.Rated)
	return f, err
}

// CaseFacts selects the facts of every case of the street ("" for all)
// and kind ("" for all) that was received in the period, was open at its
// start, or was rated in it: each case once, through the indexes of
// the report_facts migration.
func (t *sqlTx) CaseFacts(q FactsQuery) ([]report.Facts, error) {
	from, to := int64(q.Period.From), int64(q.Period.To)
	street := ""
	if q.Street != "" {
		street = "street = :street AND "
	}
	kind := ""
	if q.Kind != "" {
		if !q.Kind.Valid() {
			return nil, fmt.Errorf("unknown case kind %q", q.Kind)
		}
		// The kind is written into the query (a known kind, so no quote
		// in it), where the partial indexes of the kind can serve it.
		kind = " AND kind = '" + string(q.Kind) + "'"
	}
	sq := "SELECT " + factsCols + " FROM case_facts WHERE " + street + "received_day BETWEEN :from AND :to" + kind +
		" UNION ALL SELECT " + factsCols + " FROM case_facts WHERE " + street + "open_until >= :from AND received_day < :from" + kind
	if !q.NoRatings {
		sq += " UNION ALL SELECT " + factsCols + " FROM case_facts WHERE " + street +
			"rated_day BETWEEN :from AND :to AND received_day < :from AND open_until < :from" + kind
	}
	return queryAll(t, scanFacts, sq, sql.Named("street", q.Street), sql.Named("from", from), sql.Named("to", to))
}

// ContentLog records a content operation at the district's time.
func (t *sqlTx) LogContent(at time.Time, kind data.Kind, id, street, op string) error {
	return t.exec("INSERT INTO content_log(at, kind, id, street, op) VALUES(?, ?, ?, ?, ?)",
		millis(at), kind, id, street, op)
}

// ContentEvents lists the content operations between from and to.
func (t *sqlTx) ContentEvents(from, to time.Time) ([]report.ContentEvent, error) {
	return queryAll(t, func(sc scanner) (report.ContentEvent, error) {
		var e report.ContentEvent
		var at int64
		err := sc.Scan(&at, &e.Kind, &e.ID, &e.Street, &e.Op)
		e.Day = report.DayOf(fromMillis(at))
		return e, err
	}, "SELECT at, kind, id, street, op FROM content_log WHERE at >= ? AND at < ? ORDER BY at", millis(from), millis(to))
}

// LastWrites gives each item of a kind the day of its last publish or
// update before `before`.
func (t *sqlTx) LastWrites(kind data.Kind, before time.Time) (map[string]report.Day, error) {
	type row struct {
		id string
		at int64
	}
	rows, err := queryAll(t, func(sc scanner) (row, error) {
		var r row
		return r, sc.Scan(&r.id, &r.at)
	}, "SELECT id, max(at) FROM content_log WHERE kind = ? AND op <> 'withdraw' AND at < ? GROUP BY id", kind, millis(before))
	out := map[string]report.Day{}
	for _, r := range rows {
		out[r.id] = report.DayOf(fromMillis(r.at))
	}
	return out, err
}

// MarkKioskDay records that a kiosk synced on a day.
func (t *sqlTx) MarkKioskDay(kiosk int64, day report.Day) error {
	return t.exec("INSERT OR IGNORE INTO kiosk_days(kiosk, day) VALUES(?, ?)", kiosk, int64(day))
}

// KioskSynced reports whether MarkKioskDay recorded the kiosk on the day.
func (t *sqlTx) KioskSynced(kiosk int64, day report.Day) (bool, error) {
	var one int
	err := t.one("SELECT 1 FROM kiosk_days WHERE kiosk = ? AND day = ?", []any{kiosk, int64(day)}, &one)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// KioskDays lists the days from `from` to `to` on which each kiosk synced.
func (t *sqlTx) KioskDays(from, to report.Day) (map[int64][]report.Day, error) {
	type row struct {
		k int64
		d report.Day
	}
	rows, err := queryAll(t, func(sc scanner) (row, error) {
		var r row
		return r, sc.Scan(&r.k, &r.d)
	}, "SELECT kiosk, day FROM kiosk_days WHERE day BETWEEN ? AND ? ORDER BY kiosk, day", int64(from), int64(to))
	out := map[int64][]report.Day{}
	for _, r := range rows {
		out[r.k] = append(out[r.k], r.d)
	}
	return out, err
}

// OpinionsBetween lists the opinions received between from and to.
func (t *sqlTx) OpinionsBetween(from, to time.Time) ([]OpinionRecord, error) {
	return queryAll(t, func(sc scanner) (OpinionRecord, error) {
		var o OpinionRecord
		var at int64
		var doc string
		if err := sc.Scan(&o.Ref, &o.Street, &o.Kiosk, &at, &o.Late, &doc); err != nil {
			return o, err
		}
		o.ReceivedAt = fromMillis(at)
		return o, json.Unmarshal([]byte(doc), &o.Opinion)
	}, "SELECT ref, street, kiosk, received_at, late, doc FROM opinions WHERE received_at >= ? AND received_at < ? ORDER BY received_at",
		millis(from), millis(to))
}

// CaseTotals counts report.Totals for the street ("" for all) in the
// period with three grouped queries over the day indexes, as
// report.CountTotals defines them from the facts.
func (t *sqlTx) CaseTotals(street string, p report.Period) (report.Totals, error) {
	tot := report.Totals{ByType: make([]int, len(report.Types()))}
	cond := ""
	if street != "" {
		cond = "street = :street AND "
	}
	args := []any{sql.Named("street", street), sql.Named("from", int64(p.From)), sql.Named("to", int64(p.To))}
	type row struct {
		key     string
		n, a, b int
	}
	scan := func(sc scanner) (row, error) {
		var r row
		return r, sc.Scan(&r.key, &r.n, &r.a, &r.b)
	}
	rows, err := queryAll(t, scan, "SELECT type, count(*), sum(CASE WHEN outcome = 'merged' THEN 1 ELSE 0 END), 0 FROM case_facts WHERE "+cond+
		"received_day BETWEEN :from AND :to GROUP BY type", args...)
	if err != nil {
		return tot, err
	}
	for _, r := range rows {
		tot.Received += r.n
		tot.Merged += r.a
		if i := slices.Index(report.Types(), r.key); i >= 0 {
			tot.ByType[i] += r.n
		}
	}
	rows, err = queryAll(t, scan, "SELECT '', count(*), coalesce(sum(has_deadline), 0), coalesce(sum(on_time), 0) FROM case_facts WHERE "+cond+
		"open_until BETWEEN :from AND :to AND outcome = 'answered'", args...)
	if err != nil {
		return tot, err
	}
	tot.Completed, tot.OnTime = rows[0].n, report.Ratio{Num: rows[0].b, Den: rows[0].a}
	rows, err = queryAll(t, scan, "SELECT CAST(rating AS TEXT), count(*), sum(rating_default), 0 FROM case_facts WHERE "+cond+
		"rated_day BETWEEN :from AND :to GROUP BY rating", args...)
	if err != nil {
		return tot, err
	}
	for _, r := range rows {
		if i, err := strconv.Atoi(r.key); err == nil && i >= 1 && i <= 5 {
			tot.Ratings[i-1] += r.n
			tot.RatingsDefault += r.a
		}
	}
	tot.Satisfaction = report.SatisfactionOf(tot.Ratings)
	return tot, nil
}

// RequestFacts selects the disclosure requests of the street ("" for all)
// received in the period or open at its start, with only what the annual
// report's table counts (report.CountRequests: the case, requester,
// reply, outcome and the days received and done), from the requests'
// covering indexes alone.
func (t *sqlTx) RequestFacts(street string, p report.Period) ([]report.Facts, error) {
	cond := ""
	if street != "" {
		cond = " AND street = :street"
	}
	const cols = "SELECT case_id, requester, reply, outcome, received_day, open_until FROM case_facts INDEXED BY "
	q := cols + "case_facts_requests_received WHERE kind = 'disclosure' AND received_day BETWEEN :from AND :to" + cond +
		" UNION ALL " + cols + "case_facts_requests_open WHERE kind = 'disclosure' AND open_until >= :from AND received_day < :from" + cond
	return queryAll(t, func(sc scanner) (report.Facts, error) {
		f := report.Facts{Kind: data.CaseDisclosure}
		var openUntil int64
		err := sc.Scan(&f.Case, &f.Requester, &f.Reply, &f.Outcome, &f.Received, &openUntil)
		if f.Outcome == report.OutcomeAnswered {
			f.Answered = report.Day(openUntil)
		}
		return f, err
	}, q, sql.Named("street", street), sql.Named("from", int64(p.From)), sql.Named("to", int64(p.To)))
}
