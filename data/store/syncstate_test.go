package store

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"jiezhen/data"
)

// childEnv makes the test binary, re-run by TestGuarantee04, queue one
// item in the named database, say so, and wait to be killed.
const childEnv = "JIEZHEN_TEST_ENQUEUE_CHILD"

// Guarantee 4: "submitted" means durable. The outbox is written through
// the writer connection, which runs in WAL mode with synchronous=FULL, so
// a commit is on disk (the WAL fsynced) before Enqueue returns and a power
// cut cannot lose it; and an item whose Enqueue returned survives a
// SIGKILL of the process the next instant.
func TestGuarantee04OutboxWriteIsDurable(t *testing.T) {
	if path := os.Getenv(childEnv); path != "" {
		enqueueAndWait(t, path)
		return
	}
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, filepath.Join(dir, "pragmas.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// The pragmas of the connection every outbox write goes through. The
	// writer has exactly one connection, so this is that connection.
	var sync int
	var mode string
	if err := s.w.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil {
		t.Fatal(err)
	}
	if err := s.w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if sync != 2 || mode != "wal" {
		t.Errorf("writer: synchronous=%d journal_mode=%s, want 2 (FULL) and wal", sync, mode)
	}
	if n := s.w.Stats().MaxOpenConnections; n != 1 {
		t.Errorf("writer pool of %d connections: a write could use one without the pragmas", n)
	}

	// Kill -9 right after Enqueue returns, in another process.
	path := filepath.Join(dir, "killed.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestGuarantee04OutboxWriteIsDurable$")
	cmd.Env = append(os.Environ(), childEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	cmd.Process.Kill()
	cmd.Wait()
	if err != nil || !strings.HasPrefix(line, "queued") {
		t.Fatalf("child said %q: %v", line, err)
	}
	s2, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	items, err := s2.Pending(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].ID != "receipt-1" {
		t.Fatalf("after SIGKILL the outbox holds %+v, want receipt-1", items)
	}
	if c, err := s2.Case(ctx, "receipt-1"); err != nil || c.Status != data.StatusSubmitted {
		t.Errorf("the receipt's case: %+v, %v", c, err)
	}
}

func enqueueAndWait(t *testing.T, path string) {
	ctx := context.Background()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	c := data.Case{ID: "receipt-1", Kind: data.CaseAppeal, Street: "440106005", Status: data.StatusSubmitted,
		SubmittedAt: time.Now(), AppealType: data.AppealHelp, Description: "test", Anonymous: true}
	body, _ := json.Marshal(c)
	if err := s.Enqueue(ctx, OutboxItem{ID: c.ID, Kind: "case", Body: body, Case: &c}); err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("queued\n")
	time.Sleep(time.Minute) // killed long before
}

// A page's case changes update the cases table, the last page records the
// sync's time, and an answer is recorded once even if it comes twice.
func TestApplyPageCasesAndSettle(t *testing.T) {
	ctx := context.Background()
	s, err := OpenWith(ctx, filepath.Join(t.TempDir(), "k.db"), Options{NoIndexer: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := data.Case{ID: "c1", Kind: data.CaseAppeal, Street: "440106005", Status: data.StatusSubmitted,
		SubmittedAt: time.Now(), Applicant: &data.Person{Name: "王五"}, AppealType: data.AppealHelp, Description: "x"}
	body, _ := json.Marshal(c)
	if err := s.Enqueue(ctx, OutboxItem{ID: "c1", Kind: "case", Body: body, Case: &c}); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	filed := c
	filed.Applicant, filed.Ref, filed.Status = nil, "REF-1", data.StatusReceived
	for range 2 { // the same answer twice
		if err := s.Settle(ctx, "c1", Answer{Outcome: Accepted, Ref: "REF-1", At: at, Case: &filed}); err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := s.OutboxCount(ctx); n != 0 {
		t.Fatalf("%d queued after the answer", n)
	}
	got, err := s.Case(ctx, "REF-1")
	if err != nil || got.Applicant != nil || got.Status != data.StatusReceived {
		t.Fatalf("case after the answer: %+v, %v", got, err)
	}

	view := filed
	view.Status = data.StatusAccepted
	vb, _ := json.Marshal(view)
	if _, err := s.ApplyPage(ctx, ContentFeed, []data.Change{{Seq: 5, Kind: data.KindCase, ID: "c1", Op: data.OpUpsert, Version: 2, Body: vb}}, 7, 7, at); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Case(ctx, "c1")
	if got.Status != data.StatusAccepted {
		t.Errorf("status %s after the feed's change, want accepted", got.Status)
	}
	if last, err := s.LastSync(ctx, ContentFeed); err != nil || !last.Equal(at) {
		t.Errorf("last sync %v, %v; want %v", last, err, at)
	}
	if cur, _ := s.Cursor(ctx, ContentFeed); cur != 7 {
		t.Errorf("cursor %d, want 7", cur)
	}
	// A bad change rolls the whole page back, cursor included.
	_, err = s.ApplyPage(ctx, ContentFeed, []data.Change{
		{Seq: 8, Kind: data.KindCase, ID: "c1", Op: data.OpDelete},
		{Seq: 9, Kind: "nonsense", ID: "x", Op: data.OpUpsert, Body: []byte(`{}`)},
	}, 9, 9, time.Time{})
	if err == nil {
		t.Fatal("a page with an unknown kind was applied")
	}
	if cur, _ := s.Cursor(ctx, ContentFeed); cur != 7 {
		t.Errorf("cursor %d after a failed page, want 7", cur)
	}
	if _, err := s.Case(ctx, "c1"); err != nil {
		t.Errorf("the failed page's delete was kept: %v", err)
	}
	var n int
	s.r.QueryRowContext(ctx, "SELECT count(*) FROM cases").Scan(&n)
	if n != 1 {
		t.Errorf("%d cases", n)
	}
}

// A bundle moves the content cursor but carries no cases: the cursor of
// the kiosk's cases stays where it was until pages bring it up, and a
// reset puts both at 0.
func TestCasesCursorBehindBundle(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Options{NoIndexer: true})
	if _, err := s.ApplyPage(ctx, ContentFeed, nil, 10, 10, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ApplyBundle(ctx, ContentFeed, BundleImport{From: 0, To: 50, IssuedAt: time.Now(), Street: "s"}); err != nil {
		t.Fatal(err)
	}
	if c, k, err := s.Cursors(ctx, ContentFeed); err != nil || c != 50 || k != 10 {
		t.Fatalf("cursors %d, %d, %v; want 50, 10", c, k, err)
	}
	vb := []byte(`{"id":"c1","ref":"R1","kind":"appeal","status":"processing"}`)
	// A case beyond the cases' cursor of the page is refused.
	if _, err := s.ApplyPage(ctx, ContentFeed, []data.Change{{Seq: 30, Kind: data.KindCase, ID: "c1", Op: data.OpUpsert, Version: 2, Body: vb}}, 50, 20, time.Time{}); err == nil {
		t.Fatal("a case past the page's cases cursor was applied")
	}
	if _, err := s.ApplyPage(ctx, ContentFeed, []data.Change{{Seq: 30, Kind: data.KindCase, ID: "c1", Op: data.OpUpsert, Version: 2, Body: vb}}, 50, 40, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if c, k, _ := s.Cursors(ctx, ContentFeed); c != 50 || k != 40 {
		t.Fatalf("cursors %d, %d; want 50, 40", c, k)
	}
	if _, err := s.ApplyPage(ctx, ContentFeed, nil, 50, 30, time.Time{}); !errors.Is(err, ErrCursorBackwards) {
		t.Fatalf("the cases' cursor moved back: %v", err)
	}
	// Apply (no cases) leaves it; a page to the end catches it up.
	if _, err := s.Apply(ctx, ContentFeed, nil, 55); err != nil {
		t.Fatal(err)
	}
	if c, k, _ := s.Cursors(ctx, ContentFeed); c != 55 || k != 40 {
		t.Fatalf("cursors %d, %d after Apply; want 55, 40", c, k)
	}
	if _, err := s.ApplyPage(ctx, ContentFeed, nil, 60, 60, time.Now()); err != nil {
		t.Fatal(err)
	}
	if c, k, _ := s.Cursors(ctx, ContentFeed); c != 60 || k != 60 {
		t.Fatalf("cursors %d, %d; want 60, 60", c, k)
	}
	s.ApplyBundle(ctx, ContentFeed, BundleImport{From: 0, To: 70, IssuedAt: time.Now(), Street: "s"})
	if err := s.ResetScope(ctx, ContentFeed, "s"); err != nil {
		t.Fatal(err)
	}
	if c, k, _ := s.Cursors(ctx, ContentFeed); c != 0 || k != 0 {
		t.Fatalf("cursors %d, %d after a reset; want 0, 0", c, k)
	}
}

// TestStoreStampsWithItsClock: what the store stamps itself (when the
// district acknowledged a case, where its retention starts; when an item
// was refused; when an item given no time was queued) is the store's
// clock, Options.Now, not the machine's.
func TestStoreStampsWithItsClock(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	s, _ := openTest(t, Options{NoIndexer: true, Now: func() time.Time { return at }})
	c := fileTestCase(t, s, "case-acked", 1, &data.Person{Name: "张三", Mobile: "13812345678"})
	settleAsClient(t, s, c)
	var acked int64
	if err := s.r.QueryRowContext(ctx, "SELECT acked_at FROM cases WHERE id = ?", c.ID).Scan(&acked); err != nil {
		t.Fatal(err)
	}
	if got := time.UnixMilli(acked).UTC(); !got.Equal(at) {
		t.Errorf("acknowledged at %v, want the store's clock %v", got, at)
	}

	r := fileTestCase(t, s, "case-refused", 2, &data.Person{Name: "李四", Mobile: "13912345678"})
	if err := s.Settle(ctx, r.ID, Answer{Outcome: Refused, Reason: "no"}); err != nil {
		t.Fatal(err)
	}
	dead, err := s.DeadLetters(ctx, 0)
	if err != nil || len(dead) != 1 || !dead[0].FailedAt.Equal(at) {
		t.Errorf("dead letters %+v, %v: want one refused at %v", dead, err, at)
	}

	if err := s.Enqueue(ctx, OutboxItem{ID: "op-1", Kind: data.ItemOpinion, Body: []byte(`{"id":"op-1","text":"x"}`)}); err != nil {
		t.Fatal(err)
	}
	items, err := s.Pending(ctx, 0)
	if err != nil || len(items) != 1 || !items[0].CreatedAt.Equal(at) {
		t.Errorf("queued %+v, %v: want one at %v", items, err, at)
	}
}
