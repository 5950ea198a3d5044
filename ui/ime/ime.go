// Package ime is the kiosk's pinyin input engine: letters in, Chinese
// words and characters out, ranked by frequency. It is pure Go and knows
// nothing of Fyne; package ui/keyboard draws the keys and the candidate bar.
//
// The dictionary is dict.txt.gz, embedded: about 120,000 words and all
// 20,902 basic CJK characters with their readings and frequencies, built
// by the generator in gen/ (a separate module) from the dictionary of
// github.com/go-ego/gse and the readings of github.com/mozillazg/go-pinyin.
// Licences are in dict.LICENSE.txt beside it; docs/IME.md has the figures.
//
// What the engine understands, for input typed as lower-case letters with
// optional apostrophes to separate syllables:
//   - full syllables, segmented automatically: banshi → 办事, shenfenzheng → 身份证;
//   - initials as abbreviations: sfz → 身份证, jwh → 居委会;
//   - a partial last syllable: shenf → 身份;
//   - fuzzy pinyin for southern speakers (z/zh, c/ch, s/sh, n/l, f/h,
//     an/ang, en/eng, in/ing), ranked below exact readings: senfenzen → 身份证;
//   - long input with no single word: a sentence composed of the most
//     likely words (woyaobanli → 我要办理).
//
// The candidates of an input come first those covering all of it, then
// those covering a shorter start of it (for banshizhinan: 办事指南, then
// 办事, then 办 ...). Committing a candidate that covers only a start
// leaves the rest to type on: Rest(input, c).
//
// The engine does not learn from what residents type: on a shared kiosk,
// a learned word would show the next resident what the previous one wrote.
//
// Wiring: call ime.Preload() early (for example in a goroutine at start),
// then Default().Lookup(letters, page, perPage) on every keystroke.
// Package keyboard does this for every entry it serves.
package ime

//go:generate go run -C gen . -out ../dict.txt.gz

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

//go:embed dict.txt.gz
var dictGz []byte

// maxWord is the longest word in syllables that the index holds.
const maxWord = 6

// Candidate is one choice of the candidate bar.
type Candidate struct {
	Text string // what to type into the entry
	// Letters is how many bytes at the start of the input the candidate
	// stands for; Rest(input, c) is what remains to convert.
	Letters int
	score   float64
}

// Rest is what remains of input once c is committed.
func Rest(input string, c Candidate) string {
	if c.Letters >= len(input) {
		return ""
	}
	return strings.TrimLeft(input[c.Letters:], "'")
}

type group struct {
	keyOff  uint32 // into Dict.keys
	wordOff uint32 // into Dict.words; a group's words are sorted by score
	nWords  uint32
	nSyl    uint8
}

type word struct {
	textOff uint32 // into Dict.text
	textLen uint8
	score   uint32
}

// bitset is a set of syllable ids.
type bitset []uint64

func (b bitset) has(id uint16) bool { return b[id>>6]&(1<<(id&63)) != 0 }
func (b bitset) set(id uint16)      { b[id>>6] |= 1 << (id & 63) }

// Dict is a loaded pinyin index. Its methods are safe for concurrent use.
type Dict struct {
	syllables []string          // id → syllable
	sylID     map[string]uint16 // syllable (and its aliases) → id
	prefixOf  map[string][]uint16
	fuzzyOf   map[string][]fuzzyMatch // typed spelling → syllables it may mean
	fuzzy     atomic.Bool
	words     []word
	text      string
	keys      []uint16
	groups    []group
	// byFirst[n-1][id] lists the groups of n syllables whose first is id.
	byFirst  [maxWord][][]uint32
	logTotal float64

	mu        sync.Mutex
	lastInput string
	lastCands []Candidate
}

var (
	defaultOnce sync.Once
	defaultDict *Dict
)

// Default returns the embedded dictionary, loading it on first use (about
// a quarter of a second).
func Default() *Dict {
	defaultOnce.Do(func() {
		d, err := Load(dictGz)
		if err != nil {
			panic("ime: embedded dictionary: " + err.Error())
		}
		defaultDict = d
	})
	return defaultDict
}

// Preload loads the embedded dictionary so that the first keystroke does
// not wait for it. Call it in a goroutine at start.
func Preload() { Default() }

