package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"jiezhen/cmd/internal/demo"
	"jiezhen/data/pin"
	"jiezhen/data/store"
	"jiezhen/sync/server"
	"jiezhen/sync/wire"
)

// carriedHashes are the argon2id values (hashes or verifiers) in raw.
var carriedHashes = regexp.MustCompile(`\$argon2id[^"\\]*`)

// feedBytes is the whole feed as the kiosk's token reads it over HTTP.
func feedBytes(t *testing.T, base, token string) []byte {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+wire.PathChanges+"?after=0&limit=1000", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK || bytes.Contains(b, []byte(`"more":true`)) {
		t.Fatalf("GET changes: %d %v (the demo feed fits one page)", resp.StatusCode, err)
	}
	return b
}

// signsIn opens the kiosk database at db as the window does, with token:
// without the token it refuses to check the PIN and says so; with it the
// right PIN signs in and a wrong one is refused.
func signsIn(t *testing.T, db, token, staffID, code string) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.SignIn(ctx, staffID, code, time.Now()); !errors.Is(err, store.ErrNoToken) || !strings.Contains(err.Error(), tokenEnv) {
		t.Fatalf("%s: sign in without the token: %v", filepath.Base(db), err)
	}
	s.UseToken(token)
	var wrong *store.WrongPINError
	if _, err := s.SignIn(ctx, staffID, "12345678", time.Now()); !errors.As(err, &wrong) && code != "12345678" {
		t.Fatalf("%s: a wrong PIN: %v", filepath.Base(db), err)
	}
	if who, err := s.SignIn(ctx, staffID, code, time.Now()); err != nil || who.ID != staffID {
		t.Fatalf("%s: the right PIN: %+v %v", filepath.Base(db), who, err)
	}
	return s
}

// Staff PINs with the real programs. `districtd staff add` prints an
// eight-digit PIN. Neither the file `districtd bundle` writes nor the feed
// a kiosk's token reads carries an unkeyed argon2id hash, or anything the
// printed PIN checks against without the street's key, or the key. A kiosk
// that synced with `kiosk sync`, and one that only imported the bundle with
// `kiosk import`, sign the staff member in with their tokens and refuse a
// wrong PIN, and without the token say they cannot check it; the fifth
// wrong PIN in a row still locks the account.
func TestStaffPINsDoNotTravel(t *testing.T) {
	if testing.Short() {
		t.Skip("builds districtd")
	}
	ctx := context.Background()
	bin := districtdBinary(t)
	d, tok := newTestDistrict(t)
	_, tokUSB, err := d.p.AddKiosk(ctx, demo.Street, "USB kiosk")
	if err != nil {
		t.Fatal(err)
	}
	code := strings.TrimSpace(mustRun(t, bin, "staff", "add", "--db", d.path, "--street", demo.Street, "--name", "李明"))
	if !regexp.MustCompile(`^\d{8}$`).MatchString(code) {
		t.Fatalf("staff add printed %q", code)
	}
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "bundle.key")
	pub := strings.TrimSpace(mustRun(t, bin, "keygen", "--out", keyFile))
	jzb := filepath.Join(dir, "street.jzb")
	mustRun(t, bin, "bundle", "--db", d.path, "--street", demo.Street, "--key", keyFile, "--out", jzb)
	raw, err := os.ReadFile(jzb)
	if err != nil {
		t.Fatal(err)
	}
	key, err := d.p.StaffPINKey(ctx, server.Kiosk{Street: demo.Street})
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"bundle": raw, "feed": feedBytes(t, d.srv.URL, tok)} {
		if bytes.Contains(b, []byte("$argon2id$")) {
			t.Fatalf("the %s carries an unkeyed argon2id hash", name)
		}
		for _, secret := range []string{string(key.Key), base64.StdEncoding.EncodeToString(key.Key), base64.RawStdEncoding.EncodeToString(key.Key)} {
			if bytes.Contains(b, []byte(secret)) {
				t.Fatalf("the %s carries the street's PIN key", name)
			}
		}
		carried := carriedHashes.FindAll(b, -1)
		if len(carried) != 1 {
			t.Fatalf("the %s carries %q", name, carried)
		}
		for _, v := range carried {
			if ok, _ := pin.Check(string(v), nil, code); ok {
				t.Fatalf("the %s carries %q, which the PIN checks against without the street's key", name, v)
			}
		}
	}

	synced := filepath.Join(dir, "synced.db")
	t.Setenv(tokenEnv, tok)
	if c, _, errs := kioskProcess(t, "sync", "--db", synced, "--district", d.srv.URL, "--once"); c != 0 {
		t.Fatalf("sync: %s", errs)
	}
	accts := func(s *store.Store) string {
		list, err := s.StaffAccounts(ctx)
		if err != nil || len(list) != 1 {
			t.Fatalf("staff accounts: %+v %v", list, err)
		}
		return list[0].ID
	}
	s, err := store.Open(ctx, synced)
	if err != nil {
		t.Fatal(err)
	}
	id := accts(s)
	s.Close()
	signsIn(t, synced, tok, id, code).Close()

	t.Setenv(tokenEnv, "")
	usb := filepath.Join(dir, "usb.db")
	if c, _, errs := kioskProcess(t, "import", "--db", usb, "--trust", pub, jzb); c != 0 {
		t.Fatalf("import: %s", errs)
	}
	s = signsIn(t, usb, tokUSB, id, code)
	var locked *store.LockedError
	for range store.MaxPINFailures {
		_, err = s.SignIn(ctx, id, "87654321", time.Now())
	}
	if code != "87654321" && !errors.As(err, &locked) {
		t.Fatalf("the fifth wrong PIN: %v", err)
	}
	s.Close()
	for _, db := range []string{synced, usb} {
		b, _ := os.ReadFile(db)
		wal, _ := os.ReadFile(db + "-wal")
		for _, secret := range [][]byte{key.Key, []byte(tok), []byte(tokUSB)} {
			if bytes.Contains(b, secret) || bytes.Contains(wal, secret) {
				t.Fatalf("%s holds the key or a token in the clear", filepath.Base(db))
			}
		}
	}
}
