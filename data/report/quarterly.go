package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"jiezhen/data"
)

// Criterion is one measure of the quarterly review (季度评议). Its value is
// a share from 0 to 1, its formula fixed in code and printed in the
// report; its weight is the district's to set.
type Criterion struct {
	ID     string  `json:"id"`
	Weight float64 `json:"weight"`
}

// The criteria a review can use.
const (
	CriterionFreshness    = "freshness"    // guides reviewed within a year
	CriterionOnTime       = "on_time"      // completed on time
	CriterionSatisfaction = "satisfaction" // 好评 share
	CriterionFeedback     = "feedback"     // opinions with published feedback
	CriterionAvailability = "availability" // kiosk days synced
)

// DefaultCriteria are the weights a district starts with (docs/REPORTS.md).
var DefaultCriteria = []Criterion{
	{CriterionOnTime, 30},
	{CriterionSatisfaction, 30},
	{CriterionFreshness, 15},
	{CriterionAvailability, 15},
	{CriterionFeedback, 10},
}

// criterionText is each criterion's name and formula, in both languages.
var criterionText = map[string][4]string{
	CriterionFreshness: {"内容时效", "本街道在用的通知、目录、指南、便民服务和征集中，季度末前一年内发布或更新的比例", "Content freshness",
		"of the street's live notices, catalogue entries, guides, providers and consultations, the share published or changed within the year before the quarter's last day"},
	CriterionOnTime: {"按期办结率", "季度内办结且有期限的办件中，在期限日当日或之前办结的比例", "On-time completion",
		"of the cases done in the quarter that have a deadline, the share done on or before their deadline day"},
	CriterionSatisfaction: {"满意率", "季度内记录的好差评中，基本满意及以上的比例（含7日未评默认基本满意）", "Satisfaction",
		"of the ratings recorded in the quarter, the share rated 基本满意 or better (the 7-day default included)"},
	CriterionFeedback: {"意见反馈率", "季度内收到的意见中，所属议题在季度末已公布反馈的比例", "Feedback to opinions",
		"of the opinions received in the quarter, the share whose topic had published feedback by the quarter's last day"},
	CriterionAvailability: {"终端在线率", "季度内各终端在用日中当日至少同步一次的比例", "Kiosk availability",
		"of the days in the quarter each kiosk was in service, the share on which it synced at least once"},
}

// CriterionName and CriterionFormula word a criterion.
func CriterionName(id string, l data.Lang) string {
	t, ok := criterionText[id]
	if !ok {
		return id
	}
	if l == data.EN {
		return t[2]
	}
	return t[0]
}

// CriterionFormula is the criterion's formula in words.
func CriterionFormula(id string, l data.Lang) string {
	t := criterionText[id]
	if l == data.EN {
		return t[3]
	}
	return t[1]
}

// ParseCriteria reads the district's criteria as JSON, a list of
// {"id": …, "weight": …}, and checks them: known ids, each once, weights
// from 0 to 100, at least one above 0.
func ParseCriteria(b []byte) ([]Criterion, error) {
	var cs []Criterion
	if err := json.Unmarshal(b, &cs); err != nil {
		return nil, fmt.Errorf("criteria: want a JSON list of {\"id\", \"weight\"}: %v", err)
	}
	seen := map[string]bool{}
	total := 0.0
	for _, c := range cs {
		if _, ok := criterionText[c.ID]; !ok {
			return nil, fmt.Errorf("criteria: unknown criterion %q (one of %s)", c.ID, strings.Join(criterionIDs(), ", "))
		}
		if seen[c.ID] {
			return nil, fmt.Errorf("criteria: %q is given twice", c.ID)
		}
		seen[c.ID] = true
		if c.Weight < 0 || c.Weight > 100 || math.IsNaN(c.Weight) {
			return nil, fmt.Errorf("criteria: the weight of %q is %v, not from 0 to 100", c.ID, c.Weight)
		}
		total += c.Weight
	}
	if total == 0 {
		return nil, errors.New("criteria: no criterion has a weight above 0")
	}
	return cs, nil
}

