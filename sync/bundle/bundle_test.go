package bundle

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/data/synth"
)

// t0 is the district's clock when the test bundles are issued.
var t0 = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

// testKey returns a fixed key, so that the fuzz corpus stays valid.
func testKey(n byte) (ed25519.PublicKey, ed25519.PrivateKey) {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{n}, ed25519.SeedSize))
	return priv.Public().(ed25519.PublicKey), priv
}

func testChanges(from, to int64) []data.Change {
	var out []data.Change
	for seq := from + 1; seq <= to; seq++ {
		body, _ := json.Marshal(map[string]any{"id": fmt.Sprintf("n%d", seq), "title": "通知 " + fmt.Sprint(seq), "street": "S1"})
		out = append(out, data.Change{Seq: seq, Kind: data.KindNotice, ID: fmt.Sprintf("n%d", seq), Op: data.OpUpsert, Version: 1, Body: body})
	}
	return out
}

func testManifest(from, to int64) Manifest {
	return Manifest{District: "D1", Scope: "S1", From: from, To: to, IssuedAt: t0, ExpiresAt: t0.Add(7 * 24 * time.Hour)}
}

// build writes a bundle of the changes from..to signed by priv.
func build(t testing.TB, m Manifest, priv ed25519.PrivateKey, extra ...File) []byte {
	t.Helper()
	changes := testChanges(m.From, m.To)
	files, err := ChangeFiles(changes)
	if err != nil {
		t.Fatal(err)
	}
	m.Changes = len(changes)
	var buf bytes.Buffer
	if err := Write(&buf, m, append(files, extra...), priv); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// raw writes a bundle as Write would, but with a manifest and files that
// Write would refuse: what a forger can produce with a trusted key.
func raw(t testing.TB, m Manifest, files []File, priv ed25519.PrivateKey, fix func(*Manifest)) []byte {
	t.Helper()
	m.Schema = Schema
	m.Entries = nil
	for _, f := range files {
		sum := sha256.Sum256(f.Data)
		m.Entries = append(m.Entries, Entry{Path: f.Path, Length: int64(len(f.Data)), SHA256: hex.EncodeToString(sum[:])})
	}
	if fix != nil {
		fix(&m)
	}
	body, err := json.Marshal(&m)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := encode(&buf, body, files, priv); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func check(pub ed25519.PublicKey) Check {
	return Check{Keys: Keys{Trusted: []ed25519.PublicKey{pub}}, Scope: "S1", District: "D1", Now: t0.Add(time.Hour)}
}

func mustRefuse(t *testing.T, b []byte, c Check, want error, words string) {
	t.Helper()
	res, err := Read(bytes.NewReader(b), c)
	if err == nil {
		t.Fatalf("accepted (covered=%v, %d changes); want %v", res.Covered, len(res.Changes), want)
	}
	if !errors.Is(err, want) {
		t.Fatalf("error %q does not wrap %v", err, want)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error is not one line: %q", err)
	}
	if words != "" && !strings.Contains(err.Error(), words) {
		t.Errorf("error %q does not say %q", err, words)
	}
}

func TestReadAcceptsWhatWriteWrote(t *testing.T) {
	pub, priv := testKey(1)
	b := build(t, testManifest(0, 5000), priv, File{Path: "files/forms/申请表.pdf", Data: []byte("%PDF-1.4 form")})
	var got []File
	c := check(pub)
	c.OnFile = func(f File) error { got = append(got, f); return nil }
	res, err := Read(bytes.NewReader(b), c)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Snapshot || res.Covered || len(res.Changes) != 5000 || res.Changes[4999].Seq != 5000 {
		t.Fatalf("snapshot=%v covered=%v changes=%d", res.Snapshot, res.Covered, len(res.Changes))
	}
	if len(res.Manifest.Entries) != 4 { // 3 change entries of up to 2000, one file
		t.Errorf("%d entries", len(res.Manifest.Entries))
	}
	if len(got) != 1 || string(got[0].Data) != "%PDF-1.4 form" {
		t.Errorf("attachments: %+v", got)
	}
	if !bytes.Equal(res.Signer, pub) {
		t.Error("signer not reported")
	}
}

func TestFlippedByteAnywhereIsRefused(t *testing.T) {
	pub, priv := testKey(1)
	b := build(t, testManifest(0, 3), priv)
	for i := range b {
		bad := bytes.Clone(b)
		bad[i] ^= 0x01
		if _, err := Read(bytes.NewReader(bad), check(pub)); err == nil {
			t.Fatalf("a flipped bit in byte %d of %d was accepted", i, len(b))
		}
	}
}

func TestTruncatedFileIsRefused(t *testing.T) {
	pub, priv := testKey(1)
	b := build(t, testManifest(0, 3), priv)
	for n := range len(b) {
		if _, err := Read(bytes.NewReader(b[:n]), check(pub)); err == nil {
			t.Fatalf("the first %d of %d bytes were accepted", n, len(b))
		}
	}
}

func TestForgedSignature(t *testing.T) {
	pub, priv := testKey(1)
	b := build(t, testManifest(0, 3), priv)
	// Another manifest under the trusted key's name: the signature of the
	// original no longer matches.
	m := testManifest(0, 3)
	m.Scope = "S1"
	m.ExpiresAt = t0.Add(365 * 24 * time.Hour)
	forged := build(t, m, priv)
	copy(forged[42:106], b[42:106])
	mustRefuse(t, forged, check(pub), ErrSignature, "signature")
	// A bundle with no signature at all.
	zero := bytes.Clone(b)
	clear(zero[42:106])
	mustRefuse(t, zero, check(pub), ErrSignature, "")
}

func TestUnknownKey(t *testing.T) {
	pub, _ := testKey(1)
	_, other := testKey(2)
	mustRefuse(t, build(t, testManifest(0, 3), other), check(pub), ErrUntrusted, "does not trust")
	// No key at all.
	mustRefuse(t, build(t, testManifest(0, 3), other), Check{Scope: "S1", Now: t0}, ErrUntrusted, "")
}

func TestWrongScope(t *testing.T) {
	pub, priv := testKey(1)
	m := testManifest(0, 3)
	m.Scope = "S2"
	mustRefuse(t, build(t, m, priv), check(pub), ErrScope, "street S2")
	m = testManifest(0, 3)
	m.District = "D9"
	mustRefuse(t, build(t, m, priv), check(pub), ErrScope, "district D9")
}

func TestGapSaysWhatIsNeeded(t *testing.T) {
	pub, priv := testKey(1)
	c := check(pub)
	c.Cursor = 40
	mustRefuse(t, build(t, testManifest(50, 60), priv), c, ErrGap, "needs a bundle from 40 or earlier")
}

func TestAlreadyAppliedIsANoOp(t *testing.T) {
	pub, priv := testKey(1)
	for _, cursor := range []int64{60, 75} {
		c := check(pub)
		c.Cursor = cursor
		res, err := Read(bytes.NewReader(build(t, testManifest(50, 60), priv)), c)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Covered || res.Changes != nil {
			t.Errorf("cursor %d: covered=%v changes=%d", cursor, res.Covered, len(res.Changes))
		}
	}
	// Within the range it applies, overlapping what the kiosk has.
	c := check(pub)
	c.Cursor = 55
	res, err := Read(bytes.NewReader(build(t, testManifest(50, 60), priv)), c)
	if err != nil || res.Covered || len(res.Changes) != 10 {
		t.Fatalf("overlap: %v, %+v", err, res)
	}
}

func TestExpired(t *testing.T) {
	pub, priv := testKey(1)
	c := check(pub)
	c.Now = t0.Add(8 * 24 * time.Hour)
	mustRefuse(t, build(t, testManifest(0, 3), priv), c, ErrExpired, "expired at 2026-11-27")
}

// TestFreeze: the kiosk's clock is set back, so by the clock an old
// bundle is still valid; the newest issued-at the kiosk has seen is past
// its expiry, and that decides.
func TestFreeze(t *testing.T) {
	pub, priv := testKey(1)
	c := check(pub)
	c.Now = t0.Add(time.Hour)
	c.NewestSeen = t0.Add(30 * 24 * time.Hour)
	mustRefuse(t, build(t, testManifest(0, 3), priv), c, ErrExpired, "")
}

func TestRollback(t *testing.T) {
	pub, priv := testKey(1)
	c := check(pub)
	c.NewestSeen = t0.Add(24 * time.Hour) // a newer bundle was imported, the cursor was reset since
	mustRefuse(t, build(t, testManifest(0, 3), priv), c, ErrRollback, "before the newest one imported")
}

func TestTamperedEntry(t *testing.T) {
	pub, priv := testKey(1)
	b := build(t, testManifest(0, 3), priv)
	i := bytes.LastIndex(b, []byte("通知"))
	bad := bytes.Clone(b)
	copy(bad[i:], "公告")
	mustRefuse(t, bad, check(pub), ErrEntry, "SHA-256")
}

func TestEntryLongerThanDeclared(t *testing.T) {
	pub, priv := testKey(1)
	b := build(t, testManifest(0, 3), priv)
	// The entry header claims one byte more than the manifest.
	i := bytes.Index(b[headerSize:], []byte("changes/000001.jsonl\x00")) + headerSize + len("changes/000001.jsonl")
	bad := bytes.Clone(b)
	binary.BigEndian.PutUint64(bad[i:], binary.BigEndian.Uint64(b[i:])+1)
	mustRefuse(t, bad, check(pub), ErrEntry, "longer than")
}

// endless yields the same byte forever.
type endless byte

func (e endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(e)
	}
	return len(p), nil
}

func TestOversizedEntryAllocatesNothing(t *testing.T) {
	pub, priv := testKey(1)
	for _, claim := range []int64{MaxEntry + 1, 10 << 30} {
		files := []File{{Path: "changes/000001.jsonl", Data: nil}}
		b := raw(t, testManifest(0, 3), files, priv, func(m *Manifest) { m.Entries[0].Length = claim })
		r := io.MultiReader(bytes.NewReader(b), endless('x'))
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := Read(r, check(pub))
		runtime.ReadMemStats(&after)
		if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), fmt.Sprintf("claims %d bytes", claim)) {
			t.Fatalf("claim %d: err = %v, want ErrTooLarge", claim, err)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 4<<20 {
			t.Errorf("allocated %d bytes for a claim of %d", n, claim)
		}
	}
}

