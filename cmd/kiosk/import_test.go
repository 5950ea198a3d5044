package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"jiezhen/cmd/internal/demo"
	"jiezhen/data"
	"jiezhen/data/store"
	"jiezhen/data/synth"
	"jiezhen/sync/bundle"
)

// demoFeed is the demo street's scope as a district feed would number it.
func demoFeed(t *testing.T) []data.Change {
	t.Helper()
	set, err := demo.Content(data.DateOf(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	changes, err := set.Scope(demo.Street).Changes()
	if err != nil {
		t.Fatal(err)
	}
	for i := range changes {
		changes[i].Seq = int64(i + 1)
	}
	return changes
}

type bundleSpec struct {
	scope      string
	from, to   int64
	issued     time.Time
	valid      time.Duration
	statements []*bundle.Statement
}

// writeBundle writes the feed's changes in (from, to] as a bundle file.
func writeBundle(t *testing.T, feed []data.Change, spec bundleSpec, priv ed25519.PrivateKey) string {
	t.Helper()
	if spec.scope == "" {
		spec.scope = demo.Street
	}
	if spec.issued.IsZero() {
		spec.issued = time.Now().UTC().Add(-time.Minute).Truncate(time.Second)
	}
	if spec.valid == 0 {
		spec.valid = 24 * time.Hour
	}
	var in []data.Change
	for _, c := range feed {
		if c.Seq > spec.from && c.Seq <= spec.to {
			in = append(in, c)
		}
	}
	files, err := bundle.ChangeFiles(in)
	if err != nil {
		t.Fatal(err)
	}
	m := bundle.Manifest{District: "天河区", Scope: spec.scope, From: spec.from, To: spec.to, Changes: len(in),
		IssuedAt: spec.issued, ExpiresAt: spec.issued.Add(spec.valid), Statements: spec.statements}
	var buf bytes.Buffer
	if err := bundle.Write(&buf, m, files, priv); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), fmt.Sprintf("b%d-%d.jzb", spec.from, spec.to))
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func newKey(t *testing.T) (string, ed25519.PrivateKey) {
	t.Helper()
	pub, priv, err := bundle.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return bundle.EncodeKey(pub), priv
}

// dump is the database's whole content: every row of every table, and
// the result of PRAGMA integrity_check, through a read-only connection.
func dump(t *testing.T, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var sb strings.Builder
	var ok string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check: %v %s", err, ok)
	}
	var version int
	db.QueryRow("PRAGMA user_version").Scan(&version)
	fmt.Fprintf(&sb, "user_version %d\n", version)
	// The schema too: a bulk import drops and builds indexes.
	schema, err := db.Query("SELECT type, name, coalesce(sql, '') FROM sqlite_schema ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	for schema.Next() {
		var typ, name, q string
		schema.Scan(&typ, &name, &q)
		fmt.Fprintf(&sb, "%s %s %s\n", typ, name, q)
	}
	schema.Close()
	rows, err := db.Query("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	for _, tb := range tables {
		rows, err := db.Query(`SELECT * FROM "` + tb + `" ORDER BY 1`)
		if err != nil {
			t.Fatalf("%s: %v", tb, err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		n := 0
		for rows.Next() {
			rows.Scan(ptrs...)
			fmt.Fprintf(&sb, "%s %v\n", tb, vals)
			n++
		}
		rows.Close()
		fmt.Fprintf(&sb, "%s: %d rows\n", tb, n)
	}
	return sb.String()
}

func importOK(t *testing.T, args ...string) map[string]any {
	t.Helper()
	code, out, errs := kiosk(t, append([]string{"import"}, args...)...)
	if code != 0 {
		t.Fatalf("import %v: exit %d: %s", args, code, errs)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("output %q: %v", out, err)
	}
	return v
}

// refused runs an import that must be refused with one line saying want,
// and checks the database did not change at all.
func refused(t *testing.T, db, want string, args ...string) {
	t.Helper()
	before := dump(t, db)
	code, out, errs := kiosk(t, append([]string{"import", "--db", db}, args...)...)
	if code != 1 || out != "" || strings.Count(errs, "\n") != 1 || !strings.HasPrefix(errs, "kiosk: import: refused: ") || !strings.Contains(errs, want) {
		t.Fatalf("import %v: exit %d, stdout %q, stderr %q; want exit 1 and one line saying %q", args, code, out, errs, want)
	}
	if after := dump(t, db); after != before {
		t.Fatalf("the refused import changed the database")
	}
}

func TestImportSnapshotThenIncrementThenNoOp(t *testing.T) {
	feed := demoFeed(t)
	pub, priv := newKey(t)
	db := filepath.Join(t.TempDir(), "kiosk.db")
	half := int64(len(feed) / 2)
	snap := writeBundle(t, feed, bundleSpec{from: 0, to: half}, priv)
	res := importOK(t, "--db", db, "--trust", pub, snap)
	if res["applied"] != true || res["snapshot"] != true || res["cursor"] != float64(half) || res["upserted"] != float64(half) {
		t.Fatalf("snapshot: %v", res)
	}
	// The key was recorded: the next bundle needs no --trust. The key in
	// a file works as well.
	keyFile := filepath.Join(t.TempDir(), "district.pub")
	os.WriteFile(keyFile, []byte(pub+"\n"), 0o644)
	rest := writeBundle(t, feed, bundleSpec{from: half, to: int64(len(feed))}, priv)
	res = importOK(t, "--db", db, rest)
	if res["applied"] != true || res["cursor"] != float64(len(feed)) {
		t.Fatalf("increment: %v", res)
	}
	before := dump(t, db)
	res = importOK(t, "--db", db, "--trust", keyFile, rest)
	if res["applied"] != false || !strings.Contains(res["note"].(string), "already applied") {
		t.Fatalf("replay: %v", res)
	}
	if dump(t, db) != before {
		t.Fatal("the no-op import changed the database")
	}
	// The whole scope is there, as `kiosk demo` loads it.
	code, out, _ := kiosk(t, "status", "--db", db)
	demoDB := demoDB(t)
	_, want, _ := kiosk(t, "status", "--db", demoDB)
	var got, exp map[string]any
	json.Unmarshal([]byte(out), &got)
	json.Unmarshal([]byte(want), &exp)
	if code != 0 || fmt.Sprint(got["counts"]) != fmt.Sprint(exp["counts"]) {
		t.Fatalf("counts %v, want %v", got["counts"], exp["counts"])
	}
}

func TestImportRefusalsLeaveTheDatabaseAsItWas(t *testing.T) {
	feed := demoFeed(t)
	pub, priv := newKey(t)
	_, other := newKey(t)
	db := filepath.Join(t.TempDir(), "kiosk.db")
	n := int64(len(feed))
	importOK(t, "--db", db, "--trust", pub, writeBundle(t, feed, bundleSpec{from: 0, to: n - 10}, priv))
	now := time.Now().UTC().Truncate(time.Second)
	good := writeBundle(t, feed, bundleSpec{from: n - 10, to: n}, priv)
	goodBytes, _ := os.ReadFile(good)
	variant := func(name string, edit func([]byte) []byte) string {
		p := filepath.Join(t.TempDir(), name+".jzb")
		os.WriteFile(p, edit(bytes.Clone(goodBytes)), 0o644)
		return p
	}

	t.Run("flipped byte", func(t *testing.T) {
		refused(t, db, "", variant("flip", func(b []byte) []byte { b[len(b)-5] ^= 1; return b }))
	})
	t.Run("truncated", func(t *testing.T) {
		refused(t, db, "the file ends", variant("cut", func(b []byte) []byte { return b[:len(b)-7] }))
	})
	t.Run("forged signature", func(t *testing.T) {
		refused(t, db, "signature does not verify", variant("sig", func(b []byte) []byte { b[50] ^= 1; return b }))
	})
	t.Run("untrusted key", func(t *testing.T) {
		refused(t, db, "does not trust", writeBundle(t, feed, bundleSpec{from: n - 10, to: n}, other))
	})
	t.Run("another street", func(t *testing.T) {
		refused(t, db, "wrong scope", writeBundle(t, feed, bundleSpec{scope: "440106006", from: n - 10, to: n}, priv))
	})
	t.Run("expired", func(t *testing.T) {
		refused(t, db, "expired", writeBundle(t, feed, bundleSpec{from: n - 10, to: n, issued: now.Add(-48 * time.Hour)}, priv))
	})
	t.Run("gap", func(t *testing.T) {
		refused(t, db, "needs a bundle from "+fmt.Sprint(n-10), writeBundle(t, feed, bundleSpec{from: n - 5, to: n}, priv))
	})
	t.Run("schema", func(t *testing.T) {
		refused(t, db, "layout version 9", variant("schema", func(b []byte) []byte { binary.BigEndian.PutUint16(b[8:], 9); return b }))
	})
	t.Run("trailing data", func(t *testing.T) {
		refused(t, db, "follows the last entry", variant("trail", func(b []byte) []byte { return append(b, 0) }))
	})
	t.Run("not a bundle", func(t *testing.T) {
		refused(t, db, "does not start as a bundle", variant("text", func([]byte) []byte { return []byte("PK\x03\x04 a zip file") }))
	})
	// The good one still imports afterwards.
	if res := importOK(t, "--db", db, good); res["applied"] != true {
		t.Fatalf("%v", res)
	}
}

// TestImportDamagedLaterEntryLeavesTheKioskAsItWas: a snapshot's entries
// are applied as they are read, so a damaged entry late in the file comes
// after earlier ones were written, and after the list indexes of the
// empty tables were dropped; the refusal must undo all of it.
func TestImportDamagedLaterEntryLeavesTheKioskAsItWas(t *testing.T) {
	changes := synth.Changes(3*bundle.ChangesPerEntry+10, 5)
	pub, priv := newKey(t)
	good := snapshotBundle(t, changes, priv, time.Now().UTC().Truncate(time.Second))
	db := filepath.Join(t.TempDir(), "kiosk.db")
	s, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	damaged := filepath.Join(t.TempDir(), "late.jzb")
	bad := bytes.Clone(good)
	bad[len(bad)-100] ^= 0x20
	os.WriteFile(damaged, bad, 0o644)
	refused(t, db, "does not match its SHA-256", "--trust", pub, damaged)

	whole := filepath.Join(t.TempDir(), "good.jzb")
	os.WriteFile(whole, good, 0o644)
	if res := importOK(t, "--db", db, "--trust", pub, whole); res["applied"] != true || res["upserted"] != float64(len(changes)) {
		t.Fatalf("%v", res)
	}
}

func TestImportKeyRotationAndRevocation(t *testing.T) {
	feed := demoFeed(t)
	oldPub, oldPriv := newKey(t)
	newPub, newPriv := newKey(t)
	db := filepath.Join(t.TempDir(), "kiosk.db")
	importOK(t, "--db", db, "--trust", oldPub, writeBundle(t, feed, bundleSpec{from: 0, to: 10}, oldPriv))

	// Signed by the new key with no statement: refused.
	refused(t, db, "does not trust", writeBundle(t, feed, bundleSpec{from: 10, to: 20}, newPriv))
	// A statement signed by the new key itself: refused.
	newKeyBytes, _ := bundle.ParseKey(newPub)
	self, _ := bundle.SignStatement(bundle.KeyChange{Op: bundle.OpTrust, Key: newKeyBytes, IssuedAt: time.Now()}, newPriv)
	refused(t, db, "key statement 1", writeBundle(t, feed, bundleSpec{from: 10, to: 20, statements: []*bundle.Statement{self}}, newPriv))

	// Signed by the old key: accepted, and the new key is trusted from then on.
	rot, _ := bundle.SignStatement(bundle.KeyChange{Op: bundle.OpTrust, Key: newKeyBytes, IssuedAt: time.Now()}, oldPriv)
	res := importOK(t, "--db", db, writeBundle(t, feed, bundleSpec{from: 10, to: 20, statements: []*bundle.Statement{rot}}, newPriv))
	if res["applied"] != true || fmt.Sprint(res["keys"]) != "[trust "+newPub+"]" {
		t.Fatalf("%v", res)
	}
	importOK(t, "--db", db, writeBundle(t, feed, bundleSpec{from: 20, to: 30}, newPriv))
	s, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	tr, _ := s.BundleTrust(context.Background())
	s.Close()
	if len(tr.Keys) != 2 || tr.Keys[0].Key != oldPub || tr.Keys[0].Via != "pinned" || tr.Keys[1].Key != newPub || tr.Keys[1].Via != oldPub {
		t.Fatalf("recorded keys: %+v", tr.Keys)
	}

	// The new key revokes the old one; the old one is refused afterwards,
	// even when given with --trust.
	oldKeyBytes, _ := bundle.ParseKey(oldPub)
	rev, _ := bundle.SignStatement(bundle.KeyChange{Op: bundle.OpRevoke, Key: oldKeyBytes, IssuedAt: time.Now()}, newPriv)
	importOK(t, "--db", db, writeBundle(t, feed, bundleSpec{from: 30, to: 40, statements: []*bundle.Statement{rev}}, newPriv))
	refused(t, db, "revoked", writeBundle(t, feed, bundleSpec{from: 40, to: 50}, oldPriv))
	refused(t, db, "revoked", "--trust", oldPub, writeBundle(t, feed, bundleSpec{from: 40, to: 50}, oldPriv))
}

func TestImportBadCommandLines(t *testing.T) {
	pub, priv := newKey(t)
	feed := demoFeed(t)
	b := writeBundle(t, feed, bundleSpec{from: 0, to: 5}, priv)
	db := filepath.Join(t.TempDir(), "kiosk.db")
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--db", db}, 2, "want one BUNDLE file"},
		{[]string{b}, 2, "--db FILE is required"},
		{[]string{"--db", db, "--trust", "nonsense", b}, 2, "not a base64 public key"},
		{[]string{"--db", db, "--colour", b}, 2, "flag provided but not defined"},
		{[]string{"--db", db, "--trust", pub, filepath.Join(t.TempDir(), "none.jzb")}, 1, "cannot open the bundle"},
		{[]string{"--db", db, b}, 1, "trusts no key yet"},
	} {
		code, out, errs := kiosk(t, append([]string{"import"}, tc.args...)...)
		if code != tc.code || out != "" || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, tc.want) {
			t.Errorf("import %v: exit %d, stdout %q, stderr %q; want exit %d and one line saying %q", tc.args, code, out, errs, tc.code, tc.want)
		}
	}
}
