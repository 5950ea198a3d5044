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
	if n := len(outboxOf(t, s, ItemStaffEdit)); n != 0 {
		t.Fatalf("refused edits queued: %d", n)
	}
	if err := s.EditContent(ctx, st, ContentEdit{Kind: data.KindNotice, ID: "n-url", Op: data.OpUpsert,
		Item: body(t, withURL("https://www.gz.gov.cn/a.pdf"))}, t0); err != nil {
		t.Fatalf("a good edit: %v", err)
	}
}
