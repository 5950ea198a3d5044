package ui

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// TestDamagedScreen: the screen shown instead of the kiosk when its
// database is refused says so in Chinese, then English, and offers
// nothing to tap. With JIEZHEN_SHOTS set it saves a PNG there.
func TestDamagedScreen(t *testing.T) {
	a := test.NewTempApp(t)
	w := a.NewWindow("kiosk")
	w.Resize(fyne.NewSize(1280, 800))
	ShowDamaged(a, w)
	var texts []string
	walk(w.Content(), func(o fyne.CanvasObject) {
		switch o := o.(type) {
		case *widget.Label:
			texts = append(texts, o.Text)
		case fyne.Tappable:
			t.Errorf("the damaged screen has something to tap: %T", o)
		}
	})
	got := strings.Join(texts, "|")
	if got != "数据文件损坏，请联系管理员|The data file is damaged. Please contact the administrator." {
		t.Errorf("texts %q", got)
	}
	if dir := os.Getenv("JIEZHEN_SHOTS"); dir != "" {
		f, err := os.Create(filepath.Join(dir, "damaged.png"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := png.Encode(f, w.Canvas().Capture()); err != nil {
			t.Fatal(err)
		}
	}
}
