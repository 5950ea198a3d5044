package server

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"jiezhen/data"
)

// Case handling in the back office (docs/ADMIN.md, "Cases"): the work
// queue of a handler's streets and department, the case file with its
// staff timeline, the handler's moves, internal notes, hand-overs and the
// inspectors' 督办. Every method takes the user and keeps to the user's
// streets, and a handler to its department, in the store's query: a case
// of another street or department is ErrForbidden, never the row.

// AssignedDistrict is the handling street of a case handed over to the
// district itself: only district-wide users reach it.
const AssignedDistrict = "district"

// CaseWorkReader reads what case handling keeps beside the cases.
type CaseWorkReader interface {
	// Queue lists the open cases q selects, by due date (cases whose
	// deadline does not run last), then by receipt, with how many
	// there are in all.
	Queue(q QueueQuery) ([]CaseRecord, int, error)
	// CaseEvents lists a case's staff events in time order.
	CaseEvents(caseID string) ([]CaseEvent, error)
	// LatestEvents is the latest event of the kind of each listed case
	// that has one.
	LatestEvents(kind CaseEventKind, caseIDs []string) (map[string]CaseEvent, error)
	// EventsBetween lists the events of the kind at from (inclusive) to
	// to (exclusive), Unix milliseconds.
	EventsBetween(kind CaseEventKind, from, to int64) ([]CaseEvent, error)
	Departments() ([]Department, error)
	// ReplyTemplates lists the templates of a kind ("": all);
	// ReplyTemplate is one, ErrNotFound if there is none.
	ReplyTemplates(kind data.CaseKind) ([]ReplyTemplate, error)
	ReplyTemplate(id int64) (ReplyTemplate, error)
}

// CaseWorkWriter writes it.
type CaseWorkWriter interface {
	AddCaseEvent(e CaseEvent) (int64, error)
	// AddDepartment adds a department by name; 0 when it is already there.
	AddDepartment(d Department) (int64, error)
	// RemoveDepartment removes one and returns its name, ErrNotFound if
	// there is none.
	RemoveDepartment(id int64) (string, error)
	// PutReplyTemplate adds a template, or replaces the text of the one of
	// the same kind and title.
	PutReplyTemplate(r ReplyTemplate) (int64, error)
	RemoveReplyTemplate(id int64) (ReplyTemplate, error)
}

// QueueQuery selects open cases; zero fields select all.
type QueueQuery struct {
	Streets []string // the user's streets; none: the whole district
	// ByDepartment keeps to the cases dispatched to one of Departments
	// ("" for a case dispatched to none); none listed selects nothing.
	ByDepartment bool
	Departments  []string
	Assigned     string // one handling street (or AssignedDistrict)
	Kind         data.CaseKind
	Status       data.Status
	Channel      data.Channel
	DueBefore    string // only cases due before this date ("2006-01-02")
	Limit        int    // 0: no limit
	Offset       int
}

// CaseEventKind is the kind of a staff event on a case.
type CaseEventKind string

const (
	EventNote      CaseEventKind = "note"      // an internal note
	EventSupervise CaseEventKind = "supervise" // a 督办 note from an inspector
	EventHandover  CaseEventKind = "handover"  // handed to Target (a street or AssignedDistrict)
	EventMergedIn  CaseEventKind = "merged_in" // the duplicate Target was merged into this case
)

// CaseEvent is something staff recorded on a case that the resident never
// sees: it lives in its own table, which no feed, tracking, website or
// Open311 path reads.
type CaseEvent struct {
	ID       int64
	Case     string // the case's id
	At       time.Time
	Kind     CaseEventKind
	UserID   int64
	UserName string
	Text     string
	Target   string
}

// Department is one the district dispatches appeals to. Handlers work
// for one department each. An intake department (受理) also handles the
// cases dispatched to no department: appeals before they are dispatched,
// applications and disclosure requests, which never are.
type Department struct {
	ID     int64
	Name   string
	Intake bool
}

// ReplyTemplate is a stock reply for cases of one kind.
type ReplyTemplate struct {
	ID    int64
	Kind  data.CaseKind
	Title string
	Text  string
}

// QueuePageSize is how many cases a page of the queue holds.
const QueuePageSize = 50

// DueSoonDays: a case due within this many working days is marked.
const DueSoonDays = 3

// QueueFilter is what a user chose to see of the queue.
type QueueFilter struct {
	Street  string
	Kind    data.CaseKind
	Status  data.Status
	Channel data.Channel
	Page    int // from 1
}

