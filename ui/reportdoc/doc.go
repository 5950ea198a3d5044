package reportdoc

import (
	"fmt"
	"html/template"
	"strconv"

	"jiezhen/data"
	"jiezhen/data/report"
)

// Cell is one cell of a table: a number (IsNum; a share when Pct, kept
// from 0 to 1) or text.
type Cell struct {
	S     string
	N     float64
	IsNum bool
	Pct   bool
}

func txt(s string) Cell { return Cell{S: s} }
func num(n int) Cell    { return Cell{N: float64(n), IsNum: true, S: strconv.Itoa(n)} }
func dec(x float64) Cell {
	return Cell{N: x, IsNum: true, S: strconv.FormatFloat(x, 'f', 2, 64)}
}

// pct is a ratio's value as a share, or "—" (text) with no cases.
func pct(r report.Ratio) Cell {
	v, ok := r.Value()
	if !ok {
		return txt("—")
	}
	return Cell{N: v, IsNum: true, Pct: true, S: r.Percent()}
}

// Table is one table of a report; it is one sheet of the workbook.
type Table struct {
	Sheet string // the sheet's name (at most 31 characters)
	Title string
	Head  []string
	Rows  [][]Cell
	// Indent[i] is row i's first cell's level, for the annual table.
	Indent []int
	Note   string
}

// Section is a heading with text, a table, a chart, or several.
type Section struct {
	Heading string
	Text    []string
	Table   *Table
	Charts  []template.HTML
}

// Doc is a report laid out for any format.
type Doc struct {
	Title    string
	Subtitle string
	Sections []Section
}

// Tables lists the doc's tables in order.
func (d *Doc) Tables() []*Table {
	var out []*Table
	for _, s := range d.Sections {
		if s.Table != nil {
			out = append(out, s.Table)
		}
	}
	return out
}

func scopeName(name, street string) string {
	if street == "" {
		return name + "（全区）"
	}
	return name
}

