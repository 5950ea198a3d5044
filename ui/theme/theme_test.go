package theme

import (
	"bytes"
	"image/color"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	fynetheme "fyne.io/fyne/v2/theme"
	"github.com/go-text/typesetting/font"
)

func TestSizesMeetElderRules(t *testing.T) {
	for _, elderMode := range []bool{false, true} {
		th := &Theme{Elder: elderMode}
		if got := th.Size(fynetheme.SizeNameText); got < 18 {
			t.Errorf("elder=%v: body text %v, want at least 18", elderMode, got)
		}
		if elderMode {
			if got := th.Size(fynetheme.SizeNameHeadingText); got < 30 {
				t.Errorf("elder heading %v, want at least 30", got)
			}
		}
		// A line of text with the spacing under it, against the text size.
		size := th.Size(fynetheme.SizeNameText)
		face, err := font.ParseTTF(bytes.NewReader(th.Font(fyne.TextStyle{}).Content()))
		if err != nil {
			t.Fatal(err)
		}
		ext, _ := face.FontHExtents()
		line := (ext.Ascender - ext.Descender) / float32(face.Upem()) * size
		if got := (line + th.Size(fynetheme.SizeNameLineSpacing)) / size; got < 1.3 {
			t.Errorf("elder=%v: lines %.2fx the text size apart, want 1.3x at least", elderMode, got)
		}
	}
	if (&Theme{Elder: true}).Size(fynetheme.SizeNameText) <= (&Theme{}).Size(fynetheme.SizeNameText) {
		t.Error("elder mode does not enlarge text")
	}
}

// Every proportional style must use the bundled CJK font: Fyne's own has
// no Chinese glyphs, and falling back to the machine's fonts would make the
// kiosk look different on every machine.
func TestChineseUsesBundledFont(t *testing.T) {
	th := &Theme{}
	for _, s := range []fyne.TextStyle{{}, {Bold: true}, {Italic: true}, {Bold: true, Italic: true}} {
		want := "NotoSansCJKsc-Regular.otf"
		if s.Bold {
			want = "NotoSansCJKsc-Bold.otf"
		}
		if r := th.Font(s); r.Name() != want || len(r.Content()) < 1<<20 {
			t.Errorf("style %+v uses %q (%d bytes), want %s", s, r.Name(), len(r.Content()), want)
		}
	}
	if r := th.Font(fyne.TextStyle{Monospace: true}); strings.HasPrefix(r.Name(), "NotoSansCJK") {
		t.Error("monospace text uses the proportional CJK font")
	}
}

// TestChineseHeadingsAreBold draws the same Chinese words and the same
// digits in the theme's regular and bold styles: bold strokes are heavier
// (more ink) in Chinese as in the digits, from the one family.
func TestChineseHeadingsAreBold(t *testing.T) {
	a := test.NewTempApp(t)
	a.Settings().SetTheme(&Theme{})
	ink := func(text string, bold bool) int {
		txt := canvas.NewText(text, color.Black)
		txt.TextSize = 40
		txt.TextStyle.Bold = bold
		w := a.NewWindow("")
		defer w.Close()
		w.SetPadded(false)
		w.SetContent(txt)
		w.Resize(fyne.NewSize(400, 80))
		img := w.Canvas().Capture()
		n := 0
		b := img.Bounds()
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				if r, _, _, _ := img.At(x, y).RGBA(); r < 0x8000 {
					n++
				}
			}
		}
		return n
	}
	for _, text := range []string{"天河南街道办事处", "2025"} {
		regular, bold := ink(text, false), ink(text, true)
		if bold*100 < regular*125 {
			t.Errorf("%q: bold draws %d dark pixels, regular %d: not bold", text, bold, regular)
		}
	}
}

// TestBundledFontsCoverRareCharacters: names may hold characters of CJK
// Extension A; both faces draw them.
func TestBundledFontsCoverRareCharacters(t *testing.T) {
	for _, r := range []fyne.Resource{fontCJK, fontCJKBold} {
		f, err := font.ParseTTF(bytes.NewReader(r.Content()))
		if err != nil {
			t.Fatalf("%s: %v", r.Name(), err)
		}
		for _, c := range "㐀䶵龥鿋天。，（A9" {
			if _, ok := f.NominalGlyph(c); !ok {
				t.Errorf("%s has no glyph for %q", r.Name(), c)
			}
		}
	}
}
