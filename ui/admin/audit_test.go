package admin

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"jiezhen/sync/server"
	"jiezhen/sync/wire"
)

// pushStaffAudit has a kiosk of street push n staff audit lines, as kiosks
// do.
func (o *testOffice) pushStaffAudit(street, staff string, n int) {
	o.t.Helper()
	ctx := context.Background()
	k, _, err := o.p.AddKiosk(ctx, street, "kiosk of "+street)
	if err != nil {
		o.t.Fatal(err)
	}
	var items []wire.PushItem
	for i := range n {
		b, _ := json.Marshal(wire.AuditBody{Action: "sign_in", Staff: staff, StaffID: "st-" + street, At: o.clock.Now()})
		items = append(items, wire.PushItem{ID: fmt.Sprintf("audit-%s-%d", street, i), Kind: wire.ItemAudit, Body: b})
	}
	if _, err := o.p.Push(ctx, k, &wire.PushRequest{Items: items}); err != nil {
		o.t.Fatal(err)
	}
}

func TestAuditPage(t *testing.T) {
	o := newTestOffice(t)
	ed := o.addUser("编辑乙", []server.Role{server.RoleEditor})
	ctx := context.Background()
	// 60 lines of the back office over two days, some with a street.
	for i := range 60 {
		street := ""
		if i%3 == 0 {
			street = demoStreet
		}
		if err := o.p.AdminAuditIn(ctx, ed, street, "content.draft", fmt.Sprintf("notice:n%d", i), ""); err != nil {
			t.Fatal(err)
		}
		o.clock.Add(time.Hour)
	}
	o.pushStaffAudit(demoStreet, "李明", 3)
	o.pushStaffAudit(otherStreet, "王芳", 2)
	insp := o.signIn("监察甲", []server.Role{server.RoleInspector})
	streetInsp := o.signIn("街道监察", []server.Role{server.RoleInspector}, otherStreet)
	editor := o.session(ed)

	get := func(c *client, q url.Values) (int, string) {
		t.Helper()
		resp, body := c.get(Prefix + "audit/?" + q.Encode())
		return resp.StatusCode, body
	}
	code, body := get(insp, nil)
	if code != 200 || !strings.Contains(body, "共 60 条") || strings.Count(body, "notice:n") != auditPerPage || !strings.Contains(body, "notice:n59") ||
		!strings.Contains(body, `rel="next"`) {
		t.Fatalf("the first page: %d\n%s", code, body)
	}
	if code, body := get(insp, url.Values{"page": {"2"}}); code != 200 || strings.Count(body, "notice:n") != 10 || !strings.Contains(body, "notice:n0<") {
		t.Fatalf("the second page: %d", code)
	}
	if code, _ := get(insp, url.Values{"page": {"3"}}); code != http.StatusBadRequest {
		t.Errorf("a page past the end: %d", code)
	}
	if _, body := get(insp, url.Values{"street": {demoStreet}}); !strings.Contains(body, "共 20 条") {
		t.Error("by street")
	}
	if _, body := get(insp, url.Values{"user": {"编辑乙"}, "action": {"content.draft"}}); !strings.Contains(body, "共 60 条") {
		t.Error("by user and action")
	}
	if _, body := get(insp, url.Values{"user": {"nobody"}}); !strings.Contains(body, "共 0 条") || !strings.Contains(body, "没有符合条件的记录") {
		t.Error("no match")
	}
	// Dates are days in China: the clock started 2026-12-08 10:00 and
	// the lines run an hour apart, so 14 fall on the 8th.
	if _, body := get(insp, url.Values{"from": {"2026-12-08"}, "to": {"2026-12-08"}}); !strings.Contains(body, "共 14 条") {
		t.Errorf("one day: %s", body[strings.Index(body, "共"):][:20])
	}
	for _, q := range []url.Values{{"from": {"8 Dec"}}, {"from": {"2026-12-09"}, "to": {"2026-12-08"}}, {"source": {"x"}}, {"page": {"0"}}} {
		if code, _ := get(insp, q); code != http.StatusBadRequest {
			t.Errorf("%v: %d, want 400", q, code)
		}
	}
	// The kiosk staff's audit.
	if _, body := get(insp, url.Values{"source": {"kiosk"}}); !strings.Contains(body, "共 5 条") || !strings.Contains(body, "李明") || !strings.Contains(body, "王芳") {
		t.Error("the kiosk staff's audit")
	}
	if _, body := get(insp, url.Values{"source": {"kiosk"}, "user": {"王芳"}}); !strings.Contains(body, "共 2 条") {
		t.Error("the kiosk staff's audit by staff")
	}
	// A street's inspector reads its street only, and is refused another's.
	if _, body := get(streetInsp, url.Values{"source": {"kiosk"}}); !strings.Contains(body, "共 2 条") || strings.Contains(body, "李明") {
		t.Error("a street's inspector sees another street's kiosk audit")
	}
	if _, body := get(streetInsp, nil); !strings.Contains(body, "共 0 条") {
		t.Error("a street's inspector sees other lines of the back office")
	}
	o.wantForbidden(streetInsp, http.MethodGet, Prefix+"audit/?street="+demoStreet, nil)
	// Editors do not read the audit.
	if code, _ := get(editor, nil); code != http.StatusForbidden {
		t.Errorf("an editor: %d", code)
	}
}
