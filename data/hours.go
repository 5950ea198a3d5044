package data

// Span is an opening period within one day, in minutes after midnight.
// End may be 1440 (24:00). An End before Start runs past midnight into the
// next day. It marshals as "08:30-17:00".
type Span struct {
	Start int
	End   int
}

// WeekHours are a provider's opening periods for each weekday, indexed by
// time.Weekday (0 = Sunday). A day with no spans is closed. It marshals as
// an object {"mon": ["08:00-12:00", "14:00-17:30"], ...}, with closed days
// left out.
type WeekHours [7][]Span
