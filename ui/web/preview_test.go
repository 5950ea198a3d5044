package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"jiezhen/data"
)

// Preview shows an unpublished item through the website's own page
// templates, its files linked under the base given; the website itself
// still has no page for it.
func TestPreviewUnpublished(t *testing.T) {
	s := newSite(t)
	n := data.Notice{ID: "n-draft", Street: demoStreet, Title: "尚未发布的通知", Category: "公告", Publisher: "天河南街道办事处",
		Published: data.MustDate("2026-12-08"), Body: "第一段。\n第二段。",
		Attachments: []data.Attachment{{Name: "附件一", File: s.pdf.Path, SHA256: s.pdf.SHA256, Size: s.pdf.Size, Type: s.pdf.Type}}}
	body, _ := json.Marshal(n)
	tests := []struct {
		kind data.Kind
		body any
		want []string
	}{
		{data.KindNotice, n, []string{"<h1 lang=\"zh-CN\">尚未发布的通知</h1>", "<p lang=\"zh-CN\">第二段。</p>",
			`href="/admin/content/drafts/7/files/` + strings.TrimPrefix(s.pdf.Path, "files/") + `"`, "天河南街道"}},
		{data.KindProvider, data.Provider{ID: "p-draft", Street: demoStreet, Name: "新开的长者饭堂", Kind: data.ProviderOrganisation,
			Category: "长者饭堂", Address: "天河南一路1号"}, []string{"新开的长者饭堂", "长者饭堂"}},
		{data.KindConsultation, data.Consultation{ID: "k-draft", Title: "征求意见稿", Publisher: "街道办", Draft: "草案正文",
			Opens: data.MustDate("2026-12-01"), Closes: data.MustDate("2026-12-31"), Topics: []data.Topic{{ID: "t1", Title: "第一条"}}},
			[]string{"征求意见稿", "第一条"}},
	}
	for _, tt := range tests {
		b, _ := json.Marshal(tt.body)
		if tt.kind == data.KindNotice {
			b = body
		}
		w := httptest.NewRecorder()
		s.web.Preview(w, httptest.NewRequest("GET", "/admin/content/drafts/7/preview", nil), tt.kind, b, "/admin/content/drafts/7/")
		if w.Code != http.StatusOK {
			t.Fatalf("%s preview: %d", tt.kind, w.Code)
		}
		for _, want := range tt.want {
			if !strings.Contains(w.Body.String(), want) {
				t.Errorf("%s preview lacks %q", tt.kind, want)
			}
		}
	}
	if resp, _ := s.get("/s/" + demoStreet + "/notices/n-draft"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("the website shows the unpublished notice: %d", resp.StatusCode)
	}
	w := httptest.NewRecorder()
	s.web.Preview(w, httptest.NewRequest("GET", "/x", nil), data.KindCalendar, []byte(`{"year":2027}`), "/x/")
	if w.Code != http.StatusNotFound || Previewable(data.KindCalendar) {
		t.Fatalf("calendar preview: %d", w.Code)
	}
}
