package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"jiezhen/data"
)

// Page selects a slice of a list. A Limit of 0 means DefaultLimit; larger
// limits are capped at MaxLimit.
type Page struct {
	Offset, Limit int
}

const (
	DefaultLimit = 20
	MaxLimit     = 500
)

func (p Page) bounds() (limit, offset int) {
	limit, offset = p.Limit, max(p.Offset, 0)
	if limit <= 0 {
		limit = DefaultLimit
	}
	return min(limit, MaxLimit), offset
}

// Get returns an item's JSON and version as stored.
func (s *Store) Get(ctx context.Context, kind data.Kind, id string) (json.RawMessage, int64, error) {
	spec, ok := kindSpecs[kind]
	if !ok {
		return nil, 0, fmt.Errorf("get %s %s: unknown kind", kind, id)
	}
	var doc string
	var version int64
	err := s.r.QueryRowContext(ctx, "SELECT doc, version FROM "+spec.table+" WHERE id = ?", id).Scan(&doc, &version)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, fmt.Errorf("%s %s: %w", kind, id, ErrNotFound)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("get %s %s: %w", kind, id, err)
	}
	return json.RawMessage(doc), version, nil
}

func getAs[T any](ctx context.Context, s *Store, kind data.Kind, id string) (T, error) {
	var v T
	doc, _, err := s.Get(ctx, kind, id)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(doc, &v); err != nil {
		return v, fmt.Errorf("%s %s: stored document does not decode: %w", kind, id, err)
	}
	return v, nil
}

// Notice returns one notice, or an error wrapping ErrNotFound.
func (s *Store) Notice(ctx context.Context, id string) (data.Notice, error) {
	return getAs[data.Notice](ctx, s, data.KindNotice, id)
}

// CatalogEntry returns one disclosure-catalogue entry.
func (s *Store) CatalogEntry(ctx context.Context, id string) (data.CatalogEntry, error) {
	return getAs[data.CatalogEntry](ctx, s, data.KindCatalog, id)
}

// Service returns one service item with its guide and form.
func (s *Store) Service(ctx context.Context, id string) (data.ServiceItem, error) {
	return getAs[data.ServiceItem](ctx, s, data.KindService, id)
}

// Provider returns one provider listing.
func (s *Store) Provider(ctx context.Context, id string) (data.Provider, error) {
	return getAs[data.Provider](ctx, s, data.KindProvider, id)
}

// Consultation returns one consultation.
func (s *Store) Consultation(ctx context.Context, id string) (data.Consultation, error) {
	return getAs[data.Consultation](ctx, s, data.KindConsultation, id)
}

// Street returns the street with the given code.
func (s *Store) Street(ctx context.Context, code string) (data.Street, error) {
	return getAs[data.Street](ctx, s, data.KindStreet, code)
}

// Calendar returns every calendar year held, in year order.
func (s *Store) Calendar(ctx context.Context) ([]data.CalendarYear, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT doc FROM calendar ORDER BY year")
	if err != nil {
		return nil, fmt.Errorf("calendar: %w", err)
	}
	var out []data.CalendarYear
	err = scanRows(rows, func(rows *sql.Rows) error {
		var doc string
		var y data.CalendarYear
		if err := rows.Scan(&doc); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(doc), &y); err != nil {
			return err
		}
		out = append(out, y)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("calendar: %w", err)
	}
	return out, nil
}

func scanRows(rows *sql.Rows, fn func(*sql.Rows) error) error {
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// list runs a page query and its count in one read transaction, so the
// total matches the page even while a batch is being applied.
func (s *Store) list(ctx context.Context, what, cols, from, where, order string, args []any, p Page, scan func(*sql.Rows) error) (int, error) {
	limit, offset := p.bounds()
	var total int
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM "+from+where, args...).Scan(&total); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, "SELECT "+cols+" FROM "+from+where+" ORDER BY "+order+" LIMIT ? OFFSET ?",
			append(args, limit, offset)...)
		if err != nil {
			return err
		}
		return scanRows(rows, scan)
	})
	if err != nil {
		return 0, fmt.Errorf("list %s: %w", what, err)
	}
	return total, nil
}

