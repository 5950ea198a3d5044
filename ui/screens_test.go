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

	"jiezhen/data"
	kioskTheme "jiezhen/ui/theme"
)

// journeys reach every kind of screen from home, the way the goldens and
// the touch-target check see them.
var journeys = []struct {
	name string
	open func(t testing.TB, k *Kiosk)
}{
	{"home", func(t testing.TB, k *Kiosk) {}},
	{"notices", func(t testing.TB, k *Kiosk) { openNotices(k.env, k.src) }},
	{"notice", func(t testing.TB, k *Kiosk) { openNotice(k.env, k.src, "thn-notice-10") }},
	{"catalog", func(t testing.TB, k *Kiosk) { openCatalog(k.env, k.src) }},
	{"catalog_entry", func(t testing.TB, k *Kiosk) { openCatalogEntry(k.env, k.src, "cat-gz-2012-16") }},
	{"service_categories", func(t testing.TB, k *Kiosk) { openServiceCategories(k.env, k.src) }},
	{"services", func(t testing.TB, k *Kiosk) { openServiceList(k.env, k.src, "public", false) }},
	{"service", func(t testing.TB, k *Kiosk) { openService(k.env, k.src, "svc-laoren-youdai") }},
	{"providers", func(t testing.TB, k *Kiosk) { openProviders(k.env, k.src) }},
	{"provider_categories", func(t testing.TB, k *Kiosk) { openProviderCategories(k.env, k.src, &providerState{}) }},
	{"provider", func(t testing.TB, k *Kiosk) { openProvider(k.env, k.src, "thn-p001") }},
	{"consultations", func(t testing.TB, k *Kiosk) { openConsultations(k.env, k.src) }},
	{"consultation_closed", func(t testing.TB, k *Kiosk) { openConsultation(k.env, k.src, "zj-2026-02") }},
	{"search", func(t testing.TB, k *Kiosk) { openSearch(k.env, k.src, "长者饭堂", nil) }},
	{"search_kind", func(t testing.TB, k *Kiosk) { openSearch(k.env, k.src, "长者", []data.Kind{data.KindProvider}) }},
	{"soon", func(t testing.TB, k *Kiosk) { openSoon(k.env, k.L("tile.apply")) }},
	{"appeal", func(t testing.TB, k *Kiosk) { openAppeal(k.env, k.cases) }},
	{"appeal_contact", func(t testing.TB, k *Kiosk) {
		openAppealForm(k.env, k.cases, sampleAppeal(appealStepContact, "12"))
	}},
	{"appeal_review", func(t testing.TB, k *Kiosk) {
		openAppealForm(k.env, k.cases, sampleAppeal(appealStepReview, "13812345678"))
	}},
	{"receipt", func(t testing.TB, k *Kiosk) { openAppealForm(k.env, k.cases, sampleReceipt()) }},
	{"receipt_en", func(t testing.TB, k *Kiosk) {
		k.toggleLang()
		openAppealForm(k.env, k.cases, sampleReceipt())
	}},
	{"apply_categories", func(t testing.TB, k *Kiosk) { openApplyCategories(k.env, k.src) }},
	{"apply_list", func(t testing.TB, k *Kiosk) { openServiceList(k.env, k.src, "social", true) }},
	{"apply_form", func(t testing.TB, k *Kiosk) { openReliefForm(t, k, 0, false) }},
	{"apply_form_2", func(t testing.TB, k *Kiosk) { openReliefForm(t, k, 1, true) }},
	{"apply_form_3", func(t testing.TB, k *Kiosk) { openReliefForm(t, k, 2, true) }},
	{"apply_date", func(t testing.TB, k *Kiosk) {
		st := openReliefForm(t, k, 1, true)
		st.picking, st.pick = "happened_on", data.MustDate("2026-10-08")
		k.render()
	}},
	{"apply_review", func(t testing.TB, k *Kiosk) { openReliefForm(t, k, 99, true) }},
	{"apply_receipt", func(t testing.TB, k *Kiosk) { reliefReceipt(t, k) }},
	{"apply_keyboard", func(t testing.TB, k *Kiosk) {
		openReliefForm(t, k, 0, false)
		focusEntry(t, k.win, "身份证号码")
	}},
	{"consultation_open", func(t testing.TB, k *Kiosk) { openConsultation(k.env, k.src, "zj-2026-03") }},
	{"opinion", func(t testing.TB, k *Kiosk) { openOpinion(k.env, k.cases, demoConsultation(t, "zj-2026-03")) }},
	{"opinion_text", func(t testing.TB, k *Kiosk) {
		c := demoConsultation(t, "zj-2026-03")
		f := &opinionForm{step: 1, topic: "t3"}
		k.env.open(func() string { return k.L("opinion.title") }, func() fyne.CanvasObject { return newOpinion(k.env, k.cases, c, f) })
	}},
	{"opinion_contact", func(t testing.TB, k *Kiosk) {
		c := demoConsultation(t, "zj-2026-03")
		f := &opinionForm{step: 2, topic: "t3", text: "建议在楼道加装扶手。", name: "王", mobile: "139"}
		k.env.open(func() string { return k.L("opinion.title") }, func() fyne.CanvasObject { return newOpinion(k.env, k.cases, c, f) })
	}},
	{"opinion_receipt", func(t testing.TB, k *Kiosk) {
		c := demoConsultation(t, "zj-2026-03")
		f := &opinionForm{done: &data.Opinion{ID: "opinion-1", Consultation: c.ID, Topic: "t3", At: testNow}}
		k.env.open(func() string { return k.L("opinion.receipt_title") }, func() fyne.CanvasObject { return newOpinion(k.env, k.cases, c, f) })
	}},
	{"track", func(t testing.TB, k *Kiosk) { openTrack(k.env, k.tracker) }},
	{"timeline", func(t testing.TB, k *Kiosk) { openTimeline(k.env, k.tracker, sampleTimeline(t, false)) }},
	{"timeline_rate", func(t testing.TB, k *Kiosk) { openTimeline(k.env, k.tracker, sampleTimeline(t, true)) }},
	{"rating", func(t testing.TB, k *Kiosk) {
		res := sampleTimeline(t, true)
		openRating(k.env, k.tracker, &res, &ratingForm{rating: data.RatingSatisfied})
	}},
	{"rating_keyboard", func(t testing.TB, k *Kiosk) {
		res := sampleTimeline(t, true)
		openRating(k.env, k.tracker, &res, &ratingForm{})
		k.win.Canvas().Focus(firstEntry(t, k.win))
		typeKeys(t, k.win, "xiexie")
	}},
	{"correction_timeline", func(t testing.TB, k *Kiosk) {
		openTimeline(k.env, k.tracker, sampleCorrection(t, k, data.CaseApplication, false))
	}},
	{"correction_queued", func(t testing.TB, k *Kiosk) {
		openTimeline(k.env, k.tracker, sampleCorrection(t, k, data.CaseApplication, true))
	}},
	{"correction_form", func(t testing.TB, k *Kiosk) { openCorrectionAt(t, k, data.CaseApplication, 0) }},
	{"correction_form_2", func(t testing.TB, k *Kiosk) { openCorrectionAt(t, k, data.CaseApplication, 1) }},
	{"correction_form_3", func(t testing.TB, k *Kiosk) { openCorrectionAt(t, k, data.CaseApplication, 2) }},
	{"correction_review", func(t testing.TB, k *Kiosk) { openCorrectionAt(t, k, data.CaseApplication, 99) }},
	{"correction_disclosure", func(t testing.TB, k *Kiosk) { openCorrectionAt(t, k, data.CaseDisclosure, 0) }},
	{"correction_disclosure_review", func(t testing.TB, k *Kiosk) { openCorrectionAt(t, k, data.CaseDisclosure, 99) }},
	{"correction_keyboard", func(t testing.TB, k *Kiosk) {
		openCorrectionAt(t, k, data.CaseApplication, 0)
		focusEntry(t, k.win, "申请人姓名")
	}},
	{"correction_en", func(t testing.TB, k *Kiosk) {
		k.toggleLang()
		openTimeline(k.env, k.tracker, sampleCorrection(t, k, data.CaseApplication, false))
	}},
	{"bundles", func(t testing.TB, k *Kiosk) { openBundleImport(k.env) }},
	{"bundle_file", func(t testing.TB, k *Kiosk) {
		k.bundles = noImporter{}
		openBundleFile(k.env, bundleFile{Path: "/media/staff/KIOSK/440106005-full.jzb", Size: 3 << 20, Mod: testNow}, true)
	}},
	{"disclosure_form", func(t testing.TB, k *Kiosk) { openDisclosureForm(k, 0, false) }},
	{"disclosure_form_2", func(t testing.TB, k *Kiosk) { openDisclosureForm(k, 1, true) }},
	{"disclosure_form_3", func(t testing.TB, k *Kiosk) { openDisclosureForm(k, 2, true) }},
	{"disclosure_review", func(t testing.TB, k *Kiosk) { openDisclosureForm(k, 99, true) }},
	{"disclosure_receipt", func(t testing.TB, k *Kiosk) { disclosureReceipt(k) }},
	{"disclosure_en", func(t testing.TB, k *Kiosk) { k.toggleLang(); openDisclosureForm(k, 1, true) }},
	{"idle", func(t testing.TB, k *Kiosk) { k.touch(); k.overlay.show(20) }},
	{"home_en", func(t testing.TB, k *Kiosk) { k.toggleLang() }},
	{"providers_en", func(t testing.TB, k *Kiosk) { k.toggleLang(); openProviders(k.env, k.src) }},
	{"service_en", func(t testing.TB, k *Kiosk) { k.toggleLang(); openService(k.env, k.src, "svc-laoren-youdai") }},
	// The on-screen keyboard up: pinyin letters typed, with candidates,
	// over home; and over the busiest list, with its filters.
	{"home_keyboard", func(t testing.TB, k *Kiosk) {
		k.win.Canvas().Focus(firstEntry(t, k.win))
		typeKeys(t, k.win, "banshi")
	}},
	{"appeal_keyboard", func(t testing.TB, k *Kiosk) {
		openAppealForm(k.env, k.cases, sampleAppeal(appealStepText, ""))
		k.win.Canvas().Focus(firstEntry(t, k.win))
		typeKeys(t, k.win, "tousu")
	}},
	{"providers_keyboard", func(t testing.TB, k *Kiosk) {
		openProviders(k.env, k.src)
		k.win.Canvas().Focus(firstEntry(t, k.win))
	}},
}

