package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"jiezhen/cmd/internal/demo"
	"jiezhen/data"
	"jiezhen/sync/bundle"
)

var formPDF = []byte("%PDF-1.4\n% a blank registration form\n%%EOF\n")

// attachedFeed is the demo feed and one more notice of the street with
// formPDF attached.
func attachedFeed(t *testing.T) ([]data.Change, data.Attachment) {
	t.Helper()
	feed := demoFeed(t)
	s := sha256.Sum256(formPDF)
	h := hex.EncodeToString(s[:])
	a := data.Attachment{Name: "居住登记表.pdf", File: data.AttachmentPath(h, "application/pdf"), SHA256: h, Size: int64(len(formPDF)), Type: "application/pdf"}
	n := data.Notice{ID: "n-form", Street: demo.Street, Title: "居住登记表下载", Category: "通知", Publisher: "街道办",
		Published: data.MustDate("2026-11-02"), Body: "请打印填写", Attachments: []data.Attachment{a}}
	body, err := json.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	feed = append(feed, data.Change{Seq: int64(len(feed) + 1), Kind: data.KindNotice, ID: n.ID, Op: data.OpUpsert, Version: 1, Body: body})
	return feed, a
}

// writeFileBundle writes the whole feed as a snapshot carrying files.
func writeFileBundle(t *testing.T, feed []data.Change, files []bundle.File, priv ed25519.PrivateKey) string {
	t.Helper()
	entries, err := bundle.ChangeFiles(feed)
	if err != nil {
		t.Fatal(err)
	}
	issued := time.Now().UTC().Add(-time.Minute).Truncate(time.Second)
	m := bundle.Manifest{District: "天河区", Scope: demo.Street, From: 0, To: feed[len(feed)-1].Seq, Changes: len(feed),
		IssuedAt: issued, ExpiresAt: issued.Add(24 * time.Hour)}
	var buf bytes.Buffer
	if err := bundle.Write(&buf, m, append(entries, files...), priv); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "files.jzb")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func heldFiles(t *testing.T, db string) map[string]string {
	t.Helper()
	d, err := sql.Open("sqlite", "file:"+db+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	rows, err := d.Query("SELECT path, type, data FROM attachment_file")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var p, typ string
		var b []byte
		rows.Scan(&p, &typ, &b)
		out[p] = typ + " " + string(b)
	}
	return out
}

func TestImportStoresAttachedFile(t *testing.T) {
	feed, a := attachedFeed(t)
	pub, priv := newKey(t)
	db := filepath.Join(t.TempDir(), "kiosk.db")
	// A file no change refers to is not kept.
	stray := bundle.File{Path: "files/" + hex.EncodeToString(make([]byte, 32)) + ".png", Data: []byte("\x89PNG stray")}
	res := importOK(t, "--db", db, "--trust", pub, writeFileBundle(t, feed, []bundle.File{{Path: a.File, Data: formPDF}, stray}, priv))
	if res["applied"] != true || res["files"] != float64(1) {
		t.Fatalf("import: %v", res)
	}
	held := heldFiles(t, db)
	if len(held) != 1 || held[a.File] != "application/pdf "+string(formPDF) {
		t.Fatalf("held files %v", held)
	}
}

// The bundle's signature and manifest cover the file, but its bytes are
// not what the notice says: the whole bundle is refused.
func TestImportRefusesFileNotMatchingContent(t *testing.T) {
	feed, a := attachedFeed(t)
	pub, priv := newKey(t)
	db := filepath.Join(t.TempDir(), "kiosk.db")
	half := int64(len(feed) / 2)
	importOK(t, "--db", db, "--trust", pub, writeBundle(t, feed, bundleSpec{from: 0, to: half}, priv))
	other := append([]byte("%PDF-1.4\n% a forged form\n"), formPDF[25:]...)
	refused(t, db, `entry "`+a.File+`" does not match the SHA-256 and size that notice "n-form" gives for attachment "居住登记表.pdf"`,
		writeFileBundle(t, feed, []bundle.File{{Path: a.File, Data: other}}, priv))
	if held := heldFiles(t, db); len(held) != 0 {
		t.Fatalf("held files %v", held)
	}
}
