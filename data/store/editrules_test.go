package store

import (
	"context"
	"errors"
	"strings"
	"testing"

	"jiezhen/data"
)

// TestEditRefusesBadIDsAndURLs: a staff edit keeps the field rules the
// district keeps: an id is an id (not a path or markup), an attachment's
// url is http(s), and no string field is longer than its class allows.
// Nothing of a refused edit is shown or queued.
func TestEditRefusesBadIDsAndURLs(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Options{NoIndexer: true})
	st := staffMember(t, s)
	withID := func(id string) data.Notice {
		n := notice(id, "停水通知", "明日停水")
		n.Street = testStreet
		return n
	}
	withURL := func(url string) data.Notice {
		n := withID("n-url")
		n.Attachments = []data.Attachment{{Name: "表格", URL: url}}
		return n
	}
	long := withID("n-long")
	long.Title = strings.Repeat("停", 201)
	for _, c := range []struct {
		e    ContentEdit
		want string
	}{
		{ContentEdit{Kind: data.KindNotice, ID: "../../etc/passwd", Op: data.OpUpsert, Item: body(t, withID("../../etc/passwd"))}, "may hold only"},
		{ContentEdit{Kind: data.KindNotice, ID: "<script>", Op: data.OpUpsert, Item: body(t, withID("<script>"))}, "may hold only"},
		{ContentEdit{Kind: data.KindProvider, ID: "../p1", Op: data.OpDelete}, "may hold only"},
		{ContentEdit{Kind: data.KindNotice, ID: "n-url", Op: data.OpUpsert, Item: body(t, withURL("javascript:alert(1)"))}, `field "attachments[0].url" must start with https: or http:`},
		{ContentEdit{Kind: data.KindNotice, ID: "n-url", Op: data.OpUpsert, Item: body(t, withURL("file:///etc/passwd"))}, `field "attachments[0].url" must start with https: or http:`},
		{ContentEdit{Kind: data.KindNotice, ID: "n-long", Op: data.OpUpsert, Item: body(t, long)}, `field "title" is longer than 200 characters`},
	} {
		err := s.EditContent(ctx, st, c.e, t0)
		if !errors.Is(err, ErrEdit) || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s %q: %v, want one line with %q", c.e.Kind, c.e.ID, err, c.want)
		}
	}
	if n := len(outboxOf(t, s, data.ItemStaffEdit)); n != 0 {
		t.Fatalf("refused edits queued: %d", n)
	}
	if err := s.EditContent(ctx, st, ContentEdit{Kind: data.KindNotice, ID: "n-url", Op: data.OpUpsert,
		Item: body(t, withURL("https://www.gz.gov.cn/a.pdf"))}, t0); err != nil {
		t.Fatalf("a good edit: %v", err)
	}
}

// TestQueueKeepsFieldRules: the kiosk keeps a resident's case, opinion or
// correction to the district's field rules before it stores it, so
// nothing it queues is refused for a field; a refused one queues nothing.
func TestQueueKeepsFieldRules(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t, Options{NoIndexer: true})
	c := data.Case{Kind: data.CaseAppeal, Street: testStreet, SubmittedAt: t0, AppealType: data.AppealHelp,
		Description: "楼道灯坏了", Applicant: &data.Person{Name: strings.Repeat("王", 900000)}}
	if _, err := s.FileCase(ctx, c, 7, 3); err == nil || !strings.Contains(err.Error(), `field "applicant.name" is longer than 100 characters`) {
		t.Errorf("a 900,000-character name: %v", err)
	}
	c.Applicant.Name, c.Description = "王小明", "灯\x00坏了"
	if _, err := s.FileCase(ctx, c, 7, 3); err == nil || !strings.Contains(err.Error(), `field "description" contains a control character`) {
		t.Errorf("NUL in the description: %v", err)
	}
	op := body(t, data.Opinion{ID: "opinion-1", Consultation: "../zj", Topic: "t1", Text: "好"})
	if err := s.Enqueue(ctx, OutboxItem{ID: "opinion-1", Kind: "opinion", Body: op, CreatedAt: t0}); err == nil || !strings.Contains(err.Error(), `field "consultation" may hold only`) {
		t.Errorf("an opinion on a path: %v", err)
	}
	if items, err := s.Pending(ctx, 0); err != nil || len(items) != 0 {
		t.Errorf("queued %d items (%v)", len(items), err)
	}
	c.Description = "楼道灯坏了\n请尽快维修"
	if _, err := s.FileCase(ctx, c, 7, 3); err != nil {
		t.Errorf("a good case: %v", err)
	}
}
