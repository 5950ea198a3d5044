package admin

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"jiezhen/data"
	"jiezhen/sync/server"
	"jiezhen/ui/web"
)

// The users page (区管理员 only): every account, adding one (its
// enrolment link shown once), its roles and streets and a handler's
// department, a new enrolment,
// disabling and enabling. Every change is audited. docs/ADMIN.md,
// "Users".

func (o *Office) userRoutes() []route {
	admin := []server.Role{server.RoleAdmin}
	return []route{
		{Method: "GET", Pattern: Prefix + "users/{$}", Roles: admin, Handle: o.users, Nav: "users.title"},
		{Method: "GET", Pattern: Prefix + "users/new", Roles: admin, Handle: o.userNew},
		{Method: "POST", Pattern: Prefix + "users/new", Roles: admin, Handle: o.userAdd},
		{Method: "GET", Pattern: Prefix + "users/{id}", Roles: admin, Handle: o.user},
		{Method: "POST", Pattern: Prefix + "users/{id}/access", Roles: admin, Handle: o.userAccess},
		{Method: "POST", Pattern: Prefix + "users/{id}/reset", Roles: admin, Handle: o.userReset},
		{Method: "POST", Pattern: Prefix + "users/{id}/disable", Roles: admin, Handle: o.userDisable(true)},
		{Method: "POST", Pattern: Prefix + "users/{id}/enable", Roles: admin, Handle: o.userDisable(false)},
	}
}

// userRow is a user as the pages show it.
type userRow struct {
	server.User
	RoleNames, StreetNames string
	State                  string // a translation key
	Locked                 bool
}

// usersData is what the users pages get.
type usersData struct {
	Users   []userRow
	User    userRow
	Streets []data.Street
	Roles   []roleChoice
	Name    string
	Problem string // a translation key, or a sentence
	Field   string // the field at fault
	Checked map[string]bool
	// Departments are the district's; Department the one chosen.
	Departments []server.Department
	Department  string
}

type roleChoice struct {
	Role  server.Role
	Label string
}

func (o *Office) roleChoices(l data.Lang) []roleChoice {
	out := make([]roleChoice, len(server.Roles))
	for i, r := range server.Roles {
		out[i] = roleChoice{r, r.Label(l)}
	}
	return out
}

// streetNames maps the published streets' codes to their names.
func streetNames(streets []data.Street) map[string]string {
	m := map[string]string{}
	for _, s := range streets {
		m[s.Code] = s.Name
	}
	return m
}

func (o *Office) row(l data.Lang, u server.User, names map[string]string) userRow {
	row := userRow{User: u}
	rs := make([]string, len(u.Roles))
	for i, r := range u.Roles {
		rs[i] = r.Label(l)
	}
	for i, r := range u.Roles {
		if r != server.RoleHandler {
			continue
		}
		if u.Department != "" {
			rs[i] = fmt.Sprintf(translate(l, "users.handler.of"), rs[i], u.Department)
		} else {
			rs[i] = fmt.Sprintf(translate(l, "users.handler.of"), rs[i], translate(l, "users.department.unset"))
		}
	}
	row.RoleNames = strings.Join(rs, translate(l, "list.sep"))
	if len(u.Streets) == 0 {
		row.StreetNames = translate(l, "users.streets.all")
	} else {
		ss := make([]string, len(u.Streets))
		for i, s := range u.Streets {
			ss[i] = names[s]
			if ss[i] == "" {
				ss[i] = s
			}
		}
		row.StreetNames = strings.Join(ss, translate(l, "list.sep"))
	}
	row.Locked = o.p.Now().Before(u.LockedUntil)
	switch {
	case u.Disabled:
		row.State = "users.state.disabled"
	case !u.Enrolled:
		row.State = "users.state.pending"
	case row.Locked:
		row.State = "users.state.locked"
	default:
		row.State = "users.state.active"
	}
	return row
}

func (o *Office) users(w http.ResponseWriter, r *http.Request, u *server.User) {
	list, err := o.p.Users(r.Context())
	if !o.check(w, r, u, err) {
		return
	}
	streets, err := o.p.Streets(r.Context())
	if !o.check(w, r, u, err) {
		return
	}
	l, names := o.lang(r), streetNames(streets)
	d := usersData{}
	for _, x := range list {
		d.Users = append(d.Users, o.row(l, x, names))
	}
	o.render(w, r, u, http.StatusOK, "users", "users.title", d)
}

func (o *Office) lang(r *http.Request) data.Lang { return web.LangOf(r) }

func (o *Office) userNew(w http.ResponseWriter, r *http.Request, u *server.User) {
	o.userForm(w, r, u, http.StatusOK, usersData{Checked: map[string]bool{}})
}

