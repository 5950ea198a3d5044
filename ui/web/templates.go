package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"strings"
	"time"

	"jiezhen/data"
)

// parsePages parses every template file together and makes one set per
// page: a file defines a page as {{define "page:NAME"}}, and the set
// renders "layout" with that page as its "main".
func parsePages() map[string]*template.Template {
	base := template.Must(template.New("").Funcs(funcs).ParseFS(templateFS, "*.html"))
	pages := map[string]*template.Template{}
	for _, t := range base.Templates() {
		name, ok := strings.CutPrefix(t.Name(), "page:")
		if !ok {
			continue
		}
		set := template.Must(base.Clone())
		template.Must(set.New("main").Parse(fmt.Sprintf(`{{template %q .}}`, t.Name())))
		pages[name] = set
	}
	return pages
}

var funcs = template.FuncMap{
	"paras": trimLines,
	// date shows a day as 2026年11月20日 in Chinese, 2026-11-20 in English.
	"date": func(l data.Lang, d data.Date) string {
		if l == data.EN {
			return d.String()
		}
		return d.Chinese()
	},
	// day is the day of a district time, in China.
	"day":      func(t time.Time) data.Date { return data.DateOf(t.In(china)) },
	"join":     strings.Join,
	"size":     FileSize,
	"fileName": fileName,
}

// FileSize gives a file's size as people read it (the back office
// shows uploads with it too).
func FileSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", (n+1<<9)>>10)
	}
	return fmt.Sprintf("%d B", n)
}

func jsonUnmarshal(b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("the stored body does not decode: %w", err)
	}
	return nil
}
