package main

import (
	"log/slog"
	"net/http"

	"jiezhen/sync/server"
	"jiezhen/ui/web"
)

// siteHandler serves the kiosks' API under /api/ and the street website
// (ui/web) everywhere else.
func siteHandler(p *server.Platform, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/api/", server.Handler(p))
	mux.Handle("/", web.New(p, log).Handler())
	return mux
}
