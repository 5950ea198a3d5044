package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"jiezhen/data"
)

// TestMigrateHoursByWeek: a version-2 database with hours per provider
// becomes one with hours by week whose keys are those Apply writes, and
// "open at" answers the same.
func TestMigrateHoursByWeek(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v2.db")
	migs, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range migs[:2] {
		if _, err := db.Exec(m.sql); err != nil {
			t.Fatal(err)
		}
	}
	var office, night data.WeekHours
	for d := time.Monday; d <= time.Friday; d++ {
		office[d] = []data.Span{{Start: 540, End: 720}, {Start: 840, End: 1050}}
	}
	night[time.Saturday] = []data.Span{{Start: 1320, End: 120}}
	night[time.Sunday] = []data.Span{{Start: 0, End: 60}} // same start as Saturday's tail: the later end wins
	provs := map[string]data.WeekHours{"p1": office, "p2": office, "p3": night, "p4": {}}
	for id, h := range provs {
		if _, err := db.Exec("INSERT INTO provider(id, version, name, doc) VALUES(?, 1, ?, '{}')", id, id); err != nil {
			t.Fatal(err)
		}
		rows, err := hourRows(h)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if _, err := db.Exec("INSERT INTO provider_hours VALUES(?, ?, ?, ?)", id, r.weekday, r.start, r.end); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := db.Exec("PRAGMA user_version = 2"); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s, err := OpenWith(ctx, path, Options{NoIndexer: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for id, h := range provs {
		rows, _ := hourRows(h)
		var got sql.NullString
		if err := s.r.QueryRow("SELECT hours FROM provider WHERE id = ?", id).Scan(&got); err != nil {
			t.Fatal(err)
		}
		want, _ := hoursKey(rows).(string)
		if got.String != want || got.Valid != (want != "") {
			t.Errorf("%s: key %q after migration, Apply writes %q", id, got.String, want)
		}
	}
	var weeks, spans int
	s.r.QueryRow("SELECT count(DISTINCT hours), count(*) FROM hours_spans").Scan(&weeks, &spans)
	if weeks != 2 || spans != 10+2 {
		t.Errorf("%d weeks, %d rows; want 2 and 12", weeks, spans)
	}
	loc := time.FixedZone("CST", 8*3600)
	for when, want := range map[string]string{
		"2026-03-02 09:00": "p1 p2", // Monday
		"2026-03-08 00:30": "p3",    // Sunday after midnight
		"2026-03-08 01:30": "p3",
		"2026-03-08 02:00": "",
	} {
		tm, _ := time.ParseInLocation("2006-01-02 15:04", when, loc)
		rows, _, err := s.ListProviders(ctx, ProviderFilter{OpenAt: tm}, Page{})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, r := range rows {
			ids = append(ids, r.ID)
		}
		if got := strings.Join(ids, " "); got != want {
			t.Errorf("open at %s: %q, want %q", when, got, want)
		}
	}
}

// TestOpenAtIsIndexed: "open now" reads the rows open at the moment and
// their providers through indexes, never scanning either table.
func TestOpenAtIsIndexed(t *testing.T) {
	s, _ := openTest(t, Options{NoIndexer: true})
	q := `EXPLAIN QUERY PLAN SELECT id FROM provider WHERE hours IN (SELECT hours FROM hours_spans
		WHERE weekday = ? AND start_min <= ? AND end_min > ?) ORDER BY name, id`
	rows, err := s.r.Query(q, 1, 600, 600)
	if err != nil {
		t.Fatal(err)
	}
	var plan []string
	err = scanRows(rows, func(rows *sql.Rows) error {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return err
		}
		plan = append(plan, detail)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(plan, "\n")
	t.Log(all)
	if !strings.Contains(all, "hours_spans_open") || !strings.Contains(all, "provider_by_hours") {
		t.Errorf("open-at plan does not use both indexes:\n%s", all)
	}
	for _, l := range plan {
		if strings.HasPrefix(l, "SCAN ") && !strings.Contains(l, "INDEX") {
			t.Errorf("open-at plan scans a table:\n%s", all)
		}
	}
}
