package main

import (
	"log/slog"
	"net/http"

	"jiezhen/sync/open311"
	"jiezhen/sync/server"
	"jiezhen/ui/admin"
	"jiezhen/ui/web"
)

// siteHandler serves the kiosks' API under /api/, the Open311 API under
// /open311/v2/ (sync/open311), the back office (ui/admin) under /admin/
// and the street website (ui/web) everywhere else.
func siteHandler(p *server.Platform, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/api/", server.Handler(p))
	mux.Handle(open311.Prefix, open311.Handler(p, log))
	mux.Handle(admin.Prefix, admin.New(p, log).Handler())
	mux.Handle("/", web.New(p, log).Handler())
	return mux
}