// where builds a WHERE clause from the conditions whose value is set.
type where struct {
	conds []string
	args  []any
}

func (w *where) eq(col, v string) {
	if v != "" {
		w.conds = append(w.conds, col+" = ?")
		w.args = append(w.args, v)
	}
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

func parseDate(s string) data.Date {
	d, _ := data.ParseDate(s) // the store writes only valid dates or ""
	return d
}

// NoticeFilter selects notices; empty fields select all.
type NoticeFilter struct {
	Category string
}

// NoticeRow is a notice as a list shows it.
type NoticeRow struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	Category  string    `json:"category"`
	Publisher string    `json:"publisher"`
	Published data.Date `json:"published"`
	Pinned    bool      `json:"pinned"`
}

// ListNotices lists notices pinned first, then newest first.
func (s *Store) ListNotices(ctx context.Context, f NoticeFilter, p Page) ([]NoticeRow, int, error) {
	var w where
	w.eq("category", f.Category)
	var out []NoticeRow
	total, err := s.list(ctx, "notices", "id, title, category, publisher, published, pinned", "notice", w.String(),
		"pinned DESC, published DESC, id", w.args, p, func(rows *sql.Rows) error {
			var r NoticeRow
			var pub string
			if err := rows.Scan(&r.ID, &r.Title, &r.Category, &r.Publisher, &pub, &r.Pinned); err != nil {
				return err
			}
			r.Published = parseDate(pub)
			out = append(out, r)
			return nil
		})
	return out, total, err
}

// CatalogFilter selects catalogue entries by topic (主题分类).
type CatalogFilter struct {
	Topic string
}

// CatalogRow is a catalogue entry as a list shows it.
type CatalogRow struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	IndexNo   string    `json:"index_no"`
	DocNo     string    `json:"doc_no"`
	Topic     string    `json:"topic"`
	Publisher string    `json:"publisher"`
	Published data.Date `json:"published"`
}

// ListCatalog lists catalogue entries newest first.
func (s *Store) ListCatalog(ctx context.Context, f CatalogFilter, p Page) ([]CatalogRow, int, error) {
	var w where
	w.eq("topic", f.Topic)
	var out []CatalogRow
	total, err := s.list(ctx, "catalog", "id, title, index_no, doc_no, topic, publisher, published", "catalog", w.String(),
		"published DESC, id", w.args, p, func(rows *sql.Rows) error {
			var r CatalogRow
			var pub string
			if err := rows.Scan(&r.ID, &r.Title, &r.IndexNo, &r.DocNo, &r.Topic, &r.Publisher, &pub); err != nil {
				return err
			}
			r.Published = parseDate(pub)
			out = append(out, r)
			return nil
		})
	return out, total, err
}

// ServiceFilter selects service items by power category, code, and
// whether they can be applied for on the kiosk; empty fields select all.
type ServiceFilter struct {
	Category data.PowerCategory
	Code     string // 事项编码
	Online   bool   // only items with an online form
}

// ServiceRow is a service item as a list shows it.
type ServiceRow struct {
	ID         string             `json:"id"`
	Code       string             `json:"code"`
	Name       string             `json:"name"`
	Category   data.PowerCategory `json:"category"`
	Department string             `json:"department"`
	Online     bool               `json:"online"`
}

// ListServices lists service items by name.
func (s *Store) ListServices(ctx context.Context, f ServiceFilter, p Page) ([]ServiceRow, int, error) {
	var w where
	w.eq("category", string(f.Category))
	w.eq("code", f.Code)
	if f.Online {
		w.add("online = 1")
	}
	var out []ServiceRow
	total, err := s.list(ctx, "services", "id, code, name, category, department, online", "service", w.String(),
		"name, id", w.args, p, func(rows *sql.Rows) error {
			var r ServiceRow
			if err := rows.Scan(&r.ID, &r.Code, &r.Name, &r.Category, &r.Department, &r.Online); err != nil {
				return err
			}
			out = append(out, r)
			return nil
		})
	return out, total, err
}

// ProviderFilter selects providers; empty fields select all. OpenAt, when
// set, keeps the providers open at that moment, read in its location (the
// kiosk's local time).
type ProviderFilter struct {
	Category string
	Kind     string
	OpenAt   time.Time
}

