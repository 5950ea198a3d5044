package ui

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	kioskTheme "jiezhen/ui/theme"
)

// journeys reach every kind of screen from home, the way the goldens and
// the touch-target check see them.
var journeys = []struct {
	name string
	open func(k *Kiosk)
}{
	{"home", func(k *Kiosk) {}},
	{"notices", func(k *Kiosk) { openNotices(k.env, k.src) }},
	{"notice", func(k *Kiosk) { openNotice(k.env, k.src, "thn-notice-10") }},
	{"catalog", func(k *Kiosk) { openCatalog(k.env, k.src) }},
	{"catalog_entry", func(k *Kiosk) { openCatalogEntry(k.env, k.src, "cat-gz-2012-16") }},
	{"service_categories", func(k *Kiosk) { openServiceCategories(k.env, k.src) }},
	{"services", func(k *Kiosk) { openServices(k.env, k.src, "public") }},
	{"service", func(k *Kiosk) { openService(k.env, k.src, "svc-laoren-youdai") }},
	{"providers", func(k *Kiosk) { openProviders(k.env, k.src) }},
	{"provider_categories", func(k *Kiosk) { openProviderCategories(k.env, k.src, &providerState{}) }},
	{"provider", func(k *Kiosk) { openProvider(k.env, k.src, "thn-p001") }},
	{"consultations", func(k *Kiosk) { openConsultations(k.env, k.src) }},
	{"consultation_closed", func(k *Kiosk) { openConsultation(k.env, k.src, "zj-2026-02") }},
	{"search", func(k *Kiosk) { openSearch(k.env, k.src, "长者饭堂", nil) }},
	{"search_kind", func(k *Kiosk) { openSearch(k.env, k.src, "长者", searchKinds[3:4]) }},
	{"soon", func(k *Kiosk) { openSoon(k.env, k.L("tile.apply")) }},
	{"idle", func(k *Kiosk) { k.touch(); k.overlay.show(20) }},
	{"home_en", func(k *Kiosk) { k.toggleLang() }},
	{"providers_en", func(k *Kiosk) { k.toggleLang(); openProviders(k.env, k.src) }},
	{"service_en", func(k *Kiosk) { k.toggleLang(); openService(k.env, k.src, "svc-laoren-youdai") }},
}

func modeName(elder bool) string {
	if elder {
		return "elder"
	}
	return "normal"
}

// TestTouchTargets walks every screen in both modes and checks the size
// of everything that can be tapped: at least 44x44, and 60x60 in 长者模式.
func TestTouchTargets(t *testing.T) {
	for _, elder := range []bool{false, true} {
		for _, j := range journeys {
			t.Run(j.name+"_"+modeName(elder), func(t *testing.T) {
				k, w, _ := newTestKiosk(t, Options{Elder: elder})
				j.open(k)
				min := kioskTheme.MinTarget(elder)
				n := 0
				walkTappables(w, func(o fyne.CanvasObject, name string) {
					n++
					if s := o.Size(); s.Width < min || s.Height < min {
						t.Errorf("%s %q is %.0fx%.0f, want at least %.0fx%.0f", typeName(o), name, s.Width, s.Height, min, min)
					}
				})
				if n == 0 {
					t.Fatal("no tappables found")
				}
			})
		}
	}
}

// walkTappables visits every visible tappable on screen. Fyne's scroll
// bars are left out: they are an extra for mouse users, and every
// scrolling view has large 上翻 / 下翻 buttons instead.
func walkTappables(w fyne.Window, fn func(o fyne.CanvasObject, name string)) {
	walk(w.Canvas().Content(), func(o fyne.CanvasObject) {
		if _, ok := o.(fyne.Tappable); !ok {
			return
		}
		if strings.Contains(typeName(o), "scrollBar") {
			return
		}
		name := ""
		switch x := o.(type) {
		case *tapButton:
			name = x.Text
		case *tapCard:
			name = x.label
		}
		fn(o, name)
	})
}

// TestGoldens compares the markup of every screen in both modes with
// testdata/*.xml. A mismatch writes the new markup to testdata/failed/;
// after checking it, move it over the golden.
func TestGoldens(t *testing.T) {
	for _, elder := range []bool{false, true} {
		for _, j := range journeys {
			t.Run(j.name+"_"+modeName(elder), func(t *testing.T) {
				k, w, _ := newTestKiosk(t, Options{Elder: elder})
				j.open(k)
				test.AssertRendersToMarkup(t, j.name+"_"+modeName(elder)+".xml", w.Canvas())
			})
		}
	}
}

// TestScreenshots saves a PNG of every screen in both modes into the
// directory named by JIEZHEN_SHOTS, for looking at them.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("JIEZHEN_SHOTS")
	if dir == "" {
		t.Skip("set JIEZHEN_SHOTS=dir to save screenshots of every screen")
	}
	for _, elder := range []bool{false, true} {
		for _, j := range journeys {
			k, w, _ := newTestKiosk(t, Options{Elder: elder})
			j.open(k)
			f, err := os.Create(filepath.Join(dir, j.name+"_"+modeName(elder)+".png"))
			if err != nil {
				t.Fatal(err)
			}
			if err := png.Encode(f, w.Canvas().Capture()); err != nil {
				t.Fatal(err)
			}
			f.Close()
		}
	}
}