// Load parses an index in the format written by the generator: gzipped
// lines "syl'syl<TAB>word score<TAB>word score...", sorted.
func Load(gz []byte) (*Dict, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	d := &Dict{sylID: map[string]uint16{}, prefixOf: map[string][]uint16{}, fuzzyOf: map[string][]fuzzyMatch{}}
	var text strings.Builder
	textAt := map[string]uint32{} // a word read several ways is stored once
	var total float64
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	for line := 1; sc.Scan(); line++ {
		l := sc.Text()
		if l == "" || l[0] == '#' {
			continue
		}
		fields := strings.Split(l, "\t")
		if len(fields) < 2 {
			return nil, fmt.Errorf("line %d: no words", line)
		}
		syls := strings.Split(fields[0], "'")
		if len(syls) > maxWord {
			return nil, fmt.Errorf("line %d: %d syllables", line, len(syls))
		}
		g := group{keyOff: uint32(len(d.keys)), wordOff: uint32(len(d.words)), nSyl: uint8(len(syls))}
		for _, s := range syls {
			id, ok := d.sylID[s]
			if !ok {
				id = uint16(len(d.syllables))
				d.syllables = append(d.syllables, s)
				d.sylID[s] = id
			}
			d.keys = append(d.keys, id)
		}
		for _, f := range fields[1:] {
			w, sc, ok := strings.Cut(f, " ")
			score, err := strconv.ParseUint(sc, 10, 32)
			if !ok || err != nil || w == "" || len(w) > 255 {
				return nil, fmt.Errorf("line %d: bad entry %q", line, f)
			}
			off, seen := textAt[w]
			if !seen {
				off = uint32(text.Len())
				text.WriteString(w)
				textAt[w] = off
			}
			d.words = append(d.words, word{textOff: off, textLen: uint8(len(w)), score: uint32(score)})
			total += float64(score)
		}
		g.nWords = uint32(len(d.words)) - g.wordOff
		d.groups = append(d.groups, g)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(d.groups) == 0 {
		return nil, fmt.Errorf("empty index")
	}
	d.text = text.String()
	d.logTotal = math.Log(total)
	for i := range d.byFirst {
		d.byFirst[i] = make([][]uint32, len(d.syllables))
	}
	for gi, g := range d.groups {
		first := d.keys[g.keyOff]
		d.byFirst[g.nSyl-1][first] = append(d.byFirst[g.nSyl-1][first], uint32(gi))
	}
	// Keyboards without ü: lüe and nüe are also typed lve and nve.
	for alias, s := range map[string]string{"lve": "lue", "nve": "nue"} {
		if id, ok := d.sylID[s]; ok {
			d.sylID[alias] = id
		}
	}
	for id, s := range d.syllables {
		for i := 1; i <= len(s); i++ {
			d.prefixOf[s[:i]] = append(d.prefixOf[s[:i]], uint16(id))
		}
		for sp, c := range spellings(s) {
			d.fuzzyOf[sp] = append(d.fuzzyOf[sp], fuzzyMatch{id: uint16(id), changes: c})
		}
	}
	d.fuzzy.Store(true)
	return d, nil
}

type fuzzyMatch struct {
	id      uint16
	changes uint8 // confusions between the spelling and the syllable: 1 or 2
}

// Fuzzy pinyin: confusions common among speakers of Cantonese and other
// southern Chinese, who make up most of Guangzhou's residents (and the
// fuzzy options of mainstream input methods). An initial and a final may
// each be swapped: shen may be typed sen, sheng or seng.
var (
	fuzzyInitials = [][2]string{{"zh", "z"}, {"ch", "c"}, {"sh", "s"}, {"n", "l"}, {"f", "h"}}
	fuzzyFinals   = [][2]string{{"ang", "an"}, {"eng", "en"}, {"ing", "in"}}
)

// spellings lists the ways syl may be typed with fuzzy confusions, with
// how many confusions each takes.
func spellings(syl string) map[string]uint8 {
	inits := map[string]uint8{syl: 0}
	for _, p := range fuzzyInitials {
		for _, dir := range [2][2]string{p, {p[1], p[0]}} {
			from, to := dir[0], dir[1]
			rest, ok := strings.CutPrefix(syl, from)
			if !ok || rest == "" || (len(from) == 1 && strings.ContainsRune("zcs", rune(from[0])) && rest[0] == 'h') {
				continue // the z of zh is not the initial z
			}
			inits[to+rest] = 1
		}
	}
	out := map[string]uint8{}
	for sp, c := range inits {
		out[sp] = c
		for _, p := range fuzzyFinals {
			for _, dir := range [2][2]string{p, {p[1], p[0]}} {
				if head, ok := strings.CutSuffix(sp, dir[0]); ok {
					v := head + dir[1]
					if old, seen := out[v]; !seen || old > c+1 {
						out[v] = c + 1
					}
				}
			}
		}
	}
	delete(out, syl)
	return out
}

// SetFuzzy turns fuzzy pinyin (sen for shen, lan for nan, zen for zheng)
// on or off; it is on by default. Fuzzy matches rank below exact ones.
func (d *Dict) SetFuzzy(on bool) {
	d.fuzzy.Store(on)
	d.mu.Lock()
	d.lastInput, d.lastCands = "", nil
	d.mu.Unlock()
}

// Syllables is the number of distinct syllables in the index.
func (d *Dict) Syllables() int { return len(d.syllables) }

// Entries is the number of (reading, word) entries in the index.
func (d *Dict) Entries() int { return len(d.words) }

func (d *Dict) wordText(w word) string {
	return d.text[w.textOff : w.textOff+uint32(w.textLen)]
}

// Lookup returns page number page (from 0) of the candidates for input,
// perPage of them at most; nil past the last page. Typing one more letter
// is a new input; paging the same input reuses the ranked list.
func (d *Dict) Lookup(input string, page, perPage int) []Candidate {
	all := d.candidates(input)
	from := page * perPage
	if page < 0 || perPage <= 0 || from >= len(all) {
		return nil
	}
	return all[from:min(from+perPage, len(all))]
}

// Total is the number of candidates for input.
func (d *Dict) Total(input string) int { return len(d.candidates(input)) }

func (d *Dict) candidates(input string) []Candidate {
	d.mu.Lock()
	defer d.mu.Unlock()
	if input == d.lastInput && d.lastCands != nil {
		return d.lastCands
	}
	c := d.rank(input)
	d.lastInput, d.lastCands = input, c
	return c
}

// Segment shows how input is read, syllables separated by apostrophes
// (banshizhinan → ban'shi'zhi'nan), for the letters line above the
// candidates. Input that cannot be read comes back unchanged.
func (d *Dict) Segment(input string) string {
	paths := d.segment(input)
	if len(paths) == 0 {
		return input
	}
	var b strings.Builder
	for i, t := range paths[0] {
		if i > 0 {
			b.WriteByte('\'')
		}
		b.WriteString(input[t.start:t.end])
	}
	return b.String()
}
