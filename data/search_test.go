package data

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestFieldSnippet: a snippet quotes fields one by one, never running them
// together, cut at punctuation with an ellipsis where it was cut.
func TestFieldSnippet(t *testing.T) {
	p := &Provider{Name: "长者饭堂（体育东点）", Category: "长者饭堂", Address: "天河区体育东路体育东横街12号首层",
		Phone: "020-38880001", Services: []string{"午餐", "晚餐", "送餐上门"}}
	_, text, _ := SearchText(p)
	parts := FieldSnippet(KindProvider, text, []string{"送餐"}, false)
	if len(parts) != 1 || parts[0].Field != "services" || parts[0].Text != "午餐 晚餐 送餐上门" {
		t.Errorf("a services match quotes %+v", parts)
	}
	if h := parts[0].Highlights; len(h) != 1 || parts[0].Text[h[0][0]:h[0][1]] != "送餐" {
		t.Errorf("highlights %v in %q", h, parts[0].Text)
	}
	// The name matched: the address, the phone and the hours, though the
	// category holds the term too.
	parts = FieldSnippet(KindProvider, text, []string{"长者饭堂"}, true)
	var got []string
	for _, p := range parts {
		got = append(got, p.Field+"="+p.Text)
	}
	if strings.Join(got, "|") != "address=天河区体育东路体育东横街12号首层|phone=020-38880001|hours="+p.Hours.Summary(ZH) {
		t.Errorf("a name match quotes %q", got)
	}

	// A long body: the excerpt starts after a punctuation mark before the
	// term and ends at one after it, with ellipses.
	body := "为满足辖区长者就近用餐需求，天河南街长者饭堂（体育东点）经改造装修后，于2026年11月9日起正式开餐。" +
		"开餐时间：午餐11:00—13:00，晚餐17:00—18:30，每周一至周六供餐（法定节假日另行安排）。" +
		"用餐对象：辖区60周岁以上长者均可就餐；80周岁以上、低保低收入、特困、重度残疾等长者可按规定享受助餐补贴。"
	_, text, _ = SearchText(&Notice{Title: "开餐公告", Category: "公告", Body: body})
	parts = FieldSnippet(KindNotice, text, []string{"晚餐"}, false)
	if len(parts) != 1 || parts[0].Field != "body" || !parts[0].Unlabelled() {
		t.Fatalf("a body match quotes %+v", parts)
	}
	ex := parts[0].Text
	if !strings.HasPrefix(ex, "…") || !strings.HasSuffix(ex, "…") || !strings.Contains(ex, "晚餐") {
		t.Errorf("the excerpt %q is not cut with ellipses around the term", ex)
	}
	inner := strings.TrimSuffix(strings.TrimPrefix(ex, "…"), "…")
	if !strings.Contains(body, inner) {
		t.Fatalf("the excerpt %q is not a piece of the body", ex)
	}
	at := strings.Index(body, inner)
	before, _ := utf8.DecodeLastRuneInString(body[:at])
	last, _ := utf8.DecodeLastRuneInString(inner)
	if !isBoundary(before) || !isBoundary(last) {
		t.Errorf("the excerpt %q starts after %q and ends with %q: not at boundaries", ex, before, last)
	}
	if n := utf8.RuneCountInString(ex); n > SnippetRunes {
		t.Errorf("the excerpt %q has %d characters", ex, n)
	}
}
