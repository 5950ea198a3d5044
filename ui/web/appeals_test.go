package web

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/sync/server"
	"jiezhen/sync/wire"
)

// The resident's personal data on the appeals filed by fileAppeals; no
// public page, feed or API may show any of it.
const (
	secretName   = "王秘密"
	secretID     = "11010519491231002X"
	secretMobile = "13912345678"
	secretAddr   = "天河南一路私宅8号"
	secretText   = "我的邻居在楼道堆放杂物原文"
)

// filedAppeals are the references fileAppeals made.
type filedAppeals struct {
	Public, Private, Open, Other string
}

// fileAppeals files appeals through a kiosk push, as a kiosk files them,
// and answers them as a clerk does: one public and answered, one answered
// whose resident did not agree to show it, one public still open, and one
// public answered of the other street.
func fileAppeals(t testing.TB, p *server.Platform) filedAppeals {
	t.Helper()
	ctx := context.Background()
	push := func(street string, c data.Case) string {
		t.Helper()
		k, _, err := p.AddKiosk(ctx, street, "kiosk of "+street)
		if err != nil {
			t.Fatal(err)
		}
		c.Kind, c.Street, c.Status = data.CaseAppeal, street, data.StatusSubmitted
		c.Applicant = &data.Person{Name: secretName, IDNumber: secretID, Mobile: secretMobile, Address: secretAddr}
		c.Description = secretText
		c.SubmittedAt = time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC)
		body, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := p.Push(ctx, k, &wire.PushRequest{Items: []wire.PushItem{{ID: c.ID, Kind: wire.ItemCase, Body: body}}})
		if err != nil {
			t.Fatal(err)
		}
		if r := resp.Results[0]; r.Outcome != wire.Accepted {
			t.Fatalf("case %s: %s %s", c.ID, r.Outcome, r.Reason)
		}
		return resp.Results[0].Ref
	}
	reply := func(ref, text string) {
		t.Helper()
		if _, err := p.MoveCase(ctx, server.CaseMove{Ref: ref, To: data.StatusReplied, Reason: text}); err != nil {
			t.Fatal(err)
		}
	}
	var f filedAppeals
	f.Public = push(demoStreet, data.Case{ID: "web-appeal-public", AppealType: data.AppealComplaint, Category: "楼道堆物", Location: "天河南一路12号楼道", Public: true})
	f.Private = push(demoStreet, data.Case{ID: "web-appeal-private", AppealType: data.AppealComplaint, Category: "不公开的主题", Location: "不公开的地点"})
	f.Open = push(demoStreet, data.Case{ID: "web-appeal-open", AppealType: data.AppealHelp, Category: "尚未答复的主题", Location: "尚未答复的地点", Public: true})
	f.Other = push(otherStreet, data.Case{ID: "web-appeal-other", AppealType: data.AppealSuggestion, Category: "林和的主题", Location: "林和的地点", Public: true})
	reply(f.Public, "已联系物业清理楼道杂物。\n感谢您的监督。")
	reply(f.Private, "不公开的答复")
	reply(f.Other, "林和的答复")
	return f
}

// noPersonalData fails if body shows any of the resident's data.
func noPersonalData(t *testing.T, what, body string) {
	t.Helper()
	for _, secret := range []string{secretName, secretID, secretMobile, secretMobile[len(secretMobile)-4:] + "\"", secretAddr, secretText} {
		if strings.Contains(body, secret) {
			t.Errorf("%s shows the resident's %q", what, secret)
		}
	}
}

