package data

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// Search text, snippets and highlights shared by the kiosk's search
// (data/store) and the district's (sync/server): the same text is indexed
// and the same snippet is shown whichever side answers. See
// docs/ARCHITECTURE.md, "Search without slowing the apply".

// MinTrigram is the shortest search term a trigram index can answer;
// shorter terms are matched by a scan.
const MinTrigram = 3

// SnippetRunes is the length of a snippet in characters.
const SnippetRunes = 60

// SearchText returns the searchable title and text of a content item of a
// searchable kind (notice, catalogue entry, service item, provider,
// consultation, street) and false for any other value.
func SearchText(v any) (title, text string, ok bool) {
	switch x := v.(type) {
	case *Notice:
		return x.Title, joinText(x.Category, x.Publisher, x.Body, attachmentNames(x.Attachments)), true
	case *CatalogEntry:
		return x.Title, joinText(x.IndexNo, x.DocNo, x.Publisher, x.Topic, strings.Join(x.Keywords, " "),
			x.Summary, x.Disclosure, x.Timeframe, x.Body), true
	case *ServiceItem:
		parts := []string{x.Code, string(x.Category.Label(ZH)), x.Department, x.Audience}
		parts = append(parts, x.Basis...)
		parts = append(parts, x.Conditions...)
		for _, m := range x.Materials {
			parts = append(parts, m.Name, m.Note)
		}
		parts = append(parts, x.Procedure...)
		parts = append(parts, x.Location, x.Hours, x.Fee, x.FeeBasis)
		for _, f := range x.FAQ {
			parts = append(parts, f.Q, f.A)
		}
		return x.Name, joinText(parts...), true
	case *Provider:
		return x.Name, joinText(x.Category, x.Address, x.Phone, strings.Join(x.Services, " "), x.Description), true
	case *Street:
		return x.Name, joinText(x.District, x.Address, x.Phone, x.Hours), true
	case *Consultation:
		parts := []string{x.Publisher, x.Draft}
		for _, t := range x.Topics {
			parts = append(parts, t.Title, t.Summary)
		}
		for _, f := range x.Feedback {
			parts = append(parts, f.Reason)
		}
		return x.Title, joinText(parts...), true
	}
	return "", "", false
}

// joinText joins the non-empty parts with newlines: a separator that no
// phrase query matches across, since queries have no newlines.
func joinText(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p)
	}
	return b.String()
}

func attachmentNames(as []Attachment) string {
	names := make([]string, len(as))
	for i, a := range as {
		names[i] = a.Name
	}
	return strings.Join(names, " ")
}

// Snippet cuts a window of about SnippetRunes characters out of text
// around the first occurrence of any term (the start of text when only the
// title matched) and returns it with the byte ranges of every occurrence of
// every term inside it. Matching folds ASCII case, as LIKE and the trigram
// tokenizer do; folding only ASCII keeps byte offsets valid.
func Snippet(text string, terms []string) (string, [][2]int) {
	folded := FoldASCII(text)
	first := -1
	for _, t := range terms {
		if i := strings.Index(folded, FoldASCII(t)); i >= 0 && (first < 0 || i < first) {
			first = i
		}
	}
	start := 0
	if first > 0 {
		// Start a quarter of the window before the match, on a rune boundary.
		start = first
		for n := 0; n < SnippetRunes/4 && start > 0; n++ {
			_, size := utf8.DecodeLastRuneInString(text[:start])
			start -= size
		}
	}
	end := start
	for n := 0; n < SnippetRunes && end < len(text); n++ {
		_, size := utf8.DecodeRuneInString(text[end:])
		end += size
	}
	// Shift the window back if it ran off the end, so short tails still
	// show a full snippet.
	for n := utf8.RuneCountInString(text[start:end]); n < SnippetRunes && start > 0; n++ {
		_, size := utf8.DecodeLastRuneInString(text[:start])
		start -= size
	}
	out := strings.ReplaceAll(text[start:end], "\n", " ") // same length: offsets hold
	return out, Highlights(out, terms)
}

// Highlights returns the sorted, merged byte ranges of every occurrence of
// every term in s.
func Highlights(s string, terms []string) [][2]int {
	folded := FoldASCII(s)
	var rs [][2]int
	for _, t := range terms {
		ft := FoldASCII(t)
		if ft == "" {
			continue
		}
		for i := 0; ; {
			j := strings.Index(folded[i:], ft)
			if j < 0 {
				break
			}
			rs = append(rs, [2]int{i + j, i + j + len(ft)})
			i += j + len(ft)
		}
	}
	if len(rs) == 0 {
		return nil
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i][0] < rs[j][0] })
	merged := rs[:1]
	for _, r := range rs[1:] {
		last := &merged[len(merged)-1]
		if r[0] <= last[1] {
			last[1] = max(last[1], r[1])
		} else {
			merged = append(merged, r)
		}
	}
	return merged
}

// FoldASCII lower-cases ASCII letters only, as SQLite's LIKE and the
// trigram tokenizer fold case; other bytes keep their offsets.
func FoldASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// FTSQuery quotes each term as an FTS5 string, so that no character of
// the input is read as query syntax; juxtaposed strings are AND-ed.
func FTSQuery(terms []string) string {
	q := make([]string, len(terms))
	for i, t := range terms {
		q[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
	}
	return strings.Join(q, " ")
}

// LikeEscape escapes s for a LIKE pattern with ESCAPE '\'.
func LikeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
