package ui

import (
	"fmt"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"jiezhen/data"
	kioskTheme "jiezhen/ui/theme"
)

// shapes are the screens the kiosk is made for: the 1280x800 the other
// tests use, a larger landscape one and a portrait floor-standing one.
var shapes = []fyne.Size{{Width: 1280, Height: 800}, {Width: 1920, Height: 1080}, {Width: 1080, Height: 1920}}

func shapeName(s fyne.Size) string { return fmt.Sprintf("%.0fx%.0f", s.Width, s.Height) }

// newShapedKiosk is newTestKiosk in a window of size.
func newShapedKiosk(t testing.TB, size fyne.Size, elder bool) (*Kiosk, fyne.Window) {
	t.Helper()
	k, w, _ := newTestKiosk(t, Options{Elder: elder, Speaker: &fakeSpeaker{}})
	w.Resize(size)
	return k, w
}

// TestEveryShape walks every screen at the larger and the portrait shape,
// in both modes (the other walks cover 1280x800): the screen fits the
// window, everything tappable is at least the mode's target grown with the
// screen, and a list shows whole rows only, with every row reachable by
// its pager rather than by dragging.
func TestEveryShape(t *testing.T) {
	for _, shape := range shapes[1:] {
		for _, elder := range []bool{false, true} {
			for _, j := range journeys {
				t.Run(shapeName(shape)+"_"+j.name+"_"+modeName(elder), func(t *testing.T) {
					k, w := newShapedKiosk(t, shape, elder)
					j.open(t, k)
					if s := kioskTheme.Scale(); s != 1.35 {
						t.Errorf("text and targets grow %.2f times on this screen, want 1.35", s)
					}
					assertFitsWindow(t, w)
					assertNothingHidden(t, k)
					checkTouchTargets(t, w, j.name, elder)
					assertRowsWhole(t, w)
				})
			}
		}
	}
}

// TestShapeGoldens compares the home, a list, a detail and a form at the
// larger and the portrait shape, in both modes, with testdata/shape_*.xml.
func TestShapeGoldens(t *testing.T) {
	for _, shape := range shapes[1:] {
		for _, elder := range []bool{false, true} {
			for _, j := range journeys {
				switch j.name {
				case "home", "notices", "notice", "apply_form":
				default:
					continue
				}
				name := "shape_" + shapeName(shape) + "_" + j.name + "_" + modeName(elder)
				t.Run(name, func(t *testing.T) {
					k, w := newShapedKiosk(t, shape, elder)
					j.open(t, k)
					test.AssertRendersToMarkup(t, name+".xml", w.Canvas())
				})
			}
		}
	}
}

// TestPortraitHomeIsTwoColumns: on a portrait screen the eight tiles stand
// in 2 columns of 4 rows, on a landscape one in 4 columns of 2.
func TestPortraitHomeIsTwoColumns(t *testing.T) {
	for _, c := range []struct {
		shape      fyne.Size
		cols, rows int
	}{{shapes[0], 4, 2}, {shapes[1], 4, 2}, {shapes[2], 2, 4}} {
		_, w := newShapedKiosk(t, c.shape, false)
		xs, ys := map[float32]bool{}, map[float32]bool{}
		d := fyne.CurrentApp().Driver()
		walkTappables(w, func(o fyne.CanvasObject, _ string) {
			if card, ok := o.(*tapCard); ok {
				p := d.AbsolutePositionForObject(card)
				xs[p.X], ys[p.Y] = true, true
			}
		})
		if len(xs) != c.cols || len(ys) != c.rows {
			t.Errorf("%s: the tiles stand in %d columns and %d rows, want %d and %d", shapeName(c.shape), len(xs), len(ys), c.cols, c.rows)
		}
	}
}

// TestListsPageByWhatFits: a list page holds as many rows as its screen
// shows whole, more on a taller screen, and never one cut at the bottom.
func TestListsPageByWhatFits(t *testing.T) {
	for _, elder := range []bool{false, true} {
		var rows []int
		for _, shape := range shapes {
			k, w := newShapedKiosk(t, shape, elder)
			openNotices(k.env, k.src)
			l := firstList(t, w)
			rows = append(rows, l.Length())
			assertRowsWhole(t, w)
		}
		if rows[2] < 2*rows[0] {
			t.Errorf("elder=%v: a notice page holds %v rows at %v", elder, rows, shapes)
		}
	}
}

// assertRowsWhole fails when a visible list needs to scroll: a row would
// be cut at the bottom and reachable only by dragging, which a touch
// screen's finger does not do in Fyne.
func assertRowsWhole(t *testing.T, w fyne.Window) {
	t.Helper()
	walk(w.Canvas().Content(), func(o fyne.CanvasObject) {
		l, ok := o.(*widget.List)
		if !ok {
			return
		}
		for _, c := range test.WidgetRenderer(l).Objects() {
			sc, ok := c.(fyne.Widget)
			if !ok || typeName(sc) != "*widget.Scroll" {
				continue
			}
			content := test.WidgetRenderer(sc).Objects()[0]
			if need, have := content.MinSize().Height, sc.Size().Height; need > have+1 {
				t.Errorf("a list of %d rows needs %.0f px and shows %.0f: a row is cut", l.Length(), need, have)
			}
		}
	})
}

// TestSearchHitsPageByWhatFits: a page of the hits of one kind holds as
// many as its screen shows whole, like the other lists: more on a taller
// screen, and none cut by the pager under them.
func TestSearchHitsPageByWhatFits(t *testing.T) {
	for _, elder := range []bool{false, true} {
		var rows []int
		for _, shape := range shapes {
			k, w := newShapedKiosk(t, shape, elder)
			openSearch(k.env, k.src, "街道", []data.Kind{data.KindNotice})
			test.LaidOutObjects(w.Content())
			var cards []fyne.CanvasObject
			var pager fyne.CanvasObject
			walkTappables(w, func(o fyne.CanvasObject, name string) {
				if _, ok := o.(*tapCard); ok {
					cards = append(cards, o)
				}
				if name == k.L("list.next") {
					pager = o
				}
			})
			if pager == nil || len(cards) == 0 {
				t.Fatalf("%s %s: %d hits and no pager", shapeName(shape), modeName(elder), len(cards))
			}
			d := fyne.CurrentApp().Driver()
			bottom := d.AbsolutePositionForObject(pager).Y
			for _, c := range cards {
				if y := d.AbsolutePositionForObject(c).Y + c.Size().Height; y > bottom+1 {
					t.Errorf("%s %s: a hit ends at %.0f, under the pager's top %.0f", shapeName(shape), modeName(elder), y, bottom)
				}
			}
			rows = append(rows, len(cards))
		}
		if rows[2] < 2*rows[0] {
			t.Errorf("%s: a page of hits holds %v at %v", modeName(elder), rows, shapes)
		}
	}
}
