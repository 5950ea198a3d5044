package admin

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"jiezhen/data/store"
	"jiezhen/sync/bundle"
	syncclient "jiezhen/sync/client"
	"jiezhen/sync/server"
	"jiezhen/ui/internal/webtest"
)

// From a draft to a kiosk through the real programs: `districtd serve`
// runs with a bundle key; in headless chromium with JavaScript off an
// editor drafts a notice in the generated form, adds an attachment row
// with its button, uploads a PDF and sends the draft for review; a
// reviewer (another user) publishes it; then the kiosk's real sync agent
// pulls from the same server and the notice with its PDF is in the
// kiosk's store. Every page type on the way is checked with axe-core
// and screenshotted at a phone's and a PC's width.
func TestBrowserContentReview(t *testing.T) {
	if testing.Short() {
		t.Skip("builds districtd and runs it with a browser")
	}
	ctx := webtest.Browser(t)
	bin := webtest.DistrictdProgram(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "district.db")
	pub, priv, err := bundle.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(dir, "bundle.key")
	if err := os.WriteFile(keyFile, bundle.MarshalPrivateKey(priv), 0o600); err != nil {
		t.Fatal(err)
	}
	base := webtest.DistrictdServing(t, bin, db, "--bundle-key", keyFile)

	// The users, their sessions and the kiosk are made in the district's
	// database beside the running server, as `districtd user add` and
	// sign-in (whose own browser test is the skeleton's) would.
	bg := context.Background()
	st, err := server.OpenSQLite(bg, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p := server.New(st, server.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	session := func(name string, roles ...server.Role) string {
		u, _, err := p.AddUser(bg, name, roles, []string{demoStreet}, "")
		if err != nil {
			t.Fatal(err)
		}
		tok, err := p.StartSession(bg, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	editor := session("编辑小王", server.RoleEditor)
	reviewer := session("审核老李", server.RoleReviewer)
	_, kioskToken, err := p.AddKiosk(bg, demoStreet, "天河南一号机")
	if err != nil {
		t.Fatal(err)
	}
	pdf := filepath.Join(dir, "供暖安排.pdf")
	pdfBytes := []byte("%PDF-1.4\n% 供暖安排\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	if err := os.WriteFile(pdf, pdfBytes, 0o644); err != nil {
		t.Fatal(err)
	}

	signInAs := func(token string) {
		t.Helper()
		if _, err := chromedp.Call(ctx, network.ClearBrowserCookies, struct{}{}); err != nil {
			t.Fatal(err)
		}
		httpOnly := true
		if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: sessionCookie, Value: token,
			URL: base + Prefix, Path: Prefix, HTTPOnly: &httpOnly, SameSite: network.CookieSameSiteStrict}); err != nil {
			t.Fatal(err)
		}
	}
	shots := webtest.ShotDir(t)
	// inspect checks the page at path at both widths, loading it again at
	// each; a page that only a POST shows is checked where it is.
	inspect := func(name, path string) {
		t.Helper()
		for _, vp := range webtest.Viewports {
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(vp.W, vp.H)); err != nil {
				t.Fatal(err)
			}
			if path != "" {
				if err := chromedp.Do(ctx, chromedp.Navigate(base+path)); err != nil {
					t.Fatal(err)
				}
			}
			webtest.Inspect(t, ctx, shots, "admin-"+name, path, vp.Name, vp.W)
		}
	}
	if err := chromedp.Do(ctx, webtest.Scripts(false)); err != nil {
		t.Fatal(err)
	}

	signInAs(editor)
	inspect("content-home", Prefix+"content/")
	inspect("content-form", Prefix+"content/new/notice")
	// Sent without a title: the problems at their fields, with a summary.
	loc := webtest.ClickToPage(t, ctx, `button[value="save"]`)
	if got := webtest.PageText(t, ctx, ".error-summary"); !strings.Contains(got, "这一项必须填写") {
		t.Fatalf("at %s the summary says %q", loc, got)
	}
	inspect("content-form-errors", "")
	err = chromedp.Do(ctx, chromedp.SendKeys("#f-id", "n-heating"), chromedp.SendKeys("#f-title", "关于冬季供暖安排的通知"),
		chromedp.SendKeys("#f-category", "通知"), chromedp.SendKeys("#f-publisher", "天河南街道办事处"),
		chromedp.SendKeys("#f-body", "今年冬季供暖安排见附件。"))
	if err != nil {
		t.Fatal(err)
	}
	webtest.ClickToPage(t, ctx, `button[value="add:attachments"]`)
	inspect("content-form-row", "")
	err = chromedp.Do(ctx, chromedp.SetUploadFiles("#f-attachments-0-upload", []string{pdf}),
		chromedp.SendKeys("#f-attachments-0-name", "供暖安排表"))
	if err != nil {
		t.Fatal(err)
	}
	loc = webtest.ClickToPage(t, ctx, `button[value="submit"]`)
	draft := strings.TrimPrefix(loc, base)
	if !draftLocation.MatchString(draft) {
		t.Fatalf("after sending for review: at %s, the page says %q", loc, webtest.PageText(t, ctx, "main"))
	}
	if got := webtest.PageText(t, ctx, "main"); !strings.Contains(got, "待审核") || !strings.Contains(got, "供暖安排表") {
		t.Fatalf("the draft page: %q", got)
	}
	inspect("content-draft", draft)

	// The other kinds' forms, a service guide's with rows in rows.
	for _, k := range []string{"catalog", "provider", "consultation", "calendar", "service"} {
		inspect("content-form-"+k, Prefix+"content/new/"+k)
	}
	for _, add := range []string{"add:materials", "add:form.fields", "add:form.fields.0.choices", "add:faq"} {
		webtest.ClickToPage(t, ctx, `button[value="`+add+`"]`)
	}
	inspect("content-form-service-rows", "")

	signInAs(reviewer)
	inspect("content-review", draft)
	inspect("content-preview", draft+"preview")
	if err := chromedp.Do(ctx, chromedp.Navigate(base+draft)); err != nil {
		t.Fatal(err)
	}
	webtest.ClickToPage(t, ctx, `form[action$="/approve"] button`)
	if got := webtest.PageText(t, ctx, "main"); !strings.Contains(got, "已发布") {
		t.Fatalf("after approval: %q", got)
	}
	inspect("content-published", draft)
	inspect("content-items", Prefix+"content/items/notice/")
	inspect("content-home-list", Prefix+"content/?state=published")

	// A kiosk of the street syncs with the real agent: a new kiosk takes
	// the signed snapshot, which carries the PDF.
	kst, err := store.OpenWith(bg, filepath.Join(dir, "kiosk.db"), store.Options{NoIndexer: true})
	if err != nil {
		t.Fatal(err)
	}
	defer kst.Close()
	agent, err := syncclient.New(bg, kst, syncclient.Config{District: base, Token: kioskToken, Trust: pub, AttemptTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := agent.OnceResult(bg); err != nil || res.Snapshot == 0 {
		t.Fatalf("sync: %+v %v", res, err)
	}
	n, err := kst.Notice(bg, "n-heating")
	if err != nil || n.Title != "关于冬季供暖安排的通知" || len(n.Attachments) != 1 {
		t.Fatalf("the kiosk's notice: %+v %v", n, err)
	}
	f, err := kst.AttachmentFile(bg, n.Attachments[0].File)
	if err != nil || string(f.Data) != string(pdfBytes) || f.Type != "application/pdf" {
		t.Fatalf("the kiosk's file: %v", err)
	}
	if n.Street != demoStreet || n.Attachments[0].Name != "供暖安排表" || n.Published != p.Today() {
		t.Fatalf("the kiosk's notice: %+v", n)
	}
}
