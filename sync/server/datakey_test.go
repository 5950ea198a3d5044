package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/sync/wire"
)

// resident is one test applicant with personal data of their own.
type resident struct {
	name, id, mobile string
}

// residents returns n residents with valid, distinct ID numbers and
// mobiles that occur nowhere else in the test data.
func residents(t testing.TB, n int) []resident {
	t.Helper()
	today := data.DateOf(time.Date(2026, 11, 25, 12, 0, 0, 0, china))
	var out []resident
	for i := 0; len(out) < n; i++ {
		body := fmt.Sprintf("44010619850%d0%d%03d", 1+i%9, 1+i%9, 317+i)
		for _, check := range "0123456789X" {
			id := body + string(check)
			if data.ValidateIDNumber(id, today) == nil {
				out = append(out, resident{name: "欧阳明" + string(rune('甲'+i)), id: id, mobile: fmt.Sprintf("1398765%04d", 4321+i*1111)})
				break
			}
		}
		if i > 1000 {
			t.Fatal("no valid ID numbers")
		}
	}
	return out
}

func (r resident) appeal(t testing.TB, id string) wire.PushItem {
	c := data.Case{ID: id, Kind: data.CaseAppeal, Street: streetA, Status: data.StatusSubmitted,
		SubmittedAt: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC), AppealType: data.AppealComplaint,
		Description: "楼下噪音扰民", Location: "六运三街22号",
		Applicant: &data.Person{Name: r.name, IDNumber: r.id, Mobile: r.mobile, Address: "六运三街22号" + r.id[14:] + "室"}}
	return wire.PushItem{ID: id, Kind: wire.ItemCase, Body: mustJSON(t, c)}
}

func (r resident) secrets() []string { return []string{r.name, r.id, r.mobile} }

// useKey gives the platform a new key file.
func useKey(t testing.TB, p *Platform) *KeyFile {
	t.Helper()
	kf, err := NewKeyFile(filepath.Join(t.TempDir(), "district.key"))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.UseKeyFile(context.Background(), kf); err != nil {
		t.Fatal(err)
	}
	return kf
}

// fileEveryWay files one case of each resident through a kiosk's push,
// its outbox on a USB drive, the website and Open311, in that order, and
// an opinion with the last one's name and mobile; it returns the refs.
func (e *env) fileEveryWay(rs []resident) []string {
	t := e.t
	ctx := context.Background()
	var refs []string
	res := e.push(e.tokA1, rs[0].appeal(t, "case-kiosk"))
	refs = append(refs, res.Results[0].Ref)
	imp, err := e.p.ImportOutbox(ctx, e.tokA1, streetA, []wire.PushItem{rs[1].appeal(t, "case-usb")})
	if err != nil || imp.Accepted != 1 {
		t.Fatalf("usb: %+v %v", imp, err)
	}
	web := rs[2].appeal(t, WebPrefix+"0123456789abcdef0123456789abcdef")
	wr, err := e.p.FileFromWeb(ctx, streetA, web.Kind, web.ID, web.Body)
	if err != nil || wr.Outcome != wire.Accepted {
		t.Fatalf("web: %+v %v", wr, err)
	}
	key, _, err := e.p.AddAPIKey(ctx, "12345 hotline")
	if err != nil {
		t.Fatal(err)
	}
	var c data.Case
	if err := jsonDecode(rs[3].appeal(t, "x").Body, &c); err != nil {
		t.Fatal(err)
	}
	or, err := e.p.FileOpen311(ctx, key, streetA, c, "idem-1")
	if err != nil || or.Outcome != wire.Accepted {
		t.Fatalf("open311: %+v %v", or, err)
	}
	o := data.Opinion{ID: "op-1", Consultation: "zj-a", Topic: "t1", Text: "希望增加座椅", Name: rs[3].name, Mobile: rs[3].mobile, At: time.Now()}
	e.push(e.tokA1, wire.PushItem{ID: o.ID, Kind: wire.ItemOpinion, Body: mustJSON(t, o)})
	// The kiosk's own refs come from its case; the others from the
	// district's series.
	all, err := e.p.Cases(ctx, CaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	refs = refs[:0]
	for _, r := range all {
		refs = append(refs, r.Case.Ref)
	}
	return refs
}

// fileBytes is the database file and its -wal as they are on disk.
func fileBytes(t testing.TB, path string) []byte {
	t.Helper()
	var out []byte
	for _, f := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(f)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		out = append(out, b...)
	}
	return out
}

