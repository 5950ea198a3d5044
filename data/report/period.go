package report

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"jiezhen/data"
)

// Period is a run of whole calendar days in Zone, From to To inclusive: a
// month is its first to its last day, weekends and holidays included (a
// case received on a Saturday, 31 October, is October's); a quarter is its
// three months; a year runs from 1 January to 31 December.
type Period struct {
	Name     string // 2026-11, 2026Q4, 2026
	From, To Day
}

func span(name string, from, to data.Date) Period {
	return Period{Name: name, From: DayOfDate(from), To: DayOfDate(to)}
}

// MonthPeriod is the month of year y.
func MonthPeriod(y int, m time.Month) Period {
	first := data.Date{Year: y, Month: m, Day: 1}
	next := data.DateOf(time.Date(y, m+1, 1, 12, 0, 0, 0, time.UTC))
	return span(fmt.Sprintf("%04d-%02d", y, int(m)), first, next.AddDays(-1))
}

// ParseMonth reads "2026-11".
func ParseMonth(s string) (Period, error) {
	t, err := time.Parse("2006-01", s)
	if err != nil || len(s) != 7 {
		return Period{}, fmt.Errorf("month %q: want YYYY-MM", s)
	}
	return MonthPeriod(t.Year(), t.Month()), nil
}

// QuarterPeriod is quarter q (1 to 4) of year y.
func QuarterPeriod(y, q int) Period {
	first := data.Date{Year: y, Month: time.Month(3*q - 2), Day: 1}
	last := MonthPeriod(y, time.Month(3*q)).To
	return Period{Name: fmt.Sprintf("%04dQ%d", y, q), From: DayOfDate(first), To: last}
}

// ParseQuarter reads "2026Q4".
func ParseQuarter(s string) (Period, error) {
	if len(s) != 6 || (s[4] != 'Q' && s[4] != 'q') {
		return Period{}, fmt.Errorf("quarter %q: want YYYYQn, e.g. 2026Q4", s)
	}
	y, err1 := strconv.Atoi(s[:4])
	q, err2 := strconv.Atoi(s[5:])
	if err1 != nil || err2 != nil || q < 1 || q > 4 || y < 1970 {
		return Period{}, fmt.Errorf("quarter %q: want YYYYQn with n from 1 to 4", s)
	}
	return QuarterPeriod(y, q), nil
}

// YearPeriod is year y.
func YearPeriod(y int) Period {
	return span(strconv.Itoa(y), data.Date{Year: y, Month: 1, Day: 1}, data.Date{Year: y, Month: 12, Day: 31})
}

// ParseYear reads "2026".
func ParseYear(s string) (Period, error) {
	y, err := strconv.Atoi(s)
	if err != nil || len(s) != 4 || y < 1970 {
		return Period{}, fmt.Errorf("year %q: want YYYY", s)
	}
	return YearPeriod(y), nil
}

// Previous is the period of the same length just before p (the month,
// quarter or year before).
func (p Period) Previous() Period {
	from := p.From.Date()
	switch len(p.Name) {
	case 7:
		prev := from.AddDays(-1)
		return MonthPeriod(prev.Year, prev.Month)
	case 6:
		prev := from.AddDays(-1)
		return QuarterPeriod(prev.Year, (int(prev.Month)+2)/3)
	}
	return YearPeriod(from.Year - 1)
}

// Months lists the months of p, or the n months up to and including p's
// last when n > 0.
func (p Period) Months(n int) []Period {
	last := p.To.Date()
	var out []Period
	for m := MonthPeriod(last.Year, last.Month); ; m = m.Previous() {
		if n > 0 && len(out) == n || n <= 0 && m.To < p.From {
			break
		}
		out = append([]Period{m}, out...)
	}
	return out
}

// Contains reports whether d falls in p.
func (p Period) Contains(d Day) bool { return d != 0 && p.From <= d && d <= p.To }

// WorkingDays counts p's working days on cal.
func (p Period) WorkingDays(cal *data.Calendar) int {
	return cal.WorkdaysBetween(p.From.Date().AddDays(-1), p.To.Date())
}

// Ratio is a share: Num of Den, and its value, null when Den is 0 (no
// case to measure).
type Ratio struct {
	Num int
	Den int
}

// Value is Num/Den, ok false when Den is 0.
func (r Ratio) Value() (float64, bool) {
	if r.Den == 0 {
		return 0, false
	}
	return float64(r.Num) / float64(r.Den), true
}

// Percent is the ratio as "93.8%" (one decimal), or "—" with no cases.
func (r Ratio) Percent() string {
	v, ok := r.Value()
	if !ok {
		return "—"
	}
	return strconv.FormatFloat(100*v, 'f', 1, 64) + "%"
}

// MarshalJSON writes {"num":…,"den":…,"value":…|null}.
func (r Ratio) MarshalJSON() ([]byte, error) {
	var v *float64
	if x, ok := r.Value(); ok {
		v = &x
	}
	return json.Marshal(struct {
		Num   int      `json:"num"`
		Den   int      `json:"den"`
		Value *float64 `json:"value"`
	}{r.Num, r.Den, v})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (r *Ratio) UnmarshalJSON(b []byte) error {
	var v struct{ Num, Den int }
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	r.Num, r.Den = v.Num, v.Den
	return nil
}
