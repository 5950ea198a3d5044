package admin

import (
	"errors"
	"net/http"
	"strings"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"jiezhen/sync/server"
	"jiezhen/ui/web"
)

// Signing in and out, and enrolling (docs/ADMIN.md, "Accounts and
// sessions").

// sessionCookie holds the session's token: HttpOnly, SameSite=Strict,
// Secure under TLS, scoped to the back office.
const sessionCookie = "jz_session"

func setSession(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: Prefix,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
}

func clearSession(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: Prefix, MaxAge: -1,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
}

// Paths of the pages that need no session.
const (
	signInPath = Prefix + "signin"
	enrolPath  = Prefix + "enrol/"
)

// toSignIn sends a request without a session to the sign-in page.
func (o *Office) toSignIn(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, signInPath, http.StatusSeeOther)
}

// openRoutes are the routes that need no session: signing in and
// enrolling.
func (o *Office) openRoutes() map[string]http.HandlerFunc {
	return map[string]http.HandlerFunc{
		"GET " + signInPath:                     o.signInForm,
		"POST " + signInPath:                    o.signIn,
		"GET " + enrolPath + "{token}":          o.enrolForm,
		"POST " + enrolPath + "{token}":         o.enrolPassword,
		"POST " + enrolPath + "{token}/code":    o.enrolCode,
		"GET " + enrolPath + "{token}/totp.png": o.enrolQR,
	}
}

// maxSignInForm caps the sign-in and enrolment forms' bodies.
const maxSignInForm = 16 << 10

// signInData is the sign-in page's.
type signInData struct {
	Name     string
	Problem  string // a translation key
	Enrolled bool   // just enrolled: sign in now
}

// signInForm is the sign-in page.
func (o *Office) signInForm(w http.ResponseWriter, r *http.Request) {
	o.render(w, r, nil, http.StatusOK, "signin", "signin.title", signInData{Enrolled: r.URL.Query().Has("enrolled")})
}

// signIn checks the name, password and code; any failure gets the same
// line, whatever was wrong (the audit has the reason).
func (o *Office) signIn(w http.ResponseWriter, r *http.Request) {
	// Each account locks after five failures; a client trying many
	// accounts is held to the website's form rate (docs/ADMIN.md).
	addr := web.ClientAddr(r)
	if ok, log := o.limit.Allow(addr, time.Now()); !ok {
		if log {
			o.log.Warn("back office sign-ins rate-limited", "addr", addr)
		}
		w.Header().Set("Retry-After", "60")
		o.problem(w, r, nil, http.StatusTooManyRequests, "signin.limited")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxSignInForm)
	if err := r.ParseForm(); err != nil {
		o.badRequest(w, r, nil, "error.form")
		return
	}
	name := strings.TrimSpace(r.PostForm.Get("name"))
	u, err := o.p.SignIn(r.Context(), name, r.PostForm.Get("password"), r.PostForm.Get("code"))
	if errors.Is(err, server.ErrSignIn) {
		o.render(w, r, nil, http.StatusUnprocessableEntity, "signin", "signin.title", signInData{Name: name, Problem: "signin.failed"})
		return
	}
	if err != nil {
		o.fail(w, r, err)
		return
	}
	token, err := o.p.StartSession(r.Context(), u.ID)
	if err != nil {
		o.fail(w, r, err)
		return
	}
	setSession(w, r, token)
	http.Redirect(w, r, Prefix, http.StatusSeeOther)
}

// signOut ends the session.
func (o *Office) signOut(w http.ResponseWriter, r *http.Request, u *server.User) {
	if err := o.p.EndSession(r.Context(), infoOf(r).token); err != nil {
		o.fail(w, r, err)
		return
	}
	o.audit(r, u, "signout", "", "")
	clearSession(w, r)
	http.Redirect(w, r, signInPath, http.StatusSeeOther)
}

// enrolData is the enrolment page's: the first step sets the password,
// the second adds the TOTP key to an app and confirms a code.
type enrolData struct {
	Enrolment server.Enrolment
	Action    string // the form's path
	QR        string // the QR code's path
	Problem   string // a translation key, for the field at fault
	Field     string // "password", "confirm" or "code"
}

