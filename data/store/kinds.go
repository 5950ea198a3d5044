package store

import (
	"cmp"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"

	"jiezhen/data"
	"jiezhen/data/fastjson"
)

// row is what one content item becomes in the database: the values of its
// kind's list columns, its searchable text and, for providers, its hours.
type row struct {
	street      string
	vals        []any // in the order of kindSpec.cols
	title, text string
	hours       []hourRow // providers: the week's rows, whose key is the last of vals
}

// kindSpec ties a content kind to its table and to the functions that
// turn a change body into a row. Adding a kind means a migration and an
// entry here.
type kindSpec struct {
	kind       data.Kind
	table      string
	cols       []string // list columns after id, version, street; doc comes last
	searchable bool

	newV   func() any                          // a new value of the kind's type, as a pointer
	bodyID func(v any) *string                 // the id inside the body; nil: the body has none
	toRow  func(id string, v any) (row, error) // street, list columns, hours; checks
	toText func(v any) (title, text string)    // the searchable text, when searchable

	// capture names the body's top-level fields toRow reads; fast is the
	// schema fastjson reads the body with (nil: encoding/json only).
	capture []string
	fast    *fastjson.Schema
}

// decode decodes a body with encoding/json into a row, with its search
// text: what the indexer and the one-by-one paths use.
func (spec *kindSpec) decode(id string, body []byte) (row, error) {
	v := spec.newV()
	if err := spec.unmarshal(id, body, v); err != nil {
		return row{}, err
	}
	r, err := spec.toRow(id, v)
	if err != nil {
		return row{}, err
	}
	if spec.toText != nil {
		r.title, r.text = spec.toText(v)
	}
	return r, nil
}

// columns is decode without the search text, for the batch apply: the
// body is read by fastjson when it can answer for it (in one pass, storing
// only the captured fields: about a fifth of encoding/json's CPU time on
// the district's bodies), by encoding/json otherwise, with the same result
// and the same errors either way.
func (spec *kindSpec) columns(id string, body []byte) (row, error) {
	v := spec.newV()
	if spec.fast == nil || !spec.fast.Decode(body, v) || !idMatches(spec.bodyID(v), id) {
		v = spec.newV()
		if err := spec.unmarshal(id, body, v); err != nil {
			return row{}, err
		}
	}
	return spec.toRow(id, v)
}

func (spec *kindSpec) unmarshal(id string, body []byte, v any) error {
	if spec.bodyID == nil {
		if err := json.Unmarshal(body, v); err != nil {
			return fmt.Errorf("body does not decode: %w", err)
		}
		return nil
	}
	return decodeBody(body, v, id, spec.bodyID(v))
}

// searchText is every searchable kind's toText: data.SearchText.
func searchText(v any) (string, string) {
	title, text, _ := data.SearchText(v)
	return title, text
}

func idMatches(bodyID *string, id string) bool { return *bodyID == "" || *bodyID == id }

var kindSpecs = map[data.Kind]*kindSpec{
	data.KindNotice: {
		kind: data.KindNotice, table: "notice", searchable: true,
		cols:    []string{"title", "category", "publisher", "published", "pinned"},
		newV:    func() any { return new(data.Notice) },
		bodyID:  func(v any) *string { return &v.(*data.Notice).ID },
		capture: []string{"id", "street", "title", "category", "publisher", "published", "pinned"},
		toRow: func(id string, v any) (row, error) {
			n := v.(*data.Notice)
			return row{
				street: n.Street,
				vals:   []any{n.Title, n.Category, n.Publisher, n.Published.String(), n.Pinned},
			}, nil
		},
		toText: searchText,
	},
	data.KindCatalog: {
		kind: data.KindCatalog, table: "catalog", searchable: true,
		cols:    []string{"title", "index_no", "doc_no", "topic", "publisher", "published"},
		newV:    func() any { return new(data.CatalogEntry) },
		bodyID:  func(v any) *string { return &v.(*data.CatalogEntry).ID },
		capture: []string{"id", "street", "title", "index_no", "doc_no", "topic", "publisher", "published"},
		toRow: func(id string, v any) (row, error) {
			c := v.(*data.CatalogEntry)
			return row{
				street: c.Street,
				vals:   []any{c.Title, c.IndexNo, c.DocNo, c.Topic, c.Publisher, c.Published.String()},
			}, nil
		},
		toText: searchText,
	},
	data.KindService: {
		kind: data.KindService, table: "service", searchable: true,
		cols:    []string{"code", "name", "category", "department", "online"},
		newV:    func() any { return new(data.ServiceItem) },
		bodyID:  func(v any) *string { return &v.(*data.ServiceItem).ID },
		capture: []string{"id", "street", "code", "name", "category", "department", "online"},
		toRow: func(id string, v any) (row, error) {
			s := v.(*data.ServiceItem)
			return row{
				street: s.Street,
				vals:   []any{s.Code, s.Name, string(s.Category), s.Department, s.Online},
			}, nil
		},
		toText: searchText,
	},
	data.KindProvider: {
		kind: data.KindProvider, table: "provider", searchable: true,
		cols:    []string{"name", "kind", "category", "address", "phone", "hours"},
		newV:    func() any { return new(data.Provider) },
		bodyID:  func(v any) *string { return &v.(*data.Provider).ID },
		capture: []string{"id", "street", "name", "kind", "category", "address", "phone", "hours"},
		toRow: func(id string, v any) (row, error) {
			p := v.(*data.Provider)
			hours, err := hourRows(p.Hours)
			if err != nil {
				return row{}, err
			}
			key := hoursKey(hours)
			return row{
				street: p.Street,
				vals:   []any{p.Name, string(p.Kind), p.Category, p.Address, p.Phone, key},
				hours:  hours,
			}, nil
		},
		toText: searchText,
	},
	data.KindConsultation: {
		kind: data.KindConsultation, table: "consultation", searchable: true,
		cols:    []string{"title", "publisher", "opens", "closes"},
		newV:    func() any { return new(data.Consultation) },
		bodyID:  func(v any) *string { return &v.(*data.Consultation).ID },
		capture: []string{"id", "street", "title", "publisher", "opens", "closes"},
		toRow: func(id string, v any) (row, error) {
			c := v.(*data.Consultation)
			return row{
				street: c.Street,
				vals:   []any{c.Title, c.Publisher, c.Opens.String(), c.Closes.String()},
			}, nil
		},
		toText: searchText,
	},
	data.KindCalendar: {
		// The calendar is reference data for deadlines, not something a
		// resident opens from a search result, so it is not searchable.
		// A year or two per feed: always encoding/json.
		kind: data.KindCalendar, table: "calendar",
		cols: []string{"year"},
		newV: func() any { return new(data.CalendarYear) },
		toRow: func(id string, v any) (row, error) {
			c := v.(*data.CalendarYear)
			if strconv.Itoa(c.Year) != id {
				return row{}, fmt.Errorf("body is year %d, not %s", c.Year, id)
			}
			return row{vals: []any{c.Year}}, nil
		},
	},
	data.KindStreet: {
		kind: data.KindStreet, table: "street", searchable: true,
		cols:    []string{"name"},
		newV:    func() any { return new(data.Street) },
		bodyID:  func(v any) *string { return &v.(*data.Street).Code },
		capture: []string{"code", "name"},
		toRow: func(id string, v any) (row, error) {
			s := v.(*data.Street)
			return row{street: s.Code, vals: []any{s.Name}}, nil
		},
		toText: searchText,
	},
	data.KindStaff: {
		// Staff accounts are for the sign-in only: never listed for
		// residents, never searched. Few and checked as a whole:
		// always encoding/json.
		kind: data.KindStaff, table: "staff",
		cols:   []string{"name"},
		newV:   func() any { return new(data.Staff) },
		bodyID: func(v any) *string { return &v.(*data.Staff).ID },
		toRow: func(id string, v any) (row, error) {
			s := v.(*data.Staff)
			s.ID = id
			if err := s.Check(); err != nil {
				return row{}, err
			}
			return row{street: s.Street, vals: []any{s.Name}}, nil
		},
	},
}

