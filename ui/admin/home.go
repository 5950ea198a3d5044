package admin

import (
	"net/http"

	"jiezhen/sync/server"
)

// The home page: the sections the user's roles open, and signing out.

func (o *Office) homeRoutes() []route {
	return []route{
		{Method: "GET", Pattern: Prefix + "{$}", Roles: allRoles, Handle: o.home},
		{Method: "POST", Pattern: Prefix + "signout", Roles: allRoles, Handle: o.signOut},
	}
}

func (o *Office) home(w http.ResponseWriter, r *http.Request, u *server.User) {
	o.render(w, r, u, http.StatusOK, "home", "home.title", nil)
}
