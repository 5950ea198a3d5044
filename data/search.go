package data

import (
	"sort"
	"strings"
	"unicode"
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
// consultation, street) and false for any other value. The text has one
// line per field of SearchFields(kind), in that order and empty where the
// item has none, so a snippet can name the field it quotes (FieldSnippet).
func SearchText(v any) (title, text string, ok bool) {
	switch x := v.(type) {
	case *Notice:
		return x.Title, joinText(x.Category, x.Publisher, x.Body, attachmentNames(x.Attachments)), true
	case *CatalogEntry:
		return x.Title, joinText(x.IndexNo, x.DocNo, x.Publisher, x.Topic, strings.Join(x.Keywords, " "),
			x.Summary, x.Disclosure, x.Timeframe, x.Body), true
	case *ServiceItem:
		var mats, faq []string
		for _, m := range x.Materials {
			mats = append(mats, strings.TrimSpace(m.Name+" "+m.Note))
		}
		for _, f := range x.FAQ {
			faq = append(faq, f.Q+" "+f.A)
		}
		return x.Name, joinText(x.Code, string(x.Category.Label(ZH)), x.Department, x.Audience,
			listText(x.Basis), listText(x.Conditions), listText(mats), listText(x.Procedure),
			x.Location, x.Hours, x.Fee, x.FeeBasis, listText(faq)), true
	case *Provider:
		return x.Name, joinText(x.Category, x.Address, x.Phone, x.Hours.Summary(ZH), strings.Join(x.Services, " "), x.Description), true
	case *Street:
		return x.Name, joinText(x.District, x.Address, x.Phone, x.Hours), true
	case *Consultation:
		var topics, feedback []string
		for _, t := range x.Topics {
			topics = append(topics, strings.TrimSpace(t.Title+" "+t.Summary))
		}
		for _, f := range x.Feedback {
			feedback = append(feedback, f.Reason)
		}
		return x.Title, joinText(x.Publisher, x.Draft, listText(topics), listText(feedback)), true
	}
	return "", "", false
}

// SearchFields names the lines of the searchable text of each kind, in
// order (see SearchText).
var SearchFields = map[Kind][]string{
	KindNotice:       {"category", "publisher", "body", "attachments"},
	KindCatalog:      {"index_no", "doc_no", "publisher", "topic", "keywords", "summary", "disclosure", "timeframe", "body"},
	KindService:      {"code", "category", "department", "audience", "basis", "conditions", "materials", "procedure", "location", "hours", "fee", "fee_basis", "faq"},
	KindProvider:     {"category", "address", "phone", "hours", "services", "description"},
	KindStreet:       {"district", "address", "phone", "hours"},
	KindConsultation: {"publisher", "draft", "topics", "feedback"},
}

// joinText joins the parts as lines, one per field, each on one line: a
// field's own line breaks become spaces. A newline is a separator that no
// phrase query matches across, since queries have no newlines.
func joinText(parts ...string) string {
	for i, p := range parts {
		parts[i] = strings.Join(strings.Fields(p), " ")
	}
	return strings.Join(parts, "\n")
}

// listText joins the items of a list field with the Chinese enumeration
// mark, on one line.
func listText(items []string) string { return strings.Join(items, "；") }

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

// SnippetPart is one field quoted in a search hit's snippet: the field's
// name from SearchFields (shown as its label unless Unlabelled), an excerpt
// of it, and the byte ranges of the terms in the excerpt.
type SnippetPart struct {
	Field      string   `json:"field"`
	Text       string   `json:"text"`
	Highlights [][2]int `json:"highlights,omitempty"`
}

// Unlabelled reports whether the part is running text (a body, a draft, a
// description) that reads without a label.
func (p SnippetPart) Unlabelled() bool {
	switch p.Field {
	case "body", "summary", "draft", "description":
		return true
	}
	return false
}

// snippetSummary are the fields a snippet quotes when only the title
// matched: what a resident wants to know next about the item.
var snippetSummary = map[Kind][]string{
	KindNotice:       {"body"},
	KindCatalog:      {"summary", "body"},
	KindService:      {"department", "location", "hours"},
	KindProvider:     {"address", "phone", "hours"},
	KindStreet:       {"address", "phone", "hours"},
	KindConsultation: {"draft"},
}

// FieldSnippet quotes the searchable text of an item of kind (SearchText)
// field by field: when the title holds every term (inTitle) or no field
// holds one, the kind's summary fields (a provider's address, phone and
// hours), otherwise the fields that hold a term; each is cut at word or
// punctuation boundaries with an ellipsis where it was cut, about
// SnippetRunes characters in all. Fields are never run together: each is
// a part of its own.
func FieldSnippet(kind Kind, text string, terms []string, inTitle bool) []SnippetPart {
	names := SearchFields[kind]
	lines := strings.Split(text, "\n")
	field := func(i int) string {
		if i < len(names) {
			return names[i]
		}
		return ""
	}
	var folded []string
	for _, t := range terms {
		if t = FoldASCII(t); t != "" {
			folded = append(folded, t)
		}
	}
	type pick struct{ line, at, n int } // a term of n characters at byte at
	var picks []pick
	for i, l := range lines {
		if inTitle {
			break
		}
		fl := FoldASCII(l)
		p := pick{line: i, at: -1}
		for _, t := range folded {
			if j := strings.Index(fl, t); j >= 0 && (p.at < 0 || j < p.at) {
				p.at, p.n = j, utf8.RuneCountInString(t)
			}
		}
		if p.at >= 0 {
			picks = append(picks, p)
		}
	}
	if len(picks) == 0 {
		for _, f := range snippetSummary[kind] {
			for i, n := range names {
				if n == f && i < len(lines) && strings.TrimSpace(lines[i]) != "" {
					picks = append(picks, pick{line: i})
				}
			}
		}
		if len(picks) == 0 {
			for i, l := range lines {
				if strings.TrimSpace(l) != "" {
					picks = append(picks, pick{line: i})
					break
				}
			}
		}
	}
	budget := SnippetRunes
	var out []SnippetPart
	for _, p := range picks {
		if budget < snippetMinRunes {
			break
		}
		ex := excerpt(lines[p.line], p.at, p.n, budget)
		budget -= utf8.RuneCountInString(ex)
		out = append(out, SnippetPart{Field: field(p.line), Text: ex, Highlights: Highlights(ex, terms)})
	}
	return out
}

// snippetMinRunes is the least room worth quoting one more field in.
const snippetMinRunes = 8

// excerpt cuts at most n characters out of line around the byte offset
// at, where a term of size characters starts: starting up to a quarter of
// n before it, just after a space or a punctuation mark when there is one
// in that stretch, and ending at the last such boundary that keeps the
// term; an ellipsis marks each cut.
func excerpt(line string, at, size, n int) string {
	rs := []rune(line)
	pos := utf8.RuneCountInString(line[:at])
	if len(rs) <= n {
		return line
	}
	start := 0
	if pos > n/4 {
		start = pos - n/4
		// Move forward to just after a boundary before the match.
		for i := start; i < pos; i++ {
			if isBoundary(rs[i]) {
				start = i + 1
				break
			}
		}
	}
	end := min(len(rs), start+n-2) // room for the ellipses
	if end < len(rs) {
		// Back to the last boundary after the match, if there is one.
		for i := end - 1; i >= pos+size; i-- {
			if isBoundary(rs[i]) {
				end = i + 1
				break
			}
		}
	}
	out := strings.TrimSpace(string(rs[start:end]))
	if start > 0 {
		out = "…" + out
	}
	if end < len(rs) {
		out += "…"
	}
	return out
}

// isBoundary reports whether a snippet may be cut just after r.
func isBoundary(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) }

// SearchKindOrder ranks the searchable kinds by how likely a resident's
// search means one of them, best first: what to do and where to go before
// what was announced or published. Within a search, hits whose title holds
// every term come first, then the better kind, then the newer.
var SearchKindOrder = []Kind{KindService, KindProvider, KindStreet, KindNotice, KindConsultation, KindCatalog}

// SearchKindRank is k's weight in SearchKindOrder, higher better; 0 for a
// kind not in it.
func SearchKindRank(k Kind) int {
	for i, o := range SearchKindOrder {
		if o == k {
			return len(SearchKindOrder) - i
		}
	}
	return 0
}

// SearchTitleRank is what a hit whose title holds every term adds to its
// kind's rank: more than any kind's.
const SearchTitleRank = 100
