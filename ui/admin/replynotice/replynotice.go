// Package replynotice makes the 政府信息公开申请答复告知书, the formal
// answer to a disclosure request (依申请公开), as a document the back
// office shows as a printable page and writes as a PDF (docs/ADMIN.md,
// "Cases").
package replynotice

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"codeberg.org/go-pdf/fpdf"

	"jiezhen/assets"
	"jiezhen/data"
)

// Title is the 告知书's title.
const Title = "政府信息公开申请答复告知书"

// Request is what a 告知书 is made from.
type Request struct {
	Organ     string // who answers: 天河南街道办事处
	District  string // the district of the organ: 天河区
	Ref       string // the request's reference
	Applicant string
	Received  data.Date // when the organ received the request
	Summary   string    // what information was asked for
	Type      data.ReplyType
	Reply     string    // the handler's reply text
	Replied   data.Date // the date of the answer
	// Extended is the day the time limit was extended, zero if it was not;
	// Deadline is the answer's time limit.
	Extended data.Date
	Deadline data.Date
}

// Doc is a 告知书 laid out in paragraphs, for the page and the PDF alike.
type Doc struct {
	Organ      string
	Title      string
	Number     string // the 文号
	Salutation string
	Paragraphs []string
	Basis      string
	Remedy     string
	Seal       string
	Date       string
}

// OrganOf names the organ that answers for a street: 天河南街道 answers as
// 天河南街道办事处.
func OrganOf(s data.Street) string {
	if strings.HasSuffix(s.Name, "街道") {
		return s.Name + "办事处"
	}
	return s.Name
}

// summaryMax is how many characters of the request's text the 告知书
// quotes.
const summaryMax = 120

// Build lays a 告知书 out; it refuses a request without what the document
// must state.
func Build(r Request) (Doc, error) {
	w, ok := WordingOf(r.Type)
	switch {
	case !ok:
		return Doc{}, fmt.Errorf("no 告知书 wording for reply type %q", r.Type)
	case strings.TrimSpace(r.Organ) == "":
		return Doc{}, errors.New("the 告知书 needs the organ that answers")
	case strings.TrimSpace(r.Applicant) == "":
		return Doc{}, errors.New("the 告知书 needs the applicant's name")
	case r.Received.IsZero() || r.Replied.IsZero():
		return Doc{}, errors.New("the 告知书 needs the dates of the request and of the answer")
	}
	summary := []rune(strings.Join(strings.Fields(r.Summary), " "))
	if len(summary) > summaryMax {
		summary = append(summary[:summaryMax], '…')
	}
	d := Doc{
		Organ:      r.Organ,
		Title:      Title,
		Number:     fmt.Sprintf("%s依申请公开告〔%d〕%s号", strings.TrimSuffix(r.Organ, "办事处"), r.Replied.Year, r.Ref),
		Salutation: r.Applicant + "：",
		Basis:      "依据：" + w.Basis + "。",
		Seal:       r.Organ + "（印章）",
		Date:       r.Replied.Chinese(),
	}
	d.Paragraphs = append(d.Paragraphs, fmt.Sprintf("本机关于%s收到您提出的政府信息公开申请（申请编号：%s），您申请获取的政府信息为：“%s”。",
		r.Received.Chinese(), r.Ref, string(summary)))
	if !r.Extended.IsZero() {
		d.Paragraphs = append(d.Paragraphs, fmt.Sprintf("因需要延长答复期限，本机关已于%s告知您延期答复，延长后的答复期限至%s。",
			r.Extended.Chinese(), r.Deadline.Chinese()))
	}
	d.Paragraphs = append(d.Paragraphs, "经审查，现答复如下："+w.Decision)
	if t := strings.TrimSpace(r.Reply); t != "" {
		d.Paragraphs = append(d.Paragraphs, t)
	}
	reviewer := "上一级行政机关"
	if r.District != "" {
		reviewer = r.District + "人民政府"
	}
	d.Remedy = fmt.Sprintf("如对本答复不服，可以自收到本告知书之日起六十日内向%s申请行政复议，或者自收到本告知书之日起六个月内依法向人民法院提起行政诉讼。", reviewer)
	return d, nil
}

// noLineStart are the punctuation marks a Chinese line does not start
// with (行首禁则): they stay at the end of the line before.
const noLineStart = "，。、；：？！）》」』”’…％"

