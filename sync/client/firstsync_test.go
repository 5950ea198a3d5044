package client_test

import (
	"context"
	"database/sql"
	"net/http"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"jiezhen/data"
	"jiezhen/data/store"
	"jiezhen/data/synth"
	"jiezhen/sync/server"
	"jiezhen/sync/wire"
)

// kioskIndexes lists the indexes the kiosk's database file holds.
func kioskIndexes(t *testing.T, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, " ")
}

// TestFirstSyncCutOffKeepsListIndexes: a kiosk's first sync that loses
// the network after some pages has applied them, and its list indexes,
// which the pages leave to the sync's end, are built when the sync gives
// up, not left missing until the next complete sync.
func TestFirstSyncCutOffKeepsListIndexes(t *testing.T) {
	d := newDistrict(t)
	_, tok := d.kiosk(t, streetA)
	changes := synth.Changes(5*wire.MaxLimit, 3)
	err := d.st.Write(context.Background(), func(tx server.Tx) error {
		for _, c := range changes {
			if _, err := tx.PutItem(server.Item{Kind: c.Kind, ID: c.ID, Version: c.Version, Body: c.Body}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "kiosk.db")
	want := kioskIndexes(t, func() string { openKioskAt(t, path).Close(); return path }())

	pulls := 0
	ft := newFaulty(func(n int, req *http.Request) fault {
		if req.URL.Path == wire.PathChanges {
			pulls++
			if pulls > 2 {
				return refuse
			}
		}
		return pass
	})
	cfg := fastConfig(d, tok)
	cfg.Transport = ft
	cfg.SnapshotBehind = -1
	st := openKioskAt(t, path)
	a := newAgent(t, st, cfg)
	if _, err := a.OnceResult(context.Background()); err == nil {
		t.Fatal("the sync succeeded with the network gone")
	}
	if c, _ := st.Cursor(context.Background(), store.ContentFeed); c == 0 {
		t.Fatal("no page was applied before the network went")
	}
	status, _ := st.Status(context.Background())
	if status.Counts[data.KindNotice] == 0 {
		t.Fatal("no notices arrived")
	}
	if got := kioskIndexes(t, path); got != want {
		t.Fatalf("indexes after the cut-off sync:\n%s\nwant:\n%s", got, want)
	}
}
