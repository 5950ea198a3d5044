package web

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// districtdProgram builds the real districtd, as it ships (no cgo).
func districtdProgram(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "districtd")
	cmd := exec.Command("go", "build", "-o", bin, "jiezhen/cmd/districtd")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build districtd: %v\n%s", err, out)
	}
	return bin
}

// districtdCLI runs one districtd command to its end and returns its
// stdout; it fails the test unless the command succeeds.
func districtdCLI(t *testing.T, bin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("districtd %s: %v: %s", strings.Join(args, " "), err, errb.String())
	}
	return out.String()
}

// districtdServing runs `districtd serve --demo` on a port the OS picks
// and returns its base URL once its log announces it; the process gets
// SIGTERM when the test ends.
func districtdServing(t *testing.T, bin, db string) string {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--db", db, "--addr", "127.0.0.1:0", "--demo")
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

// clickToPage clicks sel, waits for the page it leads to and returns
// that page's address.
func clickToPage(t *testing.T, ctx context.Context, sel string) string {
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

// pageText is the loaded page's text content under sel.
func pageText(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.TextContent(sel))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// From filing to rating through the real programs: in one headless
// chromium a resident files an appeal and a 依申请公开 request on the
// website served by `districtd serve` with JavaScript off, the district
// answers both with `districtd cases set`, and the resident, now with
// JavaScript on, tracks both to their replies and rates the appeal, which
// `districtd cases list` then shows.
func TestBrowserDistrictd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds districtd and runs it with a browser")
	}
	ctx := browser(t)
	bin := districtdProgram(t)
	db := filepath.Join(t.TempDir(), "district.db")
	base := districtdServing(t, bin, db)
	home := base + "/s/" + demoStreet + "/"

	// file sends the form on the loaded page and returns the reference its
	// receipt shows.
	file := func(what string) string {
		t.Helper()
		loc := clickToPage(t, ctx, `form.form button[type="submit"]`)
		if !strings.HasPrefix(loc, home+"receipt/") {
			t.Fatalf("after filing the %s: at %s, want the receipt", what, loc)
		}
		ref := strings.TrimSpace(pageText(t, ctx, ".receipt .ref"))
		if ref == "" || !strings.HasSuffix(loc, "/"+ref) {
			t.Fatalf("the %s's receipt at %s shows the reference %q", what, loc, ref)
		}
		return ref
	}
	err := chromedp.Do(ctx, scripts(false), chromedp.EmulateViewport(360, 800), chromedp.Navigate(home+"appeal"),
		chromedp.Click(`#f-appeal_type-complaint`), chromedp.Click(`#f-category-noise`),
		chromedp.SendKeys(`#f-description`, "夜间施工噪音很大"), chromedp.SendKeys(`#f-location`, "天河南一路12号附近"),
		chromedp.SendKeys(`#f-applicant_name`, testName), chromedp.SendKeys(`#f-mobile`, testMobile))
	if err != nil {
		t.Fatal(err)
	}
	appeal := file("appeal")
	err = chromedp.Do(ctx, chromedp.Navigate(home+"disclosure"),
		chromedp.SendKeys(`#f-applicant_name`, testName), chromedp.SendKeys(`#f-id_number`, testID), chromedp.SendKeys(`#f-mobile`, testMobile),
		chromedp.SendKeys(`#f-information`, "2026年老旧小区改造项目的招标文件"), chromedp.Click(`#f-delivery`))
	if err != nil {
		t.Fatal(err)
	}
	disclosure := file("request")

	// The district answers, as the README's walkthrough does.
	const appealReply, disclosureReply = "已责令施工单位晚上十点后停止施工。", "招标文件已通过电子邮件发送给您。"
	for _, args := range [][]string{
		{appeal, "dispatched", "--department", "城管科", "--reason", "已转城管科处理"},
		{appeal, "in_progress", "--reason", "城管科已到现场核查"},
		{appeal, "replied", "--reason", appealReply},
		{appeal, "completed", "--reason", "已办结"},
		{disclosure, "in_progress", "--reason", "正在检索相关信息"},
		{disclosure, "replied", "--reply-type", "disclosed", "--reason", disclosureReply},
		{disclosure, "completed", "--reason", "已办结"},
	} {
		districtdCLI(t, bin, append([]string{"cases", "--db", db, "set"}, args...)...)
	}

	// track opens a case's timeline from the tracking form and checks it
	// shows the reply.
	track := func(ref, reply string) string {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(home+"track"), chromedp.SendKeys("#ref", ref),
			chromedp.SendKeys("#lastfour", testMobile[len(testMobile)-4:])); err != nil {
			t.Fatal(err)
		}
		loc := clickToPage(t, ctx, `form[action$="/track"] button`)
		if !strings.HasPrefix(loc, home+"track/") {
			t.Fatalf("tracking %s: at %s, want its timeline", ref, loc)
		}
		if got := pageText(t, ctx, ".feedback"); !strings.Contains(got, reply) {
			t.Fatalf("the timeline of %s shows the reply %q, want %q", ref, got, reply)
		}
		return loc
	}
	if err := chromedp.Do(ctx, scripts(true)); err != nil {
		t.Fatal(err)
	}
	track(appeal, appealReply)
	if err := chromedp.Do(ctx, chromedp.Click("#r-5"), chromedp.SendKeys("#comment", "处理及时")); err != nil {
		t.Fatal(err)
	}
	if loc := clickToPage(t, ctx, `form[action$="/rate"] button`); !strings.HasSuffix(loc, "?done=rated") {
		t.Fatalf("after rating: %s", loc)
	}
	timeline := track(disclosure, disclosureReply)
	if got := pageText(t, ctx, ".feedback"); !strings.Contains(got, "予以公开") {
		t.Fatalf("the request's reply does not say 予以公开: %q", got)
	}
	axeSrc, err := os.ReadFile("testdata/axe/axe.min.js")
	if err != nil {
		t.Fatal(err)
	}
	inspect(t, ctx, shotDir(t), string(axeSrc), "timeline-replied", strings.TrimPrefix(timeline, base), "phone", 360)

	got := map[string]map[string]any{}
	for _, line := range strings.Split(strings.TrimSpace(districtdCLI(t, bin, "cases", "--db", db, "list")), "\n") {
		var c map[string]any
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			t.Fatalf("cases list: %q: %v", line, err)
		}
		got[c["ref"].(string)] = c
	}
	a, d := got[appeal], got[disclosure]
	if a["status"] != "rated" || a["rating"] != float64(5) || a["channel"] != "web" {
		t.Errorf("the appeal in cases list: %v", a)
	}
	if d["status"] != "completed" || d["reply_type"] != "disclosed" || d["channel"] != "web" {
		t.Errorf("the request in cases list: %v", d)
	}
}