// ProviderRow is a provider as a list shows it.
type ProviderRow struct {
	ID       string            `json:"id"`
	Name     string            `json:"name"`
	Kind     data.ProviderKind `json:"kind"`
	Category string            `json:"category"`
	Address  string            `json:"address"`
	Phone    string            `json:"phone"`
}

// ListProviders lists providers by name.
func (s *Store) ListProviders(ctx context.Context, f ProviderFilter, p Page) ([]ProviderRow, int, error) {
	var w where
	w.eq("category", f.Category)
	w.eq("kind", f.Kind)
	if !f.OpenAt.IsZero() {
		day, minute := int(f.OpenAt.Weekday()), f.OpenAt.Hour()*60+f.OpenAt.Minute()
		w.add(`hours IN (SELECT hours FROM hours_spans
			WHERE weekday = ? AND start_min <= ? AND end_min > ?)`, day, minute, minute)
	}
	var out []ProviderRow
	total, err := s.list(ctx, "providers", "id, name, kind, category, address, phone", "provider", w.String(),
		"name, id", w.args, p, func(rows *sql.Rows) error {
			var r ProviderRow
			if err := rows.Scan(&r.ID, &r.Name, &r.Kind, &r.Category, &r.Address, &r.Phone); err != nil {
				return err
			}
			out = append(out, r)
			return nil
		})
	return out, total, err
}

// CategoryCount is a provider category and how many providers are in it.
type CategoryCount struct {
	Category string `json:"category"`
	Count    int    `json:"count"`
}

// ProviderCategories lists provider categories by name with their counts.
func (s *Store) ProviderCategories(ctx context.Context) ([]CategoryCount, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT category, count(*) FROM provider GROUP BY category ORDER BY category")
	if err != nil {
		return nil, fmt.Errorf("provider categories: %w", err)
	}
	var out []CategoryCount
	err = scanRows(rows, func(rows *sql.Rows) error {
		var c CategoryCount
		if err := rows.Scan(&c.Category, &c.Count); err != nil {
			return err
		}
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("provider categories: %w", err)
	}
	return out, nil
}

// ConsultationFilter selects consultations. OpenOn, when set, keeps those
// taking opinions on that day.
type ConsultationFilter struct {
	OpenOn data.Date
}

// ConsultationRow is a consultation as a list shows it.
type ConsultationRow struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	Publisher string    `json:"publisher"`
	Opens     data.Date `json:"opens"`
	Closes    data.Date `json:"closes"`
}

// ListConsultations lists consultations, latest closing date first.
func (s *Store) ListConsultations(ctx context.Context, f ConsultationFilter, p Page) ([]ConsultationRow, int, error) {
	var w where
	if !f.OpenOn.IsZero() {
		d := f.OpenOn.String()
		w.add("opens <= ? AND closes >= ?", d, d)
	}
	var out []ConsultationRow
	total, err := s.list(ctx, "consultations", "id, title, publisher, opens, closes", "consultation", w.String(),
		"closes DESC, id", w.args, p, func(rows *sql.Rows) error {
			var r ConsultationRow
			var opens, closes string
			if err := rows.Scan(&r.ID, &r.Title, &r.Publisher, &opens, &closes); err != nil {
				return err
			}
			r.Opens, r.Closes = parseDate(opens), parseDate(closes)
			out = append(out, r)
			return nil
		})
	return out, total, err
}

// Status is the store's state as `kiosk status` and the staff screen show it.
type Status struct {
	SchemaVersion int               `json:"schema_version"`
	Counts        map[data.Kind]int `json:"counts"`
	SearchPending int               `json:"search_pending"` // items the full-text index has not caught up with
	OutboxPending int               `json:"outbox_pending"`
	DeadLetters   int               `json:"dead_letters"`
	Conflicts     int               `json:"conflicts"` // unresolved
	Cursor        int64             `json:"cursor"`    // of the content feed
	LastSync      *time.Time        `json:"last_sync"` // null until a sync has completed
	// KioskNumber is the kiosk's number recorded (RecordKioskNumber), 0
	// for none: the references it made then are replaced at sync.
	KioskNumber int64 `json:"kiosk_number"`
}

