package data

import "strconv"

// StreetFigures are a street's last month in a few figures for its
// residents (阳光审批): on the street's page of the website and a screen of
// its kiosks. The district computes them from its reports
// (docs/REPORTS.md) and sets them on the street item (`districtd report
// figures`, and `serve` each month); the content files never carry them.
type StreetFigures struct {
	Month     string `json:"month" limit:"code"` // YYYY-MM
	Received  int    `json:"received"`           // cases received in the month
	Completed int    `json:"completed"`          // cases done in the month
	// OnTime of WithDeadline: the done cases with a deadline, and those
	// done on or before it.
	OnTime       int `json:"on_time"`
	WithDeadline int `json:"with_deadline"`
	// Satisfied of Rated: the ratings recorded in the month, and those
	// 基本满意 or better.
	Satisfied int `json:"satisfied"`
	Rated     int `json:"rated"`
	// Months are the cases received in each of the 12 months up to Month.
	Months []MonthCount `json:"months,omitempty"`
}

// MonthCount is one month's number of cases.
type MonthCount struct {
	Month    string `json:"month" limit:"code"`
	Received int    `json:"received"`
}

// OnTimePercent is the on-time rate as "93%", or "—" with no case.
func (f StreetFigures) OnTimePercent() string { return percent(f.OnTime, f.WithDeadline) }

// SatisfactionPercent is the satisfaction rate as "93%", or "—".
func (f StreetFigures) SatisfactionPercent() string { return percent(f.Satisfied, f.Rated) }

func percent(n, d int) string {
	if d == 0 {
		return "—"
	}
	return strconv.Itoa((200*n+d)/(2*d)) + "%"
}