func TestEndlessDataAfterTheLastEntry(t *testing.T) {
	pub, priv := testKey(1)
	b := build(t, testManifest(0, 3), priv)
	done := make(chan error, 1)
	go func() {
		_, err := Read(io.MultiReader(bytes.NewReader(b), endless(0)), check(pub))
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ErrEntry) {
			t.Fatalf("err = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Read did not stop at the end of the bundle")
	}
}

func TestTrailingBytes(t *testing.T) {
	pub, priv := testKey(1)
	b := append(build(t, testManifest(0, 3), priv), 'x')
	mustRefuse(t, b, check(pub), ErrEntry, "follows the last entry")
}

func TestMissingEntry(t *testing.T) {
	pub, priv := testKey(1)
	files, _ := ChangeFiles(testChanges(0, 3))
	extra := File{Path: "files/a.pdf", Data: []byte("pdf")}
	full := raw(t, Manifest{District: "D1", Scope: "S1", From: 0, To: 3, Changes: 3, IssuedAt: t0, ExpiresAt: t0.Add(time.Hour * 48)},
		append(files, extra), priv, nil)
	// Cut the file where the last entry starts.
	cut := full[:len(full)-(2+len(extra.Path)+8+len(extra.Data))]
	mustRefuse(t, cut, check(pub), ErrEntry, `"files/a.pdf" is listed but missing`)
}

