package server

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/sync/wire"
)

// The fleet's gauges: kiosks by the age of their last recorded pull
// (SeeKiosk: at most one a minute, with the cursor the kiosk pulled from),
// the changes the slowest kiosk of a street has not pulled, and the case
// backlog with its overdue part.
func TestGauges(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	fleet := func() Gauges {
		t.Helper()
		f, err := e.p.Gauges(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	e.pullAll(e.tokA1, 0)
	page := e.pull(e.tokA2, 0, 3) // A2 stops after one page
	if !page.More {
		t.Fatal("the test content fits in one page of 3")
	}
	f := fleet()
	a, b := f.Streets[streetA], f.Streets[streetB]
	if a == nil || b == nil || a.Kiosks["5m"] != 2 || a.Kiosks["never"] != 0 || b.Kiosks["never"] != 1 {
		t.Fatalf("kiosks by age: A %+v, B %+v", a, b)
	}
	// Both kiosks' recorded pulls are their first, from cursor 0: the
	// pages after it, within the minute, are not recorded.
	want := e.query("SELECT count(*) FROM feed WHERE kiosk = 0 AND street IN ('', '" + streetA + "') AND seq > 0")
	if a.Lag != int64(want) || want == 0 {
		t.Fatalf("street A's lag %d, want the %d changes after the recorded cursor 0", a.Lag, want)
	}
	if b.Lag != 0 {
		t.Fatalf("street B has no kiosk that pulled, yet a lag of %d", b.Lag)
	}

	e.clock.Add(2 * time.Hour)
	e.push(e.tokA1, appeal(t, "fleet-1", streetA), appeal(t, "fleet-2", streetA))
	// A1's push is a sighting too; A2 was last seen two hours ago.
	if a := fleet().Streets[streetA]; a.Kiosks["5m"] != 1 || a.Kiosks["1d"] != 1 || a.Backlog != 2 || a.Overdue != 0 {
		t.Fatalf("two hours later, two appeals filed: %+v", a)
	}
	res := e.push(e.tokA1, application(t, "fleet-3", data.FormValues{"name": "李四", "id_number": testID}))
	ref := res.Results[0].Ref
	if _, err := e.p.MoveCase(ctx, CaseMove{Ref: ref, To: data.StatusCorrection, Reason: "缺少照片"}); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(60 * 24 * time.Hour)
	if a := fleet().Streets[streetA]; a.Kiosks["older"] != 2 || a.Backlog != 3 || a.Overdue != 2 {
		t.Fatalf("60 days later, one of three appeals waiting for a correction: %+v", a)
	}
	if _, err := e.p.MoveCase(ctx, CaseMove{Ref: ref, To: data.StatusReceived}); err != nil {
		t.Fatal(err)
	}
	if a := fleet().Streets[streetA]; a.Backlog != 3 || a.Overdue != 3 {
		t.Fatalf("the correction back, its deadline runs again: %+v", a)
	}
	if _, err := e.p.MoveCase(ctx, CaseMove{Ref: ref, To: data.StatusRefused, Reason: "不属于受理范围"}); err != nil {
		t.Fatal(err)
	}
	if a := fleet().Streets[streetA]; a.Backlog != 2 {
		t.Fatalf("a refused case is still in the backlog: %+v", a)
	}
	// A revoked kiosk is no longer counted.
	if err := e.p.RevokeKiosk(ctx, e.b1.ID); err != nil {
		t.Fatal(err)
	}
	if b := fleet().Streets[streetB]; b != nil && b.Kiosks["never"] != 0 {
		t.Fatalf("a revoked kiosk is counted: %+v", b)
	}
}

// Every pushed item's outcome reaches Options.OnPush, with its code.
func TestOnPush(t *testing.T) {
	e := newEnv(t)
	var got []string
	e.p.onPush = func(r wire.PushResult) { got = append(got, string(r.Outcome)+"/"+string(r.Code)) }
	bad := appeal(t, "onpush-2", streetA)
	bad.Body = []byte(strings.Replace(string(bad.Body), testID, "440106199001011234", 1))
	e.push(e.tokA1, appeal(t, "onpush-1", streetA), bad)
	e.push(e.tokA1, appeal(t, "onpush-1", streetA))
	if strings.Join(got, " ") != "accepted/ refused/applicant duplicate/" {
		t.Fatalf("outcomes seen: %q", got)
	}
}

// Ready fails while the database lacks a migration this binary has.
func TestReadyNeedsEveryMigration(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := e.p.Ready(ctx); err != nil {
		t.Fatalf("a fresh database is not ready: %v", err)
	}
	version, setVersion := "PRAGMA user_version", "PRAGMA user_version = "
	if _, ok := e.st.(*Postgres); ok {
		version, setVersion = "SELECT version FROM schema_version", "UPDATE schema_version SET version = "
	}
	have := e.query(version)
	set := func(v int) {
		err := e.st.Write(ctx, func(tx Tx) error { return tx.(*sqlTx).exec(setVersion + itoa(int64(v))) })
		if err != nil {
			t.Fatal(err)
		}
	}
	set(have - 1)
	defer set(have)
	if err := e.p.Ready(ctx); err == nil || !strings.Contains(err.Error(), "needs") {
		t.Fatalf("ready with a migration missing: %v", err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// BenchmarkGauges reads the fleet's gauges, what one metrics scrape asks
// of the store, on a city-sized district: 170 streets, 3,000 kiosks that
// all pulled (one per street 500 changes behind), 100,000 feed changes,
// 200,000 cases of which 20,000 are open (docs/PERFORMANCE.md).
func BenchmarkGauges(b *testing.B) {
	e := newEnv(b)
	quiet(e)
	ctx := context.Background()
	const streets, kiosks, changes, cases, open = 170, 3000, 100_000, 200_000, 20_000
	street := func(i int) string { return fmt.Sprintf("4401%05d", i%streets) }
	now := e.clock.Now()
	err := e.st.Write(ctx, func(tx Tx) error {
		t := tx.(*sqlTx)
		for i := range changes {
			if err := t.exec(`INSERT INTO feed(seq, kind, id, street, kiosk, op, version, body)
				VALUES(1000000 + ?1, 'notice', 'n' || ?1, ?2, 0, 'upsert', 1, '{}')`, i, street(i)); err != nil {
				return err
			}
		}
		if err := t.exec("UPDATE counters SET value = 1000000 + ? WHERE name = 'seq'", changes); err != nil {
			return err
		}
		for i := range kiosks {
			id := int64(100 + i)
			if err := t.exec(`INSERT INTO kiosks(id, street, name, token_hash, created_at) VALUES(?, ?, 'k', ?, 0)`,
				id, street(i), fmt.Sprintf("h%d", i)); err != nil {
				return err
			}
			cursor := int64(1000000 + changes)
			if i < streets {
				cursor -= 500 * streets
			}
			at := now.Add(-time.Duration(i) * time.Minute)
			if err := t.SeeKiosk(id, KioskSeen{At: &at, Cursor: &cursor}); err != nil {
				return err
			}
		}
		for i := range cases {
			status := data.StatusCompleted
			if i < open {
				status = data.StatusAccepted
			}
			doc := fmt.Sprintf(`{"deadline":"2026-%02d-15"}`, 1+i%12)
			if err := t.exec(`INSERT INTO cases(id, ref, kind, street, kiosk, status, received_at, version, doc)
				VALUES(?1, ?1, 'appeal', ?2, 0, ?3, 0, 1, ?4)`, fmt.Sprintf("c%d", i), street(i), string(status), doc); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var f Gauges
	for b.Loop() {
		if f, err = e.p.Gauges(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	s := f.Streets[street(0)]
	if len(f.Streets) < streets || s.Lag == 0 || s.Backlog == 0 || s.Overdue == 0 {
		b.Fatalf("fleet: %d streets, street 0: %+v", len(f.Streets), s)
	}
}
