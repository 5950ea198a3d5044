package server

import (
	"database/sql"
	"encoding/json"
	"errors"
)

// The back office's opinions and kiosk fleet in SQLite (migration
// 0012). A street-scoped user's streets travel into each query as a JSON
// array: "[]" selects every street.

// streetList is the streets as the queries take them.
func streetList(streets []string) string {
	if len(streets) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(streets)
	return string(b)
}

// inStreets is the condition on a street column of the streets given as
// parameter ?1.
const inStreets = "(?1 = '[]' OR street IN (SELECT value FROM json_each(?1)))"

const opinionCols = "id, ref, street, kiosk, received_at, late, outcome, reason, marked_by, marked_at, doc"

func scanOpinion(sc scanner) (OpinionRecord, error) {
	var o OpinionRecord
	var received int64
	var marked sql.NullInt64
	var doc string
	if err := sc.Scan(&o.Opinion.ID, &o.Ref, &o.Street, &o.Kiosk, &received, &o.Late, &o.Outcome, &o.Reason, &o.MarkedBy, &marked, &doc); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return o, ErrNotFound
		}
		return o, err
	}
	if err := jsonDecode([]byte(doc), &o.Opinion); err != nil {
		return o, err
	}
	o.ReceivedAt = fromMillis(received)
	if marked.Valid {
		o.MarkedAt = fromMillis(marked.Int64)
	}
	return o, nil
}

func (t *sqlTx) Opinions(f OpinionFilter) ([]OpinionRecord, int, error) {
	where := " FROM opinions WHERE " + inStreets + " AND (?2 = '' OR consultation = ?2) AND (?3 = '' OR topic = ?3)"
	args := []any{streetList(f.Streets), f.Consultation, f.Topic}
	var n int
	if err := t.one("SELECT count(*)"+where, args, &n); err != nil {
		return nil, 0, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = noLimit
	}
	out, err := queryAll(t, scanOpinion, "SELECT "+opinionCols+where+" ORDER BY received_at, id LIMIT ?4 OFFSET ?5",
		append(args, limit, max(f.Offset, 0))...)
	return out, n, err
}

func (t *sqlTx) Opinion(id string) (OpinionRecord, error) {
	return scanOpinion(t.row("SELECT "+opinionCols+" FROM opinions WHERE id = ?", id))
}

func (t *sqlTx) MarkOpinion(o OpinionRecord) error {
	return t.exec("UPDATE opinions SET outcome = ?, reason = ?, marked_by = ?, marked_at = ? WHERE id = ?",
		o.Outcome, o.Reason, o.MarkedBy, millis(o.MarkedAt), o.Opinion.ID)
}

// countCols count a group of opinions.
const countCols = `count(*), coalesce(sum(late), 0),
	coalesce(sum(CASE WHEN outcome = 'adopted' THEN 1 ELSE 0 END), 0),
	coalesce(sum(CASE WHEN outcome = 'partly' THEN 1 ELSE 0 END), 0),
	coalesce(sum(CASE WHEN outcome = 'not_adopted' THEN 1 ELSE 0 END), 0)`

func scanCount(sc scanner) (TopicCount, error) {
	var c TopicCount
	err := sc.Scan(&c.Topic, &c.Total, &c.Late, &c.Adopted, &c.Partly, &c.NotAdopted)
	return c, err
}

func (t *sqlTx) OpinionCounts(consultation string, streets []string) ([]TopicCount, error) {
	return queryAll(t, scanCount, "SELECT topic, "+countCols+" FROM opinions WHERE "+inStreets+
		" AND consultation = ?2 GROUP BY topic ORDER BY topic", streetList(streets), consultation)
}

func (t *sqlTx) ConsultationCounts(streets []string) (map[string]TopicCount, error) {
	list, err := queryAll(t, scanCount, "SELECT consultation, "+countCols+" FROM opinions WHERE "+inStreets+
		" GROUP BY consultation", streetList(streets))
	if err != nil {
		return nil, err
	}
	out := make(map[string]TopicCount, len(list))
	for _, c := range list {
		out[c.Topic] = c
	}
	return out, nil
}

func (t *sqlTx) StreetKiosks(streets []string) ([]Kiosk, error) {
	return queryAll(t, scanKiosk, "SELECT "+kioskCols+" FROM kiosks WHERE "+inStreets+" ORDER BY id", streetList(streets))
}

func (t *sqlTx) SeeKiosk(id int64, s KioskSeen) error {
	var at any
	if s.At != nil {
		at = millis(*s.At)
	}
	var version any
	if s.Version != "" {
		version = s.Version
	}
	return t.exec(`UPDATE kiosks SET seen_at = coalesce(?, seen_at), app_version = coalesce(?, app_version),
		outbox = coalesce(?, outbox), dead_letters = coalesce(?, dead_letters), cursor = coalesce(?, cursor) WHERE id = ?`,
		at, version, s.Outbox, s.DeadLetters, s.Cursor, id)
}

func (t *sqlTx) PutBundle(b BundleRecord) error {
	return t.exec(`INSERT INTO street_bundles(street, from_seq, to_seq, changes, bytes, issued_at, expires_at, built_at)
		VALUES(?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(street) DO UPDATE SET from_seq = excluded.from_seq,
		to_seq = excluded.to_seq, changes = excluded.changes, bytes = excluded.bytes, issued_at = excluded.issued_at,
		expires_at = excluded.expires_at, built_at = excluded.built_at`,
		b.Street, b.From, b.To, b.Changes, b.Bytes, millis(b.IssuedAt), millis(b.ExpiresAt), millis(b.BuiltAt))
}

func (t *sqlTx) StreetBundles(streets []string) (map[string]BundleRecord, error) {
	list, err := queryAll(t, func(sc scanner) (BundleRecord, error) {
		var b BundleRecord
		var issued, expires, built int64
		err := sc.Scan(&b.Street, &b.From, &b.To, &b.Changes, &b.Bytes, &issued, &expires, &built)
		b.IssuedAt, b.ExpiresAt, b.BuiltAt = fromMillis(issued), fromMillis(expires), fromMillis(built)
		return b, err
	}, "SELECT street, from_seq, to_seq, changes, bytes, issued_at, expires_at, built_at FROM street_bundles WHERE "+inStreets,
		streetList(streets))
	if err != nil {
		return nil, err
	}
	out := make(map[string]BundleRecord, len(list))
	for _, b := range list {
		out[b.Street] = b
	}
	return out, nil
}