func TestUnlistedEntry(t *testing.T) {
	pub, priv := testKey(1)
	b := build(t, testManifest(0, 3), priv)
	var eh []byte
	eh = binary.BigEndian.AppendUint16(eh, uint16(len("files/extra.sh")))
	eh = append(eh, "files/extra.sh"...)
	eh = binary.BigEndian.AppendUint64(eh, 2)
	eh = append(eh, "hi"...)
	mustRefuse(t, append(bytes.Clone(b), eh...), check(pub), ErrEntry, `"files/extra.sh" is not listed`)

	// In place of a listed one.
	m := testManifest(0, 3)
	files, _ := ChangeFiles(testChanges(0, 3))
	swapped := raw(t, m, files, priv, func(m *Manifest) { m.Changes = 3; m.Entries[0].Path = "changes/000009.jsonl" })
	mustRefuse(t, swapped, check(pub), ErrEntry, "is not listed")
}

func TestDuplicateEntry(t *testing.T) {
	pub, priv := testKey(1)
	files, _ := ChangeFiles(testChanges(0, 3))
	b := raw(t, testManifest(0, 3), append(files, files[0]), priv, func(m *Manifest) { m.Changes = 3 })
	mustRefuse(t, b, check(pub), ErrEntry, "twice")
}

func TestPathEscape(t *testing.T) {
	pub, priv := testKey(1)
	for p, why := range map[string]string{
		"../etc/passwd": "escapes", "changes/../../x.jsonl": "escapes", "files/a/../b": "escapes",
		"/etc/passwd": "absolute", `files\..\x`: "backslash", "C:/x": "colon",
		"files/./x": "not a clean path", "files/": "not a clean path", "other/x": "neither under", "files/a\x00": "control",
	} {
		t.Run(p, func(t *testing.T) {
			files, _ := ChangeFiles(testChanges(0, 3))
			b := raw(t, testManifest(0, 3), append(files, File{Path: p, Data: []byte("x")}), priv, func(m *Manifest) { m.Changes = 3 })
			mustRefuse(t, b, check(pub), ErrEntry, why)
			if err := Write(io.Discard, testManifest(0, 3), []File{{Path: p}}, priv); err == nil {
				t.Error("Write wrote it")
			}
		})
	}
	// The entry's own header escaping while the manifest is clean.
	b := build(t, testManifest(0, 3), priv)
	i := bytes.Index(b[headerSize:], []byte("changes/000001.jsonl\x00")) + headerSize
	bad := bytes.Clone(b)
	copy(bad[i:], "../../../000001.jsonl")
	mustRefuse(t, bad, check(pub), ErrEntry, "escapes")
}

