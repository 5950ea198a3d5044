package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/sync/bundle"
	"jiezhen/sync/server"
)

// pdfBytes is a small file that sniffs as a PDF.
var pdfBytes = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

// pngBytes encodes a small picture.
func pngBytes(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 4))
	img.Set(1, 1, color.RGBA{200, 0, 0, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func writeFile(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// storedFiles lists the district's files as "path type size name".
func storedFiles(t *testing.T, db string) []string {
	t.Helper()
	driver, dsn := "sqlite", "file:"+db+"?mode=ro"
	if server.IsPostgresURL(db) {
		driver, dsn = "pgx", db
	}
	d, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	rows, err := d.Query("SELECT path, type, size, name, length(data) FROM files ORDER BY path")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p, typ, name string
		var size, n int64
		rows.Scan(&p, &typ, &size, &name, &n)
		if n != size {
			t.Errorf("%s: %d bytes stored, size says %d", p, n, size)
		}
		out = append(out, strings.Join([]string{p, typ, name}, " "))
	}
	return out
}

func TestAttach(t *testing.T) {
	dir := t.TempDir()
	db := published(t)
	pdf := writeFile(t, dir, "居住登记表.pdf", pdfBytes)
	pngData := pngBytes(t)
	pic := writeFile(t, dir, "map.png", pngData)

	out := ok(t, "attach", "--db", db, pdf, pic)
	ls := lines(out)
	if len(ls) != 2 {
		t.Fatalf("want one line per file: %q", out)
	}
	var a data.Attachment
	if err := json.Unmarshal([]byte(ls[0]), &a); err != nil {
		t.Fatal(err)
	}
	want := data.Attachment{Name: "居住登记表.pdf", File: "files/" + sum(pdfBytes) + ".pdf", SHA256: sum(pdfBytes), Size: int64(len(pdfBytes)), Type: "application/pdf"}
	if a != want {
		t.Fatalf("pdf line %+v, want %+v", a, want)
	}
	if !strings.Contains(ls[1], `"file":"files/`+sum(pngData)+`.png"`) || !strings.Contains(ls[1], `"type":"image/png"`) {
		t.Fatalf("png line %s", ls[1])
	}
	files := storedFiles(t, db)
	if len(files) != 2 || files[0] != want.File+" application/pdf 居住登记表.pdf" && files[1] != want.File+" application/pdf 居住登记表.pdf" {
		t.Fatalf("stored %q", files)
	}

	// The same bytes again: stored once, and said so.
	code, again, errs := districtd(t, "attach", "--db", db, pdf)
	if code != 0 || again != ls[0]+"\n" || !strings.Contains(errs, "holds these bytes already") {
		t.Fatalf("again: exit %d, %q, %q", code, again, errs)
	}
	if n := len(storedFiles(t, db)); n != 2 {
		t.Fatalf("%d files after adding one again", n)
	}

	// Refusals change nothing, even for a good file given with them.
	doc := writeFile(t, dir, "form.docx", []byte("PK\x03\x04 a word document"))
	text := writeFile(t, dir, "notes.txt", []byte("plain words"))
	big := filepath.Join(dir, "scan.pdf")
	if err := os.WriteFile(big, pdfBytes, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, data.MaxAttachmentSize+1); err != nil {
		t.Fatal(err)
	}
	other := writeFile(t, dir, "other.pdf", append([]byte("%PDF-1.7\n"), pdfBytes...))
	fails(t, 1, "form.docx: the file is application/zip, not a PDF, PNG or JPEG", "attach", "--db", db, other, doc)
	fails(t, 1, "notes.txt: the file is text/plain, not a PDF, PNG or JPEG", "attach", "--db", db, text)
	fails(t, 1, "scan.pdf: the file is 10485761 bytes, over the limit of 10485760", "attach", "--db", db, big)
	fails(t, 1, "missing.pdf: cannot open it", "attach", "--db", db, filepath.Join(dir, "missing.pdf"))
	fails(t, 1, "empty.pdf: the file is empty", "attach", "--db", db, writeFile(t, dir, "empty.pdf", nil))
	fails(t, 2, "want one or more files", "attach", "--db", db)
	fails(t, 2, "missing --db", "attach", pdf)
	if n := len(storedFiles(t, db)); n != 2 {
		t.Fatalf("%d files after refusals, want 2", n)
	}
	// A district that did not exist is not left behind by a refusal.
	fresh := filepath.Join(dir, "fresh.db")
	fails(t, 1, "notes.txt", "attach", "--db", fresh, text)
	if m, _ := filepath.Glob(fresh + "*"); len(m) != 0 {
		t.Errorf("a failed attach left %v", m)
	}
}

// noticeWith is a content set of one notice of the test street with the
// attachment.
func noticeWith(t *testing.T, dir, name string, a data.Attachment) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"notices": []any{map[string]any{
		"id": "n-form", "street": testStreet, "title": "登记表下载", "category": "通知", "publisher": "天河南街道",
		"published": "2026-11-02", "body": "附表", "attachments": []data.Attachment{a}}}})
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, dir, name, b)
}

