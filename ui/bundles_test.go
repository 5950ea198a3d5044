package ui

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"jiezhen/data"
	"jiezhen/data/store"
	"jiezhen/sync/bundle"
	"jiezhen/sync/client"
)

// fileImporter is the kiosk's importer as cmd/kiosk builds it: the code of
// `kiosk import` (client.ImportFile), here with the district's key pinned
// and the kiosk's street.
type fileImporter struct {
	s      *store.Store
	trust  ed25519.PublicKey
	street string
	now    func() time.Time
}

func (f fileImporter) Import(ctx context.Context, path string, progress func(done, total int)) (BundleResult, error) {
	res, err := client.ImportFile(ctx, f.s, path, client.ImportOptions{Trust: f.trust, Street: f.street, Now: f.now()},
		func(done, total int64) { progress(int(done), int(total)) })
	if err != nil {
		return BundleResult{}, err
	}
	return BundleResult{Applied: res.Applied, Upserted: res.Upserted, Deleted: res.Deleted, Unchanged: res.Unchanged}, nil
}

// noImporter is an importer for screens that are only looked at.
type noImporter struct{}

func (noImporter) Import(context.Context, string, func(int, int)) (BundleResult, error) {
	return BundleResult{}, nil
}

// signedBundle is a bundle of the demo street, signed with priv, that
// adds a notice on top of the demo content (cursor after).
func signedBundle(t *testing.T, priv ed25519.PrivateKey, after int64, n data.Notice) []byte {
	t.Helper()
	body, err := json.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	changes := []data.Change{{Seq: after + 1, Kind: data.KindNotice, ID: n.ID, Op: data.OpUpsert, Version: 1, Body: body}}
	files, err := bundle.ChangeFiles(changes)
	if err != nil {
		t.Fatal(err)
	}
	issued := time.Now().UTC().Truncate(time.Second)
	m := bundle.Manifest{District: "天河区", Scope: "440106005", From: after, To: after + 1, Changes: 1,
		IssuedAt: issued, ExpiresAt: issued.Add(24 * time.Hour)}
	var buf bytes.Buffer
	if err := bundle.Write(&buf, m, files, priv); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// storeState is what an import could change, for "nothing changed".
func storeState(t *testing.T, s *store.Store) string {
	t.Helper()
	ctx := context.Background()
	st, err := s.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st.SearchPending = 0
	tr, err := s.BundleTrust(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rows, _, err := s.ListNotices(ctx, store.NoticeFilter{}, store.Page{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(st, tr, rows)
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// A signed bundle on a drive plugged in is noticed, offered, imported by
// tapping, and its notice appears; a forged one on another drive is
// refused with its reason and nothing changes; five taps on the kiosk's
// name open the list of bundles on the drives.
func TestBundleFromDrive(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := loadDemo(filepath.Join(dir, "kiosk.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	cursor, err := s.Cursor(ctx, store.ContentFeed)
	if err != nil {
		t.Fatal(err)
	}
	pub, priv, _ := bundle.GenerateKey()
	mount := filepath.Join(dir, "media")
	os.MkdirAll(mount, 0o755)
	writeFile(t, filepath.Join(mount, "old", "STICK", "already-here.jzb"), []byte("not offered: there at start"))

	a := test.NewTempApp(t)
	w := a.NewWindow("kiosk")
	clock := &fakeClock{t: testNow}
	var logged bytes.Buffer
	k, err := New(a, w, s, Options{
		Now: clock.Now, Tick: make(chan time.Time), Background: func(f func()) { f() },
		Sync: fakeSync{}, MountDirs: []string{mount}, Log: slog.New(slog.NewTextHandler(&logged, nil)),
		Bundles: fileImporter{s: s, trust: pub, street: "440106005", now: time.Now},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(k.Close)
	w.Resize(fyne.NewSize(1280, 800))
	ticks := func() {
		for range mountPollTicks {
			clock.Advance(time.Second)
			k.Tick()
		}
	}
	ticks()
	if len(k.stack) != 0 {
		t.Fatalf("a file on a drive already in at start was offered")
	}

	// A drive with a signed bundle is plugged in.
	n := data.Notice{ID: "usb-notice-1", Street: "440106005", Title: "U盘送来的停电通知", Category: "通知",
		Publisher: "天河南街道办事处", Published: data.Date{Year: 2026, Month: 11, Day: 24}, Body: "明日停电。"}
	writeFile(t, filepath.Join(mount, "staff", "KIOSK", "update.jzb"), signedBundle(t, priv, cursor, n))
	ticks()
	assertShows(t, w, "发现U盘上的内容包，要导入吗？", "update.jzb")
	tap(t, w, "导入")
	assertShows(t, w, "导入成功：新增或更新 1 项，删除 0 项，0 项未变。")
	if _, err := s.Notice(ctx, n.ID); err != nil {
		t.Fatalf("the bundle's notice is not in the store: %v", err)
	}
	tap(t, w, "完成")
	openNotice(k.env, k.src, n.ID)
	assertShows(t, w, n.Title, "明日停电。")
	k.goHome()

	// A forged bundle: one byte of its manifest changed after signing.
	before := storeState(t, s)
	n2 := n
	n2.ID, n2.Title = "usb-notice-2", "伪造的通知"
	forged := signedBundle(t, priv, cursor+1, n2)
	i := bytes.Index(forged, []byte(`"scope"`))
	forged[i+2] ^= 0x20
	writeFile(t, filepath.Join(mount, "other", "STICK2", "forged.jzb"), forged)
	ticks()
	assertShows(t, w, "forged.jzb")
	tap(t, w, "导入")
	// The refusal in words; its detail, in Go's, in the log.
	assertShows(t, w, "未导入，本机内容没有改变。原因：签名无效，文件可能被篡改。")
	if strings.Contains(screenText(w), "signature does not verify") || !strings.Contains(logged.String(), "signature does not verify") {
		t.Errorf("the refusal's detail is not in the log alone:\n%s\nlog: %s", screenText(w), logged.String())
	}
	if after := storeState(t, s); after != before {
		t.Fatalf("a forged bundle changed the store:\n%s\n%s", before, after)
	}
	if _, err := s.Notice(ctx, n2.ID); err == nil {
		t.Fatal("the forged notice is in the store")
	}
	tap(t, w, "完成")
	k.goHome()

	// Five taps on the kiosk's name: the list of bundles on the drives;
	// importing one again changes nothing and says so.
	var secret *secretArea
	walk(w.Canvas().Content(), func(o fyne.CanvasObject) {
		if x, ok := o.(*secretArea); ok {
			secret = x
		}
	})
	if secret == nil {
		t.Fatal("no tappable kiosk name in the footer")
	}
	for range secretTapsNeeded - 1 {
		test.Tap(secret)
	}
	if len(k.stack) != 0 {
		t.Fatal("four taps opened the bundle screen")
	}
	test.Tap(secret)
	assertShows(t, w, "导入内容包", "update.jzb", "forged.jzb", "already-here.jzb")
	tap(t, w, "update.jzb")
	assertShows(t, w, "导入这个内容包吗？")
	tap(t, w, "导入")
	assertShows(t, w, "本机已有这个内容包的内容，没有改变。")
	if strings.Contains(screenText(w), "伪造") {
		t.Fatal("the forged notice shows")
	}
}

// The drive watcher and the list look only a few levels down, skip
// hidden folders and take .JZB in any case.
func TestFindBundles(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"a/b/c/deep.jzb", "a/b/c/d/too-deep.jzb", "a/.hidden/x.jzb", "a/UPPER.JZB", "a/not.txt"} {
		writeFile(t, filepath.Join(dir, p), []byte("x"))
	}
	var got []string
	for _, f := range findBundles([]string{dir, filepath.Join(dir, "missing")}, mountDepth) {
		got = append(got, strings.TrimPrefix(f.Path, dir+"/"))
	}
	if fmt.Sprint(got) != "[a/UPPER.JZB a/b/c/deep.jzb]" && fmt.Sprint(got) != "[a/b/c/deep.jzb a/UPPER.JZB]" {
		t.Fatalf("found %v", got)
	}
}
