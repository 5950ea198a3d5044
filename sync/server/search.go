package server

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"jiezhen/data"
)

// The district's search over published content, for the website: see
// docs/WEB.md, "Search". Documents are written with their item (PutItem),
// so a published item is found and an unpublished one is gone the moment
// the write commits. The text, snippets and highlights are the kiosk's
// (data.SearchText, data.Snippet).

// SearchKinds are the kinds search finds, in the order the website
// groups them.
var SearchKinds = []data.Kind{data.KindNotice, data.KindCatalog, data.KindService, data.KindProvider, data.KindConsultation}

// SearchHit is one item found.
type SearchHit struct {
	Kind     data.Kind
	ID       string
	Title    string
	Category string // a service item's or provider's
	Snippet  string
	// Highlights are the byte ranges [start, end) of every occurrence of
	// every term within Snippet, sorted and not overlapping.
	Highlights [][2]int
	// Cut says the snippet leaves text out before it (Cut[0]) or after it
	// (Cut[1]), where a page shows an ellipsis.
	Cut [2]bool
}

// SearchGroup is the best hits of one kind, best first, and how many
// there are of that kind.
type SearchGroup struct {
	Kind  data.Kind
	Hits  []SearchHit
	Total int
	// Capped means Total is a lower bound: only the newest searchCap
	// matches are considered.
	Capped bool
}

// searchCap bounds how many matches a search considers: the newest ones.
// Ranking costs about a microsecond a hit and a scan for a common
// character would otherwise read every document.
const searchCap = 1000

// searchable reports whether search finds items of kind.
func searchable(kind data.Kind) bool { return slices.Contains(SearchKinds, kind) }

// searchDoc is an item's row of search_docs: its search title and text,
// and the keys a street's home lists it by.
type searchDoc struct {
	title, text, sort, category, opens string
}

// docOf derives an item's search document from its body.
func docOf(kind data.Kind, body []byte) (searchDoc, error) {
	var v any
	switch kind {
	case data.KindNotice:
		v = new(data.Notice)
	case data.KindCatalog:
		v = new(data.CatalogEntry)
	case data.KindService:
		v = new(data.ServiceItem)
	case data.KindProvider:
		v = new(data.Provider)
	case data.KindConsultation:
		v = new(data.Consultation)
	default:
		return searchDoc{}, fmt.Errorf("%s is not searchable", kind)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return searchDoc{}, fmt.Errorf("%s: the body does not decode", kind)
	}
	var d searchDoc
	d.title, d.text, _ = data.SearchText(v)
	switch x := v.(type) {
	case *data.Notice:
		d.sort = "0" + x.Published.String()
		if x.Pinned {
			d.sort = "1" + x.Published.String()
		}
	case *data.CatalogEntry:
		d.sort = x.Published.String()
	case *data.ServiceItem:
		d.category = string(x.Category)
	case *data.Provider:
		d.category = x.Category
	case *data.Consultation:
		d.sort, d.opens = x.Closes.String(), x.Opens.String()
	}
	return d, nil
}

// index brings the item's search document up to date with it: the old
// one goes, with its index entry, and a live item gets its new one, whose
// index entry flushIndex writes when the write ends.
func (t *sqlTx) index(it Item) error {
	if !searchable(it.Kind) {
		return nil
	}
	var rowid int64
	var street, category string
	switch err := t.one("SELECT rowid, street, category FROM search_docs WHERE kind = ? AND id = ?", []any{it.Kind, it.ID}, &rowid, &street, &category); err {
	case nil:
		if t.pg != nil {
			// pg_trgm's indexes follow search_docs by themselves.
		} else if i := slices.Index(t.fts, rowid); i >= 0 {
			t.fts = slices.Delete(t.fts, i, i+1)
		} else if err := t.exec("DELETE FROM search_fts WHERE rowid = ?", rowid); err != nil {
			return err
		}
		if err := t.exec("DELETE FROM search_docs WHERE rowid = ?", rowid); err != nil {
			return err
		}
		if t.pg != nil {
			t.pgCount(it.Kind, street, category, -1)
		} else {
			if err := t.exec("UPDATE search_counts SET n = n - 1 WHERE kind = ? AND street = ? AND category = ?", it.Kind, street, category); err != nil {
				return err
			}
			if err := t.exec("DELETE FROM search_counts WHERE n = 0 AND kind = ? AND street = ? AND category = ?", it.Kind, street, category); err != nil {
				return err
			}
		}
	case ErrNotFound:
	default:
		return err
	}
	if it.Deleted {
		return nil
	}
	d, err := docOf(it.Kind, it.Body)
	if err != nil {
		return err
	}
	const insertDoc = "INSERT INTO search_docs(kind, id, street, title, text, sort, category, opens) VALUES(?, ?, ?, ?, ?, ?, ?, ?)"
	docArgs := []any{it.Kind, it.ID, it.Street, d.title, d.text, d.sort, d.category, d.opens}
	if t.pg != nil {
		// No full-text entry to write: the row's number is not needed,
		// and the insert can wait in the writer's pipe.
		if err := t.exec(insertDoc, docArgs...); err != nil {
			return err
		}
		t.pgCount(it.Kind, it.Street, d.category, 1)
		return nil
	}
	var id int64
	if err := t.one(insertDoc+" RETURNING rowid", docArgs, &id); err != nil {
		return err
	}
	if err := t.exec(`INSERT INTO search_counts(kind, street, category, n) VALUES(?, ?, ?, 1)
		ON CONFLICT(kind, street, category) DO UPDATE SET n = search_counts.n + 1`, it.Kind, it.Street, d.category); err != nil {
		return err
	}
	t.fts = append(t.fts, id)
	return nil
}

