package synth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"jiezhen/data"
)

const testN = 20000

var testSet = sync.OnceValue(func() []data.Change { return Changes(testN, 42) })

func TestDeterministic(t *testing.T) {
	a := Changes(2500, 7)
	b := Changes(2500, 7)
	prev := runtime.GOMAXPROCS(1)
	c := Changes(2500, 7)
	runtime.GOMAXPROCS(prev)
	for i := range a {
		if !sameChange(a[i], b[i]) || !sameChange(a[i], c[i]) {
			t.Fatalf("record %d differs between runs with the same seed:\n%s\n%s\n%s", i, a[i].Body, b[i].Body, c[i].Body)
		}
	}
	// A prefix is the same records as the longer set's start.
	for i, ch := range Changes(150, 7) {
		if !sameChange(ch, a[i]) {
			t.Fatalf("record %d of Changes(150) differs from Changes(2500)", i)
		}
	}
	d := Changes(2500, 8)
	same := 0
	for i := range a {
		if bytes.Equal(a[i].Body, d[i].Body) {
			same++
		}
	}
	if same > len(a)/100 {
		t.Errorf("seeds 7 and 8 give %d identical bodies of %d", same, len(a))
	}
}

func sameChange(a, b data.Change) bool {
	return a.Seq == b.Seq && a.Kind == b.Kind && a.ID == b.ID && a.Op == b.Op &&
		a.Version == b.Version && bytes.Equal(a.Body, b.Body)
}

func TestEmpty(t *testing.T) {
	if got := Changes(0, 1); len(got) != 0 {
		t.Errorf("Changes(0) = %d changes", len(got))
	}
	if got := Changes(-5, 1); len(got) != 0 {
		t.Errorf("Changes(-5) = %d changes", len(got))
	}
	if got := Changes(1, 1); len(got) != 1 || got[0].Seq != 1 {
		t.Errorf("Changes(1) = %+v", got)
	}
}

func TestSeqAndIDs(t *testing.T) {
	prefix := map[data.Kind]string{}
	for _, q := range kindQuota {
		prefix[q.kind] = "syn-" + string(q.prefix) + "-"
	}
	ids := make(map[string]bool, testN)
	for i, c := range testSet() {
		if c.Seq != int64(i+1) {
			t.Fatalf("change %d has Seq %d", i, c.Seq)
		}
		if c.Op != data.OpUpsert || c.Version != 1 {
			t.Fatalf("change %d: op %q version %d", i, c.Op, c.Version)
		}
		want := fmt.Sprintf("%s%06d", prefix[c.Kind], c.Seq)
		if c.ID != want {
			t.Fatalf("change %d: ID %q, want %q", i, c.ID, want)
		}
		if ids[c.ID] {
			t.Fatalf("duplicate ID %q", c.ID)
		}
		ids[c.ID] = true
	}
}

func decodeStrict(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	return d.Decode(v)
}

// texts returns the free-text fields of a decoded item.
func texts(v any) []string {
	switch x := v.(type) {
	case *data.Notice:
		return []string{x.Title, x.Body, x.Publisher}
	case *data.CatalogEntry:
		return []string{x.Title, x.Body, x.Summary, x.Publisher}
	case *data.ServiceItem:
		return append(append(append([]string{x.Name, x.Department, x.Location}, x.Conditions...), x.Procedure...), x.Basis...)
	case *data.Provider:
		return []string{x.Name, x.Address, x.Description, x.Phone}
	case *data.Consultation:
		return []string{x.Title, x.Draft, x.Publisher}
	}
	return nil
}

