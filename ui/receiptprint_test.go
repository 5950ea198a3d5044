package ui

import (
	"context"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"jiezhen/data"
	"jiezhen/data/store"
	"jiezhen/ui/escpos"
	"jiezhen/ui/escpos/escpostest"
)

const demoWebsite = "https://jiezhen.example.gov.cn/s/440106005/"

// fileAppealByTouch fills and files a complaint about noise as a
// resident does, through 提交.
func fileAppealByTouch(t *testing.T, w fyne.Window) {
	t.Helper()
	fillAppeal(t, w)
	focusEntry(t, w, "姓名")
	typeKeys(t, w, "zhang")
	tapKey(t, w, "张")
	focusEntry(t, w, "手机号码")
	typeDigits(t, w, "13812345678")
	tap(t, w, "下一步")
	tap(t, w, "提交")
}

// orderedPrinter is the real printer, but it checks, when a job comes,
// that the case is already in the outbox and the receipt on screen.
type orderedPrinter struct {
	*escpos.Printer
	t     *testing.T
	s     *store.Store
	w     fyne.Window
	calls int
}

func (p *orderedPrinter) Print(ctx context.Context, img image.Image) error {
	p.calls++
	items, err := p.s.Pending(ctx, 0)
	if err != nil || len(items) != 1 {
		p.t.Errorf("printing while the outbox holds %d items (%v), want the case", len(items), err)
	}
	if !strings.Contains(screenText(p.w), "您的反映已提交") {
		p.t.Error("printing before the receipt shows")
	}
	return p.Printer.Print(ctx, img)
}

// newPrinterFile is an empty file standing for /dev/usb/lp0.
func newPrinterFile(t *testing.T, width int) (*escpos.Printer, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "lp0")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := escpos.Parse(path, width)
	if err != nil {
		t.Fatal(err)
	}
	return p, path
}

// A filed case prints its receipt: the job written to the device decodes
// back into the golden receipt, and the screen asks the resident to take
// it.
func TestReceiptPrinted(t *testing.T) {
	pr, path := newPrinterFile(t, escpos.Width80)
	op := &orderedPrinter{Printer: pr, t: t}
	k, w, s := newAppealKiosk(t, Options{Printer: op})
	op.s, op.w = s, w
	k.street.Website = demoWebsite
	fileAppealByTouch(t, w)
	if op.calls != 1 {
		t.Fatalf("%d print jobs, want 1", op.calls)
	}
	assertShows(t, w, "您的反映已提交", "受理编号", "请取走回执")
	if strings.Contains(screenText(w), "请记下或拍照") {
		t.Error("a kiosk with a printer still asks for a photo")
	}

	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := escpostest.Jobs(b)
	if err != nil || len(jobs) != 1 {
		t.Fatalf("%d jobs in the printer's file, %v", len(jobs), err)
	}
	j := jobs[0]
	if !j.Init || !j.Cut || j.Page.Rect.Dx() != escpos.Width80 {
		t.Errorf("init %v, cut %v, width %d", j.Init, j.Cut, j.Page.Rect.Dx())
	}
	assertImageGolden(t, "receipt_print_appeal.png", j.Page)

	// 完成 prints nothing more.
	tap(t, w, "完成")
	if op.calls != 1 {
		t.Errorf("%d print jobs after 完成", op.calls)
	}
}

// The receipt of an application on 58 mm paper: the reference still fits
// one line, the materials to bring are listed.
func TestReceiptImageApplication58(t *testing.T) {
	k, _, _ := newTestKiosk(t, Options{})
	svc := mustService(t, k, "svc-linshi-jiuzhu")
	ref, _ := data.NewReference(7, testNow, 2)
	f := &filedCase{c: data.Case{Ref: ref, Kind: data.CaseApplication, Service: svc.ID,
		Deadline: data.MustDate("2026-12-09"), SubmittedAt: testNow}, svc: &svc}
	st := k.street
	st.Website = demoWebsite
	img, err := receiptImage(data.ZH, f, st, escpos.Width58)
	if err != nil {
		t.Fatal(err)
	}
	j, err := escpostest.Decode(escpos.Encode(img))
	if err != nil {
		t.Fatal(err)
	}
	assertImageGolden(t, "receipt_print_application_58.png", j.Page)
}

