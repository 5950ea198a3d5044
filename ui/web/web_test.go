package web

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"jiezhen/data"
)

// Every page type over real HTTP on the demo district: status, type and
// what the page must show.
func TestPages(t *testing.T) {
	s := newSite(t)
	home := "/s/" + demoStreet + "/"
	cases := []struct {
		path   string
		status int
		want   []string
		not    []string
	}{
		{"/", 200, []string{"<html lang=\"zh-CN\"", "全区街道（镇）", `href="/s/440106005/"`, "天河南街道", "林和街道"}, nil},
		{home, 200, []string{`<h1 lang="zh-CN">天河南街道</h1>`, "通知公告", "关于天河南一路停水范围的补充通知", "政府信息公开", "审批服务", "行政执法", "社会管理", "公共服务", "便民服务", "长者饭堂", "民意征集", "020-38621180"}, []string{"林和街道的通知"}},
		{home + "notices/", 200, []string{`<a href="/s/440106005/notices/" aria-current="page">通知公告</a>`, `<a href="/s/440106005/catalog/">政府信息公开</a>`, "置顶", "关于本机演示数据的说明", "关于天河南一路停水范围的补充通知", "有附件"}, []string{"林和街道的通知"}},
		{home + "notices/" + filesNotice, 200, []string{`<h1 lang="zh-CN">关于天河南一路停水范围的补充通知</h1>`, `<p lang="zh-CN">请居民提前储水。</p>`, "附件",
			fmt.Sprintf(`href="%snotices/%s/files/%s" download>停水范围</a>`, home, filesNotice, strings.TrimPrefix(s.pdf.Path, "files/")),
			fmt.Sprintf(`<img src="%snotices/%s/files/%s" alt="停水范围示意图">`, home, filesNotice, strings.TrimPrefix(s.png.Path, "files/"))}, nil},
		{home + "catalog/", 200, []string{"按主题分类", "按年份", "政务公开", "2012", "第 1 页，共 2 页", `<a href="/s/440106005/catalog/?page=2" rel="next">下一页</a>`}, []string{"007482910/2012-00016", "上一页"}},
		{home + "catalog/?topic=民政", 200, []string{"信息公开指南和年度报告", `<a lang="zh-CN" href="/s/440106005/catalog/cat-thn-2026-30">天河南街道2026年度政府信息公开指南</a>`, `<a lang="zh-CN" href="/s/440106005/catalog/cat-thn-2026-31">天河南街道办事处2025年政府信息公开工作年度报告</a>`}, nil},
		{home + "catalog/?page=2", 200, []string{"007482910/2012-00016", "第 2 页，共 2 页", `<a href="/s/440106005/catalog/" rel="prev">上一页</a>`}, []string{"下一页"}},
		{home + "notices/", 200, []string{"关于本机演示数据的说明"}, []string{"第 1 页"}},
		{home + "catalog/?topic=" + "政务公开", 200, []string{"印发2012年广州市政务公开工作要点的通知", `aria-current="page">政务公开`}, []string{"社会救助</a></li>\n<li>"}},
		{home + "catalog/?year=2012", 200, []string{"印发2012年广州市政务公开工作要点的通知", "年份：2012"}, nil},
		{home + "catalog/cat-gz-2012-16", 200, []string{`<a href="/s/440106005/catalog/" aria-current="true">政府信息公开</a>`, "<th scope=\"row\">索引号</th><td lang=\"zh-CN\">007482910/2012-00016</td>", "<th scope=\"row\">发布机构</th><td lang=\"zh-CN\">广州市人民政府办公厅</td>",
			`<th scope="row">发布日期</th><td><time datetime="2012-03-25">2012年3月25日</time></td>`, "<th scope=\"row\">文号</th><td lang=\"zh-CN\">穗府办〔2012〕16号</td>", "<th scope=\"row\">主题分类</th><td lang=\"zh-CN\">政务公开</td>",
			"<th scope=\"row\">主题词</th><td lang=\"zh-CN\">行政事务、政务公开、通知</td>", "<th scope=\"row\">公开方式</th><td lang=\"zh-CN\">", "<th scope=\"row\">公开时限</th>"}, nil},
		{home + "services/", 200, []string{"审批服务", "行政执法", "社会管理", "公共服务", "来穗人员居住登记"}, nil},
		{home + "services/?category=social", 200, []string{"来穗人员居住登记", `aria-current="page">社会管理`}, []string{`<h2 id="g-approval">`}},
		{home + "services/" + filesService, 200, []string{`<h1 lang="zh-CN">来穗人员居住登记</h1>`, "440106005-SH-001", "受理条件", "申请材料", "办理流程", "设定依据", "常见问题", "监督投诉电话", "不收费", "原件及复印件",
			fmt.Sprintf(`href="%sservices/%s/files/%s" download>来穗人员居住登记表</a>`, home, filesService, strings.TrimPrefix(s.pdf.Path, "files/"))}, nil},
		{home + "providers/", 200, []string{"营业状态按北京时间计算：2026-12-08 10:00", "营业中", "长者饭堂"}, nil},
		{home + "providers/?category=长者饭堂", 200, []string{"长者饭堂", `aria-current="page">长者饭堂`, "营业中"}, []string{"<h2>药店"}},
		{home + "consultations/", 200, []string{"正在征集", "已结束", "截止日期：", "已公布采纳情况"}, nil},
		// the 404s
		{"/s/999999999/", 404, []string{"页面不存在", "返回街道列表"}, nil},
		{home + "notices/none", 404, []string{"页面不存在", "返回街道首页"}, nil},
		{home + "notices/" + otherNotice, 404, []string{"页面不存在"}, nil},
		{home + "catalog/none", 404, []string{"页面不存在"}, nil},
		{home + "services/none", 404, []string{"页面不存在"}, nil},
		{home + "consultations/none", 404, []string{"页面不存在"}, nil},
		{home + "notices/" + filesNotice + "/files/0000.pdf", 404, []string{"页面不存在"}, nil},
		{"/no/such/page", 404, []string{"页面不存在"}, nil},
		// the 400s
		{home + "catalog/?year=20x", 400, []string{"请求有误", "年份应为四位数字"}, nil},
		{home + "catalog/?page=3", 400, []string{"页码应为 1 到 2 之间的整数。"}, nil},
		{home + "catalog/?page=0", 400, []string{"页码应为 1 到 2 之间的整数。"}, nil},
		{home + "catalog/?topic=政务公开&page=x", 400, []string{"页码应为 1 到 1 之间的整数。"}, nil},
		{home + "notices/?page=2", 400, []string{"页码应为 1 到 1 之间的整数。"}, nil},
		{home + "notices/?page=", 400, []string{"页码应为 1 到 1 之间的整数。"}, nil},
		{home + "catalog/?year=12345", 400, []string{"年份应为四位数字"}, nil},
		{home + "catalog/?topic=没有的主题", 400, []string{"没有这个主题分类"}, nil},
		{home + "services/?category=other", 400, []string{"事项类别只能是"}, nil},
		{home + "providers/?category=没有的分类", 400, []string{"没有这个分类"}, nil},
		{"/?lang=fr", 400, []string{"语言参数只能是 zh 或 en"}, nil},
		{home + "?size=huge", 400, []string{"字号参数只能是 large 或 normal"}, nil},
	}
	checked := map[string]bool{}
	for _, c := range cases {
		resp, body := s.get(c.path)
		if resp.StatusCode != c.status {
			t.Errorf("GET %s: %d, want %d\n%s", c.path, resp.StatusCode, c.status, body)
			continue
		}
		if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("GET %s: Content-Type %q", c.path, ct)
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
		// No page links to a page that does not exist.
		for _, m := range regexp.MustCompile(`href="(/[^"]*)"`).FindAllStringSubmatch(body, -1) {
			link := strings.ReplaceAll(m[1], "&amp;", "&")
			if checked[link] {
				continue
			}
			checked[link] = true
			if r, _ := s.get(link); r.StatusCode != 200 && r.StatusCode != 303 {
				t.Errorf("GET %s links to %s, which answers %d", c.path, link, r.StatusCode)
			}
		}
	}
}

