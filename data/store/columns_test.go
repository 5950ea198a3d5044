package store

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"jiezhen/data"
	"jiezhen/data/synth"
)

// checkFastDecode is the property fastjson must keep: when it answers
// for a body, encoding/json decodes the body without error and gives the
// captured fields the same values; and the batch apply's columns, fast or
// not, returns what decode returns, error or row.
func checkFastDecode(t *testing.T, spec *kindSpec, id string, body []byte) (fast bool) {
	t.Helper()
	v := spec.newV()
	fast = spec.fast != nil && spec.fast.Decode(body, v)
	full := spec.newV()
	jerr := json.Unmarshal(body, full)
	if fast {
		if jerr != nil {
			t.Fatalf("%s %q: fastjson accepted a body encoding/json refuses: %v", spec.kind, body, jerr)
		}
		for _, name := range spec.capture {
			fv, _ := spec.fast.StoredField(v, name)
			jv, _ := spec.fast.StoredField(full, name)
			if a, b := fv.Interface(), jv.Interface(); !reflect.DeepEqual(a, b) {
				t.Fatalf("%s %q: field %s is %#v, encoding/json gives %#v", spec.kind, body, name, a, b)
			}
		}
	}
	want, werr := spec.decode(id, body)
	got, gerr := spec.columns(id, body)
	// Both errors come from encoding/json and the kind's checks; only
	// their first part is compared, because data.WeekHours reports the
	// first bad day it meets in a map, which is not always the same one.
	if (werr == nil) != (gerr == nil) || werr != nil && errHead(werr) != errHead(gerr) {
		t.Fatalf("%s %q: columns gives error %v, decode %v", spec.kind, body, gerr, werr)
	}
	want.title, want.text = "", ""
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s %q: columns gives %#v, decode %#v", spec.kind, body, got, want)
	}
	return fast
}

// TestFastDecodeFeed: the bodies the district sends are read by
// fastjson (the apply path's speed rests on it) with the same rows as
// encoding/json gives.
func TestFastDecodeFeed(t *testing.T) {
	counts := map[data.Kind][2]int{}
	for _, c := range synth.Changes(3000, 7) {
		if c.Op != data.OpUpsert {
			continue
		}
		spec := kindSpecs[c.Kind]
		n := counts[c.Kind]
		n[0]++
		if checkFastDecode(t, spec, c.ID, c.Body) {
			n[1]++
		}
		counts[c.Kind] = n
	}
	for kind, n := range counts {
		if kindSpecs[kind].fast != nil && n[1] != n[0] {
			t.Errorf("%s: %d of %d bodies read by fastjson", kind, n[1], n[0])
		}
	}
	for _, kind := range []data.Kind{data.KindNotice, data.KindCatalog, data.KindService, data.KindProvider, data.KindConsultation} {
		if counts[kind][1] == 0 {
			t.Errorf("no %s body read by fastjson", kind)
		}
	}
}

