package escpos_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"jiezhen/ui/escpos"
	"jiezhen/ui/escpos/escpostest"
)

// pattern is a test image taller than two bands, with a border, a
// diagonal and grey that prints as white or black by its shade.
func pattern(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{0xff, 0xff, 0xff, 0xff}
			switch {
			case x == 0 || y == 0 || x == w-1 || y == h-1, x == y:
				c = color.RGBA{0, 0, 0, 0xff}
			case x%7 == 0:
				c = color.RGBA{0x60, 0x60, 0x60, 0xff} // dark grey: a dot
			case x%5 == 0:
				c = color.RGBA{0xc0, 0xc0, 0xc0, 0xff} // light grey: none
			}
			img.Set(x, y, c)
		}
	}
	return img
}

func sameDots(t *testing.T, got *image.Gray, want image.Image) {
	t.Helper()
	wb := want.Bounds()
	if got.Rect.Dy() != wb.Dy() || got.Rect.Dx() != (wb.Dx()+7)/8*8 {
		t.Fatalf("decoded %v, want %v", got.Rect, wb)
	}
	for y := 0; y < wb.Dy(); y++ {
		for x := 0; x < got.Rect.Dx(); x++ {
			wantDot := false
			if x < wb.Dx() {
				g := color.GrayModel.Convert(want.At(x, y)).(color.Gray)
				wantDot = g.Y < 0x80
			}
			if gotDot := got.GrayAt(x, y).Y == 0; gotDot != wantDot {
				t.Fatalf("dot (%d,%d) = %v, want %v", x, y, gotDot, wantDot)
			}
		}
	}
}

func TestEncodeDecodes(t *testing.T) {
	for _, w := range []int{escpos.Width58, escpos.Width80, 101} {
		img := pattern(w, 2*escpos.BandRows+37)
		job := escpos.Encode(img)
		if !bytes.HasPrefix(job, []byte{0x1b, '@', 0x1d, 'v', '0', 0}) {
			t.Fatalf("width %d: the job starts % x", w, job[:8])
		}
		j, err := escpostest.Decode(job)
		if err != nil {
			t.Fatalf("width %d: %v", w, err)
		}
		if !j.Init || !j.Cut || j.Feed == 0 {
			t.Errorf("width %d: init %v, cut %v, feed %d", w, j.Init, j.Cut, j.Feed)
		}
		sameDots(t, j.Page, img)
	}
}

func TestParse(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		spec  string
		width int
		want  string
	}{
		{"/dev/usb/lp0", 500, "want 576 (80 mm paper) or 384 (58 mm)"},
		{"", escpos.Width80, "absolute path"},
		{"usb/lp0", escpos.Width80, "absolute path"},
		{dir, escpos.Width80, "is a folder"},
		{"cups:", escpos.Width80, "CUPS queue name"},
		{"cups:front desk", escpos.Width80, "CUPS queue name"},
	} {
		_, err := escpos.Parse(tc.spec, tc.width)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("Parse(%q, %d) = %v, want one line with %q", tc.spec, tc.width, err, tc.want)
		}
	}
	p, err := escpos.Parse(filepath.Join(dir, "lp0"), escpos.Width58)
	if err != nil || p.Width() != escpos.Width58 || p.String() != filepath.Join(dir, "lp0") {
		t.Errorf("a device not there yet: %v, %v", p, err)
	}
}

// A device file takes the job as Encode wrote it; jobs follow each other.
func TestPrintToFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lp0")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := escpos.Parse(path, escpos.Width80)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	img := pattern(escpos.Width80, 300)
	for range 2 {
		if err := p.Print(context.Background(), img); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := escpostest.Jobs(b)
	if err != nil || len(jobs) != 2 {
		t.Fatalf("%d jobs, %v", len(jobs), err)
	}
	sameDots(t, jobs[1].Page, img)
}