func TestPublishRefusesUnknownFile(t *testing.T) {
	dir := t.TempDir()
	db := published(t)
	a := data.Attachment{Name: "表.pdf", File: "files/" + sum(pdfBytes) + ".pdf", SHA256: sum(pdfBytes), Size: int64(len(pdfBytes)), Type: "application/pdf"}
	set := noticeWith(t, dir, "notice.json", a)
	fails(t, 1, `notice "n-form": attachment "表.pdf": the district holds no file `+a.File+" (add it with districtd attach)", "publish", "--db", db, set)

	ok(t, "attach", "--db", db, writeFile(t, dir, "表.pdf", pdfBytes))
	// Held, but described otherwise than it is.
	wrong := a
	wrong.Size++
	fails(t, 1, fmt.Sprintf("is application/pdf of %d bytes, not application/pdf of %d bytes", a.Size, wrong.Size),
		"publish", "--db", db, noticeWith(t, dir, "wrong.json", wrong))
	if out := ok(t, "publish", "--db", db, set); out != `{"added":1,"changed":0,"seq":10,"unchanged":0}`+"\n" {
		t.Fatalf("publish with the file held: %s", out)
	}
}

// bundleFilesOf verifies a bundle file as a kiosk of the street at cursor
// would, and returns it with its "files/..." entries.
func bundleFilesOf(t *testing.T, path, pub string, cursor int64) (*bundle.Result, map[string][]byte) {
	t.Helper()
	key, err := bundle.ParseKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := map[string][]byte{}
	res, err := bundle.Read(f, bundle.Check{Keys: bundle.Keys{Trusted: []ed25519.PublicKey{key}}, Scope: testStreet, Cursor: cursor, Now: time.Now(),
		OnFile: func(f bundle.File) error { got[f.Path] = f.Data; return nil }})
	if err != nil {
		t.Fatal(err)
	}
	return res, got
}