// QueueRow is one case of the queue.
type QueueRow struct {
	Rec CaseRecord
	Deadline
	// Supervision is the latest 督办 on the case, nil for none.
	Supervision *CaseEvent
}

// Deadline is how a case's deadline stands today.
type Deadline struct {
	Running bool // the deadline runs (data.Case.Running)
	Left    int  // working days left; negative: overdue by that many
	Overdue bool // Left < 0: at least one working day overdue
	DueSoon bool // 0 <= Left <= DueSoonDays
}

// deadlineOf works out c's deadline on cal for today.
func deadlineOf(c *data.Case, cal *data.Calendar, today data.Date) Deadline {
	left, ok := c.WorkdaysLeft(cal, today)
	if !ok {
		return Deadline{}
	}
	return Deadline{Running: true, Left: left, Overdue: left < 0, DueSoon: left >= 0 && left <= DueSoonDays}
}

// Queue is one page of a user's work queue.
type Queue struct {
	Rows  []QueueRow
	Total int
	Page  int
	Pages int
	Today data.Date
}

// caseScope is which cases a user reaches: those its streets handle (all
// without streets) and, by department, those dispatched to one of
// departments ("" for none).
type caseScope struct {
	streets      []string
	byDepartment bool
	departments  []string
}

// scopeOf is u's scope over cases, to read them or, with act, to act on
// them as their handler. A handler reaches the cases of its streets
// dispatched to its department, and those dispatched to none when its
// department is an intake one; a handler without a department reaches
// none. An inspector reads every case of its streets, and so does a
// user who is also one.
func scopeOf(tx ReadTx, u User, act bool) (caseScope, error) {
	sc := caseScope{streets: u.Streets}
	if !u.Has(RoleHandler) || !act && u.Has(RoleInspector) {
		return sc, nil
	}
	sc.byDepartment = true
	if u.Department == "" {
		return sc, nil
	}
	sc.departments = []string{u.Department}
	deps, err := tx.Departments()
	if err != nil {
		return sc, err
	}
	if slices.ContainsFunc(deps, func(d Department) bool { return d.Name == u.Department && d.Intake }) {
		sc.departments = append(sc.departments, "")
	}
	return sc, nil
}

// allows reports whether the scope reaches rec.
func (sc caseScope) allows(rec *CaseRecord) bool {
	return (len(sc.streets) == 0 || slices.Contains(sc.streets, rec.Assigned)) &&
		(!sc.byDepartment || slices.Contains(sc.departments, rec.Case.Department))
}

// scope checks that u may reach rec, to read it or (act) to act on it as
// its handler: ErrForbidden when not.
func scope(tx ReadTx, u User, rec *CaseRecord, act bool) error {
	sc, err := scopeOf(tx, u, act)
	if err != nil {
		return err
	}
	if !sc.allows(rec) {
		return ErrForbidden
	}
	return nil
}

// NoDepartment reports whether u is a handler without a department, who
// reaches no case until an admin gives it one (and is no inspector, who
// reads them all).
func (u User) NoDepartment() bool {
	return u.Has(RoleHandler) && u.Department == "" && !u.Has(RoleInspector)
}

// Reaches reports whether u reaches the case ref, to read it or (act) to
// act on it: where a page sends the user after a move or a hand-over
// that may have taken the case out of its reach.
func (p *Platform) Reaches(ctx context.Context, u User, ref string, act bool) (bool, error) {
	err := p.store.Read(ctx, func(tx ReadTx) error {
		rec, err := caseByRef(tx, ref)
		if err != nil {
			return err
		}
		return scope(tx, u, &rec, act)
	})
	if errors.Is(err, ErrForbidden) {
		return false, nil
	}
	return err == nil, err
}

