package open311

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"jiezhen/assets"
	"jiezhen/data"
	"jiezhen/sync/server"
	"jiezhen/sync/wire"
)

const (
	street      = "440106005"
	otherStreet = "440106006"
	// The resident's personal data on the cases the tests file; no
	// public answer may show any of it.
	secretName   = "王秘密"
	secretID     = "11010519491231002X"
	secretMobile = "13912345678"
	secretText   = "楼道堆放杂物的原文描述"
	mealService  = "svc-zhangzhe-zhucan"
)

type api struct {
	t   *testing.T
	p   *server.Platform
	url string
	key string
	db  string // the database file
}

// newAPI is the Open311 API over a real district database (SQLite in a
// temporary directory) holding the demo content, served over real HTTP,
// with one API key.
func newAPI(t *testing.T) *api {
	t.Helper()
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "district.db")
	st, err := server.OpenSQLite(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clock := time.Date(2026, 12, 8, 2, 0, 0, 0, time.UTC)
	p := server.New(st, server.Options{Now: func() time.Time { return clock }, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	// Personal data sealed, as districtd serve stores it.
	kf, err := server.NewKeyFile(db + ".key")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.UseKeyFile(ctx, kf); err != nil {
		t.Fatal(err)
	}
	set, err := data.ReadContentFiles(assets.Demo, "demo/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Publish(ctx, set); err != nil {
		t.Fatal(err)
	}
	_, key, err := p.AddAPIKey(ctx, "12345 hotline")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(Handler(p, slog.New(slog.NewTextHandler(io.Discard, nil))))
	t.Cleanup(srv.Close)
	return &api{t: t, p: p, url: srv.URL + Prefix, key: key, db: db}
}

func (a *api) do(req *http.Request) (int, string) {
	a.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		a.t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		a.t.Errorf("%s %s: Content-Type %q", req.Method, req.URL.Path, ct)
	}
	return resp.StatusCode, string(b)
}

func (a *api) get(path string) (int, string) {
	a.t.Helper()
	req, err := http.NewRequest(http.MethodGet, a.url+path, nil)
	if err != nil {
		a.t.Fatal(err)
	}
	return a.do(req)
}

func (a *api) post(form url.Values, header ...string) (int, string) {
	a.t.Helper()
	req, err := http.NewRequest(http.MethodPost, a.url+"requests.json", strings.NewReader(form.Encode()))
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return a.do(req)
}

// isError checks an answer in Open311's error format: the status, and a
// description of one line that says want.
func isError(t *testing.T, what string, status int, body string, wantStatus int, want string) {
	t.Helper()
	var errs []apiError
	if err := json.Unmarshal([]byte(body), &errs); err != nil || len(errs) == 0 {
		t.Errorf("%s: %d %s: not Open311's error format", what, status, body)
		return
	}
	if status != wantStatus || errs[0].Code != wantStatus || !strings.Contains(errs[0].Description, want) || strings.Contains(errs[0].Description, "\n") {
		t.Errorf("%s: %d %+v; want %d saying %q", what, status, errs, wantStatus, want)
	}
}

func appealForm311(key, t string) url.Values {
	return url.Values{"api_key": {key}, "jurisdiction_id": {street}, "service_code": {"appeal-" + t},
		"description": {secretText}, "address_string": {"天河南一路12号楼道"}, "last_name": {"王"}, "first_name": {"秘密"},
		"phone": {secretMobile}, "attribute[subject]": {"楼道堆物"}, "attribute[public]": {"yes"}}
}

func TestServices(t *testing.T) {
	a := newAPI(t)
	status, body := a.get("services.json?jurisdiction_id=" + street)
	if status != 200 {
		t.Fatalf("services.json: %d %s", status, body)
	}
	var list []serviceJSON
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		t.Fatal(err)
	}
	codes := map[string]serviceJSON{}
	for _, s := range list {
		codes[s.Code] = s
	}
	for _, want := range []string{"appeal-consult", "appeal-help", "appeal-complaint", "appeal-report", "appeal-suggestion", "appeal-opinion", "service-" + mealService, "service-svc-zhaopai-shezhi"} {
		if _, ok := codes[want]; !ok {
			t.Errorf("services.json lacks %s: %v", want, body)
		}
	}
	// Enforcement items (行政执法) are reported as appeals, not applied
	// for, though the demo marks them online with a form.
	for _, enforcement := range []string{"service-svc-zhandao-jingying", "service-svc-menqian-sanbao"} {
		if _, ok := codes[enforcement]; ok {
			t.Errorf("services.json offers the enforcement item %s", enforcement)
		}
	}
	if s := codes["appeal-complaint"]; s.Name != "投诉" || !s.Metadata || s.Group != "诉求" {
		t.Errorf("the complaint service: %+v", s)
	}
	if s := codes["service-"+mealService]; s.Name == "" || s.Group != "办事申请" {
		t.Errorf("the meal service: %+v", s)
	}
	// Without jurisdiction_id, with two streets: which one?
	status, body = a.get("services.json")
	isError(t, "services.json without a street", status, body, 400, "jurisdiction_id is missing")
	status, body = a.get("services.json?jurisdiction_id=999")
	isError(t, "services.json of no street", status, body, 404, "not a street of the district")
	status, body = a.get("services.xml?jurisdiction_id=" + street)
	isError(t, "services.xml", status, body, 400, "only the JSON format")
}