func TestPublicAppeals(t *testing.T) {
	s := newSite(t)
	f := fileAppeals(t, s.p)
	home := "/s/" + demoStreet + "/"
	notShown := []string{"不公开的主题", "不公开的地点", "不公开的答复", "尚未答复的主题", "林和的主题", f.Private, f.Open, f.Other}
	cases := []struct {
		path   string
		status int
		want   []string
		not    []string
	}{
		{home + "appeals/", 200, []string{`<a href="/s/440106005/appeals/" aria-current="page">诉求公开</a>`, "楼道堆物", "投诉", "天河南一路12号楼道", "答复日期：<time datetime=\"2026-12-08\">2026年12月8日</time>",
			`<link rel="alternate" type="application/atom+xml" href="/s/440106005/appeals.atom"`, `<form class="filters" method="get" action="/s/440106005/appeals/">`,
			`<option value="complaint">投诉</option>`, `<option value="2026">2026</option>`, `href="/s/440106005/appeals/` + f.Public + `"`}, notShown},
		{home + "appeals/?type=complaint", 200, []string{"楼道堆物", `<option value="complaint" selected>投诉</option>`}, notShown},
		{home + "appeals/?type=help", 200, []string{"暂无可公开的已答复诉求"}, []string{"楼道堆物"}},
		{home + "appeals/?year=2026&month=12", 200, []string{"楼道堆物", `<option value="12" selected>12月</option>`}, nil},
		{home + "appeals/?year=2026&month=11", 200, []string{"暂无可公开的已答复诉求"}, []string{"楼道堆物"}},
		{home + "appeals/?year=2025", 200, []string{"暂无可公开的已答复诉求", `<option value="2025" selected>2025</option>`}, nil},
		{home + "appeals/?type=&year=&month=", 200, []string{"楼道堆物"}, nil},
		{home + "appeals/" + f.Public, 200, []string{`<h1><span lang="zh-CN">楼道堆物</span></h1>`, "<td>" + f.Public + "</td>", `<td lang="zh-CN">天河南一路12号楼道</td>`,
			"<p lang=\"zh-CN\">已联系物业清理楼道杂物。</p>", "<p lang=\"zh-CN\">感谢您的监督。</p>", `<th scope="row">提交日期</th>`}, nil},
		{home + "appeals/" + strings.ReplaceAll(f.Public, "-", ""), 200, []string{"楼道堆物"}, nil},
		{home + "appeals/" + f.Private, 404, []string{"页面不存在"}, []string{"不公开"}},
		{home + "appeals/" + f.Open, 404, []string{"页面不存在"}, []string{"尚未答复"}},
		{home + "appeals/" + f.Other, 404, []string{"页面不存在"}, []string{"林和"}},
		{home + "appeals/none", 404, []string{"页面不存在"}, nil},
		{home + "appeals/?type=other", 400, []string{"诉求类型须为"}, nil},
		{home + "appeals/?year=26", 400, []string{"年份应为四位数字"}, nil},
		{home + "appeals/?year=2026&month=13", 400, []string{"月份须为 1 至 12"}, nil},
		{home + "appeals/?month=12", 400, []string{"须同时选择年份"}, nil},
		{home + "appeals/?page=2", 400, []string{"页码应为 1 到 1 之间的整数。"}, nil},
		{"/s/" + otherStreet + "/appeals/", 200, []string{"林和的主题"}, []string{"楼道堆物"}},
	}
	for _, c := range cases {
		resp, body := s.get(c.path)
		if resp.StatusCode != c.status {
			t.Errorf("GET %s: %d, want %d\n%s", c.path, resp.StatusCode, c.status, body)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(body, w) {
				t.Errorf("GET %s: the page lacks %q", c.path, w)
			}
		}
		for _, w := range c.not {
			if strings.Contains(body, w) {
				t.Errorf("GET %s: the page shows %q", c.path, w)
			}
		}
		noPersonalData(t, "GET "+c.path, body)
	}
	// English interface.
	_, body := s.get(home+"appeals/", &http.Cookie{Name: cookieLang, Value: "en"})
	for _, w := range []string{"Answered appeals", "Complaint", `<option value="1">January</option>`} {
		if !strings.Contains(body, w) {
			t.Errorf("the English page lacks %q", w)
		}
	}
}

// atomDoc is what a test reads of an Atom feed.
type atomDoc struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Links   []struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	} `xml:"link"`
	Entries []struct {
		ID      string `xml:"id"`
		Title   string `xml:"title"`
		Updated string `xml:"updated"`
		Link    struct {
			Rel  string `xml:"rel,attr"`
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Content string `xml:"content"`
	} `xml:"entry"`
}

