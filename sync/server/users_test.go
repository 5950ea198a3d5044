package server

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"jiezhen/data"
)

func TestAddUserChecks(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.addDepartments(intake)
	u, tok, err := e.p.AddUser(ctx, " 张三 ", []Role{RoleHandler, RoleEditor, RoleHandler}, []string{streetA}, intake)
	if err != nil {
		t.Fatal(err)
	}
	if u.ID == 0 || u.Name != "张三" || len(u.Roles) != 2 || tok == "" || u.Enrolled || u.Department != intake {
		t.Fatalf("added %+v, token %q", u, tok)
	}
	if !u.Has(RoleEditor) || u.Has(RoleAdmin) || !u.HasAny(RoleAdmin, RoleHandler) {
		t.Fatalf("roles of %+v", u)
	}
	if !u.SeesStreet(streetA) || u.SeesStreet(streetB) || !u.SeesStreet("") {
		t.Fatalf("streets of %+v", u)
	}
	for _, c := range []struct {
		name    string
		roles   []Role
		streets []string
		want    string
	}{
		{"张三", []Role{RoleAdmin}, nil, "already a user"},
		{"", []Role{RoleAdmin}, nil, "needs a name"},
		{"李四", nil, nil, "at least one role"},
		{"李四", []Role{"boss"}, nil, `unknown role "boss"`},
		{"李四", []Role{RoleEditor}, []string{"999"}, `street "999" is not published`},
		{"李\n四", []Role{RoleEditor}, nil, "line break"},
	} {
		_, _, err := e.p.AddUser(ctx, c.name, c.roles, c.streets, "")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("AddUser(%q, %v, %v): %v, want %q", c.name, c.roles, c.streets, err, c.want)
		}
	}
	if n := e.count("users"); n != 1 {
		t.Fatalf("%d users after the refusals", n)
	}
	if RoleInspector.Label(data.ZH) != "监察" || RoleInspector.Label(data.EN) != "Inspector" {
		t.Fatal("labels")
	}
}

func TestSessionsIdleAndEnd(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u, _, err := e.p.AddUser(ctx, "王五", []Role{RoleAdmin}, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := e.p.StartSession(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	got, s, err := e.p.Session(ctx, tok)
	if err != nil || got.ID != u.ID || len(s.CSRF) < 40 || !s.CSRFMatches(s.CSRF) || s.CSRFMatches("x") {
		t.Fatalf("session: %+v %+v %v", got, s, err)
	}
	// Used within 30 minutes it lives on; left 30 minutes it ends.
	e.clock.Add(29 * time.Minute)
	if _, _, err := e.p.Session(ctx, tok); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(29 * time.Minute)
	if err := e.p.SetFlash(ctx, tok, "saved"); err != nil {
		t.Fatal(err)
	}
	if _, s, err := e.p.Session(ctx, tok); err != nil || s.Flash != "saved" {
		t.Fatalf("flash: %+v %v", s, err)
	}
	if _, s, _ := e.p.Session(ctx, tok); s.Flash != "" {
		t.Fatal("the flash was shown twice")
	}
	e.clock.Add(30 * time.Minute)
	if _, _, err := e.p.Session(ctx, tok); !errors.Is(err, ErrNoSession) {
		t.Fatalf("after 30 minutes idle: %v", err)
	}
	if n := e.count("sessions"); n != 0 {
		t.Fatalf("%d sessions kept after expiry", n)
	}
	tok, _ = e.p.StartSession(ctx, u.ID)
	if err := e.p.EndSession(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.p.Session(ctx, tok); !errors.Is(err, ErrNoSession) {
		t.Fatalf("after sign-out: %v", err)
	}
	if _, _, err := e.p.Session(ctx, "nope"); !errors.Is(err, ErrNoSession) {
		t.Fatalf("unknown token: %v", err)
	}
}

func TestAuditFilters(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a, _, _ := e.p.AddUser(ctx, "甲", []Role{RoleAdmin}, nil, "")
	b, _, _ := e.p.AddUser(ctx, "乙", []Role{RoleEditor}, []string{streetA}, "")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(e.p.AdminAudit(ctx, a, "signin", "", ""))
	e.clock.Add(time.Hour)
	must(e.p.AdminAuditIn(ctx, b, streetA, "denied", "GET /admin/users/", strings.Repeat("长", 600)))
	e.clock.Add(time.Hour)
	must(e.p.AdminAudit(ctx, a, "user.add", "user 2", "roles editor"))
	all, n, err := e.p.AdminAuditLines(ctx, AuditFilter{})
	if err != nil || n != 3 || len(all) != 3 || all[0].Action != "user.add" || all[2].Action != "signin" {
		t.Fatalf("all: %d %+v %v", n, all, err)
	}
	if d := []rune(all[1].Detail); len(d) != maxAuditDetail+1 {
		t.Fatalf("detail of %d characters kept", len(d))
	}
	for _, c := range []struct {
		f    AuditFilter
		want int
	}{
		{AuditFilter{User: a.Name}, 2},
		{AuditFilter{Action: "denied"}, 1},
		{AuditFilter{Street: streetA}, 1},
		{AuditFilter{Streets: []string{streetA, streetB}}, 1},
		{AuditFilter{Streets: []string{streetB}}, 0},
		{AuditFilter{From: all[1].At}, 2},
		{AuditFilter{To: all[1].At}, 1},
	} {
		if got, n, err := e.p.AdminAuditLines(ctx, c.f); err != nil || n != c.want || len(got) != c.want {
			t.Errorf("%+v: %d lines (%d), want %d, %v", c.f, len(got), n, c.want, err)
		}
	}
	page, n, _ := e.p.AdminAuditLines(ctx, AuditFilter{Limit: 1, Offset: 1})
	if n != 3 || len(page) != 1 || page[0].Action != "denied" {
		t.Fatalf("page 2 of 1: %d %+v", n, page)
	}
}