func TestServiceDefinition(t *testing.T) {
	a := newAPI(t)
	status, body := a.get("services/service-" + mealService + ".json?jurisdiction_id=" + street)
	if status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	var def definitionJSON
	if err := json.Unmarshal([]byte(body), &def); err != nil {
		t.Fatal(err)
	}
	attrs := map[string]attributeJSON{}
	for _, at := range def.Attributes {
		attrs[at.Code] = at
	}
	if def.Code != "service-"+mealService || def.Attributes[0].Code != "applicant_name" || def.Attributes[0].Order != 1 {
		t.Errorf("definition %s", body)
	}
	for code, want := range map[string]string{"applicant_name": "string", "id_number": "string", "mobile": "string", "birth_date": "datetime",
		"canteen": "singlevaluelist", "meals": "multivaluelist", "diet": "string"} {
		if attrs[code].Datatype != want {
			t.Errorf("attribute %s: datatype %q, want %q", code, attrs[code].Datatype, want)
		}
	}
	if m := attrs["meals"]; !m.Required || len(m.Values) != 2 || m.Values[0].Key != "午餐" || m.Label == "" {
		t.Errorf("attribute meals: %+v", m)
	}
	if attrs["diet"].Required {
		t.Error("attribute diet is optional in the form")
	}
	status, body = a.get("services/service-svc-dibao.json?jurisdiction_id=" + street)
	if status != 200 || !strings.Contains(body, `"datatype":"number"`) || !strings.Contains(body, `"datatype":"text"`) {
		t.Errorf("svc-dibao: %d %s", status, body)
	}
	status, body = a.get("services/appeal-complaint.json?jurisdiction_id=" + street)
	if status != 200 || !strings.Contains(body, `"code":"public","datatype":"singlevaluelist","required":true`) || !strings.Contains(body, `"code":"subject"`) {
		t.Errorf("appeal-complaint: %d %s", status, body)
	}
	status, body = a.get("services/appeal-other.json?jurisdiction_id=" + street)
	isError(t, "an unknown appeal type", status, body, 404, `"appeal-other" is not a service`)
	status, body = a.get("services/service-svc-juzhu-dengji.json?jurisdiction_id=" + otherStreet)
	isError(t, "another street's service", status, body, 404, "is not a service of street "+otherStreet)
}

