package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// The browser tests drive Debian's chromium headless through chromedp,
// with JavaScript off as a resident may have it: every page type is
// loaded at a phone's and a PC's size, screenshotted, checked for
// sideways scrolling, and checked with axe-core for WCAG 2.2 A and AA.
// See docs/WEB.md.

// chromium finds the browser. Without it the tests skip, except in CI,
// which installs it (scripts/deps.sh) and must not pass without it.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed (scripts/deps.sh installs it); CI must run the browser tests")
	}
	t.Skip("chromium is not installed: the browser tests need it (apt-get install chromium fonts-noto-cjk)")
	return ""
}

// browser starts one headless chromium for the test and returns a tab's
// context.
func browser(t *testing.T) context.Context {
	t.Helper()
	exe := chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("lang", "zh-CN"),
	)
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	bctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(cancelTab)
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return bctx
}

// scripts turns the page's JavaScript off (as the resident's browser)
// or on (for the test's own checks, on the page already loaded).
func scripts(on bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on})
		return err
	})
}

// shotDir is where screenshots go: $JIEZHEN_WEB_SHOTS if set, else a
// temporary directory.
func shotDir(t *testing.T) string {
	dir := os.Getenv("JIEZHEN_WEB_SHOTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// axeTags are the rule sets every page must pass.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// runAxe injects axe-core into the loaded page and returns its
// violations of axeTags.
func runAxe(ctx context.Context, src string) ([]axeViolation, error) {
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](src)); err != nil {
		return nil, fmt.Errorf("inject axe-core: %w", err)
	}
	tags, _ := json.Marshal(axeTags)
	expr := `axe.run(document, {runOnly: {type: "tag", values: ` + string(tags) + `}, resultTypes: ["violations"]}).then(r =>
		JSON.stringify(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
			nodes: v.nodes.map(n => n.target.join(" ") + ": " + n.failureSummary)}))))`
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("run axe-core: %w", err)
	}
	var vs []axeViolation
	return vs, json.Unmarshal([]byte(out), &vs)
}

func TestBrowser(t *testing.T) {
	ctx := browser(t)
	s := newSite(t)
	dir := shotDir(t)
	axeSrc, err := os.ReadFile("testdata/axe/axe.min.js")
	if err != nil {
		t.Fatal(err)
	}
	home := "/s/" + demoStreet + "/"
	pages := []struct {
		name, path string
		status     int64
	}{
		{"streets", "/", 200},
		{"home", home, 200},
		{"notices", home + "notices/", 200},
		{"notice", home + "notices/" + filesNotice, 200},
		{"catalog", home + "catalog/", 200},
		{"catalog-topic", home + "catalog/?topic=政务公开", 200},
		{"catalog-entry", home + "catalog/cat-gz-2012-16", 200},
		{"services", home + "services/", 200},
		{"service", home + "services/" + filesService, 200},
		{"providers", home + "providers/", 200},
		{"consultations", home + "consultations/", 200},
		{"consultation-open", home + "consultations/zj-2026-03", 200},
		{"consultation-closed", home + "consultations/zj-2026-02", 200},
		{"notfound", home + "notices/none", 404},
		{"badrequest", home + "catalog/?year=20x", 400},
		{"search-form", home + "search", 200},
		{"search", home + "search?q=" + url.QueryEscape("长者饭堂"), 200},
		{"search-short", home + "search?q=" + url.QueryEscape("停水"), 200},
		{"search-none", home + "search?q=" + url.QueryEscape("不存在的词语"), 200},
	}
	viewports := []struct {
		name string
		w, h int64
	}{{"phone", 360, 800}, {"pc", 1440, 900}}
	for _, pg := range pages {
		t.Run(pg.name, func(t *testing.T) {
			for _, vp := range viewports {
				if err := chromedp.Do(ctx, scripts(false), chromedp.EmulateViewport(vp.w, vp.h)); err != nil {
					t.Fatal(err)
				}
				resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(s.url+pg.path))
				if err != nil {
					t.Fatalf("%s: %v", vp.name, err)
				}
				if resp.Status != pg.status {
					t.Fatalf("%s: status %d, want %d", pg.path, resp.Status, pg.status)
				}
				shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
				if err != nil {
					t.Fatal(err)
				}
				full, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
				if err != nil {
					t.Fatal(err)
				}
				for name, b := range map[string][]byte{pg.name + "-" + vp.name + ".png": shot, pg.name + "-" + vp.name + "-full.png": full} {
					if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				if err := chromedp.Do(ctx, scripts(true)); err != nil {
					t.Fatal(err)
				}
				// Nothing makes the page scroll sideways.
				wide, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth - window.innerWidth`))
				if err != nil {
					t.Fatal(err)
				}
				if wide > 0 {
					t.Errorf("%s at %d px: the page is %d px wider than the screen", pg.path, vp.w, wide)
				}
				vs, err := runAxe(ctx, string(axeSrc))
				if err != nil {
					t.Fatal(err)
				}
				for _, v := range vs {
					t.Errorf("%s at %d px: axe %s (%s): %s\n  %s", pg.path, vp.w, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n  "))
				}
			}
		})
	}

	// 大字 and English, chosen by plain links with JavaScript off, hold
	// while the resident moves on.
	t.Run("switches", func(t *testing.T) {
		if err := chromedp.Do(ctx, scripts(false), chromedp.EmulateViewport(360, 800), chromedp.Navigate(s.url+home)); err != nil {
			t.Fatal(err)
		}
		click := func(sel string) {
			t.Helper()
			if _, err := chromedp.Run(ctx, chromedp.WaitEvent(cdppage.LoadEventFired, nil, chromedp.Click(sel))); err != nil {
				t.Fatalf("click %s: %v", sel, err)
			}
		}
		click(`.prefs a[href$="size=large"]`)
		click(`.sections a[href$="/services/"]`)
		click(`.prefs a[href$="lang=en"]`)
		click(`.list a[href*="/services/"]`)
		if err := chromedp.Do(ctx, scripts(true)); err != nil {
			t.Fatal(err)
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.className + " " + document.documentElement.lang + " " + location.pathname`))
		if err != nil {
			t.Fatal(err)
		}
		if want := "large en " + home + "services/"; !strings.HasPrefix(got, want) {
			t.Fatalf("after 大字, a section, English and an item: %q, want %q…", got, want)
		}
		shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "service-large-en-phone.png"), shot, 0o644); err != nil {
			t.Fatal(err)
		}
		vs, err := runAxe(ctx, string(axeSrc))
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			t.Errorf("large English page: axe %s: %s\n  %s", v.ID, v.Help, strings.Join(v.Nodes, "\n  "))
		}
	})
}
