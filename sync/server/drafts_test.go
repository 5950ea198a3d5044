package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"jiezhen/data"
	"jiezhen/sync/wire"
)

var (
	editorA   = User{ID: 11, Name: "编辑甲", Roles: []Role{RoleEditor}, Streets: []string{streetA}}
	editorB   = User{ID: 12, Name: "编辑乙", Roles: []Role{RoleEditor}, Streets: []string{streetB}}
	reviewerA = User{ID: 21, Name: "审核甲", Roles: []Role{RoleReviewer}, Streets: []string{streetA}}
	// both holds both roles: it may review others' drafts, not its own.
	both           = User{ID: 31, Name: "编审", Roles: []Role{RoleEditor, RoleReviewer}, Streets: []string{streetA}}
	districtEditor = User{ID: 41, Name: "区审核", Roles: []Role{RoleEditor, RoleReviewer}}
)

func noticeBody(t testing.TB, id, street, title string) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(data.Notice{ID: id, Street: street, Title: title, Category: "通知", Publisher: "街道办",
		Published: data.MustDate("2026-11-25"), Body: "正文"})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// draftNotice saves a new notice draft by u and sends it for review.
func (e *env) draftNotice(u User, id, street string, at *time.Time) Draft {
	e.t.Helper()
	ctx := context.Background()
	d, err := e.p.SaveDraft(ctx, u, 0, data.KindNotice, DraftInput{Body: noticeBody(e.t, id, street, "草稿通知"), PublishAt: at})
	if err != nil {
		e.t.Fatal(err)
	}
	if d, err = e.p.SubmitDraft(ctx, u, d.ID); err != nil {
		e.t.Fatal(err)
	}
	return d
}

// published reports whether the notice is live, and in street A's feed.
func (e *env) noticeLive(id string) (bool, int64) {
	e.t.Helper()
	it, err := e.p.Content(context.Background(), data.KindNotice, id)
	if errors.Is(err, ErrNotFound) {
		return false, 0
	}
	if err != nil {
		e.t.Fatal(err)
	}
	return true, it.Version
}

func inFeed(changes []data.Change, kind data.Kind, id string) *data.Change {
	var last *data.Change
	for i := range changes {
		if changes[i].Kind == kind && changes[i].ID == id {
			last = &changes[i]
		}
	}
	return last
}

