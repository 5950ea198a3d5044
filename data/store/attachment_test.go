package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"jiezhen/data"
)

func shippedFile(b []byte, typ string) (data.Attachment, AttachmentFile) {
	s := sha256.Sum256(b)
	h := hex.EncodeToString(s[:])
	a := data.Attachment{Name: "登记表", File: data.AttachmentPath(h, typ), SHA256: h, Size: int64(len(b)), Type: typ}
	return a, AttachmentFile{Path: a.File, SHA256: h, Type: typ, Size: a.Size, Data: b}
}

// Files are stored in the bundle's transaction: a file that fails its
// check undoes the changes and the cursor with it.
func TestApplyBundleStoresFilesWithTheChanges(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Options{NoIndexer: true})
	pdf := []byte("%PDF-1.4 a blank form")
	a, f := shippedFile(pdf, "application/pdf")
	n := notice("n1", "登记表下载", "见附件")
	n.Attachments = []data.Attachment{a}
	imp := BundleImport{From: 0, To: 5, IssuedAt: time.Now(), Street: "S1",
		Changes: []data.Change{upsert(t, 5, data.KindNotice, "n1", 1, n)}}

	bad := imp
	broken := f
	broken.Data = []byte("%PDF-1.4 another form")
	bad.Files = []AttachmentFile{broken}
	before := dumpStore(t, s)
	if _, err := s.ApplyBundle(ctx, ContentFeed, bad); err == nil || !strings.Contains(err.Error(), "do not match its size and SHA-256") {
		t.Fatalf("a file not matching its record: %v", err)
	}
	if dumpStore(t, s) != before {
		t.Fatal("the failed bundle left rows behind")
	}

	imp.Files = []AttachmentFile{f}
	if _, err := s.ApplyBundle(ctx, ContentFeed, imp); err != nil {
		t.Fatal(err)
	}
	got, err := s.AttachmentFile(ctx, a.File)
	if err != nil || string(got.Data) != string(pdf) || got.Type != "application/pdf" || got.SHA256 != a.SHA256 || got.Size != a.Size {
		t.Fatalf("stored file %+v, %v", got, err)
	}
	if c, _ := s.Cursor(ctx, ContentFeed); c != 5 {
		t.Fatalf("cursor %d", c)
	}
	if _, err := s.AttachmentFile(ctx, "files/none.pdf"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a file not held: %v", err)
	}
}

// Sweep keeps the files notices and services refer to and removes the
// others.
func TestSweepRemovesFilesNoContentRefersTo(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Options{NoIndexer: true})
	a1, f1 := shippedFile([]byte("%PDF-1.4 notice form"), "application/pdf")
	a2, f2 := shippedFile([]byte("%PDF-1.4 service form"), "application/pdf")
	n := notice("n1", "登记表下载", "见附件")
	n.Attachments = []data.Attachment{{Name: "online only", URL: "https://example.invalid/a.pdf"}, a1}
	sv := data.ServiceItem{ID: "s1", Code: "S-1", Name: "居住登记", Category: data.PowerSocial, Department: "街道", Phone: "020-12345678",
		Materials: []data.Material{{Name: "身份证", Form: data.FormCopy, Count: 1}, {Name: "登记表", Form: data.FormOriginal, Count: 1, Template: &a2}}}
	if _, err := s.ApplyBundle(ctx, ContentFeed, BundleImport{From: 0, To: 2, IssuedAt: time.Now(), Street: "S1",
		Changes: []data.Change{upsert(t, 1, data.KindNotice, "n1", 1, n), upsert(t, 2, data.KindService, "s1", 1, sv)},
		Files:   []AttachmentFile{f1, f2}}); err != nil {
		t.Fatal(err)
	}
	res, err := s.Sweep(ctx, time.Now(), time.Hour)
	if err != nil || res.Files != 0 {
		t.Fatalf("sweep with both files in use: %+v, %v", res, err)
	}
	apply(t, s, 3, data.Change{Seq: 3, Kind: data.KindNotice, ID: "n1", Op: data.OpDelete, Version: 2})
	if res, err = s.Sweep(ctx, time.Now(), time.Hour); err != nil || res.Files != 1 {
		t.Fatalf("sweep after the notice went: %+v, %v", res, err)
	}
	if _, err := s.AttachmentFile(ctx, a1.File); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the notice's file is still held: %v", err)
	}
	if _, err := s.AttachmentFile(ctx, a2.File); err != nil {
		t.Fatalf("the service's form went too: %v", err)
	}
}
