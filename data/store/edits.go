package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"strings"
	"time"

	"jiezhen/data"
)

// Staff edits of the street's content. An edit is validated as the
// district validates it, shown on the kiosk at once, and queued for the
// district with the version it was made on; until the district has taken
// it, the item is "waiting" (staff_waiting) and the feed cannot overwrite
// it: the district's versions that arrive meanwhile are kept aside in the
// waiting row. The district's answer settles it: accepted (the mark goes),
// a conflict (staff decide with ResolveConflict) or refused (staff retry
// or discard the dead letter).

// ContentEdit is one staff edit of a content item.
type ContentEdit struct {
	Kind data.Kind       // data.KindNotice or data.KindProvider
	ID   string          //
	Op   data.Op         // upsert, or delete (withdraw)
	Item json.RawMessage // the whole item for an upsert
}

// EditableKinds are the kinds staff edit on the kiosk.
var EditableKinds = []data.Kind{data.KindNotice, data.KindProvider}

// readPosition is how data.ReadContentSet starts an error about an item.
var readPosition = regexp.MustCompile(`^line \d+ col \d+: \w+\[\d+\]( \(id "[^"]*"\))?: `)

// waitRow is a row of staff_waiting.
type waitRow struct {
	kind         data.Kind
	id           string
	outboxID     string
	op           data.Op
	body         []byte // nil for a delete
	localVersion int64
	distVersion  int64
	distBody     []byte // nil when the district has no live item
}

// ErrEdit marks an edit refused by the kiosk's own checks (validation,
// another street's item, nothing to withdraw). Its message is one line.
var ErrEdit = errors.New("edit refused")

type editError struct{ msg string }

func (e *editError) Error() string        { return e.msg }
func (e *editError) Is(target error) bool { return target == ErrEdit }

func editErrorf(format string, args ...any) error {
	return &editError{fmt.Sprintf(format, args...)}
}

// EditContent validates a staff edit as the district does, applies it to
// the kiosk's content at once and queues it for the district (a staff_edit
// outbox item carrying the version it was made on, 0 for a new item), with
// an audit item, all in one transaction. A refusal is one line naming the
// field at fault and wraps ErrEdit.
func (s *Store) EditContent(ctx context.Context, by data.Staff, e ContentEdit, now time.Time) error {
	if err := s.editContent(ctx, by, e, now); err != nil {
		return err
	}
	s.kickIndexer()
	return nil
}

func (s *Store) editContent(ctx context.Context, by data.Staff, e ContentEdit, now time.Time) error {
	spec, ok := kindSpecs[e.Kind]
	if !ok || (e.Kind != data.KindNotice && e.Kind != data.KindProvider) {
		return editErrorf("%s items cannot be edited on the kiosk", e.Kind)
	}
	if strings.TrimSpace(e.ID) == "" {
		return editErrorf("the %s has no id", e.Kind)
	}
	if err := data.CheckID(e.ID); err != nil {
		return editErrorf("the %s's id %v", e.Kind, err)
	}
	var body []byte
	switch e.Op {
	case data.OpUpsert:
		b, err := editItem(e, by.Street, data.DateOf(now.In(chinaTime)))
		if err != nil {
			return err
		}
		body = b
	case data.OpDelete:
	default:
		return editErrorf("unknown op %q", e.Op)
	}
	return s.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := staffByID(ctx, tx, by.ID); err != nil {
			return err
		}
		var version int64
		var street, doc string
		err := tx.QueryRowContext(ctx, "SELECT version, street, doc FROM "+spec.table+" WHERE id = ?", e.ID).Scan(&version, &street, &doc)
		exists := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		switch {
		case exists && street == "":
			return editErrorf("%s %s is district-wide, which only the district edits", e.Kind, e.ID)
		case exists && street != by.Street:
			return editErrorf("%s %s belongs to street %s, not to %s", e.Kind, e.ID, street, by.Street)
		case !exists && e.Op == data.OpDelete:
			return editErrorf("there is no %s %s to withdraw", e.Kind, e.ID)
		}
		w, waiting, err := waitingRow(ctx, tx, e.Kind, e.ID)
		if err != nil {
			return err
		}
		var base int64
		switch {
		case exists:
			base = version
		case waiting:
			base = w.localVersion // withdrawn here, not yet at the district
		}
		ob, err := json.Marshal(data.StaffEditBody{StaffEdit: data.StaffEdit{Kind: e.Kind, ID: e.ID, Op: e.Op, Item: body}, BaseVersion: base})
		if err != nil {
			return err
		}
		outboxID := "edit-" + randomHex()
		if err := enqueueTx(ctx, tx, OutboxItem{ID: outboxID, Kind: data.ItemStaffEdit, Body: ob, CreatedAt: now}); err != nil {
			return err
		}
		a := newApplier(ctx, tx)
		defer a.close()
		var res ApplyResult
		if err := a.apply(&data.Change{Kind: e.Kind, ID: e.ID, Op: e.Op, Version: base + 1, Body: body}, &res); err != nil {
			return err
		}
		if !waiting {
			// The district's version is what the kiosk showed until now.
			w = waitRow{kind: e.Kind, id: e.ID}
			if exists {
				w.distVersion, w.distBody = version, []byte(doc)
			}
		}
		w.outboxID, w.op, w.body, w.localVersion = outboxID, e.Op, body, base+1
		if err := putWaiting(ctx, tx, w); err != nil {
			return err
		}
		return enqueueAudit(ctx, tx, by, AuditEdit, fmt.Sprintf("%s %s/%s", e.Op, e.Kind, e.ID), now)
	})
}