func TestFeeds(t *testing.T) {
	s := newSite(t)
	f := fileAppeals(t, s.p)
	home := "/s/" + demoStreet + "/"
	read := func(path string) (atomDoc, string) {
		t.Helper()
		resp, body := s.get(path)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d\n%s", path, resp.StatusCode, body)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/atom+xml; charset=utf-8" {
			t.Errorf("GET %s: Content-Type %q", path, ct)
		}
		var doc atomDoc
		if err := xml.Unmarshal([]byte(body), &doc); err != nil {
			t.Fatalf("GET %s does not parse as Atom: %v\n%s", path, err, body)
		}
		if doc.ID == "" || doc.Title == "" {
			t.Errorf("GET %s: no feed id or title", path)
		}
		if _, err := time.Parse(time.RFC3339, doc.Updated); err != nil {
			t.Errorf("GET %s: updated %q: %v", path, doc.Updated, err)
		}
		rels := map[string]string{}
		for _, l := range doc.Links {
			rels[l.Rel] = l.Href
		}
		if rels["alternate"] == "" || rels["self"] != s.url+path {
			t.Errorf("GET %s: links %v", path, rels)
		}
		for _, e := range doc.Entries {
			if !strings.HasPrefix(e.ID, "tag:") || e.Title == "" || e.Link.Rel != "alternate" {
				t.Errorf("GET %s: entry %+v", path, e)
			}
			if _, err := time.Parse(time.RFC3339, e.Updated); err != nil {
				t.Errorf("GET %s: entry %s updated %q", path, e.ID, e.Updated)
			}
			// Every entry's page answers.
			if r, _ := s.get(strings.TrimPrefix(e.Link.Href, s.url)); r.StatusCode != 200 {
				t.Errorf("GET %s: entry %s links to %s, which answers %d", path, e.ID, e.Link.Href, r.StatusCode)
			}
		}
		return doc, body
	}

	notices, body := read(home + "notices.atom")
	if notices.Links[0].Href != s.url+home+"notices/" {
		t.Errorf("the notices feed's page is %s", notices.Links[0].Href)
	}
	titles := map[string]string{}
	for _, e := range notices.Entries {
		titles[e.Title] = e.ID
	}
	if titles["关于天河南一路停水范围的补充通知"] != feedTag+"s/"+demoStreet+"/notices/"+filesNotice {
		t.Errorf("the notices feed lacks the street's notice or its stable id: %v", titles)
	}
	if _, ok := titles["林和街道的通知"]; ok {
		t.Error("the notices feed shows another street's notice")
	}
	if notices.Updated != "2026-11-30T16:00:00Z" {
		t.Errorf("the notices feed was updated %s, want its newest notice's day", notices.Updated)
	}
	_ = body

	appeals, body := read(home + "appeals.atom")
	noPersonalData(t, "the appeals feed", body)
	if len(appeals.Entries) != 1 {
		t.Fatalf("the appeals feed has %d entries, want the one public answered appeal\n%s", len(appeals.Entries), body)
	}
	e := appeals.Entries[0]
	if e.ID != feedTag+"s/"+demoStreet+"/appeals/"+f.Public || !strings.Contains(e.Title, "楼道堆物") || !strings.Contains(e.Content, "已联系物业清理楼道杂物") {
		t.Errorf("the appeals feed's entry: %+v", e)
	}
	for _, w := range []string{"不公开", "尚未答复", "林和"} {
		if strings.Contains(body, w) {
			t.Errorf("the appeals feed shows %q", w)
		}
	}
	// The pages link their feeds.
	for page, feed := range map[string]string{home + "notices/": home + "notices.atom", home + "appeals/": home + "appeals.atom"} {
		if _, body := s.get(page); !strings.Contains(body, fmt.Sprintf(`<link rel="alternate" type="application/atom+xml" href="%s"`, feed)) {
			t.Errorf("%s does not link its feed %s", page, feed)
		}
	}
}