// MonthlyDoc lays out the monthly statistics.
func MonthlyDoc(m report.Monthly) *Doc {
	l := data.ZH
	d := &Doc{Title: fmt.Sprintf("%s %s 月度统计", scopeName(m.Name, m.Street), m.Month),
		Subtitle: fmt.Sprintf("统计期间 %s 至 %s（北京时间），统计截至 %s；本月工作日 %d 天。", m.From, m.To, m.AsOf, m.WorkingDay)}
	c := m.Cases
	main := &Table{Sheet: "办件概况", Title: "一、办件概况", Head: []string{"指标", "数值"}, Rows: [][]Cell{
		{txt("受理办件数"), num(c.Received)}, {txt("办结数"), num(c.Completed)},
		{txt("有期限的办结数"), num(c.OnTime.Den)}, {txt("按期办结数"), num(c.OnTime.Num)}, {txt("按期办结率"), pct(c.OnTime)},
		{txt("月末（或今日）超期未办结"), num(c.OverdueNow)}, {txt("本月内曾超期"), num(c.OverdueDuring)},
		{txt("办结用时中位数（工作日）"), num(c.MedianDays)}, {txt("办结用时第90百分位（工作日）"), num(c.P90Days)},
		{txt("补正"), num(c.Corrections)}, {txt("延期"), num(c.Extensions)}, {txt("合并（重复件）"), num(c.Merged)},
		{txt("督办"), num(m.Supervision)},
	}}
	byType := &Table{Sheet: "按类型和渠道", Title: "二、受理办件（按类型和渠道）", Head: []string{"类型"}}
	for _, ch := range report.Channels {
		byType.Head = append(byType.Head, report.ChannelLabel(ch, l))
	}
	byType.Head = append(byType.Head, "合计")
	for i, t := range report.Types() {
		row := []Cell{txt(report.TypeLabel(t, l))}
		for _, n := range c.ByTypeChannel[i] {
			row = append(row, num(n))
		}
		byType.Rows = append(byType.Rows, append(row, num(c.ByType[i])))
	}
	total := []Cell{txt("合计")}
	for _, n := range c.ByChannel {
		total = append(total, num(n))
	}
	byType.Rows = append(byType.Rows, append(total, num(c.Received)))
	ratings := &Table{Sheet: "好差评", Title: "三、好差评", Head: []string{"评价", "数量"}}
	for r := data.RatingVerySatisfied; r >= data.RatingVeryUnsatisfied; r-- {
		ratings.Rows = append(ratings.Rows, []Cell{txt(r.Label(l)), num(c.Ratings[r-1])})
	}
	ratings.Rows = append(ratings.Rows, []Cell{txt("其中默认基本满意"), num(c.RatingsDefault)},
		[]Cell{txt("评价总数"), num(c.Satisfaction.Den)}, []Cell{txt("满意率"), pct(c.Satisfaction)})
	content := &Table{Sheet: "内容发布", Title: "四、内容发布", Head: []string{"类别", "发布", "更新", "撤下"}}
	for _, r := range m.Content {
		content.Rows = append(content.Rows, []Cell{txt(r.Label), num(r.Published), num(r.Updated), num(r.Withdrawn)})
	}
	content.Rows = append(content.Rows, []Cell{txt("在用办事指南"), num(m.Guides), txt(""), txt("")},
		[]Cell{txt("一年以上未审核的办事指南"), num(m.GuidesStale), txt(""), txt("")},
		[]Cell{txt("过期仍在显示的通知公告"), num(m.NoticesExpired), txt(""), txt("")})
	opinions := &Table{Sheet: "意见与终端", Title: "五、民意征集与终端在线", Head: []string{"项目", "数值", "天数", "比例"}, Rows: [][]Cell{
		{txt("收到意见"), num(m.OpinionsReceived), txt(""), txt("")},
		{txt("已反馈意见"), num(m.OpinionsAnswered), txt(""), txt("")},
	}}
	for _, k := range m.Kiosks {
		opinions.Rows = append(opinions.Rows, []Cell{txt(fmt.Sprintf("终端 %d %s", k.ID, k.Name)), num(k.Synced.Num), num(k.Synced.Den), pct(k.Synced)})
	}
	opinions.Rows = append(opinions.Rows, []Cell{txt("全部终端在线率"), num(m.Availability.Num), num(m.Availability.Den), pct(m.Availability)})
	d.Sections = append(d.Sections, Section{Heading: main.Title, Table: main},
		Section{Heading: byType.Title, Table: byType}, Section{Heading: ratings.Title, Table: ratings, Charts: []template.HTML{Ratings(c, l)}},
		Section{Heading: content.Title, Table: content}, Section{Heading: opinions.Title, Table: opinions})
	if len(m.Streets) > 0 {
		st := &Table{Sheet: "各街道", Title: "六、各街道", Head: []string{"街道", "受理", "办结", "按期办结率", "满意率"}}
		for _, s := range m.Streets {
			st.Rows = append(st.Rows, []Cell{txt(s.Name), num(s.Received), num(s.Completed), pct(s.OnTime), pct(s.Satisfaction)})
		}
		d.Sections = append(d.Sections, Section{Heading: st.Title, Table: st, Charts: []template.HTML{StreetsOnTime(m, l)}})
	}
	if len(m.History) > 0 {
		d.Sections = append(d.Sections, Section{Heading: "近12个月趋势", Charts: []template.HTML{
			CasesByType(m.History, l), OnTimeRate(m.History, l), SatisfactionRate(m.History, l)}})
	}
	return d
}