// Status reports counts and sync state from one snapshot.
func (s *Store) Status(ctx context.Context) (Status, error) {
	st := Status{SchemaVersion: s.version, Counts: map[data.Kind]int{}}
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		for _, k := range data.ContentKinds {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM "+kindSpecs[k].table).Scan(&n); err != nil {
				return err
			}
			st.Counts[k] = n
		}
		counts := []struct {
			dst   *int
			query string
		}{
			{&st.SearchPending, "SELECT count(*) FROM search_queue"},
			{&st.OutboxPending, "SELECT count(*) FROM outbox"},
			{&st.DeadLetters, "SELECT count(*) FROM dead_letters"},
			{&st.Conflicts, "SELECT count(*) FROM conflicts WHERE resolved_at IS NULL"},
		}
		for _, c := range counts {
			if err := tx.QueryRowContext(ctx, c.query).Scan(c.dst); err != nil {
				return err
			}
		}
		var last sql.NullInt64
		err := tx.QueryRowContext(ctx, "SELECT cursor, last_sync_at FROM sync_state WHERE feed = ?", ContentFeed).Scan(&st.Cursor, &last)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if last.Valid {
			t := time.UnixMilli(last.Int64)
			st.LastSync = &t
		}
		st.KioskNumber, err = kioskNumber(ctx, tx)
		return err
	})
	if err != nil {
		return Status{}, fmt.Errorf("status: %w", err)
	}
	return st, nil
}

// IsEmpty reports whether the store holds no content at all.
func (s *Store) IsEmpty(ctx context.Context) (bool, error) {
	parts := make([]string, len(data.ContentKinds))
	for i, k := range data.ContentKinds {
		parts[i] = "SELECT 1 FROM " + kindSpecs[k].table
	}
	var one int
	err := s.r.QueryRowContext(ctx, "SELECT EXISTS("+strings.Join(parts, " UNION ALL ")+")").Scan(&one)
	if err != nil {
		return false, fmt.Errorf("is empty: %w", err)
	}
	return one == 0, nil
}

// DeleteAllContent removes every content item, its search data and the
// content feed's cursor, in one transaction, for `kiosk demo --replace`.
// The outbox, dead letters, conflicts and cases are kept: they are the
// residents' writes, not content.
func (s *Store) DeleteAllContent(ctx context.Context) error {
	if err := s.writeTx(ctx, func(tx *sql.Tx) error { return deleteAllContent(ctx, tx) }); err != nil {
		return fmt.Errorf("delete all content: %w", err)
	}
	return nil
}

// ReplaceContent removes every content item, as DeleteAllContent does, and
// applies changes in their place, in one transaction: if any change is
// refused, the old content is still there. The content feed's cursor
// restarts at 0, so a later sync fetches the district's content again.
func (s *Store) ReplaceContent(ctx context.Context, changes []data.Change) (ApplyResult, error) {
	var res ApplyResult
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		if err := deleteAllContent(ctx, tx); err != nil {
			return err
		}
		a := newApplier(ctx, tx)
		defer a.close()
		var maxSeq int64
		for _, c := range changes {
			maxSeq = max(maxSeq, c.Seq)
		}
		return a.applyAll(changes, maxSeq, &res)
	})
	if err != nil {
		return ApplyResult{}, fmt.Errorf("replace content: %w", err)
	}
	s.kickIndexer()
	return res, nil
}

func deleteAllContent(ctx context.Context, tx *sql.Tx) error {
	stmts := []string{"DELETE FROM hours_spans", "DELETE FROM staff_waiting"}
	for _, k := range data.ContentKinds {
		stmts = append(stmts, "DELETE FROM "+kindSpecs[k].table)
	}
	// The index goes wholesale with FTS5's own delete-all, which is
	// cheaper than deleting its rows one by one.
	stmts = append(stmts, "DELETE FROM search_docs", "DELETE FROM search_queue",
		"INSERT INTO search_fts(search_fts) VALUES('delete-all')",
		"DELETE FROM sync_state WHERE feed IN ('"+ContentFeed+"', '"+casesFeed(ContentFeed)+"')")
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return forgetStreets(ctx, tx)
}
