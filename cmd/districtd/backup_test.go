package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/internal/pgtest"
	"jiezhen/sync/server"
	"jiezhen/sync/wire"
)

// testAppeal is a resident's appeal as a kiosk pushes it.
func testAppeal(t *testing.T, id, street string) wire.PushItem {
	t.Helper()
	c := data.Case{ID: id, Kind: data.CaseAppeal, Street: street, Status: data.StatusSubmitted,
		SubmittedAt: time.Now().UTC(), AppealType: data.AppealComplaint, Description: "路灯不亮", Location: "六运三街",
		Applicant: &data.Person{Name: "王五", IDNumber: "440106199001011235", Mobile: "13800138000"}}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return wire.PushItem{ID: id, Kind: wire.ItemCase, Body: b}
}

// pushHTTP pushes items to the district at url as the token's kiosk.
func pushHTTP(url, token string, items ...wire.PushItem) (wire.PushResponse, error) {
	b, _ := json.Marshal(wire.PushRequest{Items: items})
	req, err := http.NewRequest(http.MethodPost, url+wire.PathPush, bytes.NewReader(b))
	if err != nil {
		return wire.PushResponse{}, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return wire.PushResponse{}, err
	}
	defer resp.Body.Close()
	var pr wire.PushResponse
	if err := json.NewDecoder(resp.Body).Decode(&pr); err != nil || resp.StatusCode != http.StatusOK {
		return pr, fmt.Errorf("push: %d %v", resp.StatusCode, err)
	}
	return pr, nil
}

// startServeProcess runs `districtd serve` as a real process on a free
// loopback port and returns its URL; it is stopped with SIGTERM when the
// test ends.
func startServeProcess(t *testing.T, args ...string) string {
	t.Helper()
	cmd := districtdCommand(withDataKey(append([]string{"serve", "--addr", "127.0.0.1:0"}, args...))...)
	logs := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	re := regexp.MustCompile(`url=(https?://\S+)/api/v1`)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if m := re.FindStringSubmatch(logs.String()); m != nil {
			return m[1]
		}
		select {
		case err := <-done:
			t.Fatalf("serve exited: %v\n%s", err, logs)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start:\n%s", logs)
		}
	}
}

// pushedBackup is what backupWhilePushing saw: the cases pushed before
// the backup began and by the time the pushers stopped, two a request,
// the kiosk's token, and its cursor after everything the live district
// held.
type pushedBackup struct {
	before, after int64
	token         string
	next          int64
}

// backupWhilePushing publishes the test content in db, serves it while
// three connections of one kiosk push two cases a request, and meanwhile
// runs `districtd backup --db db --out out` as a real process, which
// must say check and write out mode 0600.
func backupWhilePushing(t *testing.T, db, out, check string) pushedBackup {
	t.Helper()
	ok(t, "publish", "--db", db, content)
	const street = "440106005"
	token := strings.TrimSpace(ok(t, "kiosk", "add", "--db", db, "--street", street, "--name", "B1"))
	url := startServeProcess(t, "--db", db)

	var pushed atomic.Int64
	stopPush := make(chan struct{})
	var wg sync.WaitGroup
	var pushErr atomic.Value
	for w := range 3 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stopPush:
					return
				default:
				}
				items := []wire.PushItem{testAppeal(t, fmt.Sprintf("bk-%d-%d-a", w, i), street), testAppeal(t, fmt.Sprintf("bk-%d-%d-b", w, i), street)}
				if _, err := pushHTTP(url, token, items...); err != nil {
					pushErr.Store(err)
					return
				}
				pushed.Add(2)
			}
		})
	}
	for pushed.Load() < 40 {
		time.Sleep(5 * time.Millisecond)
	}
	before := pushed.Load()
	cmd := districtdCommand("backup", "--db", db, "--out", out)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err == nil {
		for n := pushed.Load(); pushed.Load() < n+40; {
			time.Sleep(5 * time.Millisecond)
		}
	}
	close(stopPush)
	wg.Wait()
	if err != nil {
		t.Fatalf("backup: %v\n%s", err, stderr.String())
	}
	if err := pushErr.Load(); err != nil {
		t.Fatal(err)
	}
	run := pushedBackup{before: before, after: pushed.Load(), token: token}
	// The kiosk's cursor after everything the live district has.
	var live wire.PullResponse
	for live.More || live.Next == 0 {
		status, body := get(t, url+wire.PathChanges+"?after="+strconv.FormatInt(live.Next, 10), token)
		live = wire.PullResponse{}
		if err := json.Unmarshal([]byte(body), &live); err != nil || status != http.StatusOK {
			t.Fatalf("pull: %d %s", status, body)
		}
	}
	run.next = live.Next
	if !strings.HasPrefix(stdout.String(), "backup: "+out+" (") || !strings.HasSuffix(stdout.String(), ", "+check+")\n") || stderr.Len() != 0 {
		t.Errorf("backup said %q, stderr %q", stdout.String(), stderr.String())
	}
	st, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v, want 0600", st.Mode().Perm())
	}
	return run
}

