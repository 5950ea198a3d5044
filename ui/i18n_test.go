package ui

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"

	"jiezhen/data"
	"jiezhen/sync/wire"
)

// keyUse matches the translation keys the sources look up literally:
// e.L("key"), e.Lf("key", ...) and section("key", ...).
var keyUse = regexp.MustCompile(`(?:\.Lf?|section)\("([a-z_]+\.[a-z0-9_.]+)"[,)]`)

func TestTranslationsComplete(t *testing.T) {
	files := map[string]map[string]string{}
	for _, name := range []string{"zh-CN.json", "en.json"} {
		b, err := os.ReadFile(filepath.Join("translations", name))
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		files[name] = m
	}
	for a, ma := range files {
		for b, mb := range files {
			for k := range ma {
				if _, ok := mb[k]; !ok {
					t.Errorf("key %q is in %s but not in %s", k, a, b)
				}
			}
		}
	}

	srcs, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]string{}
	for _, f := range srcs {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyUse.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = f
		}
	}
	if len(used) < 50 {
		t.Fatalf("found only %d keys in the sources: is the pattern still right?", len(used))
	}
	for k, f := range used {
		for name, m := range files {
			if _, ok := m[k]; !ok {
				t.Errorf("%s uses key %q, missing from %s", f, k, name)
			}
		}
	}
	// Keys built at run time.
	var runtime []string
	for d := 0; d < 7; d++ {
		runtime = append(runtime, "date.weekday"+string(rune('0'+d)), "staff.day"+string(rune('0'+d)))
	}
	for _, kind := range data.ItemKinds {
		runtime = append(runtime, "staff.outbox_"+string(kind))
	}
	for _, code := range wire.RefusalCodes {
		runtime = append(runtime, "refusal."+string(code))
	}
	for _, k := range runtime {
		for name, m := range files {
			if _, ok := m[k]; !ok {
				t.Errorf("key %q missing from %s", k, name)
			}
		}
	}
}

// Format strings must take the same arguments in both languages, or one
// of them prints %!d(MISSING).
func TestTranslationVerbsMatch(t *testing.T) {
	verbs := regexp.MustCompile(`%(\[\d\])?[sd]`)
	count := func(s string) []string {
		var out []string
		for _, v := range verbs.FindAllString(s, -1) {
			out = append(out, v[len(v)-1:])
		}
		slices.Sort(out)
		return out
	}
	for k, zh := range strs[data.ZH] {
		en := strs[data.EN][k]
		if !slices.Equal(count(zh), count(en)) {
			t.Errorf("%s: zh %q and en %q take different arguments", k, zh, en)
		}
	}
}

func TestDefaultIsChineseWhateverTheLocale(t *testing.T) {
	t.Setenv("LANG", "en_GB.UTF-8")
	_, w, _ := newTestKiosk(t, Options{})
	assertShows(t, w, "通知公告", "完成 / 退出")
}

// The on-screen keyboard's function keys follow the kiosk's language:
// English after the language toggle, Chinese again after the reset. In
// English a text field opens on plain letters, and 中/EN switches to
// pinyin; in Chinese it opens in pinyin.
func TestKeyboardFollowsLanguage(t *testing.T) {
	k, w, _ := newTestKiosk(t, Options{})
	k.toggleLang()
	entry := firstEntry(t, w)
	k.win.Canvas().Focus(entry)
	typeKeys(t, w, "ban")
	if got, pre := entry.Text, keyboardOf(t, w).Preedit(); got != "ban" || pre != "" {
		t.Fatalf("in English the field got %q with %q waiting, want ban typed as it is", got, pre)
	}
	tapKeyExists(t, w, "English")
	tapKey(t, w, "Clear")
	tapKey(t, w, "中/EN")
	typeKeys(t, w, "ban")
	tapKey(t, w, "Delete")
	if got := keyboardOf(t, w).Preedit(); got != "ba" {
		t.Fatalf("Delete left %q", got)
	}
	for _, l := range []string{"Clear", "Space", "Hide", "Symbols", "中/EN"} {
		tapKeyExists(t, w, l)
	}
	for _, zh := range []string{"删除", "清空", "空格", "下一项", "确定", "收起", "符号", "拼音"} {
		if keyShown(t, w, zh) {
			t.Errorf("key %q is still Chinese in English mode", zh)
		}
	}
	tapKey(t, w, "Hide")
	k.Reset()
	entry = firstEntry(t, w)
	k.win.Canvas().Focus(entry)
	tapKeyExists(t, w, "删除")
	typeKeys(t, w, "ban")
	if got, pre := entry.Text, keyboardOf(t, w).Preedit(); got != "" || pre != "ban" {
		t.Errorf("in Chinese the field got %q with %q waiting, want ban waiting as pinyin", got, pre)
	}
	if keyShown(t, w, "Delete") {
		t.Error("after the reset to Chinese the keyboard still says Delete")
	}
}

// keyShown reports whether a visible key of the keyboard shows label.
func keyShown(t testing.TB, w fyne.Window, label string) bool {
	kb := keyboardOf(t, w)
	shown := false
	walk(kb, func(o fyne.CanvasObject) {
		if x, ok := o.(*canvas.Text); ok && x.Text == label {
			shown = true
		}
	})
	return shown
}

func tapKeyExists(t *testing.T, w fyne.Window, label string) {
	t.Helper()
	if !keyShown(t, w, label) {
		t.Errorf("no key %q on the keyboard", label)
	}
}

// TestStepBackIsNotNavBack: a form page shows both the header's 返回 and
// the step's 上一步, which do different things; English keeps them apart.
func TestStepBackIsNotNavBack(t *testing.T) {
	for _, l := range []data.Lang{data.ZH, data.EN} {
		if tr(l, "appeal.prev") == tr(l, "nav.back") {
			t.Errorf("%s: the step back and the header's back are both %q", l, tr(l, "nav.back"))
		}
	}
}