// The consultation pages: an open topic with its deadline, a closed one
// with the outcome, reason and count of each topic.
func TestConsultations(t *testing.T) {
	s := newSite(t)
	list, err := items[data.Consultation](t.Context(), New(s.p, nil), data.KindConsultation, demoStreet)
	if err != nil {
		t.Fatal(err)
	}
	today := data.DateOf(s.clock.Now().In(time.FixedZone("CST", 8*3600)))
	var open, closed int
	for _, c := range list {
		_, body := s.get("/s/" + demoStreet + "/consultations/" + c.ID)
		switch {
		case c.OpenOn(today):
			open++
			for _, w := range []string{"征集中", "意见截止日期：<time datetime=\"" + c.Closes.String() + "\">" + c.Closes.Chinese() + "</time>", c.Topics[0].Title} {
				if !strings.Contains(body, w) {
					t.Errorf("open consultation %s lacks %q", c.ID, w)
				}
			}
		case c.ClosedOn(today):
			closed++
			if len(c.Feedback) == 0 {
				continue
			}
			for _, f := range c.Feedback {
				for _, w := range []string{f.Outcome.Label(data.ZH), f.Reason, fmt.Sprintf("收到意见：%d", f.Opinions)} {
					if !strings.Contains(body, w) {
						t.Errorf("closed consultation %s lacks %q", c.ID, w)
					}
				}
			}
		}
	}
	if open == 0 || closed == 0 {
		t.Fatalf("the demo content on %s has %d open and %d closed consultations", today, open, closed)
	}
}