func TestDeviceErrors(t *testing.T) {
	img := pattern(escpos.Width80, 10)
	missing, _ := escpos.Parse(filepath.Join(t.TempDir(), "lp0"), escpos.Width80)
	for _, tc := range []struct {
		p    *escpos.Printer
		want error
	}{
		{missing, escpos.ErrMissing},
	} {
		if err := tc.p.Print(context.Background(), img); !errors.Is(err, tc.want) {
			t.Errorf("%s: Print = %v, want %v", tc.p, err, tc.want)
		}
		if err := tc.p.Check(context.Background()); !errors.Is(err, tc.want) {
			t.Errorf("%s: Check = %v, want %v", tc.p, err, tc.want)
		}
	}
	// /dev/full fails every write with ENOSPC, which is what the USB
	// printer driver answers when the paper is out.
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full")
	}
	full, err := escpos.Parse("/dev/full", escpos.Width80)
	if err != nil {
		t.Fatal(err)
	}
	err = full.Print(context.Background(), img)
	if !errors.Is(err, escpos.ErrNoPaper) || !strings.HasPrefix(err.Error(), "/dev/full: ") {
		t.Errorf("/dev/full: Print = %v, want ErrNoPaper", err)
	}
}

// fakeCUPS puts lp and lpstat scripts first in $PATH: lp keeps its
// arguments and the job in dir, lpstat answers with status.
func fakeCUPS(t *testing.T, lpExit int, status string, statExit int) string {
	dir := t.TempDir()
	lp := "#!/bin/sh\necho \"$@\" > " + dir + "/args\ncat > " + dir + "/job\n"
	if lpExit != 0 {
		lp += "echo 'lp: The printer or class does not exist.' >&2\nexit 1\n"
	}
	lpstat := "#!/bin/sh\necho '" + status + "'\nexit " + string(rune('0'+statExit)) + "\n"
	for name, script := range map[string]string{"lp": lp, "lpstat": lpstat} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return dir
}

func TestPrintThroughCUPS(t *testing.T) {
	dir := fakeCUPS(t, 0, "printer receipts is idle.  enabled since Mon 07 Dec 2026", 0)
	p, err := escpos.Parse("cups:receipts", escpos.Width58)
	if err != nil {
		t.Fatal(err)
	}
	img := pattern(escpos.Width58, 40)
	if err := p.Print(context.Background(), img); err != nil {
		t.Fatal(err)
	}
	args, _ := os.ReadFile(filepath.Join(dir, "args"))
	if got := strings.TrimSpace(string(args)); !strings.Contains(got, "-d receipts") || !strings.Contains(got, "-o raw") {
		t.Errorf("lp %s", got)
	}
	job, _ := os.ReadFile(filepath.Join(dir, "job"))
	j, err := escpostest.Decode(job)
	if err != nil {
		t.Fatal(err)
	}
	sameDots(t, j.Page, img)
}

func TestCUPSErrors(t *testing.T) {
	img := pattern(escpos.Width80, 10)
	for _, tc := range []struct {
		name     string
		lpExit   int
		status   string
		statExit int
		want     error
		sent     bool
	}{
		{"disabled", 0, "printer receipts disabled since Mon 07 Dec 2026 -\n\tPaper out", 0, escpos.ErrOffline, false},
		{"no queue", 0, "lpstat: Invalid destination name in list \"receipts\".", 1, escpos.ErrMissing, false},
		{"lp refuses", 1, "printer receipts is idle.", 0, escpos.ErrFailed, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := fakeCUPS(t, tc.lpExit, tc.status, tc.statExit)
			p, err := escpos.Parse("cups:receipts", escpos.Width80)
			if err != nil {
				t.Fatal(err)
			}
			err = p.Print(context.Background(), img)
			if !errors.Is(err, tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("Print = %v, want %v in one line", err, tc.want)
			}
			if _, serr := os.Stat(filepath.Join(dir, "job")); (serr == nil) != tc.sent {
				t.Errorf("a job reached lp: %v, want %v", serr == nil, tc.sent)
			}
		})
	}
	t.Setenv("PATH", t.TempDir())
	if _, err := escpos.Parse("cups:receipts", escpos.Width80); err == nil || !strings.Contains(err.Error(), "lp command is not installed") {
		t.Errorf("without lp: %v", err)
	}
}
