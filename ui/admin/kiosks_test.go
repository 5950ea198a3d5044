package admin

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"jiezhen/sync/bundle"
	"jiezhen/sync/server"
	"jiezhen/sync/wire"
)

var tokenRE = regexp.MustCompile(`jzk_[0-9]+\.[A-Za-z0-9_-]{43}`)

// pullAs pulls the feed once as the kiosk's agent does, with its version
// and counts in the headers, and returns the status.
func pullAs(t *testing.T, api, token string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", api+wire.PathChanges+"?after=0", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("User-Agent", wire.AgentProduct+"/2.0.1")
	req.Header.Set(wire.HeaderOutbox, "4")
	req.Header.Set(wire.HeaderDeadLetters, "1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// The district admin adds a kiosk (its token shown once, on the answer to
// the POST), sees what it reported on its pull, and a quiet mark after a
// day; gives it a new token and revokes it, each audited. Without the
// bundle key the page says so and offers the command instead.
func TestFleetPages(t *testing.T) {
	o := newTestOffice(t)
	c := o.signIn("区管理员", []server.Role{server.RoleAdmin})
	fleet := Prefix + "kiosks/"

	resp, body := c.get(fleet)
	status(t, resp, 200, "the fleet")
	if !strings.Contains(body, "还没有登记终端") || !strings.Contains(body, "没有数据包签名密钥") ||
		!strings.Contains(body, "districtd bundle --db DISTRICT.db --street "+demoStreet) {
		t.Fatalf("the empty fleet without the key:\n%s", body)
	}
	resp, body = c.post(fleet, url.Values{"street": {demoStreet}, "name": {" "}})
	if resp.StatusCode != 400 || !strings.Contains(body, "请填写终端名称") {
		t.Fatalf("a kiosk without a name: %d", resp.StatusCode)
	}
	resp, body = c.post(fleet, url.Values{"street": {"999999999"}, "name": {"x"}})
	if resp.StatusCode != 400 || !strings.Contains(body, "请选择已发布的街道") {
		t.Fatalf("a kiosk of no street: %d", resp.StatusCode)
	}
	resp, body = c.post(fleet, url.Values{"street": {demoStreet}, "name": {"社区服务中心一楼"}})
	token := tokenRE.FindString(body)
	if resp.StatusCode != 200 || !strings.HasPrefix(token, "jzk_1.") || !strings.Contains(body, "只显示这一次") {
		t.Fatalf("adding a kiosk: %d %q", resp.StatusCode, token)
	}
	if _, body = c.get(fleet); strings.Contains(body, token) || !strings.Contains(body, "从未同步") {
		t.Fatal("the fleet shows the token again, or a sync that never was")
	}

	api := httptest.NewServer(server.Handler(o.p))
	t.Cleanup(api.Close)
	if s := pullAs(t, api.URL, token); s != 200 {
		t.Fatalf("the kiosk's pull: %d", s)
	}
	_, body = c.get(fleet)
	for _, want := range []string{"2.0.1", `<td class="num">4</td>`, `<td class="num">1</td>`, "2026-12-08 10:00"} {
		if !strings.Contains(body, want) {
			t.Errorf("the fleet after a pull lacks %q", want)
		}
	}
	if strings.Contains(body, `class="quiet-mark"`) {
		t.Error("a kiosk that just synced is marked quiet")
	}
	o.clock.Add(25 * time.Hour)
	c = o.session(c.user)
	if _, body = c.get(fleet); !strings.Contains(body, `<strong class="quiet-mark">超过24小时未同步</strong>`) || !strings.Contains(body, "有 1 台终端") {
		t.Fatal("a kiosk quiet for 25 hours is not marked in words")
	}

	resp, body = c.post(fleet+"1/token", nil)
	fresh := tokenRE.FindString(body)
	if resp.StatusCode != 200 || fresh == "" || fresh == token {
		t.Fatalf("a new token: %d %q", resp.StatusCode, fresh)
	}
	if s := pullAs(t, api.URL, token); s != http.StatusUnauthorized {
		t.Errorf("the old token after a new one: %d", s)
	}
	resp, _ = c.post(fleet+"1/revoke", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	if s := pullAs(t, api.URL, fresh); s != http.StatusUnauthorized {
		t.Errorf("a revoked kiosk's pull: %d", s)
	}
	if resp, _ = c.post(fleet+"1/revoke", nil); resp.StatusCode != http.StatusConflict {
		t.Errorf("revoking again: %d", resp.StatusCode)
	}
	if resp, _ = c.post(fleet+"9/revoke", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("revoking no kiosk: %d", resp.StatusCode)
	}
	if resp, _ = c.post(fleet+"bundle", url.Values{"street": {demoStreet}}); resp.StatusCode != http.StatusConflict {
		t.Errorf("a bundle without the key: %d", resp.StatusCode)
	}
	for _, action := range []string{"kiosk.add", "kiosk.token", "kiosk.revoke"} {
		if lines := o.auditLines(action); len(lines) != 1 || lines[0].Target != "kiosk:1" || lines[0].UserID != c.user.ID {
			t.Errorf("%s audit: %+v", action, lines)
		}
	}

	// The inspector reads the fleet, without the admin's forms.
	insp := o.signIn("监察员", []server.Role{server.RoleInspector})
	if resp, body = insp.get(fleet); resp.StatusCode != 200 || strings.Contains(body, "<form method=\"post\" action=\"/admin/kiosks/") || !strings.Contains(body, "社区服务中心一楼") {
		t.Fatalf("the inspector's fleet: %d", resp.StatusCode)
	}
}

// With the district's bundle key, the admin downloads a street's signed
// bundle, which verifies with the key and is recorded on the fleet page.
func TestFleetBundleDownload(t *testing.T) {
	o := newTestOffice(t)
	pub, priv, err := bundle.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	st, err := server.OpenStore(context.Background(), o.db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	p := server.New(st, server.Options{Now: o.clock.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Snapshots: server.Snapshots{Key: priv, Dir: t.TempDir()}})
	srv := httptest.NewServer(New(p, nil).Handler())
	t.Cleanup(srv.Close)
	o.url = srv.URL
	c := o.signIn("区管理员", []server.Role{server.RoleAdmin})

	_, body := c.get(Prefix + "kiosks/")
	if strings.Contains(body, "没有数据包签名密钥") || !strings.Contains(body, `action="/admin/kiosks/bundle"`) {
		t.Fatal("the fleet with the key offers no bundle")
	}
	resp, b := c.post(Prefix+"kiosks/bundle", url.Values{"street": {demoStreet}})
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != wire.BundleType ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), demoStreet+"-") {
		t.Fatalf("the bundle: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
	}
	res, err := bundle.Read(bytes.NewReader([]byte(b)), bundle.Check{Keys: bundle.Keys{Trusted: []ed25519.PublicKey{pub}}, Scope: demoStreet, Now: o.clock.Now()})
	if err != nil {
		t.Fatalf("the downloaded bundle does not verify: %v", err)
	}
	if m := res.Manifest; m.Scope != demoStreet || m.Changes == 0 || len(res.Changes) != m.Changes {
		t.Fatalf("manifest %+v", m)
	}
	if _, body = c.get(Prefix + "kiosks/"); !strings.Contains(body, "最近一次 2026-12-08 10:00 生成") {
		t.Fatal("the fleet does not show the bundle built")
	}
	if lines := o.auditLines("bundle.build"); len(lines) != 1 || lines[0].Street != demoStreet {
		t.Fatalf("the bundle's audit: %+v", lines)
	}
	if resp, _ = c.post(Prefix+"kiosks/bundle", url.Values{"street": {"x"}}); resp.StatusCode != 400 {
		t.Errorf("a bundle of no street: %d", resp.StatusCode)
	}
}

// An admin of street B does not see street A's kiosk and is refused
// every action on it, each refusal audited; the kiosk keeps working.
func TestFleetOtherStreet(t *testing.T) {
	o := newTestOffice(t)
	ka, tokA, err := o.p.AddKiosk(context.Background(), demoStreet, "天河南一号")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := o.p.AddKiosk(context.Background(), otherStreet, "林和一号"); err != nil {
		t.Fatal(err)
	}
	c := o.signIn("林和管理员", []server.Role{server.RoleAdmin}, otherStreet)
	_, body := c.get(Prefix + "kiosks/")
	if strings.Contains(body, "天河南一号") || !strings.Contains(body, "林和一号") {
		t.Fatalf("street B's fleet shows street A's kiosk, or not its own:\n%s\n%s", body, o.logs.String())
	}
	id := "1"
	if ka.ID != 1 {
		t.Fatalf("kiosk %d", ka.ID)
	}
	for _, try := range []struct {
		path string
		form url.Values
	}{
		{Prefix + "kiosks/" + id + "/revoke", nil},
		{Prefix + "kiosks/" + id + "/token", nil},
		{Prefix + "kiosks/", url.Values{"street": {demoStreet}, "name": {"冒名终端"}}},
		{Prefix + "kiosks/bundle", url.Values{"street": {demoStreet}}},
	} {
		before := len(o.auditLines("denied"))
		resp, body := c.post(try.path, try.form)
		if resp.StatusCode != http.StatusForbidden || tokenRE.MatchString(body) {
			t.Errorf("POST %s: %d, want 403", try.path, resp.StatusCode)
		}
		if len(o.auditLines("denied")) != before+1 {
			t.Errorf("POST %s: the refusal is not audited", try.path)
		}
	}
	api := httptest.NewServer(server.Handler(o.p))
	t.Cleanup(api.Close)
	if s := pullAs(t, api.URL, tokA); s != 200 {
		t.Fatalf("street A's kiosk after the refused actions: %d", s)
	}
	if ks, _ := o.p.Kiosks(context.Background()); len(ks) != 2 {
		t.Fatalf("%d kiosks", len(ks))
	}
}
