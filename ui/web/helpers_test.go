package web

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"jiezhen/assets"
	"jiezhen/data"
	"jiezhen/internal/pgtest"
	"jiezhen/sync/server"
)

// demoStreet is the demo content's pilot street; otherStreet is its
// second street.
const (
	demoStreet  = "440106005"
	otherStreet = "440106006"
)

// testClock is the district's clock in tests: 2026-12-08 10:00 in China,
// a Tuesday, unless a test moves it.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// site is the website over a real district database (SQLite in a
// temporary directory) holding the demo content plus a notice with a PDF
// and a picture and a service whose form is a held PDF, served over real
// HTTP.
type site struct {
	t     testing.TB
	p     *server.Platform
	clock *testClock
	url   string
	pdf   server.StoredFile
	png   server.StoredFile
	pdfB  []byte
	pngB  []byte
	logs  *bytes.Buffer
	db    string          // the district database's file
	kf    *server.KeyFile // its data key file
	web   *Site
}

// Ids of the items the test site adds to the demo content.
const (
	filesNotice  = "web-notice-files"
	otherNotice  = "web-notice-other"
	filesService = "svc-juzhu-dengji" // the demo's service, given a held form
)

var pdfBytes = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

func pngBytes(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 320, 120))
	for x := range 320 {
		for y := range 120 {
			img.Set(x, y, color.RGBA{uint8(x % 256), 120, uint8(y * 2), 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func newSite(t testing.TB) *site {
	t.Helper()
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "district.db")
	if pgtest.Enabled() {
		db = pgtest.URL(t, server.MigratePostgres)
	}
	st, err := server.OpenStore(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	s := &site{t: t, clock: &testClock{t: time.Date(2026, 12, 8, 2, 0, 0, 0, time.UTC)}, logs: &bytes.Buffer{}, db: db}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	s.p = server.New(st, server.Options{Now: s.clock.Now, Log: log})
	// Personal data sealed, as districtd serve stores it: tracking
	// compares the keyed hash.
	kf, err := server.NewKeyFile(filepath.Join(t.TempDir(), "district.key"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.p.UseKeyFile(ctx, kf); err != nil {
		t.Fatal(err)
	}
	s.kf = kf
	s.pdfB, s.pngB = pdfBytes, pngBytes(t)
	files, _, err := s.p.AddFiles(ctx, []server.NewFile{{Name: "停水范围.pdf", Data: s.pdfB}, {Name: "停水范围示意图.png", Data: s.pngB}})
	if err != nil {
		t.Fatal(err)
	}
	s.pdf, s.png = files[0], files[1]
	set, err := data.ReadContentFiles(assets.Demo, "demo/*.json")
	if err != nil {
		t.Fatal(err)
	}
	att := func(f server.StoredFile, name string) data.Attachment {
		return data.Attachment{Name: name, File: f.Path, SHA256: f.SHA256, Size: f.Size, Type: f.Type}
	}
	set.Notices = append(set.Notices,
		data.Notice{ID: filesNotice, Street: demoStreet, Title: "关于天河南一路停水范围的补充通知", Category: "通知",
			Publisher: "天河南街道办事处", Published: data.MustDate("2026-12-01"),
			Body:        "停水范围见附件。\n请居民提前储水。",
			Attachments: []data.Attachment{att(s.pdf, "停水范围"), att(s.png, "停水范围示意图")}},
		data.Notice{ID: otherNotice, Street: otherStreet, Title: "林和街道的通知", Category: "通知",
			Publisher: "林和街道办事处", Published: data.MustDate("2026-12-02"), Body: "林和街道的通知正文。",
			Attachments: []data.Attachment{att(s.pdf, "林和附件")}})
	found := false
	for i := range set.Services {
		if set.Services[i].ID != filesService {
			continue
		}
		for j := range set.Services[i].Materials {
			if m := &set.Services[i].Materials[j]; m.Template != nil {
				a := att(s.pdf, "来穗人员居住登记表")
				m.Template = &a
				found = true
				break
			}
		}
	}
	if !found {
		t.Fatalf("the demo content has no service %s with a blank form", filesService)
	}
	if _, err := s.p.Publish(ctx, set); err != nil {
		t.Fatal(err)
	}
	s.web = New(s.p, slog.New(slog.NewTextHandler(s.logs, nil)))
	srv := httptest.NewServer(s.web.Handler())
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

// get fetches a path without following redirects, with the cookies given.
func (s *site) get(path string, cookies ...*http.Cookie) (*http.Response, string) {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.url+path, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return resp, string(b)
}

var noRedirect = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Timeout:       30 * time.Second,
}