// assertImageGolden compares a printed page with testdata/name, allowing
// a few dots of difference in the glyphs' edges (float rounding of the
// rasteriser on other machines). A mismatch writes the page to
// testdata/failed/; after looking at it, move it over the golden.
func assertImageGolden(t *testing.T, name string, got *image.Gray) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		os.MkdirAll(filepath.Join("testdata", "failed"), 0o755)
		out := filepath.Join("testdata", "failed", name)
		if f, err := os.Create(out); err == nil {
			png.Encode(f, got)
			f.Close()
		}
		t.Errorf(format+"; the page is in "+out, args...)
	}
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		fail("no golden: %v", err)
		return
	}
	defer f.Close()
	want, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if want.Bounds() != got.Rect {
		fail("page %v, golden %v", got.Rect, want.Bounds())
		return
	}
	diff := 0
	for y := 0; y < got.Rect.Dy(); y++ {
		for x := 0; x < got.Rect.Dx(); x++ {
			r, _, _, _ := want.At(x, y).RGBA()
			if (r < 0x8000) != (got.GrayAt(x, y).Y < 0x80) {
				diff++
			}
		}
	}
	if limit := got.Rect.Dx() * got.Rect.Dy() / 1000; diff > limit {
		fail("%d dots differ from the golden (at most %d may)", diff, limit)
	}
}

// A printer that cannot print: the resident is told in words, the
// receipt stays with its reference, and the staff health screen reports
// it, with the printer's state now.
func TestReceiptPrintFailures(t *testing.T) {
	for _, tc := range []struct {
		name, dev, words string
	}{
		// /dev/full fails every write with ENOSPC, what the USB printer
		// driver answers when the paper is out.
		{"no paper", "/dev/full", "打印机缺纸"},
		{"unplugged", filepath.Join(t.TempDir(), "lp0"), "打印机没有连接"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := os.Stat(filepath.Dir(tc.dev)); err != nil {
				t.Skip(err)
			}
			pr, err := escpos.Parse(tc.dev, escpos.Width80)
			if err != nil {
				t.Fatal(err)
			}
			k, w, s := newAppealKiosk(t, Options{Printer: pr})
			fileAppealByTouch(t, w)
			items, _ := s.Pending(context.Background(), 0)
			if len(items) != 1 {
				t.Fatalf("the outbox holds %d items", len(items))
			}
			c, err := s.Case(context.Background(), items[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			assertShows(t, w, "您的反映已提交", spacedRef(c.Ref),
				"回执没有打印出来："+tc.words+"。请拍照或记下编号，并告诉工作人员。")

			k.staffSignIn(sampleStaff)
			openHealth(k.env)
			assertShows(t, w, "回执打印机", tc.dev, tc.words,
				"上次打印失败（2026-11-25 10:30）："+tc.words)
		})
	}
}

// The health screen says when a kiosk has no printer, and a printer that
// is ready as ready.
func TestHealthPrinterStates(t *testing.T) {
	k, w, _ := newTestKiosk(t, Options{})
	k.staffSignIn(sampleStaff)
	openHealth(k.env)
	assertShows(t, w, "回执打印机", "未配置")

	pr, path := newPrinterFile(t, escpos.Width58)
	k, w, _ = newTestKiosk(t, Options{Printer: pr})
	k.staffSignIn(sampleStaff)
	openHealth(k.env)
	assertShows(t, w, "回执打印机", path, "正常")
	if strings.Contains(screenText(w), "上次打印") {
		t.Error("a last print before anything was printed")
	}
}

// blockingPrinter holds each job until release is closed.
type blockingPrinter struct {
	*escpos.Printer
	started chan struct{}
	release chan struct{}
}

func (p *blockingPrinter) Print(ctx context.Context, img image.Image) error {
	close(p.started)
	<-p.release
	return p.Printer.Print(ctx, img)
}

// A slow printer never holds the screen: the receipt shows at once,
// saying it is printing, and says 请取走回执 when the printer is done.
func TestReceiptSlowPrinter(t *testing.T) {
	pr, _ := newPrinterFile(t, escpos.Width80)
	bp := &blockingPrinter{Printer: pr, started: make(chan struct{}), release: make(chan struct{})}
	k, w, _ := newAppealKiosk(t, Options{Printer: bp})
	fillAppeal(t, w)
	focusEntry(t, w, "姓名")
	typeKeys(t, w, "zhang")
	tapKey(t, w, "张")
	focusEntry(t, w, "手机号码")
	typeDigits(t, w, "13812345678")
	tap(t, w, "下一步")
	// Every load runs on a goroutine of its own, as in the kiosk, and
	// the test waits for it, except for those still running once the
	// print is blocked in the printer (the print, and the filing that
	// started it): those it waits for after releasing the printer.
	var mu sync.Mutex
	var running []chan struct{}
	k.bg = func(f func()) {
		done := make(chan struct{})
		go func() { defer close(done); f() }()
		select {
		case <-done:
		case <-bp.started:
			mu.Lock()
			running = append(running, done)
			mu.Unlock()
		}
	}
	tap(t, w, "提交")
	select {
	case <-bp.started:
	default:
		t.Fatal("the printer got no job")
	}
	assertShows(t, w, "您的反映已提交", "正在打印回执")
	close(bp.release)
	// The filing's goroutine records the print's before it ends.
	for i := 0; ; i++ {
		mu.Lock()
		if i == len(running) {
			mu.Unlock()
			break
		}
		done := running[i]
		mu.Unlock()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatal("the print did not finish")
		}
	}
	assertShows(t, w, "请取走回执")
}

