package store

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/data/pin"
)

const testStreet = "440106011"

// The street's staff PIN key in these tests, and the token of the kiosk
// it is sealed for.
var (
	testPINKey = []byte("0123456789abcdef0123456789abcdef")
	testToken  = "jzk_3.test-secret"
	// cheapPIN keeps the tests fast; the parameters travel with each hash.
	cheapPIN = pin.Params{MemoryKiB: 1024, Passes: 1, Lanes: 1}
)

var (
	hashOnce sync.Once
	testHash string
)

// staffChange publishes an account whose PIN is 24681012, its verifier
// keyed with testPINKey.
func staffChange(t *testing.T, seq int64, id, name string) data.Change {
	t.Helper()
	hashOnce.Do(func() {
		h, err := pin.HashWith("24681012", cheapPIN)
		if err == nil {
			h, err = pin.KeyHash(testPINKey, h)
		}
		if err != nil {
			t.Fatal(err)
		}
		testHash = h
	})
	return upsert(t, seq, data.KindStaff, id, 1, data.Staff{ID: id, Street: testStreet, Name: name, Role: data.RoleStaff, PINHash: testHash})
}

// withPINKey gives s the street's PIN key, as the district does over its
// API, and the token that opens it.
func withPINKey(t *testing.T, s *Store) {
	t.Helper()
	if err := s.SetPINKey(context.Background(), testStreet, 3, testToken, testPINKey); err != nil {
		t.Fatal(err)
	}
	s.UseToken(testToken)
}

var t0 = time.Date(2026, 11, 25, 9, 0, 0, 0, chinaTime)

