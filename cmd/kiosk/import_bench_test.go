package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"path/filepath"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/data/store"
	"jiezhen/data/synth"
	"jiezhen/sync/bundle"
	"jiezhen/sync/client"
)

// BenchmarkBundleImport verifies and applies a 100,000-change snapshot
// (synth.Changes(100000, 1)) on a fresh kiosk, until committed with the
// cursor, through client.ImportBundle as `kiosk import` runs it. The search index
// is left to catch up afterwards, as after a pull. Compare with the
// store's BenchmarkBulkInsertRaw on the same rows in the same run.
func BenchmarkBundleImport(b *testing.B) {
	changes := synth.Changes(100000, 1)
	pub, priv, err := bundle.GenerateKey()
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	buf := bytes.NewBuffer(snapshotBundle(b, changes, priv, now))
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		s, err := store.OpenWith(ctx, filepath.Join(b.TempDir(), "kiosk.db"), store.Options{NoIndexer: true})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := client.ImportBundle(ctx, s, bytes.NewReader(buf.Bytes()), client.ImportOptions{Trust: pub, Now: now})
		if err != nil || res.Upserted != len(changes) {
			b.Fatalf("%v, %+v", err, res)
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(len(changes))*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(buf.Len()), "bundle-bytes")
}

// snapshotBundle is a bundle of changes from 0 for street 440106005,
// issued at now and valid for an hour, signed with priv.
func snapshotBundle(tb testing.TB, changes []data.Change, priv ed25519.PrivateKey, now time.Time) []byte {
	tb.Helper()
	files, err := bundle.ChangeFiles(changes)
	if err != nil {
		tb.Fatal(err)
	}
	m := bundle.Manifest{District: "天河区", Scope: "440106005", From: 0, To: changes[len(changes)-1].Seq,
		Changes: len(changes), IssuedAt: now, ExpiresAt: now.Add(time.Hour)}
	var buf bytes.Buffer
	if err := bundle.Write(&buf, m, files, priv); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}
