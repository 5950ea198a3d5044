package server

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/data/pin"
	"jiezhen/sync/bundle"
	"jiezhen/sync/wire"
)

// A staff account is published in its street's feed only, with a PIN
// verifier keyed with the street's PIN key, which the street's kiosks get
// from wire.PathPINKey; removing it is a delete in that feed.
func TestStaffAccounts(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, _, err := e.p.AddStaff(ctx, "999999999", "李明"); err == nil || !strings.Contains(err.Error(), "not published") {
		t.Fatalf("unknown street: %v", err)
	}
	if _, _, err := e.p.AddStaff(ctx, streetA, "  "); err == nil {
		t.Fatal("no name accepted")
	}
	st, code, err := e.p.AddStaff(ctx, streetA, "李明")
	if err != nil {
		t.Fatal(err)
	}
	key := e.pinKey(e.tokA1)
	if ok, err := pin.Check(st.PINHash, key.Key, code); err != nil || !ok || !pin.Valid(code) || len(code) != pin.Length {
		t.Fatalf("PIN %q does not check against %q: %v", code, st.PINHash, err)
	}
	inFeed := func(token string) (data.Change, bool) {
		changes, _ := e.pullAll(token, 0)
		return find(changes, data.KindStaff, st.ID)
	}
	if c, ok := inFeed(e.tokA1); !ok || c.Op != data.OpUpsert || strings.Contains(string(c.Body), code) {
		t.Fatalf("street A's feed: %+v %v", c, ok)
	}
	if _, ok := inFeed(e.tokB1); ok {
		t.Fatal("street B's kiosk gets street A's staff")
	}
	list, err := e.p.StaffAccounts(ctx, streetA)
	if err != nil || len(list) != 1 || list[0].Name != "李明" {
		t.Fatalf("list %+v %v", list, err)
	}
	if err := e.p.RemoveStaff(ctx, st.ID); err != nil {
		t.Fatal(err)
	}
	if c, ok := inFeed(e.tokA1); !ok || c.Op != data.OpDelete {
		t.Fatalf("after removal: %+v %v", c, ok)
	}
	if list, _ := e.p.StaffAccounts(ctx, ""); len(list) != 0 {
		t.Fatalf("list after removal %+v", list)
	}
	// Staff cannot edit staff accounts from a kiosk.
	edit := wire.PushItem{ID: "edit-staff", Kind: wire.ItemStaffEdit, Body: mustJSON(t, wire.StaffEdit{Kind: data.KindStaff, ID: "x", Op: data.OpUpsert, Item: mustJSON(t, data.Staff{ID: "x"})})}
	if r := e.push(e.tokA1, edit).Results[0]; r.Outcome != wire.Refused {
		t.Fatalf("staff edit of a staff account: %+v", r)
	}
}

// Audit items are stored once, with the district's time, the kiosk and the
// staff member; a retry is a duplicate; an incomplete one is refused.
func TestAuditPush(t *testing.T) {
	e := newEnv(t)
	at := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC) // the kiosk's clock is off
	item := wire.PushItem{ID: "audit-1", Kind: wire.ItemAudit, Body: mustJSON(t, wire.AuditBody{Action: "sign_in", Staff: "李明", StaffID: "staff-1", At: at})}
	if r := e.push(e.tokA1, item).Results[0]; r.Outcome != wire.Accepted {
		t.Fatalf("audit: %+v", r)
	}
	e.clock.Add(time.Minute)
	if r := e.push(e.tokA1, item).Results[0]; r.Outcome != wire.Duplicate {
		t.Fatalf("audit again: %+v", r)
	}
	for i, b := range []wire.AuditBody{{Staff: "李明", StaffID: "s"}, {Action: "edit", StaffID: "s"}, {Action: strings.Repeat("x", 65), Staff: "李明", StaffID: "s"}} {
		if r := e.push(e.tokA1, wire.PushItem{ID: fmt.Sprintf("audit-bad-%d", i), Kind: wire.ItemAudit, Body: mustJSON(t, b)}).Results[0]; r.Outcome != wire.Refused {
			t.Fatalf("%+v: %+v", b, r)
		}
	}
	recs, err := e.p.Audit(context.Background())
	if err != nil || len(recs) != 1 {
		t.Fatalf("audit records %+v %v", recs, err)
	}
	r := recs[0]
	if r.ID != "audit-1" || r.Kiosk != e.a1.ID || r.Street != streetA || r.Staff != "李明" || r.Action != "sign_in" ||
		!r.At.Equal(at) || !r.ReceivedAt.Equal(e.clock.Now().Add(-time.Minute)) {
		t.Fatalf("record %+v", r)
	}
}

