package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"jiezhen/data/pin"
	"jiezhen/sync/outboxfile"
	"jiezhen/sync/server"
	"jiezhen/sync/wire"
)

func TestStaffCommands(t *testing.T) {
	db := published(t)
	code, out, errs := districtd(t, "staff", "add", "--db", db, "--street", "440106005", "--name", "李明")
	if code != 0 || !regexp.MustCompile(`^\d{8}\n$`).MatchString(out) || !strings.Contains(errs, "shown only this once") {
		t.Fatalf("staff add: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	code8 := strings.TrimSpace(out)
	ok(t, "staff", "add", "--db", db, "--street", "440106006", "--name", "王芳")
	list := lines(ok(t, "staff", "list", "--db", db))
	if len(list) != 2 || strings.Contains(strings.Join(list, ""), "argon2") {
		t.Fatalf("staff list %q", list)
	}
	var s struct{ ID, Street, Name, Role string }
	if err := json.Unmarshal([]byte(list[0]), &s); err != nil || s.Street != "440106005" || s.Name != "李明" || s.Role != "staff" {
		t.Fatalf("line %s: %+v %v", list[0], s, err)
	}
	if got := lines(ok(t, "staff", "list", "--db", db, "--street", "440106006")); len(got) != 1 || !strings.Contains(got[0], "王芳") {
		t.Fatalf("street list %q", got)
	}
	// The published verifier checks against the PIN printed, with the
	// street's key only.
	st, err := server.OpenStore(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	p := server.New(st, server.Options{})
	accts, err := p.StaffAccounts(t.Context(), "440106005")
	if err != nil || len(accts) != 1 {
		t.Fatal(accts, err)
	}
	key, err := p.StaffPINKey(t.Context(), server.Kiosk{Street: "440106005"})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	if good, err := pin.Check(accts[0].PINHash, key.Key, code8); !good || err != nil {
		t.Fatalf("the PIN printed does not check: %v", err)
	}
	if good, _ := pin.Check(accts[0].PINHash, nil, code8); good || !pin.Keyed(accts[0].PINHash) {
		t.Fatalf("the published %q checks without the street's key", accts[0].PINHash)
	}

	ok(t, "staff", "remove", "--db", db, s.ID)
	if got := lines(ok(t, "staff", "list", "--db", db)); len(got) != 1 {
		t.Fatalf("after remove %q", got)
	}
	fails(t, 1, "no published staff", "staff", "remove", "--db", db, s.ID)
	fails(t, 1, `street "999999999" is not published`, "staff", "add", "--db", db, "--street", "999999999", "--name", "x")
	fails(t, 2, "missing --name", "staff", "add", "--db", db, "--street", "440106005")
	fails(t, 2, "want a staff account ID", "staff", "remove", "--db", db)
	fails(t, 2, "unknown subcommand", "staff", "delete", "--db", db)
	fails(t, 2, "want a subcommand", "staff")
}

// outboxFile writes an outbox file as a kiosk's export does.
func outboxFile(t *testing.T, recipient, token, street string, items ...wire.PushItem) string {
	t.Helper()
	r, err := outboxfile.ParseRecipient(recipient)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "outbox.age")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := outboxfile.Write(f, r, &outboxfile.File{Token: token, Street: street, ExportedAt: time.Now(), Items: items}); err != nil {
		t.Fatal(err)
	}
	return path
}

func auditItem(t *testing.T, id, action string) wire.PushItem {
	b, _ := json.Marshal(wire.AuditBody{Action: action, Staff: "李明", StaffID: "staff-1", At: time.Now()})
	return wire.PushItem{ID: id, Kind: wire.ItemAudit, Body: b}
}

func TestOutboxKeyImportAndAudit(t *testing.T) {
	db := published(t)
	dir := t.TempDir()
	key := filepath.Join(dir, "outbox.key")
	recipient := strings.TrimSpace(ok(t, "outbox-key", "--out", key))
	b, _ := os.ReadFile(key)
	if !strings.Contains(string(b), "# public key: "+recipient) {
		t.Fatalf("key file:\n%s", b)
	}
	fails(t, 1, "never overwritten", "outbox-key", "--out", key)
	fails(t, 2, "missing --out", "outbox-key")
	tokA := strings.TrimSpace(ok(t, "kiosk", "add", "--db", db, "--street", "440106005", "--name", "一号机"))

	if out := ok(t, "audit", "--db", db); out != "" {
		t.Fatalf("audit of a new district: %q", out)
	}
	file := outboxFile(t, recipient, tokA, "440106005", auditItem(t, "audit-1", "sign_in"), auditItem(t, "audit-2", "edit"))
	for i, want := range []string{`"accepted":2`, `"duplicate":2`} {
		if out := ok(t, "import-outbox", "--db", db, "--identity", key, file); !strings.Contains(out, want) || !strings.Contains(out, `"kiosk":1`) {
			t.Fatalf("import %d: %s", i+1, out)
		}
	}
	got := lines(ok(t, "audit", "--db", db))
	if len(got) != 2 {
		t.Fatalf("audit %q", got)
	}
	var a server.AuditRecord
	if err := json.Unmarshal([]byte(got[0]), &a); err != nil || a.Action != "sign_in" || a.Staff != "李明" || a.Kiosk != 1 || a.Street != "440106005" {
		t.Fatalf("audit line %s: %v", got[0], err)
	}

	// Refusals: one line each, nothing stored.
	otherKey := filepath.Join(dir, "other.key")
	ok(t, "outbox-key", "--out", otherKey)
	garbage := filepath.Join(dir, "garbage")
	os.WriteFile(garbage, []byte("not an outbox\n"), 0o600)
	fails(t, 1, "not encrypted to this outbox key", "import-outbox", "--db", db, "--identity", otherKey, file)
	fails(t, 1, "not an age-encrypted outbox file", "import-outbox", "--db", db, "--identity", key, garbage)
	fails(t, 1, "does not hold one age private key", "import-outbox", "--db", db, "--identity", garbage, file)
	fails(t, 1, "cannot open", "import-outbox", "--db", db, "--identity", key, filepath.Join(dir, "none"))
	fails(t, 2, "missing --identity", "import-outbox", "--db", db, file)
	fails(t, 2, "want one outbox FILE", "import-outbox", "--db", db, "--identity", key)
	fails(t, 1, "not registered here", "import-outbox", "--db", db, "--identity", key,
		outboxFile(t, recipient, "jzk_forged", "", auditItem(t, "audit-3", "edit")))
	fails(t, 1, "belongs to street 440106005", "import-outbox", "--db", db, "--identity", key,
		outboxFile(t, recipient, tokA, "440106006", auditItem(t, "audit-4", "edit")))
	ok(t, "kiosk", "revoke", "--db", db, "1")
	fails(t, 1, "has been revoked", "import-outbox", "--db", db, "--identity", key,
		outboxFile(t, recipient, tokA, "", auditItem(t, "audit-5", "edit")))
	if n := len(lines(ok(t, "audit", "--db", db))); n != 2 {
		t.Fatalf("%d audit records after the refusals", n)
	}
}