func TestManifestOverTheCap(t *testing.T) {
	pub, priv := testKey(1)
	b := build(t, testManifest(0, 3), priv)
	bad := bytes.Clone(b[:headerSize])
	binary.BigEndian.PutUint32(bad[106:], MaxManifest+1)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Read(io.MultiReader(bytes.NewReader(bad), endless('{')), check(pub))
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v", err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
		t.Errorf("allocated %d bytes", n)
	}
	// Too many entries, or too many bytes in all.
	many := raw(t, testManifest(0, 3), nil, priv, func(m *Manifest) {
		for i := range MaxTotal/MaxEntry + 1 {
			m.Entries = append(m.Entries, Entry{Path: fmt.Sprintf("files/%d", i), Length: MaxEntry, SHA256: strings.Repeat("0", 64)})
		}
	})
	mustRefuse(t, many, check(pub), ErrTooLarge, "in all")
}

func TestSchemaNotUnderstood(t *testing.T) {
	pub, priv := testKey(1)
	files, _ := ChangeFiles(testChanges(0, 3))
	b := raw(t, testManifest(0, 3), files, priv, func(m *Manifest) { m.Changes = 3; m.Schema = 2 })
	mustRefuse(t, b, check(pub), ErrSchema, "schema version 2")
	b = build(t, testManifest(0, 3), priv)
	binary.BigEndian.PutUint16(b[8:], 2)
	mustRefuse(t, b, check(pub), ErrSchema, "layout version 2")
}

func TestChangesMustFitTheManifest(t *testing.T) {
	pub, priv := testKey(1)
	files, _ := ChangeFiles(testChanges(0, 5))
	// Changes beyond To, and a count that does not match.
	mustRefuse(t, raw(t, testManifest(0, 3), files, priv, func(m *Manifest) { m.Changes = 5 }), check(pub), ErrEntry, "outside")
	mustRefuse(t, raw(t, testManifest(0, 5), files, priv, func(m *Manifest) { m.Changes = 4 }), check(pub), ErrEntry, "more changes")
	mustRefuse(t, raw(t, testManifest(0, 5), files, priv, func(m *Manifest) { m.Changes = 6 }), check(pub), ErrEntry, "hold 5 changes, the manifest says 6")
	cases := []File{{Path: "changes/000001.jsonl", Data: []byte(`{"seq":1,"kind":"case","id":"c1","op":"upsert","version":1,"body":{}}` + "\n")}}
	mustRefuse(t, raw(t, testManifest(0, 3), cases, priv, func(m *Manifest) { m.Changes = 1 }), check(pub), ErrEntry, "not a content kind")
}

