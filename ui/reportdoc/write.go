package reportdoc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strings"

	"codeberg.org/go-pdf/fpdf"
	"github.com/xuri/excelize/v2"
	"golang.org/x/image/font/gofont/goregular"

	"jiezhen/assets"
)

// Formats are the file formats a report is written in.
var Formats = []string{"json", "html", "xlsx", "pdf"}

// Write writes the report v (JSON) laid out as d in format.
func Write(w io.Writer, format string, v any, d *Doc) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	case "html":
		return WriteHTML(w, d)
	case "xlsx":
		return WriteXLSX(w, d)
	case "pdf":
		return WritePDF(w, d)
	}
	return fmt.Errorf("unknown format %q: one of %s", format, strings.Join(Formats, ", "))
}

var page = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body{font-family:'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#1a1a1a;line-height:1.6}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:2px solid #1f5fa8}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}th,td{border:1px solid #888;padding:.25rem .5rem}
td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#eef3fa}tbody th{text-align:left;font-weight:normal}
td.l1{padding-left:1.5rem}td.l2{padding-left:3rem}.note{color:#444;font-size:.9rem}
figure,.scroll{margin:1rem 0;overflow-x:auto}svg{max-width:100%;height:auto}
</style>
</head>
<body>
<main>
<h1>{{.Title}}</h1>
{{with .Subtitle}}<p class="note">{{.}}</p>{{end}}
{{range .Sections}}<section>
<h2>{{.Heading}}</h2>
{{range .Text}}<p>{{.}}</p>{{end}}
{{with .Table}}<div class="scroll" tabindex="0" role="region" aria-label="{{.Title}}"><table>
<caption class="note">{{.Title}}</caption>
<thead><tr>{{range .Head}}<th scope="col">{{.}}</th>{{end}}</tr></thead>
<tbody>{{$t := .}}{{range $i, $r := .Rows}}<tr>{{range $j, $c := $r}}{{if eq $j 0}}<th scope="row" class="l{{index $t.Indent $i}}">{{$c.S}}</th>{{else}}<td{{if $c.IsNum}} class="n"{{end}}>{{$c.S}}</td>{{end}}{{end}}</tr>
{{end}}</tbody>
</table></div>
{{with .Note}}<p class="note">{{.}}</p>{{end}}{{end}}
{{range .Charts}}<figure>{{.}}</figure>{{end}}
</section>
{{end}}</main>
</body>
</html>
`))

// WriteHTML writes a self-contained page: no script, no outside address,
// the charts inline SVG.
func WriteHTML(w io.Writer, d *Doc) error {
	for _, t := range d.Tables() {
		for len(t.Indent) < len(t.Rows) {
			t.Indent = append(t.Indent, 0)
		}
	}
	return page.Execute(w, d)
}

// WriteXLSX writes one sheet per table, numbers as numbers (shares as
// percentages), a title row above the head.
func WriteXLSX(w io.Writer, d *Doc) error {
	f := excelize.NewFile()
	defer f.Close()
	pctStyle, err := f.NewStyle(&excelize.Style{NumFmt: 10}) // 0.00%
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	for i, t := range d.Tables() {
		name := t.Sheet
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		set := func(col, row int, v any) error {
			ref, err := excelize.CoordinatesToCellName(col, row)
			if err != nil {
				return err
			}
			return f.SetCellValue(name, ref, v)
		}
		if err := set(1, 1, d.Title+" — "+t.Title); err != nil {
			return err
		}
		f.SetCellStyle(name, "A1", "A1", bold)
		for j, h := range t.Head {
			if err := set(j+1, 2, h); err != nil {
				return err
			}
		}
		for r, row := range t.Rows {
			for j, c := range row {
				var v any = c.S
				if c.IsNum {
					v = c.N
				}
				if j == 0 && r < len(t.Indent) && t.Indent[r] > 0 {
					v = strings.Repeat("  ", t.Indent[r]) + c.S
				}
				if err := set(j+1, r+3, v); err != nil {
					return err
				}
				if c.Pct {
					ref, _ := excelize.CoordinatesToCellName(j+1, r+3)
					f.SetCellStyle(name, ref, ref, pctStyle)
				}
			}
		}
		if t.Note != "" {
			if err := set(1, len(t.Rows)+4, t.Note); err != nil {
				return err
			}
		}
		f.SetColWidth(name, "A", "A", 40)
	}
	return f.Write(w)
}

// WritePDF writes an A4 document (landscape when a table has more than
// six columns): Chinese in the bundled CJK font (Droid Sans Fallback,
// assets/fonts, with its licence), which has no Latin letters or digits,
// so those are set in the Go font (golang.org/x/image/font/gofont), run
// by run. Charts are left to the HTML; the tables carry their figures.
func WritePDF(w io.Writer, d *Doc) error {
	orientation := "P"
	for _, t := range d.Tables() {
		if len(t.Head) > 6 {
			orientation = "L" // the annual table's eight columns
		}
	}
	pdf := fpdf.New(orientation, "mm", "A4", "")
	pdf.AddUTF8FontFromBytes(fontCJK, "", assets.FontPDF)
	pdf.AddUTF8FontFromBytes(fontLatin, "", goregular.TTF)
	pdf.SetMargins(15, 15, 15)
	pdf.SetAutoPageBreak(true, 15)
	pdf.AddPage()
	pageW, _ := pdf.GetPageSize()
	usable := pageW - 30
	t := &pdfText{pdf: pdf}
	t.para(d.Title, 16, 8, usable, "C")
	if d.Subtitle != "" {
		t.para(d.Subtitle, 9, 5, usable, "L")
	}
	for _, s := range d.Sections {
		pdf.Ln(3)
		t.para(s.Heading, 12, 7, usable, "L")
		for _, p := range s.Text {
			t.para(p, 9, 5, usable, "L")
		}
		tb := s.Table
		if tb == nil {
			continue
		}
		cols := len(tb.Head)
		first := usable * 0.4
		rest := (usable - first) / float64(max(cols-1, 1))
		width := func(j int) float64 {
			if j == 0 {
				return first
			}
			return rest
		}
		size := 9.0
		if cols > 6 {
			size = 8
		}
		row := func(cells []Cell, indent int, head bool) {
			t.room(6)
			x, y := pdf.GetXY()
			for j, c := range cells {
				align, text := "R", c.S
				if !c.IsNum || head {
					align = "L"
				}
				if head {
					align = "C"
				}
				if j == 0 && !head {
					text = strings.Repeat("  ", indent) + text
				}
				pdf.Rect(x, y, width(j), 6, "D")
				t.cell(x, y, width(j), 6, text, size, align)
				x += width(j)
			}
			pdf.SetXY(15, y+6)
		}
		head := make([]Cell, len(tb.Head))
		for j, h := range tb.Head {
			head[j] = Cell{S: h}
		}
		row(head, 0, true)
		for r, cells := range tb.Rows {
			indent := 0
			if r < len(tb.Indent) {
				indent = tb.Indent[r]
			}
			row(cells, indent, false)
		}
		if tb.Note != "" {
			t.para(tb.Note, 8, 5, usable, "L")
		}
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// The PDF's two fonts.
const (
	fontCJK   = "cjk"
	fontLatin = "latin"
)

// pdfText sets text in runs of the two fonts.
type pdfText struct {
	pdf *fpdf.Fpdf
}

// fontFor is the font a character is set in: the Go font below the CJK
// blocks, the CJK font from them on (CJK punctuation and full-width
// forms included).
func fontFor(r rune) string {
	if r < 0x2E80 {
		return fontLatin
	}
	return fontCJK
}

type textRun struct {
	font string
	s    string
}

func runsOf(s string) []textRun {
	var out []textRun
	for _, r := range s {
		f := fontFor(r)
		if n := len(out); n > 0 && out[n-1].font == f {
			out[n-1].s += string(r)
			continue
		}
		out = append(out, textRun{f, string(r)})
	}
	return out
}

func (t *pdfText) width(runs []textRun, size float64) float64 {
	w := 0.0
	for _, r := range runs {
		t.pdf.SetFont(r.font, "", size)
		w += t.pdf.GetStringWidth(r.s)
	}
	return w
}

// write sets runs from (x, y) on one line of height h.
func (t *pdfText) write(x, y, h float64, runs []textRun, size float64) {
	for _, r := range runs {
		t.pdf.SetFont(r.font, "", size)
		w := t.pdf.GetStringWidth(r.s)
		t.pdf.SetXY(x, y)
		t.pdf.CellFormat(w, h, r.s, "", 0, "L", false, 0, "")
		x += w
	}
}

// cell sets text in a cell of width w at (x, y), aligned, cut with an
// ellipsis when it does not fit.
func (t *pdfText) cell(x, y, w, h float64, text string, size float64, align string) {
	runs := runsOf(text)
	for r := []rune(text); len(r) > 1 && t.width(runs, size) > w-2; {
		r = r[:len(r)-1]
		runs = runsOf(string(r) + "…")
	}
	tw := t.width(runs, size)
	switch align {
	case "R":
		x += w - 1 - tw
	case "C":
		x += (w - tw) / 2
	default:
		x++
	}
	t.write(x, y, h, runs, size)
}

// room starts a new page unless h mm fit above the bottom margin.
func (t *pdfText) room(h float64) {
	if _, ph := t.pdf.GetPageSize(); t.pdf.GetY()+h > ph-15 {
		t.pdf.AddPage()
	}
}

// para sets a paragraph over lines of height h within width w, breaking
// where a line is full (between any two characters, as Chinese is set).
func (t *pdfText) para(text string, size, h, w float64, align string) {
	var line []rune
	lineW := 0.0
	flush := func() {
		t.room(h)
		y := t.pdf.GetY()
		t.cell(15-1, y, w+2, h, string(line), size, align)
		t.pdf.SetXY(15, y+h)
		line, lineW = line[:0], 0
	}
	for _, r := range text {
		if r == '\n' {
			flush()
			continue
		}
		t.pdf.SetFont(fontFor(r), "", size)
		cw := t.pdf.GetStringWidth(string(r))
		if lineW+cw > w-2 && len(line) > 0 {
			flush()
		}
		line = append(line, r)
		lineW += cw
	}
	if len(line) > 0 {
		flush()
	}
}
