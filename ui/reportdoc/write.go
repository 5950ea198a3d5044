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

// WritePDF writes an A4 document in the bundled CJK font (Droid Sans
// Fallback, assets/fonts, with its licence); charts are left to the
// HTML, the tables carry their figures.
func WritePDF(w io.Writer, d *Doc) error {
	orientation := "P"
	for _, t := range d.Tables() {
		if len(t.Head) > 6 {
			orientation = "L" // the annual table's eight columns
		}
	}
	pdf := fpdf.New(orientation, "mm", "A4", "")
	pdf.AddUTF8FontFromBytes("cjk", "", assets.FontCJK)
	pdf.SetMargins(15, 15, 15)
	pdf.SetAutoPageBreak(true, 15)
	pdf.AddPage()
	pdf.SetFont("cjk", "", 16)
	pdf.MultiCell(0, 8, d.Title, "", "C", false)
	pdf.SetFont("cjk", "", 9)
	if d.Subtitle != "" {
		pdf.MultiCell(0, 5, d.Subtitle, "", "L", false)
	}
	pageW, _ := pdf.GetPageSize()
	usable := pageW - 30
	for _, s := range d.Sections {
		pdf.Ln(3)
		pdf.SetFont("cjk", "", 12)
		pdf.MultiCell(0, 7, s.Heading, "", "L", false)
		pdf.SetFont("cjk", "", 9)
		for _, p := range s.Text {
			pdf.MultiCell(0, 5, p, "", "L", false)
		}
		if t := s.Table; t != nil {
			cols := len(t.Head)
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
			pdf.SetFont("cjk", "", size)
			for j, h := range t.Head {
				pdf.CellFormat(width(j), 6, fit(pdf, h, width(j)), "1", 0, "C", false, 0, "")
			}
			pdf.Ln(-1)
			for r, row := range t.Rows {
				for j, c := range row {
					align, text := "R", c.S
					if !c.IsNum {
						align = "L"
					}
					if j == 0 && r < len(t.Indent) {
						text = strings.Repeat("  ", t.Indent[r]) + text
					}
					pdf.CellFormat(width(j), 6, fit(pdf, text, width(j)), "1", 0, align, false, 0, "")
				}
				pdf.Ln(-1)
			}
			pdf.SetFont("cjk", "", 8)
			if t.Note != "" {
				pdf.MultiCell(0, 5, t.Note, "", "L", false)
			}
		}
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// fit shortens text that does not fit a cell, with an ellipsis.
func fit(pdf *fpdf.Fpdf, s string, w float64) string {
	if pdf.GetStringWidth(s) <= w-2 {
		return s
	}
	r := []rune(s)
	for len(r) > 1 && pdf.GetStringWidth(string(r)+"…") > w-2 {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}
