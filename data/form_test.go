package data

import "testing"

func TestPickerStart(t *testing.T) {
	today := MustDate("2026-11-25")
	tests := []struct {
		field FormField
		today Date
		want  string
	}{
		{FormField{Code: "birth_date", Label: "出生日期", Type: FieldDate}, today, "1986-11-25"},
		{FormField{Code: "child_birth_date", Label: "子女出生日期", Type: FieldDate}, today, "1986-11-25"},
		{FormField{Code: "birth_date", Type: FieldDate}, MustDate("2024-02-29"), "1984-02-29"},
		{FormField{Code: "birth_date", Type: FieldDate}, MustDate("2025-02-28"), "1985-02-28"},
		// 29 February, 40 years back in a common year (1900).
		{FormField{Code: "birth_date", Type: FieldDate}, MustDate("1940-02-29"), "1900-02-28"},
		{FormField{Code: "happened_on", Label: "困难发生日期", Type: FieldDate}, today, "2026-11-25"},
		{FormField{Code: "dog_birth", Label: "犬只出生日期", Type: FieldDate}, today, "2026-11-25"},
		{FormField{Code: "birth_date", Label: "出生日期", Type: FieldText}, today, "2026-11-25"},
	}
	for _, tc := range tests {
		if got := tc.field.PickerStart(tc.today); got != MustDate(tc.want) {
			t.Errorf("%s (%s) on %s starts at %s, want %s", tc.field.Code, tc.field.Type, tc.today, got, tc.want)
		}
	}
}