// checkCopy checks the district database cp restored from a backup that
// backupWhilePushing made: it holds the cases of one moment between the
// counts before and after the backup, each request's two, every
// kiosk connection's requests up to one and none after, each case with
// its ledger entry and its kiosk's view in the feed.
func checkCopy(t *testing.T, cp *sql.DB, run pushedBackup) {
	t.Helper()
	one := func(q string) int64 {
		t.Helper()
		var n int64
		if err := cp.QueryRowContext(context.Background(), q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	cases, ledger, views := one("SELECT count(*) FROM cases"), one("SELECT count(*) FROM ledger WHERE kind = 'case'"),
		one("SELECT count(*) FROM feed WHERE kind = 'case'")
	t.Logf("pushed %d before the backup, %d after it; the copy holds %d cases", run.before, run.after, cases)
	if cases < run.before || cases > run.after-40 || cases%2 != 0 {
		t.Errorf("the copy holds %d cases; %d were pushed before it began and %d by 40 after it ended, two a commit", cases, run.before, run.after)
	}
	if ledger != cases || views != cases {
		t.Errorf("the copy is not of one moment: %d cases, %d ledger entries, %d case views", cases, ledger, views)
	}
	if seq := one("SELECT value FROM counters WHERE name = 'seq'"); seq != one("SELECT max(seq) FROM feed") {
		t.Errorf("the copy's sequence %d is not its feed's last", seq)
	}
	rows, err := cp.Query("SELECT l.id FROM ledger l JOIN cases c ON c.id = l.id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	ids := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids[id] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	n := 0
	for w := range 3 {
		for i := 0; ids[fmt.Sprintf("bk-%d-%d-a", w, i)]; i++ {
			if !ids[fmt.Sprintf("bk-%d-%d-b", w, i)] {
				t.Errorf("the copy holds bk-%d-%d-a without the b its request carried", w, i)
			}
			n += 2
		}
	}
	if int64(n) != cases || len(ids) != n {
		t.Errorf("the copy holds %d cases, %d in the ledger, %d of them each kiosk connection's first requests in order", cases, len(ids), n)
	}
}

// checkRestored serves the restored database db with the data key file
// key: the district is ready, and tells the kiosk, whose cursor is past
// the restored feed, to fetch its street again.
func checkRestored(t *testing.T, db, key string, run pushedBackup) {
	t.Helper()
	rurl := startServeProcess(t, "--db", db, "--datakey", key)
	if status, body := get(t, rurl+"/readyz", ""); status != http.StatusOK {
		t.Fatalf("the restored district is not ready: %d %s", status, body)
	}
	var page wire.PullResponse
	status, body := get(t, rurl+wire.PathChanges+"?after="+strconv.FormatInt(run.next, 10), run.token)
	if err := json.Unmarshal([]byte(body), &page); err != nil || status != http.StatusOK || page.Reset == nil {
		t.Fatalf("a kiosk past the restored feed (cursor %d): %d %s", run.next, status, body)
	}
}

// districtd backup copies the database of a running serve while kiosks
// push: the copy passes quick_check, is 0600, and holds exactly the
// cases committed at one moment between the counts before and after it,
// each with its ledger entry and its kiosk's view in the feed.
func TestBackupWhileServing(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "district.db")
	out := filepath.Join(dir, "backup.db")
	run := backupWhilePushing(t, db, out, "quick_check ok")

	cp, err := sql.Open("sqlite", "file:"+out+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	var check string
	if err := cp.QueryRow("PRAGMA quick_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("quick_check of the copy: %q %v", check, err)
	}
	var v int
	if err := cp.QueryRow("PRAGMA user_version").Scan(&v); err != nil || v < 10 {
		t.Errorf("the copy's schema version is %d (%v)", v, err)
	}
	checkCopy(t, cp, run)
	// Restored (docs/DEPLOY.md, "Backups and restore"): a district served
	// from a copy of the backup, with its data key file.
	restored := filepath.Join(dir, "restored", "district.db")
	if err := os.MkdirAll(filepath.Dir(restored), 0o700); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(restored, b, 0o600); err != nil {
		t.Fatal(err)
	}
	checkRestored(t, restored, db+".key", run)

	// Never over a file; nothing created on a refusal.
	st, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	fails(t, 1, "exists; a backup never overwrites a file", "backup", "--db", db, "--out", out)
	if st2, _ := os.Stat(out); st2.Size() != st.Size() || !st2.ModTime().Equal(st.ModTime()) {
		t.Errorf("a refused backup changed %s", out)
	}
	missing := filepath.Join(dir, "none.db")
	fails(t, 1, "database "+missing+" does not exist", "backup", "--db", missing, "--out", filepath.Join(dir, "b2.db"))
	fails(t, 2, "missing --out", "backup", "--db", db)
	onlyFiles(t, dir, "backup.db", "district.db", "district.db-shm", "district.db-wal", "district.db.key", "restored")
}

// onlyFiles fails t unless dir holds exactly the files named.
func onlyFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	slices.Sort(names)
	if !slices.Equal(got, names) {
		t.Errorf("%s holds %q, want %q", dir, got, names)
	}
}

// On PostgreSQL, districtd backup runs pg_dump while kiosks push. The
// dump, restored as docs/DEPLOY.md says (pg_restore into an empty
// database its owner restores, a role without superuser rights), holds
// the cases of one moment, serves, and opens every resident's personal
// data with the district's data key file; the dump itself, read as SQL,
// holds no name, ID number or mobile in clear. Another key file is
// refused, and so is a second restore into the same database. The
// URL's password reaches pg_dump only in its environment, and never an
// error. A missing pg_dump and a bad URL fail in one line and leave no
// file.
func TestBackupWhileServingPostgres(t *testing.T) {
	db := pgDB(t)
	key := dataKeyFile(db)
	dir := t.TempDir()
	out := filepath.Join(dir, "district.dump")
	run := backupWhilePushing(t, db, out, "pg_dump custom format, pg_restore --list ok")

	// An empty database owned by a role of its own, which restores the
	// dump and then serves it.
	empty := pgtest.EmptyURL(t)
	u, err := url.Parse(empty)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	role := "owner_" + name
	admin, err := sql.Open("pgx", empty)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"CREATE ROLE " + role + " LOGIN NOSUPERUSER", "ALTER DATABASE " + name + " OWNER TO " + role} {
		if _, err := admin.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	admin.Close()
	const password = "s3cret-Pw9"
	u.User = url.UserPassword(role, password)
	restored := u.String()
	u.User = url.User(role)
	cmd := exec.Command("pg_restore", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", "--dbname="+u.String(), out)
	cmd.Env = append(os.Environ(), "PGPASSWORD="+password)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pg_restore: %v\n%s", err, b)
	}
	cp, err := sql.Open("pgx", restored)
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	checkCopy(t, cp, run)
	var cases int
	if err := cp.QueryRow("SELECT count(*) FROM cases").Scan(&cases); err != nil {
		t.Fatal(err)
	}
	cp.Close()
	checkRestored(t, restored, key, run)
	// Every case's applicant opens with the data key file.
	list := lines(ok(t, "cases", "--db", restored, "--datakey", key, "list", "--full"))
	if len(list) != cases {
		t.Fatalf("cases list --full on the restored database: %d lines, %d cases", len(list), cases)
	}
	want := testAppeal(t, "x", "440106005")
	var c data.Case
	if err := json.Unmarshal(want.Body, &c); err != nil {
		t.Fatal(err)
	}
	for _, l := range list {
		var got caseLine
		if err := json.Unmarshal([]byte(l), &got); err != nil || got.Applicant == nil ||
			got.Applicant.Name != c.Applicant.Name || got.Applicant.IDNumber != c.Applicant.IDNumber || got.Applicant.Mobile != c.Applicant.Mobile {
			t.Fatalf("a restored case reads %s (%v)", l, err)
		}
	}

	// Another key file is refused, naming the key the database needs; a
	// second restore into the database, no longer empty, changes nothing.
	other := filepath.Join(t.TempDir(), "other.key")
	ok(t, "datakey", "create", "--out", other)
	fails(t, 1, "is not the one this database's data key is wrapped with", "cases", "--db", restored, "--datakey", other, "list")
	cmd = exec.Command("pg_restore", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", "--dbname="+u.String(), out)
	cmd.Env = append(os.Environ(), "PGPASSWORD="+password)
	if b, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(b), "already exists") {
		t.Errorf("pg_restore into a database that is not empty: %v\n%s", err, b)
	}
	if n := len(lines(ok(t, "cases", "--db", restored, "--datakey", key, "list"))); n != cases {
		t.Errorf("after a refused second restore, %d cases, want %d", n, cases)
	}

	// The dump as SQL: every case is in it, no personal data in clear.
	asSQL, err := exec.Command("pg_restore", "--file=-", out).Output()
	if err != nil {
		t.Fatalf("pg_restore --file=-: %v", err)
	}
	if !bytes.Contains(asSQL, []byte("bk-0-0-a")) || !bytes.Contains(asSQL, []byte("COPY public.cases ")) {
		t.Fatalf("the dump as SQL lacks the cases:\n%.2000s", asSQL)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if leaks := server.Leaks(append(raw, asSQL...), c.Applicant.Name, c.Applicant.IDNumber, c.Applicant.Mobile); len(leaks) > 0 {
		t.Fatalf("the dump holds in clear: %q", leaks)
	}

	// A backup of the restored database, as its owner with a password in
	// the URL: pg_dump (a wrapper noting its arguments and environment
	// before it runs the real one) gets the password in PGPASSWORD only.
	realDump, err := exec.LookPath("pg_dump")
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	script := fmt.Sprintf("#!/bin/sh\nprintf '%%s\\n' \"$@\" > %s/args\nprintf '%%s' \"$PGPASSWORD\" > %s/pgpassword\nexec %s \"$@\"\n", bin, bin, realDump)
	if err := os.WriteFile(filepath.Join(bin, "pg_dump"), []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	again := filepath.Join(dir, "restored.dump")
	if got := ok(t, "backup", "--db", restored, "--out", again); !strings.HasPrefix(got, "backup: "+again) {
		t.Errorf("backup of the restored database said %q", got)
	}
	args, _ := os.ReadFile(filepath.Join(bin, "args"))
	env, _ := os.ReadFile(filepath.Join(bin, "pgpassword"))
	if bytes.Contains(args, []byte(password)) || !bytes.Contains(args, []byte("--dbname=postgres://"+role+"@")) || string(env) != password {
		t.Errorf("pg_dump ran with arguments %q and PGPASSWORD %q", args, env)
	}

	// Refusals: one line, no password, no file.
	noDB := *u
	noDB.User = url.UserPassword(role, password)
	noDB.Path = "/no_such_database"
	for _, c := range []struct{ db, out, want string }{
		{db, out, "exists; a backup never overwrites a file"},
		{noDB.String(), filepath.Join(dir, "b1.dump"), `pg_dump: error: connection to server on socket`},
		{noDB.String(), filepath.Join(dir, "b1.dump"), `database "no_such_database" does not exist`},
		{"postgres://" + role + ":" + password + "@%zz/district", filepath.Join(dir, "b2.dump"), "the database URL does not parse"},
	} {
		code, stdout, stderr := districtd(t, "backup", "--db", c.db, "--out", c.out)
		if code != 1 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, c.want) || strings.Contains(stderr, password) {
			t.Errorf("backup --db %s: exit %d, stdout %q, stderr %q; want one line saying %q", server.RedactURL(c.db), code, stdout, stderr, c.want)
		}
	}
	t.Setenv("PATH", t.TempDir())
	fails(t, 1, "pg_dump is not in PATH", "backup", "--db", db, "--out", filepath.Join(dir, "b3.dump"))
	onlyFiles(t, dir, "district.dump", "restored.dump")
}
