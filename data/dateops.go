package data

import "time"

// Valid reports whether d is a day that exists. A Date built by hand (not
// by ParseDate or DateOf) may not be, e.g. Date{2026, 2, 29}.
func (d Date) Valid() bool {
	if d.Month < time.January || d.Month > time.December || d.Day < 1 {
		return false
	}
	return DateOf(d.Time(time.UTC)) == d
}

// After reports whether d is a later day than e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// AddYears is the day n years later (earlier for a negative n); 29
// February becomes 1 March in a common year.
func (d Date) AddYears(n int) Date { return DateOf(d.Time(time.UTC).AddDate(n, 0, 0)) }