func init() {
	for _, spec := range kindSpecs {
		if spec.capture != nil {
			spec.fast = fastjson.For(reflect.TypeOf(spec.newV()).Elem(), spec.capture...)
		}
	}
}

// decodeBody unmarshals body into v and checks that the id inside the body,
// when it has one, is the change's id: a mismatch means a broken producer,
// and storing it would file the item under the wrong key.
func decodeBody(body []byte, v any, id string, bodyID *string) error {
	if len(body) == 0 {
		return fmt.Errorf("upsert has no body")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("body does not decode: %w", err)
	}
	if *bodyID != "" && *bodyID != id {
		return fmt.Errorf("body has id %q", *bodyID)
	}
	return nil
}

// hourRow is one row of hours_spans: an opening period within one day,
// start inclusive, end exclusive, in minutes after midnight.
type hourRow struct {
	weekday, start, end int
}

// hourRows splits a provider's week into hours_spans rows. A span whose
// end is before its start runs past midnight and becomes two rows, the
// second on the next day (Saturday's runs into Sunday), so "open at" is one
// range test on one day. A span with equal start and end is empty. The
// rows come sorted by day and start, and two spans starting at the same
// minute of a day (an overnight span's tail at 0 and a span from 0) are
// one row with the later end, so that a week has one form and one key.
func hourRows(h data.WeekHours) ([]hourRow, error) {
	var out []hourRow
	for day, spans := range h {
		for _, sp := range spans {
			if sp.Start < 0 || sp.Start >= 1440 || sp.End < 0 || sp.End > 1440 {
				return nil, fmt.Errorf("opening hours %d-%d on weekday %d are out of range", sp.Start, sp.End, day)
			}
			switch {
			case sp.Start < sp.End:
				out = append(out, hourRow{day, sp.Start, sp.End})
			case sp.End < sp.Start:
				out = append(out, hourRow{day, sp.Start, 1440})
				if sp.End > 0 {
					out = append(out, hourRow{(day + 1) % 7, 0, sp.End})
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b hourRow) int {
		return cmp.Or(cmp.Compare(a.weekday, b.weekday), cmp.Compare(a.start, b.start), cmp.Compare(b.end, a.end))
	})
	// Sorted by end descending within a start: the first of equal starts
	// has the later end.
	return slices.CompactFunc(out, func(a, b hourRow) bool { return a.weekday == b.weekday && a.start == b.start }), nil
}

// hoursKey is the key under which a week's rows are stored in hours_spans
// and which the provider row refers to: "weekday:start-end" per row, in
// order, separated by spaces (migration 0003 builds the same text in SQL).
// Providers with the same week share the rows. A week without opening
// hours has no key (NULL).
func hoursKey(rows []hourRow) any {
	if len(rows) == 0 {
		return nil
	}
	b := make([]byte, 0, 12*len(rows))
	for i, r := range rows {
		if i > 0 {
			b = append(b, ' ')
		}
		b = strconv.AppendInt(b, int64(r.weekday), 10)
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(r.start), 10)
		b = append(b, '-')
		b = strconv.AppendInt(b, int64(r.end), 10)
	}
	return string(b)
}
