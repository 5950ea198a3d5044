package data

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

const minutesPerDay = 24 * 60

// ParseSpan parses "08:30-17:00". The end may be "24:00". An end before the
// start means the span runs past midnight ("22:00-02:00"); an end of
// "00:00" is read as "24:00", because that is what people mean by it.
func ParseSpan(s string) (Span, error) {
	from, to, ok := strings.Cut(s, "-")
	if !ok {
		return Span{}, fmt.Errorf("span %q: want HH:MM-HH:MM, e.g. 08:30-17:00", s)
	}
	start, err := parseClock(from, false)
	if err != nil {
		return Span{}, fmt.Errorf("span %q: start: %v", s, err)
	}
	end, err := parseClock(to, true)
	if err != nil {
		return Span{}, fmt.Errorf("span %q: end: %v", s, err)
	}
	if end == 0 {
		end = minutesPerDay
	}
	sp := Span{Start: start, End: end}
	if err := sp.check(); err != nil {
		return Span{}, fmt.Errorf("span %q: %v", s, err)
	}
	return sp, nil
}

// parseClock reads "HH:MM" strictly (two digits each) so that typos such as
// "8:3" are caught rather than guessed at.
func parseClock(s string, allow24 bool) (int, error) {
	if len(s) != 5 || s[2] != ':' || !isDigits(s[:2]) || !isDigits(s[3:]) {
		return 0, fmt.Errorf("%q is not HH:MM", s)
	}
	h := int(s[0]-'0')*10 + int(s[1]-'0')
	m := int(s[3]-'0')*10 + int(s[4]-'0')
	switch {
	case m > 59:
		return 0, fmt.Errorf("%q has more than 59 minutes", s)
	case h == 24 && m == 0 && allow24:
		return minutesPerDay, nil
	case h > 23:
		return 0, fmt.Errorf("%q is past 23:59", s)
	}
	return h*60 + m, nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// Overnight reports whether s runs past midnight into the next day.
func (s Span) Overnight() bool { return s.End < s.Start }

func (s Span) check() error {
	switch {
	case s.Start < 0 || s.Start >= minutesPerDay:
		return fmt.Errorf("start %d is outside the day", s.Start)
	case s.End < 0 || s.End > minutesPerDay:
		return fmt.Errorf("end %d is outside the day", s.End)
	case s.Start == s.End:
		return fmt.Errorf("start and end are the same")
	}
	return nil
}

// String formats s as "08:30-17:00".
func (s Span) String() string {
	return clock(s.Start) + "-" + clock(s.End)
}

func clock(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// MarshalJSON writes "08:30-17:00". It refuses a span that ParseSpan would
// not read back, so bad hours never leave this process.
func (s Span) MarshalJSON() ([]byte, error) {
	if err := s.check(); err != nil {
		return nil, fmt.Errorf("span %s: %v", s, err)
	}
	return json.Marshal(s.String())
}

// UnmarshalJSON reads "08:30-17:00".
func (s *Span) UnmarshalJSON(b []byte) error {
	var str string
	if err := json.Unmarshal(b, &str); err != nil {
		return fmt.Errorf("span: want a string like \"08:30-17:00\", got %s", b)
	}
	v, err := ParseSpan(str)
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// dayKeys are the JSON keys of WeekHours, indexed by time.Weekday.
var dayKeys = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// mondayFirst is the order of days on Chinese timetables and in JSON.
var mondayFirst = [7]time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

// DayKey is a weekday's key in WeekHours' JSON ("mon").
func DayKey(wd time.Weekday) string { return dayKeys[wd] }

// MondayFirst is the days in the order of Chinese timetables.
func MondayFirst() [7]time.Weekday { return mondayFirst }

// MarshalJSON writes {"mon": ["08:30-12:00"], ...} Monday first, leaving
// closed days out. The order is fixed by hand because a map would sort the
// keys alphabetically, which reads badly in files admins edit.
func (h WeekHours) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	first := true
	for _, wd := range mondayFirst {
		if len(h[wd]) == 0 {
			continue
		}
		spans, err := json.Marshal(h[wd])
		if err != nil {
			return nil, fmt.Errorf("hours %s: %v", dayKeys[wd], err)
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		fmt.Fprintf(&b, "%q:%s", dayKeys[wd], spans)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads the object MarshalJSON writes. Unknown day keys and
// malformed spans are errors; whether the spans overlap is Validate's job.
func (h *WeekHours) UnmarshalJSON(b []byte) error {
	var m map[string][]string
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("hours: want an object like {\"mon\": [\"08:30-17:00\"]}: %v", err)
	}
	var out WeekHours
	for key, list := range m {
		wd := slices.Index(dayKeys[:], key)
		if wd < 0 {
			return fmt.Errorf("hours: unknown day %q (want mon, tue, wed, thu, fri, sat or sun)", key)
		}
		for _, str := range list {
			sp, err := ParseSpan(str)
			if err != nil {
				return fmt.Errorf("hours %s: %v", key, err)
			}
			out[wd] = append(out[wd], sp)
		}
	}
	*h = out
	return nil
}

// OpenAt reports whether the hours include t, read in t's location (the
// kiosk passes local Beijing time). A span past midnight on the previous
// day counts too, so a Friday "22:00-02:00" is open at 01:00 on Saturday.
func (h WeekHours) OpenAt(t time.Time) bool {
	wd := t.Weekday()
	m := t.Hour()*60 + t.Minute()
	for _, s := range h[wd] {
		if s.Overnight() {
			if m >= s.Start {
				return true
			}
		} else if m >= s.Start && m < s.End {
			return true
		}
	}
	for _, s := range h[(wd+6)%7] {
		if s.Overnight() && m < s.End {
			return true
		}
	}
	return false
}

// Validate checks every span and that no two overlap on any day, counting
// the early-morning part of the previous day's overnight spans.
func (h WeekHours) Validate() error {
	for wd := range 7 {
		for _, s := range h[wd] {
			if err := s.check(); err != nil {
				return fmt.Errorf("hours %s %s: %v", dayKeys[wd], s, err)
			}
		}
	}
	type part struct {
		from, to int
		span     Span
		prevDay  bool
	}
	for _, wd := range mondayFirst {
		var parts []part
		for _, s := range h[wd] {
			end := s.End
			if s.Overnight() {
				end = minutesPerDay
			}
			parts = append(parts, part{s.Start, end, s, false})
		}
		for _, s := range h[(wd+6)%7] {
			if s.Overnight() {
				parts = append(parts, part{0, s.End, s, true})
			}
		}
		slices.SortFunc(parts, func(a, b part) int { return a.from - b.from })
		for i := 1; i < len(parts); i++ {
			a, b := parts[i-1], parts[i]
			if b.from < a.to {
				name := func(p part) string {
					if p.prevDay {
						return p.span.String() + " from " + dayKeys[(wd+6)%7]
					}
					return p.span.String()
				}
				return fmt.Errorf("hours %s: %s overlaps %s", dayKeys[wd], name(a), name(b))
			}
		}
	}
	return nil
}

// Closed reports whether there are no opening hours at all.
func (h WeekHours) Closed() bool {
	for _, spans := range h {
		if len(spans) > 0 {
			return false
		}
	}
	return true
}

// String is the Chinese Summary, the kiosk's default language.
func (h WeekHours) String() string { return h.Summary(ZH) }

var dayNames = map[Lang][7]string{
	ZH: {"周日", "周一", "周二", "周三", "周四", "周五", "周六"},
	EN: {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"},
}

// Summary gives the hours as one short line, Monday first, with runs of
// days that keep the same hours grouped:
//
//	周一至周五 08:30-12:00 14:00-17:30；周六 09:00-12:00；周日休息
//	Mon–Fri 08:30-12:00, 14:00-17:30; Sat 09:00-12:00; Sun closed
func (h WeekHours) Summary(l Lang) string {
	en := l == EN
	names := dayNames[ZH]
	if en {
		names = dayNames[EN]
	}
	if h.Closed() {
		if en {
			return "Closed"
		}
		return "暂停开放"
	}
	var days [7][]Span
	for wd, spans := range h {
		days[wd] = slices.Clone(spans)
		slices.SortFunc(days[wd], func(a, b Span) int { return a.Start - b.Start })
	}
	var groups []string
	for i := 0; i < 7; {
		j := i
		for j+1 < 7 && slices.Equal(days[mondayFirst[j+1]], days[mondayFirst[i]]) {
			j++
		}
		var when string
		switch {
		case i == 0 && j == 6:
			when = map[bool]string{false: "每天", true: "Daily"}[en]
		case i == j:
			when = names[mondayFirst[i]]
		case j == i+1:
			when = names[mondayFirst[i]] + map[bool]string{false: "、", true: ", "}[en] + names[mondayFirst[j]]
		default:
			when = names[mondayFirst[i]] + map[bool]string{false: "至", true: "–"}[en] + names[mondayFirst[j]]
		}
		spans := days[mondayFirst[i]]
		switch {
		case len(spans) == 0 && en:
			groups = append(groups, when+" closed")
		case len(spans) == 0:
			groups = append(groups, when+"休息")
		default:
			texts := make([]string, len(spans))
			for k, s := range spans {
				texts[k] = s.String()
			}
			sep := " "
			if en {
				sep = ", "
			}
			groups = append(groups, when+" "+strings.Join(texts, sep))
		}
		i = j + 1
	}
	if en {
		return strings.Join(groups, "; ")
	}
	return strings.Join(groups, "；")
}