// CaseQueue is a page of the open cases u reaches (its streets', and a
// handler's department's: scopeOf) that f selects,
// sorted by working days left (those whose deadline does not run, waiting
// for a correction or answered, last), each with its deadline today and
// its latest 督办. A street filter outside u's streets selects nothing.
func (p *Platform) CaseQueue(ctx context.Context, u User, f QueueFilter) (Queue, error) {
	page := max(f.Page, 1)
	q := QueueQuery{Assigned: f.Street, Kind: f.Kind, Status: f.Status, Channel: f.Channel,
		Limit: QueuePageSize, Offset: (page - 1) * QueuePageSize}
	out := Queue{Page: page, Today: p.today()}
	err := p.store.Read(ctx, func(tx ReadTx) error {
		sc, err := scopeOf(tx, u, false)
		if err != nil {
			return err
		}
		q.Streets, q.ByDepartment, q.Departments = sc.streets, sc.byDepartment, sc.departments
		recs, total, err := tx.Queue(q)
		if err != nil {
			return err
		}
		cal, err := calendarOf(tx)
		if err != nil {
			return err
		}
		ids := make([]string, len(recs))
		for i := range recs {
			ids[i] = recs[i].Case.ID
		}
		sup, err := tx.LatestEvents(EventSupervise, ids)
		if err != nil {
			return err
		}
		out.Total, out.Pages = total, max(1, (total+QueuePageSize-1)/QueuePageSize)
		out.Rows = make([]QueueRow, len(recs))
		for i, rec := range recs {
			out.Rows[i] = QueueRow{Rec: rec, Deadline: deadlineOf(&rec.Case, cal, out.Today)}
			if e, ok := sup[rec.Case.ID]; ok {
				out.Rows[i].Supervision = &e
			}
		}
		return nil
	})
	return out, err
}

// CaseFile is everything the case page shows.
type CaseFile struct {
	Rec      CaseRecord
	Deadline Deadline
	Today    data.Date
	// Timeline is the case's moves and its staff events in time order.
	Timeline []TimelineEntry
	// Moves are the statuses the handler may move the case to now: the
	// lifecycle's (data.CaseKind.Next) that data.Case.Move accepts today,
	// less the resident's own (a rating, a correction sent back).
	Moves []data.Status
	// Flagged: overdue by at least one working day, for 督办.
	Flagged bool
	// Handles: the user may act on the case as its handler (its street
	// and department).
	Handles bool
}

// TimelineEntry is one line of the staff timeline: a move (Move set) or
// a staff event (Event set), or what the resident supplied (Correction).
type TimelineEntry struct {
	At         time.Time
	Move       *data.Transition
	Event      *CaseEvent
	Correction *data.Correction
}

// staffMoves lists the moves a handler may make on c at at: those of the
// lifecycle that data.Case.Move accepts, tried on a copy, without the
// moves that are the resident's (a rating; received again after a
// correction, which the resident's correction does).
func staffMoves(c *data.Case, at time.Time) []data.Status {
	var out []data.Status
	for _, to := range c.Kind.Next(c.Status) {
		if to == data.StatusRated || (c.Status == data.StatusCorrection && to == data.StatusReceived) {
			continue
		}
		trial := *c
		trial.History = slices.Clone(c.History)
		if err := trial.Move(to, at, "-"); err == nil {
			out = append(out, to)
		}
	}
	return out
}

// CaseFile reads the case ref for u: ErrForbidden for a case u does not
// reach (scopeOf); with act, only a case u may act on as its handler
// (the unmasked page, the 告知书). Handles says whether u may act on it.
func (p *Platform) CaseFile(ctx context.Context, u User, ref string, act bool) (CaseFile, error) {
	var f CaseFile
	f.Today = p.today()
	err := p.store.Read(ctx, func(tx ReadTx) error {
		rec, err := caseByRef(tx, ref)
		if err != nil {
			return err
		}
		if err := scope(tx, u, &rec, act); err != nil {
			return err
		}
		if u.Has(RoleHandler) {
			if err := scope(tx, u, &rec, true); err == nil {
				f.Handles = true
			} else if !errors.Is(err, ErrForbidden) {
				return err
			}
		}
		cal, err := calendarOf(tx)
		if err != nil {
			return err
		}
		events, err := tx.CaseEvents(rec.Case.ID)
		if err != nil {
			return err
		}
		c := &rec.Case
		f.Rec = rec
		f.Deadline = deadlineOf(c, cal, f.Today)
		f.Flagged = f.Deadline.Overdue
		now := p.clock()
		if n := len(c.History); n > 0 && now.Before(c.History[n-1].At) {
			now = c.History[n-1].At
		}
		f.Moves = staffMoves(c, now)
		for i := range c.History {
			f.Timeline = append(f.Timeline, TimelineEntry{At: c.History[i].At, Move: &c.History[i]})
		}
		for i := range c.Corrections {
			f.Timeline = append(f.Timeline, TimelineEntry{At: c.Corrections[i].At, Correction: &c.Corrections[i]})
		}
		for i := range events {
			f.Timeline = append(f.Timeline, TimelineEntry{At: events[i].At, Event: &events[i]})
		}
		slices.SortStableFunc(f.Timeline, func(a, b TimelineEntry) int { return a.At.Compare(b.At) })
		return nil
	})
	return f, err
}

