package server

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/data/report"
	"jiezhen/internal/pgtest"
	"jiezhen/sync/wire"
)

// reportDistrict is a district platform on the database db names (a
// SQLite file or a PostgreSQL URL), for the report tests.
func reportDistrict(t testing.TB, db string, clock *fakeClock) (Store, *Platform) {
	t.Helper()
	st, err := OpenStore(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, New(st, Options{Now: clock.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
}

func factsOf(t testing.TB, st Store, q FactsQuery) []report.Facts {
	t.Helper()
	var fs []report.Facts
	err := st.Read(context.Background(), func(tx ReadTx) (err error) {
		fs, err = tx.CaseFacts(q)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// A case's report facts are written with the case, and a database whose
// cases have none (stored before the table) derives them when it opens.
func TestCaseFactsKeptWithCase(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "district.db")
	if pgtest.Enabled() {
		path = pgURL(t)
	}
	clock := &fakeClock{t: time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)}
	st, p := reportDistrict(t, path, clock)
	f, err := os.Open("testdata/content.json")
	if err != nil {
		t.Fatal(err)
	}
	set, err := data.ReadContentSet(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Publish(ctx, set); err != nil {
		t.Fatal(err)
	}
	k, _, err := p.AddKiosk(ctx, streetA, "A1")
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.Push(ctx, k, &wire.PushRequest{Items: []wire.PushItem{appeal(t, "ap1", streetA)}})
	if err != nil || res.Results[0].Ref == "" {
		t.Fatalf("push: %+v %v", res, err)
	}
	clock.Add(time.Hour)
	if _, err := p.MoveCase(ctx, CaseMove{Ref: res.Results[0].Ref, To: data.StatusReplied, Reason: "已处理"}); err != nil {
		t.Fatal(err)
	}
	q := FactsQuery{Street: streetA, Period: report.MonthPeriod(2026, time.November)}
	fs := factsOf(t, st, q)
	if len(fs) != 1 || fs[0].Case != "ap1" || fs[0].Outcome != report.OutcomeAnswered || fs[0].Type != "complaint" ||
		fs[0].Received != report.DayOf(clock.Now()) || fs[0].Answered != fs[0].Received {
		t.Fatalf("facts %+v", fs)
	}
	// As a database from before the table: cases without facts, which
	// the migration marks.
	err = st.Write(ctx, func(tx Tx) error {
		if err := tx.(*sqlTx).exec("DELETE FROM case_facts"); err != nil {
			return err
		}
		return tx.(*sqlTx).exec("INSERT INTO settings(name, value) VALUES('report_facts_backfill', '1')")
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := factsOf(t, st, q); len(got) != 0 {
		t.Fatalf("facts left: %+v", got)
	}
	st.Close()
	st2, _ := reportDistrict(t, path, clock)
	if got := factsOf(t, st2, q); len(got) != 1 || got[0] != fs[0] {
		t.Fatalf("derived again: %+v, want %+v", got, fs)
	}
}
