// Package open311 serves the district's Open311 GeoReport v2 API under
// /open311/v2/, so that civic apps and a city's hotline systems can list
// the services, file appeals and applications, and read the public status
// of public requests. It files through the district platform's push path
// with the same domain rules as a kiosk. The mapping between the
// district's appeal types, service items, form fields and statuses and
// Open311's services, attributes and statuses is in docs/OPEN311.md.
package open311

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"jiezhen/data"
	"jiezhen/sync/server"
)

// Prefix is where the API is served.
const Prefix = "/open311/v2/"

// maxBody is the largest request body the API reads.
const maxBody = 64 << 10

// maxRequests is the most requests a GET requests.json lists.
const maxRequests = 1000

// API serves the Open311 endpoints over a platform.
type API struct {
	p   *server.Platform
	log *slog.Logger
}

// Handler returns the API's routes.
func Handler(p *server.Platform, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.Default()
	}
	a := &API{p: p, log: log}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+Prefix+"{file}", a.top(map[string]http.HandlerFunc{"services": a.services, "requests": a.requests}))
	mux.HandleFunc("POST "+Prefix+"{file}", a.top(map[string]http.HandlerFunc{"requests": a.post}))
	mux.HandleFunc("GET "+Prefix+"services/{file}", a.serviceDefinition)
	mux.HandleFunc("GET "+Prefix+"requests/{file}", a.request)
	mux.HandleFunc(Prefix, func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "there is no such Open311 endpoint: see docs/OPEN311.md for services.json, services/{code}.json, requests.json and requests/{id}.json")
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-store")
		mux.ServeHTTP(w, r)
	})
}

// top routes the endpoints at the API's top, NAME.json, to their
// handlers; another format is a 400, another name a 404.
func (a *API) top(h map[string]http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		file := r.PathValue("file")
		name, format, _ := strings.Cut(file, ".")
		f, ok := h[name]
		switch {
		case !ok:
			writeError(w, http.StatusNotFound, "there is no such Open311 endpoint: see docs/OPEN311.md for services.json, services/{code}.json, requests.json and requests/{id}.json")
		case format != "json":
			writeError(w, http.StatusBadRequest, "only the JSON format is served: ask for .json")
		default:
			f(w, r)
		}
	}
}

// splitFile cuts a path's last part, CODE.json, into CODE; ok is false
// (and the answer written) for another format.
func splitFile(w http.ResponseWriter, r *http.Request) (string, bool) {
	code, ok := strings.CutSuffix(r.PathValue("file"), ".json")
	if !ok || code == "" {
		writeError(w, http.StatusBadRequest, "only the JSON format is served: ask for .json")
		return "", false
	}
	return code, true
}

// apiError is one entry of Open311's error answer.
type apiError struct {
	Code        int    `json:"code"`
	Description string `json:"description"`
}

// writeError answers in Open311's error format with one line for each
// problem.
func writeError(w http.ResponseWriter, status int, lines ...string) {
	out := make([]apiError, len(lines))
	for i, l := range lines {
		out[i] = apiError{Code: status, Description: strings.Join(strings.Fields(l), " ")}
	}
	writeJSON(w, status, out)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "500 internal server error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b)
	w.Write([]byte("\n"))
}

// fail logs an error of the district's own and answers 500.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	a.log.Error("open311", "path", r.URL.Path, "err", err)
	writeError(w, http.StatusInternalServerError, "the district could not answer; try again later")
}

// street is the street a request is for: its jurisdiction_id, or the
// district's only street when it has one. ok is false (and the answer
// written) otherwise.
func (a *API) street(w http.ResponseWriter, r *http.Request, id string) (data.Street, bool) {
	streets, err := a.p.Streets(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return data.Street{}, false
	}
	if id == "" && len(streets) == 1 {
		return streets[0], true
	}
	codes := make([]string, len(streets))
	for i, s := range streets {
		if s.Code == id {
			return s, true
		}
		codes[i] = s.Code
	}
	if id == "" {
		writeError(w, http.StatusBadRequest, "jurisdiction_id is missing: give the street's code, one of "+strings.Join(codes, ", "))
	} else {
		writeError(w, http.StatusNotFound, "jurisdiction_id "+quote(id)+" is not a street of the district: one of "+strings.Join(codes, ", "))
	}
	return data.Street{}, false
}

// quote shows a value the client sent, clipped so an answer stays one
// short line.
func quote(s string) string {
	if r := []rune(s); len(r) > 40 {
		s = string(r[:40]) + "…"
	}
	b, _ := json.Marshal(s)
	return string(b)
}

// Service codes: an appeal type is "appeal-TYPE", a service item
// "service-ID".
const (
	appealPrefix  = "appeal-"
	servicePrefix = "service-"
)

// service is what a code names: an appeal type, or an online service
// item the street shows.
type service struct {
	appeal data.AppealType
	item   *data.ServiceItem
}

func (s service) code() string {
	if s.item != nil {
		return servicePrefix + s.item.ID
	}
	return appealPrefix + string(s.appeal)
}

// lookup finds the service a code names for street; found is false for
// a code the street does not offer.
func (a *API) lookup(ctx context.Context, street, code string) (service, bool, error) {
	if t, ok := strings.CutPrefix(code, appealPrefix); ok {
		at := data.AppealType(t)
		return service{appeal: at}, slices.Contains(data.AppealTypes, at), nil
	}
	id, ok := strings.CutPrefix(code, servicePrefix)
	if !ok {
		return service{}, false, nil
	}
	it, err := a.p.Content(ctx, data.KindService, id)
	if errors.Is(err, server.ErrNotFound) {
		return service{}, false, nil
	}
	if err != nil {
		return service{}, false, err
	}
	if it.Street != "" && it.Street != street {
		return service{}, false, nil
	}
	var svc data.ServiceItem
	if err := json.Unmarshal(it.Body, &svc); err != nil {
		return service{}, false, err
	}
	if !svc.AppliesOnline() {
		return service{}, false, nil
	}
	return service{item: &svc}, true, nil
}
