package server

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/sync/wire"
)

// The test handlers work for the intake department (intake), which
// handles the cases not dispatched to a department; cityA for the
// department appeals are dispatched to.
const (
	intake = "综合受理"
	city   = "城管科"
)

var (
	handlerA = User{ID: 11, Name: "承办甲", Roles: []Role{RoleHandler}, Streets: []string{streetA}, Department: intake}
	handlerB = User{ID: 12, Name: "承办乙", Roles: []Role{RoleHandler}, Streets: []string{streetB}, Department: intake}
	district = User{ID: 13, Name: "区承办", Roles: []Role{RoleHandler}, Department: intake}
	watcher  = User{ID: 14, Name: "监察丙", Roles: []Role{RoleInspector}}
	cityA    = User{ID: 15, Name: "城管甲", Roles: []Role{RoleHandler}, Streets: []string{streetA}, Department: city}
)

// addDepartments lists the departments named, the first an intake one.
func (e *env) addDepartments(intakeName string, names ...string) {
	e.t.Helper()
	for i, n := range append([]string{intakeName}, names...) {
		if _, err := e.p.AddDepartment(context.Background(), Department{Name: n, Intake: i == 0}); err != nil {
			e.t.Fatal(err)
		}
	}
}

// fileCases pushes items from a kiosk and returns their references.
func (e *env) fileCases(token string, items ...wire.PushItem) []string {
	e.t.Helper()
	var refs []string
	for _, r := range e.push(token, items...).Results {
		if r.Outcome != wire.Accepted {
			e.t.Fatalf("push: %+v", r)
		}
		refs = append(refs, r.Ref)
	}
	return refs
}

func queueRefs(t testing.TB, q Queue) []string {
	t.Helper()
	var out []string
	for _, r := range q.Rows {
		out = append(out, r.Rec.Case.Ref)
	}
	return out
}

func (e *env) queue(u User, f QueueFilter) Queue {
	e.t.Helper()
	q, err := e.p.CaseQueue(context.Background(), u, f)
	if err != nil {
		e.t.Fatal(err)
	}
	return q
}

// A handler of street A sees A's cases only, in the store's query: B's
// cases are not in the queue, not even with B's filter, and every read
// or change of one is ErrForbidden.
func TestCaseQueueScoping(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	refA := e.fileCases(e.tokA1, appeal(t, "a-1", streetA))[0]
	refB := e.fileCases(e.tokB1, appeal(t, "b-1", streetB))[0]
	e.addDepartments(intake, city)

	if got := queueRefs(t, e.queue(handlerA, QueueFilter{})); !slices.Equal(got, []string{refA}) {
		t.Fatalf("A's queue: %v, want only %s", got, refA)
	}
	if got := e.queue(handlerA, QueueFilter{Street: streetB}); len(got.Rows) != 0 || got.Total != 0 {
		t.Fatalf("A's queue filtered to street B: %v", queueRefs(t, got))
	}
	if got := queueRefs(t, e.queue(district, QueueFilter{})); len(got) != 2 {
		t.Fatalf("the district's queue: %v, want both", got)
	}
	if over, err := e.p.OverdueCases(ctx, handlerA); err != nil || len(over) != 0 {
		t.Fatalf("overdue of A: %v %v", over, err)
	}

	for name, try := range map[string]func() error{
		"read": func() error { _, err := e.p.CaseFile(ctx, handlerA, refB, false); return err },
		"dispatch": func() error {
			_, err := e.p.HandleCase(ctx, handlerA, CaseMove{Ref: refB, To: data.StatusDispatched, Department: "城管科"})
			return err
		},
		"note":     func() error { _, err := e.p.AddCaseNote(ctx, handlerA, refB, "看看"); return err },
		"handover": func() error { _, err := e.p.HandOver(ctx, handlerA, refB, streetA, "拿过来"); return err },
		"merge into B's": func() error {
			_, err := e.p.HandleCase(ctx, handlerA, CaseMove{Ref: refA, To: data.StatusMerged, Into: refB, Reason: "重复"})
			return err
		},
	} {
		if err := try(); !errors.Is(err, ErrForbidden) {
			t.Errorf("%s of street B's case by A's handler: %v, want ErrForbidden", name, err)
		}
	}
	rec := e.caseRecord(refB)
	if rec.Case.Status != data.StatusReceived || rec.Version != 1 {
		t.Fatalf("B's case changed: %+v", rec)
	}
	if n := e.count("case_events"); n != 0 {
		t.Fatalf("%d events recorded by refused actions", n)
	}
}