// Attachment files come with the type the district recorded, PDFs as
// downloads, pictures inline, and only under an item that shows them.
func TestAttachmentFiles(t *testing.T) {
	s := newSite(t)
	home := "/s/" + demoStreet + "/"
	pdf := strings.TrimPrefix(s.pdf.Path, "files/")
	png := strings.TrimPrefix(s.png.Path, "files/")
	for _, c := range []struct {
		path, typ, disp, name string
		want                  []byte
	}{
		{home + "notices/" + filesNotice + "/files/" + pdf, "application/pdf", "attachment", "停水范围.pdf", s.pdfB},
		{home + "notices/" + filesNotice + "/files/" + png, "image/png", "inline", "停水范围示意图.png", s.pngB},
		{home + "services/" + filesService + "/files/" + pdf, "application/pdf", "attachment", "来穗人员居住登记表.pdf", s.pdfB},
		{"/s/" + otherStreet + "/notices/" + otherNotice + "/files/" + pdf, "application/pdf", "attachment", "林和附件.pdf", s.pdfB},
	} {
		resp, body := s.get(c.path)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != c.typ || !bytes.Equal([]byte(body), c.want) {
			t.Errorf("GET %s: %d %q, %d bytes; want %s and the held bytes", c.path, resp.StatusCode, resp.Header.Get("Content-Type"), len(body), c.typ)
			continue
		}
		disp, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
		if err != nil || disp != c.disp || params["filename"] != c.name {
			t.Errorf("GET %s: Content-Disposition %q, want %s with %s", c.path, resp.Header.Get("Content-Disposition"), c.disp, c.name)
		}
	}
	for _, path := range []string{
		home + "notices/" + otherNotice + "/files/" + pdf,          // another street's notice
		home + "services/" + filesService + "/files/" + png,        // a held file the service does not show
		home + "notices/thn-notice-01/files/" + pdf,                // a notice without it
		home + "notices/" + filesNotice + "/files/" + png + ".pdf", // no such file
	} {
		if resp, _ := s.get(path); resp.StatusCode != 404 {
			t.Errorf("GET %s: %d, want 404", path, resp.StatusCode)
		}
	}
}

