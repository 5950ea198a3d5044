package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"jiezhen/cmd/internal/demo"
	"jiezhen/data"
	"jiezhen/data/store"
)

func TestNumberOf(t *testing.T) {
	const secret = "q3Zp-9_xW0aBcDeFgHiJkLmNoPqRsTuVwXyZ012345a"
	for _, tc := range []struct {
		flag  int64
		token string
		want  int64
	}{
		{0, "jzk_7." + secret, 7},
		{7, "jzk_7." + secret, 7},
		{7, "jzk_" + secret, 7}, // an old-form token carries no number
		{0, "jzk_" + secret, 0},
		{3, "", 3},
		{0, "", 0},
	} {
		if got, err := numberOf(tc.flag, tc.token); err != nil || got != tc.want {
			t.Errorf("numberOf(%d, %q) = %d, %v; want %d", tc.flag, tc.token, got, err, tc.want)
		}
	}
	for _, tc := range []struct {
		flag  int64
		token string
		msg   string
	}{
		{8, "jzk_7." + secret, "--kiosk 8 but the token is kiosk 7's"},
		{0, "jzk_x7." + secret, `the token's kiosk number "x7" is not a number`},
		{-1, "", "--kiosk must be 1 to 29790"},
		{data.MaxRefKiosk + 1, "", "--kiosk must be 1 to 29790"},
		{0, "jzk_29791." + secret, "the token is kiosk 29791's, past the last number a reference can carry"},
	} {
		_, err := numberOf(tc.flag, tc.token)
		if err == nil || !strings.Contains(err.Error(), tc.msg) || strings.Contains(err.Error(), "\n") || strings.Contains(err.Error(), secret) {
			t.Errorf("numberOf(%d, %q): %v; want one line with %q and not the secret", tc.flag, tc.token, err, tc.msg)
		}
	}
}