func modeName(elder bool) string {
	if elder {
		return "elder"
	}
	return "normal"
}

// TestTouchTargets walks every screen in both modes and checks the size
// of everything that can be tapped: at least 44x44, and 60x60 in 长者模式,
// the keys of the on-screen keyboard included. With the keyboard up, the
// window may not need more than the 800 pixels of the kiosk's screen.
func TestTouchTargets(t *testing.T) {
	for _, elder := range []bool{false, true} {
		for _, j := range journeys {
			t.Run(j.name+"_"+modeName(elder), func(t *testing.T) {
				k, w, _ := newTestKiosk(t, Options{Elder: elder, Speaker: &fakeSpeaker{}})
				j.open(t, k)
				checkTouchTargets(t, w, j.name, elder)
			})
		}
	}
}

// checkTouchTargets checks the screen shown in w: the on-screen keyboard
// is up exactly on the journeys named for it, the window then still fits
// the kiosk's 800 pixels of height, and everything tappable is at least
// the mode's minimum target and never a plain entry.
func checkTouchTargets(t *testing.T, w fyne.Window, journey string, elder bool) {
	t.Helper()
	kb := keyboardOf(t, w)
	if strings.Contains(journey, "keyboard") != kb.Visible() {
		t.Fatalf("keyboard visible: %v", kb.Visible())
	}
	if h, have := w.Content().MinSize().Height, w.Canvas().Size().Height; kb.Visible() && h > have {
		t.Errorf("with the keyboard up the window needs %.0f pixels of height, the screen has %.0f", h, have)
	}
	min := kioskTheme.MinTarget(elder)
	n := 0
	walkTappables(w, func(o fyne.CanvasObject, name string) {
		n++
		if _, plain := o.(*widget.Entry); plain {
			t.Errorf("a plain widget.Entry: it needs a physical keyboard")
		}
		if s := o.Size(); s.Width < min || s.Height < min {
			t.Errorf("%s %q is %.0fx%.0f, want at least %.0fx%.0f", typeName(o), name, s.Width, s.Height, min, min)
		}
	})
	if n == 0 {
		t.Fatal("no tappables found")
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

// TestGoldens checks that every screen in both modes fits the window and
// compares its markup with testdata/*.xml. A mismatch writes the new markup to testdata/failed/;
// after checking it, move it over the golden.
func TestGoldens(t *testing.T) {
	for _, elder := range []bool{false, true} {
		for _, j := range journeys {
			t.Run(j.name+"_"+modeName(elder), func(t *testing.T) {
				k, w, _ := newTestKiosk(t, Options{Elder: elder, Speaker: &fakeSpeaker{}})
				j.open(t, k)
				assertFitsWindow(t, w)
				assertNothingHidden(t, k)
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
			k, w, _ := newTestKiosk(t, Options{Elder: elder, Speaker: &fakeSpeaker{}})
			j.open(t, k)
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

// TestScreensFitTheWindowInEnglish: no screen is taller or wider than the
// window in English 长者模式, the longest labels at the largest size (the
// goldens check the Chinese ones): what does not fit scrolls or wraps, and
// the footer stays in view.
func TestScreensFitTheWindowInEnglish(t *testing.T) {
	for _, j := range journeys {
		t.Run(j.name, func(t *testing.T) {
			k, w, _ := newTestKiosk(t, Options{Elder: true, Lang: data.EN, Speaker: &fakeSpeaker{}})
			j.open(t, k)
			assertFitsWindow(t, w)
			assertNothingHidden(t, k)
		})
	}
}

// assertNothingHidden fails when, with the keyboard down, the screen's
// roomy scroll hides part of its page: that scroll exists only to let the
// page shrink above the keyboard, and has no 上翻 / 下翻 of its own.
func assertNothingHidden(t *testing.T, k *Kiosk) {
	t.Helper()
	sc := k.scroll
	if sc == nil || sc.Content == nil || k.kb.Visible() {
		return
	}
	if need, have := sc.Content.MinSize().Height, sc.Size().Height; need > have+1 {
		t.Errorf("the page needs %.0f px of height and has %.0f: the rest is hidden, with no 下翻", need, have)
	}
}

// assertFitsWindow fails when the screen needs more than the window.
func assertFitsWindow(t *testing.T, w fyne.Window) {
	t.Helper()
	if m, have := w.Content().MinSize(), w.Canvas().Size(); m.Height > have.Height || m.Width > have.Width {
		t.Errorf("the screen needs %.0fx%.0f px, the window has %.0fx%.0f", m.Width, m.Height, have.Width, have.Height)
	}
}