// fastjsonCases are bodies at the edges of what fastjson answers for,
// by kind: each must give the same result through columns as through
// decode, and the ones marked fast must be read by fastjson.
var fastjsonCases = []struct {
	kind data.Kind
	body string
	fast bool
}{
	{data.KindNotice, `{"id":"n1","title":"停水通知","published":"2026-03-01","pinned":true,"body":"三月"}`, true},
	{data.KindNotice, ` {"id":"n1","title":"x"} `, true},
	{data.KindNotice, `{}`, true},
	{data.KindNotice, `{"id":"n1","title":"x","extra":{"a":[1,-2.5e3,true,false,null,"\u00e9\n"]},"more":[]}`, true},
	{data.KindNotice, `{"id":"n1","body":"line\nbreak \"quoted\" \u505c"}`, true},
	{data.KindNotice, `{"id":"n1","title":"\u505c\u6c34"}`, false},     // escape in a captured field
	{data.KindNotice, `{"id":"n1","Title":"upper"}`, false},            // folded key
	{data.KindNotice, `{"id":"n1","title":"a","title":"b"}`, false},    // repeated key
	{data.KindNotice, `{"id":"n1","title":null}`, false},               // null
	{data.KindNotice, `{"id":"n1","title":5}`, false},                  // wrong type
	{data.KindNotice, `{"id":"n1","pinned":"yes"}`, false},             // wrong type
	{data.KindNotice, `{"id":"n1","published":"2026-02-30"}`, false},   // bad date
	{data.KindNotice, `{"id":"n1","published":""}`, true},              // empty date
	{data.KindNotice, `{"id":"n1","title":"x"} x`, false},              // trailing garbage
	{data.KindNotice, `{"id":"n1","title":"x",}`, false},               // trailing comma
	{data.KindNotice, `{"id":"n1","body":"a` + "\x01" + `b"}`, false},  // control character
	{data.KindNotice, `{"id":"n1","title":"a` + "\xff" + `b"}`, false}, // invalid UTF-8, captured
	{data.KindNotice, `{"id":"n1","body":"a` + "\xff" + `b"}`, true},   // invalid UTF-8, not captured
	{data.KindNotice, `{"id":"n2","title":"x"}`, true},                 // another id: read, then refused by the id check
	{data.KindNotice, `{"id":"n1","attachments":[{"name":"a","url":"u"}]}`, true},
	{data.KindNotice, `{"id":"n1","attachments":[{"name":1}]}`, false},
	{data.KindNotice, `{"id":"n1","attachments":{}}`, false},
	{data.KindNotice, `{"id":"n1","x":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`, false},
	{data.KindNotice, `{"id":"n1","x":01}`, false},
	{data.KindNotice, `{"id":"n1","x":-}`, false},
	{data.KindNotice, `{"id":"n1","x":"\x"}`, false},
	{data.KindNotice, `{"id":"n1","x":"\u12"}`, false},
	{data.KindNotice, `{"id":"n1","\u0074itle":"x"}`, false},           // escaped key
	{data.KindNotice, `{"id":"n1","ti` + "\u212a" + `le":"x"}`, false}, // non-ASCII key
	{data.KindNotice, `null`, false},
	{data.KindNotice, ``, false},
	{data.KindNotice, `[]`, false},
	{data.KindService, `{"id":"s1","name":"x","legal_days":20,"online":true,"materials":[{"name":"m","count":2,"template":{"name":"t"}}]}`, true},
	{data.KindService, `{"id":"s1","legal_days":20.0}`, false},
	{data.KindService, `{"id":"s1","legal_days":99999999999999999999}`, false},
	{data.KindService, `{"id":"s1","materials":[{"template":null}]}`, false},
	{data.KindService, `{"id":"s1","form":{"fields":[{"code":"a","type":"text","max_len":5,"choices":["x"]}]}}`, true},
	{data.KindProvider, `{"id":"p1","name":"x","hours":{"mon":["08:00-12:00","14:00-18:00"],"sat":["22:00-02:00"]}}`, true},
	{data.KindProvider, `{"id":"p1","hours":{}}`, true},
	{data.KindProvider, `{"id":"p1","hours":{"mon":[]}}`, true},
	{data.KindProvider, `{"id":"p1","hours":{"mon":["08:00-12:00"],"mon":["09:00-10:00"]}}`, false},
	{data.KindProvider, `{"id":"p1","hours":{"monday":["08:00-12:00"]}}`, false},
	{data.KindProvider, `{"id":"p1","hours":{"mon":["8:00-12:00"]}}`, false},
	{data.KindProvider, `{"id":"p1","hours":{"mon":null}}`, false},
	{data.KindProvider, `{"id":"p1","hours":null}`, false},
	{data.KindProvider, `{"id":"p1","hours":{"mon":["12:00-12:00"]}}`, false},
	{data.KindConsultation, `{"id":"c1","title":"t","opens":"2026-01-01","closes":"2026-02-01","topics":[{"id":"t1","title":"x"}],"feedback":[{"topic":"t1","opinions":3}]}`, true},
	{data.KindStreet, `{"code":"440106011","name":"天河南街道"}`, true},
	{data.KindStreet, `{"code":"440106012","name":"x"}`, true},
}

func TestFastDecodeEdges(t *testing.T) {
	for _, c := range fastjsonCases {
		id := map[data.Kind]string{data.KindNotice: "n1", data.KindService: "s1", data.KindProvider: "p1",
			data.KindConsultation: "c1", data.KindStreet: "440106011"}[c.kind]
		if fast := checkFastDecode(t, kindSpecs[c.kind], id, []byte(c.body)); fast != c.fast {
			t.Errorf("%s %q: read by fastjson %v, want %v", c.kind, c.body, fast, c.fast)
		}
	}
}

// FuzzFastDecode checks the property on mutated bodies.
func FuzzFastDecode(f *testing.F) {
	kinds := []data.Kind{data.KindNotice, data.KindCatalog, data.KindService, data.KindProvider, data.KindConsultation, data.KindStreet}
	for _, c := range fastjsonCases {
		f.Add(uint8(0), c.body)
	}
	for _, c := range synth.Changes(40, 3) {
		for i, k := range kinds {
			if c.Op == data.OpUpsert && c.Kind == k {
				f.Add(uint8(i), string(c.Body))
			}
		}
	}
	f.Fuzz(func(t *testing.T, k uint8, body string) {
		spec := kindSpecs[kinds[int(k)%len(kinds)]]
		v := spec.newV()
		json.Unmarshal([]byte(body), v)
		id := *spec.bodyID(v)
		if id == "" {
			id = "x"
		}
		checkFastDecode(t, spec, id, []byte(body))
	})
}

func errHead(err error) string {
	head, _, _ := strings.Cut(err.Error(), ": ")
	return head
}
