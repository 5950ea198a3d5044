package report

import (
	"slices"

	"jiezhen/data"
)

// Workdays counts working days on the district's calendar in constant
// time: a running count over the days from `first` to `last`, built once
// per report. It answers as data.Calendar.WorkdaysBetween does.
type Workdays struct {
	cal         *data.Calendar
	first, last Day
	upto        []int32 // upto[i]: working days among first..first+i
}

// NewWorkdays builds the count for the days from first to last.
func NewWorkdays(cal *data.Calendar, first, last Day) *Workdays {
	w := &Workdays{cal: cal, first: first, last: last}
	if last < first {
		return w
	}
	w.upto = make([]int32, last-first+1)
	n := int32(0)
	d := first.Date()
	for i := range w.upto {
		if cal.IsWorkday(d) {
			n++
		}
		w.upto[i] = n
		d = d.AddDays(1)
	}
	return w
}

// Between counts the working days after a up to and including b (a <= b).
func (w *Workdays) Between(a, b Day) int {
	if a < w.first || b > w.last || b < a {
		return w.cal.WorkdaysBetween(a.Date(), b.Date())
	}
	return int(w.upto[b-w.first] - w.upto[a-w.first])
}

// ElapsedWorkdays is the time a done case took, in working days: from the
// day its clock last started (Facts.Start) to the day it was done,
// counted as the deadline is (the start day is day 0). The days a case
// waited for its correction do not count, since its clock started again
// when the materials arrived.
func (w *Workdays) ElapsedWorkdays(f *Facts) int {
	return w.Between(f.Start, f.Answered)
}

// Percentile is the p-th percentile (0 < p <= 100) of xs by nearest rank:
// the smallest value at least p% of the values are at or below, so always
// a value some case had; 0 for no values. xs is sorted in place.
func Percentile(xs []int, p int) int {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	rank := (p*len(xs) + 99) / 100 // ceil(p/100 * n)
	return xs[max(rank, 1)-1]
}
