package ime

import (
	"math"
	"sort"
	"strings"
)

// token is one piece of a segmented input.
type token struct {
	start, end int      // bytes of the input
	kind       tokKind  //
	ids        []uint16 // every syllable the token may stand for
	set        bitset   // syllables it stands for fully
	// weak holds, for a complete syllable at the very end of the input, the
	// longer syllables it begins (ban → bang): the resident may not have
	// finished typing, but exact readings rank far above these.
	weak bitset
	// fuzzy1 and fuzzy2 hold the syllables the token may stand for with one
	// or two of the confusions of southern speakers (sen → shen, zen → zheng).
	fuzzy1, fuzzy2 bitset
}

type tokKind uint8

const (
	tokFull    tokKind = iota // a complete syllable: ban
	tokPartial                // the unfinished last syllable: zho
	tokInitial                // an initial standing for a whole syllable: s in sfz
	tokFuzzy                  // no syllable, but one by a fuzzy rule: sua for shua
)

// Costs of a segmentation, in tenths: the fewest pieces win, and of two
// readings with as many pieces the one with fewer abbreviations.
var tokCost = [...]int{tokFull: 10, tokPartial: 10, tokInitial: 11, tokFuzzy: 12}

// maxPaths bounds the segmentations considered for one input.
const maxPaths = 8

// Weak matches (bang for a typed ban) rank a hundred times lower, and
// fuzzy ones twenty times lower for each confusion.
const (
	weakFactor  = 0.01
	fuzzyFactor = 0.05
)

func isInitial(s string) bool {
	switch s {
	case "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x",
		"zh", "ch", "sh", "r", "z", "c", "s", "y", "w":
		return true
	}
	return false
}

func validInput(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if (s[i] < 'a' || s[i] > 'z') && s[i] != '\'' {
			return false
		}
	}
	return true
}

// segment returns the cheapest ways to cut input into tokens, at most
// maxPaths of them; nil when input cannot be read as pinyin.
func (d *Dict) segment(input string) [][]token {
	if !validInput(input) {
		return nil
	}
	n := len(input)
	const inf = math.MaxInt32
	cost := make([]int, n+1)
	for i := n - 1; i >= 0; i-- {
		cost[i] = inf
		if input[i] == '\'' {
			cost[i] = cost[i+1]
			continue
		}
		for j := i + 1; j <= n && j <= i+6; j++ {
			if input[j-1] == '\'' {
				break
			}
			if k, ok := d.kindOf(input[i:j], j == n); ok && cost[j] != inf {
				cost[i] = min(cost[i], tokCost[k]+cost[j])
			}
		}
	}
	if cost[0] == inf || cost[0] == 0 { // unreadable, or apostrophes only
		return nil
	}
	var paths [][]token
	var walk func(i int, acc []token)
	walk = func(i int, acc []token) {
		if len(paths) >= maxPaths {
			return
		}
		if i == n {
			paths = append(paths, append([]token(nil), acc...))
			return
		}
		if input[i] == '\'' {
			walk(i+1, acc)
			return
		}
		for j := min(n, i+6); j > i; j-- {
			if strings.IndexByte(input[i:j], '\'') >= 0 {
				continue
			}
			k, ok := d.kindOf(input[i:j], j == n)
			if !ok || cost[j] == inf || tokCost[k]+cost[j] != cost[i] {
				continue
			}
			walk(j, append(acc, d.newToken(input, i, j, k)))
		}
	}
	walk(0, nil)
	return paths
}

// kindOf says what s can be as a token; atEnd when it ends the input.
func (d *Dict) kindOf(s string, atEnd bool) (tokKind, bool) {
	if _, ok := d.sylID[s]; ok {
		return tokFull, true
	}
	if _, ok := d.prefixOf[s]; ok {
		if atEnd {
			return tokPartial, true // with its fuzzy readings, if any (sua)
		}
		if isInitial(s) {
			return tokInitial, true
		}
	}
	if _, fz := d.fuzzyOf[s]; fz && d.fuzzy.Load() {
		return tokFuzzy, true
	}
	return 0, false
}

func (d *Dict) newToken(input string, i, j int, k tokKind) token {
	s := input[i:j]
	t := token{start: i, end: j, kind: k, set: make(bitset, (len(d.syllables)+63)/64)}
	if k != tokInitial && d.fuzzy.Load() {
		for _, f := range d.fuzzyOf[s] {
			b := &t.fuzzy1
			if f.changes > 1 {
				b = &t.fuzzy2
			}
			if *b == nil {
				*b = make(bitset, len(t.set))
			}
			b.set(f.id)
			t.ids = append(t.ids, f.id)
		}
	}
	if k == tokFuzzy {
		return t
	}
	if k == tokFull {
		id := d.sylID[s]
		t.set.set(id)
		t.ids = append([]uint16{id}, t.ids...)
		if j == len(input) {
			for _, o := range d.prefixOf[d.syllables[id]] {
				if o != id {
					if t.weak == nil {
						t.weak = make(bitset, len(t.set))
					}
					t.weak.set(o)
					t.ids = append(t.ids, o)
				}
			}
		}
		return t
	}
	for _, id := range d.prefixOf[s] {
		t.set.set(id)
		t.ids = append(t.ids, id)
	}
	return t
}