// wrap breaks text into lines no wider than width, measured by
// widthOf: between any two Chinese characters, and around a run of Latin
// (a number, a reference), which stays whole. fpdf's MultiCell drops the
// character it breaks a line of Chinese at, so the 告知书 breaks its lines
// itself.
func wrap(widthOf func(string) float64, text string, width float64) []string {
	var tokens []string
	for _, run := range runs(text) {
		if r, _ := utf8.DecodeRuneInString(run); isLatin(r) {
			tokens = append(tokens, run)
			continue
		}
		for _, r := range run {
			tokens = append(tokens, string(r))
		}
	}
	var lines []string
	line := ""
	for _, tok := range tokens {
		if line != "" && widthOf(line+tok) > width && !strings.Contains(noLineStart, tok) {
			lines = append(lines, line)
			line = ""
		}
		line += tok
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

// PDF writes the 告知书 as an A4 PDF: Chinese in the bundled CJK font
// (assets.FontPDF), digits, Latin letters and
// Western punctuation, which that font lacks, in the PDF's core Helvetica.
// created is the document's creation time.
func PDF(d Doc, created time.Time) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(created)
	pdf.SetModificationDate(created)
	pdf.SetTitle(d.Title, true)
	pdf.SetAuthor(d.Organ, true)
	pdf.AddUTF8FontFromBytes("cjk", "", assets.FontPDF)
	pdf.SetMargins(28, 30, 26)
	pdf.SetAutoPageBreak(true, 28)
	pdf.AddPage()
	w := &writer{pdf: pdf, latin: pdf.UnicodeTranslatorFromDescriptor("")}
	width, _ := pdf.GetPageSize()
	left, _, right, _ := pdf.GetMargins()
	text := width - left - right

	w.size = 14
	w.line(d.Organ, 9, "C", text)
	w.size = 20
	w.line(d.Title, 14, "C", text)
	w.size = 11
	w.line(d.Number, 8, "C", text)
	pdf.Ln(4)
	w.size = 12
	lh := 6.6 // mm: about 1.6 lines of 12 pt
	w.line(d.Salutation, lh, "L", text)
	indent := "　　" // two full-width spaces, as Chinese paragraphs start
	for _, p := range append(append([]string{}, d.Paragraphs...), d.Basis, d.Remedy) {
		for _, line := range wrap(w.width, indent+p, text) {
			w.line(line, lh, "L", text)
		}
		pdf.Ln(1.5)
	}
	pdf.Ln(12)
	w.line(d.Seal, lh, "R", text)
	w.line(d.Date, lh, "R", text)
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		return nil, fmt.Errorf("write the 告知书: %w", err)
	}
	return b.Bytes(), nil
}

// writer writes lines of mixed Chinese and Latin text in one size.
type writer struct {
	pdf   *fpdf.Fpdf
	latin func(string) string // UTF-8 to the core font's code page
	size  float64
}

// isLatin: the rune is drawn in Helvetica, not the CJK font.
func isLatin(r rune) bool { return r < 0x2E80 }

// runs splits s into runs of Latin and of other characters.
func runs(s string) (out []string) {
	var cur []rune
	for _, r := range s {
		if len(cur) > 0 && isLatin(cur[0]) != isLatin(r) {
			out = append(out, string(cur))
			cur = cur[:0]
		}
		cur = append(cur, r)
	}
	if len(cur) > 0 {
		out = append(out, string(cur))
	}
	return out
}

func (w *writer) font(run string) string {
	r, _ := utf8.DecodeRuneInString(run)
	if isLatin(r) {
		w.pdf.SetFont("Helvetica", "", w.size)
		return w.latin(run)
	}
	w.pdf.SetFont("cjk", "", w.size)
	return run
}

// width is s's width in mm.
func (w *writer) width(s string) float64 {
	total := 0.0
	for _, run := range runs(s) {
		total += w.pdf.GetStringWidth(w.font(run))
	}
	return total
}

// line writes s as one line of height h, aligned "L", "C" or "R" within
// width from the left margin.
func (w *writer) line(s string, h float64, align string, width float64) {
	left, _, _, _ := w.pdf.GetMargins()
	x := left
	switch align {
	case "C":
		x += (width - w.width(s)) / 2
	case "R":
		x += width - w.width(s)
	}
	w.pdf.SetX(x)
	for _, run := range runs(s) {
		t := w.font(run)
		w.pdf.CellFormat(w.pdf.GetStringWidth(t), h, t, "", 0, "L", false, 0, "")
	}
	w.pdf.Ln(h)
}
