package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"jiezhen/ui/keyboard"
)

// TestFocusedFieldInViewAboveKeyboard walks every screen that has fields,
// in both modes and every screen shape, and gives each field the focus
// the way 下一项 does: with the keyboard up, the header and the footer
// step aside, the field is on screen above the keyboard (its top part,
// when it is taller than what the keyboard leaves), not hidden under the
// keyboard or scrolled away, and so are a form's step buttons (下一步,
// 提交).
func TestFocusedFieldInViewAboveKeyboard(t *testing.T) {
	for _, shape := range shapes {
		for _, elder := range []bool{false, true} {
			for _, j := range journeys {
				t.Run(shapeName(shape)+"_"+j.name+"_"+modeName(elder), func(t *testing.T) {
					k, w := newShapedKiosk(t, shape, elder)
					j.open(t, k)
					labels := map[*keyboard.Entry]int{}
					for i, e := range entries(w) {
						labels[e] = i
					}
					steps := len(stepButtons(k, w))
					for e, i := range labels {
						w.Canvas().Unfocus()
						w.Canvas().Focus(e)
						if !keyboardOf(t, w).Visible() {
							t.Fatalf("field %d %q: no keyboard", i, e.Label)
						}
						if k.header.obj.Visible() || k.footer.Visible() {
							t.Errorf("field %q: the header or the footer stays up with the keyboard", e.Label)
						}
						assertFieldInView(t, k, w, e)
						assertStepsInView(t, k, w, steps)
					}
				})
			}
		}
	}
}

// stepButtons are the step buttons a form shows (下一步, 提交): primary
// buttons, unlike a list's 下一页 (both are Next in English).
func stepButtons(k *Kiosk, w fyne.Window) []fyne.CanvasObject {
	var out []fyne.CanvasObject
	walkTappables(w, func(o fyne.CanvasObject, name string) {
		b, ok := o.(*tapButton)
		if ok && b.Importance == widget.HighImportance && (name == k.L("appeal.next") || name == k.L("appeal.submit")) {
			out = append(out, o)
		}
	})
	return out
}

// assertStepsInView fails unless the want step buttons the screen showed
// before the keyboard came up are all on screen above it.
func assertStepsInView(t *testing.T, k *Kiosk, w fyne.Window, want int) {
	t.Helper()
	d := fyne.CurrentApp().Driver()
	kbTop := d.AbsolutePositionForObject(keyboardOf(t, w)).Y
	got := stepButtons(k, w)
	for _, b := range got {
		y := d.AbsolutePositionForObject(b).Y
		if y < 0 || y+b.Size().Height > kbTop+1 {
			t.Errorf("step button %q is at %.0f-%.0f, the keyboard starts at %.0f", b.(*tapButton).Text, y, y+b.Size().Height, kbTop)
		}
		if sc := k.scroll; sc != nil && isUnder(b, sc) {
			t.Errorf("step button %q scrolls with the page", b.(*tapButton).Text)
		}
	}
	if len(got) != want {
		t.Errorf("%d step buttons with the keyboard up, %d without", len(got), want)
	}
}

// isUnder reports whether o is inside the tree of root.
func isUnder(o, root fyne.CanvasObject) bool {
	found := false
	walk(root, func(x fyne.CanvasObject) {
		if x == o {
			found = true
		}
	})
	return found
}

// minRoomAboveKeyboard is the least height a screen keeps above the
// keyboard: a field, its hint and the field before it.
const minRoomAboveKeyboard = 200

// assertFieldInView fails unless e is shown above the on-screen keyboard:
// inside the screen's scroll, if it has one, and not under the keyboard;
// a field taller than the room left starts at its top, with the cursor.
// The room itself must be at least minRoomAboveKeyboard high.
func assertFieldInView(t *testing.T, k *Kiosk, w fyne.Window, e *keyboard.Entry) {
	t.Helper()
	d := fyne.CurrentApp().Driver()
	kbTop := d.AbsolutePositionForObject(keyboardOf(t, w)).Y
	y := d.AbsolutePositionForObject(e).Y
	h := e.Size().Height
	top, bottom := float32(0), kbTop
	if sc := k.scroll; sc != nil {
		top = d.AbsolutePositionForObject(sc).Y
		bottom = min(bottom, top+sc.Size().Height)
		if room := bottom - top; room < minRoomAboveKeyboard {
			t.Errorf("the keyboard leaves %.0f px of the screen, want at least %d", room, minRoomAboveKeyboard)
		}
	}
	const slack = 1
	fits := h <= bottom-top
	switch {
	case fits && (y < top-slack || y+h > bottom+slack):
		t.Errorf("field %q is at %.0f-%.0f, the view above the keyboard is %.0f-%.0f",
			e.Label, y, y+h, top, bottom)
	case !fits && (y < top-slack || y > top+theme.Padding()+slack):
		t.Errorf("field %q (taller than the view) starts at %.0f, the view above the keyboard is %.0f-%.0f",
			e.Label, y, top, bottom)
	}
}

// TestFieldsOfAFormLineUp: on the screens that ask for a few fields under
// labels of different lengths (办件查询, the contact steps of 我要反映 and
// 民意征集), the fields start at the same x.
func TestFieldsOfAFormLineUp(t *testing.T) {
	want := map[string]bool{"track": true, "appeal_contact": true, "opinion_contact": true}
	for _, elder := range []bool{false, true} {
		for _, j := range journeys {
			if !want[j.name] {
				continue
			}
			t.Run(j.name+"_"+modeName(elder), func(t *testing.T) {
				k, w, _ := newTestKiosk(t, Options{Elder: elder, Speaker: &fakeSpeaker{}})
				j.open(t, k)
				d := fyne.CurrentApp().Driver()
				es := entries(w)
				if len(es) < 2 {
					t.Fatalf("%d fields on screen", len(es))
				}
				x := d.AbsolutePositionForObject(es[0]).X
				for _, e := range es[1:] {
					if got := d.AbsolutePositionForObject(e).X; got != x {
						t.Errorf("field %q starts at x=%.0f, field %q at x=%.0f", e.Label, got, es[0].Label, x)
					}
				}
			})
		}
	}
}
