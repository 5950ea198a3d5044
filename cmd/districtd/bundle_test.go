package main

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/data/store"
	"jiezhen/sync/bundle"
	"jiezhen/sync/client"
	"jiezhen/sync/server"
)

const testStreet = "440106005"

// keyFile makes a key with keygen and returns its file and public key.
func keyFile(t *testing.T) (string, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "district.key")
	pub := strings.TrimSpace(ok(t, "keygen", "--out", path))
	return path, pub
}

func decode(t *testing.T, out string) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("not JSON: %q", out)
	}
	return v
}

func TestKeygen(t *testing.T) {
	path, pub := keyFile(t)
	if _, err := bundle.ParseKey(pub); err != nil || strings.Count(pub, "\n") != 0 {
		t.Fatalf("public key line %q: %v", pub, err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi.Mode(), err)
	}
	b, _ := os.ReadFile(path)
	priv, err := bundle.ParsePrivateKey(b)
	if err != nil || bundle.EncodeKey(priv.Public().(ed25519.PublicKey)) != pub {
		t.Fatalf("the key file does not hold the printed key: %v", err)
	}
	fails(t, 1, "never overwritten", "keygen", "--out", path)
	if b2, _ := os.ReadFile(path); string(b2) != string(b) {
		t.Fatal("the key file changed")
	}
	fails(t, 2, "missing --out", "keygen")
	fails(t, 1, "write the key", "keygen", "--out", filepath.Join(t.TempDir(), "no", "such", "dir"))
}

// readBundle verifies a bundle file as an empty kiosk of the street would.
func readBundle(t *testing.T, path, pub string, cursor int64) *bundle.Result {
	t.Helper()
	res, _ := bundleFilesOf(t, path, pub, cursor)
	return res
}

// content lists every content row of a kiosk database.
func contentRows(t *testing.T, st *store.Store) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+st.Path()+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var sb strings.Builder
	for _, table := range []string{"notice", "catalog", "service", "provider", "hours_spans", "consultation", "calendar", "street", "staff", "search_docs"} {
		rows, err := db.Query("SELECT * FROM " + table + " ORDER BY 1, 2, 3")
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			rows.Scan(ptrs...)
			fmt.Fprintf(&sb, "%s %v\n", table, vals)
		}
		rows.Close()
	}
	return sb.String()
}

