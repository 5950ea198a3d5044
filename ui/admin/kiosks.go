package admin

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"

	"jiezhen/data"
	"jiezhen/sync/bundle"
	"jiezhen/sync/server"
	"jiezhen/sync/wire"
)

// The kiosk fleet: every kiosk the user's streets have, with what it last
// told the district and a mark on those quiet for more than a day; and
// for the district admin, adding a kiosk, revoking one, a new token
// (shown once, on the answer to the POST), and a street's signed bundle
// when the district holds the key (docs/ADMIN.md, "Kiosks").

var (
	fleetReaders = []server.Role{server.RoleAdmin, server.RoleInspector}
	fleetAdmins  = []server.Role{server.RoleAdmin}
)

func (o *Office) kioskRoutes() []route {
	return []route{
		{Method: "GET", Pattern: Prefix + "kiosks/{$}", Roles: fleetReaders, Handle: o.fleet, Nav: "kiosks.title"},
		{Method: "POST", Pattern: Prefix + "kiosks/{$}", Roles: fleetAdmins, Handle: o.addKiosk},
		{Method: "POST", Pattern: Prefix + "kiosks/{id}/revoke", Roles: fleetAdmins, Handle: o.revokeKiosk},
		{Method: "POST", Pattern: Prefix + "kiosks/{id}/token", Roles: fleetAdmins, Handle: o.kioskToken},
		{Method: "POST", Pattern: Prefix + "kiosks/bundle", Roles: fleetAdmins, Handle: o.streetBundle},
	}
}

// fleetData is the fleet page.
type fleetData struct {
	Kiosks  []server.FleetKiosk
	Streets []data.Street // the streets the user may add kiosks to and bundle
	Names   map[string]string
	Bundles []streetBundle
	Admin   bool
	Signs   bool
	Quiet   int
	// The add form's values and problems (translation keys).
	Street, Name       string
	StreetErr, NameErr string
}

// streetBundle is a street with the last bundle built of it.
type streetBundle struct {
	data.Street
	Last *server.BundleRecord
}

func (o *Office) fleetPage(w http.ResponseWriter, r *http.Request, u *server.User, status int, d fleetData) {
	ks, err := o.p.Fleet(r.Context(), *u)
	if !o.check(w, r, u, err) {
		return
	}
	streets, err := o.p.Streets(r.Context())
	if !o.check(w, r, u, err) {
		return
	}
	d.Kiosks, d.Admin, d.Signs, d.Names = ks, u.HasAny(fleetAdmins...), o.p.SignsBundles(), map[string]string{}
	for _, s := range streets {
		d.Names[s.Code] = s.Name
		if u.SeesStreet(s.Code) {
			d.Streets = append(d.Streets, s)
		}
	}
	for _, k := range ks {
		if k.Quiet {
			d.Quiet++
		}
	}
	last, err := o.p.StreetBundles(r.Context(), *u)
	if !o.check(w, r, u, err) {
		return
	}
	for _, s := range d.Streets {
		b := streetBundle{Street: s}
		if rec, ok := last[s.Code]; ok {
			b.Last = &rec
		}
		d.Bundles = append(d.Bundles, b)
	}
	o.render(w, r, u, status, "fleet", "kiosks.title", d)
}

func (o *Office) fleet(w http.ResponseWriter, r *http.Request, u *server.User) {
	o.fleetPage(w, r, u, http.StatusOK, fleetData{})
}

// tokenData is the page that shows a new token, once.
type tokenData struct {
	Kiosk      server.Kiosk
	StreetName string
	Token      string
	Added      bool
	Reinstated bool
}

func (o *Office) showToken(w http.ResponseWriter, r *http.Request, u *server.User, d tokenData) {
	if streets, err := o.p.Streets(r.Context()); err == nil {
		for _, s := range streets {
			if s.Code == d.Kiosk.Street {
				d.StreetName = s.Name
			}
		}
	}
	o.render(w, r, u, http.StatusOK, "kiosktoken", "kiosks.token.title", d)
}

