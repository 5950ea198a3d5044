package ui

import (
	"context"
	"sort"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"jiezhen/data"
	"jiezhen/data/store"
)

// searchKinds are the kinds a search covers, best first
// (data.SearchKindOrder): a group whose best hit has every term in its
// title comes before those whose do not, and otherwise they keep this order.
var searchKinds = []data.Kind{data.KindService, data.KindProvider, data.KindNotice, data.KindConsultation, data.KindCatalog}

// groupHits is how many hits of each kind the grouped results show before
// 查看全部.
const groupHits = 2

// searchState is a search screen's text, scope and position.
type searchState struct {
	text   string
	kinds  []data.Kind // one kind: a paged list of it; none: every kind, grouped
	offset int
	size   int // hits a page of one kind holds: as many as fit (fitRows); 0 before it is known
	seq    int // of the latest page read, so that a slow old one cannot win
}

// openSearch shows the results of searching text, in every kind or only
// in kinds.
func openSearch(e *env, src Searcher, text string, kinds []data.Kind) {
	st := &searchState{text: strings.TrimSpace(text), kinds: kinds}
	e.openRead(func() string {
		if len(st.kinds) == 1 {
			return e.L("search.title") + " · " + st.kinds[0].Label(e.lang)
		}
		return e.L("search.title")
	}, func() fyne.CanvasObject { return newSearch(e, src, st) })
}

func newSearch(e *env, src Searcher, st *searchState) fyne.CanvasObject {
	results := container.NewStack(widget.NewLabel(e.L("loading")))
	var run func()
	entry := e.entry(e.L("search.placeholder"))
	entry.SetText(st.text)
	entry.OnSubmitted = func(string) { run() }
	run = func() {
		e.kb.Commit() // pinyin letters typed and not yet converted
		st.text = strings.TrimSpace(entry.Text)
		st.offset = 0
		e.searchResults(src, st, results)
	}
	bar := container.NewBorder(nil, nil, nil, e.primary(e.L("search.button"), theme.SearchIcon(), run), entry)
	e.searchResults(src, st, results)
	return container.NewBorder(container.NewPadded(bar), nil, nil, nil, results)
}

