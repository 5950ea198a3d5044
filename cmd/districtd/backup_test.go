package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"jiezhen/data"
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

// districtd backup copies the database of a running serve while kiosks
// push: the copy passes quick_check, is 0600, and holds exactly the
// cases committed at one moment between the counts before and after it,
// each with its ledger entry and its kiosk's view in the feed.
func TestBackupWhileServing(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "district.db")
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
	out := filepath.Join(dir, "backup.db")
	cmd := districtdCommand("backup", "--db", db, "--out", out)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("backup: %v\n%s", err, stderr.String())
	}
	for n := pushed.Load(); pushed.Load() < n+40; {
		time.Sleep(5 * time.Millisecond)
	}
	close(stopPush)
	wg.Wait()
	if err := pushErr.Load(); err != nil {
		t.Fatal(err)
	}
	after := pushed.Load()
	// The kiosk's cursor after everything the live district has.
	var live wire.PullResponse
	for live.More || live.Next == 0 {
		status, body := get(t, url+wire.PathChanges+"?after="+strconv.FormatInt(live.Next, 10), token)
		live = wire.PullResponse{}
		if err := json.Unmarshal([]byte(body), &live); err != nil || status != http.StatusOK {
			t.Fatalf("pull: %d %s", status, body)
		}
	}
	if !strings.HasPrefix(stdout.String(), "backup: "+out+" (") || stderr.Len() != 0 {
		t.Errorf("backup said %q, stderr %q", stdout.String(), stderr.String())
	}
	st, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v, want 0600", st.Mode().Perm())
	}

	cp, err := sql.Open("sqlite", "file:"+out+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	one := func(q string) int64 {
		t.Helper()
		var n int64
		if err := cp.QueryRowContext(context.Background(), q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	var check string
	if err := cp.QueryRow("PRAGMA quick_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("quick_check of the copy: %q %v", check, err)
	}
	cases, ledger, views := one("SELECT count(*) FROM cases"), one("SELECT count(*) FROM ledger WHERE kind = 'case'"),
		one("SELECT count(*) FROM feed WHERE kind = 'case'")
	t.Logf("pushed %d before the backup, %d after it; the copy holds %d cases", before, after, cases)
	if cases < before || cases > after-40 || cases%2 != 0 {
		t.Errorf("the copy holds %d cases; %d were pushed before it began and %d by 40 after it ended, two a commit", cases, before, after)
	}
	if ledger != cases || views != cases {
		t.Errorf("the copy is not of one moment: %d cases, %d ledger entries, %d case views", cases, ledger, views)
	}
	if seq := one("SELECT value FROM counters WHERE name = 'seq'"); seq != one("SELECT max(seq) FROM feed") {
		t.Errorf("the copy's sequence %d is not its feed's last", seq)
	}
	if v := one("PRAGMA user_version"); v < 10 {
		t.Errorf("the copy's schema version is %d", v)
	}
	// Restored (docs/DEPLOY.md, "Backups and restore"): a district served
	// from a copy of the backup, with its data key file, is ready, and
	// tells the kiosk, whose cursor is past the restored feed, to fetch
	// its street again.
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
	rurl := startServeProcess(t, "--db", restored, "--datakey", db+".key")
	if status, body := get(t, rurl+"/readyz", ""); status != http.StatusOK {
		t.Fatalf("the restored district is not ready: %d %s", status, body)
	}
	var page wire.PullResponse
	status, body := get(t, rurl+wire.PathChanges+"?after="+strconv.FormatInt(live.Next, 10), token)
	if err := json.Unmarshal([]byte(body), &page); err != nil || status != http.StatusOK || page.Reset == nil {
		t.Fatalf("a kiosk past the restored feed (cursor %d): %d %s", live.Next, status, body)
	}

	// Never over a file; nothing created on a refusal.
	if st, err = os.Stat(out); err != nil {
		t.Fatal(err)
	}
	fails(t, 1, "exists; a backup never overwrites a file", "backup", "--db", db, "--out", out)
	if st2, _ := os.Stat(out); st2.Size() != st.Size() || !st2.ModTime().Equal(st.ModTime()) {
		t.Errorf("a refused backup changed %s", out)
	}
	missing := filepath.Join(dir, "none.db")
	fails(t, 1, "database "+missing+" does not exist", "backup", "--db", missing, "--out", filepath.Join(dir, "b2.db"))
	fails(t, 1, "PostgreSQL backup needs the PostgreSQL store", "backup", "--db", "postgres://district@db.example/jiezhen", "--out", filepath.Join(dir, "b3.db"))
	fails(t, 2, "missing --out", "backup", "--db", db)
	for _, f := range []string{missing, filepath.Join(dir, "b2.db"), filepath.Join(dir, "b3.db")} {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("a refused backup left %s", f)
		}
	}
}