func (e *env) caseRecord(ref string) CaseRecord {
	e.t.Helper()
	var rec CaseRecord
	err := e.st.Read(context.Background(), func(tx ReadTx) (err error) {
		rec, err = tx.CaseByRef(ref)
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return rec
}

// The queue is sorted by working days left, marks overdue and due-soon
// cases, puts cases whose deadline does not run last, filters and pages.
func TestCaseQueueOrder(t *testing.T) {
	e := newEnv(t)
	e.addDepartments(intake)
	consult := func(id string) wire.PushItem {
		it := appeal(t, id, streetA)
		var c data.Case
		json.Unmarshal(it.Body, &c)
		c.AppealType = data.AppealConsult // 3 working days
		it.Body = mustJSON(t, c)
		return it
	}
	// 2026-11-25: a complaint (13 days: 12-14), a disclosure (20 days: 12-23).
	refs := e.fileCases(e.tokA1, appeal(t, "c-1", streetA), disclosure(t, "d-1"))
	complaint, disc := refs[0], refs[1]
	e.clock.Add(24 * time.Hour) // 11-26: an enquiry due 12-01
	enquiry := e.fileCases(e.tokA2, consult("q-1"))[0]
	waiting := e.fileCases(e.tokA1, disclosure(t, "d-2"))[0]
	e.move(CaseMove{Ref: waiting, To: data.StatusCorrection, Reason: "请写明年份"})

	q := e.queue(handlerA, QueueFilter{})
	if got, want := queueRefs(t, q), []string{enquiry, complaint, disc, waiting}; !slices.Equal(got, want) {
		t.Fatalf("queue order %v, want %v", got, want)
	}
	if r := q.Rows[0]; !r.Running || r.Left != 3 || !r.DueSoon || r.Overdue {
		t.Fatalf("the enquiry on 11-26: %+v", r.Deadline)
	}
	if r := q.Rows[1]; r.Left != 12 || r.DueSoon || r.Overdue {
		t.Fatalf("the complaint on 11-26: %+v", r.Deadline)
	}
	if r := q.Rows[3]; r.Running {
		t.Fatalf("a case waiting for its correction has a running deadline: %+v", r.Deadline)
	}

	// 12-03 (a Thursday): the enquiry, due 12-01, is two working days over.
	e.clock.Add(7 * 24 * time.Hour)
	q = e.queue(handlerA, QueueFilter{})
	if r := q.Rows[0]; r.Left != -2 || !r.Overdue || r.DueSoon {
		t.Fatalf("the enquiry on 12-03: %+v", r.Deadline)
	}
	over, err := e.p.OverdueCases(context.Background(), watcher)
	if err != nil || len(over) != 1 || over[0].Rec.Case.Ref != enquiry {
		t.Fatalf("overdue: %+v %v", over, err)
	}

	for _, c := range []struct {
		f    QueueFilter
		want []string
	}{
		{QueueFilter{Kind: data.CaseDisclosure}, []string{disc, waiting}},
		{QueueFilter{Status: data.StatusCorrection}, []string{waiting}},
		{QueueFilter{Channel: data.ChannelKiosk, Kind: data.CaseAppeal}, []string{enquiry, complaint}},
		{QueueFilter{Channel: data.ChannelWeb}, nil},
		{QueueFilter{Street: streetA, Page: 2}, nil},
	} {
		if got := queueRefs(t, e.queue(handlerA, c.f)); !slices.Equal(got, c.want) {
			t.Errorf("queue %+v: %v, want %v", c.f, got, c.want)
		}
	}

	// Completed cases leave the queue.
	e.move(CaseMove{Ref: enquiry, To: data.StatusReplied, Reason: "已答复"})
	e.move(CaseMove{Ref: enquiry, To: data.StatusCompleted, Reason: "办结"})
	if got := queueRefs(t, e.queue(handlerA, QueueFilter{})); slices.Contains(got, enquiry) {
		t.Fatalf("a completed case is in the queue: %v", got)
	}
}

// Every handler action through the back office's methods, and what the
// resident sees of the staff-only ones: nothing.
func TestHandleCaseActions(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	refs := e.fileCases(e.tokA1, appeal(t, "a-1", streetA), appeal(t, "a-2", streetA), disclosure(t, "d-1"))
	apl, dup, disc := refs[0], refs[1], refs[2]
	e.addDepartments(intake)
	handleAs := func(u User, m CaseMove) CaseRecord {
		t.Helper()
		e.clock.Add(time.Hour)
		rec, err := e.p.HandleCase(ctx, u, m)
		if err != nil {
			t.Fatalf("%s to %s: %v", m.Ref, m.To, err)
		}
		return rec
	}
	handle := func(m CaseMove) CaseRecord { t.Helper(); return handleAs(handlerA, m) }
	moves := func(ref string) []data.Status {
		t.Helper()
		f, err := e.p.CaseFile(ctx, handlerA, ref, false)
		if err != nil {
			t.Fatal(err)
		}
		return f.Moves
	}

	// The buttons are the lifecycle's moves.
	if got, want := moves(apl), data.CaseAppeal.Next(data.StatusReceived); !slices.Equal(got, want) {
		t.Fatalf("moves of a received appeal %v, want %v", got, want)
	}
	// Dispatch goes to a listed department only.
	if _, err := e.p.HandleCase(ctx, handlerA, CaseMove{Ref: apl, To: data.StatusDispatched, Department: "不存在科"}); err == nil || !strings.Contains(err.Error(), "departments") {
		t.Fatalf("dispatch to an unlisted department: %v", err)
	}
	if _, err := e.p.AddDepartment(ctx, Department{Name: " 城管科 "}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.p.AddDepartment(ctx, Department{Name: "城管科"}); err == nil {
		t.Fatal("a department added twice")
	}
	handle(CaseMove{Ref: apl, To: data.StatusDispatched, Department: "城管科"})
	// Dispatched, it is the department's.
	if _, err := e.p.HandleCase(ctx, handlerA, CaseMove{Ref: apl, To: data.StatusInProgress}); !errors.Is(err, ErrForbidden) {
		t.Fatalf("the intake handler moves a dispatched case: %v", err)
	}
	handleAs(cityA, CaseMove{Ref: apl, To: data.StatusInProgress})

	// An internal note, never seen by the resident.
	const secret = "内部：投诉人系重复来电"
	if _, err := e.p.AddCaseNote(ctx, cityA, apl, "  "); err == nil {
		t.Fatal("an empty note was kept")
	}
	if _, err := e.p.AddCaseNote(ctx, cityA, apl, secret); err != nil {
		t.Fatal(err)
	}

	// A reply from a template, then completion.
	tpl, err := e.p.PutReplyTemplate(ctx, ReplyTemplate{Kind: data.CaseAppeal, Title: "噪音", Text: "已联系城管执法部门现场处理。"})
	if err != nil {
		t.Fatal(err)
	}
	handleAs(cityA, CaseMove{Ref: apl, To: data.StatusReplied, Reason: tpl.Text})
	handleAs(cityA, CaseMove{Ref: apl, To: data.StatusCompleted, Reason: "回访确认"})

	// A duplicate merged by the intake into the department's case: closed
	// with its pointer, and the case it joined says so in its staff
	// timeline.
	m := handle(CaseMove{Ref: dup, To: data.StatusMerged, Into: apl, Reason: "同一事项"})
	if m.Case.MergedInto != apl || m.Case.Status != data.StatusMerged {
		t.Fatalf("merged: %+v", m.Case)
	}
	f, err := e.p.CaseFile(ctx, cityA, apl, false)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []CaseEventKind
	for _, en := range f.Timeline {
		if en.Event != nil {
			kinds = append(kinds, en.Event.Kind)
			if en.Event.Kind == EventMergedIn && (en.Event.Target != dup || en.Event.UserName != handlerA.Name) {
				t.Fatalf("merge event: %+v", en.Event)
			}
		}
	}
	if !slices.Equal(kinds, []CaseEventKind{EventNote, EventMergedIn}) {
		t.Fatalf("staff events of the case: %v", kinds)
	}
	if len(f.Moves) != 0 {
		t.Fatalf("a completed case offers %v (rating is the resident's)", f.Moves)
	}

	// A disclosure request: extension once, reply with a type.
	handle(CaseMove{Ref: disc, To: data.StatusExtended, Reason: "需征求第三方意见"})
	if got := moves(disc); !slices.Equal(got, []data.Status{data.StatusReplied}) {
		t.Fatalf("moves after the extension: %v", got)
	}
	handle(CaseMove{Ref: disc, To: data.StatusReplied, Reason: "予以公开", ReplyType: data.ReplyDisclosed})

	// Hand-over to street B keeps the reference and moves the case to B's
	// queue; to the district, only district-wide users reach it.
	open := e.fileCases(e.tokA1, appeal(t, "a-3", streetA))[0]
	if _, err := e.p.HandOver(ctx, handlerA, open, "nowhere", "转"); err == nil {
		t.Fatal("handed to an unknown street")
	}
	if _, err := e.p.HandOver(ctx, handlerA, open, streetB, "属林和街道辖区"); err != nil {
		t.Fatal(err)
	}
	if got := queueRefs(t, e.queue(handlerB, QueueFilter{})); !slices.Equal(got, []string{open}) {
		t.Fatalf("B's queue after the hand-over: %v", got)
	}
	if _, err := e.p.CaseFile(ctx, handlerA, open, false); !errors.Is(err, ErrForbidden) {
		t.Fatalf("A reads the case it handed over: %v", err)
	}
	if _, err := e.p.HandOver(ctx, handlerB, open, AssignedDistrict, "需区级协调"); err != nil {
		t.Fatal(err)
	}
	if got := queueRefs(t, e.queue(handlerB, QueueFilter{})); len(got) != 0 {
		t.Fatalf("B's queue after handing to the district: %v", got)
	}
	f, err = e.p.CaseFile(ctx, district, open, false)
	if err != nil || f.Rec.Case.Ref != open || f.Rec.Assigned != AssignedDistrict {
		t.Fatalf("the district's copy: %+v %v", f.Rec, err)
	}

	// The resident's side: the filing kiosk's feed, tracking and the
	// public list never hold staff events.
	changes, _ := e.pullAll(e.tokA1, 0)
	for _, c := range changes {
		for _, s := range []string{secret, "属林和街道辖区", "需区级协调", "同一事项\",\"target"} {
			if strings.Contains(string(c.Body), s) {
				t.Fatalf("the feed's %s %s holds %q", c.Kind, c.ID, s)
			}
		}
	}
	tr, err := e.p.Track(ctx, apl, testMobile[7:], "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	tl, err := e.p.Timeline(ctx, tr, data.ZH)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(tl); strings.Contains(string(b), secret) || strings.Contains(string(b), "内部") {
		t.Fatalf("tracking shows the internal note: %s", b)
	}
}

// A 督办 goes only on a case overdue by a working day; it shows in the
// queue and the timeline, and the counts for the monthly review have it.
func TestSupervise(t *testing.T) {
	e := newEnv(t)
	e.addDepartments(intake)
	ctx := context.Background()
	ref := e.fileCases(e.tokA1, appeal(t, "a-1", streetA))[0] // due 12-14
	if _, err := e.p.Supervise(ctx, watcher, ref, "请尽快办理"); err == nil || !strings.Contains(err.Error(), "not overdue") {
		t.Fatalf("督办 on a case in time: %v", err)
	}
	e.clock.Add(19 * 24 * time.Hour) // 12-14, the last day
	if _, err := e.p.Supervise(ctx, watcher, ref, "请尽快办理"); err == nil {
		t.Fatal("督办 on the day it is due")
	}
	e.clock.Add(24 * time.Hour) // 12-15: one working day over
	if _, err := e.p.Supervise(ctx, watcher, ref, "已超期一个工作日，请于今日办结"); err != nil {
		t.Fatal(err)
	}
	q := e.queue(handlerA, QueueFilter{})
	if s := q.Rows[0].Supervision; s == nil || s.Text != "已超期一个工作日，请于今日办结" || s.UserName != watcher.Name {
		t.Fatalf("the queue's 督办: %+v", s)
	}
	f, _ := e.p.CaseFile(ctx, handlerA, ref, false)
	if !f.Flagged || f.Timeline[len(f.Timeline)-1].Event == nil || f.Timeline[len(f.Timeline)-1].Event.Kind != EventSupervise {
		t.Fatalf("the case file: flagged %v, timeline %+v", f.Flagged, f.Timeline)
	}
	counts, err := e.p.SupervisionCounts(ctx, data.MustDate("2026-12-01"), data.MustDate("2026-12-31"))
	if err != nil || !slices.Equal(counts, []SupervisionCount{{Street: streetA, Overdue: 1, Supervised: 1}}) {
		t.Fatalf("counts: %+v %v", counts, err)
	}
	if counts, _ := e.p.SupervisionCounts(ctx, data.MustDate("2026-11-01"), data.MustDate("2026-11-30")); !slices.Equal(counts, []SupervisionCount{{Street: streetA, Overdue: 1}}) {
		t.Fatalf("counts of November: %+v", counts)
	}
}

// Departments and reply templates are the district's lists.
func TestDepartmentsAndTemplates(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	d, err := e.p.AddDepartment(ctx, Department{Name: "民政科"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.p.AddDepartment(ctx, Department{Name: "  "}); err == nil {
		t.Fatal("a department without a name")
	}
	if name, err := e.p.RemoveDepartment(ctx, d.ID); err != nil || name != "民政科" {
		t.Fatalf("remove: %q %v", name, err)
	}
	if _, err := e.p.RemoveDepartment(ctx, d.ID); err == nil {
		t.Fatal("removed twice")
	}
	if _, err := e.p.PutReplyTemplate(ctx, ReplyTemplate{Kind: "nope", Title: "x", Text: "y"}); err == nil {
		t.Fatal("a template of no case kind")
	}
	a, _ := e.p.PutReplyTemplate(ctx, ReplyTemplate{Kind: data.CaseAppeal, Title: "已转办", Text: "旧"})
	b, _ := e.p.PutReplyTemplate(ctx, ReplyTemplate{Kind: data.CaseAppeal, Title: "已转办", Text: "新"})
	if a.ID != b.ID {
		t.Fatalf("the same title added twice: %d %d", a.ID, b.ID)
	}
	list, _ := e.p.ReplyTemplates(ctx, data.CaseAppeal)
	if len(list) != 1 || list[0].Text != "新" {
		t.Fatalf("templates: %+v", list)
	}
	if list, _ := e.p.ReplyTemplates(ctx, data.CaseDisclosure); len(list) != 0 {
		t.Fatalf("disclosure templates: %+v", list)
	}
}

// A database with cases from before case handling gets their queue
// columns when it is opened: the open cases are in their street's queue
// by deadline, the closed ones not.
func TestCaseHandlingMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	names, _ := fs.Glob(migrations, "migrations/*.sql")
	version := 0
	for _, name := range names {
		if strings.Contains(name, "0011_case_handling") {
			break
		}
		text, _ := migrations.ReadFile(name)
		if _, err := db.ExecContext(ctx, string(text)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		version++
	}
	doc := func(c data.Case) string { return string(mustJSON(t, c)) }
	open := data.Case{ID: "c-open", Ref: "R1", Kind: data.CaseAppeal, Street: streetA, Status: data.StatusDispatched,
		Deadline: data.MustDate("2026-12-14"), Channel: data.ChannelWeb, Department: city}
	done := data.Case{ID: "c-done", Ref: "R2", Kind: data.CaseAppeal, Street: streetA, Status: data.StatusCompleted,
		Deadline: data.MustDate("2026-12-01")}
	waiting := data.Case{ID: "c-wait", Ref: "R3", Kind: data.CaseDisclosure, Street: streetA, Status: data.StatusCorrection,
		Deadline: data.MustDate("2026-12-02")}
	for _, c := range []data.Case{open, done, waiting} {
		if _, err := db.ExecContext(ctx, `INSERT INTO cases(id, ref, kind, street, kiosk, status, received_at, version, doc)
			VALUES(?, ?, ?, ?, 0, ?, 0, 1, ?)`, c.ID, c.Ref, c.Kind, c.Street, c.Status, doc(c)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", version)); err != nil {
		t.Fatal(err)
	}
	db.Close()

	st, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.Read(ctx, func(tx ReadTx) error {
		recs, total, err := tx.Queue(QueueQuery{Streets: []string{streetA}})
		if err != nil {
			return err
		}
		var refs []string
		for _, r := range recs {
			refs = append(refs, r.Case.Ref)
			if r.Assigned != streetA {
				t.Errorf("%s is handled by %q", r.Case.Ref, r.Assigned)
			}
		}
		if total != 2 || !slices.Equal(refs, []string{"R1", "R3"}) {
			t.Errorf("the queue after the upgrade: %v (%d)", refs, total)
		}
		web, _, err := tx.Queue(QueueQuery{Channel: data.ChannelWeb})
		if len(web) != 1 || web[0].Case.Ref != "R1" {
			t.Errorf("by channel: %v %v", web, err)
		}
		// The department a case was dispatched to is its row's.
		for deps, want := range map[string]string{city: "R1", "": "R3"} {
			got, _, err := tx.Queue(QueueQuery{ByDepartment: true, Departments: []string{deps}})
			if err != nil || len(got) != 1 || got[0].Case.Ref != want {
				t.Errorf("dispatched to %q: %v %v", deps, got, err)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A handler reaches only the cases of its streets dispatched to its
// department, and an intake department's handler also those dispatched
// to none, in the store's query: another department's case is not in
// its queue and every read or change of it is ErrForbidden. A handler
// without a department reaches none; an inspector reads them all.
func TestHandlerDepartmentScope(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.addDepartments(intake, city, "民政科")
	refs := e.fileCases(e.tokA1, appeal(t, "a-1", streetA), appeal(t, "a-2", streetA), disclosure(t, "d-1"))
	apl, other, disc := refs[0], refs[1], refs[2]
	if _, err := e.p.HandleCase(ctx, handlerA, CaseMove{Ref: apl, To: data.StatusDispatched, Department: city}); err != nil {
		t.Fatal(err)
	}
	civil := User{ID: 16, Name: "民政甲", Roles: []Role{RoleHandler}, Streets: []string{streetA}, Department: "民政科"}
	none := User{ID: 17, Name: "旧承办", Roles: []Role{RoleHandler}, Streets: []string{streetA}}
	both := User{ID: 18, Name: "民政监察", Roles: []Role{RoleHandler, RoleInspector}, Streets: []string{streetA}, Department: "民政科"}
	for _, c := range []struct {
		u    User
		want []string
	}{
		{handlerA, []string{other, disc}}, {cityA, []string{apl}}, {civil, nil}, {none, nil},
		{both, []string{apl, other, disc}}, {watcher, []string{apl, other, disc}},
	} {
		got := queueRefs(t, e.queue(c.u, QueueFilter{}))
		slices.Sort(got)
		slices.Sort(c.want)
		if !slices.Equal(got, c.want) {
			t.Errorf("%s's queue: %v, want %v", c.u.Name, got, c.want)
		}
	}
	if !none.NoDepartment() || both.NoDepartment() || handlerA.NoDepartment() {
		t.Fatal("NoDepartment")
	}

	for _, u := range []User{handlerA, civil, none, both} {
		for name, try := range map[string]func() error{
			"read": func() error { _, err := e.p.CaseFile(ctx, u, apl, u.Has(RoleInspector)); return err },
			"move": func() error {
				_, err := e.p.HandleCase(ctx, u, CaseMove{Ref: apl, To: data.StatusInProgress})
				return err
			},
			"note":     func() error { _, err := e.p.AddCaseNote(ctx, u, apl, "看看"); return err },
			"handover": func() error { _, err := e.p.HandOver(ctx, u, apl, streetB, "拿过去"); return err },
			"merge into it": func() error {
				_, err := e.p.HandleCase(ctx, u, CaseMove{Ref: apl, To: data.StatusMerged, Into: other, Reason: "重复"})
				return err
			},
		} {
			if err := try(); !errors.Is(err, ErrForbidden) {
				t.Errorf("%s of %s's case by %s: %v, want ErrForbidden", name, city, u.Name, err)
			}
		}
		if ok, err := e.p.Reaches(ctx, u, apl, true); ok || err != nil {
			t.Errorf("%s acts on %s's case: %v %v", u.Name, city, ok, err)
		}
	}
	if rec := e.caseRecord(apl); rec.Case.Status != data.StatusDispatched || rec.Assigned != streetA {
		t.Fatalf("the case changed: %+v", rec)
	}
	if n := e.count("case_events"); n != 0 {
		t.Fatalf("%d events recorded by refused actions", n)
	}
	// A handler who is also an inspector reads it, without the handler's
	// part; the department's handler has it.
	if f, err := e.p.CaseFile(ctx, both, apl, false); err != nil || f.Handles {
		t.Fatalf("an inspector-handler of another department: handles %v, %v", f.Handles, err)
	}
	if f, err := e.p.CaseFile(ctx, cityA, apl, true); err != nil || !f.Handles {
		t.Fatalf("the department's handler: handles %v, %v", f.Handles, err)
	}
	if _, err := e.p.HandleCase(ctx, cityA, CaseMove{Ref: apl, To: data.StatusInProgress}); err != nil {
		t.Fatal(err)
	}
}

// A handler's department: required, one of the district's; none for the
// other roles; a department handlers work for is not removed.
func TestHandlerDepartmentChecks(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, _, err := e.p.AddUser(ctx, "承办甲", []Role{RoleHandler}, nil, ""); err == nil || !strings.Contains(err.Error(), "lists none yet") {
		t.Fatalf("a handler before any department: %v", err)
	}
	e.addDepartments(intake, city)
	for dep, want := range map[string]string{"": "a handler needs a department, one of the district's: 城管科, 综合受理",
		"园林科": `"园林科" is not one of the district's departments: 城管科, 综合受理`} {
		if _, _, err := e.p.AddUser(ctx, "承办甲", []Role{RoleHandler}, nil, dep); err == nil || err.Error() != want {
			t.Errorf("department %q: %v, want %q", dep, err, want)
		}
	}
	u, _, err := e.p.AddUser(ctx, "承办甲", []Role{RoleHandler}, []string{streetA}, " 城管科 ")
	if err != nil || u.Department != city || u.Access() != "roles=handler streets="+streetA+" department="+city {
		t.Fatalf("a handler: %+v %v", u, err)
	}
	ed, _, err := e.p.AddUser(ctx, "编辑乙", []Role{RoleEditor}, nil, city)
	if err != nil || ed.Department != "" {
		t.Fatalf("an editor keeps no department: %+v %v", ed, err)
	}
	if _, err := e.p.SetUserAccess(ctx, u.ID, []Role{RoleHandler}, nil, ""); err == nil {
		t.Fatal("a handler's department taken away")
	}
	deps, _ := e.p.Departments(ctx)
	var in DepartmentInUse
	for _, d := range deps {
		_, err := e.p.RemoveDepartment(ctx, d.ID)
		var inUse *DepartmentInUse
		if d.Name == city && !errors.As(err, &inUse) {
			t.Fatalf("removed a department a handler works for: %v", err)
		}
		if inUse != nil {
			in = *inUse
		}
	}
	if in.Department != city || !slices.Equal(in.Users, []string{"承办甲"}) {
		t.Fatalf("the refusal: %+v", in)
	}
	if got, _ := e.p.Departments(ctx); len(got) != 1 || got[0].Name != city {
		t.Fatalf("departments left: %+v", got)
	}
}
