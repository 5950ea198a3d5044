package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/sync/server"
)

// unmaskLines counts the audit lines of 'districtd cases --full'.
func unmaskLines(t *testing.T, db string) []server.AdminAuditRecord {
	t.Helper()
	st, err := server.OpenSQLite(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	lines, _, err := server.New(st, server.Options{}).AdminAuditLines(context.Background(), server.AuditFilter{User: "districtd"})
	if err != nil {
		t.Fatal(err)
	}
	var out []server.AdminAuditRecord
	for _, l := range lines {
		if l.Action == "unmask" {
			out = append(out, l)
		}
	}
	return out
}

// The first serve makes the data key file beside the database, 0600, with
// a warning; the case commands need it and say which file is missing;
// 'cases list' masks the applicant unless --full, which is audited; the
// key file is rotated and the data key renewed; the file on disk never
// holds the ID number or mobile in clear.
func TestDataKeyCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "district.db")
	ok(t, "publish", "--db", db, content)
	keyFile := db + ".key"
	_, logs, stop := startServe(t, db, false, "", "")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "level=WARN msg=\"made a new data key file") || !strings.Contains(logs.String(), keyFile) {
		t.Fatalf("serve made no data key file, or said nothing:\n%s", logs)
	}
	if st, err := os.Stat(keyFile); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("the data key file: %v %v", st, err)
	}

	// A key file others can read is warned about.
	if err := os.Chmod(keyFile, 0o644); err != nil {
		t.Fatal(err)
	}
	_, logs, stop = startServe(t, db, false, "", "")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "data key file "+keyFile+" is mode 0644") {
		t.Fatalf("no warning for a key file others can read:\n%s", logs)
	}
	os.Chmod(keyFile, 0o600)

	const id, mobile = "440106199001011235", "13812345678"
	token := strings.TrimSpace(ok(t, "kiosk", "add", "--db", db, "--street", "440106005", "--name", "一号机"))
	ref := fileCases(t, db, token, data.Case{ID: "ap-1", Kind: data.CaseAppeal, Street: "440106005",
		SubmittedAt: time.Now(), AppealType: data.AppealHelp, Description: "路灯不亮",
		Applicant: &data.Person{Name: "欧阳明远", IDNumber: id, Mobile: mobile}})[0]

	out := ok(t, "cases", "--db", db, "list")
	a, _ := caseLines(t, out)["ap-1"]["applicant"].(map[string]any)
	if strings.Contains(out, id) || strings.Contains(out, mobile) || strings.Contains(out, "欧阳明远") ||
		a["mobile"] != data.MaskMobile(mobile) || a["id_number"] != data.MaskID(id) {
		t.Fatalf("cases list shows the applicant unmasked: %s", out)
	}
	if n := len(unmaskLines(t, db)); n != 0 {
		t.Fatalf("%d unmask audit lines for a masked list", n)
	}
	out = ok(t, "cases", "--db", db, "list", "--full")
	if !strings.Contains(out, id) || !strings.Contains(out, mobile) {
		t.Fatalf("cases list --full: %s", out)
	}
	if l := unmaskLines(t, db); len(l) != 1 || l[0].Target != ref || l[0].Street != "440106005" {
		t.Fatalf("the unmask audit of cases list --full: %+v", l)
	}

	// Without the key file: one line naming it; serve refuses too.
	other := filepath.Join(t.TempDir(), "other.key")
	fails(t, exitFail, "data key file "+other+" does not exist", "cases", "--db", db, "--datakey", other, "list")
	moved := keyFile + ".away"
	if err := os.Rename(keyFile, moved); err != nil {
		t.Fatal(err)
	}
	fails(t, exitFail, "data key file "+keyFile+" does not exist", "cases", "--db", db, "list")
	serveRefuses(t, db, "data key file "+keyFile+" does not exist, and the database's personal data is sealed")
	if _, err := os.Stat(keyFile); err == nil {
		t.Fatal("serve made a new key file for a sealed database")
	}
	if err := os.Rename(moved, keyFile); err != nil {
		t.Fatal(err)
	}

	// Rotation: the data key rewrapped with a new key file.
	next := filepath.Join(t.TempDir(), "next.key")
	if out := ok(t, "datakey", "rotate", "--db", db, "--new", next); !strings.Contains(out, "rewrapped 1 data key(s) with "+next) {
		t.Fatalf("rotate: %s", out)
	}
	fails(t, exitFail, "is not the one this database's data key is wrapped with", "cases", "--db", db, "list")
	if out := ok(t, "datakey", "rotate", "--db", db, "--datakey", next, "--reencrypt"); !strings.Contains(out, "sealed 1 case(s) under a new data key") {
		t.Fatalf("rotate --reencrypt: %s", out)
	}
	if out := ok(t, "cases", "--db", db, "--datakey", next, "list", "--full"); !strings.Contains(out, id) {
		t.Fatalf("after rotation: %s", out)
	}
	fails(t, exitFail, "exists", "datakey", "create", "--out", next)
	fails(t, exitUsage, "give --new FILE", "datakey", "rotate", "--db", db)

	b, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	if leaks := server.Leaks(b, id, mobile, "欧阳明远"); len(leaks) > 0 {
		t.Fatalf("the database file holds in clear: %q", leaks)
	}
}