func (o *Office) addKiosk(w http.ResponseWriter, r *http.Request, u *server.User) {
	d := fleetData{Street: r.PostFormValue("street"), Name: strings.TrimSpace(r.PostFormValue("name"))}
	switch {
	case d.Street == "":
		d.StreetErr = "kiosks.error.street"
	case !u.SeesStreet(d.Street):
		o.auditIn(r, u, d.Street, "denied", r.Method+" "+r.URL.Path, "")
		o.problem(w, r, u, http.StatusForbidden, "error.forbidden")
		return
	}
	if d.Name == "" {
		d.NameErr = "kiosks.error.name"
	} else if data.CheckFields(struct {
		Name string `json:"name" limit:"name"`
	}{d.Name}) != nil {
		d.NameErr = "kiosks.error.namelong"
	}
	if d.StreetErr != "" || d.NameErr != "" {
		o.fleetPage(w, r, u, http.StatusBadRequest, d)
		return
	}
	k, token, err := o.p.AddKioskAs(r.Context(), *u, d.Street, d.Name)
	switch {
	case errors.Is(err, server.ErrForbidden):
		o.check(w, r, u, err)
	case err != nil:
		d.StreetErr = "kiosks.error.street"
		o.fleetPage(w, r, u, http.StatusBadRequest, d)
	default:
		o.showToken(w, r, u, tokenData{Kiosk: k, Token: token, Added: true})
	}
}

// kioskID reads the path's kiosk number; a bad one answers 400.
func (o *Office) kioskID(w http.ResponseWriter, r *http.Request, u *server.User) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		o.badRequest(w, r, u, "kiosks.error.id")
		return 0, false
	}
	return id, true
}

// kioskErr answers an action's error: another street's kiosk is 403
// (audited), an unknown one 404, a revoked one revoked again 409,
// anything else 500.
func (o *Office) kioskErr(w http.ResponseWriter, r *http.Request, u *server.User, id int64, err error) {
	if errors.Is(err, server.ErrForbidden) {
		o.check(w, r, u, err)
		return
	}
	k, ferr := o.p.KioskFor(r.Context(), *u, id)
	switch {
	case ferr != nil:
		o.check(w, r, u, ferr)
	case k.RevokedAt != nil:
		o.problem(w, r, u, http.StatusConflict, "kiosks.error.revoked")
	default:
		o.fail(w, r, err)
	}
}

func (o *Office) revokeKiosk(w http.ResponseWriter, r *http.Request, u *server.User) {
	id, ok := o.kioskID(w, r, u)
	if !ok {
		return
	}
	if err := o.p.RevokeKioskAs(r.Context(), *u, id); err != nil {
		o.kioskErr(w, r, u, id, err)
		return
	}
	o.redirect(w, r, Prefix+"kiosks/", "kiosks.revoked")
}

func (o *Office) kioskToken(w http.ResponseWriter, r *http.Request, u *server.User) {
	id, ok := o.kioskID(w, r, u)
	if !ok {
		return
	}
	token, reinstated, err := o.p.NewTokenAs(r.Context(), *u, id)
	if err != nil {
		o.kioskErr(w, r, u, id, err)
		return
	}
	k, err := o.p.KioskFor(r.Context(), *u, id)
	if !o.check(w, r, u, err) {
		return
	}
	o.showToken(w, r, u, tokenData{Kiosk: k, Token: token, Reinstated: reinstated})
}

// streetBundle builds a full signed bundle of a street into a temporary
// file and sends it as a download; a failure sends nothing half made.
func (o *Office) streetBundle(w http.ResponseWriter, r *http.Request, u *server.User) {
	street := r.PostFormValue("street")
	streets, err := o.p.Streets(r.Context())
	if !o.check(w, r, u, err) {
		return
	}
	if !slices.ContainsFunc(streets, func(s data.Street) bool { return s.Code == street }) {
		o.badRequest(w, r, u, "kiosks.error.street")
		return
	}
	if !o.streetAllowed(w, r, u, street) {
		return
	}
	if !o.p.SignsBundles() {
		o.problem(w, r, u, http.StatusConflict, "kiosks.bundle.nokey")
		return
	}
	f, err := os.CreateTemp("", "admin-bundle-*"+bundle.Ext)
	if err != nil {
		o.fail(w, r, err)
		return
	}
	defer os.Remove(f.Name())
	defer f.Close()
	info, err := o.p.WriteStreetBundle(r.Context(), *u, f, street)
	if !o.check(w, r, u, err) {
		return
	}
	m := info.Manifest
	h := w.Header()
	h.Set("Content-Type", wire.BundleType)
	h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", fmt.Sprintf("%s-%d%s", m.Scope, m.To, bundle.Ext)))
	http.ServeContent(w, r, "", m.IssuedAt, f)
}
