package ui

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"

	"jiezhen/data"
	"jiezhen/data/store"
)

// attachedNotice is a notice of the demo street with a picture and a PDF
// the district shipped, and the files as a bundle brings them.
func attachedNotice(t *testing.T) (data.Notice, []store.AttachmentFile) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 20))
	for x := range 40 {
		img.Set(x, 10, color.RGBA{0, 90, 200, 255})
	}
	var pic bytes.Buffer
	if err := png.Encode(&pic, img); err != nil {
		t.Fatal(err)
	}
	pdf := bytes.Repeat([]byte("%PDF-1.4 form "), 300) // 4,200 bytes: 5 KB
	var files []store.AttachmentFile
	var atts []data.Attachment
	for _, f := range []struct {
		name, typ, url string
		b              []byte
	}{{"社区活动地图.png", "image/png", "", pic.Bytes()}, {"报名表.pdf", "application/pdf", "https://jiezhen.example/forms/baoming.pdf", pdf}} {
		s := sha256.Sum256(f.b)
		h := hex.EncodeToString(s[:])
		a := data.Attachment{Name: f.name, URL: f.url, File: data.AttachmentPath(h, f.typ), SHA256: h, Size: int64(len(f.b)), Type: f.typ}
		atts = append(atts, a)
		files = append(files, store.AttachmentFile{Path: a.File, SHA256: h, Type: f.typ, Size: a.Size, Data: f.b})
	}
	n := data.Notice{ID: "notice-with-files", Street: "440106005", Title: "社区活动报名", Category: "通知",
		Publisher: "天河南街道办事处", Published: data.Date{Year: 2026, Month: 11, Day: 20}, Body: "见附件地图与报名表。", Attachments: atts}
	return n, files
}

// kioskWithNotice is a demo kiosk to which a bundle brought n, with the
// files given (none: as if it had pulled over HTTP).
func kioskWithNotice(t *testing.T, n data.Notice, files []store.AttachmentFile) (*Kiosk, fyne.Window) {
	t.Helper()
	ctx := context.Background()
	s, err := loadDemo(filepath.Join(t.TempDir(), "kiosk.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	cursor, err := s.Cursor(ctx, store.ContentFeed)
	if err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	ch := data.Change{Seq: cursor + 1, Kind: data.KindNotice, ID: n.ID, Op: data.OpUpsert, Version: 1, Body: body}
	if _, err := s.ApplyBundle(ctx, store.ContentFeed, store.BundleImport{From: cursor, To: cursor + 1, Changes: []data.Change{ch},
		IssuedAt: time.Now(), Street: n.Street, Files: files}); err != nil {
		t.Fatal(err)
	}
	k, w, _ := newTestKioskOn(t, s, Options{})
	return k, w
}

// pictures lists the images on screen whose pixels are w by h.
func pictures(w fyne.Window, width, height int) []*canvas.Image {
	var out []*canvas.Image
	walk(w.Canvas().Content(), func(o fyne.CanvasObject) {
		if ci, ok := o.(*canvas.Image); ok && ci.Image != nil &&
			ci.Image.Bounds().Dx() == width && ci.Image.Bounds().Dy() == height {
			out = append(out, ci)
		}
	})
	return out
}

func TestNoticeShowsHeldAttachments(t *testing.T) {
	n, files := attachedNotice(t)
	k, w := kioskWithNotice(t, n, files)
	openNotice(k.env, k.src, n.ID)
	assertShows(t, w, n.Title, "附件", "社区活动地图.png", "报名表.pdf", "PDF · 5 KB", "已存本机，可请工作人员打印")
	pics := pictures(w, 40, 20)
	if len(pics) != 1 {
		t.Fatalf("the notice shows %d copies of the picture, want 1", len(pics))
	}
	p := pics[0]
	if p.FillMode != canvas.ImageFillContain || p.MinSize().Height > 360 || p.MinSize().Width != 2*p.MinSize().Height {
		t.Fatalf("picture fill %v, min size %v: want contain, its shape, at most 360 high", p.FillMode, p.MinSize())
	}
	// The PDF's url is still offered as a QR code, as a file to download:
	// a notice's attachment need not be a form.
	assertShows(t, w, "扫码下载")
	if strings.Contains(screenText(w), "扫码下载表格") {
		t.Error("a notice's attachment is captioned as a blank form")
	}

	k.toggleLang()
	assertShows(t, w, "Stored on this kiosk: staff can print it for you", "PDF · 5 KB", "Scan to download")
}

// A kiosk that pulled the notice over HTTP holds no file: the PDF is the
// QR code of its url, and the picture, which has none, says it is not
// here yet.
func TestNoticeWithoutHeldFilesFallsBackToQR(t *testing.T) {
	n, _ := attachedNotice(t)
	k, w := kioskWithNotice(t, n, nil)
	openNotice(k.env, k.src, n.ID)
	assertShows(t, w, "附件（扫码下载）", "报名表.pdf", "社区活动地图.png · 文件尚未同步到本机")
	if len(pictures(w, 40, 20)) != 0 {
		t.Fatal("a picture the kiosk does not hold is shown")
	}
	if got := screenText(w); strings.Contains(got, "已存本机") {
		t.Fatalf("a file not held is said to be here:\n%s", got)
	}
}

// A service's blank form the kiosk holds is listed for printing, beside
// the QR code of its url.
func TestServiceShowsHeldForm(t *testing.T) {
	ctx := context.Background()
	s, err := loadDemo(filepath.Join(t.TempDir(), "kiosk.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	sv, err := s.Service(ctx, "svc-juzhu-dengji")
	if err != nil {
		t.Fatal(err)
	}
	pdf := bytes.Repeat([]byte("%PDF-1.4 form "), 9000) // 126,000 bytes: 124 KB
	sum := sha256.Sum256(pdf)
	h := hex.EncodeToString(sum[:])
	var tpl *data.Attachment
	for i := range sv.Materials {
		if sv.Materials[i].Template != nil {
			tpl = sv.Materials[i].Template
		}
	}
	tpl.Name, tpl.File, tpl.SHA256, tpl.Size, tpl.Type = "来穗人员居住登记表.pdf", data.AttachmentPath(h, "application/pdf"), h, int64(len(pdf)), "application/pdf"
	body, _ := json.Marshal(sv)
	cursor, _ := s.Cursor(ctx, store.ContentFeed)
	if _, err := s.ApplyBundle(ctx, store.ContentFeed, store.BundleImport{From: cursor, To: cursor + 1, IssuedAt: time.Now(), Street: "440106005",
		Changes: []data.Change{{Seq: cursor + 1, Kind: data.KindService, ID: sv.ID, Op: data.OpUpsert, Version: 2, Body: body}},
		Files:   []store.AttachmentFile{{Path: tpl.File, SHA256: h, Type: tpl.Type, Size: tpl.Size, Data: pdf}}}); err != nil {
		t.Fatal(err)
	}
	k, w, _ := newTestKioskOn(t, s, Options{})
	openService(k.env, k.src, sv.ID)
	assertShows(t, w, "来穗人员居住登记表.pdf", "PDF · 124 KB", "已存本机，可请工作人员打印", "扫码下载表格")
}
