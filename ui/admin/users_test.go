package admin

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"jiezhen/sync/server"
)

var linkRe = regexp.MustCompile(`(https?://[^\s<]+/admin/enrol/[A-Za-z0-9_-]+)`)

func TestUsersPage(t *testing.T) {
	o := newTestOffice(t)
	admin := o.signIn("区管理员甲", []server.Role{server.RoleAdmin})
	resp, body := admin.get(Prefix + "users/")
	if resp.StatusCode != 200 || !strings.Contains(body, "区管理员甲") || !strings.Contains(body, `href="/admin/users/new"`) {
		t.Fatalf("users: %d\n%s", resp.StatusCode, body)
	}
	if _, body := admin.get(Prefix); !strings.Contains(body, `href="/admin/users/"`) {
		t.Error("the home does not offer the users page to an admin")
	}
	// Refusals keep what was typed and say what is wrong.
	for _, f := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"role": {"editor"}}, "请填写姓名"},
		{url.Values{"name": {"新编辑"}}, "请至少选择一个角色"},
		{url.Values{"name": {"区管理员甲"}, "role": {"editor"}}, "已有同名用户"},
	} {
		resp, body := admin.post(Prefix+"users/new", f.form)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, f.want) {
			t.Errorf("add %v: %d, want 422 with %q", f.form, resp.StatusCode, f.want)
		}
	}
	if resp, _ := admin.post(Prefix+"users/new", url.Values{"name": {"x"}, "role": {"root"}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a made-up role: %d", resp.StatusCode)
	}
	if resp, _ := admin.post(Prefix+"users/new", url.Values{"name": {"x"}, "role": {"editor"}, "street": {"999"}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a made-up street: %d", resp.StatusCode)
	}
	resp, _ = admin.post(Prefix+"users/new", url.Values{"name": {"新编辑"}, "role": {"editor", "reviewer"}, "street": {demoStreet}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add: %d", resp.StatusCode)
	}
	page := resp.Header.Get("Location")
	_, body = admin.get(page)
	m := linkRe.FindStringSubmatch(body)
	if m == nil || !strings.Contains(body, "新编辑") || !strings.Contains(body, "天河南街道") {
		t.Fatalf("the new user's page shows no enrolment link:\n%s", body)
	}
	if _, again := admin.get(page); linkRe.MatchString(again) {
		t.Fatal("the enrolment link is shown twice")
	}
	link, _ := url.Parse(m[1])
	if resp, _ := o.anon().get(link.Path); resp.StatusCode != 200 {
		t.Fatalf("the link given: %d", resp.StatusCode)
	}
	u, err := o.p.UserByName(context.Background(), "新编辑")
	if err != nil || len(u.Roles) != 2 || len(u.Streets) != 1 {
		t.Fatalf("added: %+v %v", u, err)
	}
	added := o.auditLines("user.add")
	if len(added) != 1 || added[0].Detail != "roles=editor,reviewer streets="+demoStreet || added[0].Target != userTarget(u.ID) {
		t.Fatalf("audit of the add: %+v", added)
	}
	// Roles and streets; a handler needs a department of the list.
	o.department(testIntake, true)
	if resp, body := admin.post(page+"/access", url.Values{"role": {"handler"}}); resp.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "承办人必须有承办部门") || !strings.Contains(body, `<option value="`+testIntake+`">`) {
		t.Fatalf("a handler without a department: %d", resp.StatusCode)
	}
	if resp, _ := admin.post(page+"/access", url.Values{"role": {"handler"}, "department": {"园林科"}}); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a department not listed: %d", resp.StatusCode)
	}
	if resp, _ := admin.post(page+"/access", url.Values{"role": {"handler"}, "department": {testIntake}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("access: %d", resp.StatusCode)
	}
	if _, body := admin.get(page); !strings.Contains(body, "已保存") || !strings.Contains(body, "全区") {
		t.Error("the saved access")
	}
	acc := o.auditLines("user.access")
	if len(acc) != 1 || acc[0].Detail != "roles=editor,reviewer streets="+demoStreet+" -> roles=handler streets=all department="+testIntake {
		t.Fatalf("audit of the access: %+v", acc)
	}
	// The user's own session follows: it sees the handler's home now.
	c := o.session(u)
	if resp, _ := c.get(Prefix + "users/"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a handler on the users page: %d", resp.StatusCode)
	}
	// A new enrolment ends the sessions and gives a new link.
	resp, _ = admin.post(page+"/reset", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reset: %d", resp.StatusCode)
	}
	if _, body := admin.get(page); !linkRe.MatchString(body) || !strings.Contains(body, "待登记") {
		t.Fatal("no new link after the reset")
	}
	if resp, _ := c.get(Prefix); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the user's session after the reset: %d", resp.StatusCode)
	}
	if resp, _ := o.anon().get(link.Path); resp.StatusCode != http.StatusGone {
		t.Fatalf("the old link after the reset: %d", resp.StatusCode)
	}
	// Disable and enable.
	admin.post(page+"/disable", nil)
	if _, body := admin.get(page); !strings.Contains(body, "已停用") {
		t.Fatal("disable")
	}
	admin.post(page+"/enable", nil)
	for _, a := range []string{"user.reset", "user.disable", "user.enable"} {
		if len(o.auditLines(a)) != 1 {
			t.Errorf("%s not audited once", a)
		}
	}
	// An admin does not lock themselves out.
	self := Prefix + "users/" + itoa(admin.user.ID)
	for _, p := range []string{"/disable", "/reset"} {
		if resp, body := admin.post(self+p, nil); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "不能在这里更改自己的账号") {
			t.Errorf("%s of oneself: %d", p, resp.StatusCode)
		}
	}
	if resp, _ := admin.post(self+"/access", url.Values{"role": {"editor"}}); resp.StatusCode != http.StatusConflict {
		t.Errorf("dropping one's own admin role: %d", resp.StatusCode)
	}
	if resp, _ := admin.get(Prefix + "users/999"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown user: %d", resp.StatusCode)
	}
}

func itoa(n int64) string { return userTarget(n)[len("user:"):] }
