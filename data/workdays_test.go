package data

import (
	"strings"
	"testing"
	"time"
)

// cal2026 is the State Council's 2026 holiday notice (国务院办公厅关于2026年
// 部分节假日安排的通知), kept here so the tests do not depend on the demo
// content. 2026-01-01 is a Thursday.
func cal2026() CalendarYear {
	d := MustDate
	return CalendarYear{
		Year:   2026,
		Source: "国务院办公厅关于2026年部分节假日安排的通知",
		Holidays: []Holiday{
			{"元旦", d("2026-01-01"), d("2026-01-03")},
			{"春节", d("2026-02-15"), d("2026-02-23")},
			{"清明节", d("2026-04-04"), d("2026-04-06")},
			{"劳动节", d("2026-05-01"), d("2026-05-05")},
			{"端午节", d("2026-06-19"), d("2026-06-21")},
			{"中秋节", d("2026-09-25"), d("2026-09-27")},
			{"国庆节", d("2026-10-01"), d("2026-10-07")},
		},
		Workdays: []Workday{
			{d("2026-01-04"), "元旦"},  // Sunday
			{d("2026-02-14"), "春节"},  // Saturday
			{d("2026-02-28"), "春节"},  // Saturday
			{d("2026-05-09"), "劳动节"}, // Saturday
			{d("2026-09-20"), "国庆节"}, // Sunday
			{d("2026-10-10"), "国庆节"}, // Saturday
		},
	}
}

func calendar2026(t *testing.T) *Calendar {
	t.Helper()
	c, err := NewCalendar(cal2026())
	if err != nil {
		t.Fatalf("NewCalendar(2026): %v", err)
	}
	return c
}

func TestFixtureWeekdays(t *testing.T) {
	// Guards the fixture and the hand counts below against a wrong weekday.
	want := map[string]time.Weekday{
		"2026-01-01": time.Thursday, "2026-01-04": time.Sunday, "2026-02-10": time.Tuesday,
		"2026-02-14": time.Saturday, "2026-02-15": time.Sunday, "2026-02-23": time.Monday,
		"2026-02-28": time.Saturday, "2026-03-16": time.Monday, "2026-05-09": time.Saturday,
		"2026-09-20": time.Sunday, "2026-10-10": time.Saturday,
	}
	for s, wd := range want {
		if got := MustDate(s).Weekday(); got != wd {
			t.Errorf("%s is a %s, not a %s", s, got, wd)
		}
	}
}

func TestIsWorkday(t *testing.T) {
	c := calendar2026(t)
	tests := []struct {
		day  string
		want bool
	}{
		{"2026-01-01", false}, // 元旦, Thursday
		{"2026-01-02", false}, // 元旦, Friday
		{"2026-01-04", true},  // make-up Sunday
		{"2026-01-05", true},  // Monday
		{"2026-01-10", false}, // plain Saturday
		{"2026-02-13", true},  // Friday before 春节
		{"2026-02-14", true},  // make-up Saturday
		{"2026-02-16", false}, // 春节, Monday
		{"2026-02-23", false}, // 春节's last day, Monday
		{"2026-02-24", true},
		{"2026-02-28", true}, // make-up Saturday
		{"2026-03-01", false},
		{"2026-04-06", false}, // 清明, Monday
		{"2026-05-05", false}, // 劳动节, Tuesday
		{"2026-05-09", true},
		{"2026-06-19", false}, // 端午, Friday
		{"2026-09-20", true},
		{"2026-09-25", false}, // 中秋, Friday
		{"2026-10-08", true},
		{"2026-10-10", true},
		{"2026-10-11", false},
		{"2027-01-01", true},  // not covered: a Friday is just a Friday
		{"2027-01-02", false}, // not covered: Saturday
	}
	for _, tt := range tests {
		if got := c.IsWorkday(MustDate(tt.day)); got != tt.want {
			t.Errorf("IsWorkday(%s) = %v, want %v", tt.day, got, tt.want)
		}
	}
	if c.HolidayName(MustDate("2026-02-18")) != "春节" || c.HolidayName(MustDate("2026-02-24")) != "" {
		t.Error("HolidayName is wrong around 春节")
	}
}