// The headers every response carries, HSTS only under TLS, and the
// cross-origin check in front of every route.
func TestSecurityHeaders(t *testing.T) {
	s := newSite(t)
	home := "/s/" + demoStreet + "/"
	check := func(name string, h http.Header, tls bool) {
		t.Helper()
		csp := h.Get("Content-Security-Policy")
		for _, w := range []string{"default-src 'self'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, w) {
				t.Errorf("%s: CSP %q lacks %s", name, csp, w)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: CSP %q allows inline code", name, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "same-origin" {
			t.Errorf("%s: X-Content-Type-Options %q, Referrer-Policy %q", name, h.Get("X-Content-Type-Options"), h.Get("Referrer-Policy"))
		}
		if got := h.Get("Strict-Transport-Security") != ""; got != tls {
			t.Errorf("%s: HSTS %q under TLS=%v", name, h.Get("Strict-Transport-Security"), tls)
		}
	}
	for _, path := range []string{"/", home, home + "notices/", "/static/site.css", "/nothing", home + "catalog/?year=x", "/?lang=en",
		home + "notices/" + filesNotice + "/files/" + strings.TrimPrefix(s.pdf.Path, "files/")} {
		resp, _ := s.get(path)
		check("GET "+path, resp.Header, false)
	}
	resp, body := s.get("/static/site.css")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") || !strings.Contains(body, `"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif`) {
		t.Errorf("GET /static/site.css: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}

	// A same-origin POST to a page is told the page only reads.
	req, _ := http.NewRequest(http.MethodPost, s.url+home, strings.NewReader("x=1"))
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != http.StatusMethodNotAllowed || r.Header.Get("Allow") != "GET, HEAD" || !strings.Contains(string(b), "只能浏览") {
		t.Errorf("same-origin POST: %d, Allow %q", r.StatusCode, r.Header.Get("Allow"))
	}
	check("same-origin POST", r.Header, false)

	// A cross-site POST is refused before any handler sees it.
	req, _ = http.NewRequest(http.MethodPost, s.url+home, strings.NewReader("x=1"))
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	r, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site POST: %d, want 403", r.StatusCode)
	}
	check("cross-site POST", r.Header, false)

	tlsSrv := httptest.NewTLSServer(New(s.p, nil).Handler())
	defer tlsSrv.Close()
	r, err = tlsSrv.Client().Get(tlsSrv.URL + home)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	check("GET over TLS", r.Header, true)
}

// ?lang= and ?size= set a cookie and come back to the same page, filters
// kept; the cookies then hold across pages.
func TestPreferences(t *testing.T) {
	s := newSite(t)
	home := "/s/" + demoStreet + "/"
	resp, _ := s.get(home + "catalog/?year=2012&lang=en")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != home+"catalog/?year=2012" {
		t.Fatalf("?lang=en: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	var lang *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "lang" {
			lang = c
		}
	}
	if lang == nil || lang.Value != "en" || !lang.HttpOnly || lang.Path != "/" {
		t.Fatalf("?lang=en set %v", resp.Cookies())
	}
	_, body := s.get(home+"notices/", lang)
	for _, w := range []string{`<html lang="en"`, "<h1>Notices</h1>", `lang="zh-CN">中文</a>`, `<a lang="zh-CN" href="/s/440106005/notices/thn-notice-00">关于本机演示数据的说明</a>`} {
		if !strings.Contains(body, w) {
			t.Errorf("the English notices page lacks %q", w)
		}
	}
	// Content stays Chinese and says so, for screen readers.
	_, body = s.get(home+"notices/"+filesNotice, lang)
	for _, w := range []string{`<h1 lang="zh-CN">关于天河南一路停水范围的补充通知</h1>`, `<span aria-current="page" lang="zh-CN">`, `<p lang="zh-CN">停水范围见附件。</p>`, "<h2 id=\"att-h\">Attachments</h2>"} {
		if !strings.Contains(body, w) {
			t.Errorf("the English notice page lacks %q", w)
		}
	}
	if _, body := s.get(home); strings.Contains(body, "class=\"large\"") || !strings.Contains(body, `href="/s/440106005/?size=large">大字</a>`) {
		t.Errorf("the home page without a cookie is not in normal size with a 大字 link")
	}
	resp, _ = s.get(home + "?size=large")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != home {
		t.Fatalf("?size=large: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	size := resp.Cookies()[0]
	for _, path := range []string{home, home + "services/", "/"} {
		_, body := s.get(path, size)
		if !strings.Contains(body, `<html lang="zh-CN" class="large">`) || !strings.Contains(body, "?size=normal\">标准字号</a>") {
			t.Errorf("GET %s with the large-text cookie is not large", path)
		}
	}
}

// "Open now" is the provider's week hours at the district's time in
// Beijing, as the kiosk reads them; on a public holiday of the working-day
// calendar the page says so.
func TestProvidersOpenNow(t *testing.T) {
	s := newSite(t)
	list, err := items[data.Provider](t.Context(), New(s.p, nil), data.KindProvider, demoStreet)
	if err != nil {
		t.Fatal(err)
	}
	cst := time.FixedZone("CST", 8*3600)
	for _, at := range []time.Time{
		time.Date(2026, 12, 8, 10, 0, 0, 0, cst), // Tuesday morning
		time.Date(2026, 12, 8, 3, 0, 0, 0, cst),  // the small hours
		time.Date(2026, 12, 13, 20, 0, 0, 0, cst),
	} {
		s.clock.Set(at.UTC())
		byCat := map[string][]data.Provider{}
		for _, p := range list {
			byCat[p.Category] = append(byCat[p.Category], p)
		}
		_, all := s.get("/s/" + demoStreet + "/providers/")
		for cat, ps := range byCat {
			catOpen := 0
			for _, p := range ps {
				if p.Hours.OpenAt(at) {
					catOpen++
				}
			}
			if want := fmt.Sprintf("%s <span class=\"count\">营业中 %d/%d</span>", cat, catOpen, len(ps)); !strings.Contains(all, want) {
				t.Errorf("at %s the providers page lacks %q", at, want)
			}
			_, body := s.get("/s/" + demoStreet + "/providers/?category=" + url.QueryEscape(cat))
			if got := strings.Count(body, `<span class="tag open">营业中</span>`); got != catOpen {
				t.Errorf("at %s %s shows %d open, the hours say %d", at, cat, got, catOpen)
			}
			if got := strings.Count(body, `<span class="tag closed">休息中</span>`); got != len(ps)-catOpen {
				t.Errorf("at %s %s shows %d closed, the hours say %d", at, cat, got, len(ps)-catOpen)
			}
		}
	}
	s.clock.Set(time.Date(2026, 10, 2, 2, 0, 0, 0, time.UTC))
	if _, body := s.get("/s/" + demoStreet + "/providers/"); !strings.Contains(body, "今天是国庆节，营业时间可能调整") {
		t.Error("on 2026-10-02 the page does not name the holiday")
	}
	s.clock.Set(time.Date(2026, 2, 28, 2, 0, 0, 0, time.UTC))
	if _, body := s.get("/s/" + demoStreet + "/providers/"); !strings.Contains(body, "今天为调休工作日") {
		t.Error("on Saturday 2026-02-28, a make-up working day, the page does not say so")
	}
}

// Both languages have every key, and every key the pages use exists.
func TestTranslations(t *testing.T) {
	zh, en := translations[data.ZH], translations[data.EN]
	for k := range zh {
		if _, ok := en[k]; !ok {
			t.Errorf("en lacks %q", k)
		}
	}
	for k := range en {
		if _, ok := zh[k]; !ok {
			t.Errorf("zh-CN lacks %q", k)
		}
	}
	used := regexp.MustCompile(`(?:\.T |T\(|badRequest\(w, r, [a-z]+, |problem\(w, r, [a-z]+, [\w.]+, )"([a-z.]+)"`)
	err := fs.WalkDir(sourceFS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, "_test.go") || !(strings.HasSuffix(path, ".go") || strings.HasSuffix(path, ".html")) {
			return err
		}
		b, err := fs.ReadFile(sourceFS, path)
		for _, m := range used.FindAllStringSubmatch(string(b), -1) {
			if _, ok := zh[m[1]]; !ok {
				t.Errorf("%s uses %q, which has no translation", path, m[1])
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A list's pages keep the filter in their links, and only real pages are
// pages.
func TestPaginate(t *testing.T) {
	list := make([]int, 45)
	for i := range list {
		list[i] = i
	}
	r := httptest.NewRequest("GET", "/s/x/catalog/?topic=%E6%B0%91%E6%94%BF&page=2", nil)
	got, pg, ok := paginate(r, list)
	if !ok || len(got) != perPage || got[0] != perPage || pg.Page != 2 || pg.Pages != 3 {
		t.Fatalf("page 2 of 45: %v %+v %v", got, pg, ok)
	}
	if pg.Prev != "/s/x/catalog/?topic=%E6%B0%91%E6%94%BF" || pg.Next != "/s/x/catalog/?page=3&topic=%E6%B0%91%E6%94%BF" {
		t.Fatalf("links: %q %q", pg.Prev, pg.Next)
	}
	r = httptest.NewRequest("GET", "/l/?page=3", nil)
	if got, pg, ok := paginate(r, list); !ok || len(got) != 5 || pg.Next != "" {
		t.Fatalf("the last page: %v %+v %v", got, pg, ok)
	}
	for _, q := range []string{"4", "0", "-1", "1.5", "x", ""} {
		if _, _, ok := paginate(httptest.NewRequest("GET", "/l/?page="+q, nil), list); ok {
			t.Errorf("page %q was taken", q)
		}
	}
	if got, pg, ok := paginate(httptest.NewRequest("GET", "/l/", nil), []int{}); !ok || len(got) != 0 || pg.Pages != 1 {
		t.Fatalf("an empty list: %v %+v %v", got, pg, ok)
	}
}
