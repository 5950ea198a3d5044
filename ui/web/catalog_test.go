package web

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// A catalogue entry's page shows the day its document was written and the
// day it was published in rows of their own, then its validity, in both
// languages.
func TestCatalogEntryDatesAndValidity(t *testing.T) {
	s := newSite(t)
	entry := "/s/" + demoStreet + "/catalog/"
	row := func(th, td string) string { return `<tr><th scope="row">` + th + `</th><td>` + td + `</td></tr>` }
	cases := []struct {
		path string
		lang *http.Cookie
		want []string // in this order
	}{
		{entry + "cat-thn-2026-05", nil, []string{
			row("成文日期", `<time datetime="2026-02-24">2026年2月24日</time>`),
			row("发布日期", `<time datetime="2026-02-27">2026年2月27日</time>`),
			row("有效性", "有效")}},
		{entry + "cat-thn-2026-05", &http.Cookie{Name: "lang", Value: "en"}, []string{
			row("Written", `<time datetime="2026-02-24">2026-02-24</time>`),
			row("Published", `<time datetime="2026-02-27">2026-02-27</time>`),
			row("Validity", "In force")}},
		{entry + "cat-gz-2012-16", nil, []string{
			row("成文日期", `<time datetime="2012-03-25">2012年3月25日</time>`),
			row("发布日期", `<time datetime="2012-03-25">2012年3月25日</time>`),
			row("有效性", "失效")}},
	}
	rows := regexp.MustCompile(`<tr>.*</tr>`)
	for _, c := range cases {
		var cookies []*http.Cookie
		if c.lang != nil {
			cookies = append(cookies, c.lang)
		}
		resp, body := s.get(c.path, cookies...)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", c.path, resp.StatusCode)
		}
		table := strings.Join(rows.FindAllString(body, -1), "\n")
		at := 0
		for _, w := range c.want {
			i := strings.Index(table[at:], w)
			if i < 0 {
				t.Errorf("GET %s (%v): the record lacks %q after what came before; its rows:\n%s", c.path, c.lang, w, table)
				break
			}
			at += i + len(w)
		}
	}
}
