package replynotice

import (
	"strings"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/ui/admin/replynotice/pdftext"
)

func TestEveryReplyTypeHasWording(t *testing.T) {
	for _, rt := range data.ReplyTypes {
		w, ok := WordingOf(rt)
		if !ok || w.Decision == "" || !strings.Contains(w.Basis, "第三十六条") {
			t.Errorf("reply type %s: %+v", rt, w)
		}
	}
}

// The PDF holds the applicant, the reference, the legal basis of the
// reply type, the dates and the remedy, as text a reader can copy.
func TestPDFText(t *testing.T) {
	r := Request{Organ: "天河南街道办事处", District: "天河区", Ref: "000-135-01T", Applicant: "王五",
		Received: data.MustDate("2026-11-25"), Summary: "2025年老旧小区改造资金使用情况", Type: data.ReplyNotExist,
		Reply: "经检索本机关档案，未制作该信息。", Replied: data.MustDate("2026-12-30"),
		Extended: data.MustDate("2026-12-20"), Deadline: data.MustDate("2027-01-20")}
	d, err := Build(r)
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := PDF(d, time.Date(2026, 12, 30, 2, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Fatalf("not a PDF: %q", pdf[:20])
	}
	text := pdftext.Text(t, pdf)
	for _, want := range []string{Title, "天河南街道办事处", "王五：", "000-135-01T", "2026年11月25日", "老旧小区改造资金",
		"第三十六条第（四）项", "该政府信息不存在", "未制作该信息", "2027年1月20日", "天河区人民政府申请行政复议", "六个月内",
		"（印章）", "2026年12月30日"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q:\n%s", want, text)
		}
	}

	r.Type = "maybe"
	if _, err := Build(r); err == nil {
		t.Fatal("a 告知书 for an unknown reply type")
	}
	r.Type, r.Applicant = data.ReplyDisclosed, " "
	if _, err := Build(r); err == nil {
		t.Fatal("a 告知书 without the applicant")
	}
}