func rotation(t *testing.T, op string, key ed25519.PublicKey, signer ed25519.PrivateKey) *Statement {
	t.Helper()
	st, err := SignStatement(KeyChange{Op: op, Key: key, IssuedAt: t0}, signer)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestKeyRotationSignedByATrustedKey(t *testing.T) {
	old, oldPriv := testKey(1)
	nw, nwPriv := testKey(2)
	m := testManifest(0, 3)
	m.Statements = []*Statement{rotation(t, OpTrust, nw, oldPriv)}
	res, err := Read(bytes.NewReader(build(t, m, nwPriv)), check(old))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.KeyChanges) != 1 || res.KeyChanges[0].Op != OpTrust || !bytes.Equal(res.KeyChanges[0].Key, nw) || !bytes.Equal(res.KeyChanges[0].SignedBy, old) {
		t.Fatalf("key changes: %+v", res.KeyChanges)
	}
	// The same statement, as a file, round-trips.
	js, _ := json.Marshal(m.Statements[0])
	if _, err := ReadStatement(js); err != nil {
		t.Fatal(err)
	}
}

func TestKeyRotationSignedByAnUntrustedKey(t *testing.T) {
	old, _ := testKey(1)
	nw, nwPriv := testKey(2)
	m := testManifest(0, 3)
	m.Statements = []*Statement{rotation(t, OpTrust, nw, nwPriv)} // vouches for itself
	mustRefuse(t, build(t, m, nwPriv), check(old), ErrUntrusted, "key statement 1")
	// A statement whose payload was changed after signing.
	_, oldPriv := testKey(1)
	st := rotation(t, OpTrust, nw, oldPriv)
	other, _ := testKey(3)
	st.Payload = bytes.Replace(st.Payload, []byte(EncodeKey(nw)), []byte(EncodeKey(other)), 1)
	m.Statements = []*Statement{st}
	files, _ := ChangeFiles(testChanges(0, 3))
	b := raw(t, m, files, nwPriv, func(m *Manifest) { m.Changes = 3 })
	mustRefuse(t, b, check(old), ErrSignature, "key statement")
}

func TestRevokedKey(t *testing.T) {
	k1, k1Priv := testKey(1)
	k2, k2Priv := testKey(2)
	// Revoked by an earlier import: refused even while also listed as trusted.
	c := Check{Keys: Keys{Trusted: []ed25519.PublicKey{k1, k2}, Revoked: []ed25519.PublicKey{k1}}, Scope: "S1", Now: t0}
	mustRefuse(t, build(t, testManifest(0, 3), k1Priv), c, ErrRevoked, "revoked")

	// Revoked in this bundle by the other key.
	c = Check{Keys: Keys{Trusted: []ed25519.PublicKey{k1, k2}}, Scope: "S1", Now: t0}
	m := testManifest(0, 3)
	m.Statements = []*Statement{rotation(t, OpRevoke, k1, k2Priv)}
	res, err := Read(bytes.NewReader(build(t, m, k2Priv)), c)
	if err != nil || len(res.KeyChanges) != 1 || res.KeyChanges[0].Op != OpRevoke {
		t.Fatalf("revocation not accepted: %v %+v", err, res)
	}
	// A bundle signed by the key it revokes is refused.
	mustRefuse(t, build(t, m, k1Priv), c, ErrRevoked, "")
	// A revoked key cannot be trusted again.
	c.Keys.Revoked = []ed25519.PublicKey{k1}
	m.Statements = []*Statement{rotation(t, OpTrust, k1, k2Priv)}
	mustRefuse(t, build(t, m, k2Priv), c, ErrRevoked, "")
}

func TestKeyFiles(t *testing.T) {
	pub, priv, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParsePrivateKey(MarshalPrivateKey(priv))
	if err != nil || !back.Equal(priv) {
		t.Fatalf("private key: %v", err)
	}
	p, err := ParseKey(" " + EncodeKey(pub) + "\n")
	if err != nil || !p.Equal(pub) {
		t.Fatalf("public key: %v", err)
	}
	if _, err := ParseKey("abc"); err == nil {
		t.Error("parsed a bad key")
	}
	if _, err := ParsePrivateKey([]byte(EncodeKey(pub))); err == nil {
		t.Error("took a public key for a private one")
	}
}

// TestChangeSchema: change lines are read by fastjson (reading a bundle
// is about twice as fast with it), into what encoding/json gives.
func TestChangeSchema(t *testing.T) {
	if changeSchema == nil {
		t.Fatal("data.Change has no fastjson schema")
	}
	for _, c := range synth.Changes(200, 3) {
		line, _ := json.Marshal(c)
		var fast, want data.Change
		if !changeSchema.Decode(line, &fast) {
			t.Fatalf("%s: not read by fastjson", line)
		}
		json.Unmarshal(line, &want)
		if !reflect.DeepEqual(fast, want) {
			t.Fatalf("%s: fastjson gives %+v", line, fast)
		}
	}
}
