package ui

import (
	"strings"
	"unicode"
)

// Chinese line breaking (避头尾, as in the W3C's "Requirements for Chinese
// Text Layout"): a line may break between any two Chinese characters, but
// never before closing punctuation and never after opening punctuation.
// Fyne's own word wrapping breaks Chinese at whatever character reaches
// the edge, so every wrapped text of the kiosk goes through breakLines
// (wrapLabel, below in wraplabel.go).

// noStart are the characters a line must not start with: closing brackets
// and quotes, the sentence and clause marks, and the marks that hang on the
// character before them.
const noStart = "。，、；：？！）」』》〉】〕〗〙〛］｝”’·・…‥—～々〜" +
	".,;:?!)]}%％" + "｡､｣"

// noEnd are the characters a line must not end with: opening brackets and
// quotes.
const noEnd = "（「『《〈【〔〖〘〚［｛“‘" + "([{" + "｢"

func isNoStart(r rune) bool { return strings.ContainsRune(noStart, r) }
func isNoEnd(r rune) bool   { return strings.ContainsRune(noEnd, r) }

// isWide reports whether r is a character a line may break beside without
// a space: Chinese characters, kana, Hangul, and the full-width forms and
// punctuation that go with them.
func isWide(r rune) bool {
	switch {
	case unicode.Is(unicode.Han, r), unicode.Is(unicode.Hiragana, r),
		unicode.Is(unicode.Katakana, r), unicode.Is(unicode.Hangul, r):
		return true
	case r >= 0x3000 && r <= 0x303f, // CJK symbols and punctuation
		r >= 0xff00 && r <= 0xffef, // full-width forms
		r >= 0x2014 && r <= 0x201f, r == 0x2026, r == 0x00b7:
		return true
	}
	return false
}

// canBreak reports whether a line may end after rs[i-1] and the next one
// start with rs[i].
func canBreak(rs []rune, i int) bool {
	a, b := rs[i-1], rs[i]
	if unicode.IsSpace(b) {
		return false // break after the spaces, which the next line drops
	}
	if isNoStart(b) || isNoEnd(a) {
		return false
	}
	// Two of the same dash or ellipsis belong together (——, ……).
	if a == b && (a == '—' || a == '…') {
		return false
	}
	if unicode.IsSpace(a) {
		// The line would end in the spaces; what is before them must not
		// be an opening mark either.
		j := i - 1
		for j > 0 && unicode.IsSpace(rs[j]) {
			j--
		}
		return !isNoEnd(rs[j])
	}
	return isWide(a) || isWide(b)
}

// breakLines breaks text into lines no wider than width, as measured by
// measure, at the places Chinese and Latin text allow. A line break in the
// text starts a new line; spaces at a break are dropped. Where nothing
// allowed fits (a long Latin word, a line of closing marks), the line breaks
// at the last character that fits, still never before a closing mark when
// that can be helped. A width of zero or less leaves the text's own lines.
func breakLines(text string, width float32, measure func(string) float32) []string {
	var out []string
	for _, para := range strings.Split(text, "\n") {
		if width <= 0 {
			out = append(out, para)
			continue
		}
		out = append(out, breakPara([]rune(para), width, measure)...)
	}
	return out
}

func breakPara(rs []rune, width float32, measure func(string) float32) []string {
	if len(rs) == 0 {
		return []string{""}
	}
	// The places a line may end, ascending; the end of the text is one.
	var ends []int
	for i := 1; i < len(rs); i++ {
		if canBreak(rs, i) {
			ends = append(ends, i)
		}
	}
	ends = append(ends, len(rs))

	line := func(s, e int) string { return strings.TrimRightFunc(string(rs[s:e]), unicode.IsSpace) }
	fits := func(s, e int) bool { return measure(line(s, e)) <= width }

	var out []string
	s, k := 0, 0 // s: start of the line; k: first end after s
	for s < len(rs) {
		for k < len(ends) && ends[k] <= s {
			k++
		}
		// The furthest allowed end that fits (widths grow with the end).
		lo, hi := k, len(ends)-1
		best := -1
		for lo <= hi {
			m := (lo + hi) / 2
			if fits(s, ends[m]) {
				best, lo = m, m+1
			} else {
				hi = m - 1
			}
		}
		var e int
		if best >= 0 {
			e = ends[best]
		} else {
			e = forcedEnd(rs, s, ends[k], fits)
		}
		out = append(out, line(s, e))
		s = e
		for s < len(rs) && unicode.IsSpace(rs[s]) {
			s++
		}
	}
	return out
}

// forcedEnd is where a line from s breaks when no allowed end up to limit
// fits: after the last character that fits, moved back past a closing mark
// at the next line's start or an opening one at this line's end, as long as
// the line keeps at least one character.
func forcedEnd(rs []rune, s, limit int, fits func(s, e int) bool) int {
	lo, hi, e := s+1, limit, s+1
	for lo <= hi {
		m := (lo + hi) / 2
		if fits(s, m) {
			e, lo = m, m+1
		} else {
			hi = m - 1
		}
	}
	for f := e; f > s+1; f-- {
		if !isNoStart(rs[f]) && !isNoEnd(rs[f-1]) {
			return f
		}
	}
	return e
}
