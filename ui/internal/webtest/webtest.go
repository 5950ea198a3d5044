// Package webtest is what the browser tests of the website (ui/web) and
// the back office (ui/admin) share: headless Chromium through chromedp,
// axe-core's checks, screenshots, and the real districtd as a process.
// Only tests import it. See docs/WEB.md, "Tests".
package webtest

import (
	"bufio"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Axe is axe-core's axe.min.js (axe/, with its licence), which RunAxe
// and Inspect inject into a page.
//
//go:embed axe/axe.min.js
var Axe string

// The browser tests drive Debian's chromium headless through chromedp,
// with JavaScript off as a resident may have it: every page type is
// loaded at a phone's and a PC's size, screenshotted, checked for
// sideways scrolling, and checked with axe-core for WCAG 2.2 A and AA.
// See docs/WEB.md.

// Chromium finds the browser. Without it the tests skip, except in CI,
// which installs it (scripts/deps.sh) and must not pass without it.
func Chromium(t *testing.T) string {
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

// Browser starts one headless chromium for the test and returns a tab's
// context.
func Browser(t *testing.T) context.Context {
	t.Helper()
	exe := Chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("lang", "zh-CN"),
		// The page language is the flag above; the process's locale only
		// decides how file paths are encoded. scripts/test.sh exports a
		// Chinese LANG that the machine may not have installed, and in
		// the C fallback Chromium cannot read an upload with a Chinese
		// name, so the browser gets a UTF-8 locale that always exists.
		chromedp.ModifyCmdFunc(func(cmd *exec.Cmd) { cmd.Env = utf8Locale(os.Environ()) }),
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

// Scripts turns the page's JavaScript off (as the resident's browser)
// or on (for the test's own checks, on the page already loaded).
func Scripts(on bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on})
		return err
	})
}

// ShotDir is where screenshots go: $JIEZHEN_WEB_SHOTS if set, else a
// temporary directory.
func ShotDir(t *testing.T) string {
	dir := os.Getenv("JIEZHEN_WEB_SHOTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Viewport is a screen size the tests look at pages in.
type Viewport struct {
	Name string
	W, H int64
}

// Viewports are a phone's and a PC's screens.
var Viewports = []Viewport{{"phone", 360, 800}, {"pc", 1440, 900}}

// AxeTags are the rule sets every page must pass.
var AxeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

type AxeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// RunAxe injects axe-core into the loaded page and returns its
// violations of AxeTags.
func RunAxe(ctx context.Context) ([]AxeViolation, error) {
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](Axe)); err != nil {
		return nil, fmt.Errorf("inject axe-core: %w", err)
	}
	tags, _ := json.Marshal(AxeTags)
	expr := `axe.run(document, {runOnly: {type: "tag", values: ` + string(tags) + `}, resultTypes: ["violations"]}).then(r =>
		JSON.stringify(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
			nodes: v.nodes.map(n => n.target.join(" ") + ": " + n.failureSummary)}))))`
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("run axe-core: %w", err)
	}
	var vs []AxeViolation
	return vs, json.Unmarshal([]byte(out), &vs)
}

// Inspect saves the screenshots of the page loaded at the viewport
// width w, and fails on sideways scrolling or an axe violation. It leaves
// scripts off again.
func Inspect(t *testing.T, ctx context.Context, dir, name, path, vp string, w int64) {
	t.Helper()
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	full, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	for file, b := range map[string][]byte{name + "-" + vp + ".png": shot, name + "-" + vp + "-full.png": full} {
		if err := os.WriteFile(filepath.Join(dir, file), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := chromedp.Do(ctx, Scripts(true)); err != nil {
		t.Fatal(err)
	}
	defer chromedp.Do(ctx, Scripts(false))
	// Nothing makes the page scroll sideways.
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth - window.innerWidth`))
	if err != nil {
		t.Fatal(err)
	}
	if wide > 0 {
		t.Errorf("%s at %d px: the page is %d px wider than the screen", path, w, wide)
	}
	vs, err := RunAxe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		t.Errorf("%s at %d px: axe %s (%s): %s\n  %s", path, w, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n  "))
	}
}

// DistrictdProgram builds the real districtd, as it ships (no cgo).
func DistrictdProgram(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "districtd")
	cmd := exec.Command("go", "build", "-o", bin, "jiezhen/cmd/districtd")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build districtd: %v\n%s", err, out)
	}
	return bin
}

// DistrictdCLI runs one districtd command to its end and returns its
// stdout; it fails the test unless the command succeeds.
func DistrictdCLI(t *testing.T, bin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("districtd %s: %v: %s", strings.Join(args, " "), err, errb.String())
	}
	return out.String()
}

// DistrictdServing runs `districtd serve --demo` (with the extra flags)
// on a port the OS picks and returns its base URL once its log announces
// it; the process gets SIGTERM when the test ends.
func DistrictdServing(t *testing.T, bin, db string, extra ...string) string {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--db", db, "--addr", "127.0.0.1:0", "--demo"}, extra...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	urls := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`url=(https?://\S+)/api/v1`)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				urls <- m[1]
			}
		}
		io.Copy(io.Discard, stderr)
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Error("districtd serve did not stop on SIGTERM")
		}
	})
	select {
	case u := <-urls:
		return u
	case err := <-exited:
		t.Fatalf("districtd serve exited: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("districtd serve did not start")
	}
	return ""
}

// ClickToPage clicks sel, waits for the page it leads to and returns
// that page's address.
func ClickToPage(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(cdppage.LoadEventFired, nil, chromedp.Click(sel))); err != nil {
		t.Fatalf("click %s: %v", sel, err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// PageText is the loaded page's text content under sel.
func PageText(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.TextContent(sel))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// utf8Locale is env with its locale variables replaced by C.UTF-8.
func utf8Locale(env []string) []string {
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if name == "LANG" || name == "LANGUAGE" || strings.HasPrefix(name, "LC_") {
			continue
		}
		out = append(out, kv)
	}
	return append(out, "LANG=C.UTF-8")
}
