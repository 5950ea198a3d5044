package data

// CalendarYear is one year of the official working-day calendar: the
// public holidays and the weekend days that are made up as working days
// (调休). It is content: it arrives by sync or bundle each year.
type CalendarYear struct {
	Year     int       `json:"year"`
	Source   string    `json:"source" limit:"title"` // e.g. the State Council notice it follows
	Demo     bool      `json:"demo,omitempty"`       // true where the dates are not official
	Holidays []Holiday `json:"holidays"`
	Workdays []Workday `json:"workdays"` // weekend days that are working days
}

// Holiday is a named run of days off, From to To inclusive.
type Holiday struct {
	Name string `json:"name" limit:"name"` // 春节, 国庆节, ...
	From Date   `json:"from"`
	To   Date   `json:"to"`
}

// Workday is a weekend day made up as a working day.
type Workday struct {
	Date Date   `json:"date"`
	For  string `json:"for,omitempty" limit:"name"` // the holiday it makes up for
}
