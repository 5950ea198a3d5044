package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"jiezhen/data"
)

// hitLinks are the result links of a search page, in order.
func hitLinks(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<li><a href="([^"]+)"`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// groupTitles are the kinds' headings of a search page, in order.
func groupTitles(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<section class="hits">\s*<h2><a href="[^"]+">([^<]+)</a>`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestSearch(t *testing.T) {
	s := newSite(t)
	base := "/s/" + demoStreet + "/search"
	search := func(q string) (int, string) {
		t.Helper()
		resp, body := s.get(base + "?q=" + url.QueryEscape(q))
		return resp.StatusCode, body
	}
	home := "/s/" + demoStreet + "/"

	// Every street page has the search box; the empty query is the form.
	if _, body := s.get(home); !strings.Contains(body, `action="`+base+`"`) || !strings.Contains(body, `name="q"`) {
		t.Errorf("the street home has no search box:\n%s", body)
	}
	if code, body := search(""); code != 200 || !strings.Contains(body, `id="q-main"`) || strings.Contains(body, `class="hits"`) {
		t.Errorf("empty query: %d\n%s", code, body)
	}

	// Three or more characters: through the index, grouped by kind in the
	// site's order, each hit linking to its page, the match marked.
	code, body := search("长者饭堂")
	if code != 200 {
		t.Fatalf("长者饭堂: %d", code)
	}
	if got, want := groupTitles(body), []string{"通知公告", "政府信息公开", "办事指南", "便民服务", "民意征集"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("长者饭堂 groups %v, want %v", got, want)
	}
	links := hitLinks(body)
	if !contains(links, home+"consultations/zj-2026-04") || !contains(links, home+"providers/?category="+url.QueryEscape("长者饭堂")) {
		t.Errorf("长者饭堂 links %v", links)
	}
	if !strings.Contains(body, "<mark>长者饭堂</mark>") {
		t.Errorf("长者饭堂: no highlight\n%s", body)
	}
	// Each group's hits are under its section.
	for _, sec := range regexp.MustCompile(`(?s)<section class="hits">\s*<h2><a href="([^"]+)".*?</section>`).FindAllStringSubmatch(body, -1) {
		for _, l := range hitLinks(sec[0]) {
			if !strings.HasPrefix(l, sec[1]) {
				t.Errorf("hit %s in the group of %s", l, sec[1])
			}
		}
	}
	for _, l := range links {
		resp, _ := s.get(l)
		if resp.StatusCode != 200 {
			t.Errorf("hit %s answers %d", l, resp.StatusCode)
		}
	}

	// One or two characters: scanned.
	code, body = search("停水")
	if code != 200 {
		t.Fatalf("停水: %d", code)
	}
	links = hitLinks(body)
	if !contains(links, home+"notices/thn-notice-01") || !contains(links, home+"notices/"+filesNotice) {
		t.Errorf("停水 links %v", links)
	}
	if got := groupTitles(body); len(got) == 0 || got[0] != "通知公告" {
		t.Errorf("停水 groups %v", got)
	}

	// A term deep in a long text: the snippet is cut, with an ellipsis.
	code, body = search("疫苗接种")
	if code != 200 || !regexp.MustCompile(`<p class="snippet" lang="zh-CN">…[^<]*<mark>疫苗接种</mark>`).MatchString(body) {
		t.Errorf("疫苗接种: %d, no snippet with a leading ellipsis:\n%s", code, body)
	}

	// No hits.
	if code, body := search("不存在的词语"); code != 200 || !strings.Contains(body, "没有找到相关内容") || strings.Contains(body, `class="hits"`) {
		t.Errorf("no hits: %d\n%s", code, body)
	}

	// Another street's item never appears, by either path; on its own
	// street it does.
	for _, q := range []string{"林和", "林和街道的通知"} {
		if _, body := search(q); strings.Contains(body, otherNotice) {
			t.Errorf("%s: another street's notice found:\n%s", q, body)
		}
		resp, body := s.get("/s/" + otherStreet + "/search?q=" + url.QueryEscape(q))
		if resp.StatusCode != 200 || !strings.Contains(body, otherNotice) {
			t.Errorf("%s on its own street: %d, not found", q, resp.StatusCode)
		}
	}

	// An unpublished item is gone at once, by either path.
	if _, err := s.p.Unpublish(context.Background(), data.KindNotice, "thn-notice-01"); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"停水", "计划停水"} {
		if _, body := search(q); strings.Contains(body, "thn-notice-01") {
			t.Errorf("%s: the unpublished notice is still found", q)
		}
	}

	// A query the page cannot take: 400 in words.
	for q, want := range map[string]string{
		strings.Repeat("街", maxQuery+1): "最多 100 个字",
		"停\x01水":                        "无法识别的字符",
	} {
		if code, body := search(q); code != 400 || !strings.Contains(body, want) {
			t.Errorf("%q: %d\n%s", q, code, body)
		}
	}
	if code, _ := search(strings.Repeat("街", maxQuery)); code != 200 {
		t.Errorf("a query of %d characters: %d", maxQuery, code)
	}
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}

// TestHomeFresh: the street home, kept once rendered, shows a change the
// moment it is written, and each language its own page.
func TestHomeFresh(t *testing.T) {
	s := newSite(t)
	home := "/s/" + demoStreet + "/"
	for range 2 {
		if _, body := s.get(home); !strings.Contains(body, "notices/thn-notice-00") || !strings.Contains(body, `lang="zh-CN"`) {
			t.Fatalf("the home lacks thn-notice-00:\n%s", body)
		}
	}
	if _, body := s.get(home, &http.Cookie{Name: "lang", Value: "en"}); !strings.Contains(body, "Notices") {
		t.Errorf("the English home is the Chinese one:\n%s", body)
	}
	if _, err := s.p.Unpublish(context.Background(), data.KindNotice, "thn-notice-00"); err != nil {
		t.Fatal(err)
	}
	if _, body := s.get(home); strings.Contains(body, "thn-notice-00") {
		t.Errorf("the home still shows an unpublished notice")
	}
}
