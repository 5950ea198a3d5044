package admin

import (
	"io/fs"
	"os"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"jiezhen/data"
)

// Both languages have the same keys, and every key a template uses is
// defined.
func TestTranslations(t *testing.T) {
	zh, en := translations[data.ZH], translations[data.EN]
	for k := range zh {
		if _, ok := en[k]; !ok {
			t.Errorf("%q is in Chinese but not in English", k)
		}
	}
	for k := range en {
		if _, ok := zh[k]; !ok {
			t.Errorf("%q is in English but not in Chinese", k)
		}
	}
	used := regexp.MustCompile(`\.T "([^"]+)"`)
	names, _ := fs.Glob(templateFS, "*.html")
	for _, name := range names {
		b, _ := fs.ReadFile(templateFS, name)
		for _, m := range used.FindAllStringSubmatch(string(b), -1) {
			if _, ok := zh[m[1]]; !ok {
				t.Errorf("%s uses %q, which no translation file defines", name, m[1])
			}
		}
	}
	// Keys the code passes to render, problem and redirect.
	goKey := regexp.MustCompile(`"((?:error|signin|enrol|users|audit|home|nav)\.[a-z0-9.]+)"`)
	src := os.DirFS(".")
	gos, _ := fs.Glob(src, "*.go")
	for _, name := range gos {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		b, _ := fs.ReadFile(src, name)
		for _, m := range goKey.FindAllStringSubmatch(string(b), -1) {
			if _, ok := zh[m[1]]; !ok && !strings.HasSuffix(m[1], ".") {
				t.Errorf("%s uses %q, which no translation file defines", name, m[1])
			}
		}
	}
}

// A key defined in two families' files stops the program at start.
func TestTranslationsDuplicateKey(t *testing.T) {
	fsys := fstest.MapFS{
		"translations/a.zh-CN.json": {Data: []byte(`{"x.one": "一"}`)},
		"translations/b.zh-CN.json": {Data: []byte(`{"x.one": "壹"}`)},
	}
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(r.(string), `"x.one"`) {
			t.Fatalf("a duplicate key: %v", r)
		}
	}()
	loadTranslations(fsys)
}
