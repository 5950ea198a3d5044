package reportdoc

import (
	"fmt"
	"strings"

	"jiezhen/data"
	"jiezhen/data/report"
)

// AnnualTopic is the catalogue's 主题分类 of the annual report.
const AnnualTopic = "政府信息公开年报"

// AnnualEntry is the annual report as a draft catalogue entry (主题分类
// 政府信息公开年报), dated the day it was made, in a content set that
// `districtd publish` takes: the district reviews the file, then
// publishes it, and the entry reaches kiosks and the website like any
// other. Its body is the report as text (Text).
func AnnualEntry(a report.Annual, d *Doc, text *report.AnnualText) *data.ContentSet {
	scope := a.Street
	if scope == "" {
		scope = "district"
	}
	today := report.DayOf(a.Generated).Date()
	e := data.CatalogEntry{
		ID:         fmt.Sprintf("annual-report-%d-%s", a.Year, scope),
		Street:     a.Street,
		IndexNo:    fmt.Sprintf("%s/%d-年报", scope, a.Year),
		Title:      d.Title,
		Publisher:  a.Organ,
		Topic:      AnnualTopic,
		Written:    today,
		Published:  today,
		Validity:   data.ValidityInForce,
		Keywords:   []string{"政府信息公开", "年度报告"},
		Summary:    summary(a.Overview),
		Disclosure: "主动公开",
		Timeframe:  "常年公开",
		Body:       Text(d),
	}
	if text != nil {
		if text.IndexNo != "" {
			e.IndexNo = text.IndexNo
		}
		e.DocNo = text.DocNo
	}
	return &data.ContentSet{Catalog: []data.CatalogEntry{e}}
}

// summary is the overview's first sentence.
func summary(s string) string {
	if i := strings.Index(s, "。"); i >= 0 {
		return s[:i+len("。")]
	}
	return s
}

// Text is the doc as plain text: headings, paragraphs, and each table's
// rows as the label followed by its figures.
func Text(d *Doc) string {
	var b strings.Builder
	b.WriteString(d.Title + "\n")
	if d.Subtitle != "" {
		b.WriteString(d.Subtitle + "\n")
	}
	for _, s := range d.Sections {
		b.WriteString("\n" + s.Heading + "\n")
		for _, p := range s.Text {
			b.WriteString(p + "\n")
		}
		if t := s.Table; t != nil {
			b.WriteString(strings.Join(t.Head, " | ") + "\n")
			for _, row := range t.Rows {
				cells := make([]string, len(row))
				for i, c := range row {
					cells[i] = c.S
				}
				b.WriteString(strings.Join(cells, " | ") + "\n")
			}
			if t.Note != "" {
				b.WriteString(t.Note + "\n")
			}
		}
	}
	return b.String()
}
