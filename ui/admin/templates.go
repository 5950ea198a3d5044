package admin

import (
	"fmt"
	"html/template"
	"strings"
	"time"

	"jiezhen/data"
)

// parsePages parses every template file together and makes one set per
// page: a file defines a page as {{define "admin:NAME"}}, and the set
// renders "layout" with that page as its "main".
func parsePages() map[string]*template.Template {
	base := template.Must(template.New("").Funcs(funcs).ParseFS(templateFS, "*.html"))
	pages := map[string]*template.Template{}
	for _, t := range base.Templates() {
		name, ok := strings.CutPrefix(t.Name(), "admin:")
		if !ok {
			continue
		}
		set := template.Must(base.Clone())
		template.Must(set.New("main").Parse(fmt.Sprintf(`{{template %q .}}`, t.Name())))
		pages[name] = set
	}
	return pages
}

// china is the district's time zone: times are shown in it.
var china = time.FixedZone("CST", 8*3600)

var funcs = template.FuncMap{
	// when shows a district time as 2026-12-08 10:00 in China.
	"when": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(china).Format("2006-01-02 15:04")
	},
	// date shows a day as 2026年11月20日 in Chinese, 2026-11-20 in English.
	"date": func(l data.Lang, d data.Date) string {
		if l == data.EN {
			return d.String()
		}
		return d.Chinese()
	},
	"join": strings.Join,
}
