package data

// ContentSet is a batch of content as district admins write it: the shape
// of the demo content and of `districtd publish` files. Every item in it is
// an upsert.
type ContentSet struct {
	Streets       []Street       `json:"streets,omitempty"`
	Notices       []Notice       `json:"notices,omitempty"`
	Catalog       []CatalogEntry `json:"catalog,omitempty"`
	Services      []ServiceItem  `json:"services,omitempty"`
	Providers     []Provider     `json:"providers,omitempty"`
	Consultations []Consultation `json:"consultations,omitempty"`
	Calendars     []CalendarYear `json:"calendars,omitempty"`
}