func TestAddWorkdays(t *testing.T) {
	c := calendar2026(t)
	tests := []struct {
		name  string
		start string
		n     int
		want  string
	}{
		// Filed Tuesday 02-10. Working days: 1 Wed 02-11, 2 Thu 02-12,
		// 3 Fri 02-13, 4 Sat 02-14 (make-up); 02-15..02-23 春节 off;
		// 5 Tue 02-24, 6 Wed 02-25, 7 Thu 02-26, 8 Fri 02-27, 9 Sat 02-28
		// (make-up); Sun 03-01 off; 10 Mon 03-02 .. 14 Fri 03-06;
		// 15 Mon 03-09 .. 19 Fri 03-13; 20 Mon 03-16.
		// Plain weekends would give Tue 03-10 instead.
		{"disclosure over 春节", "2026-02-10", 20, "2026-03-16"},
		// Extended by another 20 from 03-16: 03-17..03-20 (4), 03-23..27
		// (9), 03-30..04-03 (14), 04-04..06 清明 off, 04-07..04-10 (18),
		// 04-13 (19), 04-14 (20).
		{"extension after 春节", "2026-03-16", 20, "2026-04-14"},
		// Filed on 02-14, itself a make-up working day: the day of filing
		// is day 0, so day 1 is the next working day, 02-24.
		{"filed on a make-up Saturday", "2026-02-14", 1, "2026-02-24"},
		// Filed during 春节 on Wed 02-18: 1 02-24, 2 02-25, 3 02-26.
		{"consult filed in 春节", "2026-02-18", 3, "2026-02-26"},
		// Filed Friday 02-27: 1 Sat 02-28 (make-up), 2 Mon 03-02.
		{"make-up Saturday counts", "2026-02-27", 2, "2026-03-02"},
		// Filed Friday 09-18: 1 Sun 09-20 (make-up), 2 Mon 09-21 .. 5 Thu
		// 09-24; 09-25..27 中秋 off; 6 Mon 09-28, 7 09-29, 8 09-30;
		// 10-01..07 国庆 off; 9 Thu 10-08, 10 Fri 10-09, 11 Sat 10-10.
		{"over 中秋 and 国庆", "2026-09-18", 10, "2026-10-09"},
		{"onto the 国庆 make-up Saturday", "2026-09-18", 11, "2026-10-10"},
		// Filed Thursday 04-30: 劳动节 05-01..05; 1 Wed 05-06, 2 Thu 05-07,
		// 3 Fri 05-08, 4 Sat 05-09 (make-up), 5 Mon 05-11.
		{"over 劳动节", "2026-04-30", 5, "2026-05-11"},
		// Filed Tuesday 2025-12-30, a year not covered: 1 Wed 12-31 as a
		// plain weekday; 01-01..03 元旦 off; 2 Sun 01-04 (make-up);
		// 3 Mon 01-05.
		{"into 2026 from an uncovered year", "2025-12-30", 3, "2026-01-05"},
		// Filed Wednesday 2026-12-30: 1 Thu 12-31, then 2027 is not covered:
		// 2 Fri 2027-01-01 (no holiday known), 3 Mon 01-04.
		{"out of the covered year", "2026-12-30", 3, "2027-01-04"},
		{"n = 0 is the day itself", "2026-02-15", 0, "2026-02-15"},
		// Back from Tue 02-24: -1 Sat 02-14, -2 Fri 02-13.
		{"backwards over 春节", "2026-02-24", -2, "2026-02-13"},
		// Filed Fri 01-30: 1 Mon 02-02 .. 5 Fri 02-06; 6 Mon 02-09 ..
		// 10 Fri 02-13; 11 Sat 02-14 (make-up); 春节 off; 12 Tue 02-24;
		// 13 Wed 02-25.
		{"13-day complaint", "2026-01-30", 13, "2026-02-25"},
	}
	for _, tt := range tests {
		got := c.AddWorkdays(MustDate(tt.start), tt.n)
		if got != MustDate(tt.want) {
			t.Errorf("%s: AddWorkdays(%s, %d) = %s, want %s", tt.name, tt.start, tt.n, got, tt.want)
		}
		if between := c.WorkdaysBetween(MustDate(tt.start), got); between != tt.n {
			t.Errorf("%s: WorkdaysBetween(%s, %s) = %d, want %d", tt.name, tt.start, got, between, tt.n)
		}
	}
}

