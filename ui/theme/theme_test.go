package theme

import (
	"testing"

	"fyne.io/fyne/v2"
	fynetheme "fyne.io/fyne/v2/theme"
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
		if got := th.Size(fynetheme.SizeNameLineSpacing) / th.Size(fynetheme.SizeNameText); got < 0.3 {
			t.Errorf("elder=%v: line spacing %.2fx text, want 1.3x", elderMode, 1+got)
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
		if r := th.Font(s); r.Name() != "DroidSansFallbackFull.ttf" || len(r.Content()) < 1<<20 {
			t.Errorf("style %+v uses %q (%d bytes)", s, r.Name(), len(r.Content()))
		}
	}
	if r := th.Font(fyne.TextStyle{Monospace: true}); r.Name() == "DroidSansFallbackFull.ttf" {
		t.Error("monospace text uses the proportional CJK font")
	}
}
