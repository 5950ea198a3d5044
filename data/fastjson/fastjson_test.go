package fastjson

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/data/synth"
)

// page has the shape of a pull page (sync/wire.PullResponse).
type page struct {
	Changes   []data.Change `json:"changes"`
	Next      int64         `json:"next"`
	CasesNext int64         `json:"cases_next,omitempty"`
	More      bool          `json:"more"`
	Behind    int64         `json:"behind,omitempty"`
	Reset     *struct {
		Scope  string `json:"scope"`
		Reason string `json:"reason"`
	} `json:"reset,omitempty"`
	ServerTime time.Time `json:"server_time"`
}

// check is the package's promise for a type decoded in full: when Decode
// answers, encoding/json decodes the input without error into the same
// value.
func check[T any](t *testing.T, s *Schema, in []byte) (decoded bool) {
	t.Helper()
	var got, want T
	decoded = s.Decode(in, &got)
	err := json.Unmarshal(in, &want)
	if decoded {
		if err != nil {
			t.Fatalf("%q: Decode accepted what encoding/json refuses: %v", in, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: Decode gives\n%#v\nencoding/json\n%#v", in, got, want)
		}
	}
	return decoded
}

var (
	changeSchema = For(reflect.TypeFor[data.Change]())
	pageSchema   = For(reflect.TypeFor[page]())
)

func TestSchemas(t *testing.T) {
	for _, typ := range []reflect.Type{reflect.TypeFor[data.Change](), reflect.TypeFor[page](),
		reflect.TypeFor[data.Notice](), reflect.TypeFor[data.CatalogEntry](), reflect.TypeFor[data.ServiceItem](),
		reflect.TypeFor[data.Provider](), reflect.TypeFor[data.Consultation](), reflect.TypeFor[data.Street]()} {
		if For(typ) == nil {
			t.Errorf("no schema for %s", typ)
		}
	}
	type withMap struct {
		M map[string]string `json:"m"`
	}
	type withFloat struct {
		F float64 `json:"f"`
	}
	type embedded struct{ data.Street }
	for _, typ := range []reflect.Type{reflect.TypeFor[withMap](), reflect.TypeFor[withFloat](), reflect.TypeFor[embedded](), reflect.TypeFor[data.Date]()} {
		if For(typ) != nil {
			t.Errorf("%s has a schema", typ)
		}
	}
}

// TestDecodeFeed: what the district sends is decoded by Decode, the same
// as by encoding/json: change lines and whole pages.
func TestDecodeFeed(t *testing.T) {
	changes := synth.Changes(2000, 5)
	for _, c := range changes {
		line, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		if !check[data.Change](t, changeSchema, line) {
			t.Fatalf("%s: not decoded", line)
		}
	}
	for _, p := range []page{{Changes: changes[:500], Next: 500, More: true, ServerTime: time.Now()}, {Changes: []data.Change{}, Next: 9, Behind: 3}} {
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		if !check[page](t, pageSchema, b) {
			t.Fatalf("page not decoded")
		}
	}
}

var edges = []struct {
	in      string
	decoded bool
}{
	{`{"seq":1,"kind":"notice","id":"n1","op":"upsert","version":2,"body":{"id":"n1","title":"停水"}}`, true},
	{` { "seq" : -1 , "body" : [ 1 , "x" , null , true , { } ] } `, true},
	{`{"seq":1,"body":"text"}`, true},
	{`{"seq":1,"body":null}`, false},
	{`{"seq":1,"body":{"a":"\u00e9\"\\\/\b\f\n\r\t"}}`, true},
	{`{"seq":1.5}`, false},
	{`{"seq":1e3}`, false},
	{`{"seq":"1"}`, false},
	{`{"seq":01}`, false},
	{`{"seq":9223372036854775807}`, false}, // 19 digits: left to encoding/json
	{`{"seq":123456789012345678}`, true},
	{`{"Seq":1}`, false},
	{`{"seq":1,"seq":2}`, false},
	{`{"id":"\u0041"}`, false},
	{`{"id":"a` + "\x80" + `"}`, false},
	{`{"id":"a` + "\t" + `"}`, false},
	{`{"other":"a` + "\x80" + `"}`, true},
	{`{"id":null}`, false},
	{`{"id":"x"}x`, false},
	{`{"id":"x",}`, false},
	{`{"id":"x" "op":"y"}`, false},
	{`{"id"}`, false},
	{`{"x":[1,]}`, false},
	{`{"x":{"a" 1}}`, false},
	{`{"x":tru}`, false},
	{`{"x":nul}`, false},
	{`{"x":-}`, false},
	{`{"x":1.}`, false},
	{`{"x":1e}`, false},
	{`{"x":-0.5e-3}`, true},
	{`{"x":"\q"}`, false},
	{`{"x":"\u12g4"}`, false},
	{`{"x":` + strings.Repeat(`[`, 70) + strings.Repeat(`]`, 70) + `}`, false},
	{`{"x":` + strings.Repeat(`[`, 20) + strings.Repeat(`]`, 20) + `}`, true},
	{`{"k\u0069nd":"notice"}`, false},
	{`{"ſeq":1}`, false},
	{``, false},
	{`null`, false},
	{`[]`, false},
	{`"x"`, false},
	{`{}`, true},
}

func TestDecodeEdges(t *testing.T) {
	for _, e := range edges {
		if got := check[data.Change](t, changeSchema, []byte(e.in)); got != e.decoded {
			t.Errorf("%q: decoded %v, want %v", e.in, got, e.decoded)
		}
	}
	pages := []struct {
		in      string
		decoded bool
	}{
		{`{"changes":[],"next":3,"more":false}`, true},
		{`{"changes":[{"seq":1,"kind":"notice","id":"a","op":"delete","version":1}],"next":3,"reset":{"scope":"s","reason":"r"}}`, true},
		{`{"changes":null}`, false},
		{`{"changes":[null]}`, false},
		{`{"reset":null}`, false},
		{`{"changes":[{"seq":1},{"seq":"x"}]}`, false},
		{`{"server_time":"2026-11-26T00:30:00.123+08:00"}`, true},
		{`{"server_time":"2026-11-26"}`, false},
		{`{"server_time":5}`, false},
		{`{"server_time":null}`, false},
	}
	for _, e := range pages {
		if got := check[page](t, pageSchema, []byte(e.in)); got != e.decoded {
			t.Errorf("%q: decoded %v, want %v", e.in, got, e.decoded)
		}
	}
}

// TestStoredFields: with fields named, only those are stored, and the
// others are still checked.
func TestStoredFields(t *testing.T) {
	s := For(reflect.TypeFor[data.Notice](), "id", "title", "published")
	var n data.Notice
	if !s.Decode([]byte(`{"id":"n1","title":"t","body":"long","category":"c","published":"2026-01-02"}`), &n) {
		t.Fatal("not decoded")
	}
	if n.ID != "n1" || n.Title != "t" || n.Body != "" || n.Category != "" || n.Published != data.MustDate("2026-01-02") {
		t.Errorf("got %+v", n)
	}
	if s.Decode([]byte(`{"id":"n1","category":7}`), new(data.Notice)) {
		t.Error("a field not stored is not checked")
	}
}

func FuzzDecode(f *testing.F) {
	for _, e := range edges {
		f.Add(e.in)
	}
	for _, c := range synth.Changes(30, 2) {
		b, _ := json.Marshal(c)
		f.Add(string(b))
	}
	b, _ := json.Marshal(page{Changes: synth.Changes(3, 4), Next: 4, Reset: &struct {
		Scope  string `json:"scope"`
		Reason string `json:"reason"`
	}{"a", "b"}})
	f.Add(string(b))
	f.Fuzz(func(t *testing.T, in string) {
		check[data.Change](t, changeSchema, []byte(in))
		check[page](t, pageSchema, []byte(in))
		checkCompact(t, []byte(in))
	})
}

// checkCompact is Compact's promise: when it answers, encoding/json
// writes the value as a json.RawMessage byte for byte as it is.
func checkCompact(t *testing.T, in []byte) bool {
	t.Helper()
	if !Compact(in) {
		return false
	}
	out, err := json.Marshal(json.RawMessage(in))
	if err != nil || string(out) != string(in) {
		t.Fatalf("%q: Compact, but encoding/json writes %q (%v)", in, out, err)
	}
	return true
}

func TestCompact(t *testing.T) {
	for in, want := range map[string]bool{
		`{"a":[1,"x",null,true,{}]}`: true,
		`{"a":"\u003c\n\u2028"}`:     true,
		`"停水"`:                       true,
		`{"a": 1}`:                   false,
		" {}":                        false,
		"{}\n":                       false,
		`{"a":"<"}`:                  false,
		`{"a":"&"}`:                  false,
		"{\"a\":\"\u2028\"}":         false,
		`{"a":1,}`:                   false,
		`{"a":01}`:                   false,
		``:                           false,
	} {
		if got := checkCompact(t, []byte(in)); got != want {
			t.Errorf("Compact(%q) = %v, want %v", in, got, want)
		}
	}
	for _, c := range synth.Changes(300, 6) {
		if len(c.Body) > 0 && !checkCompact(t, c.Body) {
			t.Fatalf("%s: not compact", c.Body)
		}
	}
}

// TestPlainWord holds the eight-byte test of the string scans to the byte
// by byte one: every byte value at every position of a word of plain
// text, and words of random bytes.
func TestPlainWord(t *testing.T) {
	plain := func(c byte) bool { return c != '"' && c != '\\' && c >= 0x20 }
	check := func(b []byte) {
		t.Helper()
		want := true
		for _, c := range b {
			want = want && plain(c)
		}
		if got := plainWord(binary.LittleEndian.Uint64(b)); got != want {
			t.Fatalf("plainWord(% x) = %v, want %v", b, got, want)
		}
	}
	base := []byte("街道a服")[:8]
	for pos := range 8 {
		for c := range 256 {
			b := bytes.Clone(base)
			b[pos] = byte(c)
			check(b)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], rng.Uint64())
		check(b[:])
	}
}

// TestDecodeShared: a page decoded with DecodeShared holds what Decode
// gives, its bodies in the page's own bytes, each capped at its end so
// that appending to one never writes over the next.
func TestDecodeShared(t *testing.T) {
	b, err := json.Marshal(page{Changes: synth.Changes(300, 6), Next: 300, More: true})
	if err != nil {
		t.Fatal(err)
	}
	var copied, shared page
	if !pageSchema.Decode(b, &copied) || !pageSchema.DecodeShared(b, &shared) {
		t.Fatal("page not decoded")
	}
	if !reflect.DeepEqual(copied, shared) {
		t.Fatal("DecodeShared and Decode disagree")
	}
	for i, c := range shared.Changes {
		body := c.Body
		if len(body) == 0 {
			continue
		}
		start := bytes.Index(b, body)
		if start < 0 || &b[start] != &body[0] {
			t.Fatalf("change %d: body not in the page's bytes", i)
		}
		if cap(body) != len(body) {
			t.Fatalf("change %d: body's capacity %d runs past its length %d", i, cap(body), len(body))
		}
		if &copied.Changes[i].Body[0] == &body[0] {
			t.Fatalf("change %d: Decode shares the page's bytes", i)
		}
	}
}
