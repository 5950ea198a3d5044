package admin

import (
	"net/http"

	"jiezhen/sync/server"
)

// Signing in and out (docs/ADMIN.md, "Accounts and sessions").

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

// signInPath is the sign-in page.
const signInPath = Prefix + "signin"

// toSignIn sends a request without a session to the sign-in page.
func (o *Office) toSignIn(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, signInPath, http.StatusSeeOther)
}

// openRoutes are the routes that need no session: signing in and
// enrolling.
func (o *Office) openRoutes() map[string]http.HandlerFunc {
	return map[string]http.HandlerFunc{
		"GET " + signInPath: o.signInForm,
	}
}

// signInForm is the sign-in page.
func (o *Office) signInForm(w http.ResponseWriter, r *http.Request) {
	o.render(w, r, nil, http.StatusOK, "signin", "signin.title", nil)
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