// match calls fn for every group whose reading fits toks, with the factor
// its words' scores take for weak and fuzzy matches (1 for exact ones).
func (d *Dict) match(toks []token, fn func(g *group, factor float64)) {
	n := len(toks)
	if n == 0 || n > maxWord {
		return
	}
	byFirst := d.byFirst[n-1]
	for _, first := range toks[0].ids {
		for _, gi := range byFirst[first] {
			g := &d.groups[gi]
			key := d.keys[g.keyOff : g.keyOff+uint32(n)]
			factor, ok := 1.0, true
			for j, id := range key {
				t := &toks[j]
				switch {
				case t.set.has(id):
				case t.weak != nil && t.weak.has(id):
					factor *= weakFactor
				case t.fuzzy1 != nil && t.fuzzy1.has(id):
					factor *= fuzzyFactor
				case t.fuzzy2 != nil && t.fuzzy2.has(id):
					factor *= fuzzyFactor * fuzzyFactor
				default:
					ok = false
				}
				if !ok {
					break
				}
			}
			if ok {
				fn(g, factor)
			}
		}
	}
}

type candKey struct {
	text    string
	letters int
}

// rank lists every candidate for input, best first.
func (d *Dict) rank(input string) []Candidate {
	paths := d.segment(input)
	if len(paths) == 0 {
		if validInput(input) && strings.Trim(input, "'") != "" {
			// Not pinyin (an English word, a code): offer the letters.
			return []Candidate{{Text: input, Letters: len(input)}}
		}
		return nil
	}
	best := map[candKey]float64{}
	for _, toks := range paths {
		for k := min(len(toks), maxWord); k >= 1; k-- {
			letters := toks[k-1].end
			d.match(toks[:k], func(g *group, factor float64) {
				for _, w := range d.words[g.wordOff : g.wordOff+g.nWords] {
					s := float64(w.score) * factor
					key := candKey{d.wordText(w), letters}
					if s > best[key] {
						best[key] = s
					}
				}
			})
		}
	}
	end := paths[0][len(paths[0])-1].end
	whole := false
	for k := range best {
		if k.letters == end {
			whole = true
			break
		}
	}
	out := make([]Candidate, 0, len(best)+1)
	if !whole {
		var sentence string
		bestLP := math.Inf(-1)
		for _, toks := range paths {
			if s, lp, ok := d.compose(toks); ok && lp > bestLP {
				sentence, bestLP = s, lp
			}
		}
		if sentence != "" {
			out = append(out, Candidate{Text: sentence, Letters: end, score: math.Inf(1)})
		}
	}
	for k, s := range best {
		out = append(out, Candidate{Text: k.text, Letters: k.letters, score: s})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Letters != b.Letters {
			return a.Letters > b.Letters
		}
		if a.score != b.score {
			return a.score > b.score
		}
		return a.Text < b.Text
	})
	return out
}

// compose builds the likeliest sentence for toks from words of the index
// (a unigram model over the words' frequencies), for input that no single
// word covers. Abbreviations are not composed: sfzjwh is too ambiguous to
// guess a sentence from.
func (d *Dict) compose(toks []token) (string, float64, bool) {
	n := len(toks)
	if n < 2 {
		return "", 0, false
	}
	for _, t := range toks {
		if t.kind == tokInitial {
			return "", 0, false
		}
	}
	lp := make([]float64, n+1)
	from := make([]int, n+1)
	words := make([]string, n+1)
	for i := 1; i <= n; i++ {
		lp[i] = math.Inf(-1)
		for j := max(0, i-maxWord); j < i; j++ {
			if math.IsInf(lp[j], -1) {
				continue
			}
			var bw string
			var bs float64
			d.match(toks[j:i], func(g *group, factor float64) {
				w := d.words[g.wordOff] // a group's best word comes first
				s := float64(w.score) * factor
				if s > bs {
					bw, bs = d.wordText(w), s
				}
			})
			if bs == 0 {
				continue
			}
			if v := lp[j] + math.Log(bs) - d.logTotal; v > lp[i] {
				lp[i], from[i], words[i] = v, j, bw
			}
		}
	}
	if math.IsInf(lp[n], -1) {
		return "", 0, false
	}
	var parts []string
	for i := n; i > 0; i = from[i] {
		parts = append(parts, words[i])
	}
	if len(parts) < 2 {
		return "", 0, false
	}
	var b strings.Builder
	for i := len(parts) - 1; i >= 0; i-- {
		b.WriteString(parts[i])
	}
	return b.String(), lp[n], true
}
