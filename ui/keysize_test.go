package ui

import (
	"testing"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"jiezhen/data"
)

// TestLetterKeysAsLargeAsPINKeys measures a key of the staff PIN pad and
// the on-screen keyboard's letter keys and candidates, in every screen
// shape and both modes: the letters and the candidates are at least as
// high as the PIN key of the normal mode, and as wide where ten of them
// fit the window's width (a portrait screen gives them all it has), and
// they grow on a larger screen.
func TestLetterKeysAsLargeAsPINKeys(t *testing.T) {
	for _, elder := range []bool{false, true} {
		var heights []float32
		for _, shape := range shapes {
			k, w := newShapedKiosk(t, shape, false)
			openPINPad(k.env, sampleStaff)
			var pin fyne.Size
			walkTappables(w, func(o fyne.CanvasObject, name string) {
				if name == "5" {
					pin = o.Size()
				}
			})
			if pin.Height == 0 {
				t.Fatalf("%s: no PIN key 5", shapeName(shape))
			}
			if elder {
				k.toggleElder()
			}
			openSearch(k.env, k.src, "长者", nil)
			w.Canvas().Focus(entries(w)[0])
			kb := keyboardOf(t, w)
			typeKeys(t, w, "ban")
			test.LaidOutObjects(w.Content())
			wide := pin.Width
			if room := (shape.Width - 13*theme.Padding()) / 10; room < wide {
				wide = room // ten letters to a row
			}
			letters, candidates := 0, 0
			eachKey(kb, func(o fyne.CanvasObject, label string) {
				r := []rune(label)
				var what string
				switch {
				case len(r) == 1 && r[0] >= 'a' && r[0] <= 'z':
					what = "letter"
					letters++
				case len(r) > 0 && unicode.Is(unicode.Han, r[0]) && !isKeyLabel(label):
					what = "candidate"
					candidates++
				default:
					return
				}
				s := o.Size()
				if s.Height < pin.Height-1 || s.Width < wide-1 {
					t.Errorf("%s %s: %s key %q is %.0fx%.0f, the PIN key %.0fx%.0f (want at least %.0f wide)",
						shapeName(shape), modeName(elder), what, label, s.Width, s.Height, pin.Width, pin.Height, wide)
				}
				if what == "letter" && label == "a" {
					heights = append(heights, s.Height)
				}
			})
			if letters != 26 || candidates == 0 {
				t.Errorf("%s %s: %d letters and %d candidates on the keyboard", shapeName(shape), modeName(elder), letters, candidates)
			}
		}
		if len(heights) == 3 && heights[1] <= heights[0] {
			t.Errorf("%s: letter keys %.0f high at %s and %.0f at %s: they do not grow", modeName(elder),
				heights[0], shapeName(shapes[0]), heights[1], shapeName(shapes[1]))
		}
	}
}

// isKeyLabel reports whether s is one of the keyboard's function keys in
// Chinese.
func isKeyLabel(s string) bool {
	l := keyLabels(data.ZH)
	for _, x := range []string{l.Backspace, l.Clear, l.Space, l.Next, l.Done, l.Submit, l.Newline, l.Lang,
		l.Symbols, l.Letters, l.Shift, l.Close, l.Pinyin, l.English} {
		if s == x {
			return true
		}
	}
	return false
}

// eachKey calls fn with every key shown on the keyboard kb and its label.
func eachKey(kb fyne.CanvasObject, fn func(o fyne.CanvasObject, label string)) {
	walk(kb, func(o fyne.CanvasObject) {
		if typeName(o) != "*keyboard.key" {
			return
		}
		for _, c := range test.WidgetRenderer(o.(fyne.Widget)).Objects() {
			if txt, ok := c.(*canvas.Text); ok {
				fn(o, txt.Text)
			}
		}
	})
}