func criterionIDs() []string {
	var ids []string
	for _, c := range DefaultCriteria {
		ids = append(ids, c.ID)
	}
	return ids
}

// StreetMeasures are one street's criterion values for a quarter.
type StreetMeasures struct {
	Street string
	Name   string
	Values map[string]Ratio
}

// Score is one criterion's part of a street's score.
type Score struct {
	ID     string  `json:"id"`
	Value  Ratio   `json:"value"`
	Weight float64 `json:"weight"`
	// Points: 100 × Weight × value ÷ the weights of the criteria that
	// have a value for the street.
	Points float64 `json:"points"`
}

// StreetScore is one street's line of the review.
type StreetScore struct {
	Street string  `json:"street"`
	Name   string  `json:"name"`
	Parts  []Score `json:"parts"`
	Score  float64 `json:"score"`
	Rank   int     `json:"rank"`
	// Previous is last quarter's score and rank, Change the score's
	// change; nil when the street had no score then.
	Previous     *float64 `json:"previous"`
	PreviousRank int      `json:"previous_rank,omitempty"`
	Change       *float64 `json:"change"`
}

// CriterionLine is a criterion as the report prints it.
type CriterionLine struct {
	ID      string  `json:"id"`
	Name    string  `json:"name"`
	Weight  float64 `json:"weight"`
	Formula string  `json:"formula"`
}

// Quarterly is the quarterly review (季度评议).
type Quarterly struct {
	Quarter   string          `json:"quarter"`
	From      data.Date       `json:"from"`
	To        data.Date       `json:"to"`
	AsOf      data.Date       `json:"as_of"`
	Criteria  []CriterionLine `json:"criteria"`
	Formula   string          `json:"formula"`
	Streets   []StreetScore   `json:"streets"`
	Generated string          `json:"generated"`
}

// ScoreFormula is how a score is made, printed in every review.
func ScoreFormula(l data.Lang) string {
	if l == data.EN {
		return "score = 100 × Σ(weight × value) ÷ Σ(weight), over the criteria that have a value for the street (a criterion with nothing to measure, e.g. no case done, is left out and the others' weights count in its place); rank by score, ties by street code"
	}
	return "得分 = 100 × Σ(权重 × 指标值) ÷ Σ(权重)，只计该街道有数据的指标（无可计量对象的指标不计，其余指标按权重补足）；按得分排名，同分按街道代码"
}

// ScoreStreets scores and ranks the streets under the criteria.
func ScoreStreets(cs []Criterion, streets []StreetMeasures) []StreetScore {
	out := make([]StreetScore, 0, len(streets))
	for _, s := range streets {
		line := StreetScore{Street: s.Street, Name: s.Name}
		total := 0.0
		for _, c := range cs {
			if c.Weight == 0 {
				continue
			}
			if _, ok := s.Values[c.ID].Value(); ok {
				total += c.Weight
			}
		}
		for _, c := range cs {
			if c.Weight == 0 {
				continue
			}
			sc := Score{ID: c.ID, Value: s.Values[c.ID], Weight: c.Weight}
			if v, ok := sc.Value.Value(); ok && total > 0 {
				sc.Points = round2(100 * c.Weight * v / total)
			}
			line.Score += sc.Points
			line.Parts = append(line.Parts, sc)
		}
		line.Score = round2(line.Score)
		out = append(out, line)
	}
	slices.SortStableFunc(out, func(a, b StreetScore) int {
		if a.Score != b.Score {
			if a.Score > b.Score {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Street, b.Street)
	})
	for i := range out {
		out[i].Rank = i + 1
	}
	return out
}

// CompareWith fills each street's previous score, rank and change from
// last quarter's ranking.
func CompareWith(now, prev []StreetScore) {
	for i := range now {
		j := slices.IndexFunc(prev, func(p StreetScore) bool { return p.Street == now[i].Street })
		if j < 0 {
			continue
		}
		p, ch := prev[j].Score, round2(now[i].Score-prev[j].Score)
		now[i].Previous, now[i].PreviousRank, now[i].Change = &p, prev[j].Rank, &ch
	}
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }
