package server

import (
	"database/sql"
	"encoding/json"
	"errors"
	"strings"

	"jiezhen/data"
)

// The SQLite side of case handling (casework.go); the schema is
// migrations/0011_case_handling.sql.

// dueNever is the due column of a case whose deadline is not running: it
// sorts after every date.
const dueNever = "9999-12-31"

// caseOpen reports whether a case still waits for the district or the
// resident: neither completed, rated, refused nor merged.
func caseOpen(c *data.Case) bool {
	switch c.Status {
	case data.StatusCompleted, data.StatusRated, data.StatusRefused, data.StatusMerged:
		return false
	}
	return true
}

// caseDue is the due column: the deadline while it runs, else dueNever.
func caseDue(c *data.Case) string {
	if !c.Running() {
		return dueNever
	}
	return c.Deadline.String()
}

// queueWhere is the WHERE clause of QueueQuery q over the partial indexes
// of the open cases, and its arguments. One street is an equality, which
// the index cases_queue answers in order; several go in as one JSON list.
// A handler's department is one more (cases_queue_department, migration
// 0016), or a list of two with the cases dispatched to none.
// The filters of kind and status are written +kind and +status so that
// SQLite never picks cases_by_status, which holds the closed cases too,
// over the partial indexes.
func queueWhere(q QueueQuery) (string, []any) {
	var b strings.Builder
	var args []any
	b.WriteString("open = 1")
	switch len(q.Streets) {
	case 0:
	case 1:
		b.WriteString(" AND assigned = ?")
		args = append(args, q.Streets[0])
	default:
		list, _ := json.Marshal(q.Streets)
		b.WriteString(" AND assigned IN (SELECT value FROM json_each(?))")
		args = append(args, string(list))
	}
	if q.ByDepartment {
		switch len(q.Departments) {
		case 0:
			b.WriteString(" AND 1 = 0")
		case 1:
			b.WriteString(" AND department = ?")
			args = append(args, q.Departments[0])
		default:
			list, _ := json.Marshal(q.Departments)
			b.WriteString(" AND department IN (SELECT value FROM json_each(?))")
			args = append(args, string(list))
		}
	}
	add := func(col, v string) {
		if v != "" {
			b.WriteString(" AND " + col + " = ?")
			args = append(args, v)
		}
	}
	add("assigned", q.Assigned)
	add("+kind", string(q.Kind))
	add("+status", string(q.Status))
	add("channel", string(q.Channel))
	if q.DueBefore != "" {
		b.WriteString(" AND due < ?")
		args = append(args, q.DueBefore)
	}
	return b.String(), args
}

// Queue reads the page's rowids from the partial index alone (sorting
// them there when several streets are merged), then only those rows:
// sorting whole rows would copy every case's document through a
// temporary tree.
func (t *sqlTx) Queue(q QueueQuery) ([]CaseRecord, int, error) {
	where, args := queueWhere(q)
	var total int
	if err := t.one("SELECT count(*) FROM cases WHERE "+where, args, &total); err != nil {
		return nil, 0, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = noLimit
	}
	list, err := queryAll(t, scanCase, "SELECT "+caseCols+" FROM cases WHERE rowid IN (SELECT rowid FROM cases WHERE "+where+
		" ORDER BY due, received_at LIMIT ? OFFSET ?) ORDER BY due, received_at", append(args, limit, q.Offset)...)
	return list, total, err
}

const caseEventCols = "id, case_id, at, kind, user_id, user_name, text, target"

func scanCaseEvent(sc scanner) (CaseEvent, error) {
	var e CaseEvent
	var at int64
	if err := sc.Scan(&e.ID, &e.Case, &at, &e.Kind, &e.UserID, &e.UserName, &e.Text, &e.Target); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return e, ErrNotFound
		}
		return e, err
	}
	e.At = fromMillis(at)
	return e, nil
}

func (t *sqlTx) CaseEvents(caseID string) ([]CaseEvent, error) {
	return queryAll(t, scanCaseEvent, "SELECT "+caseEventCols+" FROM case_events WHERE case_id = ? ORDER BY at, id", caseID)
}

func (t *sqlTx) LatestEvents(kind CaseEventKind, caseIDs []string) (map[string]CaseEvent, error) {
	out := map[string]CaseEvent{}
	if len(caseIDs) == 0 {
		return out, nil
	}
	list, _ := json.Marshal(caseIDs)
	events, err := queryAll(t, scanCaseEvent, "SELECT "+caseEventCols+
		" FROM case_events WHERE kind = ? AND case_id IN (SELECT value FROM json_each(?)) ORDER BY at, id", kind, string(list))
	for _, e := range events {
		out[e.Case] = e
	}
	return out, err
}

func (t *sqlTx) EventsBetween(kind CaseEventKind, from, to int64) ([]CaseEvent, error) {
	return queryAll(t, scanCaseEvent, "SELECT "+caseEventCols+
		" FROM case_events WHERE kind = ? AND at >= ? AND at < ? ORDER BY at, id", kind, from, to)
}

func (t *sqlTx) AddCaseEvent(e CaseEvent) (int64, error) {
	var id int64
	err := t.one(`INSERT INTO case_events(case_id, at, kind, user_id, user_name, text, target)
		VALUES(?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		[]any{e.Case, millis(e.At), e.Kind, e.UserID, e.UserName, e.Text, e.Target}, &id)
	return id, err
}

func scanDepartment(sc scanner) (Department, error) {
	var d Department
	err := sc.Scan(&d.ID, &d.Name, &d.Intake)
	return d, err
}

func (t *sqlTx) Departments() ([]Department, error) {
	return queryAll(t, scanDepartment, "SELECT id, name, intake FROM departments ORDER BY name, id")
}

func (t *sqlTx) AddDepartment(d Department) (int64, error) {
	var id int64
	err := t.one("INSERT INTO departments(name, intake) VALUES(?, ?) ON CONFLICT(name) DO NOTHING RETURNING id", []any{d.Name, d.Intake}, &id)
	if errors.Is(err, ErrNotFound) {
		return 0, nil
	}
	return id, err
}

func (t *sqlTx) RemoveDepartment(id int64) (string, error) {
	var name string
	err := t.one("DELETE FROM departments WHERE id = ? RETURNING name", []any{id}, &name)
	return name, err
}

func scanReplyTemplate(sc scanner) (ReplyTemplate, error) {
	var r ReplyTemplate
	err := sc.Scan(&r.ID, &r.Kind, &r.Title, &r.Text)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	return r, err
}

func (t *sqlTx) ReplyTemplates(kind data.CaseKind) ([]ReplyTemplate, error) {
	return queryAll(t, scanReplyTemplate, "SELECT id, kind, title, text FROM reply_templates WHERE ? = '' OR kind = ? ORDER BY kind, title, id", kind, kind)
}

func (t *sqlTx) ReplyTemplate(id int64) (ReplyTemplate, error) {
	return scanReplyTemplate(t.row("SELECT id, kind, title, text FROM reply_templates WHERE id = ?", id))
}

func (t *sqlTx) PutReplyTemplate(r ReplyTemplate) (int64, error) {
	var id int64
	err := t.one(`INSERT INTO reply_templates(kind, title, text) VALUES(?, ?, ?)
		ON CONFLICT(kind, title) DO UPDATE SET text = excluded.text RETURNING id`, []any{r.Kind, r.Title, r.Text}, &id)
	return id, err
}

func (t *sqlTx) RemoveReplyTemplate(id int64) (ReplyTemplate, error) {
	return scanReplyTemplate(t.row("DELETE FROM reply_templates WHERE id = ? RETURNING id, kind, title, text", id))
}