func outboxOf(t *testing.T, s *Store, kind data.ItemKind) []OutboxItem {
	t.Helper()
	all, err := s.Pending(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []OutboxItem
	for _, it := range all {
		if it.Kind == kind {
			out = append(out, it)
		}
	}
	return out
}

func audits(t *testing.T, s *Store) []data.AuditBody {
	t.Helper()
	var out []data.AuditBody
	for _, it := range outboxOf(t, s, data.ItemAudit) {
		var a data.AuditBody
		if err := json.Unmarshal(it.Body, &a); err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

func TestStaffAccountsAndSignIn(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Options{NoIndexer: true})
	apply(t, s, 2, staffChange(t, 1, "s2", "王芳"), staffChange(t, 2, "s1", "李明"))
	withPINKey(t, s)
	accts, err := s.StaffAccounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(accts) != 2 || accts[0].Name != "李明" || accts[1].Name != "王芳" {
		t.Fatalf("accounts %+v", accts)
	}
	// Never searched.
	s.IndexPending(ctx, 0)
	if res, _ := s.Search(ctx, Query{Text: "李明"}); len(res.Hits) != 0 {
		t.Fatalf("staff found by search: %+v", res.Hits)
	}
	st, err := s.SignIn(ctx, "s1", "24681012", t0)
	if err != nil || st.Name != "李明" {
		t.Fatalf("sign in: %+v %v", st, err)
	}
	if _, err := s.SignIn(ctx, "nobody", "24681012", t0); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown account: %v", err)
	}
	a := audits(t, s)
	if len(a) != 1 || a[0].Action != AuditSignIn || a[0].Staff != "李明" || a[0].StaffID != "s1" {
		t.Fatalf("audit %+v", a)
	}
}

func TestLockOutSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kiosk.db")
	s, err := OpenWith(ctx, path, Options{NoIndexer: true})
	if err != nil {
		t.Fatal(err)
	}
	apply(t, s, 1, staffChange(t, 1, "s1", "李明"))
	withPINKey(t, s)
	now := t0
	for i := 1; i < MaxPINFailures; i++ {
		_, err := s.SignIn(ctx, "s1", "11111111", now)
		var wrong *WrongPINError
		if !errors.As(err, &wrong) || wrong.Left != MaxPINFailures-i {
			t.Fatalf("attempt %d: %v", i, err)
		}
		if strings.Contains(err.Error(), "\n") {
			t.Fatalf("two lines: %q", err)
		}
		now = now.Add(time.Second)
	}
	_, err = s.SignIn(ctx, "s1", "11111111", now)
	var locked *LockedError
	if !errors.As(err, &locked) || !locked.Until.Equal(now.Add(LockFor)) {
		t.Fatalf("fifth wrong PIN: %v", err)
	}
	if !strings.Contains(err.Error(), "until") {
		t.Fatalf("lock error %q", err)
	}
	// A restart does not unlock.
	s.Close()
	s, err = OpenWith(ctx, path, Options{NoIndexer: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.UseToken(testToken) // the token is never stored
	if _, err := s.SignIn(ctx, "s1", "24681012", now.Add(LockFor-time.Second)); !errors.As(err, &locked) {
		t.Fatalf("right PIN while locked, after a reopen: %v", err)
	}
	// Nor does a refetch of the feed.
	if err := s.ResetScope(ctx, ContentFeed, testStreet); err != nil {
		t.Fatal(err)
	}
	apply(t, s, 1, staffChange(t, 1, "s1", "李明"))
	if _, err := s.SignIn(ctx, "s1", "24681012", now.Add(LockFor-time.Second)); !errors.As(err, &locked) {
		t.Fatalf("right PIN while locked, after a refetch: %v", err)
	}
	if _, err := s.SignIn(ctx, "s1", "24681012", now.Add(LockFor)); err != nil {
		t.Fatalf("after the lock: %v", err)
	}
	// The count starts again after a success.
	_, err = s.SignIn(ctx, "s1", "00000000", now.Add(LockFor+time.Second))
	var wrong *WrongPINError
	if !errors.As(err, &wrong) || wrong.Left != MaxPINFailures-1 {
		t.Fatalf("after a success: %v", err)
	}
	var actions []string
	for _, a := range audits(t, s) {
		actions = append(actions, a.Action)
	}
	want := "pin_failed pin_failed pin_failed pin_failed pin_failed locked sign_in pin_failed"
	if strings.Join(actions, " ") != want {
		t.Fatalf("audit %v, want %s", actions, want)
	}
}

// A verifier keyed with the street's PIN key checks only with the key,
// which the kiosk holds sealed under its token and opens with the token it
// was started with: without the token, or with a token that opens no key
// it holds, sign-in is refused with a sentence saying so, and nothing is
// counted; with it, the right PIN signs in and a wrong one counts. The
// database holds neither the key nor the token.
func TestSignInNeedsTheTokenForTheKey(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kiosk.db")
	s, err := OpenWith(ctx, path, Options{NoIndexer: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	apply(t, s, 1, staffChange(t, 1, "s1", "李明"))
	if missing, err := s.PINKeyMissing(ctx, testToken); err != nil || !missing {
		t.Fatalf("missing before the key came: %v %v", missing, err)
	}
	if _, err := s.SignIn(ctx, "s1", "24681012", t0); !errors.Is(err, ErrNoToken) || !strings.Contains(err.Error(), "JIEZHEN_TOKEN") {
		t.Fatalf("no token: %v", err)
	}
	s.UseToken(testToken)
	if _, err := s.SignIn(ctx, "s1", "24681012", t0); !errors.Is(err, ErrNoPINKey) {
		t.Fatalf("no key: %v", err)
	}
	if err := s.SetPINKey(ctx, testStreet, 3, testToken, testPINKey); err != nil {
		t.Fatal(err)
	}
	if missing, err := s.PINKeyMissing(ctx, testToken); err != nil || missing {
		t.Fatalf("missing after the key came: %v %v", missing, err)
	}
	s.UseToken("jzk_3.another-secret") // a replaced token opens nothing
	if _, err := s.SignIn(ctx, "s1", "24681012", t0); !errors.Is(err, ErrNoPINKey) {
		t.Fatalf("another token: %v", err)
	}
	s.UseToken(testToken)
	var wrong *WrongPINError
	if _, err := s.SignIn(ctx, "s1", "24681013", t0); !errors.As(err, &wrong) || wrong.Left != MaxPINFailures-1 {
		t.Fatalf("wrong PIN: %v (refusals without the key must not count)", err)
	}
	if st, err := s.SignIn(ctx, "s1", "24681012", t0); err != nil || st.ID != "s1" {
		t.Fatalf("right PIN: %+v %v", st, err)
	}
	s.Close()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	wal, _ := os.ReadFile(path + "-wal")
	for _, secret := range [][]byte{testPINKey, []byte(testToken), []byte(base64.RawStdEncoding.EncodeToString(testPINKey))} {
		if bytes.Contains(raw, secret) || bytes.Contains(wal, secret) {
			t.Fatalf("the database holds %q in the clear", secret)
		}
	}
}

// An account published before the street keys, with a plain argon2id
// hash of a six-digit PIN, still signs in, without token or key, until
// the district publishes it again keyed.
func TestLegacyPINHashSignsIn(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Options{NoIndexer: true})
	h, err := pin.HashWith("246810", cheapPIN)
	if err != nil {
		t.Fatal(err)
	}
	apply(t, s, 1, upsert(t, 1, data.KindStaff, "old", 1, data.Staff{ID: "old", Street: testStreet, Name: "王芳", Role: data.RoleStaff, PINHash: h}))
	if st, err := s.SignIn(ctx, "old", "246810", t0); err != nil || st.ID != "old" {
		t.Fatalf("legacy account: %+v %v", st, err)
	}
	var wrong *WrongPINError
	if _, err := s.SignIn(ctx, "old", "246811", t0); !errors.As(err, &wrong) {
		t.Fatalf("legacy account, wrong PIN: %v", err)
	}
	if missing, err := s.PINKeyMissing(ctx, testToken); err != nil || missing {
		t.Fatalf("a legacy account needs no key: %v %v", missing, err)
	}
}

func provider(id, name, phone string) data.Provider {
	return data.Provider{ID: id, Street: testStreet, Name: name, Kind: data.ProviderConvenience, Category: "维修",
		Phone: phone, Address: "天河南一路 1 号"}
}

func staffMember(t *testing.T, s *Store) data.Staff {
	t.Helper()
	apply(t, s, 1, staffChange(t, 1, "s1", "李明"))
	withPINKey(t, s)
	st, err := s.SignIn(context.Background(), "s1", "24681012", t0)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func edits(t *testing.T, s *Store) []data.StaffEditBody {
	t.Helper()
	var out []data.StaffEditBody
	for _, it := range outboxOf(t, s, data.ItemStaffEdit) {
		var e data.StaffEditBody
		if err := json.Unmarshal(it.Body, &e); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func waitingSet(t *testing.T, s *Store) string {
	t.Helper()
	w, err := s.WaitingEdits(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range w {
		keys = append(keys, k)
	}
	if len(keys) > 1 {
		t.Fatalf("more waiting than expected: %v", keys)
	}
	return strings.Join(keys, " ")
}

func shown(t *testing.T, s *Store, id string) (data.Provider, int64) {
	t.Helper()
	doc, v, err := s.Get(context.Background(), data.KindProvider, id)
	if errors.Is(err, ErrNotFound) {
		return data.Provider{}, 0
	}
	if err != nil {
		t.Fatal(err)
	}
	var p data.Provider
	if err := json.Unmarshal(doc, &p); err != nil {
		t.Fatal(err)
	}
	return p, v
}

func TestEditQueuedWithBaseVersion(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Options{NoIndexer: true})
	st := staffMember(t, s)
	apply(t, s, 3, upsert(t, 2, data.KindProvider, "p1", 3, provider("p1", "修鞋", "020-38001234")),
		upsert(t, 3, data.KindNotice, "n-district", 1, notice("n-district", "全区通知", "正文")))

	// Refused: validation as the district's, one line naming the field.
	for _, c := range []struct {
		e    ContentEdit
		want string
	}{
		{ContentEdit{Kind: data.KindProvider, ID: "p1", Op: data.OpUpsert, Item: body(t, provider("p1", "修鞋", "abc"))}, `phone "abc"`},
		{ContentEdit{Kind: data.KindProvider, ID: "p1", Op: data.OpUpsert, Item: body(t, provider("p1", "", "020-38001234"))}, "name is empty"},
		{ContentEdit{Kind: data.KindProvider, ID: "p1", Op: data.OpUpsert, Item: json.RawMessage(`{"id":"p1","name":"x","kind":"business","hours":{"mon":["18:00-09:00x"]}}`)}, "hours"},
		{ContentEdit{Kind: data.KindProvider, ID: "p1", Op: data.OpUpsert, Item: json.RawMessage(`{"id":"p1","name":"x","kind":"business","colour":"red"}`)}, "colour"},
		{ContentEdit{Kind: data.KindProvider, ID: "p2", Op: data.OpUpsert, Item: body(t, provider("p1", "修鞋", "020-38001234"))}, `id is "p1"`},
		{ContentEdit{Kind: data.KindService, ID: "x", Op: data.OpUpsert, Item: json.RawMessage(`{}`)}, "cannot be edited"},
		{ContentEdit{Kind: data.KindNotice, ID: "n-district", Op: data.OpDelete}, "district-wide"},
		{ContentEdit{Kind: data.KindProvider, ID: "gone", Op: data.OpDelete}, "no provider gone to withdraw"},
	} {
		err := s.EditContent(ctx, st, c.e, t0)
		t.Logf("%s %s: %v", c.e.Kind, c.e.ID, err)
		if !errors.Is(err, ErrEdit) || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s %s: %v, want one line with %q", c.e.Kind, c.e.ID, err, c.want)
		}
	}
	if n := len(outboxOf(t, s, data.ItemStaffEdit)); n != 0 {
		t.Fatalf("refused edits queued: %d", n)
	}

	// An edit of p1 (version 3) and a new p2, whose street is filled in.
	p := provider("p1", "修鞋配匙", "020-38001234")
	if err := s.EditContent(ctx, st, ContentEdit{Kind: data.KindProvider, ID: "p1", Op: data.OpUpsert, Item: body(t, p)}, t0); err != nil {
		t.Fatal(err)
	}
	p2 := provider("p2", "家电维修", "13800138000")
	p2.Street = ""
	if err := s.EditContent(ctx, st, ContentEdit{Kind: data.KindProvider, ID: "p2", Op: data.OpUpsert, Item: body(t, p2)}, t0); err != nil {
		t.Fatal(err)
	}
	es := edits(t, s)
	if len(es) != 2 || es[0].ID != "p1" || es[0].BaseVersion != 3 || es[1].ID != "p2" || es[1].BaseVersion != 0 {
		t.Fatalf("queued edits %+v", es)
	}
	var item data.Provider
	if err := json.Unmarshal(es[1].Item, &item); err != nil || item.Street != testStreet {
		t.Fatalf("p2 as queued: %s", es[1].Item)
	}
	if got, v := shown(t, s, "p1"); got.Name != "修鞋配匙" || v != 4 {
		t.Fatalf("p1 shows %q v%d", got.Name, v)
	}
	if got, _ := shown(t, s, "p2"); got.Name != "家电维修" {
		t.Fatalf("p2 shows %q", got.Name)
	}
	w, _ := s.WaitingEdits(ctx)
	if !w["provider/p1"] || !w["provider/p2"] || len(w) != 2 {
		t.Fatalf("waiting %v", w)
	}
	// A second edit of p1 is based on the first.
	p.Phone = "020-38005678"
	if err := s.EditContent(ctx, st, ContentEdit{Kind: data.KindProvider, ID: "p1", Op: data.OpUpsert, Item: body(t, p)}, t0); err != nil {
		t.Fatal(err)
	}
	if es := edits(t, s); es[2].BaseVersion != 4 {
		t.Fatalf("second edit based on %d", es[2].BaseVersion)
	}
	var actions []string
	for _, a := range audits(t, s) {
		actions = append(actions, a.Action+" "+a.Detail)
	}
	if strings.Join(actions, ",") != "sign_in ,edit upsert provider/p1,edit upsert provider/p2,edit upsert provider/p1" {
		t.Fatalf("audit %q", actions)
	}
	// The search finds the edit at once.
	if res, _ := s.Search(ctx, Query{Text: "配匙"}); len(res.Hits) != 1 {
		t.Fatalf("search: %+v", res.Hits)
	}
}

// editOne edits p1 (published at version 3) and returns its outbox id.
func editOne(t *testing.T, s *Store, st data.Staff, name string) string {
	t.Helper()
	before := outboxOf(t, s, data.ItemStaffEdit)
	if err := s.EditContent(context.Background(), st, ContentEdit{Kind: data.KindProvider, ID: "p1", Op: data.OpUpsert,
		Item: body(t, provider("p1", name, "020-38001234"))}, t0); err != nil {
		t.Fatal(err)
	}
	after := outboxOf(t, s, data.ItemStaffEdit)
	return after[len(before)].ID
}

// district is the district's version of p1 as the feed brings it.
func district(t *testing.T, seq, version int64, name string) data.Change {
	c, err := data.ReadItem(data.KindProvider, body(t, provider("p1", name, "020-38001234")), data.Date{})
	if err != nil {
		t.Fatal(err)
	}
	c.Seq, c.Version = seq, version
	return c
}

func TestWaitingMarkClearedByTheDistrictsVersion(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Options{NoIndexer: true})
	st := staffMember(t, s)
	apply(t, s, 2, district(t, 2, 3, "修鞋"))
	id := editOne(t, s, st, "修鞋配匙")

	// An older or equal version, and another edit at the district, do
	// not overwrite the waiting edit.
	apply(t, s, 3, district(t, 3, 3, "修鞋"))
	apply(t, s, 4, district(t, 4, 4, "别人的修改"))
	if got, _ := shown(t, s, "p1"); got.Name != "修鞋配匙" || waitingSet(t, s) != "provider/p1" {
		t.Fatalf("shows %q, waiting %q", got.Name, waitingSet(t, s))
	}
	// The district's version of this edit (brought by a bundle after a USB
	// import, say) ends the wait, though the item is still queued.
	apply(t, s, 5, district(t, 5, 5, "修鞋配匙"))
	if got, v := shown(t, s, "p1"); got.Name != "修鞋配匙" || v != 5 || waitingSet(t, s) != "" {
		t.Fatalf("shows %q v%d, waiting %q", got.Name, v, waitingSet(t, s))
	}
	// Its answer comes later as a duplicate of the first: nothing changes.
	if err := s.Settle(ctx, id, Answer{Outcome: Accepted, Version: 5}); err != nil {
		t.Fatal(err)
	}
	if got, v := shown(t, s, "p1"); got.Name != "修鞋配匙" || v != 5 {
		t.Fatalf("shows %q v%d", got.Name, v)
	}
}

func TestAcceptedEditShowsNewerDistrictVersion(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Options{NoIndexer: true})
	st := staffMember(t, s)
	apply(t, s, 2, district(t, 2, 3, "修鞋"))
	id := editOne(t, s, st, "修鞋配匙")
	// Accepted as version 4: the mark goes, the number is the district's.
	if err := s.Settle(ctx, id, Answer{Outcome: Accepted, Version: 4}); err != nil {
		t.Fatal(err)
	}
	if got, v := shown(t, s, "p1"); got.Name != "修鞋配匙" || v != 4 || waitingSet(t, s) != "" {
		t.Fatalf("shows %q v%d, waiting %q", got.Name, v, waitingSet(t, s))
	}
	// The feed then brings version 4 (same) and 5 (newer).
	apply(t, s, 3, district(t, 3, 4, "修鞋配匙"))
	apply(t, s, 4, district(t, 4, 5, "修鞋配匙换锁"))
	if got, v := shown(t, s, "p1"); got.Name != "修鞋配匙换锁" || v != 5 {
		t.Fatalf("shows %q v%d", got.Name, v)
	}

	// An edit accepted after the feed brought a newer version meanwhile:
	// that version is shown once the answer comes.
	id = editOne(t, s, st, "第二次修改")
	apply(t, s, 5, district(t, 5, 7, "区里更新"))
	if got, _ := shown(t, s, "p1"); got.Name != "第二次修改" {
		t.Fatalf("shows %q", got.Name)
	}
	if err := s.Settle(ctx, id, Answer{Outcome: Accepted, Version: 6}); err != nil {
		t.Fatal(err)
	}
	if got, v := shown(t, s, "p1"); got.Name != "区里更新" || v != 7 || waitingSet(t, s) != "" {
		t.Fatalf("shows %q v%d, waiting %q", got.Name, v, waitingSet(t, s))
	}
}

// conflictOn makes a stale edit of p1 come back as a conflict with the
// district's version 4.
func conflictOn(t *testing.T, s *Store, st data.Staff) Conflict {
	t.Helper()
	ctx := context.Background()
	apply(t, s, 2, district(t, 2, 3, "修鞋"))
	id := editOne(t, s, st, "我的修改")
	var local json.RawMessage
	for _, it := range outboxOf(t, s, data.ItemStaffEdit) {
		if it.ID == id {
			local = it.Body
		}
	}
	server := district(t, 0, 4, "别人的修改")
	err := s.Settle(ctx, id, Answer{Outcome: Conflicted, Conflict: &Conflict{ItemKind: data.KindProvider, ItemID: "p1",
		BaseVersion: 3, Local: local, Server: server.Body, ServerVersion: 4}})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := s.Conflicts(ctx, 0)
	if err != nil || len(cs) != 1 {
		t.Fatalf("conflicts %v %v", cs, err)
	}
	if got, _ := shown(t, s, "p1"); got.Name != "我的修改" || waitingSet(t, s) != "provider/p1" {
		t.Fatalf("during the conflict shows %q, waiting %q", got.Name, waitingSet(t, s))
	}
	return cs[0]
}

func TestResolveConflictKeepMine(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Options{NoIndexer: true})
	st := staffMember(t, s)
	c := conflictOn(t, s, st)
	if err := s.ResolveConflict(ctx, st, c.ID, true, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.ResolveConflict(ctx, st, c.ID, true, t0.Add(time.Minute)); err == nil {
		t.Fatal("resolved twice")
	}
	if n, _ := s.ConflictCount(ctx); n != 0 {
		t.Fatalf("%d conflicts open", n)
	}
	es := edits(t, s)
	if len(es) != 1 || es[0].BaseVersion != 4 || es[0].Op != data.OpUpsert {
		t.Fatalf("queued again: %+v", es)
	}
	if got, v := shown(t, s, "p1"); got.Name != "我的修改" || v != 5 || waitingSet(t, s) != "provider/p1" {
		t.Fatalf("shows %q v%d, waiting %q", got.Name, v, waitingSet(t, s))
	}
	a := audits(t, s)
	if last := a[len(a)-1]; last.Action != AuditKeepMine || !strings.Contains(last.Detail, "provider/p1") {
		t.Fatalf("audit %+v", last)
	}
	// Accepted this time.
	if err := s.Settle(ctx, outboxOf(t, s, data.ItemStaffEdit)[0].ID, Answer{Outcome: Accepted, Version: 5}); err != nil {
		t.Fatal(err)
	}
	if waitingSet(t, s) != "" {
		t.Fatal("still waiting after acceptance")
	}
}

func TestResolveConflictDropMine(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Options{NoIndexer: true})
	st := staffMember(t, s)
	c := conflictOn(t, s, st)
	if err := s.ResolveConflict(ctx, st, c.ID, false, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.ConflictCount(ctx); n != 0 {
		t.Fatalf("%d conflicts open", n)
	}
	if n := len(outboxOf(t, s, data.ItemStaffEdit)); n != 0 {
		t.Fatalf("%d edits queued", n)
	}
	if got, v := shown(t, s, "p1"); got.Name != "别人的修改" || v != 4 || waitingSet(t, s) != "" {
		t.Fatalf("shows %q v%d, waiting %q", got.Name, v, waitingSet(t, s))
	}
	a := audits(t, s)
	if last := a[len(a)-1]; last.Action != AuditDropMine {
		t.Fatalf("audit %+v", last)
	}
	// Later edits are based on the district's version.
	editOne(t, s, st, "再改")
	if es := edits(t, s); es[0].BaseVersion != 4 {
		t.Fatalf("based on %d", es[0].BaseVersion)
	}
}

func TestDeadLetterRetryDiscard(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Options{NoIndexer: true})
	st := staffMember(t, s)
	apply(t, s, 2, district(t, 2, 3, "修鞋"))
	id := editOne(t, s, st, "被拒的修改")
	if err := s.Settle(ctx, id, Answer{Outcome: Refused, Reason: "no"}); err != nil {
		t.Fatal(err)
	}
	if waitingSet(t, s) != "provider/p1" {
		t.Fatal("a refused edit no longer waits for a decision")
	}
	// Retry: a new id, still waiting.
	if err := s.RetryDeadLetter(ctx, st, id, t0); err != nil {
		t.Fatal(err)
	}
	q := outboxOf(t, s, data.ItemStaffEdit)
	if len(q) != 1 || q[0].ID == id {
		t.Fatalf("retried as %+v", q)
	}
	if err := s.Settle(ctx, q[0].ID, Answer{Outcome: Refused, Reason: "no"}); err != nil {
		t.Fatal(err)
	}
	// Discard: the district's version comes back.
	if err := s.DiscardDeadLetter(ctx, st, q[0].ID, t0); err != nil {
		t.Fatal(err)
	}
	if got, v := shown(t, s, "p1"); got.Name != "修鞋" || v != 3 || waitingSet(t, s) != "" {
		t.Fatalf("shows %q v%d, waiting %q", got.Name, v, waitingSet(t, s))
	}
	if n, _ := s.DeadLetterCount(ctx); n != 0 {
		t.Fatalf("%d dead letters", n)
	}
	if err := s.DiscardDeadLetter(ctx, st, q[0].ID, t0); !errors.Is(err, ErrNotFound) {
		t.Fatalf("discard twice: %v", err)
	}
	var actions []string
	for _, a := range audits(t, s) {
		actions = append(actions, a.Action)
	}
	if strings.Join(actions, " ") != "sign_in edit dead_letter_retry dead_letter_discard" {
		t.Fatalf("audit %v", actions)
	}
}

func TestWaitingEditSurvivesReset(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Options{NoIndexer: true})
	st := staffMember(t, s)
	apply(t, s, 2, district(t, 2, 3, "修鞋"))
	editOne(t, s, st, "我的修改")
	if err := s.ResetScope(ctx, ContentFeed, testStreet); err != nil {
		t.Fatal(err)
	}
	apply(t, s, 3, staffChange(t, 1, "s1", "李明"), district(t, 3, 3, "修鞋"))
	if got, _ := shown(t, s, "p1"); got.Name != "我的修改" || waitingSet(t, s) != "provider/p1" {
		t.Fatalf("shows %q, waiting %q", got.Name, waitingSet(t, s))
	}
}

func TestAuditActionAndHealth(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Options{NoIndexer: true})
	st := staffMember(t, s)
	if err := s.AuditAction(ctx, st, AuditOutboxExport, "3 items", t0); err != nil {
		t.Fatal(err)
	}
	if err := s.AuditAction(ctx, data.Staff{}, AuditSignOut, "", t0); err == nil {
		t.Fatal("audit without a staff member")
	}
	apply(t, s, 2, district(t, 2, 3, "修鞋"))
	editOne(t, s, st, "我的修改")
	h, err := s.Health(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if h.Waiting[data.ItemAudit] != 3 || h.Waiting[data.ItemStaffEdit] != 1 || h.Counts[data.KindProvider] != 1 ||
		h.Counts[data.KindStaff] != 1 || h.Cursor != 2 || h.DiskFree == 0 || h.LastSync != nil {
		t.Fatalf("health %+v", h)
	}
}
