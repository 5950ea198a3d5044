package open311

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"jiezhen/data"
	"jiezhen/sync/server"
)

// requestJSON is the public status of a public request: the public part
// of an appeal whose resident agreed to show it (server.PublicAppeal has
// nothing else), never personal data or the appeal's own words.
type requestJSON struct {
	ID          string `json:"service_request_id"`
	Status      string `json:"status"`
	StatusNotes string `json:"status_notes"`
	ServiceName string `json:"service_name"`
	ServiceCode string `json:"service_code"`
	Subject     string `json:"subject,omitempty"`
	Requested   string `json:"requested_datetime"`
	Updated     string `json:"updated_datetime"`
	Address     string `json:"address"`
	// Jurisdiction is the street the appeal belongs to.
	Jurisdiction string `json:"jurisdiction_id"`
}

func requestOf(a server.PublicAppeal) requestJSON {
	status := "closed"
	if a.Open() {
		status = "open"
	}
	return requestJSON{ID: a.Ref, Status: status, StatusNotes: a.Reply, ServiceName: a.Type.Label(data.ZH),
		ServiceCode: appealPrefix + string(a.Type), Subject: a.Category,
		Requested: a.Filed.Format(time.RFC3339), Updated: a.Updated.Format(time.RFC3339),
		Address: a.Location, Jurisdiction: a.Street}
}

// requests is GET requests.json: public requests, newest filed first,
// filtered by jurisdiction_id, service_request_id (a comma-separated
// list), service_code, status (open, closed or both) and start_date and
// end_date (RFC 3339, on the time filed).
func (a *API) requests(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	street := ""
	if id := q.Get("jurisdiction_id"); id != "" {
		st, ok := a.street(w, r, id)
		if !ok {
			return
		}
		street = st.Code
	}
	var t data.AppealType
	if code := q.Get("service_code"); code != "" {
		v, ok := strings.CutPrefix(code, appealPrefix)
		if !ok || !slices.Contains(data.AppealTypes, data.AppealType(v)) {
			writeError(w, http.StatusBadRequest, "service_code "+quote(code)+" has no public requests: only appeals (appeal-TYPE) are public")
			return
		}
		t = data.AppealType(v)
	}
	statuses := map[string]bool{}
	if v := q.Get("status"); v != "" {
		for s := range strings.SplitSeq(v, ",") {
			if s = strings.TrimSpace(s); s != "open" && s != "closed" {
				writeError(w, http.StatusBadRequest, "status "+quote(s)+" is neither open nor closed")
				return
			}
			statuses[s] = true
		}
	}
	var from, to time.Time
	for _, d := range []struct {
		name string
		at   *time.Time
	}{{"start_date", &from}, {"end_date", &to}} {
		if v := q.Get(d.name); v != "" {
			at, err := time.Parse(time.RFC3339, v)
			if err != nil {
				writeError(w, http.StatusBadRequest, d.name+" "+quote(v)+" is not an RFC 3339 time, such as 2026-12-01T00:00:00+08:00")
				return
			}
			*d.at = at
		}
	}
	var refs []string
	if v := q.Get("service_request_id"); v != "" {
		for ref := range strings.SplitSeq(v, ",") {
			if ref = strings.TrimSpace(ref); data.CheckReference(ref) == nil {
				ref = data.FormatReference(ref)
			}
			refs = append(refs, ref)
		}
	}
	list, err := a.p.PublicAppeals(r.Context(), street, t, false)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	slices.SortStableFunc(list, func(x, y server.PublicAppeal) int { return y.Filed.Compare(x.Filed) })
	out := []requestJSON{}
	for _, ap := range list {
		rq := requestOf(ap)
		switch {
		case len(statuses) > 0 && !statuses[rq.Status],
			!from.IsZero() && ap.Filed.Before(from),
			!to.IsZero() && ap.Filed.After(to),
			len(refs) > 0 && !slices.Contains(refs, ap.Ref):
			continue
		}
		out = append(out, rq)
		if len(out) == maxRequests {
			break
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// request is GET requests/{id}.json: one public request.
func (a *API) request(w http.ResponseWriter, r *http.Request) {
	ref, ok := splitFile(w, r)
	if !ok {
		return
	}
	ap, err := a.p.PublicAppealByRef(r.Context(), ref)
	if errors.Is(err, server.ErrNotFound) {
		writeError(w, http.StatusNotFound, "there is no public request "+quote(ref)+": only appeals whose residents agreed to show them are public")
		return
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, []requestJSON{requestOf(ap)})
}