func TestBodiesDecode(t *testing.T) {
	streetCount := map[string]int{}
	var bodyRunes []int
	var hours24, lunch, overnight int
	for _, c := range testSet() {
		var v any
		var title, street, long string
		switch c.Kind {
		case data.KindNotice:
			x := new(data.Notice)
			v = x
			if err := decodeStrict(c.Body, x); err != nil {
				t.Fatalf("%s: %v", c.ID, err)
			}
			title, street, long = x.Title, x.Street, x.Body
			if x.Publisher == "" || x.Category == "" || x.Published.IsZero() {
				t.Errorf("%s: incomplete notice %+v", c.ID, x)
			}
		case data.KindCatalog:
			x := new(data.CatalogEntry)
			v = x
			if err := decodeStrict(c.Body, x); err != nil {
				t.Fatalf("%s: %v", c.ID, err)
			}
			title, street, long = x.Title, x.Street, x.Body
			if x.IndexNo == "" || x.DocNo == "" || x.Topic == "" || len(x.Keywords) == 0 || x.Summary == "" ||
				x.Disclosure == "" || x.Timeframe == "" || x.Published.IsZero() {
				t.Errorf("%s: incomplete catalogue entry %+v", c.ID, x)
			}
		case data.KindService:
			x := new(data.ServiceItem)
			v = x
			if err := decodeStrict(c.Body, x); err != nil {
				t.Fatalf("%s: %v", c.ID, err)
			}
			title, street = x.Name, x.Street
			if len(x.Conditions) == 0 || len(x.Materials) == 0 || len(x.Procedure) < 3 ||
				x.Location == "" || x.Department == "" || x.Code == "" || !slices.Contains(data.PowerCategories, x.Category) {
				t.Errorf("%s: incomplete service item %+v", c.ID, x)
			}
			if wantForm := x.Category != data.PowerEnforcement; wantForm != (len(x.Form.Fields) >= 5) {
				t.Errorf("%s: %s item has %d form fields", c.ID, x.Category, len(x.Form.Fields))
			}
			for _, f := range x.Form.Fields {
				if (f.Type == data.FieldChoice || f.Type == data.FieldMultiChoice) && len(f.Choices) == 0 {
					t.Errorf("%s: choice field %q without choices", c.ID, f.Code)
				}
			}
		case data.KindProvider:
			x := new(data.Provider)
			v = x
			if err := decodeStrict(c.Body, x); err != nil {
				t.Fatalf("%s: %v", c.ID, err)
			}
			title, street, long = x.Name, x.Street, x.Description
			if x.Category == "" || x.Address == "" || x.Phone == "" || len(x.Services) == 0 {
				t.Errorf("%s: incomplete provider %+v", c.ID, x)
			}
			open := 0
			for _, spans := range x.Hours {
				open += len(spans)
				for _, s := range spans {
					switch {
					case s.Start == 0 && s.End == 1440:
						hours24++
					case s.End < s.Start:
						overnight++
					}
				}
				if len(spans) == 2 && spans[0].End < spans[1].Start {
					lunch++
				}
			}
			if open == 0 {
				t.Errorf("%s: provider is never open", c.ID)
			}
		case data.KindConsultation:
			x := new(data.Consultation)
			v = x
			if err := decodeStrict(c.Body, x); err != nil {
				t.Fatalf("%s: %v", c.ID, err)
			}
			title, street, long = x.Title, x.Street, x.Draft
			if len(x.Topics) < 2 || x.Closes.Before(x.Opens) || x.Publisher == "" {
				t.Errorf("%s: incomplete consultation %+v", c.ID, x)
			}
		default:
			t.Fatalf("%s: unexpected kind %q", c.ID, c.Kind)
		}
		if title == "" {
			t.Errorf("%s: empty title or name", c.ID)
		}
		for _, s := range texts(v) {
			if strings.ContainsAny(s, "{}") || s == "" {
				t.Fatalf("%s: bad text %q", c.ID, s)
			}
		}
		streetCount[street]++
		if long != "" {
			bodyRunes = append(bodyRunes, utf8.RuneCountInString(long))
		}
	}
	if streetCount["440106005"] < testN/2 {
		t.Errorf("street counts %v: want most in 440106005", streetCount)
	}
	if len(streetCount) < 4 {
		t.Errorf("street counts %v: want several streets", streetCount)
	}
	short, total := 0, 0
	for _, n := range bodyRunes {
		total += n
		if n < 60 || n > 420 {
			short++
		}
	}
	if mean := total / len(bodyRunes); mean < 120 || mean > 300 {
		t.Errorf("mean body length %d characters, want 120-300", mean)
	}
	if short > len(bodyRunes)/20 {
		t.Errorf("%d of %d bodies outside 60-420 characters", short, len(bodyRunes))
	}
	if hours24 == 0 || lunch == 0 || overnight == 0 {
		t.Errorf("hours patterns: 24h %d, lunch break %d, overnight %d; want all", hours24, lunch, overnight)
	}
}

