package data

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Calendar answers working-day questions from the official calendar years
// it was built from. Outside those years it knows no holidays and counts
// Monday to Friday as working days: a deadline that runs into a year whose
// notice has not arrived yet is then an estimate, which Covers lets the UI
// say. A nil *Calendar is usable and knows no years.
type Calendar struct {
	years    map[int]bool
	holidays map[Date]string // day off -> holiday name
	workdays map[Date]bool   // weekend day made up as a working day
}

// NewCalendar checks the years and builds a Calendar from them. A year's
// dates must all fall within that year: a notice that also moves a day of
// the neighbouring year (as the 2023 notice did with 2022-12-31) has that
// day go into the neighbouring year's item.
func NewCalendar(years ...CalendarYear) (*Calendar, error) {
	c := &Calendar{years: map[int]bool{}, holidays: map[Date]string{}, workdays: map[Date]bool{}}
	var errs []error
	for _, y := range years {
		if err := c.add(y); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Calendar) add(y CalendarYear) error {
	if y.Year < 1949 || y.Year > 9999 {
		return fmt.Errorf("calendar year %d is not a plausible year", y.Year)
	}
	if c.years[y.Year] {
		return fmt.Errorf("calendar %d is given twice", y.Year)
	}
	c.years[y.Year] = true
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("calendar %d: %s", y.Year, fmt.Sprintf(format, args...)))
	}
	inYear := func(d Date) bool { return d.Year == y.Year && d.Valid() }
	for _, h := range y.Holidays {
		name := h.Name
		if strings.TrimSpace(name) == "" {
			bad("holiday %s..%s has no name", h.From, h.To)
			name = "holiday"
		}
		switch {
		case !inYear(h.From) || !inYear(h.To):
			bad("holiday %s %s..%s is not within %d", name, h.From, h.To, y.Year)
			continue
		case h.To.Before(h.From):
			bad("holiday %s ends (%s) before it starts (%s)", name, h.To, h.From)
			continue
		}
		for d := h.From; !h.To.Before(d); d = d.AddDays(1) {
			if other, ok := c.holidays[d]; ok {
				bad("holidays %s and %s both have %s", other, name, d)
				continue
			}
			c.holidays[d] = name
		}
	}
	for _, w := range y.Workdays {
		switch wd := w.Date.Weekday(); {
		case !inYear(w.Date):
			bad("make-up working day %s is not within %d", w.Date, y.Year)
		case wd != time.Saturday && wd != time.Sunday:
			bad("make-up working day %s is a %s, not a weekend day", w.Date, wd)
		case c.holidays[w.Date] != "":
			bad("%s is both a make-up working day and part of %s", w.Date, c.holidays[w.Date])
		case c.workdays[w.Date]:
			bad("make-up working day %s is listed twice", w.Date)
		default:
			c.workdays[w.Date] = true
		}
	}
	return errors.Join(errs...)
}

// Covers reports whether the official calendar for d's year is known, so
// that answers about d account for its holidays.
func (c *Calendar) Covers(d Date) bool {
	return c != nil && c.years[d.Year]
}

// Years lists the covered years in order.
func (c *Calendar) Years() []int {
	if c == nil {
		return nil
	}
	var ys []int
	for y := range c.years {
		ys = append(ys, y)
	}
	slices.Sort(ys)
	return ys
}

// HolidayName returns the name of the public holiday d falls in, or "".
func (c *Calendar) HolidayName(d Date) string {
	if c == nil {
		return ""
	}
	return c.holidays[d]
}

// IsWorkday reports whether d is a working day: Monday to Friday unless it
// is a public holiday, or a weekend day made up as a working day.
func (c *Calendar) IsWorkday(d Date) bool {
	if c != nil {
		if _, ok := c.holidays[d]; ok {
			return false
		}
		if c.workdays[d] {
			return true
		}
	}
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// AddWorkdays returns the deadline n working days after start. The day of
// submission is day 0 whether or not it is a working day, and counting
// starts on the next working day after it: a request filed on a Friday has
// its 1-working-day deadline on Monday, as does one filed on Saturday.
// Negative n counts back: the n-th working day before start. n == 0 gives
// start itself. Outside the covered years only weekends are days off.
func (c *Calendar) AddWorkdays(start Date, n int) Date {
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	d := start
	for n > 0 {
		d = d.AddDays(step)
		if c.IsWorkday(d) {
			n--
		}
	}
	return d
}

// WorkdaysBetween counts the working days after a up to and including b,
// so that WorkdaysBetween(a, c.AddWorkdays(a, n)) == n for every n. If b is
// before a the count is minus the working days from b up to but not
// including a, which keeps that identity for negative n.
func (c *Calendar) WorkdaysBetween(a, b Date) int {
	from, to, sign := a.AddDays(1), b, 1
	if b.Before(a) {
		from, to, sign = b, a.AddDays(-1), -1
	}
	n := 0
	for d := from; !to.Before(d); d = d.AddDays(1) {
		if c.IsWorkday(d) {
			n++
		}
	}
	return sign * n
}
