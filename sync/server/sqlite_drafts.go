package server

import (
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"jiezhen/data"
)

// The drafts' rows (migration 0010_drafts.sql).

const draftCols = `id, kind, item_id, street, body, state, base_version, published_version, author_id, author,
	editor_id, editor, reviewer_id, reviewer, reason, publish_at, expire_at, created_at, updated_at`

func scanDraft(sc scanner) (Draft, error) {
	var d Draft
	var body string
	var publish, expire sql.NullInt64
	var created, updated int64
	err := sc.Scan(&d.ID, &d.Kind, &d.ItemID, &d.Street, &body, &d.State, &d.BaseVersion, &d.PublishedVersion,
		&d.AuthorID, &d.Author, &d.EditorID, &d.Editor, &d.ReviewerID, &d.Reviewer, &d.Reason, &publish, &expire, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return d, ErrNotFound
	}
	if err != nil {
		return d, err
	}
	d.Body = json.RawMessage(body)
	d.PublishAt, d.ExpireAt = nullTime(publish), nullTime(expire)
	d.CreatedAt, d.UpdatedAt = fromMillis(created), fromMillis(updated)
	return d, nil
}

func nullTime(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMillis(v.Int64)
	return &t
}

func nullMillis(t *time.Time) any {
	if t == nil {
		return nil
	}
	return millis(*t)
}

func (t *sqlTx) Draft(id int64) (Draft, error) {
	return scanDraft(t.row("SELECT "+draftCols+" FROM drafts WHERE id = ?", id))
}

// streetsJSON is a list of streets as the queries take it: NULL for all.
func streetsJSON(streets []string) any {
	if streets == nil {
		return nil
	}
	b, _ := json.Marshal(streets)
	return string(b)
}

func (t *sqlTx) Drafts(f DraftFilter) ([]Draft, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = noLimit
	}
	street := f.Street
	if street == "-" {
		street = ""
	}
	return queryAll(t, scanDraft, "SELECT "+draftCols+` FROM drafts
		WHERE (?1 IS NULL OR street = '' OR street IN (SELECT value FROM json_each(?1)))
		AND (?2 = '' OR street = ?3)
		AND (?4 = '' OR state = ?4) AND (?5 = '' OR kind = ?5) AND (?6 = 0 OR author_id = ?6)
		AND (?8 = 0 OR (author_id <> ?8 AND editor_id <> ?8))
		ORDER BY updated_at DESC, id DESC LIMIT ?7`,
		streetsJSON(f.Streets), f.Street, street, f.State, f.Kind, f.Author, limit, f.NotBy)
}

func (t *sqlTx) DraftEvents(id int64) ([]DraftEvent, error) {
	return queryAll(t, func(sc scanner) (DraftEvent, error) {
		var e DraftEvent
		var at int64
		err := sc.Scan(&at, &e.ByID, &e.By, &e.From, &e.To, &e.Note)
		e.At = fromMillis(at)
		return e, err
	}, "SELECT at, by_id, by_name, from_state, to_state, note FROM draft_events WHERE draft = ? ORDER BY at, rowid", id)
}

func (t *sqlTx) DueDrafts(now time.Time) ([]Draft, error) {
	return queryAll(t, scanDraft, "SELECT "+draftCols+` FROM drafts
		WHERE (state = ?1 AND publish_at IS NOT NULL AND publish_at <= ?3)
		OR (state = ?2 AND expire_at IS NOT NULL AND expire_at <= ?3)
		ORDER BY coalesce(publish_at, expire_at), id`, DraftScheduled, DraftPublished, millis(now))
}

func (t *sqlTx) ScopedItems(kind data.Kind, streets []string) ([]Item, error) {
	return t.items("SELECT "+itemCols+` FROM items WHERE kind = ?1 AND deleted = 0
		AND (?2 IS NULL OR street = '' OR street IN (SELECT value FROM json_each(?2))) ORDER BY id`, kind, streetsJSON(streets))
}

func (t *sqlTx) StaffEdits(streets []string, limit int) ([]AuditRecord, error) {
	if limit <= 0 {
		limit = noLimit
	}
	return queryAll(t, func(sc scanner) (AuditRecord, error) {
		var a AuditRecord
		var at, received int64
		err := sc.Scan(&a.ID, &a.Kiosk, &a.Street, &a.Staff, &a.StaffID, &a.Action, &a.Detail, &at, &received)
		a.At, a.ReceivedAt = fromMillis(at), fromMillis(received)
		return a, err
	}, `SELECT id, kiosk, street, staff, staff_id, action, detail, at, received_at FROM audit
		WHERE action = 'edit' AND (?1 IS NULL OR street IN (SELECT value FROM json_each(?1)))
		ORDER BY received_at DESC, rowid DESC LIMIT ?2`, streetsJSON(streets), limit)
}

func (t *sqlTx) AddDraft(d Draft) (int64, error) {
	var id int64
	err := t.one(`INSERT INTO drafts(kind, item_id, street, body, state, base_version, published_version, author_id, author,
		editor_id, editor, reviewer_id, reviewer, reason, publish_at, expire_at, created_at, updated_at)
		VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		[]any{d.Kind, d.ItemID, d.Street, string(d.Body), d.State, d.BaseVersion, d.PublishedVersion, d.AuthorID, d.Author,
			d.EditorID, d.Editor, d.ReviewerID, d.Reviewer, d.Reason, nullMillis(d.PublishAt), nullMillis(d.ExpireAt),
			millis(d.CreatedAt), millis(d.UpdatedAt)}, &id)
	return id, err
}

func (t *sqlTx) PutDraft(d Draft) error {
	res, err := t.execResult(`UPDATE drafts SET street = ?, body = ?, state = ?, base_version = ?, published_version = ?,
		editor_id = ?, editor = ?, reviewer_id = ?, reviewer = ?, reason = ?, publish_at = ?, expire_at = ?, updated_at = ?
		WHERE id = ?`, d.Street, string(d.Body), d.State, d.BaseVersion, d.PublishedVersion, d.EditorID, d.Editor,
		d.ReviewerID, d.Reviewer, d.Reason, nullMillis(d.PublishAt), nullMillis(d.ExpireAt), millis(d.UpdatedAt), d.ID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return errors.Join(err, ErrNotFound)
	}
	return nil
}

func (t *sqlTx) AddDraftEvent(id int64, e DraftEvent) error {
	return t.exec("INSERT INTO draft_events(draft, at, by_id, by_name, from_state, to_state, note) VALUES(?, ?, ?, ?, ?, ?, ?)",
		id, millis(e.At), e.ByID, e.By, e.From, e.To, strings.TrimSpace(e.Note))
}