// A kiosk given only its token, as `districtd kiosk add` printed it,
// files a case offline under its own number, and the reference on the
// resident's receipt is the one the district keeps at sync. A --kiosk
// that disagrees with the token, a token of another kiosk for a database
// with cases waiting, and a mangled token are refused with one line.
func TestTokenNumberKeepsReference(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs districtd")
	}
	ctx := context.Background()
	bin := districtdBinary(t)
	dir := t.TempDir()
	districtDB, _ := demoDistrict(t, bin, dir)
	addKiosk := func(name string) (string, int64) {
		t.Helper()
		token, added := districtdRun(t, bin, "kiosk", "add", "--db", districtDB, "--street", demo.Street, "--name", name)
		var id int64
		if _, err := fmt.Sscanf(added, "districtd: kiosk %d added", &id); err != nil {
			t.Fatalf("kiosk add said %q", added)
		}
		token = strings.TrimSpace(token)
		if !strings.HasPrefix(token, fmt.Sprintf("jzk_%d.", id)) {
			t.Fatalf("kiosk %d's token %q does not carry its number", id, token)
		}
		return token, id
	}
	// A first kiosk, so that the one under test is not number 1.
	other, otherID := addKiosk("一号机")
	token, kioskID := addKiosk("二号机")

	db := demoDB(t)
	status := func() map[string]any {
		t.Helper()
		code, out, errs := kiosk(t, "status", "--db", db)
		var st map[string]any
		if code != 0 || json.Unmarshal([]byte(out), &st) != nil {
			t.Fatalf("status: exit %d: %s%s", code, out, errs)
		}
		return st
	}
	// Before any start with a number, status says the kiosk has none.
	if st := status(); st["kiosk_number"] != 0.0 || !strings.Contains(fmt.Sprint(st["kiosk_number_note"]), "replaces the references it makes at sync") {
		t.Fatalf("status of a kiosk without a number: %v", st)
	}

	form := writeForm(t, reliefForm)
	submit := func(args ...string) (int, string, string) {
		t.Helper()
		return kioskProcess(t, append([]string{"submit", "--db", db, "--service", "440106005-SH-004", "--form", form}, args...)...)
	}
	// --kiosk against the token: refused, nothing queued.
	code, out, errs := submit("--token", token, "--kiosk", fmt.Sprint(kioskID+1))
	want := fmt.Sprintf("kiosk: submit: --kiosk %d but the token is kiosk %d's", kioskID+1, kioskID)
	if code != 2 || out != "" || !strings.HasPrefix(errs, want) || strings.Count(errs, "\n") != 1 {
		t.Fatalf("submit with --kiosk against the token: exit %d, %q, %q; want %q", code, out, errs, want)
	}
	// A mangled token: refused, nothing queued.
	code, _, errs = submit("--token", "jzk_two."+token[strings.Index(token, ".")+1:])
	if code != 2 || !strings.Contains(errs, `the token's kiosk number "two" is not a number`) || strings.Count(errs, "\n") != 1 {
		t.Fatalf("submit with a mangled token: exit %d, %q", code, errs)
	}
	if n := len(outbox(t, db)); n != 0 {
		t.Fatalf("%d items queued by refused submits", n)
	}

	// Filed offline with the token only, from the environment.
	t.Setenv(tokenEnv, token)
	code, out, errs = submit()
	var receipt struct {
		Ref string `json:"ref"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &receipt) != nil {
		t.Fatalf("submit: exit %d: %s%s", code, out, errs)
	}
	if k, err := data.ReferenceKiosk(receipt.Ref); err != nil || k != kioskID {
		t.Fatalf("receipt %s is kiosk %d's, want %d (%v)", receipt.Ref, k, kioskID, err)
	}
	// The database recorded the number: status shows it, with no note.
	if st := status(); st["kiosk_number"] != float64(kioskID) || st["kiosk_number_note"] != nil {
		t.Fatalf("status after a start with the token: %v", st)
	}
	os.Unsetenv(tokenEnv)

	// The window refuses to start with a --kiosk the token contradicts,
	// before it opens anything.
	t.Setenv(tokenEnv, token)
	code, _, errs = kiosk(t, "--db", db, "--kiosk", fmt.Sprint(otherID))
	if want := fmt.Sprintf("kiosk: --kiosk %d but the token is kiosk %d's", otherID, kioskID); code != 2 || !strings.HasPrefix(errs, want) || strings.Count(errs, "\n") != 1 {
		t.Fatalf("window with --kiosk against the token: exit %d, %q; want %q", code, errs, want)
	}
	os.Unsetenv(tokenEnv)

	url := districtdServe(t, bin, districtDB)
	// Another kiosk's token while the case waits: refused, naming both.
	code, _, errs = kioskProcess(t, "sync", "--db", db, "--district", url, "--token", other, "--once")
	if code == 0 || !strings.Contains(errs, fmt.Sprintf("this database is kiosk %d's", kioskID)) ||
		!strings.Contains(errs, fmt.Sprintf("makes it kiosk %d", otherID)) || strings.Count(errs, "\n") != 1 {
		t.Fatalf("sync with another kiosk's token: exit %d, %q", code, errs)
	}
	code, out, errs = kioskProcess(t, "sync", "--db", db, "--district", url, "--token", token, "--once")
	var res struct{ Accepted, Refused int }
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil || res.Refused != 0 || res.Accepted != 1 {
		t.Fatalf("kiosk sync: exit %d: %s%s", code, out, errs)
	}
	s, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Case(ctx, receipt.Ref)
	s.Close()
	if err != nil || c.Ref != receipt.Ref || c.Status != data.StatusReceived {
		t.Fatalf("after sync the receipt's %s finds %+v, %v", receipt.Ref, c, err)
	}
	// The district has it under the same reference.
	if out, _ := districtdRun(t, bin, "cases", "--db", districtDB, "set", receipt.Ref, "accepted"); !strings.Contains(out, `"accepted"`) {
		t.Fatalf("cases set %s: %s", receipt.Ref, out)
	}
}