// A full snapshot imported into an empty kiosk gives what an HTTP pull of
// the same scope from the real district server gives, cursor included.
func TestBundleSnapshotEqualsPull(t *testing.T) {
	ctx := context.Background()
	db := published(t)
	// Staff accounts travel in their own street's scope only.
	ok(t, "staff", "add", "--db", db, "--street", testStreet, "--name", "李明")
	ok(t, "staff", "add", "--db", db, "--street", "440106006", "--name", "王芳")
	key, pub := keyFile(t)
	out := filepath.Join(t.TempDir(), "snap.jzb")
	res := decode(t, ok(t, "bundle", "--db", db, "--street", testStreet, "--key", key, "--out", out))
	if res["from"] != float64(0) || res["changes"].(float64) < 5 || res["district"] == "" {
		t.Fatalf("%v", res)
	}
	entries, _ := os.ReadDir(filepath.Dir(out))
	if len(entries) != 1 {
		t.Fatalf("the output folder holds %d files; a temporary file was left", len(entries))
	}

	// Kiosk A pulls over HTTP.
	st, err := server.OpenStore(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	p := server.New(st, server.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	_, token, err := p.AddKiosk(ctx, testStreet, "test kiosk")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.Handler(p))
	defer srv.Close()
	a, err := store.OpenWith(ctx, filepath.Join(t.TempDir(), "a.db"), store.Options{NoIndexer: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	agent, err := client.New(ctx, a, client.Config{District: srv.URL, Token: token, Street: testStreet})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := agent.OnceResult(ctx); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	st.Close()

	// Kiosk B imports the bundle.
	b, err := store.OpenWith(ctx, filepath.Join(t.TempDir(), "b.db"), store.Options{NoIndexer: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	r := readBundle(t, out, pub, 0)
	if _, err := b.ApplyBundle(ctx, store.ContentFeed, store.BundleImport{From: r.Manifest.From, To: r.Manifest.To,
		Changes: r.Changes, IssuedAt: r.Manifest.IssuedAt, Street: r.Manifest.Scope}); err != nil {
		t.Fatal(err)
	}

	ca, cb := contentRows(t, a), contentRows(t, b)
	if ca == "" || ca != cb {
		t.Fatalf("pulled:\n%s\nimported:\n%s", ca, cb)
	}
	if accts, err := b.StaffAccounts(ctx); err != nil || len(accts) != 1 || accts[0].Name != "李明" {
		t.Fatalf("staff accounts from the bundle: %+v %v", accts, err)
	}
	curA, _ := a.Cursor(ctx, store.ContentFeed)
	curB, _ := b.Cursor(ctx, store.ContentFeed)
	if curA != curB || curB != r.Manifest.To {
		t.Fatalf("cursors: pulled %d, imported %d, bundle to %d", curA, curB, r.Manifest.To)
	}
}

func TestBundleSince(t *testing.T) {
	db := published(t)
	key, pub := keyFile(t)
	dir := t.TempDir()
	full := decode(t, ok(t, "bundle", "--db", db, "--street", testStreet, "--key", key, "--out", filepath.Join(dir, "a.jzb")))
	last := int64(full["to"].(float64))
	fails(t, 1, fmt.Sprintf("nothing after sequence %d", last), "bundle", "--db", db, "--street", testStreet, "--key", key,
		"--out", filepath.Join(dir, "b.jzb"), "--since", fmt.Sprint(last))
	if _, err := os.Stat(filepath.Join(dir, "b.jzb")); !os.IsNotExist(err) {
		t.Fatal("a failed bundle left a file")
	}

	// One notice changes; the next bundle carries just that.
	set, err := data.ReadContentSet(mustOpen(t, content))
	if err != nil {
		t.Fatal(err)
	}
	var n data.Notice
	for _, x := range set.Notices {
		if x.Street == "" || x.Street == testStreet {
			n = x
			break
		}
	}
	n.Title += "（更新）"
	changed := filepath.Join(dir, "changed.json")
	js, _ := json.Marshal(data.ContentSet{Notices: []data.Notice{n}})
	os.WriteFile(changed, js, 0o644)
	ok(t, "publish", "--db", db, changed)
	res := decode(t, ok(t, "bundle", "--db", db, "--street", testStreet, "--key", key, "--out", filepath.Join(dir, "c.jzb"),
		"--since", fmt.Sprint(last), "--expires", "3d"))
	if res["from"] != float64(last) || res["changes"] != float64(1) {
		t.Fatalf("%v", res)
	}
	r := readBundle(t, filepath.Join(dir, "c.jzb"), pub, last)
	if len(r.Changes) != 1 || r.Changes[0].ID != n.ID || r.Manifest.ExpiresAt.Sub(r.Manifest.IssuedAt) != 72*time.Hour {
		t.Fatalf("%+v", r.Manifest)
	}
}

func mustOpen(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestBundleBadInput(t *testing.T) {
	db := published(t)
	key, _ := keyFile(t)
	out := filepath.Join(t.TempDir(), "x.jzb")
	notKey := filepath.Join(t.TempDir(), "not.key")
	os.WriteFile(notKey, []byte("hello\n"), 0o600)
	fails(t, 2, "missing --db and --key and --out and --street", "bundle")
	fails(t, 2, "missing --street", "bundle", "--db", db, "--key", key, "--out", out)
	fails(t, 1, `street "999" is not published`, "bundle", "--db", db, "--street", "999", "--key", key, "--out", out)
	fails(t, 2, `--since "x"`, "bundle", "--db", db, "--street", testStreet, "--key", key, "--out", out, "--since", "x")
	fails(t, 2, `--expires "soon"`, "bundle", "--db", db, "--street", testStreet, "--key", key, "--out", out, "--expires", "soon")
	fails(t, 1, "not a bundle signing key", "bundle", "--db", db, "--street", testStreet, "--key", notKey, "--out", out)
	fails(t, 1, "does not exist", "bundle", "--db", filepath.Join(t.TempDir(), "none.db"), "--street", testStreet, "--key", key, "--out", out)
	fails(t, 1, "statement", "bundle", "--db", db, "--street", testStreet, "--key", key, "--out", out, "--statement", notKey)
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatal("a failed bundle left a file")
	}
	fails(t, 2, "want a subcommand", "key")
	fails(t, 2, "unknown subcommand", "key", "turn")
}

func TestKeyRotateAndRevoke(t *testing.T) {
	db := published(t)
	oldKey, oldPub := keyFile(t)
	newKey, newPub := keyFile(t)
	dir := t.TempDir()
	stmt := filepath.Join(dir, "rotate.json")
	res := decode(t, ok(t, "key", "rotate", "--key", oldKey, "--new", newKey, "--out", stmt))
	if res["key"] != newPub || res["op"] != "trust" {
		t.Fatalf("%v", res)
	}
	// The statement rides in a bundle signed by the new key; a kiosk that
	// trusts only the old key takes it and learns the new one.
	out := filepath.Join(dir, "rotated.jzb")
	ok(t, "bundle", "--db", db, "--street", testStreet, "--key", newKey, "--out", out, "--statement", stmt)
	r := readBundle(t, out, oldPub, 0)
	if len(r.KeyChanges) != 1 || bundle.EncodeKey(r.KeyChanges[0].Key) != newPub {
		t.Fatalf("%+v", r.KeyChanges)
	}

	rev := filepath.Join(dir, "revoke.json")
	res = decode(t, ok(t, "key", "revoke", "--key", newKey, "--revoke", oldPub, "--out", rev))
	if res["key"] != oldPub || res["op"] != "revoke" {
		t.Fatalf("%v", res)
	}
	fails(t, 2, "missing --new", "key", "rotate", "--key", oldKey, "--out", stmt)
	fails(t, 2, "same key", "key", "rotate", "--key", oldKey, "--new", oldPub, "--out", stmt)
	fails(t, 2, "--new", "key", "rotate", "--key", oldKey, "--new", "nonsense", "--out", stmt)
}