// HandleCase is a handler's move of a case (MoveCase) within u's streets
// and department; a merge joins a case of u's streets, whichever
// department has it (an intake handler merges a new duplicate into a case
// already dispatched). A dispatch goes only to one of the district's
// departments (Departments).
func (p *Platform) HandleCase(ctx context.Context, u User, m CaseMove) (CaseRecord, error) {
	streets := User{Streets: u.Streets}
	into := func(tx ReadTx, rec *CaseRecord) error { return scope(tx, streets, rec, true) }
	return p.moveCase(ctx, m, u, func(tx ReadTx, rec *CaseRecord) error {
		if err := scope(tx, u, rec, true); err != nil {
			return err
		}
		if m.To == data.StatusDispatched {
			deps, err := tx.Departments()
			if err != nil {
				return err
			}
			if !slices.ContainsFunc(deps, func(d Department) bool { return d.Name == strings.TrimSpace(m.Department) }) {
				return fmt.Errorf("%q is not one of the district's departments", strings.TrimSpace(m.Department))
			}
		}
		return nil
	}, into)
}

// MaxNote is the longest note, 督办 or hand-over reason, in characters.
const MaxNote = 2000

func checkNote(text string) (string, error) {
	text = strings.TrimSpace(text)
	switch {
	case text == "":
		return "", errors.New("the note is empty")
	case utf8.RuneCountInString(text) > MaxNote:
		return "", fmt.Errorf("the note is longer than %d characters", MaxNote)
	}
	if err := data.CheckFields(struct {
		Text string `limit:"text"`
	}{text}); err != nil {
		return "", err
	}
	return text, nil
}

// addEvent records a staff event on the case ref u may act on (act: as
// its handler; else within u's reading scope, an inspector's 督办), after
// check.
func (p *Platform) addEvent(ctx context.Context, u User, ref string, act bool, e CaseEvent, check func(tx Tx, rec *CaseRecord) error) (CaseRecord, error) {
	var rec CaseRecord
	err := p.store.Write(ctx, func(tx Tx) (err error) {
		rec, err = caseByRef(tx, ref)
		if err != nil {
			return err
		}
		if err := scope(tx, u, &rec, act); err != nil {
			return err
		}
		if check != nil {
			if err := check(tx, &rec); err != nil {
				return err
			}
		}
		e.Case, e.At, e.UserID, e.UserName = rec.Case.ID, p.clock(), u.ID, u.Name
		_, err = tx.AddCaseEvent(e)
		return err
	})
	return rec, err
}

// AddCaseNote records an internal note on a case: staff read it in the
// case's timeline; residents never see it.
func (p *Platform) AddCaseNote(ctx context.Context, u User, ref, text string) (CaseRecord, error) {
	text, err := checkNote(text)
	if err != nil {
		return CaseRecord{}, err
	}
	return p.addEvent(ctx, u, ref, true, CaseEvent{Kind: EventNote, Text: text}, nil)
}

// Supervise records a 督办 on a case that is overdue by at least one
// working day today: it shows in the handlers' queue and the case's staff
// timeline.
func (p *Platform) Supervise(ctx context.Context, u User, ref, text string) (CaseRecord, error) {
	text, err := checkNote(text)
	if err != nil {
		return CaseRecord{}, err
	}
	return p.addEvent(ctx, u, ref, false, CaseEvent{Kind: EventSupervise, Text: text}, func(tx Tx, rec *CaseRecord) error {
		cal, err := calendarOf(tx)
		if err != nil {
			return err
		}
		if d := deadlineOf(&rec.Case, cal, p.today()); !d.Overdue {
			return fmt.Errorf("case %s is not overdue: a 督办 goes only on a case overdue by a working day", rec.Case.Ref)
		}
		return nil
	})
}