// editItem reads the edited item as the district will: strictly, with the
// same validation, into the same bytes. An item without a street is given
// the staff member's; an item of another street is refused.
func editItem(e ContentEdit, street string, today data.Date) ([]byte, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(e.Item, &m); err != nil || m == nil {
		return nil, editErrorf("the %s is not a JSON object", e.Kind)
	}
	var st string
	if raw, ok := m["street"]; ok {
		if err := json.Unmarshal(raw, &st); err != nil {
			return nil, editErrorf("street is not a text")
		}
	}
	if st == "" {
		m["street"], _ = json.Marshal(street)
	} else if st != street {
		return nil, editErrorf("street %s is not this kiosk's street %s", st, street)
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	c, err := data.ReadItem(e.Kind, raw, today)
	if err != nil {
		var ce data.ContentErrors
		if errors.As(err, &ce) {
			msgs := make([]string, len(ce))
			for i, p := range ce {
				msgs[i] = p.Problem
			}
			return nil, editErrorf("%s", strings.Join(msgs, "; "))
		}
		// The position in the content set the item was read as means
		// nothing to staff: what is left names the field.
		msg := strings.Join(strings.Fields(strings.TrimPrefix(err.Error(), "content set: ")), " ")
		return nil, editErrorf("%s", readPosition.ReplaceAllString(msg, ""))
	}
	if c.ID != e.ID {
		return nil, editErrorf("the item's id is %q, not %q", c.ID, e.ID)
	}
	return c.Body, nil
}

func waitingRow(ctx context.Context, tx *sql.Tx, kind data.Kind, id string) (waitRow, bool, error) {
	return scanWaiting(tx.QueryRowContext(ctx, `SELECT kind, id, outbox_id, op, body, local_version, dist_version, dist_body
		FROM staff_waiting WHERE kind = ? AND id = ?`, string(kind), id))
}

func waitingByOutbox(ctx context.Context, tx *sql.Tx, outboxID string) (waitRow, bool, error) {
	return scanWaiting(tx.QueryRowContext(ctx, `SELECT kind, id, outbox_id, op, body, local_version, dist_version, dist_body
		FROM staff_waiting WHERE outbox_id = ?`, outboxID))
}

func scanWaiting(r interface{ Scan(...any) error }) (waitRow, bool, error) {
	var w waitRow
	var kind, op string
	var body, dist sql.NullString
	err := r.Scan(&kind, &w.id, &w.outboxID, &op, &body, &w.localVersion, &w.distVersion, &dist)
	if errors.Is(err, sql.ErrNoRows) {
		return w, false, nil
	}
	if err != nil {
		return w, false, err
	}
	w.kind, w.op = data.Kind(kind), data.Op(op)
	if body.Valid {
		w.body = []byte(body.String)
	}
	if dist.Valid {
		w.distBody = []byte(dist.String)
	}
	return w, true, nil
}

func nullBytes(b []byte) any {
	if b == nil {
		return nil
	}
	return string(b)
}

func putWaiting(ctx context.Context, tx *sql.Tx, w waitRow) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO staff_waiting(kind, id, outbox_id, op, body, local_version, dist_version, dist_body)
		VALUES(?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(kind, id) DO UPDATE SET outbox_id = excluded.outbox_id, op = excluded.op, body = excluded.body,
			local_version = excluded.local_version, dist_version = excluded.dist_version, dist_body = excluded.dist_body`,
		string(w.kind), w.id, w.outboxID, string(w.op), nullBytes(w.body), w.localVersion, w.distVersion, nullBytes(w.distBody))
	return err
}

func dropWaiting(ctx context.Context, tx *sql.Tx, kind data.Kind, id string) error {
	_, err := tx.ExecContext(ctx, "DELETE FROM staff_waiting WHERE kind = ? AND id = ?", string(kind), id)
	return err
}

// WaitingEdits returns "kind/id" of every item whose staff edit still
// waits for the district.
func (s *Store) WaitingEdits(ctx context.Context) (map[string]bool, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT kind, id FROM staff_waiting")
	if err != nil {
		return nil, fmt.Errorf("waiting edits: %w", err)
	}
	out := map[string]bool{}
	err = scanRows(rows, func(rows *sql.Rows) error {
		var kind, id string
		if err := rows.Scan(&kind, &id); err != nil {
			return err
		}
		out[kind+"/"+id] = true
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("waiting edits: %w", err)
	}
	return out, nil
}

// loadWaiting reads the waiting edits for an apply; a.waiting stays nil
// when there are none, which is nearly always.
func (a *applier) loadWaiting() error {
	a.waiting = nil
	rows, err := a.tx.QueryContext(a.ctx, `SELECT kind, id, outbox_id, op, body, local_version, dist_version, dist_body FROM staff_waiting`)
	if err != nil {
		return err
	}
	return scanRows(rows, func(rows *sql.Rows) error {
		w, _, err := scanWaiting(rows)
		if err != nil {
			return err
		}
		if a.waiting == nil {
			a.waiting = map[itemKey]*waitRow{}
		}
		a.waiting[itemKey{w.kind, w.id}] = &w
		return nil
	})
}

// applyWaiting applies a feed change of an item with a waiting edit. The
// district's own version of the edit (same op and item) is applied and
// ends the wait, whatever its version; any other change is kept aside in
// the waiting row as the district's version and does not touch what the
// kiosk shows.
func (a *applier) applyWaiting(c *data.Change, w *waitRow, res *ApplyResult) error {
	if c.Op == w.op && (c.Op == data.OpDelete || jsonEqual(c.Body, w.body)) {
		if err := dropWaiting(a.ctx, a.tx, w.kind, w.id); err != nil {
			return err
		}
		delete(a.waiting, itemKey{w.kind, w.id})
		if err := a.apply(c, res); err != nil {
			return err
		}
		if c.Op == data.OpUpsert {
			// The district's version number, so that the next edit is
			// based on it.
			_, err := a.exec("UPDATE "+kindSpecs[c.Kind].table+" SET version = ? WHERE id = ?", c.Version, c.ID)
			return err
		}
		return nil
	}
	res.Skipped++
	if c.Version <= w.distVersion {
		return nil
	}
	w.distVersion, w.distBody = c.Version, nil
	if c.Op == data.OpUpsert {
		if _, err := kindSpecs[c.Kind].decode(c.ID, c.Body); err != nil {
			return err
		}
		w.distBody = c.Body
	}
	_, err := a.exec("UPDATE staff_waiting SET dist_version = ?, dist_body = ? WHERE kind = ? AND id = ?",
		w.distVersion, nullBytes(w.distBody), string(w.kind), w.id)
	return err
}

// jsonEqual compares two JSON values: byte for byte, else as decoded.
func jsonEqual(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// showDistrict replaces what the kiosk shows of an item with the
// district's version (absent when body is nil), whatever the versions.
func (a *applier) showDistrict(kind data.Kind, id string, version int64, body []byte) error {
	var res ApplyResult
	if err := a.apply(&data.Change{Kind: kind, ID: id, Op: data.OpDelete, Version: math.MaxInt64}, &res); err != nil {
		return err
	}
	if body == nil {
		return nil
	}
	return a.apply(&data.Change{Kind: kind, ID: id, Op: data.OpUpsert, Version: version, Body: body}, &res)
}

// settleEdit records the district's answer to a staff edit on the item's
// waiting mark, when the edit is the item's latest. Accepted: the mark
// goes, the item gets the district's version number, and a newer version
// the feed brought meanwhile is shown. A conflict or a refusal keeps the
// mark until staff decide.
func settleEdit(ctx context.Context, tx *sql.Tx, outboxID string, ans Answer) error {
	w, ok, err := waitingByOutbox(ctx, tx, outboxID)
	if err != nil || !ok {
		return err
	}
	a := newApplier(ctx, tx)
	defer a.close()
	switch ans.Outcome {
	case Accepted:
		if err := dropWaiting(ctx, tx, w.kind, w.id); err != nil {
			return err
		}
		v := ans.Version
		if v == 0 {
			v = w.localVersion
		}
		if w.distVersion > v {
			return a.showDistrict(w.kind, w.id, w.distVersion, w.distBody)
		}
		if w.op == data.OpUpsert {
			_, err := tx.ExecContext(ctx, "UPDATE "+kindSpecs[w.kind].table+" SET version = ? WHERE id = ?", v, w.id)
			return err
		}
	case Conflicted:
		if c := ans.Conflict; c != nil && c.ServerVersion > w.distVersion {
			w.distVersion, w.distBody = c.ServerVersion, nil
			if len(c.Server) > 0 && string(c.Server) != "null" {
				w.distBody = c.Server
			}
			return putWaiting(ctx, tx, w)
		}
	}
	return nil
}

// ResolveConflict carries out staff's decision on a conflict. keepMine
// queues the local edit again on top of the district's current version;
// otherwise the edit is dropped and the district's version shown. Either
// way the decision is audited and the conflict marked resolved, in one
// transaction.
func (s *Store) ResolveConflict(ctx context.Context, by data.Staff, conflictID int64, keepMine bool, now time.Time) error {
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := staffByID(ctx, tx, by.ID); err != nil {
			return err
		}
		var kind, id, local, server string
		var serverVersion int64
		var resolved sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT item_kind, item_id, local, server, server_version, resolved_at
			FROM conflicts WHERE id = ?`, conflictID).Scan(&kind, &id, &local, &server, &serverVersion, &resolved)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("there is no conflict %d: %w", conflictID, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if resolved.Valid {
			return fmt.Errorf("conflict %d is already resolved", conflictID)
		}
		var serverBody []byte
		if server != "" && server != "null" {
			serverBody = []byte(server)
		}
		var e data.StaffEditBody
		if err := json.Unmarshal([]byte(local), &e); err != nil {
			return fmt.Errorf("conflict %d: the local edit does not decode", conflictID)
		}
		if _, ok := kindSpecs[e.Kind]; !ok || e.Kind != data.Kind(kind) || e.ID != id {
			return fmt.Errorf("conflict %d: the local edit is not of %s %s", conflictID, kind, id)
		}
		w, waiting, err := waitingRow(ctx, tx, e.Kind, e.ID)
		if err != nil {
			return err
		}
		// The newest district version known: the conflict's, or a newer
		// one the feed brought since.
		distVersion, distBody := serverVersion, serverBody
		if waiting && w.distVersion > distVersion {
			distVersion, distBody = w.distVersion, w.distBody
		}
		a := newApplier(ctx, tx)
		defer a.close()
		action := AuditDropMine
		if keepMine {
			action = AuditKeepMine
			e.BaseVersion = distVersion
			ob, err := json.Marshal(e)
			if err != nil {
				return err
			}
			outboxID := "edit-" + randomHex()
			if err := enqueueTx(ctx, tx, OutboxItem{ID: outboxID, Kind: data.ItemStaffEdit, Body: ob, CreatedAt: now}); err != nil {
				return err
			}
			body := []byte(e.Item)
			if e.Op == data.OpDelete {
				body = nil
			}
			if err := a.showDistrict(e.Kind, e.ID, distVersion+1, body); err != nil {
				return err
			}
			w = waitRow{kind: e.Kind, id: e.ID, outboxID: outboxID, op: e.Op, body: body,
				localVersion: distVersion + 1, distVersion: distVersion, distBody: distBody}
			if err := putWaiting(ctx, tx, w); err != nil {
				return err
			}
		} else {
			var later bool
			if waiting {
				// A later edit of the item still queued stays, and so
				// does what the kiosk shows of it.
				err := tx.QueryRowContext(ctx, "SELECT EXISTS(SELECT 1 FROM outbox WHERE id = ?)", w.outboxID).Scan(&later)
				if err != nil {
					return err
				}
			}
			if !later {
				if err := a.showDistrict(e.Kind, e.ID, distVersion, distBody); err != nil {
					return err
				}
				if err := dropWaiting(ctx, tx, e.Kind, e.ID); err != nil {
					return err
				}
			}
		}
		if _, err := tx.ExecContext(ctx, "UPDATE conflicts SET resolved_at = ? WHERE id = ?", now.UnixMilli(), conflictID); err != nil {
			return err
		}
		return enqueueAudit(ctx, tx, by, action, fmt.Sprintf("conflict %d on %s/%s", conflictID, e.Kind, e.ID), now)
	})
	if err != nil {
		return fmt.Errorf("resolve conflict: %w", err)
	}
	s.kickIndexer()
	return nil
}

