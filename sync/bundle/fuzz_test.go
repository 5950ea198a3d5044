package bundle

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"reflect"
	"testing"
	"time"

	"jiezhen/data"
)

// FuzzRead feeds the reader arbitrary files under a fixed trusted key.
// Whatever it accepts must satisfy what the manifest promised; nothing
// may panic, hang or allocate past the limits. The seed corpus is in
// testdata/fuzz/FuzzRead plus the bundles added here.
func FuzzRead(f *testing.F) {
	pub, priv := testKey(1)
	_, nwPriv := testKey(2)
	nw, _ := testKey(2)
	f.Add(build(f, testManifest(0, 3), priv))
	f.Add(build(f, testManifest(2, 5), priv, File{Path: "files/a.pdf", Data: []byte("%PDF")}))
	m := testManifest(0, 2)
	st, err := SignStatement(KeyChange{Op: OpTrust, Key: nw, IssuedAt: t0}, priv)
	if err != nil {
		f.Fatal(err)
	}
	m.Statements = []*Statement{st}
	f.Add(build(f, m, nwPriv))
	big := build(f, testManifest(0, 1), priv)
	binary.BigEndian.PutUint32(big[106:], MaxManifest+1)
	f.Add(big)
	f.Fuzz(func(t *testing.T, b []byte) {
		c := Check{Keys: Keys{Trusted: []ed25519.PublicKey{pub}}, Scope: "S1", Cursor: 2, Now: t0.Add(time.Hour)}
		res, err := Read(bytes.NewReader(b), c)
		// Reading entry by entry (as an import streams them) accepts and
		// refuses exactly what Read does, with the same changes in order.
		var streamed []data.Change
		rd, serr := Open(bytes.NewReader(b), c)
		if serr == nil && !rd.Result().Covered {
			serr = rd.Entries(func(cs []data.Change) error {
				streamed = append(streamed, cs...)
				return nil
			})
		}
		if (err == nil) != (serr == nil) || (err != nil && err.Error() != serr.Error()) {
			t.Fatalf("Read: %v; Open and Entries: %v", err, serr)
		}
		if err != nil {
			return
		}
		if !res.Covered && !reflect.DeepEqual(streamed, res.Changes) {
			t.Fatalf("streamed %d changes, Read %d, or different ones", len(streamed), len(res.Changes))
		}
		m := res.Manifest
		if m.Scope != "S1" || m.From > 2 || m.To <= m.From {
			t.Fatalf("accepted a manifest outside the check: %+v", m)
		}
		if res.Covered {
			if res.Changes != nil {
				t.Fatal("a covered bundle with changes")
			}
			return
		}
		if len(res.Changes) != m.Changes {
			t.Fatalf("%d changes, manifest says %d", len(res.Changes), m.Changes)
		}
		last := m.From
		for _, ch := range res.Changes {
			if ch.Seq <= last || ch.Seq > m.To || !ch.Kind.Valid() {
				t.Fatalf("accepted change %+v in %d..%d", ch, m.From, m.To)
			}
			last = ch.Seq
		}
	})
}

// FuzzManifest feeds the manifest parser arbitrary JSON.
func FuzzManifest(f *testing.F) {
	_, priv := testKey(1)
	b := build(f, testManifest(0, 3), priv)
	n := binary.BigEndian.Uint32(b[106:])
	f.Add(b[headerSize : headerSize+int(n)])
	f.Add([]byte(`{"schema":1,"scope":"S1","from":0,"to":1,"issued_at":"2026-01-01T00:00:00Z","expires_at":"2026-02-01T00:00:00Z","changes":0,"entries":[{"path":"../x","length":1,"sha256":""}]}`))
	f.Add([]byte(`{"schema":2}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := parseManifest(body)
		if err != nil {
			return
		}
		if m.Schema != Schema || m.To <= m.From || len(m.Entries) > MaxEntries {
			t.Fatalf("accepted %+v", m)
		}
		for _, e := range m.Entries {
			if checkPath(e.Path) != nil || e.Length > MaxEntry {
				t.Fatalf("accepted entry %+v", e)
			}
		}
	})
}
