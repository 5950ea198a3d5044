package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/data/store"
	"jiezhen/sync/bundle"
	"jiezhen/sync/client"
	"jiezhen/sync/server"
)

// staffKiosk is a kiosk of streetA, synced once, with a staff member
// signed in.
type staffKiosk struct {
	st    *store.Store
	a     interface{ Once(context.Context) error }
	staff data.Staff
}

func newStaffKiosk(t *testing.T, d *district, staffID, code string) *staffKiosk {
	t.Helper()
	ctx := context.Background()
	_, tok := d.kiosk(t, streetA)
	st := openKiosk(t)
	a := newAgent(t, st, fastConfig(d, tok))
	if err := a.Once(ctx); err != nil {
		t.Fatal(err)
	}
	st.UseToken(tok)
	who, err := st.SignIn(ctx, staffID, code, time.Now())
	if err != nil {
		t.Fatalf("sign in with the PIN districtd gave: %v", err)
	}
	return &staffKiosk{st: st, a: a, staff: who}
}

func (k *staffKiosk) sync(t *testing.T) {
	t.Helper()
	if err := k.a.Once(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func (k *staffKiosk) rename(t *testing.T, p data.Provider, name string) {
	t.Helper()
	p.Name = name
	item, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	err = k.st.EditContent(context.Background(), k.staff, store.ContentEdit{Kind: data.KindProvider, ID: p.ID, Op: data.OpUpsert, Item: item}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
}

func (k *staffKiosk) shows(t *testing.T, id string) (string, bool) {
	t.Helper()
	p, err := k.st.Provider(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	w, err := k.st.WaitingEdits(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return p.Name, w["provider/"+id]
}

func streetProvider(t *testing.T, st *store.Store) data.Provider {
	t.Helper()
	rows, _, err := st.ListProviders(context.Background(), store.ProviderFilter{}, store.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		p, err := st.Provider(context.Background(), r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if p.Street == streetA {
			return p
		}
	}
	t.Fatal("no provider of the street")
	return data.Provider{}
}

func (d *district) providerName(t *testing.T, id string) string {
	t.Helper()
	var p data.Provider
	if err := json.Unmarshal(d.item(t, data.KindProvider, id).Body, &p); err != nil {
		t.Fatal(err)
	}
	return p.Name
}

// A stale edit made on two kiosks, end to end over the real handler: the
// second kiosk's edit becomes a conflict on that kiosk, never a silent
// overwrite on either side; staff decide, both ways, and the decision
// reaches the district and the other kiosk. Every step is audited on the
// district with the kiosk and the staff member's name.
func TestStaleEditOnTwoKiosks(t *testing.T) {
	ctx := context.Background()
	d := newDistrict(t)
	acct, code, err := d.p.AddStaff(ctx, streetA, "李明")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(acct.PINHash, code) || len(code) != 8 {
		t.Fatalf("PIN %q, hash %q", code, acct.PINHash)
	}
	k1 := newStaffKiosk(t, d, acct.ID, code)
	k2 := newStaffKiosk(t, d, acct.ID, code)
	p := streetProvider(t, k1.st)
	original := p.Name

	// Both edit the version they have; the first to sync wins.
	k1.rename(t, p, "一号机的修改")
	k2.rename(t, p, "二号机的修改")
	if name, waiting := k2.shows(t, p.ID); name != "二号机的修改" || !waiting {
		t.Fatalf("k2 shows %q, waiting %v", name, waiting)
	}
	k1.sync(t)
	if name, waiting := k1.shows(t, p.ID); name != "一号机的修改" || waiting {
		t.Fatalf("k1 after its sync shows %q, waiting %v", name, waiting)
	}
	// And k1 edits once more, so the district is two versions ahead of
	// k2's edit (and ahead of the version k2 shows it at).
	k1.rename(t, p, "一号机又改")
	k1.sync(t)
	if got := d.providerName(t, p.ID); got != "一号机又改" {
		t.Fatalf("district holds %q", got)
	}
	k2.sync(t)
	cs, err := k2.st.Conflicts(ctx, 0)
	if err != nil || len(cs) != 1 {
		t.Fatalf("k2 conflicts %+v %v", cs, err)
	}
	if got := d.providerName(t, p.ID); got != "一号机又改" {
		t.Fatalf("the stale edit overwrote the district's: %q", got)
	}
	// Not overwritten on k2 either: its edit still shows, waiting, until
	// staff decide.
	if name, waiting := k2.shows(t, p.ID); name != "二号机的修改" || !waiting {
		t.Fatalf("k2 after the conflict shows %q, waiting %v", name, waiting)
	}
	var theirs data.Provider
	json.Unmarshal(cs[0].Server, &theirs)
	if theirs.Name != "一号机又改" || !strings.Contains(string(cs[0].Local), "二号机的修改") {
		t.Fatalf("conflict keeps %s and %s", cs[0].Local, cs[0].Server)
	}

	// k2 keeps its edit: it goes on top of the district's version.
	if err := k2.st.ResolveConflict(ctx, k2.staff, cs[0].ID, true, time.Now()); err != nil {
		t.Fatal(err)
	}
	k2.sync(t)
	if n, _ := k2.st.ConflictCount(ctx); n != 0 {
		t.Fatalf("k2 has %d conflicts after keeping its edit", n)
	}
	if got := d.providerName(t, p.ID); got != "二号机的修改" {
		t.Fatalf("district holds %q after keep-mine", got)
	}
	if name, waiting := k2.shows(t, p.ID); name != "二号机的修改" || waiting {
		t.Fatalf("k2 shows %q, waiting %v", name, waiting)
	}
	k1.sync(t)
	if name, _ := k1.shows(t, p.ID); name != "二号机的修改" {
		t.Fatalf("k1 shows %q", name)
	}

	// Again, and this time k1 loses and drops its edit.
	k2.rename(t, p, "二号机第二次修改")
	k1.rename(t, p, "一号机第二次修改")
	k2.sync(t)
	k1.sync(t)
	cs, err = k1.st.Conflicts(ctx, 0)
	if err != nil || len(cs) != 1 {
		t.Fatalf("k1 conflicts %+v %v", cs, err)
	}
	if err := k1.st.ResolveConflict(ctx, k1.staff, cs[0].ID, false, time.Now()); err != nil {
		t.Fatal(err)
	}
	if name, waiting := k1.shows(t, p.ID); name != "二号机第二次修改" || waiting {
		t.Fatalf("k1 after dropping its edit shows %q, waiting %v", name, waiting)
	}
	k1.sync(t)
	if got := d.providerName(t, p.ID); got != "二号机第二次修改" {
		t.Fatalf("district holds %q after drop", got)
	}
	// And k1's next edit is based on the district's current version.
	k1.rename(t, p, original)
	k1.sync(t)
	if got := d.providerName(t, p.ID); got != original {
		t.Fatalf("district holds %q", got)
	}
	if n, _ := k1.st.ConflictCount(ctx); n != 0 {
		t.Fatalf("k1 has %d conflicts", n)
	}

	// The audit trail on the district.
	recs, err := d.p.Audit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byKiosk := map[int64][]string{}
	for _, r := range recs {
		if r.Staff != "李明" || r.StaffID != acct.ID || r.Street != streetA || r.ReceivedAt.IsZero() {
			t.Errorf("audit record %+v", r)
		}
		byKiosk[r.Kiosk] = append(byKiosk[r.Kiosk], r.Action)
	}
	var got []string
	for _, actions := range byKiosk {
		got = append(got, strings.Join(actions, " "))
	}
	want := map[string]bool{
		"sign_in edit edit edit conflict_drop_mine edit": true,
		"sign_in edit conflict_keep_mine edit":           true,
	}
	if len(got) != 2 || !want[got[0]] || !want[got[1]] || got[0] == got[1] {
		t.Fatalf("audit by kiosk %q", got)
	}
}

// signInChecks: without the token the kiosk refuses to check the PIN and
// says why; with it the right PIN signs in and a wrong one is refused.
func signInChecks(t *testing.T, st *store.Store, tok, staffID, code string) {
	t.Helper()
	ctx := context.Background()
	st.UseToken("")
	if _, err := st.SignIn(ctx, staffID, code, time.Now()); !errors.Is(err, store.ErrNoToken) {
		t.Fatalf("sign in without the token: %v", err)
	}
	st.UseToken(tok)
	wrong := "00000000"
	if code == wrong {
		wrong = "00000001"
	}
	var w *store.WrongPINError
	if _, err := st.SignIn(ctx, staffID, wrong, time.Now()); !errors.As(err, &w) {
		t.Fatalf("a wrong PIN: %v", err)
	}
	if who, err := st.SignIn(ctx, staffID, code, time.Now()); err != nil || who.ID != staffID {
		t.Fatalf("the right PIN: %+v %v", who, err)
	}
}

// A kiosk that synced over HTTP gets the street's staff PIN key from the
// district (sealed under its token in its database) and signs staff in; a
// kiosk that only imported a bundle gets it from the bundle, sealed for
// it, and signs staff in with its token too; a kiosk of another street
// gets neither. The fifth wrong PIN still locks the account.
func TestStaffSignInAfterSyncAndBundle(t *testing.T) {
	ctx := context.Background()
	d := newDistrict(t)
	acct, code, err := d.p.AddStaff(ctx, streetA, "李明")
	if err != nil {
		t.Fatal(err)
	}
	_, tokHTTP := d.kiosk(t, streetA)
	_, tokUSB := d.kiosk(t, streetA)
	_, tokOther := d.kiosk(t, streetB)

	synced := openKiosk(t)
	if err := newAgent(t, synced, fastConfig(d, tokHTTP)).Once(ctx); err != nil {
		t.Fatal(err)
	}
	signInChecks(t, synced, tokHTTP, acct.ID, code)

	usb := openKiosk(t)
	applyStreetBundleVia(t, d, usb, streetA)
	signInChecks(t, usb, tokUSB, acct.ID, code)
	usb.UseToken(tokOther)
	if _, err := usb.SignIn(ctx, acct.ID, code, time.Now()); !errors.Is(err, store.ErrNoPINKey) || !strings.Contains(err.Error(), "bundle") {
		t.Fatalf("another street's token: %v", err)
	}

	usb.UseToken(tokUSB)
	var locked *store.LockedError
	for i := 1; i <= store.MaxPINFailures; i++ {
		_, err = usb.SignIn(ctx, acct.ID, "99999999", time.Now())
	}
	if !errors.As(err, &locked) {
		t.Fatalf("the fifth wrong PIN: %v", err)
	}
	if _, err := usb.SignIn(ctx, acct.ID, code, time.Now()); !errors.As(err, &locked) {
		t.Fatalf("the right PIN while locked: %v", err)
	}
}

// applyStreetBundleVia writes a bundle of the street as districtd bundle
// does and imports it as kiosk import does (client.ImportBundle).
func applyStreetBundleVia(t *testing.T, d *district, st *store.Store, street string) {
	t.Helper()
	ctx := context.Background()
	pub, priv, err := bundle.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := d.p.WriteBundle(ctx, &buf, street, server.BundleSpec{Key: priv, Valid: time.Hour}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.ImportBundle(ctx, st, &buf, client.ImportOptions{Trust: pub, Street: street, Now: d.clock()}); err != nil {
		t.Fatal(err)
	}
}