func TestPostRequests(t *testing.T) {
	a := newAPI(t)
	ctx := context.Background()

	// No key, a wrong key: 401, nothing filed.
	f := appealForm311("", "complaint")
	status, body := a.post(f)
	isError(t, "a POST without a key", status, body, 401, "api_key is missing, unknown or removed")
	f.Set("api_key", "jz311_wrong")
	status, body = a.post(f)
	isError(t, "a POST with a wrong key", status, body, 401, "api_key is missing, unknown or removed")

	// An appeal with a valid key.
	f.Set("api_key", a.key)
	status, body = a.post(f, IdempotencyHeader, "retry-1")
	if status != 200 {
		t.Fatalf("POST an appeal: %d %s", status, body)
	}
	var posted []postedJSON
	if err := json.Unmarshal([]byte(body), &posted); err != nil || len(posted) != 1 || posted[0].ID == "" {
		t.Fatalf("POST answer %s", body)
	}
	ref := posted[0].ID
	// The same request again under the same key: the same answer, stored once.
	status, body = a.post(f, IdempotencyHeader, "retry-1")
	if status != 200 || !strings.Contains(body, ref) {
		t.Errorf("the retried POST: %d %s, want %s again", status, body, ref)
	}
	// The same key with another request: 409.
	g := appealForm311(a.key, "help")
	status, body = a.post(g, IdempotencyHeader, "retry-1")
	isError(t, "another request under a used key", status, body, 409, "used before with another request")

	// An application with its form's attributes; meals is a multivaluelist.
	app := url.Values{"api_key": {a.key}, "jurisdiction_id": {street}, "service_code": {"service-" + mealService},
		"attribute[applicant_name]": {secretName}, "attribute[id_number]": {secretID}, "attribute[mobile]": {secretMobile},
		"attribute[birth_date]": {"1949-12-31"}, "attribute[canteen]": {"龙口东社区助餐点"}, "attribute[meals][]": {"午餐", "晚餐"},
		"attribute[delivery]": {"否"}}
	status, body = a.post(app)
	if status != 200 {
		t.Fatalf("POST an application: %d %s", status, body)
	}

	cases, err := a.p.Cases(ctx, server.CaseFilter{Street: street})
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 2 {
		t.Fatalf("%d cases filed, want the appeal once and the application", len(cases))
	}
	// Read back in clear, stored sealed.
	var files []byte
	for _, f := range []string{a.db, a.db + "-wal"} {
		b, _ := os.ReadFile(f)
		files = append(files, b...)
	}
	if leaks := server.Leaks(files, secretName, secretID, secretMobile); len(leaks) > 0 {
		t.Errorf("the database files hold in clear: %q", leaks)
	}
	c := cases[0].Case
	if c.Ref != ref || c.Channel != data.ChannelOpen311 || c.Kind != data.CaseAppeal || c.AppealType != data.AppealComplaint ||
		c.Status != data.StatusReceived || !c.Public || c.Category != "楼道堆物" || c.Location != "天河南一路12号楼道" ||
		c.Applicant == nil || c.Applicant.Name != secretName || c.Applicant.Mobile != secretMobile || c.Deadline.IsZero() || cases[0].Kiosk != 0 {
		t.Errorf("the appeal as filed: %+v", cases[0])
	}
	if k, err := data.ReferenceKiosk(c.Ref); err != nil || k != 0 {
		t.Errorf("reference %s is not of the district's own series: %d %v", c.Ref, k, err)
	}
	d := cases[1].Case
	if d.Channel != data.ChannelOpen311 || d.Kind != data.CaseApplication || d.Service != mealService || d.Values["meals"] != "午餐\n晚餐" ||
		d.Applicant.IDNumber != secretID {
		t.Errorf("the application as filed: %+v", cases[1])
	}

	// Bad attribute values: 400 naming the attribute, nothing filed.
	for _, bad := range []struct {
		set  map[string][]string
		want string
	}{
		{map[string][]string{"attribute[canteen]": {"没有的饭堂"}}, "attribute[canteen]"},
		{map[string][]string{"attribute[birth_date]": {"1949-13-01"}}, "attribute[birth_date]"},
		{map[string][]string{"attribute[meals][]": {"夜宵"}}, "attribute[meals]"},
		{map[string][]string{"attribute[id_number]": {"110105194912310021"}}, "attribute[id_number]"},
		{map[string][]string{"attribute[nonsense]": {"x"}}, "attribute[nonsense]"},
		{map[string][]string{"attribute[canteen]": {"龙口东社区助餐点", "天河南一路社区助餐点"}}, "attribute[canteen] takes one value"},
	} {
		g := url.Values{}
		for k, v := range app {
			g[k] = v
		}
		for k, v := range bad.set {
			g[k] = v
		}
		status, body := a.post(g)
		isError(t, "POST with "+bad.want, status, body, 400, bad.want)
	}
	h := appealForm311(a.key, "complaint")
	h.Set("attribute[public]", "maybe")
	status, body = a.post(h)
	isError(t, "an appeal's consent neither yes nor no", status, body, 400, "attribute[public]")
	h = appealForm311(a.key, "complaint")
	h.Del("description")
	status, body = a.post(h)
	isError(t, "an appeal without its text", status, body, 400, "description is missing")
	h = appealForm311(a.key, "complaint")
	h.Set("phone", "12345")
	status, body = a.post(h)
	isError(t, "an appeal with a bad phone", status, body, 400, "phone")
	h = appealForm311(a.key, "complaint")
	h.Set("service_code", "appeal-other")
	status, body = a.post(h)
	isError(t, "an unknown service", status, body, 404, "not a service of street")
	big := appealForm311(a.key, "complaint")
	big.Set("description", strings.Repeat("长", 30000))
	status, body = a.post(big)
	isError(t, "an oversized body", status, body, 413, "larger than 64 KB")
	if cases, _ := a.p.Cases(ctx, server.CaseFilter{}); len(cases) != 2 {
		t.Errorf("%d cases after the refused posts, want 2", len(cases))
	}
	// A removed key is refused.
	keys, _ := a.p.APIKeys(ctx)
	if err := a.p.RemoveAPIKey(ctx, keys[0].ID); err != nil {
		t.Fatal(err)
	}
	status, body = a.post(appealForm311(a.key, "consult"))
	isError(t, "a POST with a removed key", status, body, 401, "api_key")
}

