package report

import (
	"fmt"
	"strings"
	"time"

	"jiezhen/data"
)

// The annual report on government information disclosure
// (政府信息公开工作年度报告) in the structure of 国办公开办函〔2021〕30号.

// Columns of the table of part 三: 自然人, the five kinds of 法人或其他组织,
// 总计.
const (
	ColPerson = iota
	ColCompany
	ColResearch
	ColNonprofit
	ColLegalService
	ColOtherOrg
	ColTotal
	NumCols
)

// ColumnLabels are the table's column headings; the middle five sit under
// 法人或其他组织.
var ColumnLabels = [NumCols]string{"自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"}

// OrganisationHeading groups columns ColCompany to ColOtherOrg.
const OrganisationHeading = "法人或其他组织"

// RequesterColumn is the column a requester counts in; a request that
// does not say counts as 自然人, an organisation of no stated kind (the
// older RequesterOrganisation) in 其他.
func RequesterColumn(r data.Requester) int {
	switch r {
	case data.RequesterCompany:
		return ColCompany
	case data.RequesterResearch:
		return ColResearch
	case data.RequesterNonprofit:
		return ColNonprofit
	case data.RequesterLegalService:
		return ColLegalService
	case data.RequesterOrganisation:
		return ColOtherOrg
	}
	return ColPerson
}

// TableRow is one row of the table. A heading row (三、, （三）…) has no
// numbers of its own.
type TableRow struct {
	Key     string       `json:"key"`
	Label   string       `json:"label"`
	Level   int          `json:"level"` // 0 一、 1 （一） 2 1.
	Heading bool         `json:"heading,omitempty"`
	Counts  [NumCols]int `json:"counts"`
}

