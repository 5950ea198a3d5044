// Package dbfiletest damages database files for the tests of the
// programs that must notice it.
package dbfiletest

import (
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

// DamageTable overwrites bytes of the first page of table (its header and
// cell pointers, then the middle of the page) in the closed database at
// path, as a failing disk would.
func DamageTable(t testing.TB, path, table string) {
	t.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	// immutable: reading creates no -wal or -shm beside the file.
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: url.Values{"mode": {"ro"}, "immutable": {"1"}}.Encode()}
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		t.Fatal(err)
	}
	var root, size int64
	err = db.QueryRow("SELECT rootpage FROM sqlite_schema WHERE name = ?", table).Scan(&root)
	if err == nil {
		err = db.QueryRow("PRAGMA page_size").Scan(&size)
	}
	db.Close()
	if err != nil {
		t.Fatalf("damage %s: %v", table, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	junk := []byte(strings.Repeat("\xa5\x5a", 64))
	for _, off := range []int64{3, size / 2} {
		if _, err := f.WriteAt(junk, (root-1)*size+off); err != nil {
			t.Fatal(err)
		}
	}
}