// searchResults fills box with the results of st, grouped by kind or, for
// one kind, paged.
func (e *env) searchResults(src Searcher, st *searchState, box *fyne.Container) {
	set := func(o fyne.CanvasObject) {
		box.Objects = []fyne.CanvasObject{o}
		box.Refresh()
	}
	if st.text == "" {
		set(para(e.L("search.empty_query")))
		return
	}
	if len(st.kinds) == 1 {
		e.searchPage(src, st, set)
		return
	}
	kinds := st.kinds
	if len(kinds) == 0 {
		kinds = searchKinds
	}
	// The query is copied here, on the Fyne goroutine: the state may change
	// while the search runs.
	text := st.text
	load(e, func(ctx context.Context) ([]store.Results, error) {
		out := make([]store.Results, len(kinds))
		for i, k := range kinds {
			r, err := src.Search(ctx, store.Query{Text: text, Kinds: []data.Kind{k}, Limit: groupHits})
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	}, func(all []store.Results, err error) {
		if err != nil {
			set(e.errorText(err))
			return
		}
		order := make([]int, len(all))
		for i := range order {
			order[i] = i
		}
		named := func(i int) bool { return len(all[i].Hits) > 0 && all[i].Hits[0].InTitle }
		sort.SliceStable(order, func(a, b int) bool { return named(order[a]) && !named(order[b]) })
		groups := container.NewVBox()
		for _, i := range order {
			r := all[i]
			if r.Total == 0 {
				continue
			}
			kind := kinds[i]
			head := subheading(e.Lf("search.group", kind.Label(e.lang), r.Total))
			more := e.button(e.Lf("search.more", r.Total), theme.NavigateNextIcon(), func() {
				openSearch(e, src, st.text, []data.Kind{kind})
			})
			more.IconPlacement = widget.ButtonIconTrailingText
			groups.Add(container.NewBorder(nil, nil, nil, more, head))
			for _, h := range r.Hits {
				groups.Add(e.hitCard(h, st.text))
			}
		}
		if len(groups.Objects) == 0 {
			set(para(e.Lf("search.none", st.text)))
			return
		}
		set(e.scrollPages(groups))
	})
}

// searchPage shows one page of the hits of a single kind: as many as its
// height shows whole, like the other lists (fitRows), read again when
// that changes.
func (e *env) searchPage(src Searcher, st *searchState, set func(fyne.CanvasObject)) {
	size := st.size
	if size == 0 {
		// Before the page knows its height: hits are taller than list
		// rows (a card around two lines).
		size = e.pageSize() - 1
	}
	fit := func(rows int) {
		if rows != st.size {
			st.size = rows
			e.searchPage(src, st, set)
		}
	}
	st.offset -= st.offset % size
	st.seq++
	seq := st.seq
	q := store.Query{Text: st.text, Kinds: st.kinds, Limit: size, Offset: st.offset}
	load(e, func(ctx context.Context) (store.Results, error) {
		return src.Search(ctx, q)
	}, func(r store.Results, err error) {
		if seq != st.seq {
			return
		}
		if err != nil {
			set(e.errorText(err))
			return
		}
		if r.Total == 0 {
			set(para(e.Lf("search.none", st.text)))
			return
		}
		hits := container.NewVBox()
		for _, h := range r.Hits {
			hits.Add(e.hitCard(h, st.text))
		}
		pages := (r.Total + size - 1) / size
		page := st.offset/size + 1
		prev := e.button(e.L("list.prev"), theme.NavigateBackIcon(), func() {
			st.offset -= size
			e.searchPage(src, st, set)
		})
		next := e.button(e.L("list.next"), theme.NavigateNextIcon(), func() {
			st.offset += size
			e.searchPage(src, st, set)
		})
		next.IconPlacement = widget.ButtonIconTrailingText
		setEnabled(prev, page > 1)
		setEnabled(next, page < pages)
		pos := widget.NewLabelWithStyle(e.Lf("list.position", page, pages, r.Total), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
		body := container.New(&fitRows{fit: fit, row: e.hitPitch}, hits, layout.NewSpacer())
		set(container.NewBorder(nil, container.NewBorder(nil, nil, prev, next, pos), nil, nil, body))
	})
}

// hitPitch is the height a hit takes on a page, with the gap under it.
func (e *env) hitPitch() float32 {
	return e.hitCard(store.Hit{Title: "字", Snippet: "字"}, "").MinSize().Height + theme.Padding()
}

// hitCard is one search hit: the title and the snippet with the matched
// terms in bold primary colour; a touch opens the item. Both lines are one
// RichText, padded once, so that a page of hits fits the screen. The
// snippet quotes field by field, each with its label (地址：… 电话：…).
func (e *env) hitCard(h store.Hit, query string) fyne.CanvasObject {
	segs := highlight(h.Title, termRanges(h.Title, query), true)
	// A segment that is not inline ends its line: the snippet starts below.
	last := segs[len(segs)-1].(*widget.TextSegment)
	last.Style.Inline = false
	segs = append(segs, e.snippetSegments(h)...)
	text := widget.NewRichText(segs...)
	text.Truncation = fyne.TextTruncateEllipsis
	kind := h.Kind
	id := h.ID
	return e.card(h.Title, text, func() { e.openHit(kind, id) })
}

// snippetSegments are the parts of a hit's snippet, labelled, two spaces
// apart; a hit without parts shows its plain snippet.
func (e *env) snippetSegments(h store.Hit) []widget.RichTextSegment {
	if len(h.Parts) == 0 {
		return highlight(h.Snippet, h.Highlights, false)
	}
	label := widget.RichTextStyleInline
	label.ColorName = theme.ColorNamePlaceHolder
	var segs []widget.RichTextSegment
	for i, p := range h.Parts {
		lead := ""
		if i > 0 {
			lead = "  "
		}
		if !p.Unlabelled() {
			lead += e.L("search.field."+p.Field) + e.L("search.field_sep")
		}
		if lead != "" {
			segs = append(segs, &widget.TextSegment{Text: lead, Style: label})
		}
		segs = append(segs, highlight(p.Text, p.Highlights, false)...)
	}
	return segs
}

// openHit opens the detail screen of a search hit.
func (e *env) openHit(kind data.Kind, id string) {
	switch kind {
	case data.KindNotice:
		openNotice(e, e.src, id)
	case data.KindCatalog:
		openCatalogEntry(e, e.src, id)
	case data.KindService:
		openService(e, e.src, id)
	case data.KindProvider:
		openProvider(e, e.src, id)
	case data.KindConsultation:
		openConsultation(e, e.src, id)
	}
}

// highlight splits text into rich-text segments, the byte ranges in
// marks bold and in the primary colour. Ranges that are out of order, out
// of bounds or not on character boundaries are skipped rather than trusted.
func highlight(text string, marks [][2]int, bold bool) []widget.RichTextSegment {
	plain := widget.RichTextStyleInline
	plain.TextStyle.Bold = bold
	hot := widget.RichTextStyleInline
	hot.TextStyle.Bold = true
	hot.ColorName = theme.ColorNamePrimary
	var segs []widget.RichTextSegment
	add := func(s string, style widget.RichTextStyle) {
		if s != "" {
			segs = append(segs, &widget.TextSegment{Text: s, Style: style})
		}
	}
	at := 0
	for _, m := range marks {
		start, end := m[0], m[1]
		if start < at || end <= start || end > len(text) ||
			!utf8.RuneStart(text[start]) || (end < len(text) && !utf8.RuneStart(text[end])) {
			continue
		}
		add(text[at:start], plain)
		add(text[start:end], hot)
		at = end
	}
	add(text[at:], plain)
	if len(segs) == 0 {
		add(" ", plain)
	}
	return segs
}

// termRanges finds the byte ranges of every term of query in text, for
// highlighting titles, which the store's hits carry no ranges for.
func termRanges(text, query string) [][2]int {
	var out [][2]int
	lower := strings.ToLower(text)
	for _, term := range strings.Fields(strings.ToLower(query)) {
		for from := 0; ; {
			i := strings.Index(lower[from:], term)
			if i < 0 {
				break
			}
			out = append(out, [2]int{from + i, from + i + len(term)})
			from += i + len(term)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	// Overlapping terms merge into one range.
	merged := out[:0]
	for _, r := range out {
		if n := len(merged); n > 0 && r[0] <= merged[n-1][1] {
			merged[n-1][1] = max(merged[n-1][1], r[1])
			continue
		}
		merged = append(merged, r)
	}
	return merged
}