// HandOver hands an open case to another street (a published one) or to
// the district (AssignedDistrict), keeping its reference: it leaves u's
// queue for theirs, and its staff timeline says so with the reason.
func (p *Platform) HandOver(ctx context.Context, u User, ref, to, reason string) (CaseRecord, error) {
	reason, err := checkNote(reason)
	if err != nil {
		return CaseRecord{}, errors.New("a hand-over needs its reason")
	}
	to = strings.TrimSpace(to)
	var rec CaseRecord
	err = p.store.Write(ctx, func(tx Tx) (err error) {
		rec, err = caseByRef(tx, ref)
		if err != nil {
			return err
		}
		if err := scope(tx, u, &rec, true); err != nil {
			return err
		}
		switch {
		case !caseOpen(&rec.Case):
			return fmt.Errorf("case %s is closed", rec.Case.Ref)
		case to == rec.Assigned:
			return fmt.Errorf("case %s is already handled there", rec.Case.Ref)
		case to != AssignedDistrict:
			if err := knownStreet(tx, to); err != nil {
				return err
			}
		}
		now := p.clock()
		if _, err := tx.AddCaseEvent(CaseEvent{Case: rec.Case.ID, At: now, Kind: EventHandover, UserID: u.ID,
			UserName: u.Name, Text: reason, Target: to}); err != nil {
			return err
		}
		rec.Assigned = to
		return tx.PutCase(rec)
	})
	return rec, err
}

// OverdueCases lists the open cases of u's streets that are overdue by at
// least one working day today, most overdue first, with their latest
// 督办: the inspectors' list.
func (p *Platform) OverdueCases(ctx context.Context, u User) ([]QueueRow, error) {
	today := p.today()
	var out []QueueRow
	err := p.store.Read(ctx, func(tx ReadTx) error {
		sc, err := scopeOf(tx, u, false)
		if err != nil {
			return err
		}
		recs, _, err := tx.Queue(QueueQuery{Streets: sc.streets, ByDepartment: sc.byDepartment, Departments: sc.departments,
			DueBefore: today.String()})
		if err != nil {
			return err
		}
		cal, err := calendarOf(tx)
		if err != nil {
			return err
		}
		var ids []string
		for _, rec := range recs {
			if d := deadlineOf(&rec.Case, cal, today); d.Overdue {
				out = append(out, QueueRow{Rec: rec, Deadline: d})
				ids = append(ids, rec.Case.ID)
			}
		}
		sup, err := tx.LatestEvents(EventSupervise, ids)
		if err != nil {
			return err
		}
		for i := range out {
			if e, ok := sup[out[i].Rec.Case.ID]; ok {
				out[i].Supervision = &e
			}
		}
		return nil
	})
	return out, err
}

// SupervisionCount is one handling street's overdue cases today and the
// 督办 issued in a period (Platform.SupervisionCounts).
type SupervisionCount struct {
	Street     string // a street code, or AssignedDistrict
	Overdue    int    // open cases overdue by at least one working day today
	Supervised int    // 督办 notes issued in the period on its cases
}

// SupervisionCounts counts, per handling street, the open cases overdue
// by at least one working day today and the 督办 notes issued from from
// to to (inclusive, China days), for the monthly review. Streets with
// neither are left out; the list is by street.
func (p *Platform) SupervisionCounts(ctx context.Context, from, to data.Date) ([]SupervisionCount, error) {
	today := p.today()
	counts := map[string]*SupervisionCount{}
	at := func(street string) *SupervisionCount {
		if counts[street] == nil {
			counts[street] = &SupervisionCount{Street: street}
		}
		return counts[street]
	}
	err := p.store.Read(ctx, func(tx ReadTx) error {
		recs, _, err := tx.Queue(QueueQuery{DueBefore: today.String()})
		if err != nil {
			return err
		}
		cal, err := calendarOf(tx)
		if err != nil {
			return err
		}
		for _, rec := range recs {
			if deadlineOf(&rec.Case, cal, today).Overdue {
				at(rec.Assigned).Overdue++
			}
		}
		events, err := tx.EventsBetween(EventSupervise, millis(from.Time(china)), millis(to.AddDays(1).Time(china)))
		if err != nil {
			return err
		}
		for _, e := range events {
			rec, err := tx.Case(e.Case)
			if err != nil {
				return err
			}
			at(rec.Assigned).Supervised++
		}
		return nil
	})
	out := make([]SupervisionCount, 0, len(counts))
	for _, c := range counts {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b SupervisionCount) int { return strings.Compare(a.Street, b.Street) })
	return out, err
}

// Departments lists the departments appeals are dispatched to, by name.
func (p *Platform) Departments(ctx context.Context) ([]Department, error) {
	var out []Department
	err := p.store.Read(ctx, func(tx ReadTx) (err error) {
		out, err = tx.Departments()
		return err
	})
	return out, err
}