// An outbox import sets aside an item a batch is refused whole for, as
// the kiosk's agent does, and stores the rest once.
func TestImportOutboxSetsAside(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	items := []wire.PushItem{appeal(t, "case-1", streetA), appeal(t, "case-other", streetB), appeal(t, "case-2", streetA)}
	res, err := e.p.ImportOutbox(ctx, e.tokA1, streetA, items)
	if err != nil {
		t.Fatal(err)
	}
	if res.Kiosk != e.a1.ID || res.Items != 3 || res.Accepted != 2 || len(res.SetAside) != 1 || res.SetAside[0].ID != "case-other" {
		t.Fatalf("import: %+v", res)
	}
	res, err = e.p.ImportOutbox(ctx, e.tokA1, "", items)
	if err != nil || res.Duplicate != 2 || res.Accepted != 0 || len(res.SetAside) != 1 {
		t.Fatalf("again: %+v %v", res, err)
	}
	if n := e.count("cases"); n != 2 {
		t.Fatalf("%d cases", n)
	}
	if _, err := e.p.ImportOutbox(ctx, e.tokB1, streetA, items[:1]); err == nil || !strings.Contains(err.Error(), "belongs to street") {
		t.Fatalf("wrong street: %v", err)
	}
}

// pinKey asks the district for the street's staff PIN key over HTTP.
func (e *env) pinKey(token string) wire.PINKey {
	e.t.Helper()
	status, body := e.do(http.MethodGet, wire.PathPINKey, token, nil)
	if status != http.StatusOK {
		e.t.Fatalf("GET %s: %d %s", wire.PathPINKey, status, body)
	}
	var k wire.PINKey
	if err := json.Unmarshal(body, &k); err != nil {
		e.t.Fatal(err)
	}
	return k
}