// SecretGroups is the TOTP secret in groups of four, easier to type.
func (d enrolData) SecretGroups() string {
	var b strings.Builder
	for i, r := range d.Enrolment.Secret {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// enrolment finds the path's enrolment; a link unknown, used or expired
// gets the 410 page, and ok is false.
func (o *Office) enrolment(w http.ResponseWriter, r *http.Request) (server.Enrolment, bool) {
	e, err := o.p.Enrolment(r.Context(), r.PathValue("token"))
	if errors.Is(err, server.ErrEnrolment) {
		o.problem(w, r, nil, http.StatusGone, "enrol.gone")
		return e, false
	}
	if err != nil {
		o.fail(w, r, err)
		return e, false
	}
	return e, true
}

func (o *Office) renderEnrol(w http.ResponseWriter, r *http.Request, status int, e server.Enrolment, problem, field string) {
	base := enrolPath + r.PathValue("token")
	d := enrolData{Enrolment: e, Action: base, QR: base + "/totp.png", Problem: problem, Field: field}
	title := "enrol.title.password"
	if e.PasswordSet {
		d.Action = base + "/code"
		title = "enrol.title.totp"
	}
	o.render(w, r, nil, status, "enrol", title, d)
}

// enrolForm is the enrolment page, at the step the enrolment is at.
func (o *Office) enrolForm(w http.ResponseWriter, r *http.Request) {
	if e, ok := o.enrolment(w, r); ok {
		o.renderEnrol(w, r, http.StatusOK, e, "", "")
	}
}

// passwordProblems are the translation keys of the password rules.
var passwordProblems = map[error]string{
	server.ErrPasswordShort:   "enrol.password.short",
	server.ErrPasswordLong:    "enrol.password.long",
	server.ErrPasswordCommon:  "enrol.password.common",
	server.ErrPasswordControl: "enrol.password.control",
}

// enrolPassword sets the password (typed twice), then shows the second
// step.
func (o *Office) enrolPassword(w http.ResponseWriter, r *http.Request) {
	e, ok := o.enrolment(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxSignInForm)
	if err := r.ParseForm(); err != nil {
		o.badRequest(w, r, nil, "error.form")
		return
	}
	pw := r.PostForm.Get("password")
	if pw != r.PostForm.Get("confirm") {
		o.renderEnrol(w, r, http.StatusUnprocessableEntity, e, "enrol.password.mismatch", "confirm")
		return
	}
	err := o.p.EnrolPassword(r.Context(), r.PathValue("token"), pw)
	if key, ok := passwordProblems[err]; ok {
		o.renderEnrol(w, r, http.StatusUnprocessableEntity, e, key, "password")
		return
	}
	if errors.Is(err, server.ErrEnrolment) {
		o.problem(w, r, nil, http.StatusGone, "enrol.gone")
		return
	}
	if err != nil {
		o.fail(w, r, err)
		return
	}
	http.Redirect(w, r, enrolPath+r.PathValue("token"), http.StatusSeeOther)
}

// enrolCode confirms a code of the new TOTP key and ends the enrolment.
func (o *Office) enrolCode(w http.ResponseWriter, r *http.Request) {
	e, ok := o.enrolment(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxSignInForm)
	if err := r.ParseForm(); err != nil {
		o.badRequest(w, r, nil, "error.form")
		return
	}
	_, err := o.p.EnrolConfirm(r.Context(), r.PathValue("token"), r.PostForm.Get("code"))
	switch {
	case errors.Is(err, server.ErrCode):
		o.renderEnrol(w, r, http.StatusUnprocessableEntity, e, "enrol.code.wrong", "code")
	case errors.Is(err, server.ErrEnrolment):
		o.problem(w, r, nil, http.StatusGone, "enrol.gone")
	case err != nil:
		o.fail(w, r, err)
	default:
		http.Redirect(w, r, signInPath+"?enrolled=1", http.StatusSeeOther)
	}
}

// enrolQR is the TOTP key's QR code as a PNG, served from the back office
// itself (the CSP allows images from 'self' only).
func (o *Office) enrolQR(w http.ResponseWriter, r *http.Request) {
	e, ok := o.enrolment(w, r)
	if !ok {
		return
	}
	png, err := qrcode.Encode(e.URL, qrcode.Medium, 256)
	if err != nil {
		o.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Write(png)
}