// A kiosk that is online when the case is filed does not tell the
// resident it will send the case once it is online; one offline does.
func TestReceiptOnlineLeavesOutWhenOnline(t *testing.T) {
	for _, online := range []bool{false, true} {
		_, w, _ := newAppealKiosk(t, Options{Sync: fakeSync{online: online}})
		fileAppealByTouch(t, w)
		text := screenText(w)
		if got := strings.Contains(text, "本机联网后"); got == online {
			t.Errorf("online %v: the receipt says 本机联网后: %v\n%s", online, got, text)
		}
		if online && !strings.Contains(text, "您的投诉将送到街道") {
			t.Errorf("online: the receipt does not say the complaint goes to the street:\n%s", text)
		}
	}
	// Every kind of case, in both languages.
	svc := &data.ServiceItem{Name: "临时救助", Location: "综合窗口"}
	for _, c := range []data.Case{
		{Kind: data.CaseApplication, Ref: "7-1-1", Deadline: data.MustDate("2026-12-09")},
		{Kind: data.CaseAppeal, AppealType: data.AppealComplaint, Ref: "7-1-1", Deadline: data.MustDate("2026-12-09")},
		{Kind: data.CaseDisclosure, Ref: "7-1-1", Deadline: data.MustDate("2026-12-09"), Request: &data.DisclosureRequest{}},
	} {
		for _, l := range []data.Lang{data.ZH, data.EN} {
			f := &filedCase{c: c, svc: svc, online: true}
			next := strings.Join(newReceiptOf(l, f, data.Street{}).Next, " ")
			if strings.Contains(next, "本机联网后") || strings.Contains(next, "When this kiosk is online") {
				t.Errorf("%s %s online: %s", c.Kind, l, next)
			}
			f.online = false
			next = strings.Join(newReceiptOf(l, f, data.Street{}).Next, " ")
			if !strings.Contains(next, "本机联网后") && !strings.Contains(next, "When this kiosk is online") {
				t.Errorf("%s %s offline: %s", c.Kind, l, next)
			}
		}
	}
}