func (o *Office) userForm(w http.ResponseWriter, r *http.Request, u *server.User, status int, d usersData) {
	streets, err := o.p.Streets(r.Context())
	if !o.check(w, r, u, err) {
		return
	}
	if d.Departments, err = o.p.Departments(r.Context()); !o.check(w, r, u, err) {
		return
	}
	d.Streets, d.Roles = streets, o.roleChoices(o.lang(r))
	o.render(w, r, u, status, "user-new", "users.new.title", d)
}

// access is what the access fields of a user's form chose.
type access struct {
	roles      []server.Role
	streets    []string
	department string
	checked    map[string]bool
}

// problem is what is wrong with the access chosen, as a translation key
// and the field at fault; "" when nothing is.
func (a access) problem() (string, string) {
	switch {
	case len(a.roles) == 0:
		return "users.roles.required", "role-admin"
	case slices.Contains(a.roles, server.RoleHandler) && a.department == "":
		return "users.department.required", "department"
	}
	return "", ""
}

// accessForm reads the roles, streets and department a form chose; a
// value that is not a role, a published street or a listed department
// is a bad request (ok false).
func (o *Office) accessForm(w http.ResponseWriter, r *http.Request, u *server.User) (a access, ok bool) {
	a.checked = map[string]bool{}
	for _, v := range r.PostForm["role"] {
		role, err := server.ParseRole(v)
		if err != nil {
			o.badRequest(w, r, u, "error.form")
			return a, false
		}
		a.roles = append(a.roles, role)
		a.checked["role:"+string(role)] = true
	}
	all, err := o.p.Streets(r.Context())
	if !o.check(w, r, u, err) {
		return a, false
	}
	names := streetNames(all)
	for _, v := range r.PostForm["street"] {
		if _, known := names[v]; !known {
			o.badRequest(w, r, u, "error.form")
			return a, false
		}
		a.streets = append(a.streets, v)
		a.checked["street:"+v] = true
	}
	a.department = strings.TrimSpace(r.PostForm.Get("department"))
	if a.department != "" {
		deps, err := o.p.Departments(r.Context())
		if !o.check(w, r, u, err) {
			return a, false
		}
		if !slices.ContainsFunc(deps, func(d server.Department) bool { return d.Name == a.department }) {
			o.badRequest(w, r, u, "error.form")
			return a, false
		}
	}
	return a, true
}

// enrolLink is the enrolment page of token as an address to send: under
// the website's public address when serve has one, else under the
// address this request came to.
func (o *Office) enrolLink(r *http.Request, token string) (string, error) {
	base, err := o.p.PublicURL(r.Context())
	if err != nil {
		return "", err
	}
	if base == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	return base + enrolPath + token, nil
}

func userTarget(id int64) string { return "user:" + strconv.FormatInt(id, 10) }

func (o *Office) userAdd(w http.ResponseWriter, r *http.Request, u *server.User) {
	a, ok := o.accessForm(w, r, u)
	if !ok {
		return
	}
	name := strings.TrimSpace(r.PostForm.Get("name"))
	d := usersData{Name: name, Checked: a.checked, Department: a.department}
	switch {
	case name == "":
		d.Problem, d.Field = "users.name.required", "name"
	case utf8.RuneCountInString(name) > data.Limits[data.LimitName].Max || strings.ContainsFunc(name, func(r rune) bool { return r < ' ' }):
		d.Problem, d.Field = "users.name.bad", "name"
	default:
		d.Problem, d.Field = a.problem()
	}
	if d.Problem == "" {
		if _, err := o.p.UserByName(r.Context(), name); err == nil {
			d.Problem, d.Field = "users.name.taken", "name"
		}
	}
	if d.Problem != "" {
		o.userForm(w, r, u, http.StatusUnprocessableEntity, d)
		return
	}
	added, token, err := o.p.AddUser(r.Context(), name, a.roles, a.streets, a.department)
	if err != nil {
		d.Problem, d.Field = err.Error(), "name"
		o.userForm(w, r, u, http.StatusUnprocessableEntity, d)
		return
	}
	o.audit(r, u, "user.add", userTarget(added.ID), added.Access())
	o.showLink(w, r, added, token, "users.added")
}

// showLink sends the admin to the user's page, which shows the
// enrolment link this once.
func (o *Office) showLink(w http.ResponseWriter, r *http.Request, x server.User, token, key string) {
	link, err := o.enrolLink(r, token)
	if err != nil {
		o.fail(w, r, err)
		return
	}
	l := o.lang(r)
	exp := o.p.Now().Add(server.EnrolTTL).Format("2006-01-02 15:04")
	o.redirect(w, r, Prefix+"users/"+strconv.FormatInt(x.ID, 10), fmt.Sprintf(translate(l, key), x.Name, exp, link))
}

