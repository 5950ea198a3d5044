package ui

import (
	"embed"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"

	"fyne.io/fyne/v2/lang"

	"jiezhen/data"
)

// translations are the kiosk's UI strings: zh-CN is the default, en the
// second language. The files are in the flat key/value JSON that Fyne's
// lang package reads, and they are registered with it, but the kiosk looks
// its strings up itself: lang picks one language from the system locale at
// start and has no way to switch at runtime, while a kiosk must open in
// Chinese on any machine and switch on a touch.
//
//go:embed translations/*.json
var translationFS embed.FS

var strs = map[data.Lang]map[string]string{
	data.ZH: mustLoad("translations/zh-CN.json"),
	data.EN: mustLoad("translations/en.json"),
}

var registered sync.Once

// registerTranslations registers the strings with Fyne's lang, once, when
// the first window is made, so that a failure reaches the window's log.
func registerTranslations(log *slog.Logger) {
	registered.Do(func() {
		if err := lang.AddTranslationsFS(translationFS, "translations"); err != nil {
			log.Warn("ui: registering translations", "error", err)
		}
	})
}

func mustLoad(name string) map[string]string {
	b, err := translationFS.ReadFile(name)
	if err != nil {
		panic(err)
	}
	m := map[string]string{}
	if err := json.Unmarshal(b, &m); err != nil {
		panic(fmt.Errorf("%s: %w", name, err))
	}
	return m
}

// hasKey reports whether key is translated (into Chinese; a test keeps
// both files to the same keys).
func hasKey(key string) bool {
	_, ok := strs[data.ZH][key]
	return ok
}

// tr looks key up in l, falling back to Chinese and then to the key
// itself, so a missing translation shows something readable while the
// missing-key test catches it.
func tr(l data.Lang, key string) string {
	if s, ok := strs[l][key]; ok {
		return s
	}
	if s, ok := strs[data.ZH][key]; ok {
		return s
	}
	return key
}