// TestValidate runs the checks a district runs before publishing.
func TestValidate(t *testing.T) {
	var set data.ContentSet
	for _, c := range testSet()[:5000] {
		var err error
		switch c.Kind {
		case data.KindNotice:
			set.Notices = append(set.Notices, data.Notice{})
			err = json.Unmarshal(c.Body, &set.Notices[len(set.Notices)-1])
		case data.KindCatalog:
			set.Catalog = append(set.Catalog, data.CatalogEntry{})
			err = json.Unmarshal(c.Body, &set.Catalog[len(set.Catalog)-1])
		case data.KindService:
			set.Services = append(set.Services, data.ServiceItem{})
			err = json.Unmarshal(c.Body, &set.Services[len(set.Services)-1])
		case data.KindProvider:
			set.Providers = append(set.Providers, data.Provider{})
			err = json.Unmarshal(c.Body, &set.Providers[len(set.Providers)-1])
		case data.KindConsultation:
			set.Consultations = append(set.Consultations, data.Consultation{})
			err = json.Unmarshal(c.Body, &set.Consultations[len(set.Consultations)-1])
		}
		if err != nil {
			t.Fatalf("%s: %v", c.ID, err)
		}
	}
	if err := set.Validate(data.MustDate("2026-01-01")); err != nil {
		msg := err.Error()
		if len(msg) > 2000 {
			msg = msg[:2000] + "..."
		}
		t.Fatal(msg)
	}
}

func TestKindMix(t *testing.T) {
	want := map[data.Kind]float64{
		data.KindNotice: 0.35, data.KindCatalog: 0.25, data.KindService: 0.10,
		data.KindProvider: 0.28, data.KindConsultation: 0.02,
	}
	for _, n := range []int{testN, 1234} {
		set := testSet()
		if n != testN {
			set = Changes(n, 3)
		}
		got := map[data.Kind]int{}
		for _, c := range set {
			got[c.Kind]++
		}
		for k, p := range want {
			f := float64(got[k]) / float64(n)
			if f < p-0.02 || f > p+0.02 {
				t.Errorf("n=%d: %s is %.3f of records, want %.2f±0.02", n, k, f, p)
			}
		}
	}
}

func fraction(set []data.Change, term string) float64 {
	hits := 0
	for _, c := range set {
		if bytes.Contains(c.Body, []byte(term)) {
			hits++
		}
	}
	return float64(hits) / float64(len(set))
}

func TestQueries(t *testing.T) {
	long, short := Queries()
	if len(long) < 5 || len(short) < 3 {
		t.Fatalf("Queries() = %d long, %d short", len(long), len(short))
	}
	set := testSet()
	for _, q := range long {
		if utf8.RuneCountInString(q) < 3 {
			t.Errorf("long query %q has fewer than 3 characters", q)
		}
		f := fraction(set, q)
		if f < 0.01 {
			t.Errorf("long query %q is in %.4f of records, want at least 0.01", q, f)
		}
		t.Logf("%s: %.3f", q, f)
	}
	for _, q := range short {
		if n := utf8.RuneCountInString(q); n < 1 || n > 2 {
			t.Errorf("short query %q has %d characters, want 1-2", q, n)
		}
		if f := fraction(set, q); f < 0.01 {
			t.Errorf("short query %q is in %.4f of records, want at least 0.01", q, f)
		}
	}
}

func TestBroadQuery(t *testing.T) {
	q := BroadQuery()
	if utf8.RuneCountInString(q) < 3 {
		t.Fatalf("BroadQuery() = %q, want 3+ characters", q)
	}
	f := fraction(testSet(), q)
	if f < 0.25 || f > 0.40 {
		t.Errorf("BroadQuery %q is in %.3f of records, want 0.25-0.40", q, f)
	}
	t.Logf("%q in %.3f of records", q, f)
}

// TestVariety guards against text that repeats: the set must have many
// distinct titles and bodies and a rich trigram vocabulary.
func TestVariety(t *testing.T) {
	titles := map[string]bool{}
	trigrams := map[string]bool{}
	for _, c := range testSet()[:5000] {
		var n data.Notice
		if c.Kind != data.KindNotice {
			continue
		}
		if err := json.Unmarshal(c.Body, &n); err != nil {
			t.Fatal(err)
		}
		titles[n.Title] = true
		r := []rune(n.Body)
		for i := 0; i+3 <= len(r); i++ {
			trigrams[string(r[i:i+3])] = true
		}
	}
	if len(titles) < 300 {
		t.Errorf("%d distinct notice titles in 5000 records, want at least 300", len(titles))
	}
	if len(trigrams) < 5000 {
		t.Errorf("%d distinct trigrams in notice bodies, want at least 5000", len(trigrams))
	}
	t.Logf("%d distinct titles, %d distinct trigrams", len(titles), len(trigrams))
}

func BenchmarkChanges(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if got := Changes(100000, 1); len(got) != 100000 {
			b.Fatal(len(got))
		}
	}
}
