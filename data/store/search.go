package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"jiezhen/data"
)

// Query is a full-text search.
type Query struct {
	Text   string      // space-separated terms, all of which must match
	Kinds  []data.Kind // empty: every searchable kind
	Limit  int         // 0: DefaultLimit
	Offset int
}

// Hit is one search result.
type Hit struct {
	Kind    data.Kind `json:"kind"`
	ID      string    `json:"id"`
	Title   string    `json:"title"`
	Snippet string    `json:"snippet"`
	// Highlights are the byte ranges [start, end) of every occurrence of
	// every term within Snippet, sorted and not overlapping.
	Highlights [][2]int `json:"highlights,omitempty"`
	// Parts quote the fields that hold a term (or, for a title match, the
	// kind's summary fields), each labelled and cut at boundaries
	// (data.FieldSnippet): what the window shows.
	Parts []data.SnippetPart `json:"parts,omitempty"`
	// InTitle says the title holds every term.
	InTitle bool `json:"in_title,omitempty"`
	// Rank orders the hits of one search, higher first: data.SearchTitleRank
	// when the title holds every term, plus data.SearchKindRank; equal
	// ranks are newest first. It means nothing across searches.
	Rank float64 `json:"rank"`
}

// Results are one page of hits and how many there are in all.
type Results struct {
	Hits  []Hit `json:"hits"`
	Total int   `json:"total"`
	// Capped means Total is a lower bound: a one- or two-character search
	// stops counting at scanCap (see scan).
	Capped bool `json:"capped,omitempty"`
}

// Search finds content matching every term of q.Text.
//
// Terms of three or more characters go through the FTS5 trigram index.
// Shorter terms cannot use a trigram index and are matched with LIKE over
// search_docs. Either way hits whose title holds every term come first,
// then the kinds of data.SearchKindOrder, then the newest (Hit.Rank).
// Items the indexer has not caught up with (search_queue) are never read
// from the index or search_docs, which may hold their old text or nothing;
// their text is derived from their rows and matched directly, and they are
// listed first, so a search never misses a change that Apply has committed
// and never shows text it replaced.
func (s *Store) Search(ctx context.Context, q Query) (Results, error) {
	terms := strings.Fields(q.Text)
	if len(terms) == 0 {
		return Results{}, nil
	}
	var long, short []string
	for _, t := range terms {
		if utf8.RuneCountInString(t) >= data.MinTrigram {
			long = append(long, t)
		} else {
			short = append(short, t)
		}
	}
	limit, offset := Page{q.Offset, q.Limit}.bounds()
	for _, k := range q.Kinds {
		if spec, ok := kindSpecs[k]; !ok || !spec.searchable {
			return Results{}, fmt.Errorf("search: %q is not a searchable kind", k)
		}
	}

	var res Results
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		sr := searcher{ctx: ctx, tx: tx, terms: terms, long: long, short: short, kinds: q.Kinds}
		var err error
		if len(long) == 0 {
			res, err = sr.scan(limit, offset)
		} else {
			res, err = sr.indexed(limit, offset)
		}
		return err
	})
	if err != nil {
		return Results{}, fmt.Errorf("search %q: %w", q.Text, err)
	}
	for i := range res.Hits {
		h := &res.Hits[i]
		h.InTitle = h.Rank >= data.SearchTitleRank
		h.Parts = data.FieldSnippet(h.Kind, h.Snippet, terms, h.InTitle)
		h.Snippet, h.Highlights = data.Snippet(h.Snippet, terms)
	}
	return res, nil
}

// searcher is one search inside one read transaction.
type searcher struct {
	ctx                context.Context
	tx                 *sql.Tx
	terms, long, short []string
	kinds              []data.Kind
}

// likeConds returns "(title LIKE ? OR text LIKE ?) AND ..." for terms over
// the search_docs alias d, with its arguments.
func likeConds(terms []string) (string, []any) {
	conds := make([]string, len(terms))
	args := make([]any, 0, 2*len(terms))
	for i, t := range terms {
		conds[i] = `(d.title LIKE ? ESCAPE '\' OR d.text LIKE ? ESCAPE '\')`
		p := "%" + data.LikeEscape(t) + "%"
		args = append(args, p, p)
	}
	return strings.Join(conds, " AND "), args
}

func (sr *searcher) kindCond() (string, []any) {
	if len(sr.kinds) == 0 {
		return "", nil
	}
	args := make([]any, len(sr.kinds))
	for i, k := range sr.kinds {
		args[i] = string(k)
	}
	return " AND d.kind IN (?" + strings.Repeat(", ?", len(sr.kinds)-1) + ")", args
}