// stored is all the database holds: its files on SQLite; on PostgreSQL,
// the pg_dump that districtd backup writes (Backup), printed as SQL by
// pg_restore.
func (e *env) stored() []byte {
	e.t.Helper()
	if e.url == "" {
		return fileBytes(e.t, e.path)
	}
	dump := filepath.Join(e.t.TempDir(), "district.dump")
	if err := Backup(context.Background(), e.url, dump); err != nil {
		e.t.Fatal(err)
	}
	out, err := exec.Command("pg_restore", "--file=-", dump).Output()
	if err != nil {
		e.t.Fatalf("pg_restore --file=- %s: %v", dump, err)
	}
	if !bytes.Contains(out, []byte("COPY public.cases ")) {
		e.t.Fatalf("the dump as SQL holds no cases:\n%.2000s", out)
	}
	return out
}

// checkReadable checks that the platform reads every resident's case
// back in clear and that tracking finds each by its mobile's last four
// digits, and no other.
func (e *env) checkReadable(rs []resident) {
	t := e.t
	ctx := context.Background()
	all, err := e.p.Cases(ctx, CaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(rs) {
		t.Fatalf("%d cases, want %d", len(all), len(rs))
	}
	for i, rec := range all {
		a, r := rec.Case.Applicant, rs[i]
		if a == nil || a.Name != r.name || a.IDNumber != r.id || a.Mobile != r.mobile || !strings.HasSuffix(a.Address, "室") {
			t.Fatalf("case %s reads back as %+v, want %+v", rec.Case.Ref, a, r)
		}
		tr, err := e.p.Track(ctx, rec.Case.Ref, r.mobile[7:], "198.51.100.7")
		if err != nil || tr.Case.Applicant.IDNumber != r.id || tr.Contact == "" {
			t.Fatalf("track %s: %+v %v", rec.Case.Ref, tr, err)
		}
		if _, err := e.p.Track(ctx, rec.Case.Ref, "0000", "198.51.100.7"); !errors.Is(err, ErrTrackNoMatch) {
			t.Fatalf("track %s with wrong digits: %v", rec.Case.Ref, err)
		}
	}
}

// Names, ID numbers and mobiles filed by every channel are on disk only
// sealed: the database file and its -wal hold none of them in clear,
// while the platform reads them back and tracking finds the cases.
func TestPersonalDataSealedAtRest(t *testing.T) {
	e := newEnv(t)
	useKey(t, e.p)
	rs := residents(t, 4)
	e.fileEveryWay(rs)
	e.checkReadable(rs)
	var secrets []string
	for _, r := range rs {
		secrets = append(secrets, r.secrets()...)
	}
	if leaks := Leaks(e.stored(), secrets...); len(leaks) > 0 {
		t.Fatalf("the database files hold in clear: %q", leaks)
	}
	if n := e.query("SELECT count(*) FROM cases WHERE phone4_hash = ''"); n != 0 {
		t.Fatalf("%d cases without the keyed hash of their mobile", n)
	}
	// A ciphertext moved to another row does not open.
	move := `UPDATE cases SET doc = json_set(doc, '$.applicant.id_number',
			(SELECT json_extract(doc, '$.applicant.id_number') FROM cases WHERE id = 'case-usb')) WHERE id = 'case-kiosk'`
	if e.url != "" {
		move = `UPDATE cases SET doc = jsonb_set(doc::jsonb, '{applicant,id_number}',
			(SELECT doc::jsonb->'applicant'->'id_number' FROM cases WHERE id = 'case-usb'))::text WHERE id = 'case-kiosk'`
	}
	err := e.st.Write(context.Background(), func(tx Tx) error {
		return tx.(*sqlTx).exec(move)
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.p.Cases(context.Background(), CaseFilter{}); err == nil || !strings.Contains(err.Error(), "applicant.id_number of case:case-kiosk does not decrypt") {
		t.Fatalf("a ciphertext moved between rows: %v", err)
	}
}

// A value that looks sealed is sealed like any other: a resident whose
// name is typed as a sealed value reads back as typed, and the cases
// around it still read.
func TestSealedLookalike(t *testing.T) {
	e := newEnv(t)
	useKey(t, e.p)
	r := residents(t, 1)[0]
	r.name = "jzpd1:" + e.p.keys.current + ":AAAA"
	e.push(e.tokA1, r.appeal(t, "case-lookalike"))
	e.checkReadable([]resident{r})
}

// Leaks finds a secret in clear, and as JSON's \u escapes write it.
func TestLeaks(t *testing.T) {
	dump := []byte(`INSERT ... '{"name":"\u6b27\u9633"}' 13987654321`)
	got := Leaks(dump, "13987654321", "欧阳", "440106")
	if len(got) != 2 || got[0] != "13987654321" || got[1] != "欧阳" {
		t.Fatalf("Leaks = %q", got)
	}
}

// A database written before personal data was sealed is sealed in place
// on its first open with a key file: its rows hold no personal data in
// clear, the platform reads them back, tracking works, rate limit
// included, and the next open finds nothing left to seal.
func TestSealExistingDatabase(t *testing.T) {
	e := newEnv(t) // no key file: cases are stored as before sealing
	rs := residents(t, 4)
	refs := e.fileEveryWay(rs)
	var secrets []string
	for _, r := range rs {
		secrets = append(secrets, r.secrets()...)
	}
	docs := func() []byte {
		var b []byte
		err := e.st.Read(context.Background(), func(tx ReadTx) error {
			rows, err := tx.(*sqlTx).query("SELECT doc FROM cases UNION ALL SELECT doc FROM opinions")
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var d string
				if err := rows.Scan(&d); err != nil {
					return err
				}
				b = append(b, d...)
			}
			return rows.Err()
		})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if len(Leaks(docs(), secrets...)) == 0 {
		t.Fatal("the database before sealing holds no personal data: the test proves nothing")
	}
	// As the districtd before sealing left it: the schema version before
	// the keyed hash's column (and without what later migrations add: the
	// reports' tables and the tracking tokens'), then opened again.
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	before := slices.IndexFunc(names, func(n string) bool { return strings.Contains(n, "_phone4_hash") })
	if before < 0 {
		t.Fatal("no phone4_hash migration")
	}
	ctx := context.Background()
	err = e.st.Write(ctx, func(tx Tx) error {
		for _, q := range []string{"ALTER TABLE cases DROP COLUMN phone4_hash",
			"DROP TABLE case_facts", "DROP TABLE content_log", "DROP TABLE kiosk_days", "DROP TABLE track_grants",
			"DELETE FROM settings WHERE name = 'report_facts_backfill'",
			"DROP INDEX cases_queue_department", "ALTER TABLE cases DROP COLUMN department",
			"ALTER TABLE users DROP COLUMN department", "ALTER TABLE departments DROP COLUMN intake"} {
			if err := tx.(*sqlTx).exec(q); err != nil {
				return err
			}
		}
		if e.url != "" {
			return tx.(*sqlTx).exec("UPDATE schema_version SET version = ?", before)
		}
		return tx.(*sqlTx).exec(fmt.Sprintf("PRAGMA user_version = %d", before))
	})
	if err != nil {
		t.Fatal(err)
	}
	e.srv.Close()
	e.st.Close()
	if e.url != "" {
		e.st, err = OpenPostgres(ctx, e.url)
	} else {
		e.st, err = OpenSQLite(ctx, e.path)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.st.Close() })
	e.p = New(e.st, Options{Now: e.clock.Now, Log: e.p.log})
	defer func(n int) { sealBatch = n }(sealBatch)
	sealBatch = 3 // two pages of cases
	kf := useKey(t, e.p)
	if leaks := Leaks(docs(), secrets...); len(leaks) > 0 {
		t.Fatalf("after sealing in place the cases hold in clear: %q", leaks)
	}
	e.checkReadable(rs)
	for range TrackMaxFailures {
		e.p.Track(context.Background(), refs[0], "0000", "203.0.113.9")
	}
	if _, err := e.p.Track(context.Background(), refs[0], rs[0].mobile[7:], "203.0.113.9"); !errors.Is(err, ErrTrackLimited) {
		t.Fatalf("after %d failures: %v, want the limit", TrackMaxFailures, err)
	}
	// A second platform on the same store with the same key file seals
	// nothing more.
	p2 := New(e.st, Options{Now: e.clock.Now})
	if err := p2.UseKeyFile(context.Background(), kf); err != nil {
		t.Fatal(err)
	}
	if n, err := p2.SealAll(context.Background()); err != nil || n != 0 {
		t.Fatalf("sealed again: %d %v", n, err)
	}
}

// Rotation: the data key rewrapped under a new key file opens with it
// and not with the old one; a new data key re-encrypts every case, and
// tracking still works.
func TestDataKeyRotation(t *testing.T) {
	e := newEnv(t)
	old := useKey(t, e.p)
	rs := residents(t, 4)
	e.fileEveryWay(rs)
	next, err := NewKeyFile(filepath.Join(t.TempDir(), "next.key"))
	if err != nil {
		t.Fatal(err)
	}
	if n, err := RewrapDataKeys(context.Background(), e.st, old, next); err != nil || n != 1 {
		t.Fatalf("rewrap: %d %v", n, err)
	}
	if err := New(e.st, Options{}).UseKeyFile(context.Background(), old); err == nil || !strings.Contains(err.Error(), "is not the one this database's data key is wrapped with") {
		t.Fatalf("the old key file after rewrapping: %v", err)
	}
	p := New(e.st, Options{Now: e.clock.Now})
	if err := p.UseKeyFile(context.Background(), next); err != nil {
		t.Fatal(err)
	}
	first := p.keys.current
	n, err := p.NewDataKey(context.Background(), next)
	if err != nil || n != len(rs) {
		t.Fatalf("new data key: sealed %d %v", n, err)
	}
	if got := e.query("SELECT count(*) FROM cases WHERE doc LIKE '%jzpd1:" + first + ":%' OR phone4_hash LIKE '" + first + ":%'"); got != 0 {
		t.Fatalf("%d cases still under the first data key", got)
	}
	e.p = p
	e.checkReadable(rs)
}

// Without the data key a sealed case is refused with ErrNoDataKey, a new
// one is not stored, and
// the public lists, which never hold personal data, still read.
func TestNoDataKey(t *testing.T) {
	e := newEnv(t)
	useKey(t, e.p)
	e.fileEveryWay(residents(t, 4))
	p := New(e.st, Options{Now: e.clock.Now})
	if _, err := p.Cases(context.Background(), CaseFilter{}); !errors.Is(err, ErrNoDataKey) {
		t.Fatalf("cases without the key: %v", err)
	}
	// Nor is a new case stored in clear beside the sealed ones.
	_, err := p.Push(context.Background(), e.a1, &wire.PushRequest{Items: []wire.PushItem{residents(t, 1)[0].appeal(t, "case-nokey")}})
	if !errors.Is(err, ErrNoDataKey) {
		t.Fatalf("a push without the key: %v", err)
	}
	if _, err := p.PublicAppeals(context.Background(), streetA, "", false); err != nil {
		t.Fatalf("public appeals without the key: %v", err)
	}
}

// signInAs signs name in on p with the next code of secret.
func (e *env) signInAs(p *Platform, name, secret string) User {
	e.t.Helper()
	e.clock.Add(30 * time.Second) // a code is taken once
	u, err := p.SignIn(context.Background(), name, goodPassword, e.code(secret))
	if err != nil {
		e.t.Fatalf("sign in %s: %v", name, err)
	}
	return u
}

// totpColumns is what the users table holds of TOTP keys, as stored.
func (e *env) totpColumns() []byte {
	e.t.Helper()
	var b []byte
	err := e.st.Read(context.Background(), func(tx ReadTx) error {
		rows, err := tx.(*sqlTx).query("SELECT totp_secret, enrol_totp FROM users")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s, en string
			if err := rows.Scan(&s, &en); err != nil {
				return err
			}
			b = append(b, s+" "+en+"\n"...)
		}
		return rows.Err()
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

// The back office's TOTP keys, an enrolled user's and one offered to an
// enrolment still open, are on disk only sealed; signing in and enrolling
// work, and go on working after a new key file and a new data key, which
// seals them again; without the key file, sign-in is refused as such.
func TestTOTPSealedAtRest(t *testing.T) {
	e := newEnv(t)
	old := useKey(t, e.p)
	ctx := context.Background()
	admin, secret := e.enrol("王管理", RoleAdmin)
	_, tok, err := e.p.AddUser(ctx, "李监察", []Role{RoleInspector}, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	pending, err := e.p.Enrolment(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.p.EnrolPassword(ctx, tok, goodPassword); err != nil {
		t.Fatal(err)
	}
	secrets := []string{secret, pending.Secret}
	if leaks := Leaks(e.stored(), secrets...); len(leaks) > 0 {
		t.Fatalf("the database holds TOTP keys in clear: %q", leaks)
	}
	if got := e.signInAs(e.p, "王管理", secret); got.ID != admin.ID {
		t.Fatalf("signed in as %+v", got)
	}

	next, err := NewKeyFile(filepath.Join(t.TempDir(), "next.key"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := RewrapDataKeys(ctx, e.st, old, next); err != nil {
		t.Fatal(err)
	}
	p := New(e.st, Options{Now: e.clock.Now})
	if err := p.UseKeyFile(ctx, next); err != nil {
		t.Fatal(err)
	}
	e.signInAs(p, "王管理", secret)
	first := p.keys.current
	if _, err := p.NewDataKey(ctx, next); err != nil {
		t.Fatal(err)
	}
	if n := e.query("SELECT count(*) FROM users WHERE totp_secret LIKE 'jzpd1:" + first + ":%' OR enrol_totp LIKE 'jzpd1:" + first + ":%'"); n != 0 {
		t.Fatalf("%d users' TOTP keys still under the first data key", n)
	}
	if n := e.query("SELECT count(*) FROM users WHERE totp_secret LIKE 'jzpd1:" + p.keys.current + ":%' OR enrol_totp LIKE 'jzpd1:" + p.keys.current + ":%'"); n != 2 {
		t.Fatalf("%d users' TOTP keys under the new data key, want 2", n)
	}
	e.signInAs(p, "王管理", secret)
	if again, err := p.Enrolment(ctx, tok); err != nil || again.Secret != pending.Secret {
		t.Fatalf("the open enrolment after rotation: %v, same key %v", err, again.Secret == pending.Secret)
	}
	if _, err := p.EnrolConfirm(ctx, tok, e.code(pending.Secret)); err != nil {
		t.Fatalf("enrolment after rotation: %v", err)
	}
	e.signInAs(p, "李监察", pending.Secret)
	if leaks := Leaks(e.stored(), secrets...); len(leaks) > 0 {
		t.Fatalf("after rotation the database holds TOTP keys in clear: %q", leaks)
	}

	// Without the key file: accounts list, and sign-in says why it cannot.
	keyless := New(e.st, Options{Now: e.clock.Now})
	if users, err := keyless.Users(ctx); err != nil || len(users) != 2 {
		t.Fatalf("users without the key file: %d %v", len(users), err)
	}
	e.clock.Add(30 * time.Second)
	if _, err := keyless.SignIn(ctx, "王管理", goodPassword, e.code(secret)); !errors.Is(err, ErrNoDataKey) {
		t.Fatalf("sign-in without the key file: %v", err)
	}
}

// A database sealed before TOTP keys were (they are in clear in its users
// table, as an older districtd wrote them) has them sealed at its next
// open with the key file; the users sign in and enrol as before.
func TestSealExistingTOTP(t *testing.T) {
	e := newEnv(t)
	kf := useKey(t, e.p)
	ctx := context.Background()
	_, secret := e.enrol("王管理", RoleAdmin)
	_, tok, err := e.p.AddUser(ctx, "李监察", []Role{RoleInspector}, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	pending, err := e.p.Enrolment(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	// The rows as an older districtd left them: the keys in clear,
	// written by the engine under the sealing layer.
	var list []Account
	if err := e.p.store.Read(ctx, func(tx ReadTx) (err error) { list, err = tx.Accounts(); return err }); err != nil {
		t.Fatal(err)
	}
	err = e.st.Write(ctx, func(raw Tx) error {
		for _, a := range list {
			if err := raw.PutAccount(a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{secret, pending.Secret}
	if len(Leaks(e.totpColumns(), secrets...)) != 2 {
		t.Fatal("the TOTP keys are not in clear before the open: the test proves nothing")
	}
	p := New(e.st, Options{Now: e.clock.Now})
	if err := p.UseKeyFile(ctx, kf); err != nil {
		t.Fatal(err)
	}
	if leaks := Leaks(e.totpColumns(), secrets...); len(leaks) > 0 {
		t.Fatalf("after the open the users table holds in clear: %q", leaks)
	}
	e.signInAs(p, "王管理", secret)
	if err := p.EnrolPassword(ctx, tok, goodPassword); err != nil {
		t.Fatal(err)
	}
	if _, err := p.EnrolConfirm(ctx, tok, e.code(pending.Secret)); err != nil {
		t.Fatalf("an enrolment begun before the open: %v", err)
	}
	e.signInAs(p, "李监察", pending.Secret)
}