// carriedPINValues returns every string of the bundle's or feed's staff
// bodies (kind staff), and fails if any is an unkeyed argon2id hash.
func carriedPINValues(t *testing.T, changes []data.Change) []string {
	t.Helper()
	var out []string
	for _, c := range changes {
		if c.Kind != data.KindStaff || c.Op != data.OpUpsert {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(c.Body, &m); err != nil {
			t.Fatal(err)
		}
		for _, v := range m {
			if s, ok := v.(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

// Neither the feed nor a bundle carries anything a PIN can be checked
// against without the street's key: no unkeyed argon2id hash, and the
// right PIN verifies against none of their values without the key. The
// key itself is in neither in the clear; the bundle carries it wrapped for
// each kiosk of the street, which opens only with that kiosk's token, and
// the district hands it over HTTP only to a kiosk of the street.
func TestStaffPINsDoNotTravel(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	st, code, err := e.p.AddStaff(ctx, streetA, "李明")
	if err != nil {
		t.Fatal(err)
	}
	keyA, keyB := e.pinKey(e.tokA1), e.pinKey(e.tokB1)
	if keyA.Street != streetA || keyA.Kiosk != e.a1.ID || len(keyA.Key) != pin.KeySize || bytes.Equal(keyA.Key, keyB.Key) {
		t.Fatalf("street keys: A %+v, B %+v", keyA, keyB)
	}
	if again := e.pinKey(e.tokA2); !bytes.Equal(again.Key, keyA.Key) {
		t.Fatal("two kiosks of one street got different keys")
	}
	if status, _ := e.do(http.MethodGet, wire.PathPINKey, "", nil); status != http.StatusUnauthorized {
		t.Fatalf("no token: %d", status)
	}

	feed, _ := e.pullAll(e.tokA1, 0)
	var buf bytes.Buffer
	if _, err := e.p.WriteBundle(ctx, &buf, streetA, BundleSpec{Key: e.p.snapshots.Key, Valid: time.Hour}); err != nil {
		t.Fatal(err)
	}
	res, err := bundle.Read(bytes.NewReader(buf.Bytes()), bundle.Check{Keys: bundle.Keys{Trusted: []ed25519.PublicKey{e.bundleKey}}, Now: e.clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	feedBody, _ := json.Marshal(feed)
	for name, raw := range map[string][]byte{"feed": feedBody, "bundle": buf.Bytes()} {
		for _, secret := range []string{"$argon2id$", code, string(keyA.Key), base64.StdEncoding.EncodeToString(keyA.Key),
			base64.RawStdEncoding.EncodeToString(keyA.Key), base64.RawURLEncoding.EncodeToString(keyA.Key), hex.EncodeToString(keyA.Key)} {
			if bytes.Contains(raw, []byte(secret)) {
				t.Fatalf("the %s carries %q", name, secret)
			}
		}
	}
	for name, changes := range map[string][]data.Change{"feed": feed, "bundle": res.Changes} {
		values := carriedPINValues(t, changes)
		if !slices.Contains(values, st.PINHash) {
			t.Fatalf("the %s does not carry the account's verifier: %q", name, values)
		}
		for _, v := range values {
			if ok, _ := pin.Check(v, nil, code); ok {
				t.Fatalf("the %s carries %q, which the right PIN checks against without the key", name, v)
			}
			if ok, _ := pin.Check(v, keyB.Key, code); ok {
				t.Fatalf("the %s's %q checks with another street's key", name, v)
			}
		}
	}

	// One wrapped key per kiosk of the street, each opened by its own
	// token only.
	wrapped := res.Manifest.PINKeys
	if len(wrapped) != 2 || wrapped[0].Kiosk != e.a1.ID || wrapped[1].Kiosk != e.a2.ID {
		t.Fatalf("wrapped keys %+v", wrapped)
	}
	for i, tok := range []string{e.tokA1, e.tokA2} {
		got, err := pin.UnwrapKey(pin.TokenHash(tok), streetA, wrapped[i].Sealed)
		if err != nil || !bytes.Equal(got, keyA.Key) {
			t.Fatalf("kiosk %d's wrapped key: %v", wrapped[i].Kiosk, err)
		}
		if _, err := pin.UnwrapKey(pin.TokenHash(e.tokB1), streetA, wrapped[i].Sealed); err == nil {
			t.Fatal("another street's kiosk opened the key")
		}
	}
	// A revoked kiosk gets none in the next bundle.
	if err := e.p.RevokeKiosk(ctx, e.a2.ID); err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	info, err := e.p.WriteBundle(ctx, &buf, streetA, BundleSpec{Key: e.p.snapshots.Key, Valid: time.Hour})
	if err != nil || len(info.Manifest.PINKeys) != 1 || info.Manifest.PINKeys[0].Kiosk != e.a1.ID {
		t.Fatalf("after revoking: %+v %v", info.Manifest.PINKeys, err)
	}
}

// An account published before the street keys (an unkeyed argon2id hash)
// is published again, keyed, when the district opens its database: the
// same PIN signs in, and the hash leaves the feed.
func TestKeyStaffPINs(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	legacy, err := pin.HashWith("246810", pin.Params{MemoryKiB: 1024, Passes: 1, Lanes: 1})
	if err != nil {
		t.Fatal(err)
	}
	old := data.Staff{ID: "staff-old", Street: streetA, Name: "王芳", Role: data.RoleStaff, PINHash: legacy}
	err = e.st.Write(ctx, func(tx Tx) error {
		_, err := tx.PutItem(Item{Kind: data.KindStaff, ID: old.ID, Street: streetA, Version: 1, Body: mustJSON(t, old)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := e.p.KeyStaffPINs(ctx); err != nil || n != 1 {
		t.Fatalf("keyed %d: %v", n, err)
	}
	if n, err := e.p.KeyStaffPINs(ctx); err != nil || n != 0 {
		t.Fatalf("keyed again %d: %v", n, err)
	}
	feed, _ := e.pullAll(e.tokA1, 0)
	c, ok := find(feed, data.KindStaff, old.ID)
	if !ok || c.Version != 2 || bytes.Contains(c.Body, []byte("$argon2id$")) {
		t.Fatalf("the feed holds %+v", c)
	}
	var now data.Staff
	json.Unmarshal(c.Body, &now)
	key := e.pinKey(e.tokA1)
	if ok, err := pin.Check(now.PINHash, key.Key, "246810"); err != nil || !ok {
		t.Fatalf("the old PIN against %q: %v %v", now.PINHash, ok, err)
	}
}
