// Package reportdoc renders the district's reports (data/report) as
// files: HTML pages with SVG charts drawn on the server, XLSX workbooks
// with one sheet per table and PDFs with Chinese text. It has no Fyne and
// no JavaScript; districtd's report command, and any page that shows a
// report, use it.
package reportdoc

import (
	"fmt"
	"html/template"
	"math"
	"strings"

	"jiezhen/data"
	"jiezhen/data/report"
)

// The charts are SVG written here rather than by a chart library: four
// plain shapes (stacked bars, a line, horizontal bars) need no layout
// engine, the text stays text in the system's CJK fonts (fontStack)
// instead of glyphs measured with a bundled Latin font, and every chart
// carries its figures as a <title> and a table beside it (docs/REPORTS.md).

// fontStack is the CSS font family of chart text: the system's CJK fonts.
const fontStack = `'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei','WenQuanYi Micro Hei',sans-serif`

// palette colours series; each passes 3:1 against white.
var palette = []string{"#1f5fa8", "#c0392b", "#2e7d32", "#8e44ad", "#b9770e", "#00838f", "#6d4c41", "#455a64"}

type svg struct {
	b    strings.Builder
	w, h int
}

func newSVG(w, h int, title string) *svg {
	s := &svg{w: w, h: h}
	fmt.Fprintf(&s.b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s" font-family="%s" font-size="12">`,
		w, h, w, h, template.HTMLEscapeString(title), fontStack)
	fmt.Fprintf(&s.b, `<title>%s</title>`, template.HTMLEscapeString(title))
	return s
}

func (s *svg) text(x, y float64, anchor, fill, text string) {
	fmt.Fprintf(&s.b, `<text x="%.1f" y="%.1f" text-anchor="%s" fill="%s">%s</text>`, x, y, anchor, fill, template.HTMLEscapeString(text))
}

func (s *svg) rect(x, y, w, h float64, fill, title string) {
	fmt.Fprintf(&s.b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s</title></rect>`, x, y, w, h, fill, template.HTMLEscapeString(title))
}

func (s *svg) line(x1, y1, x2, y2 float64, stroke string) {
	fmt.Fprintf(&s.b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s"/>`, x1, y1, x2, y2, stroke)
}

func (s *svg) done() template.HTML {
	s.b.WriteString("</svg>")
	return template.HTML(s.b.String())
}