// fileByKiosk files an appeal as a kiosk does and returns its reference.
func fileByKiosk(t *testing.T, p *server.Platform, c data.Case) string {
	t.Helper()
	ctx := context.Background()
	k, _, err := p.AddKiosk(ctx, street, "一号机")
	if err != nil {
		t.Fatal(err)
	}
	c.Kind, c.Street, c.Status = data.CaseAppeal, street, data.StatusSubmitted
	c.Applicant = &data.Person{Name: secretName, IDNumber: secretID, Mobile: secretMobile}
	c.Description = secretText
	body, _ := json.Marshal(c)
	resp, err := p.Push(ctx, k, &wire.PushRequest{Items: []wire.PushItem{{ID: c.ID, Kind: wire.ItemCase, Body: body}}})
	if err != nil || resp.Results[0].Outcome != wire.Accepted {
		t.Fatalf("push: %v %+v", err, resp)
	}
	return resp.Results[0].Ref
}

func TestGetRequests(t *testing.T) {
	a := newAPI(t)
	ctx := context.Background()
	public := fileByKiosk(t, a.p, data.Case{ID: "appeal-public", AppealType: data.AppealComplaint, Category: "楼道堆物", Location: "天河南一路12号楼道", Public: true})
	private := fileByKiosk(t, a.p, data.Case{ID: "appeal-private", AppealType: data.AppealComplaint, Category: "不公开的主题"})
	open := fileByKiosk(t, a.p, data.Case{ID: "appeal-open", AppealType: data.AppealHelp, Category: "尚未答复", Public: true})
	for _, ref := range []string{public, private} {
		if _, err := a.p.MoveCase(ctx, server.CaseMove{Ref: ref, To: data.StatusReplied, Reason: "已联系物业清理。"}); err != nil {
			t.Fatal(err)
		}
	}
	status, body := a.get("requests.json")
	if status != 200 {
		t.Fatalf("requests.json: %d %s", status, body)
	}
	var list []requestJSON
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		t.Fatal(err)
	}
	got := map[string]requestJSON{}
	for _, r := range list {
		got[r.ID] = r
	}
	if len(list) != 2 {
		t.Errorf("requests.json lists %d requests, want the two public ones: %s", len(list), body)
	}
	if r := got[public]; r.Status != "closed" || r.StatusNotes != "已联系物业清理。" || r.ServiceName != "投诉" || r.ServiceCode != "appeal-complaint" ||
		r.Address != "天河南一路12号楼道" || r.Requested == "" || r.Updated == "" || r.Subject != "楼道堆物" {
		t.Errorf("the public answered request: %+v", r)
	}
	if r := got[open]; r.Status != "open" || r.StatusNotes != "" {
		t.Errorf("the public open request: %+v", r)
	}
	if _, ok := got[private]; ok {
		t.Error("requests.json lists an appeal whose resident did not agree to show it")
	}
	for _, secret := range []string{secretName, secretID, secretMobile, secretText, "不公开的主题"} {
		if strings.Contains(body, secret) {
			t.Errorf("requests.json shows %q", secret)
		}
	}
	for q, want := range map[string]int{"?status=open": 1, "?status=closed": 1, "?status=open,closed": 2, "?service_code=appeal-help": 1,
		"?jurisdiction_id=" + street: 2, "?jurisdiction_id=" + otherStreet: 0, "?service_request_id=" + public + "," + private: 1,
		"?start_date=2026-12-09T00:00:00Z": 0, "?end_date=2026-12-09T00:00:00%2B08:00": 2} {
		status, body := a.get("requests.json" + q)
		var l []requestJSON
		if err := json.Unmarshal([]byte(body), &l); status != 200 || err != nil || len(l) != want {
			t.Errorf("requests.json%s: %d, %d requests, want %d: %s", q, status, len(l), want, body)
		}
	}
	status, body = a.get("requests.json?status=pending")
	isError(t, "a status Open311 lacks", status, body, 400, "neither open nor closed")
	status, body = a.get("requests.json?start_date=yesterday")
	isError(t, "a date that is not RFC 3339", status, body, 400, "start_date")

	status, body = a.get("requests/" + public + ".json")
	if status != 200 || !strings.Contains(body, `"service_request_id":"`+public+`"`) || !strings.Contains(body, `"status":"closed"`) {
		t.Errorf("requests/%s.json: %d %s", public, status, body)
	}
	for _, secret := range []string{secretName, secretID, secretMobile, secretText} {
		if strings.Contains(body, secret) {
			t.Errorf("requests/%s.json shows %q", public, secret)
		}
	}
	status, body = a.get("requests/" + private + ".json")
	isError(t, "a request not public", status, body, 404, "no public request")
	status, body = a.get("requests/nonsense.json")
	isError(t, "no such request", status, body, 404, "no public request")
}