// pendingScanMin is the number of queued items above which pending
// narrows them down in SQL before deriving their text in Go.
const pendingScanMin = 1000

// pending returns the items of search_queue matching every term, title
// matches first. Their search documents are not written yet or stale, so
// their text is derived here from their rows, as the indexer will derive
// it; an item without a row (deleted) matches nothing. Normally there are
// none or a handful; right after a large apply (more than pendingScanMin)
// a LIKE over each row's JSON doc first keeps only the rows that contain
// every term somewhere, and the derived text then decides, so JSON keys
// and values outside the searchable text never produce a hit.
func (sr *searcher) pending() ([]Hit, error) {
	var nq int
	if err := sr.tx.QueryRowContext(sr.ctx, "SELECT count(*) FROM search_queue").Scan(&nq); err != nil {
		return nil, err
	}
	if nq == 0 {
		return nil, nil
	}
	kinds := sr.kinds
	if len(kinds) == 0 {
		kinds = kindOrder
	}
	folded := make([]string, len(sr.terms))
	for i, t := range sr.terms {
		folded[i] = data.FoldASCII(t)
	}
	var hits []Hit
	var order []int64 // the items' seq in search_queue
	for _, kind := range kinds {
		spec := kindSpecs[kind]
		if !spec.searchable {
			continue
		}
		q := `SELECT q.id, k.doc, q.seq FROM search_queue q JOIN ` + spec.table + ` k ON k.id = q.id WHERE q.kind = ?`
		args := []any{string(kind)}
		if nq > pendingScanMin {
			f, fargs := docFilter(spec, sr.terms)
			q += f
			args = append(args, fargs...)
		}
		rows, err := sr.tx.QueryContext(sr.ctx, q, args...)
		if err != nil {
			return nil, err
		}
		err = scanRows(rows, func(rows *sql.Rows) error {
			d := queued{spec: spec}
			if err := rows.Scan(&d.id, &d.doc, &d.seq); err != nil {
				return err
			}
			if d.derive() != nil {
				// Indexed with an empty document (see deriveAll).
				return nil
			}
			title, text := data.FoldASCII(d.title), data.FoldASCII(d.text)
			inTitle := true
			for _, t := range folded {
				tt := strings.Contains(title, t)
				if !tt && !strings.Contains(text, t) {
					return nil
				}
				inTitle = inTitle && tt
			}
			h := Hit{Kind: kind, ID: d.id, Title: d.title, Snippet: d.text, Rank: float64(data.SearchKindRank(kind))}
			if inTitle {
				h.Rank += data.SearchTitleRank
			}
			hits, order = append(hits, h), append(order, d.seq)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	// Title matches and better kinds first, then the most recently marked.
	idx := make([]int, len(hits))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		i, j := idx[a], idx[b]
		if hits[i].Rank != hits[j].Rank {
			return hits[i].Rank > hits[j].Rank
		}
		return order[i] > order[j]
	})
	out := make([]Hit, len(hits))
	for k, i := range idx {
		out[k] = hits[i]
	}
	return out, nil
}

// docFilter is a condition on the kind table's row k that every row whose
// searchable text contains all terms satisfies: per term, the raw JSON doc
// contains it (LIKE folds ASCII case, as the match in Go does). JSON may
// spell a character as an escape, so a doc with any \u escape always
// passes, and a term with a character JSON escapes ('"', '\', '/', a
// control character) is not filtered on. A service's text holds its
// category's label, which the doc does not: the categories whose label
// holds the term pass.
func docFilter(spec *kindSpec, terms []string) (string, []any) {
	var conds []string
	var args []any
	for _, t := range terms {
		if strings.ContainsAny(t, `"\/`) || strings.IndexFunc(t, func(r rune) bool { return r < 0x20 }) >= 0 {
			continue
		}
		c := `k.doc LIKE ? ESCAPE '\'`
		args = append(args, "%"+data.LikeEscape(t)+"%")
		if spec.kind == data.KindService {
			for _, cat := range data.PowerCategories {
				if strings.Contains(data.FoldASCII(cat.Label(data.ZH)), data.FoldASCII(t)) {
					c += " OR k.category = ?"
					args = append(args, string(cat))
				}
			}
		}
		conds = append(conds, "("+c+")")
	}
	if len(conds) == 0 {
		return "", nil
	}
	return ` AND (instr(k.doc, '\u') > 0 OR (` + strings.Join(conds, " AND ") + `))`, args
}

// rankExpr is a hit's rank (see Hit.Rank) over the search_docs alias d.
func rankExpr(terms []string) (string, []any) {
	title, args := titleConds(terms)
	var b strings.Builder
	b.WriteString(title + " * " + strconv.Itoa(data.SearchTitleRank) + " + CASE d.kind")
	for _, k := range data.SearchKindOrder {
		b.WriteString(" WHEN ? THEN " + strconv.Itoa(data.SearchKindRank(k)))
		args = append(args, string(k))
	}
	b.WriteString(" ELSE 0 END")
	return b.String(), args
}

// titleConds is an expression true when every term is in the title.
func titleConds(terms []string) (string, []any) {
	conds := make([]string, len(terms))
	args := make([]any, len(terms))
	for i, t := range terms {
		conds[i] = `d.title LIKE ? ESCAPE '\'`
		args[i] = "%" + data.LikeEscape(t) + "%"
	}
	return "(" + strings.Join(conds, " AND ") + ")", args
}

// page cuts the page [offset, offset+limit) out of the pending hits, which
// come first, and says which slice of the rest is still wanted.
func page(pending []Hit, limit, offset int) (hits []Hit, restLimit, restOffset int) {
	if offset < len(pending) {
		hits = pending[offset:min(len(pending), offset+limit)]
	}
	restOffset = max(0, offset-len(pending))
	restLimit = limit - len(hits)
	return hits, restLimit, restOffset
}

// indexed answers a query with at least one term of three or more
// characters from the trigram index, excluding pending rows.
func (sr *searcher) indexed(limit, offset int) (Results, error) {
	pend, err := sr.pending()
	if err != nil {
		return Results{}, err
	}
	hits, restLimit, restOffset := page(pend, limit, offset)

	// d is joined only when a filter needs it: counting never touches
	// search_docs otherwise.
	from := "search_fts f"
	where := "search_fts MATCH ? AND f.rowid NOT IN (" + queuedDocs + ")"
	args := []any{data.FTSQuery(sr.long)}
	if len(sr.kinds) > 0 || len(sr.short) > 0 {
		from += " JOIN search_docs d ON d.rowid = f.rowid"
		if len(sr.short) > 0 {
			like, largs := likeConds(sr.short)
			where += " AND " + like
			args = append(args, largs...)
		}
		kc, kargs := sr.kindCond()
		where += kc
		args = append(args, kargs...)
	}

	var total int
	if err := sr.tx.QueryRowContext(sr.ctx, "SELECT count(*) FROM "+from+" WHERE "+where, args...).Scan(&total); err != nil {
		return Results{}, err
	}
	if restLimit > 0 && restOffset < total {
		// Title matches first, then the better kind, then the newest
		// (rankExpr), read from search_docs for each hit. Only the newest
		// rankCap hits are ranked (FTS5 walks them in rowid order without
		// sorting); any hits beyond those follow newest first.
		matches := `SELECT f.rowid FROM ` + from + ` WHERE ` + where
		if total > rankCap {
			matches += ` ORDER BY f.rowid DESC LIMIT ` + strconv.Itoa(rankCap)
		}
		rank, rargs := rankExpr(sr.terms)
		ids, ranks, err := sr.rowids(`SELECT d.rowid, `+rank+` AS r FROM search_docs d WHERE d.rowid IN (`+matches+
			`) ORDER BY r DESC, d.rowid DESC LIMIT ? OFFSET ?`, append(append(rargs, args...), restLimit, restOffset)...)
		if err != nil {
			return Results{}, err
		}
		if want := restOffset + restLimit; total > rankCap && want > rankCap {
			// The page reaches past the ranked hits: the rest, newest first.
			n, off := want-max(rankCap, restOffset), max(0, restOffset-rankCap)
			more, _, err := sr.rowids(`SELECT f.rowid, 0 FROM `+from+` WHERE `+where+` AND f.rowid < (SELECT min(rowid) FROM (SELECT f.rowid FROM `+
				from+` WHERE `+where+` ORDER BY f.rowid DESC LIMIT `+strconv.Itoa(rankCap)+`)) ORDER BY f.rowid DESC LIMIT ? OFFSET ?`,
				append(append(append([]any{}, args...), args...), n, off)...)
			if err != nil {
				return Results{}, err
			}
			ids = append(ids, more...)
			ranks = append(ranks, make([]float64, len(more))...)
		}
		docs, err := sr.docs(ids)
		if err != nil {
			return Results{}, err
		}
		for i, id := range ids {
			h := docs[id]
			h.Rank = ranks[i]
			hits = append(hits, h)
		}
	}
	return Results{Hits: hits, Total: len(pend) + total}, nil
}

// queuedDocs selects the rowids of the search documents of queued items,
// which may be stale: search reads those items from their rows. CROSS
// JOIN keeps search_queue, normally empty, the outer loop: without
// statistics the planner would rather scan search_docs.
const queuedDocs = "SELECT qd.rowid FROM search_queue q CROSS JOIN search_docs qd ON qd.kind = q.kind AND qd.id = q.id"

// rankCap bounds how many hits of an indexed search are ranked.
const rankCap = 1000

// rowids runs a query returning (rowid, score) rows.
func (sr *searcher) rowids(query string, args ...any) ([]int64, []float64, error) {
	rows, err := sr.tx.QueryContext(sr.ctx, query, args...)
	if err != nil {
		return nil, nil, err
	}
	var ids []int64
	var scores []float64
	err = scanRows(rows, func(rows *sql.Rows) error {
		var id int64
		var r float64
		if err := rows.Scan(&id, &r); err != nil {
			return err
		}
		ids, scores = append(ids, id), append(scores, r)
		return nil
	})
	return ids, scores, err
}

// docs loads the search documents of the given rowids.
func (sr *searcher) docs(ids []int64) (map[int64]Hit, error) {
	out := make(map[int64]Hit, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := sr.tx.QueryContext(sr.ctx, "SELECT rowid, kind, id, title, text FROM search_docs WHERE rowid IN (?"+
		strings.Repeat(", ?", len(ids)-1)+")", args...)
	if err != nil {
		return nil, err
	}
	err = scanRows(rows, func(rows *sql.Rows) error {
		var rowid int64
		var h Hit
		if err := rows.Scan(&rowid, &h.Kind, &h.ID, &h.Title, &h.Snippet); err != nil {
			return err
		}
		out[rowid] = h
		return nil
	})
	return out, err
}

// scanCap bounds how many matches a one- or two-character search collects
// before it stops scanning.
const scanCap = 500

// scan answers a query whose terms are all one or two characters, which
// the trigram index cannot, by LIKE over search_docs. One pass reads the
// newest matches until it has scanCap of them, which bounds the work for
// the common characters such queries are made of; those are ordered by
// rank (title matches, then the better kind) and then newest first, and
// any matches beyond them follow newest first. The
// total is exact below scanCap and otherwise the lower bound scanCap, with
// Capped set: counting every match of a common character means reading
// every row.
func (sr *searcher) scan(limit, offset int) (Results, error) {
	pend, err := sr.pending()
	if err != nil {
		return Results{}, err
	}
	first, limit, offset := page(pend, limit, offset)
	res, err := sr.scanDocs(limit, offset)
	if err != nil {
		return Results{}, err
	}
	res.Hits = append(first, res.Hits...)
	res.Total += len(pend)
	return res, nil
}

// scanDocs is scan over the search documents of items not queued.
func (sr *searcher) scanDocs(limit, offset int) (Results, error) {
	like, args := likeConds(sr.terms)
	title, targs := rankExpr(sr.terms)
	kc, kargs := sr.kindCond()
	where := like + kc + " AND d.rowid NOT IN (" + queuedDocs + ")"
	args = append(args, kargs...)

	ids, inTitle, err := sr.rowids("SELECT d.rowid, "+title+" FROM search_docs d WHERE "+where+
		" ORDER BY d.rowid DESC LIMIT "+strconv.Itoa(scanCap+1), append(targs, args...)...)
	if err != nil {
		return Results{}, err
	}
	res := Results{Total: len(ids)}
	if len(ids) > scanCap {
		ids, inTitle = ids[:scanCap], inTitle[:scanCap]
		res.Total, res.Capped = scanCap, true
	}
	order := make([]int, len(ids))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return inTitle[order[a]] > inTitle[order[b]] })
	var page []int64
	var ranks []float64
	for _, i := range order[min(offset, len(order)):min(offset+limit, len(order))] {
		page, ranks = append(page, ids[i]), append(ranks, inTitle[i])
	}
	if want := offset + limit; res.Capped && want > scanCap {
		n, off := want-max(scanCap, offset), max(0, offset-scanCap)
		more, _, err := sr.rowids("SELECT d.rowid, 0 FROM search_docs d WHERE "+where+
			" AND d.rowid < ? ORDER BY d.rowid DESC LIMIT ? OFFSET ?", append(args, ids[len(ids)-1], n, off)...)
		if err != nil {
			return Results{}, err
		}
		page = append(page, more...)
		ranks = append(ranks, make([]float64, len(more))...)
	}
	docs, err := sr.docs(page)
	if err != nil {
		return Results{}, err
	}
	for i, id := range page {
		h := docs[id]
		h.Rank = ranks[i]
		res.Hits = append(res.Hits, h)
	}
	return res, nil
}
