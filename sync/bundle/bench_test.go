package bundle

import (
	"bytes"
	"crypto/ed25519"
	"testing"
	"time"

	"jiezhen/data/synth"
)

// BenchmarkRead verifies and decodes a 100,000-change snapshot: the part
// of BenchmarkBundleImport (cmd/kiosk) before the store's apply.
func BenchmarkRead(b *testing.B) {
	changes := synth.Changes(100000, 1)
	files, err := ChangeFiles(changes)
	if err != nil {
		b.Fatal(err)
	}
	pub, priv := testKey(1)
	m := Manifest{District: "D1", Scope: "S1", To: changes[len(changes)-1].Seq, Changes: len(changes), IssuedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	var buf bytes.Buffer
	if err := Write(&buf, m, files, priv); err != nil {
		b.Fatal(err)
	}
	c := Check{Keys: Keys{Trusted: []ed25519.PublicKey{pub}}, Scope: "S1", Now: t0}
	b.SetBytes(int64(buf.Len()))
	for b.Loop() {
		res, err := Read(bytes.NewReader(buf.Bytes()), c)
		if err != nil || len(res.Changes) != len(changes) {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(changes))*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