// resultRows are the rows of 三、本年度办理结果 in order: key, label,
// level, heading.
var resultRows = []struct {
	key, label string
	level      int
	heading    bool
}{
	{"results", "三、本年度办理结果", 0, true},
	{"disclosed", "（一）予以公开", 1, false},
	{"partly", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 1, false},
	{"withheld", "（三）不予公开", 1, true},
	{"withheld.1", "1.属于国家秘密", 2, false},
	{"withheld.2", "2.其他法律行政法规禁止公开", 2, false},
	{"withheld.3", "3.危及“三安全一稳定”", 2, false},
	{"withheld.4", "4.保护第三方合法权益", 2, false},
	{"withheld.5", "5.属于三类内部事务信息", 2, false},
	{"withheld.6", "6.属于四类过程性信息", 2, false},
	{"withheld.7", "7.属于行政执法案卷", 2, false},
	{"withheld.8", "8.属于行政查询事项", 2, false},
	{"unavailable", "（四）无法提供", 1, true},
	{"unavailable.1", "1.本机关不掌握相关政府信息", 2, false},
	{"unavailable.2", "2.没有现成信息需要另行制作", 2, false},
	{"unavailable.3", "3.补正后申请内容仍不明确", 2, false},
	{"not_processed", "（五）不予处理", 1, true},
	{"not_processed.1", "1.信访举报投诉类申请", 2, false},
	{"not_processed.2", "2.重复申请", 2, false},
	{"not_processed.3", "3.要求提供公开出版物", 2, false},
	{"not_processed.4", "4.无正当理由大量反复申请", 2, false},
	{"not_processed.5", "5.要求行政机关确认或重新出具已获取信息", 2, false},
	{"other", "（六）其他处理", 1, true},
	{"other.1", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", 2, false},
	{"other.2", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", 2, false},
	{"other.3", "3.其他", 2, false},
	{"total", "（七）总计", 1, false},
}

// rowKey is the key of the row a reply type counts in.
func rowKey(t data.ReplyType) (string, bool) {
	r, n, ok := t.Result()
	if !ok {
		return "", false
	}
	switch r {
	case data.ResultDisclosed:
		return "disclosed", true
	case data.ResultPartly:
		return "partly", true
	}
	if n == 0 {
		return "", false
	}
	return fmt.Sprintf("%s.%d", r, n), true
}

// DisclosureTable is part 三 of the annual report.
type DisclosureTable struct {
	Columns [NumCols]string `json:"columns"`
	Rows    []TableRow      `json:"rows"`
	// Unclassified lists the references of requests answered in the year
	// with a reply type that gives no reason (not_disclosed): they are in
	// （七）总计 and in no reason's row until the district reclassifies them.
	Unclassified []string `json:"unclassified,omitempty"`
}

// Row returns the row with the key.
func (t *DisclosureTable) Row(key string) *TableRow {
	for i := range t.Rows {
		if t.Rows[i].Key == key {
			return &t.Rows[i]
		}
	}
	return nil
}

// CountRequests builds the table for year y from the facts of the
// disclosure requests received in it or open at its start:
//
//   - 一、本年新收: received in the year;
//   - 二、上年结转: received before the year and not done before it;
//   - 三、办理结果: done (replied) in the year, whenever received, in the row
//     of its reply type (data.ReplyType.Result); （七）总计 is all of them;
//   - 四、结转下年度继续办理: received by the year's end and not done by it.
//
// So 一 + 二 = （七） + 四. Each count is in the requester's column and in 总计.
func CountRequests(facts []Facts, y Period) DisclosureTable {
	t := DisclosureTable{Columns: ColumnLabels}
	t.Rows = append(t.Rows, TableRow{Key: "new", Label: "一、本年新收政府信息公开申请数量"},
		TableRow{Key: "carried_in", Label: "二、上年结转政府信息公开申请数量"})
	for _, r := range resultRows {
		t.Rows = append(t.Rows, TableRow{Key: r.key, Label: r.label, Level: r.level, Heading: r.heading})
	}
	t.Rows = append(t.Rows, TableRow{Key: "carried_out", Label: "四、结转下年度继续办理"})
	add := func(key string, col int) {
		r := t.Row(key)
		r.Counts[col]++
		r.Counts[ColTotal]++
	}
	for i := range facts {
		f := &facts[i]
		if f.Kind != data.CaseDisclosure || f.Received == 0 || f.Received > y.To {
			continue
		}
		col := RequesterColumn(f.Requester)
		done := f.Outcome == OutcomeAnswered
		if y.Contains(f.Received) {
			add("new", col)
		}
		if f.Received < y.From && (!done || f.Answered >= y.From) {
			add("carried_in", col)
		}
		if done && y.Contains(f.Answered) {
			add("total", col)
			if key, ok := rowKey(f.Reply); ok {
				add(key, col)
			} else {
				t.Unclassified = append(t.Unclassified, f.Case)
			}
		}
		if !done || f.Answered > y.To {
			add("carried_out", col)
		}
	}
	return t
}

// ReviewLitigation is part 四: administrative review and litigation over
// disclosure, entered by hand. Each group has 结果维持, 结果纠正, 其他结果,
// 尚未审结, 总计.
type ReviewLitigation struct {
	Review          [5]int `json:"review"`            // 行政复议
	DirectSuit      [5]int `json:"direct_suit"`       // 行政诉讼：未经复议直接起诉
	SuitAfterReview [5]int `json:"suit_after_review"` // 行政诉讼：复议后起诉
}

// ReviewColumns head each group of part 四.
var ReviewColumns = [5]string{"结果维持", "结果纠正", "其他结果", "尚未审结", "总计"}

// AnnualText is what the district writes: the overview with placeholders
// for the figures, part 四's numbers, and parts 五 and 六.
type AnnualText struct {
	Organ    string           `json:"organ"`    // the organ's name, e.g. 天河南街道办事处
	IndexNo  string           `json:"index_no"` // the catalogue entry's 索引号 (default scope/year-年报)
	DocNo    string           `json:"doc_no"`   // its 文号, if any
	Overview string           `json:"overview"` // 一、总体情况, with {placeholders} (Placeholders)
	Review   ReviewLitigation `json:"review"`
	Problems string           `json:"problems"` // 五、存在的主要问题及改进情况
	Other    string           `json:"other"`    // 六、其他需要报告的事项
}

// DefaultOverview is the overview used when the district gives none.
const DefaultOverview = "{year}年，{organ}依托街镇政务服务平台推进政府信息公开工作。全年主动公开信息{published}条；" +
	"受理各类办件{cases_received}件，办结{cases_completed}件，按期办结率{on_time_rate}；" +
	"收到好差评{ratings}条，满意率{satisfaction_rate}；新收政府信息公开申请{requests_new}件，办结{requests_done}件。"

// Placeholders are the figures an overview may name in braces.
func Placeholders(a *Annual) map[string]string {
	published := 0
	for _, r := range a.Published {
		published += r.Published
	}
	total := a.Table.Row("total").Counts[ColTotal]
	return map[string]string{
		"year": fmt.Sprint(a.Year), "organ": a.Organ, "published": fmt.Sprint(published),
		"cases_received": fmt.Sprint(a.Cases.Received), "cases_completed": fmt.Sprint(a.Cases.Completed),
		"on_time_rate": a.Cases.OnTime.Percent(), "ratings": fmt.Sprint(a.Cases.Satisfaction.Den),
		"satisfaction_rate": a.Cases.Satisfaction.Percent(),
		"requests_new":      fmt.Sprint(a.Table.Row("new").Counts[ColTotal]), "requests_done": fmt.Sprint(total),
	}
}

// FillOverview replaces each {name} of text with its figure; an unknown
// name is an error naming it.
func FillOverview(text string, figures map[string]string) (string, error) {
	var b strings.Builder
	for {
		i := strings.IndexByte(text, '{')
		if i < 0 {
			b.WriteString(text)
			return b.String(), nil
		}
		j := strings.IndexByte(text[i:], '}')
		if j < 0 {
			return "", fmt.Errorf("overview: a { at character %d is never closed", len([]rune(b.String()+text[:i])))
		}
		name := text[i+1 : i+j]
		v, ok := figures[name]
		if !ok {
			return "", fmt.Errorf("overview: unknown figure {%s}", name)
		}
		b.WriteString(text[:i])
		b.WriteString(v)
		text = text[i+j+1:]
	}
}

// Annual is the annual report of an organ (a street or the district).
type Annual struct {
	Year      int       `json:"year"`
	Street    string    `json:"street"` // "" for the district
	Organ     string    `json:"organ"`
	Generated time.Time `json:"generated"`
	// Overview is 一、总体情况 with its figures filled in.
	Overview string `json:"overview"`
	// Published is 二、主动公开政府信息情况: the year's publications by kind,
	// and Live the items live at the year's end (or now) by kind.
	Published []ContentRow   `json:"published"`
	Live      map[string]int `json:"live"`
	// Cases are the year's case figures the overview quotes.
	Cases    Totals           `json:"cases"`
	Table    DisclosureTable  `json:"table"`
	Review   ReviewLitigation `json:"review"`
	Problems string           `json:"problems"`
	Other    string           `json:"other"`
}