// QuarterlyDoc lays out the quarterly review.
func QuarterlyDoc(q report.Quarterly) *Doc {
	d := &Doc{Title: fmt.Sprintf("%s 季度评议", q.Quarter),
		Subtitle: fmt.Sprintf("评议期间 %s 至 %s（北京时间），统计截至 %s。", q.From, q.To, q.AsOf)}
	crit := &Table{Sheet: "评议指标", Title: "一、评议指标、权重与计算方法", Head: []string{"指标", "权重", "计算方法"}, Note: "得分公式：" + q.Formula}
	for _, c := range q.Criteria {
		crit.Rows = append(crit.Rows, []Cell{txt(c.Name), dec(c.Weight), txt(c.Formula)})
	}
	rank := &Table{Sheet: "得分排名", Title: "二、得分与排名", Head: []string{"排名", "街道"}}
	for _, c := range q.Criteria {
		rank.Head = append(rank.Head, c.Name, c.Name+"得分")
	}
	rank.Head = append(rank.Head, "总分", "上季度得分", "上季度排名", "变化")
	for _, s := range q.Streets {
		row := []Cell{num(s.Rank), txt(s.Name)}
		for _, c := range q.Criteria {
			found := false
			for _, p := range s.Parts {
				if p.ID == c.ID {
					found = true
					if _, ok := p.Value.Value(); ok {
						row = append(row, pct(p.Value), dec(p.Points))
					} else {
						row = append(row, txt("—"), txt("—"))
					}
				}
			}
			if !found {
				row = append(row, txt("—"), txt("—"))
			}
		}
		row = append(row, dec(s.Score))
		if s.Previous != nil {
			row = append(row, dec(*s.Previous), num(s.PreviousRank), dec(*s.Change))
		} else {
			row = append(row, txt("—"), txt("—"), txt("—"))
		}
		rank.Rows = append(rank.Rows, row)
	}
	d.Sections = append(d.Sections, Section{Heading: crit.Title, Table: crit},
		Section{Heading: rank.Title, Table: rank, Charts: []template.HTML{Ranking(q, data.ZH)}})
	return d
}

// AnnualDoc lays out the annual report in the structure of
// 国办公开办函〔2021〕30号.
func AnnualDoc(a report.Annual) *Doc {
	d := &Doc{Title: fmt.Sprintf("%s%d年政府信息公开工作年度报告", a.Organ, a.Year)}
	pub := &Table{Sheet: "主动公开", Title: "二、主动公开政府信息情况", Head: []string{"信息类别", "本年发布", "本年更新", "本年撤下", "现行有效"}}
	for _, r := range a.Published {
		pub.Rows = append(pub.Rows, []Cell{txt(r.Label), num(r.Published), num(r.Updated), num(r.Withdrawn), num(a.Live[string(r.Kind)])})
	}
	tab := &Table{Sheet: "收到和处理申请", Title: "三、收到和处理政府信息公开申请情况", Head: []string{"项目"}}
	tab.Head = append(tab.Head, report.ColumnLabels[:]...)
	for _, r := range a.Table.Rows {
		row := []Cell{txt(r.Label)}
		for _, n := range r.Counts {
			if r.Heading {
				row = append(row, txt(""))
			} else {
				row = append(row, num(n))
			}
		}
		tab.Rows = append(tab.Rows, row)
		tab.Indent = append(tab.Indent, r.Level)
	}
	tab.Note = "勾稽关系：第一项加第二项之和，等于第三项加第四项之和。列“" + report.ColumnLabels[report.ColCompany] + "”至“" + report.ColumnLabels[report.ColOtherOrg] + "”属“" + report.OrganisationHeading + "”。"
	var text3 []string
	if n := len(a.Table.Unclassified); n > 0 {
		text3 = append(text3, fmt.Sprintf("注意：%d 件申请的答复类型为“不予公开”但未注明理由，已计入总计，未计入理由分项，发布前请补正：%v", n, a.Table.Unclassified))
	}
	rev := &Table{Sheet: "复议诉讼", Title: "四、政府信息公开行政复议、行政诉讼情况", Head: []string{"类别"}}
	rev.Head = append(rev.Head, report.ReviewColumns[:]...)
	for _, g := range []struct {
		name string
		v    [5]int
	}{{"行政复议", a.Review.Review}, {"行政诉讼：未经复议直接起诉", a.Review.DirectSuit}, {"行政诉讼：复议后起诉", a.Review.SuitAfterReview}} {
		row := []Cell{txt(g.name)}
		for _, n := range g.v {
			row = append(row, num(n))
		}
		rev.Rows = append(rev.Rows, row)
	}
	none := func(s string) []string {
		if s == "" {
			return []string{"（待填写）"}
		}
		return []string{s}
	}
	d.Sections = []Section{
		{Heading: "一、总体情况", Text: []string{a.Overview}},
		{Heading: pub.Title, Table: pub},
		{Heading: tab.Title, Table: tab, Text: text3},
		{Heading: rev.Title, Table: rev},
		{Heading: "五、存在的主要问题及改进情况", Text: none(a.Problems)},
		{Heading: "六、其他需要报告的事项", Text: none(a.Other)},
	}
	return d
}
