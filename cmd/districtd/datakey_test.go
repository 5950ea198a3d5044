package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/sync/server"
	"jiezhen/sync/wire"
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

// Cases filed through every channel of a running district, a kiosk's
// push, the website's form, Open311 and an outbox imported from a USB
// drive, leave no ID number, mobile or name in clear in the database
// file or its -wal, while 'cases list --full' reads them all.
func TestNoPersonalDataOnDisk(t *testing.T) {
	db := published(t)
	const street = "440106005"
	token := strings.TrimSpace(ok(t, "kiosk", "add", "--db", db, "--street", street, "--name", "一号机"))
	apiKey := strings.TrimSpace(ok(t, "apikey", "add", "--db", db, "--name", "12345 热线"))
	outboxKey := filepath.Join(t.TempDir(), "outbox.key")
	recipient := strings.TrimSpace(ok(t, "outbox-key", "--out", outboxKey))
	type person struct{ name, id, mobile string }
	kiosk := person{"欧阳明远", "440106199001011235", "13811112222"}
	usb := person{"司马长风", "11010519491231002X", "13933334444"}
	web := person{"诸葛春华", "", "13755556666"}
	o311 := person{"上官秋月", "", "13677778888"}
	appeal := func(id string, p person) wire.PushItem {
		c := data.Case{ID: id, Kind: data.CaseAppeal, Street: street, Status: data.StatusSubmitted, SubmittedAt: time.Now(),
			AppealType: data.AppealHelp, Description: "路灯不亮", Applicant: &data.Person{Name: p.name, IDNumber: p.id, Mobile: p.mobile}}
		b, _ := json.Marshal(c)
		return wire.PushItem{ID: id, Kind: wire.ItemCase, Body: b}
	}

	base, _, stop := startServe(t, db, false, "", "")
	post := func(path, contentType string, body []byte, auth string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("POST", base+path, bytes.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		if auth != "" {
			req.Header.Set("Authorization", "Bearer "+auth)
		}
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	push, _ := json.Marshal(wire.PushRequest{Items: []wire.PushItem{appeal("ap-kiosk", kiosk)}})
	if resp := post(wire.PathPush, "application/json", push, token); resp.StatusCode != 200 {
		t.Fatalf("push: %s", resp.Status)
	}
	resp, err := http.Get(base + "/s/" + street + "/appeal")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := formIDInput.FindStringSubmatch(string(page))
	if m == nil {
		t.Fatal("the appeal form has no form id")
	}
	form := url.Values{"form_id": {m[1]}, "appeal_type": {"help"}, "category": {data.AppealCategories[0]},
		"description": {"小区门口路灯不亮"}, data.CodeApplicantName: {web.name}, data.CodeMobile: {web.mobile}}
	if resp := post("/s/"+street+"/appeal", "application/x-www-form-urlencoded", []byte(form.Encode()), ""); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the website's appeal form: %s", resp.Status)
	}
	form = url.Values{"api_key": {apiKey}, "jurisdiction_id": {street}, "service_code": {"appeal-help"},
		"description": {"楼道堆放杂物"}, "address_string": {"天河南一路12号"}, "attribute[public]": {"no"}, "last_name": {o311.name[:len("上官")]}, "first_name": {o311.name[len("上官"):]}, "phone": {o311.mobile}}
	if resp := post("/open311/v2/requests.json", "application/x-www-form-urlencoded", []byte(form.Encode()), ""); resp.StatusCode != 200 {
		t.Fatalf("open311: %s", resp.Status)
	}
	ok(t, "import-outbox", "--db", db, "--identity", outboxKey, outboxFile(t, recipient, token, street, appeal("ap-usb", usb)))

	var secrets []string
	for _, p := range []person{kiosk, usb, web, o311} {
		secrets = append(secrets, p.name, p.mobile)
		if p.id != "" {
			secrets = append(secrets, p.id)
		}
	}
	onDisk := func(when string) {
		t.Helper()
		if leaks := server.Leaks(dbFileBytes(t, db), secrets...); len(leaks) > 0 {
			t.Fatalf("%s, the database files hold in clear: %q", when, leaks)
		}
	}
	onDisk("while serving")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	onDisk("after serving")
	out := ok(t, "cases", "--db", db, "list", "--full")
	if n := len(lines(out)); n != 4 {
		t.Fatalf("%d cases, want 4:\n%s", n, out)
	}
	for _, s := range secrets {
		if !strings.Contains(out, s) {
			t.Errorf("cases list --full lacks %q", s)
		}
	}
}

// dbFileBytes is an SQLite database file and its -wal as they are on
// disk.
func dbFileBytes(t *testing.T, db string) []byte {
	t.Helper()
	var b []byte
	for _, f := range []string{db, db + "-wal"} {
		fb, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		b = append(b, fb...)
	}
	return b
}

// An admin enrolled on a running district: neither the database file nor
// its -wal holds the TOTP key in clear, and after 'datakey rotate --new
// --reencrypt' the admin signs in on a serve given the new key file.
func TestTOTPKeyAcrossRotation(t *testing.T) {
	db := filepath.Join(t.TempDir(), "district.db")
	ok(t, "publish", "--db", db, content)
	base, _, stop := startServeWith(t, serveConfig{db: db})
	link, err := url.Parse(strings.TrimSpace(ok(t, "user", "add", "--db", db, "--name", "区管理员", "--role", "admin")))
	if err != nil {
		t.Fatal(err)
	}
	secret, cl := enrolByHTTP(t, base, link.Path)
	if leaks := server.Leaks(dbFileBytes(t, db), secret); len(leaks) > 0 {
		t.Fatal("while serving, the database files hold the TOTP key in clear")
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	next := filepath.Join(t.TempDir(), "next.key")
	if out := ok(t, "datakey", "rotate", "--db", db, "--new", next, "--reencrypt"); !strings.Contains(out, "sealed 0 case(s) under a new data key") {
		t.Fatalf("rotate: %s", out)
	}
	base, _, stop = startServeWith(t, serveConfig{db: db, datakey: next})
	defer stop()
	signInByHTTP(t, cl, base, "区管理员", secret, time.Now().Add(30*time.Second))
	if leaks := server.Leaks(dbFileBytes(t, db), secret); len(leaks) > 0 {
		t.Fatal("after the rotation, the database files hold the TOTP key in clear")
	}
}
