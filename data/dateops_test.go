package data

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"2024-02-29", true}, // leap year
		{"2000-02-29", true}, // divisible by 400
		{"2026-02-28", true},
		{"2026-02-29", false},
		{"1900-02-29", false}, // divisible by 100, not 400
		{"2026-04-31", false},
		{"2026-13-01", false},
		{"2026-1-05", false},
		{"2026/01/05", false},
		{"", false},
	}
	for _, tt := range tests {
		d, err := ParseDate(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("ParseDate(%q) = %v, %v; want ok=%v", tt.in, d, err, tt.ok)
		}
		if tt.ok && (d.String() != tt.in || !d.Valid()) {
			t.Errorf("ParseDate(%q) = %v", tt.in, d)
		}
	}
}

func TestDateValid(t *testing.T) {
	tests := []struct {
		d    Date
		want bool
	}{
		{Date{2024, 2, 29}, true},
		{Date{2026, 2, 29}, false},
		{Date{2026, 12, 31}, true},
		{Date{2026, 13, 1}, false},
		{Date{2026, 0, 1}, false},
		{Date{2026, 1, 0}, false},
		{Date{}, false},
	}
	for _, tt := range tests {
		if got := tt.d.Valid(); got != tt.want {
			t.Errorf("%#v.Valid() = %v, want %v", tt.d, got, tt.want)
		}
	}
}

func TestDateArithmetic(t *testing.T) {
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2024-02-28", 1, "2024-02-29"},
		{"2026-02-28", 1, "2026-03-01"},
		{"2024-03-01", -1, "2024-02-29"},
		{"2026-12-31", 1, "2027-01-01"},
		{"2026-02-10", 34, "2026-03-16"},
		{"2026-03-16", -34, "2026-02-10"},
	}
	for _, tt := range tests {
		if got := MustDate(tt.from).AddDays(tt.n); got != MustDate(tt.want) {
			t.Errorf("%s + %d = %s, want %s", tt.from, tt.n, got, tt.want)
		}
	}
	a, b := MustDate("2026-02-28"), MustDate("2026-03-01")
	if !a.Before(b) || b.Before(a) || !b.After(a) || a.After(b) || a.After(a) || a.Before(a) {
		t.Error("Before/After are wrong")
	}
	if a.Compare(b) != -1 || b.Compare(a) != 1 || a.Compare(a) != 0 || MustDate("2025-12-31").Compare(MustDate("2026-01-01")) != -1 {
		t.Error("Compare is wrong")
	}
	// The day of a time is taken in the time's own zone: 20:00 UTC on
	// 02-28 is already 03-01 in Guangzhou.
	cst := time.FixedZone("CST", 8*3600)
	if got := DateOf(time.Date(2026, 2, 28, 20, 0, 0, 0, time.UTC).In(cst)); got != b {
		t.Errorf("DateOf = %s, want %s", got, b)
	}
	if got := MustDate("2024-02-29").Chinese(); got != "2024年2月29日" {
		t.Errorf("Chinese() = %q", got)
	}
}

func TestDateJSON(t *testing.T) {
	type doc struct {
		D Date  `json:"d"`
		P *Date `json:"p,omitempty"`
	}
	leap := MustDate("2024-02-29")
	b, err := json.Marshal(doc{D: leap, P: &leap})
	if err != nil || string(b) != `{"d":"2024-02-29","p":"2024-02-29"}` {
		t.Fatalf("Marshal = %s, %v", b, err)
	}
	var back doc
	if err := json.Unmarshal(b, &back); err != nil || back.D != leap || *back.P != leap {
		t.Fatalf("round trip = %+v, %v", back, err)
	}
	if b, _ := json.Marshal(doc{}); string(b) != `{"d":""}` {
		t.Errorf("zero date marshals as %s", b)
	}
	for _, in := range []string{`{"d":""}`, `{"d":null}`} {
		back := doc{D: leap}
		if err := json.Unmarshal([]byte(in), &back); err != nil || !back.D.IsZero() {
			t.Errorf("Unmarshal(%s) = %+v, %v; want the zero date", in, back, err)
		}
	}
	bad := []struct{ in, want string }{
		{`{"d":"2026-02-29"}`, `date "2026-02-29"`},
		{`{"d":"29/02/2024"}`, `date "29/02/2024"`},
		{`{"d":20240229}`, "want a string"},
	}
	for _, tt := range bad {
		var v doc
		err := json.Unmarshal([]byte(tt.in), &v)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Unmarshal(%s) = %v, want an error mentioning %q", tt.in, err, tt.want)
		}
	}
}
