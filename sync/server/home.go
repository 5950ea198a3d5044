package server

import (
	"cmp"
	"context"
	"slices"

	"jiezhen/data"
)

// StreetHome is what a street's home page lists, read from the search
// documents' list keys (see migrations/0008_search.sql) so that only the
// items shown are decoded, however many the street has.
type StreetHome struct {
	Notices []Item // the newest, pinned first
	Catalog []Item // the newest
	// Services and Providers count the live items of each category.
	Services, Providers map[string]int
	Consultations       []Item // open on the day given, by id
}

// StreetHome reads the street's home: n notices and catalogue entries,
// the categories' counts, the consultations open on today; its own items
// and the district-wide ones, as StreetItems.
func (t *sqlTx) StreetHome(street string, n int, today data.Date) (StreetHome, error) {
	var h StreetHome
	var err error
	if h.Notices, err = t.latest(data.KindNotice, street, n); err != nil {
		return h, err
	}
	if h.Catalog, err = t.latest(data.KindCatalog, street, n); err != nil {
		return h, err
	}
	if h.Services, err = t.categories(data.KindService, street); err != nil {
		return h, err
	}
	if h.Providers, err = t.categories(data.KindProvider, street); err != nil {
		return h, err
	}
	var ids []string
	for _, sc := range scopes(street) {
		rows, err := t.query(`SELECT id FROM search_docs WHERE kind = ? AND street = ? AND sort >= ?3 AND opens <= ?3`,
			data.KindConsultation, sc, today.String())
		if err != nil {
			return h, err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return h, err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return h, err
		}
	}
	slices.Sort(ids)
	h.Consultations, err = t.itemsByID(data.KindConsultation, ids)
	return h, err
}

// latest is the n items of a kind with the highest sort key, ties by id,
// of the street and the district: the two scopes are read apart, each in
// its index order, and merged.
func (t *sqlTx) latest(kind data.Kind, street string, n int) ([]Item, error) {
	type key struct{ sort, id string }
	var keys []key
	for _, sc := range scopes(street) {
		rows, err := t.query(`SELECT sort, id FROM search_docs WHERE kind = ? AND street = ? ORDER BY sort DESC, id LIMIT ?`, kind, sc, n)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var k key
			if err := rows.Scan(&k.sort, &k.id); err != nil {
				rows.Close()
				return nil, err
			}
			keys = append(keys, k)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(keys, func(a, b key) int {
		if c := cmp.Compare(b.sort, a.sort); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	ids := make([]string, 0, n)
	for _, k := range keys[:min(n, len(keys))] {
		ids = append(ids, k.id)
	}
	return t.itemsByID(kind, ids)
}

// scopes are the feed scopes a street shows: the district's and its own.
func scopes(street string) []string {
	if street == "" {
		return []string{""}
	}
	return []string{"", street}
}

func (t *sqlTx) itemsByID(kind data.Kind, ids []string) ([]Item, error) {
	out := make([]Item, 0, len(ids))
	for _, id := range ids {
		it, err := t.Item(kind, id)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, nil
}

// categories counts the street's live items of a kind by category.
func (t *sqlTx) categories(kind data.Kind, street string) (map[string]int, error) {
	rows, err := t.query(`SELECT category, sum(n) FROM search_counts WHERE kind = ? AND street IN (?, '') GROUP BY category`, kind, street)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var c string
		var n int
		if err := rows.Scan(&c, &n); err != nil {
			return nil, err
		}
		out[c] = n
	}
	return out, rows.Err()
}

// StreetHome reads what a street's home page lists (see
// sqlTx.StreetHome), n of each list, the consultations open today.
func (p *Platform) StreetHome(ctx context.Context, street string, n int) (StreetHome, error) {
	var h StreetHome
	err := p.store.Read(ctx, func(tx ReadTx) (err error) {
		h, err = tx.StreetHome(street, n, p.Today())
		return err
	})
	return h, err
}

// LastSeq is the feed's last sequence number: it changes with every write
// to the district, so a page rendered at one value is still true while it
// holds.
func (p *Platform) LastSeq(ctx context.Context) (int64, error) {
	var n int64
	err := p.store.Read(ctx, func(tx ReadTx) (err error) {
		n, err = tx.LastSeq()
		return err
	})
	return n, err
}