// flushIndex writes the full-text entries of the documents the write
// added, in one statement at its end: FTS5 flushes its pending terms to a
// new segment at every statement of a transaction, and one statement per
// item made a publish of many items mostly segment merging.
func (t *sqlTx) flushIndex() error {
	if len(t.fts) == 0 {
		return nil
	}
	ids, err := json.Marshal(t.fts)
	if err != nil {
		return err
	}
	t.fts = t.fts[:0]
	return t.exec(`INSERT INTO search_fts(rowid, title, text)
		SELECT rowid, title, text FROM search_docs WHERE rowid IN (SELECT value FROM json_each(?))`, string(ids))
}

// backfillSearch indexes the live searchable items that have no search
// document: those published before the search tables existed.
func backfillSearch(ctx context.Context, db *sql.DB, postgres bool) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("index for search: %w", err)
	}
	defer tx.Rollback()
	t := &sqlTx{ctx: ctx, p: tx, stmts: map[string]*sql.Stmt{}}
	if postgres {
		t.pg = tx
	}
	defer func() {
		for _, st := range t.stmts {
			st.Close()
		}
	}()
	kinds := make([]any, len(SearchKinds))
	for i, k := range SearchKinds {
		kinds[i] = string(k)
	}
	rows, err := t.query(`SELECT kind, id, street, body FROM items i WHERE deleted = 0
		AND kind IN (?`+strings.Repeat(", ?", len(kinds)-1)+`)
		AND NOT EXISTS (SELECT 1 FROM search_docs d WHERE d.kind = i.kind AND d.id = i.id)`, kinds...)
	if err != nil {
		return fmt.Errorf("index for search: %w", err)
	}
	var items []Item
	for rows.Next() {
		var it Item
		var body string
		if err := rows.Scan(&it.Kind, &it.ID, &it.Street, &body); err != nil {
			rows.Close()
			return fmt.Errorf("index for search: %w", err)
		}
		it.Body = json.RawMessage(body)
		items = append(items, it)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("index for search: %w", err)
	}
	if len(items) == 0 {
		return nil
	}
	for _, it := range items {
		if err := t.index(it); err != nil {
			return fmt.Errorf("index %s %q for search: %w", it.Kind, it.ID, err)
		}
	}
	flush := t.flushIndex
	if postgres {
		flush = t.pgFlush
	}
	if err := flush(); err != nil {
		return fmt.Errorf("index for search: %w", err)
	}
	return tx.Commit()
}

// SearchTerms splits a query into its terms.
func SearchTerms(q string) []string { return strings.Fields(q) }