func TestWorkdaysBetween(t *testing.T) {
	c := calendar2026(t)
	tests := []struct {
		a, b string
		want int
	}{
		{"2026-02-13", "2026-02-24", 2},  // 02-14 and 02-24
		{"2026-02-14", "2026-02-23", 0},  // all 春节
		{"2026-01-01", "2026-01-31", 21}, // January: 22 weekdays, less 01-01 and 01-02, plus 01-04 = 21
		{"2026-02-24", "2026-02-13", -2}, // 02-13 and 02-14
		{"2026-03-02", "2026-03-02", 0},
	}
	for _, tt := range tests {
		if got := c.WorkdaysBetween(MustDate(tt.a), MustDate(tt.b)); got != tt.want {
			t.Errorf("WorkdaysBetween(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestCalendarCoversAndNil(t *testing.T) {
	c := calendar2026(t)
	if !c.Covers(MustDate("2026-12-31")) || c.Covers(MustDate("2027-01-01")) || c.Covers(MustDate("2025-12-31")) {
		t.Error("Covers is wrong at the year's edges")
	}
	if ys := c.Years(); len(ys) != 1 || ys[0] != 2026 {
		t.Errorf("Years() = %v", ys)
	}
	var none *Calendar
	if none.Covers(MustDate("2026-02-16")) || none.Years() != nil || none.HolidayName(MustDate("2026-02-16")) != "" {
		t.Error("a nil calendar claims to know something")
	}
	// Plain weekends only: from Tue 02-10, 20 weekdays is Tue 03-10.
	if got := none.AddWorkdays(MustDate("2026-02-10"), 20); got != MustDate("2026-03-10") {
		t.Errorf("nil calendar AddWorkdays = %s, want 2026-03-10", got)
	}
	if !none.IsWorkday(MustDate("2026-02-16")) {
		t.Error("a nil calendar should not know about 春节")
	}
}

func TestNewCalendarErrors(t *testing.T) {
	d := MustDate
	edit := func(f func(*CalendarYear)) []CalendarYear {
		y := cal2026()
		f(&y)
		return []CalendarYear{y}
	}
	tests := []struct {
		name  string
		years []CalendarYear
		want  string
	}{
		{"from after to", edit(func(y *CalendarYear) { y.Holidays[0].From, y.Holidays[0].To = d("2026-01-03"), d("2026-01-01") }),
			"holiday 元旦 ends (2026-01-01) before it starts (2026-01-03)"},
		{"holiday outside the year", edit(func(y *CalendarYear) { y.Holidays[0].From = d("2025-12-31") }),
			"holiday 元旦 2025-12-31..2026-01-03 is not within 2026"},
		{"workday outside the year", edit(func(y *CalendarYear) { y.Workdays[0].Date = d("2027-01-02") }),
			"make-up working day 2027-01-02 is not within 2026"},
		{"workday on a weekday", edit(func(y *CalendarYear) { y.Workdays[1].Date = d("2026-02-13") }),
			"make-up working day 2026-02-13 is a Friday, not a weekend day"},
		{"workday inside a holiday", edit(func(y *CalendarYear) { y.Workdays[1].Date = d("2026-02-15") }),
			"2026-02-15 is both a make-up working day and part of 春节"},
		{"workday twice", edit(func(y *CalendarYear) { y.Workdays[2].Date = d("2026-02-14") }),
			"make-up working day 2026-02-14 is listed twice"},
		{"overlapping holidays", edit(func(y *CalendarYear) { y.Holidays[6].From = d("2026-09-27") }),
			"holidays 中秋节 and 国庆节 both have 2026-09-27"},
		{"unnamed holiday", edit(func(y *CalendarYear) { y.Holidays[0].Name = "" }), "has no name"},
		{"impossible date", edit(func(y *CalendarYear) { y.Holidays[0].To = Date{2026, 2, 30} }), "is not within 2026"},
		{"year twice", []CalendarYear{cal2026(), cal2026()}, "calendar 2026 is given twice"},
		{"year zero", []CalendarYear{{}}, "calendar year 0 is not a plausible year"},
	}
	for _, tt := range tests {
		c, err := NewCalendar(tt.years...)
		if err == nil || c != nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: NewCalendar = %v, %v; want an error mentioning %q", tt.name, c, err, tt.want)
		}
	}
	if c, err := NewCalendar(); err != nil || c.Covers(MustDate("2026-01-01")) {
		t.Errorf("empty calendar: %v", err)
	}
}
