package admin

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"

	"jiezhen/data"
)

// The back office's interface strings, Chinese first, English second.
// Each page family keeps its own pair of files,
// translations/FAMILY.zh-CN.json and FAMILY.en.json; they are merged at
// start, and a key defined twice is a bug that stops the program.

//go:embed translations/*.json
var translationFS embed.FS

var translations = loadTranslations(translationFS)

// loadTranslations merges the files of each language; it panics on a key
// defined in two files or a file that does not parse.
func loadTranslations(fsys fs.FS) map[data.Lang]map[string]string {
	out := map[data.Lang]map[string]string{data.ZH: {}, data.EN: {}}
	files := map[data.Lang]string{data.ZH: ".zh-CN.json", data.EN: ".en.json"}
	names, err := fs.Glob(fsys, "translations/*.json")
	if err != nil {
		panic(err)
	}
	for _, name := range names {
		var lang data.Lang
		for l, suffix := range files {
			if strings.HasSuffix(name, suffix) {
				lang = l
			}
		}
		if lang == "" {
			panic(fmt.Sprintf("%s: a translation file is FAMILY.zh-CN.json or FAMILY.en.json", name))
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			panic(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			panic(fmt.Sprintf("%s: %v", name, err))
		}
		for k, v := range m {
			if _, dup := out[lang][k]; dup {
				panic(fmt.Sprintf("%s: the key %q is defined in another file too", name, k))
			}
			out[lang][k] = v
		}
	}
	return out
}

// translate returns the string for key; a key not defined shows as
// itself (a sentence given instead of a key), which the translations
// test catches for templates.
func translate(l data.Lang, key string) string {
	if s, ok := translations[l][key]; ok {
		return s
	}
	return key
}