// AddDepartment adds a department (d.Name, d.Intake); a name already
// listed is refused.
func (p *Platform) AddDepartment(ctx context.Context, d Department) (Department, error) {
	d.Name = strings.TrimSpace(d.Name)
	if err := checkTitle("department", d.Name); err != nil {
		return Department{}, err
	}
	err := p.store.Write(ctx, func(tx Tx) (err error) {
		d.ID, err = tx.AddDepartment(d)
		if err == nil && d.ID == 0 {
			err = fmt.Errorf("department %q is already listed", d.Name)
		}
		return err
	})
	return d, err
}

// DepartmentInUse refuses the removal of a department handlers work for.
type DepartmentInUse struct {
	Department string
	Users      []string
}

func (e *DepartmentInUse) Error() string {
	return fmt.Sprintf("handlers work for department %q (%s): give them another one first", e.Department, strings.Join(e.Users, ", "))
}

// RemoveDepartment removes a department from the list; cases dispatched
// to it keep its name. A department some users work for is refused with
// *DepartmentInUse.
func (p *Platform) RemoveDepartment(ctx context.Context, id int64) (string, error) {
	var name string
	err := p.store.Write(ctx, func(tx Tx) error {
		deps, err := tx.Departments()
		if err != nil {
			return err
		}
		i := slices.IndexFunc(deps, func(d Department) bool { return d.ID == id })
		if i < 0 {
			return fmt.Errorf("there is no department %d: %w", id, ErrNotFound)
		}
		accounts, err := tx.Accounts()
		if err != nil {
			return err
		}
		var users []string
		for _, a := range accounts {
			if a.Department == deps[i].Name {
				users = append(users, a.Name)
			}
		}
		if len(users) > 0 {
			return &DepartmentInUse{Department: deps[i].Name, Users: users}
		}
		name, err = tx.RemoveDepartment(id)
		return err
	})
	return name, err
}

// checkTitle checks a one-line name of what (a department, a template's
// title) by the data rules of a title.
func checkTitle(what, s string) error {
	if s == "" {
		return fmt.Errorf("the %s has no name", what)
	}
	if err := data.CheckFields(struct {
		Name string `json:"name" limit:"title"`
	}{s}); err != nil {
		return fmt.Errorf("the %s's %w", what, err)
	}
	return nil
}

// ReplyTemplates lists the reply templates of a case kind ("": all).
func (p *Platform) ReplyTemplates(ctx context.Context, kind data.CaseKind) ([]ReplyTemplate, error) {
	var out []ReplyTemplate
	err := p.store.Read(ctx, func(tx ReadTx) (err error) {
		out, err = tx.ReplyTemplates(kind)
		return err
	})
	return out, err
}

// ReplyTemplate is one reply template, ErrNotFound if there is none.
func (p *Platform) ReplyTemplate(ctx context.Context, id int64) (ReplyTemplate, error) {
	var out ReplyTemplate
	err := p.store.Read(ctx, func(tx ReadTx) (err error) {
		out, err = tx.ReplyTemplate(id)
		return err
	})
	return out, err
}

// PutReplyTemplate adds a reply template for a case kind, or replaces the
// text of the kind's template of the same title.
func (p *Platform) PutReplyTemplate(ctx context.Context, r ReplyTemplate) (ReplyTemplate, error) {
	r.Title, r.Text = strings.TrimSpace(r.Title), strings.TrimSpace(r.Text)
	if !r.Kind.Valid() {
		return r, fmt.Errorf("unknown case kind %q", r.Kind)
	}
	if err := checkTitle("template", r.Title); err != nil {
		return r, err
	}
	if r.Text == "" {
		return r, errors.New("the template has no text")
	}
	if err := data.CheckFields(struct {
		Text string `json:"text" limit:"text"`
	}{r.Text}); err != nil {
		return r, fmt.Errorf("the template's %w", err)
	}
	err := p.store.Write(ctx, func(tx Tx) (err error) {
		r.ID, err = tx.PutReplyTemplate(r)
		return err
	})
	return r, err
}

// RemoveReplyTemplate removes a reply template.
func (p *Platform) RemoveReplyTemplate(ctx context.Context, id int64) (ReplyTemplate, error) {
	var r ReplyTemplate
	err := p.store.Write(ctx, func(tx Tx) (err error) {
		r, err = tx.RemoveReplyTemplate(id)
		if errors.Is(err, ErrNotFound) {
			err = fmt.Errorf("there is no template %d", id)
		}
		return err
	})
	return r, err
}
