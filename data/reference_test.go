package data

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestNewReference(t *testing.T) {
	at := time.Date(2026, 11, 25, 23, 30, 0, 0, time.UTC) // 26 November in China
	cases := []struct {
		kiosk int64
		t     time.Time
		seq   int
		want  string // prefix, without the check character
		err   bool
	}{
		{0, RefEpoch.Time(chinaZone), 1, "000-000-01", false},
		{1, at, 1, "001-", false},
		{MaxRefKiosk, at, MaxRefSerial, "YYY-", false},
		{-1, at, 1, "", true},
		{MaxRefKiosk + 1, at, 1, "", true},
		{1, at, 0, "", true},
		{1, at, MaxRefSerial + 1, "", true},
		{1, time.Date(2023, 12, 31, 0, 0, 0, 0, chinaZone), 1, "", true},
	}
	for _, c := range cases {
		got, err := NewReference(c.kiosk, c.t, c.seq)
		if c.err {
			if err == nil {
				t.Errorf("NewReference(%d, %v, %d) = %q, want an error", c.kiosk, c.t, c.seq, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("NewReference(%d, %v, %d): %v", c.kiosk, c.t, c.seq, err)
			continue
		}
		if len(got) != 11 || !strings.HasPrefix(got, c.want) {
			t.Errorf("NewReference(%d, %v, %d) = %q, want %q...", c.kiosk, c.t, c.seq, got, c.want)
		}
		if err := CheckReference(got); err != nil {
			t.Errorf("CheckReference(%q): %v", got, err)
		}
	}
	// The day is China's: 23:30 UTC on the 25th is the 26th.
	a, _ := NewReference(1, at, 1)
	b, _ := NewReference(1, time.Date(2026, 11, 26, 8, 0, 0, 0, chinaZone), 1)
	if a != b {
		t.Errorf("same China day, different references %s and %s", a, b)
	}
}

// TestReferenceUnique makes a million references on 100 kiosks, 400 a day
// each for 25 days, and finds no two alike.
func TestReferenceUnique(t *testing.T) {
	const kiosks, days, perDay = 100, 25, 400
	seen := make(map[string]struct{}, kiosks*days*perDay)
	day := time.Date(2026, 3, 2, 10, 0, 0, 0, chinaZone)
	for k := int64(0); k < kiosks; k++ {
		for d := 0; d < days; d++ {
			for s := 1; s <= perDay; s++ {
				r, err := NewReference(k, day.AddDate(0, 0, d), s)
				if err != nil {
					t.Fatal(err)
				}
				if _, dup := seen[r]; dup {
					t.Fatalf("%s made twice", r)
				}
				seen[r] = struct{}{}
			}
		}
	}
	if len(seen) != 1_000_000 {
		t.Fatalf("made %d references, want 1,000,000", len(seen))
	}
}

func TestCheckReferenceCatchesTypos(t *testing.T) {
	day := time.Date(2026, 12, 1, 9, 0, 0, 0, chinaZone)
	var samples []string
	for _, k := range []int64{0, 7, 123, 4567, MaxRefKiosk} {
		for _, s := range []int{1, 2, 31, 500, MaxRefSerial} {
			r, err := NewReference(k, day, s)
			if err != nil {
				t.Fatal(err)
			}
			samples = append(samples, NormalizeReference(r))
		}
	}
	for _, r := range samples {
		for i := 0; i < len(r); i++ {
			// Every other character of the alphabet in every place.
			for j := 0; j < len(refAlphabet); j++ {
				if refAlphabet[j] == r[i] {
					continue
				}
				typo := r[:i] + string(refAlphabet[j]) + r[i+1:]
				if err := CheckReference(typo); err == nil {
					t.Errorf("%s: typo %s at %d passes", r, typo, i)
				}
			}
			// Every swap of two different neighbours.
			if i+1 < len(r) && r[i] != r[i+1] {
				swap := r[:i] + string(r[i+1]) + string(r[i]) + r[i+2:]
				if err := CheckReference(swap); err == nil {
					t.Errorf("%s: swap %s at %d passes", r, swap, i)
				}
			}
		}
	}
}

func TestCheckReferenceInput(t *testing.T) {
	r, _ := NewReference(42, time.Date(2026, 5, 6, 9, 0, 0, 0, chinaZone), 7)
	cases := []struct {
		in   string
		want error
	}{
		{r, nil},
		{strings.ToLower(r), nil},
		{strings.ReplaceAll(r, "-", " "), nil},
		{strings.ReplaceAll(r, "0", "O"), nil}, // O read as 0
		{"", ErrRefLength},
		{r + "1", ErrRefLength},
		{"ZZZ-ZZZ-ZZZ", ErrRefChar},
		{"UUU-000-011", ErrRefChar},
	}
	for _, c := range cases {
		if err := CheckReference(c.in); !errors.Is(err, c.want) {
			t.Errorf("CheckReference(%q) = %v, want %v", c.in, err, c.want)
		}
	}
	if got := FormatReference(strings.ReplaceAll(strings.ToLower(r), "-", "")); got != r {
		t.Errorf("FormatReference = %q, want %q", got, r)
	}
}
