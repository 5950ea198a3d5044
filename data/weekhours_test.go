package data

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestParseSpan(t *testing.T) {
	tests := []struct {
		in      string
		want    Span
		wantErr string
	}{
		{in: "08:30-17:00", want: Span{510, 1020}},
		{in: "00:00-24:00", want: Span{0, 1440}},
		{in: "22:00-02:00", want: Span{1320, 120}},
		{in: "18:00-00:00", want: Span{1080, 1440}}, // midnight end read as 24:00
		{in: "23:59-24:00", want: Span{1439, 1440}},
		{in: "8:30-17:00", wantErr: `start: "8:30" is not HH:MM`},
		{in: "08:30-17", wantErr: `end: "17" is not HH:MM`},
		{in: "08:30", wantErr: "want HH:MM-HH:MM"},
		{in: "", wantErr: "want HH:MM-HH:MM"},
		{in: "08:60-17:00", wantErr: "more than 59 minutes"},
		{in: "24:00-17:00", wantErr: "past 23:59"},
		{in: "08:00-24:30", wantErr: "past 23:59"},
		{in: "08:00-08:00", wantErr: "same"},
		{in: "08:00 - 17:00", wantErr: "not HH:MM"},
		{in: "０８:00-17:00", wantErr: "not HH:MM"},
	}
	for _, tt := range tests {
		got, err := ParseSpan(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseSpan(%q) error = %v, want it to mention %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseSpan(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestSpanJSON(t *testing.T) {
	for _, s := range []string{`"08:30-17:00"`, `"22:00-02:00"`, `"00:00-24:00"`} {
		var sp Span
		if err := json.Unmarshal([]byte(s), &sp); err != nil {
			t.Fatalf("unmarshal %s: %v", s, err)
		}
		b, err := json.Marshal(sp)
		if err != nil || string(b) != s {
			t.Errorf("round trip of %s gave %s, %v", s, b, err)
		}
	}
	for _, bad := range []Span{{}, {-1, 60}, {0, 1441}, {1440, 60}} {
		if b, err := json.Marshal(bad); err == nil {
			t.Errorf("Marshal(%#v) = %s, want an error", bad, b)
		}
	}
	var sp Span
	if err := json.Unmarshal([]byte(`510`), &sp); err == nil {
		t.Error("a number unmarshalled as a span")
	}
}

// officeHours are a street service centre's: split weekdays, Saturday
// morning, Sunday closed.
func officeHours() WeekHours {
	var h WeekHours
	for wd := time.Monday; wd <= time.Friday; wd++ {
		h[wd] = []Span{{510, 720}, {840, 1050}} // 08:30-12:00 14:00-17:30
	}
	h[time.Saturday] = []Span{{540, 720}}
	return h
}

func TestWeekHoursJSON(t *testing.T) {
	h := officeHours()
	b, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"mon":["08:30-12:00","14:00-17:30"],"tue":["08:30-12:00","14:00-17:30"],"wed":["08:30-12:00","14:00-17:30"],"thu":["08:30-12:00","14:00-17:30"],"fri":["08:30-12:00","14:00-17:30"],"sat":["09:00-12:00"]}`
	if string(b) != want {
		t.Errorf("Marshal =\n%s\nwant\n%s", b, want)
	}
	var back WeekHours
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.String() != h.String() || len(back[time.Sunday]) != 0 || back[time.Friday][1] != (Span{840, 1050}) {
		t.Errorf("round trip gave %v, want %v", back, h)
	}

	var empty WeekHours
	if b, _ := json.Marshal(empty); string(b) != "{}" {
		t.Errorf("closed week marshals as %s, want {}", b)
	}
	var p Provider
	if err := json.Unmarshal([]byte(`{"hours":{"sun":["10:00-16:00"],"mon":[]}}`), &p); err != nil {
		t.Fatal(err)
	}
	if len(p.Hours[time.Sunday]) != 1 || len(p.Hours[time.Monday]) != 0 {
		t.Errorf("hours inside a provider = %v", p.Hours)
	}
}

func TestWeekHoursUnmarshalErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"monday":["08:00-12:00"]}`, `unknown day "monday"`},
		{`{"Mon":["08:00-12:00"]}`, `unknown day "Mon"`},
		{`{"mon":["8-12"]}`, `hours mon: span "8-12"`},
		{`{"tue":["08:00-08:00"]}`, `hours tue: span "08:00-08:00": start and end are the same`},
		{`{"wed":"08:00-12:00"}`, `want an object`},
		{`["08:00-12:00"]`, `want an object`},
	}
	for _, tt := range tests {
		var h WeekHours
		err := json.Unmarshal([]byte(tt.in), &h)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Unmarshal(%s) error = %v, want it to mention %q", tt.in, err, tt.want)
		}
	}
}