func TestDraftTwoPersonRule(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	d := e.draftNotice(both, "n-new", streetA, nil)
	if d.State != DraftPending {
		t.Fatalf("state after submit = %s", d.State)
	}
	changes, _ := e.pullAll(e.tokA1, 0)
	if live, _ := e.noticeLive("n-new"); live || inFeed(changes, data.KindNotice, "n-new") != nil {
		t.Fatal("a draft waiting for review is in the feed")
	}
	// The author holds the reviewer's role too, and is still refused.
	if _, err := e.p.ApproveDraft(ctx, both, d.ID); !errors.Is(err, ErrTwoPerson) {
		t.Fatalf("approve by the author = %v, want ErrTwoPerson", err)
	}
	if _, err := e.p.RejectDraft(ctx, both, d.ID, "不行"); !errors.Is(err, ErrTwoPerson) {
		t.Fatalf("reject by the author = %v, want ErrTwoPerson", err)
	}
	// An editor without the reviewer's role cannot approve at all.
	if _, err := e.p.ApproveDraft(ctx, editorA, d.ID); !errors.Is(err, ErrForbidden) {
		t.Fatalf("approve by an editor = %v, want ErrForbidden", err)
	}
	d, err := e.p.ApproveDraft(ctx, reviewerA, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.State != DraftPublished || d.PublishedVersion != 1 || d.Reviewer != reviewerA.Name {
		t.Fatalf("approved draft = %+v", d)
	}
	changes, _ = e.pullAll(e.tokA1, 0)
	c := inFeed(changes, data.KindNotice, "n-new")
	if c == nil || c.Op != data.OpUpsert || c.Version != 1 {
		t.Fatalf("published notice in street A's feed = %+v", c)
	}
	if b, _ := e.pullAll(e.tokB1, 0); inFeed(b, data.KindNotice, "n-new") != nil {
		t.Fatal("street A's notice reached street B")
	}
	_, evs, err := e.p.Draft(ctx, reviewerA, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	var moves []string
	for _, ev := range evs {
		moves = append(moves, fmt.Sprintf("%s>%s by %s", ev.From, ev.To, ev.By))
	}
	want := fmt.Sprint([]string{">draft by 编审", "draft>pending by 编审", "pending>published by 审核甲"})
	if fmt.Sprint(moves) != want {
		t.Fatalf("history = %v, want %v", moves, want)
	}
}

// An editor's later change makes the editor a party too.
func TestDraftLastEditorCannotReview(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	d, err := e.p.SaveDraft(ctx, editorA, 0, data.KindNotice, DraftInput{Body: noticeBody(t, "n-new", streetA, "一")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.p.SaveDraft(ctx, both, d.ID, data.KindNotice, DraftInput{Body: noticeBody(t, "n-new", streetA, "二")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.p.SubmitDraft(ctx, editorA, d.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.p.ApproveDraft(ctx, both, d.ID); !errors.Is(err, ErrTwoPerson) {
		t.Fatalf("approve by the last editor = %v, want ErrTwoPerson", err)
	}
}

func TestDraftRejectionNeedsReason(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	d := e.draftNotice(editorA, "n-new", streetA, nil)
	for _, reason := range []string{"", "  \n "} {
		if _, err := e.p.RejectDraft(ctx, reviewerA, d.ID, reason); !errors.Is(err, ErrNoReason) {
			t.Fatalf("reject with %q = %v, want ErrNoReason", reason, err)
		}
	}
	got, _, err := e.p.Draft(ctx, reviewerA, d.ID)
	if err != nil || got.State != DraftPending {
		t.Fatalf("after refused rejections: %+v %v", got, err)
	}
	d, err = e.p.RejectDraft(ctx, reviewerA, d.ID, "标题不准确")
	if err != nil {
		t.Fatal(err)
	}
	if d.State != DraftDraft || d.Reason != "标题不准确" {
		t.Fatalf("rejected draft = %+v", d)
	}
	// Back in 草稿 the editor changes it and sends it again; the reason
	// stays in the history.
	if _, err := e.p.SaveDraft(ctx, editorA, d.ID, data.KindNotice, DraftInput{Body: noticeBody(t, "n-new", streetA, "新标题")}); err != nil {
		t.Fatal(err)
	}
	if d, err = e.p.SubmitDraft(ctx, editorA, d.ID); err != nil || d.Reason != "" {
		t.Fatalf("resubmit: %+v %v", d, err)
	}
	_, evs, _ := e.p.Draft(ctx, editorA, d.ID)
	if len(evs) != 4 || evs[2].Note != "标题不准确" || evs[2].To != DraftDraft {
		t.Fatalf("history = %+v", evs)
	}
}

// Submitting checks the item with publishing's rules, each problem at
// its field; nothing is sent for review.
func TestDraftChecksAsPublish(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	bad, _ := json.Marshal(data.Notice{ID: "n-bad", Street: streetA, Category: "通知", Published: data.MustDate("2026-12-25")})
	_, err := e.p.SaveDraft(ctx, editorA, 0, data.KindNotice, DraftInput{Body: bad})
	var ce data.ContentErrors
	if !errors.As(err, &ce) {
		t.Fatalf("save = %v, want content errors", err)
	}
	fields := map[string]bool{}
	for _, p := range ce {
		fields[p.Field] = true
	}
	for _, f := range []string{"title", "body", "published"} {
		if !fields[f] {
			t.Errorf("no problem at %s in %v", f, ce)
		}
	}
	// An attachment the district does not hold is refused on approval,
	// as publish refuses it.
	n := data.Notice{ID: "n-att", Street: streetA, Title: "附件", Category: "通知", Publisher: "街道办",
		Published: data.MustDate("2026-11-25"), Body: "正文", Attachments: []data.Attachment{{Name: "表", File: "files/" + fmt.Sprintf("%064x", 1) + ".pdf",
			SHA256: fmt.Sprintf("%064x", 1), Size: 10, Type: "application/pdf"}}}
	b, _ := json.Marshal(n)
	d, err := e.p.SaveDraft(ctx, editorA, 0, data.KindNotice, DraftInput{Body: b})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.p.SubmitDraft(ctx, editorA, d.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.p.ApproveDraft(ctx, reviewerA, d.ID)
	var se *Error
	if !errors.As(err, &se) || se.Status != http.StatusUnprocessableEntity {
		t.Fatalf("approve with a missing file = %v, want a 422", err)
	}
	if live, _ := e.noticeLive("n-att"); live {
		t.Fatal("refused draft was published")
	}
}

func TestDraftSchedule(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	at := e.clock.Now().Add(2 * time.Hour)
	d, err := e.p.SaveDraft(ctx, editorA, 0, data.KindNotice, DraftInput{Body: noticeBody(t, "n-later", streetA, "定时"), PublishAt: &at})
	if err != nil {
		t.Fatal(err)
	}
	expire := at.Add(48 * time.Hour)
	if _, err := e.p.SaveDraft(ctx, editorA, d.ID, data.KindNotice, DraftInput{Body: noticeBody(t, "n-later", streetA, "定时"), PublishAt: &at, ExpireAt: &expire}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.p.SubmitDraft(ctx, editorA, d.ID); err != nil {
		t.Fatal(err)
	}
	if d, err = e.p.ApproveDraft(ctx, reviewerA, d.ID); err != nil || d.State != DraftScheduled {
		t.Fatalf("approve = %+v %v, want scheduled", d, err)
	}
	if res, err := e.p.RunSchedule(ctx); err != nil || res != (ScheduleResult{}) {
		t.Fatalf("schedule before its time = %+v %v", res, err)
	}
	if live, _ := e.noticeLive("n-later"); live {
		t.Fatal("published before its time")
	}
	e.clock.Add(2 * time.Hour)
	// Several districtd processes run the schedule at once: the notice
	// is published once.
	var wg sync.WaitGroup
	results := make([]ScheduleResult, 4)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := e.p.RunSchedule(ctx)
			if err != nil {
				t.Error(err)
			}
			results[i] = r
		}()
	}
	wg.Wait()
	total := 0
	for _, r := range results {
		total += r.Published
	}
	if total != 1 {
		t.Fatalf("published %d times: %+v", total, results)
	}
	if live, v := e.noticeLive("n-later"); !live || v != 1 {
		t.Fatalf("after its time: live %v version %d", live, v)
	}
	got, _, _ := e.p.Draft(ctx, editorA, d.ID)
	if got.State != DraftPublished {
		t.Fatalf("state = %s", got.State)
	}
	e.clock.Add(47 * time.Hour)
	if res, _ := e.p.RunSchedule(ctx); res.Withdrawn != 0 {
		t.Fatal("withdrawn before expiry")
	}
	e.clock.Add(time.Hour)
	if res, err := e.p.RunSchedule(ctx); err != nil || res.Withdrawn != 1 {
		t.Fatalf("at expiry = %+v %v", res, err)
	}
	if live, _ := e.noticeLive("n-later"); live {
		t.Fatal("still live after expiry")
	}
	changes, _ := e.pullAll(e.tokA1, 0)
	if c := inFeed(changes, data.KindNotice, "n-later"); c == nil || c.Op != data.OpDelete {
		t.Fatalf("feed after expiry: %+v", c)
	}
	got, _, _ = e.p.Draft(ctx, editorA, d.ID)
	if got.State != DraftWithdrawn {
		t.Fatalf("state after expiry = %s", got.State)
	}
}

// An edit of a published item is a draft with its version; published
// onto a version that changed meanwhile it is refused.
func TestDraftOfPublishedItem(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	d, err := e.p.EditItem(ctx, editorA, data.KindNotice, "n-a")
	if err != nil {
		t.Fatal(err)
	}
	if d.BaseVersion != 1 {
		t.Fatalf("base version = %d", d.BaseVersion)
	}
	if _, err := e.p.SaveDraft(ctx, editorA, 0, data.KindNotice, DraftInput{Body: noticeBody(t, "n-a", streetA, "新")}); err == nil {
		t.Fatal("a new draft of a published item was taken")
	}
	if _, err := e.p.SaveDraft(ctx, editorA, d.ID, data.KindNotice, DraftInput{Body: noticeBody(t, "n-a", streetA, "改过的")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.p.SubmitDraft(ctx, editorA, d.ID); err != nil {
		t.Fatal(err)
	}
	// Meanwhile the item is published again by the command.
	e.publish(&data.ContentSet{Notices: []data.Notice{{ID: "n-a", Street: streetA, Title: "命令行", Category: "通知",
		Publisher: "街道办", Published: data.MustDate("2026-11-25"), Body: "正文"}}})
	_, err = e.p.ApproveDraft(ctx, reviewerA, d.ID)
	var se *Error
	if !errors.As(err, &se) || se.Status != http.StatusConflict {
		t.Fatalf("approve onto a changed item = %v, want a conflict", err)
	}
	if _, v := e.noticeLive("n-a"); v != 2 {
		t.Fatalf("version = %d", v)
	}
	// Withdrawing the published one unpublishes the item.
	d2, err := e.p.EditItem(ctx, editorA, data.KindNotice, "n-a")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.p.SubmitDraft(ctx, editorA, d2.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.p.ApproveDraft(ctx, reviewerA, d2.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.p.WithdrawDraft(ctx, reviewerA, d2.ID, "过期"); err != nil {
		t.Fatal(err)
	}
	if live, _ := e.noticeLive("n-a"); live {
		t.Fatal("withdrawn item is live")
	}
}

func TestDraftStreetScoping(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.draftNotice(editorA, "n-a2", streetA, nil)
	e.draftNotice(editorB, "n-b2", streetB, nil)
	dist := e.draftNotice(districtEditor, "n-d2", "", nil)
	if _, _, err := e.p.Draft(ctx, editorB, a.ID); !errors.Is(err, ErrForbidden) {
		t.Fatalf("street B reads street A's draft: %v", err)
	}
	if _, _, err := e.p.Draft(ctx, editorB, dist.ID); err != nil {
		t.Fatalf("street B reads a district-wide draft: %v", err)
	}
	list, err := e.p.Drafts(ctx, editorB, DraftFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range list {
		if d.Street == streetA {
			t.Fatalf("street B lists street A's draft %d", d.ID)
		}
	}
	if len(list) != 2 {
		t.Fatalf("street B lists %d drafts, want its own and the district's", len(list))
	}
	if _, err := e.p.Drafts(ctx, editorB, DraftFilter{Street: streetA}); !errors.Is(err, ErrForbidden) {
		t.Fatalf("street B filters by street A: %v", err)
	}
	if all, _ := e.p.Drafts(ctx, districtEditor, DraftFilter{}); len(all) != 3 {
		t.Fatalf("the district lists %d drafts", len(all))
	}
	// Nor writes, reviews or drafts for another street or the district.
	if _, err := e.p.SaveDraft(ctx, editorB, 0, data.KindNotice, DraftInput{Body: noticeBody(t, "n-x", streetA, "越权")}); !errors.Is(err, ErrForbidden) {
		t.Fatalf("street B drafts for street A: %v", err)
	}
	if _, err := e.p.SaveDraft(ctx, editorB, 0, data.KindNotice, DraftInput{Body: noticeBody(t, "n-x", "", "越权")}); !errors.Is(err, ErrForbidden) {
		t.Fatalf("street B drafts district-wide: %v", err)
	}
	reviewerB := User{ID: 22, Name: "审核乙", Roles: []Role{RoleReviewer}, Streets: []string{streetB}}
	if _, err := e.p.ApproveDraft(ctx, reviewerB, a.ID); !errors.Is(err, ErrForbidden) {
		t.Fatalf("street B approves street A's draft: %v", err)
	}
	if _, err := e.p.EditItem(ctx, editorB, data.KindNotice, "n-a"); !errors.Is(err, ErrForbidden) {
		t.Fatalf("street B edits street A's notice: %v", err)
	}
}

// The content edits kiosks' staff sent are listed by street, newest first,
// with their author and kiosk; other audit actions are not.
func TestStaffEditsByStreet(t *testing.T) {
	e := newEnv(t)
	at := e.clock.Now()
	audit := func(id, action, detail string) wire.PushItem {
		return wire.PushItem{ID: id, Kind: wire.ItemAudit, Body: mustJSON(t, wire.AuditBody{Action: action, Staff: "李明", StaffID: "staff-1", Detail: detail, At: at})}
	}
	e.push(e.tokA1, audit("a-1", "edit", "upsert notice/n-a"), audit("a-2", "sign_in", ""))
	e.clock.Add(time.Minute)
	e.push(e.tokA2, audit("a-3", "edit", "upsert provider/p-a"))
	e.push(e.tokB1, audit("b-1", "edit", "upsert notice/n-b"))
	got, err := e.p.StaffEdits(context.Background(), editorA, 10)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, a := range got {
		ids = append(ids, fmt.Sprintf("%s@%d", a.ID, a.Kiosk))
	}
	if want := fmt.Sprint([]string{fmt.Sprintf("a-3@%d", e.a2.ID), fmt.Sprintf("a-1@%d", e.a1.ID)}); fmt.Sprint(ids) != want {
		t.Fatalf("street A's staff edits = %v, want %v", ids, want)
	}
	if all, _ := e.p.StaffEdits(context.Background(), districtEditor, 10); len(all) != 3 {
		t.Fatalf("the district sees %d staff edits", len(all))
	}
}

// A file only a draft refers to is not removed: publishing the draft
// would otherwise fail.
func TestDraftKeepsItsFiles(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	files, _, err := e.p.AddFiles(ctx, []NewFile{{Name: "表.pdf", Data: []byte("%PDF-1.4\n%%EOF\n")}})
	if err != nil {
		t.Fatal(err)
	}
	f := files[0]
	n := data.Notice{ID: "n-file", Street: streetA, Title: "附件", Category: "通知", Publisher: "街道办",
		Published: data.MustDate("2026-11-25"), Body: "正文",
		Attachments: []data.Attachment{{Name: "表", File: f.Path, SHA256: f.SHA256, Size: f.Size, Type: f.Type}}}
	b, _ := json.Marshal(n)
	d, err := e.p.SaveDraft(ctx, editorA, 0, data.KindNotice, DraftInput{Body: b})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.p.RemoveFile(ctx, f.Path); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("draft %d", d.ID)) {
		t.Fatalf("remove a draft's file = %v", err)
	}
	uses, _ := e.p.Files(ctx)
	if len(uses) != 1 || fmt.Sprint(uses[0].UsedBy) != fmt.Sprintf("[draft %d]", d.ID) {
		t.Fatalf("files = %+v", uses)
	}
}

// A scheduled draft whose item changed before its time goes back to its
// editors with the reason; the schedule goes on with the others.
func TestDraftScheduledOntoChangedItem(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	at := e.clock.Now().Add(time.Hour)
	d, err := e.p.EditItem(ctx, editorA, data.KindNotice, "n-a")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.p.SaveDraft(ctx, editorA, d.ID, data.KindNotice, DraftInput{Body: noticeBody(t, "n-a", streetA, "改"), PublishAt: &at}); err != nil {
		t.Fatal(err)
	}
	e.p.SubmitDraft(ctx, editorA, d.ID)
	if d, err = e.p.ApproveDraft(ctx, reviewerA, d.ID); err != nil || d.State != DraftScheduled {
		t.Fatalf("approve: %+v %v", d, err)
	}
	other := e.draftNotice(editorA, "n-other", streetA, &at)
	if _, err := e.p.ApproveDraft(ctx, reviewerA, other.ID); err != nil {
		t.Fatal(err)
	}
	e.publish(&data.ContentSet{Notices: []data.Notice{{ID: "n-a", Street: streetA, Title: "命令行", Category: "通知",
		Publisher: "街道办", Published: data.MustDate("2026-11-25"), Body: "正文"}}})
	e.clock.Add(time.Hour)
	res, err := e.p.RunSchedule(ctx)
	if err != nil || res.Published != 1 || res.Failed != 1 {
		t.Fatalf("schedule = %+v %v", res, err)
	}
	got, _, _ := e.p.Draft(ctx, editorA, d.ID)
	if got.State != DraftDraft || !strings.Contains(got.Reason, "has changed since the draft was made") {
		t.Fatalf("the draft onto a changed item: %+v", got)
	}
	if live, _ := e.noticeLive("n-other"); !live {
		t.Fatal("the other scheduled draft was not published")
	}
}