// RetryDeadLetter puts a refused item back in the outbox. A staff edit
// goes under a new id, since the district answers an id it has refused
// with the same refusal; other items keep their id (it is the case's or
// the opinion's own), so they go again only when the district stored
// nothing for them (a request refused whole).
func (s *Store) RetryDeadLetter(ctx context.Context, by data.Staff, id string, now time.Time) error {
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := staffByID(ctx, tx, by.ID); err != nil {
			return err
		}
		var kind data.ItemKind
		var body string
		var redacted sql.NullInt64
		err := tx.QueryRowContext(ctx, "SELECT kind, body, redacted_at FROM dead_letters WHERE id = ?", id).Scan(&kind, &body, &redacted)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("there is no dead letter %s: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if redacted.Valid {
			return ErrRedacted
		}
		newID := id
		if kind == data.ItemStaffEdit {
			newID = "edit-" + randomHex()
			if _, err := tx.ExecContext(ctx, "UPDATE staff_waiting SET outbox_id = ? WHERE outbox_id = ?", newID, id); err != nil {
				return err
			}
		}
		if err := enqueueTx(ctx, tx, OutboxItem{ID: newID, Kind: kind, Body: json.RawMessage(body), CreatedAt: now}); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM dead_letters WHERE id = ?", id); err != nil {
			return err
		}
		return enqueueAudit(ctx, tx, by, AuditRetryDead, fmt.Sprintf("%s %s", kind, id), now)
	})
	if err != nil {
		return fmt.Errorf("retry %s: %w", id, err)
	}
	return nil
}