// Search finds the street's items (its own and the district-wide ones)
// matching every term, grouped by kind in SearchKinds order (kinds with
// no hit left out), at most perKind hits each, best first.
//
// Terms of three or more characters go through the trigram index, the
// newest searchCap matches ranked by bm25 with titles weighted four times
// the text. A query of only one- or two-character terms, which a trigram
// index cannot answer, scans the street's documents newest first until it
// has searchCap matches, title matches first.
func (t *sqlTx) Search(street string, terms []string, perKind int) ([]SearchGroup, error) {
	if len(terms) == 0 {
		return nil, nil
	}
	var long, short []string
	for _, term := range terms {
		if utf8.RuneCountInString(term) >= data.MinTrigram {
			long = append(long, term)
		} else {
			short = append(short, term)
		}
	}
	var likes []string
	var args []any
	for _, term := range short {
		p := "%" + data.LikeEscape(term) + "%"
		likes = append(likes, `(d.title LIKE ? ESCAPE '\' OR d.text LIKE ? ESCAPE '\')`)
		args = append(args, p, p)
	}
	var q string
	if t.pg != nil {
		q, args = pgSearchQuery(street, terms)
	} else if len(long) > 0 {
		where := "search_fts MATCH ? AND d.street IN (?, '')"
		args = append([]any{data.FTSQuery(long), street}, args...)
		if len(likes) > 0 {
			where += " AND " + strings.Join(likes, " AND ")
		}
		// bm25 is lower for better matches.
		q = `SELECT kind, rowid, r FROM (SELECT d.kind, d.rowid, bm25(search_fts, 4.0, 1.0) AS r FROM search_fts f
			JOIN search_docs d ON d.rowid = f.rowid WHERE ` + where + ` ORDER BY f.rowid DESC LIMIT ` + strconv.Itoa(searchCap) + `)
			ORDER BY r, rowid DESC`
	} else {
		var title []string
		var targs []any
		for _, term := range short {
			title = append(title, `d.title LIKE ? ESCAPE '\'`)
			targs = append(targs, "%"+data.LikeEscape(term)+"%")
		}
		args = append(append(targs, street), args...)
		q = `SELECT kind, rowid, r FROM (SELECT d.kind, d.rowid, -(` + strings.Join(title, " AND ") + `) AS r FROM search_docs d
			WHERE d.street IN (?, '') AND ` + strings.Join(likes, " AND ") + ` ORDER BY d.rowid DESC LIMIT ` + strconv.Itoa(searchCap) + `)
			ORDER BY r, rowid DESC`
	}
	rows, err := t.query(q, args...)
	if err != nil {
		return nil, err
	}
	groups := map[data.Kind]*SearchGroup{}
	var ids []any
	n := 0
	for rows.Next() {
		var kind data.Kind
		var rowid int64
		var r float64
		if err := rows.Scan(&kind, &rowid, &r); err != nil {
			rows.Close()
			return nil, err
		}
		n++
		g := groups[kind]
		if g == nil {
			g = &SearchGroup{Kind: kind}
			groups[kind] = g
		}
		g.Total++
		if len(g.Hits) < perKind {
			g.Hits = append(g.Hits, SearchHit{ID: strconv.FormatInt(rowid, 10)})
			ids = append(ids, rowid)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	docs := map[string]SearchHit{}
	if len(ids) > 0 {
		rows, err := t.query("SELECT rowid, kind, id, title, text, category FROM search_docs WHERE rowid IN (?"+
			strings.Repeat(", ?", len(ids)-1)+")", ids...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var rowid int64
			var h SearchHit
			if err := rows.Scan(&rowid, &h.Kind, &h.ID, &h.Title, &h.Snippet, &h.Category); err != nil {
				rows.Close()
				return nil, err
			}
			text := strings.ReplaceAll(h.Snippet, "\n", " ")
			h.Snippet, h.Highlights = data.Snippet(h.Snippet, terms)
			h.Cut = [2]bool{!strings.HasPrefix(text, h.Snippet), !strings.HasSuffix(text, h.Snippet)}
			docs[strconv.FormatInt(rowid, 10)] = h
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	var out []SearchGroup
	for _, kind := range SearchKinds {
		g := groups[kind]
		if g == nil {
			continue
		}
		for i, h := range g.Hits {
			g.Hits[i] = docs[h.ID]
		}
		g.Capped = n >= searchCap
		out = append(out, *g)
	}
	return out, nil
}

// Search finds the street's published items matching every term of q
// (see sqlTx.Search), at most perKind of each kind.
func (p *Platform) Search(ctx context.Context, street, q string, perKind int) ([]SearchGroup, error) {
	var out []SearchGroup
	err := p.store.Read(ctx, func(tx ReadTx) (err error) {
		out, err = tx.Search(street, SearchTerms(q), perKind)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	return out, nil
}
