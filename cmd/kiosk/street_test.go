package main

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"jiezhen/cmd/internal/demo"
	"jiezhen/data"
	"jiezhen/data/store"
)

// otherStreet is the demo's second street.
const otherStreet = "440106006"

// kioskState is what a test compares before and after a refused command:
// the outbox item by item, the dead letters, the recorded number and
// street, the content counts and the cursor.
type kioskState struct {
	Outbox  []store.OutboxItem
	Dead    int
	Number  int64
	Streets []string
	Counts  map[data.Kind]int
	Cursor  int64
}

func readKioskState(t *testing.T, db string) kioskState {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var k kioskState
	if k.Outbox, err = s.Pending(ctx, 0); err != nil {
		t.Fatal(err)
	}
	st, err := s.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if k.Streets, err = s.KioskStreets(ctx); err != nil {
		t.Fatal(err)
	}
	k.Dead, k.Number, k.Counts, k.Cursor = st.DeadLetters, st.KioskNumber, st.Counts, st.Cursor
	return k
}

// A kiosk that holds one street's content and a resident's case, given a
// token of another street (--token or $JIEZHEN_TOKEN), refuses it with one
// line naming both streets and kiosk reset, and changes nothing: the case
// stays queued, nothing is dead-lettered, the number stays; kiosk submit
// with it, offline, is refused too. kiosk reset
// is refused while the case waits and clears the kiosk once it has gone;
// then the other street's token syncs, and the first street's is refused.
func TestTokenOfAnotherStreetRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs districtd")
	}
	bin := districtdBinary(t)
	dir := t.TempDir()
	districtDB, _ := demoDistrict(t, bin, dir)
	addKiosk := func(street, name string) (string, int64) {
		t.Helper()
		token, added := districtdRun(t, bin, "kiosk", "add", "--db", districtDB, "--street", street, "--name", name)
		var id int64
		if _, err := fmt.Sscanf(added, "districtd: kiosk %d added", &id); err != nil {
			t.Fatalf("kiosk add said %q", added)
		}
		return strings.TrimSpace(token), id
	}
	tokenA, idA := addKiosk(demo.Street, "天河南一号机")
	tokenB, idB := addKiosk(otherStreet, "林和一号机")
	url := districtdServe(t, bin, districtDB)

	// Street A's content, and a resident's case filed before the kiosk
	// had a token (so no number is recorded to catch the other token).
	db := demoDB(t)
	code, out, errs := kioskProcess(t, "submit", "--db", db, "--service", "440106005-SH-004", "--form", writeForm(t, reliefForm))
	if code != 0 {
		t.Fatalf("submit: exit %d: %s%s", code, out, errs)
	}
	before := readKioskState(t, db)
	if len(before.Outbox) != 1 || before.Number != 0 || !slices.Equal(before.Streets, []string{demo.Street}) {
		t.Fatalf("before the sync: %+v", before)
	}

	sync := func(env []string, args ...string) (int, string, string) {
		t.Helper()
		for _, e := range env {
			k, v, _ := strings.Cut(e, "=")
			t.Setenv(k, v)
		}
		return kioskProcess(t, append([]string{"sync", "--db", db, "--district", url, "--once", "--retries", "1"}, args...)...)
	}
	refused := func(what string, code int, out, errs string) {
		t.Helper()
		if code == 0 || out != "" || strings.Count(errs, "\n") != 1 ||
			!strings.Contains(errs, "street "+otherStreet) || !strings.Contains(errs, "street "+demo.Street) ||
			!strings.Contains(errs, "kiosk reset") {
			t.Fatalf("%s: exit %d, stdout %q, stderr %q; want one line naming both streets and kiosk reset", what, code, out, errs)
		}
		if after := readKioskState(t, db); !reflect.DeepEqual(after, before) {
			t.Fatalf("%s changed the kiosk:\nbefore %+v\nafter  %+v", what, before, after)
		}
	}
	code, out, errs = sync(nil, "--token", tokenB)
	refused("sync --token of another street", code, out, errs)
	code, out, errs = sync([]string{tokenEnv + "=" + tokenB})
	refused("sync with $JIEZHEN_TOKEN of another street", code, out, errs)
	t.Setenv(tokenEnv, "")

	// reset is refused while the case waits, naming the ways out.
	code, out, errs = kioskProcess(t, "reset", "--db", db, "--street", otherStreet)
	if code != 1 || out != "" || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, "kiosk export") || !strings.Contains(errs, "kiosk sync") {
		t.Fatalf("reset with a case waiting: exit %d, %q, %q", code, out, errs)
	}
	if after := readKioskState(t, db); !reflect.DeepEqual(after, before) {
		t.Fatalf("a refused reset changed the kiosk:\nbefore %+v\nafter  %+v", before, after)
	}
	code, _, errs = kioskProcess(t, "reset", "--db", db)
	if code != 2 || !strings.Contains(errs, "--street CODE is required") {
		t.Fatalf("reset without --street: exit %d, %q", code, errs)
	}

	// Street A's token sends the case; then the kiosk is A's, number idA.
	code, out, errs = sync(nil, "--token", tokenA)
	var res struct{ Accepted, Refused int }
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil || res.Accepted != 1 || res.Refused != 0 {
		t.Fatalf("sync with street A's token: exit %d: %s%s", code, out, errs)
	}
	synced := readKioskState(t, db)
	if len(synced.Outbox) != 0 || synced.Dead != 0 || synced.Number != idA || !slices.Equal(synced.Streets, []string{demo.Street}) {
		t.Fatalf("after the sync with A's token: %+v", synced)
	}

	// Offline, kiosk submit (and the window's start) cannot ask the
	// district the token's street: another number than the recorded one
	// is refused, nothing filed, until kiosk sync has checked it.
	code, out, errs = kioskProcess(t, "submit", "--db", db, "--service", "440106005-SH-004", "--form", writeForm(t, reliefForm), "--token", tokenB)
	if code == 0 || out != "" || !strings.Contains(errs, fmt.Sprintf("this database is kiosk %d's but the token is kiosk %d's", idA, idB)) || !strings.Contains(errs, "kiosk sync") {
		t.Fatalf("submit with a token of another kiosk: exit %d, %q, %q", code, out, errs)
	}
	if after := readKioskState(t, db); !reflect.DeepEqual(after, synced) {
		t.Fatalf("the refused submit changed the kiosk:\nbefore %+v\nafter  %+v", synced, after)
	}

	// Now the reset goes through and clears the old street.
	code, out, errs = kioskProcess(t, "reset", "--db", db, "--street", otherStreet)
	if code != 0 || !strings.Contains(out, "street "+otherStreet) {
		t.Fatalf("reset with an empty outbox: exit %d, %q, %q", code, out, errs)
	}
	cleared := readKioskState(t, db)
	for k, n := range cleared.Counts {
		if n != 0 {
			t.Errorf("after the reset %d %s items are left", n, k)
		}
	}
	if cleared.Number != 0 || cleared.Cursor != 0 || !slices.Equal(cleared.Streets, []string{otherStreet}) {
		t.Fatalf("after the reset: %+v", cleared)
	}

	// Street B's token syncs from nothing; the kiosk is B's, number idB.
	code, out, errs = sync(nil, "--token", tokenB)
	if code != 0 {
		t.Fatalf("sync with street B's token after the reset: exit %d: %s%s", code, out, errs)
	}
	moved := readKioskState(t, db)
	if moved.Number != idB || !slices.Equal(moved.Streets, []string{otherStreet}) || moved.Counts[data.KindNotice] == 0 || moved.Dead != 0 {
		t.Fatalf("after the sync with B's token: %+v", moved)
	}
	s, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	streets, err := s.Streets(context.Background())
	s.Close()
	if err != nil || len(streets) != 1 || streets[0].Code != otherStreet {
		t.Fatalf("after the move the kiosk holds streets %+v (%v)", streets, err)
	}

	// And now street A's token is the other street's.
	before = moved
	code, out, errs = sync(nil, "--token", tokenA)
	if code == 0 || !strings.Contains(errs, fmt.Sprintf("kiosk %d's of street %s", idA, demo.Street)) || !strings.Contains(errs, "serves street "+otherStreet) {
		t.Fatalf("sync with A's token on the moved kiosk: exit %d, %q", code, errs)
	}
	if after := readKioskState(t, db); !reflect.DeepEqual(after, before) {
		t.Fatalf("the refused sync changed the moved kiosk:\nbefore %+v\nafter  %+v", before, after)
	}
}