// niceMax rounds a chart's top up to 1, 2 or 5 times a power of ten.
func niceMax(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// CasesByType is stacked bars: the cases received each month, by type.
func CasesByType(h []report.MonthPoint, l data.Lang) template.HTML {
	title := pickL(l, "各月受理办件（按类型）", "Cases received per month, by type")
	const W, H, left, top, bottom, legend = 720, 300, 48, 20, 40, 150
	s := newSVG(W, H, title)
	types := report.Types()
	top1 := 0.0
	for _, p := range h {
		sum := 0
		for _, n := range p.ByType {
			sum += n
		}
		top1 = max(top1, float64(sum))
	}
	top1 = niceMax(top1)
	plotW, plotH := float64(W-left-legend), float64(H-top-bottom)
	for i := 0; i <= 4; i++ {
		y := float64(top) + plotH*float64(4-i)/4
		s.line(left, y, float64(left)+plotW, y, "#ddd")
		s.text(left-6, y+4, "end", "#333", fmt.Sprint(int(top1*float64(i)/4)))
	}
	bw := plotW / float64(max(len(h), 1))
	for i, p := range h {
		x := float64(left) + float64(i)*bw + bw*0.15
		y := float64(top) + plotH
		for ti, n := range p.ByType {
			if n == 0 {
				continue
			}
			hh := plotH * float64(n) / top1
			y -= hh
			s.rect(x, y, bw*0.7, hh, palette[ti%len(palette)], fmt.Sprintf("%s %s: %d", p.Month, report.TypeLabel(types[ti], l), n))
		}
		s.text(x+bw*0.35, float64(H-bottom+16), "middle", "#333", p.Month[2:])
	}
	for ti, t := range types {
		y := float64(top + 18*ti)
		s.rect(float64(W-legend+10), y, 12, 12, palette[ti%len(palette)], report.TypeLabel(t, l))
		s.text(float64(W-legend+28), y+11, "start", "#333", report.TypeLabel(t, l))
	}
	return s.done()
}

// OnTimeRate is a line: the on-time rate of each month, with gaps where
// no case with a deadline was done.
func OnTimeRate(h []report.MonthPoint, l data.Lang) template.HTML {
	title := pickL(l, "近12个月按期办结率", "On-time rate over the last 12 months")
	return rateLine(h, func(p report.MonthPoint) report.Ratio { return p.OnTime }, title, palette[0])
}

// SatisfactionRate is a line of the monthly satisfaction rate.
func SatisfactionRate(h []report.MonthPoint, l data.Lang) template.HTML {
	title := pickL(l, "近12个月满意率", "Satisfaction over the last 12 months")
	return rateLine(h, func(p report.MonthPoint) report.Ratio { return p.Satisfaction }, title, palette[2])
}

func rateLine(h []report.MonthPoint, of func(report.MonthPoint) report.Ratio, title, colour string) template.HTML {
	const W, H, left, top, bottom, right = 720, 260, 48, 20, 40, 20
	s := newSVG(W, H, title)
	plotW, plotH := float64(W-left-right), float64(H-top-bottom)
	for i := 0; i <= 4; i++ {
		y := float64(top) + plotH*float64(4-i)/4
		s.line(left, y, float64(left)+plotW, y, "#ddd")
		s.text(left-6, y+4, "end", "#333", fmt.Sprintf("%d%%", 25*i))
	}
	step := plotW / float64(max(len(h), 1))
	var path []string
	for i, p := range h {
		x := float64(left) + step*(float64(i)+0.5)
		s.text(x, float64(H-bottom+16), "middle", "#333", p.Month[2:])
		v, ok := of(p).Value()
		if !ok {
			path = append(path, "")
			continue
		}
		y := float64(top) + plotH*(1-v)
		path = append(path, fmt.Sprintf("%.1f,%.1f", x, y))
		fmt.Fprintf(&s.b, `<circle cx="%.1f" cy="%.1f" r="4" fill="%s"><title>%s: %s</title></circle>`, x, y, colour, p.Month, of(p).Percent())
	}
	for _, seg := range strings.Split(strings.Join(path, " "), "  ") {
		if seg = strings.TrimSpace(seg); strings.Contains(seg, " ") {
			fmt.Fprintf(&s.b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"/>`, seg, colour)
		}
	}
	return s.done()
}

// hbars is horizontal bars with their values written beside them.
func hbars(title string, labels []string, values []float64, texts []string, maxV float64) template.HTML {
	const W, left, row = 720, 170, 28
	H := 20 + row*len(labels)
	s := newSVG(W, H, title)
	plotW := float64(W - left - 90)
	for i, lab := range labels {
		y := float64(10 + row*i)
		s.text(left-8, y+16, "end", "#333", lab)
		w := 0.0
		if maxV > 0 {
			w = plotW * values[i] / maxV
		}
		s.rect(left, y+2, max(w, 1), row-8, palette[i%len(palette)], lab+": "+texts[i])
		s.text(left+max(w, 1)+6, y+16, "start", "#333", texts[i])
	}
	return s.done()
}

// Ratings is the month's 好差评 by level.
func Ratings(c report.CaseFigures, l data.Lang) template.HTML {
	var labels, texts []string
	var values []float64
	top := 0.0
	for r := data.RatingVerySatisfied; r >= data.RatingVeryUnsatisfied; r-- {
		n := c.Ratings[r-1]
		labels = append(labels, r.Label(l))
		values = append(values, float64(n))
		texts = append(texts, fmt.Sprint(n))
		top = max(top, float64(n))
	}
	title := pickL(l, "好差评分布，满意率 ", "Ratings, satisfaction ") + c.Satisfaction.Percent()
	return hbars(title, labels, values, texts, top)
}

// Ranking is the quarterly review's scores, in rank order.
func Ranking(q report.Quarterly, l data.Lang) template.HTML {
	var labels, texts []string
	var values []float64
	for _, s := range q.Streets {
		labels = append(labels, fmt.Sprintf("%d. %s", s.Rank, s.Name))
		values = append(values, s.Score)
		texts = append(texts, fmt.Sprintf("%.2f", s.Score))
	}
	return hbars(pickL(l, q.Quarter+" 街道评议得分排名", q.Quarter+" street ranking by score"), labels, values, texts, 100)
}

// StreetsOnTime is the district month's on-time rate per street.
func StreetsOnTime(m report.Monthly, l data.Lang) template.HTML {
	var labels, texts []string
	var values []float64
	for _, s := range m.Streets {
		v, _ := s.OnTime.Value()
		labels = append(labels, s.Name)
		values = append(values, 100*v)
		texts = append(texts, s.OnTime.Percent())
	}
	return hbars(pickL(l, "各街道按期办结率", "On-time rate by street"), labels, values, texts, 100)
}

func pickL(l data.Lang, zh, en string) string {
	if l == data.EN {
		return en
	}
	return zh
}

// ReceivedPerMonth is bars of the cases a street received in each of its
// last 12 months (data.StreetFigures.Months), for residents.
func ReceivedPerMonth(f data.StreetFigures, l data.Lang) template.HTML {
	title := pickL(l, "近12个月每月受理办件数", "Cases received in each of the last 12 months")
	const W, H, left, top, bottom = 640, 240, 40, 20, 36
	s := newSVG(W, H, title)
	top1 := 0.0
	for _, m := range f.Months {
		top1 = max(top1, float64(m.Received))
	}
	top1 = niceMax(top1)
	plotW, plotH := float64(W-left-10), float64(H-top-bottom)
	for i := 0; i <= 2; i++ {
		y := float64(top) + plotH*float64(2-i)/2
		s.line(left, y, float64(left)+plotW, y, "#ddd")
		s.text(left-6, y+4, "end", "#333", fmt.Sprint(int(top1*float64(i)/2)))
	}
	bw := plotW / float64(max(len(f.Months), 1))
	for i, m := range f.Months {
		x := float64(left) + float64(i)*bw + bw*0.15
		hh := plotH * float64(m.Received) / top1
		s.rect(x, float64(top)+plotH-hh, bw*0.7, hh, palette[0], fmt.Sprintf("%s: %d", m.Month, m.Received))
		s.text(x+bw*0.35, float64(H-bottom+16), "middle", "#333", m.Month[5:])
	}
	return s.done()
}