// DiscardDeadLetter drops a refused item for good. A discarded staff edit
// that the item still shows gives way to the district's version.
func (s *Store) DiscardDeadLetter(ctx context.Context, by data.Staff, id string, now time.Time) error {
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := staffByID(ctx, tx, by.ID); err != nil {
			return err
		}
		var kind data.ItemKind
		err := tx.QueryRowContext(ctx, "SELECT kind FROM dead_letters WHERE id = ?", id).Scan(&kind)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("there is no dead letter %s: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if kind == data.ItemStaffEdit {
			w, ok, err := waitingByOutbox(ctx, tx, id)
			if err != nil {
				return err
			}
			if ok {
				a := newApplier(ctx, tx)
				defer a.close()
				if err := a.showDistrict(w.kind, w.id, w.distVersion, w.distBody); err != nil {
					return err
				}
				if err := dropWaiting(ctx, tx, w.kind, w.id); err != nil {
					return err
				}
			}
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM dead_letters WHERE id = ?", id); err != nil {
			return err
		}
		return enqueueAudit(ctx, tx, by, AuditDiscardDead, fmt.Sprintf("%s %s", kind, id), now)
	})
	if err != nil {
		return fmt.Errorf("discard %s: %w", id, err)
	}
	s.kickIndexer()
	return nil
}