func TestBundleCarriesAttachedFiles(t *testing.T) {
	dir := t.TempDir()
	db := published(t)
	keyPath, pub := keyFile(t)
	var a data.Attachment
	json.Unmarshal([]byte(ok(t, "attach", "--db", db, writeFile(t, dir, "表.pdf", pdfBytes))), &a)
	// A file no published content refers to stays out of bundles.
	ok(t, "attach", "--db", db, writeFile(t, dir, "map.png", pngBytes(t)))
	ok(t, "publish", "--db", db, noticeWith(t, dir, "notice.json", a))

	snap := filepath.Join(dir, "snap.jzb")
	ok(t, "bundle", "--db", db, "--street", testStreet, "--key", keyPath, "--out", snap)
	res, files := bundleFilesOf(t, snap, pub, 0)
	if len(files) != 1 || !bytes.Equal(files[a.File], pdfBytes) {
		t.Fatalf("snapshot files %v, want only %s", keys(files), a.File)
	}
	last := res.Manifest.Entries[len(res.Manifest.Entries)-1]
	if last.Path != a.File || last.SHA256 != a.SHA256 || last.Length != a.Size {
		t.Fatalf("manifest entry %+v", last)
	}

	// Another street's bundle does not carry this street's file; an
	// increment carries it only if its changes refer to it.
	other := filepath.Join(dir, "other.jzb")
	ok(t, "bundle", "--db", db, "--street", "440106006", "--key", keyPath, "--out", other)
	if b, _ := os.ReadFile(other); bytes.Contains(b, []byte(a.File)) {
		t.Fatal("another street's bundle carries the file")
	}
	ok(t, "publish", "--db", db, writeFile(t, dir, "more.json", []byte(`{"notices":[{"id":"n-more","street":"`+testStreet+`","title":"又一则","category":"通知","publisher":"p","published":"2026-11-02","body":"b"}]}`)))
	inc := filepath.Join(dir, "inc.jzb")
	ok(t, "bundle", "--db", db, "--street", testStreet, "--key", keyPath, "--out", inc, "--since", "10")
	if _, files := bundleFilesOf(t, inc, pub, 10); len(files) != 0 {
		t.Fatalf("an increment without the notice carries %v", keys(files))
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestFilesListAndRemove(t *testing.T) {
	dir := t.TempDir()
	db := published(t)
	if out := ok(t, "files", "list", "--db", db); out != "" {
		t.Fatalf("files of a district without any: %q", out)
	}
	var form, poster data.Attachment
	json.Unmarshal([]byte(ok(t, "attach", "--db", db, writeFile(t, dir, "登记表.pdf", pdfBytes))), &form)
	json.Unmarshal([]byte(ok(t, "attach", "--db", db, writeFile(t, dir, "海报.png", pngBytes(t)))), &poster)
	ok(t, "publish", "--db", db, noticeWith(t, dir, "notice.json", form))

	type use struct {
		File   string   `json:"file"`
		Name   string   `json:"name"`
		Type   string   `json:"type"`
		Size   int64    `json:"size"`
		Added  string   `json:"added_at"`
		UsedBy []string `json:"used_by"`
	}
	list := func() map[string]use {
		out := map[string]use{}
		for _, line := range strings.Split(strings.TrimSpace(ok(t, "files", "list", "--db", db)), "\n") {
			var u use
			if err := json.Unmarshal([]byte(line), &u); err != nil {
				t.Fatalf("%q: %v", line, err)
			}
			out[u.File] = u
		}
		return out
	}
	got := list()
	if u := got[form.File]; u.Name != "登记表.pdf" || u.Type != "application/pdf" || u.Size != int64(len(pdfBytes)) ||
		u.Added == "" || fmt.Sprint(u.UsedBy) != "[notice n-form]" {
		t.Fatalf("the form: %+v", u)
	}
	if u := got[poster.File]; u.Type != "image/png" || len(u.UsedBy) != 0 || u.UsedBy == nil {
		t.Fatalf("the poster: %+v", u)
	}

	// A file in use stays; one nothing refers to goes.
	fails(t, 1, "file "+form.File+" is still attached to notice n-form", "files", "remove", "--db", db, form.File)
	if out := ok(t, "files", "remove", "--db", db, poster.File); !strings.Contains(out, poster.File) {
		t.Fatalf("remove: %q", out)
	}
	if got := list(); len(got) != 1 || got[form.File].File == "" {
		t.Fatalf("after removing the poster: %v", got)
	}
	fails(t, 1, "the district holds no file "+poster.File, "files", "remove", "--db", db, poster.File)
	// Once the notice is gone, so may its form be.
	ok(t, "unpublish", "--db", db, "notice", "n-form")
	ok(t, "files", "remove", "--db", db, form.File)
	if n := len(storedFiles(t, db)); n != 0 {
		t.Fatalf("%d files left", n)
	}

	fails(t, 2, "want a subcommand", "files")
	fails(t, 2, "unknown subcommand", "files", "purge", "--db", db)
	fails(t, 2, "missing --db", "files", "list")
	fails(t, 2, "PATH", "files", "remove", "--db", db)
}