// target finds the {id} of the path; a missing user is a 404.
func (o *Office) target(w http.ResponseWriter, r *http.Request, u *server.User) (server.User, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		o.notFound(w, r, u)
		return server.User{}, false
	}
	x, err := o.p.UserByID(r.Context(), id)
	return x, o.check(w, r, u, err)
}

func (o *Office) user(w http.ResponseWriter, r *http.Request, u *server.User) {
	x, ok := o.target(w, r, u)
	if !ok {
		return
	}
	o.userPage(w, r, u, http.StatusOK, x, usersData{})
}

func (o *Office) userPage(w http.ResponseWriter, r *http.Request, u *server.User, status int, x server.User, d usersData) {
	streets, err := o.p.Streets(r.Context())
	if !o.check(w, r, u, err) {
		return
	}
	if d.Departments, err = o.p.Departments(r.Context()); !o.check(w, r, u, err) {
		return
	}
	l := o.lang(r)
	d.User, d.Streets, d.Roles = o.row(l, x, streetNames(streets)), streets, o.roleChoices(l)
	if d.Checked == nil {
		d.Department = x.Department
		d.Checked = map[string]bool{}
		for _, role := range x.Roles {
			d.Checked["role:"+string(role)] = true
		}
		for _, s := range x.Streets {
			d.Checked["street:"+s] = true
		}
	}
	o.render(w, r, u, status, "user", "users.user.title", d)
}

// self refuses a change an admin would make to their own account (they
// could lock the district out): another admin or `districtd user` does
// it.
func (o *Office) self(w http.ResponseWriter, r *http.Request, u *server.User, x server.User) bool {
	if x.ID != u.ID {
		return false
	}
	o.userPage(w, r, u, http.StatusConflict, x, usersData{Problem: "users.self"})
	return true
}

func (o *Office) userAccess(w http.ResponseWriter, r *http.Request, u *server.User) {
	x, ok := o.target(w, r, u)
	if !ok {
		return
	}
	a, ok := o.accessForm(w, r, u)
	if !ok {
		return
	}
	if problem, field := a.problem(); problem != "" {
		o.userPage(w, r, u, http.StatusUnprocessableEntity, x, usersData{Problem: problem, Field: field, Checked: a.checked, Department: a.department})
		return
	}
	if x.ID == u.ID && !slices.Contains(a.roles, server.RoleAdmin) && o.self(w, r, u, x) {
		return
	}
	before := x.Access()
	changed, err := o.p.SetUserAccess(r.Context(), x.ID, a.roles, a.streets, a.department)
	if err != nil {
		o.userPage(w, r, u, http.StatusUnprocessableEntity, x, usersData{Problem: err.Error(), Checked: a.checked, Department: a.department})
		return
	}
	after := changed.Access()
	if after != before {
		o.audit(r, u, "user.access", userTarget(x.ID), before+" -> "+after)
	}
	o.redirect(w, r, Prefix+"users/"+strconv.FormatInt(x.ID, 10), "users.saved")
}

func (o *Office) userReset(w http.ResponseWriter, r *http.Request, u *server.User) {
	x, ok := o.target(w, r, u)
	if !ok || o.self(w, r, u, x) {
		return
	}
	reset, token, err := o.p.ResetUser(r.Context(), x.ID)
	if err != nil {
		o.userPage(w, r, u, http.StatusConflict, x, usersData{Problem: "users.reset.disabled"})
		return
	}
	o.audit(r, u, "user.reset", userTarget(x.ID), "")
	o.showLink(w, r, reset, token, "users.reset.done")
}

func (o *Office) userDisable(disable bool) func(http.ResponseWriter, *http.Request, *server.User) {
	return func(w http.ResponseWriter, r *http.Request, u *server.User) {
		x, ok := o.target(w, r, u)
		if !ok || o.self(w, r, u, x) {
			return
		}
		if x.Disabled == disable {
			// Already so (a form sent twice): nothing to change.
			o.redirect(w, r, Prefix+"users/"+strconv.FormatInt(x.ID, 10), "")
			return
		}
		if _, err := o.p.SetUserDisabled(r.Context(), x.ID, disable); err != nil {
			o.fail(w, r, err)
			return
		}
		action, flash := "user.enable", "users.enabled"
		if disable {
			action, flash = "user.disable", "users.disabled"
		}
		o.audit(r, u, action, userTarget(x.ID), "")
		o.redirect(w, r, Prefix+"users/"+strconv.FormatInt(x.ID, 10), flash)
	}
}