func TestOpenAt(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, cst)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	office := officeHours()
	var bar WeekHours // a late-night canteen: Friday and Saturday 18:00-02:00
	bar[time.Friday] = []Span{{1080, 120}}
	bar[time.Saturday] = []Span{{1080, 120}}
	var allDay WeekHours
	allDay[time.Wednesday] = []Span{{0, 1440}}

	tests := []struct {
		h    WeekHours
		when string // 2026-03-02 is a Monday
		want bool
	}{
		{office, "2026-03-02 08:29", false},
		{office, "2026-03-02 08:30", true},
		{office, "2026-03-02 11:59", true},
		{office, "2026-03-02 12:00", false}, // the end is exclusive
		{office, "2026-03-02 13:00", false},
		{office, "2026-03-02 17:29", true},
		{office, "2026-03-07 10:00", true},  // Saturday morning
		{office, "2026-03-07 15:00", false}, // Saturday afternoon
		{office, "2026-03-08 10:00", false}, // Sunday
		{bar, "2026-03-06 17:59", false},    // Friday before opening
		{bar, "2026-03-06 23:30", true},
		{bar, "2026-03-07 01:59", true}, // Saturday small hours, from Friday
		{bar, "2026-03-07 02:00", false},
		{bar, "2026-03-08 01:00", true},  // Sunday small hours, from Saturday
		{bar, "2026-03-05 01:00", false}, // Thursday: Wednesday has no late span
		{bar, "2026-03-09 01:00", false}, // Monday: Sunday is closed
		{allDay, "2026-03-04 00:00", true},
		{allDay, "2026-03-04 23:59", true},
		{allDay, "2026-03-05 00:00", false},
	}
	for _, tt := range tests {
		if got := tt.h.OpenAt(at(tt.when)); got != tt.want {
			t.Errorf("OpenAt(%s) with %v = %v, want %v", tt.when, tt.h.Summary(EN), got, tt.want)
		}
	}
}

func TestWeekHoursValidate(t *testing.T) {
	hours := func(day time.Weekday, spans ...string) WeekHours {
		var h WeekHours
		for _, s := range spans {
			h[day] = append(h[day], must(ParseSpan(s)))
		}
		return h
	}
	tests := []struct {
		name string
		h    WeekHours
		want string // "" for valid
	}{
		{"office", officeHours(), ""},
		{"closed", WeekHours{}, ""},
		{"touching spans", hours(time.Monday, "08:00-12:00", "12:00-14:00"), ""},
		{"out of order but apart", hours(time.Monday, "14:00-17:00", "08:00-12:00"), ""},
		{"overlap", hours(time.Monday, "08:00-12:30", "12:00-14:00"), "hours mon: 08:00-12:30 overlaps 12:00-14:00"},
		{"inside", hours(time.Tuesday, "08:00-18:00", "09:00-10:00"), "hours tue: 08:00-18:00 overlaps 09:00-10:00"},
		{"overnight then evening", hours(time.Friday, "20:00-02:00", "21:00-22:00"), "hours fri: 20:00-02:00 overlaps 21:00-22:00"},
		{"bad span", WeekHours{time.Sunday: {{600, 600}}}, "hours sun 10:00-10:00: start and end are the same"},
		{"minutes out of range", WeekHours{time.Monday: {{-5, 600}}}, "outside the day"},
	}
	// Saturday's overnight span runs into Sunday's morning opening.
	spill := hours(time.Saturday, "20:00-03:00")
	spill[time.Sunday] = []Span{must(ParseSpan("02:00-05:00"))}
	tests = append(tests, struct {
		name string
		h    WeekHours
		want string
	}{"spills into next day", spill, "hours sun: 20:00-03:00 from sat overlaps 02:00-05:00"})

	for _, tt := range tests {
		err := tt.h.Validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: Validate() = %v, want nil", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: Validate() = %v, want it to mention %q", tt.name, err, tt.want)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestSummary(t *testing.T) {
	span := func(s string) Span { return must(ParseSpan(s)) }
	var daily WeekHours
	for i := range daily {
		daily[i] = []Span{span("07:00-22:00")}
	}
	var weekend WeekHours
	weekend[time.Saturday] = []Span{span("09:00-17:00")}
	weekend[time.Sunday] = []Span{span("09:00-17:00")}
	var mixed WeekHours
	mixed[time.Monday] = []Span{span("14:00-17:00"), span("09:00-12:00")} // out of order on purpose
	mixed[time.Wednesday] = []Span{span("09:00-12:00"), span("14:00-17:00")}
	mixed[time.Friday] = []Span{span("18:00-02:00")}

	tests := []struct {
		h      WeekHours
		zh, en string
	}{
		{officeHours(),
			"周一至周五 08:30-12:00 14:00-17:30；周六 09:00-12:00；周日休息",
			"Mon–Fri 08:30-12:00, 14:00-17:30; Sat 09:00-12:00; Sun closed"},
		{daily, "每天 07:00-22:00", "Daily 07:00-22:00"},
		{weekend, "周一至周五休息；周六、周日 09:00-17:00", "Mon–Fri closed; Sat, Sun 09:00-17:00"},
		{mixed,
			"周一 09:00-12:00 14:00-17:00；周二休息；周三 09:00-12:00 14:00-17:00；周四休息；周五 18:00-02:00；周六、周日休息",
			"Mon 09:00-12:00, 14:00-17:00; Tue closed; Wed 09:00-12:00, 14:00-17:00; Thu closed; Fri 18:00-02:00; Sat, Sun closed"},
		{WeekHours{}, "暂停开放", "Closed"},
	}
	for _, tt := range tests {
		if got := tt.h.Summary(ZH); got != tt.zh {
			t.Errorf("Summary(ZH) = %q, want %q", got, tt.zh)
		}
		if got := tt.h.String(); got != tt.zh {
			t.Errorf("String() = %q, want %q", got, tt.zh)
		}
		if got := tt.h.Summary(EN); got != tt.en {
			t.Errorf("Summary(EN) = %q, want %q", got, tt.en)
		}
	}
}
