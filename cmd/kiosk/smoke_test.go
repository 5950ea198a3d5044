package main

import (
	"bufio"
	"fmt"
	"image"
	"image/png"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestSmokeWindow starts the real kiosk binary on the X display with the
// demo content, waits for its first frame and saves a screenshot of the
// window, which CI keeps as an artefact: demo/smoke-home.png, or the
// directory named by JIEZHEN_ARTIFACTS. On a landscape screen the home
// tiles stand in four columns of two rows.
func TestSmokeWindow(t *testing.T) {
	display := os.Getenv("DISPLAY")
	if display == "" {
		t.Skip("no DISPLAY: the smoke test needs an X server (scripts/test.sh starts Xvfb)")
	}
	smokeTools(t)
	img := smokeShot(t, kioskBinary(t), display, "smoke-home.png")
	if b := img.Bounds(); b.Dx() > b.Dy() {
		if cols, rows := tileGrid(img); cols != 4 || rows != 2 {
			t.Errorf("on a landscape window of %dx%d the home tiles stand in %d columns and %d rows, want 4 and 2", b.Dx(), b.Dy(), cols, rows)
		}
	}
}

// TestSmokeWindowPortrait starts the real kiosk on a portrait screen of its
// own (Xvfb at 1080x1920): without --fullscreen the window must open at the
// screen's size, and the screenshot (smoke-home-portrait.png beside the
// other) must show the home tiles in two columns of four rows.
func TestSmokeWindowPortrait(t *testing.T) {
	smokeTools(t)
	display := startXvfb(t, 1080, 1920)
	img := smokeShot(t, kioskBinary(t), display, "smoke-home-portrait.png")
	b := img.Bounds()
	if b.Dy() <= b.Dx() || b.Dx() > 1080 || b.Dy() < 1920*3/4 {
		t.Fatalf("on a 1080x1920 screen the window is %dx%d: it does not follow the screen", b.Dx(), b.Dy())
	}
	if cols, rows := tileGrid(img); cols != 2 || rows != 4 {
		t.Errorf("the home tiles stand in %d columns and %d rows, want 2 and 4", cols, rows)
	}
}

// smokeTools skips when the X tools the smoke tests drive are missing;
// scripts/deps.sh installs them, and CI=true makes their absence a failure.
func smokeTools(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"Xvfb", "xdpyinfo", "xwininfo", "import"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s not installed (xvfb, x11-utils, imagemagick): %v", tool, err)
			}
			t.Skipf("%s not installed (xvfb, x11-utils, imagemagick): %v", tool, err)
		}
	}
}

// startXvfb starts an X server of the given screen size on a display
// number nobody uses and returns its name; it stops with the test.
func startXvfb(t *testing.T, w, h int) string {
	t.Helper()
	for n := 130; n < 200; n++ {
		if _, err := os.Stat(fmt.Sprintf("/tmp/.X11-unix/X%d", n)); err == nil {
			continue
		}
		if _, err := os.Stat(fmt.Sprintf("/tmp/.X%d-lock", n)); err == nil {
			continue
		}
		display := fmt.Sprintf(":%d", n)
		cmd := exec.Command("Xvfb", display, "-screen", "0", fmt.Sprintf("%dx%dx24", w, h), "-nolisten", "tcp")
		if err := cmd.Start(); err != nil {
			t.Fatalf("Xvfb: %v", err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			select {
			case <-exited:
				// Another program took the number in between: try the next.
				goto next
			default:
			}
			probe := exec.Command("xdpyinfo")
			probe.Env = append(os.Environ(), "DISPLAY="+display)
			if probe.Run() == nil {
				t.Cleanup(func() {
					cmd.Process.Kill()
					<-exited
				})
				return display
			}
		}
		cmd.Process.Kill()
		<-exited
		t.Fatalf("Xvfb %s did not answer within 10 s", display)
	next:
	}
	t.Fatal("no free X display number between :130 and :199")
	return ""
}

// smokeShot runs the kiosk binary with the demo content on display, waits
// for its first frame and the background loads, saves a screenshot of its
// window under name in the artefacts directory and returns it.
func smokeShot(t *testing.T, bin, display, name string) image.Image {
	t.Helper()
	dir := t.TempDir()
	db := filepath.Join(dir, "kiosk.db")
	if out, err := exec.Command(bin, "demo", "--db", db).CombinedOutput(); err != nil {
		t.Fatalf("kiosk demo: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "--db", db)
	cmd.Env = append(os.Environ(), "DISPLAY="+display, "LANG=zh_CN.UTF-8", "JIEZHEN_FIRST_FRAME=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	framed := make(chan struct{})
	var log strings.Builder
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			log.WriteString(sc.Text() + "\n")
			if strings.HasPrefix(sc.Text(), "first-frame ") {
				close(framed)
			}
		}
	}()
	select {
	case <-framed:
	case <-time.After(30 * time.Second):
		t.Fatalf("no first frame within 30 s; stderr:\n%s", log.String())
	}
	// Let the background loads (counts, connection state) arrive.
	time.Sleep(1500 * time.Millisecond)

	id := windowID(t, display, "Jiezhen")
	out := os.Getenv("JIEZHEN_ARTIFACTS")
	if out == "" {
		out = filepath.Join("..", "..", "demo")
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(out, name)
	imp := exec.Command("import", "-window", id, shot)
	imp.Env = append(os.Environ(), "DISPLAY="+display)
	if b, err := imp.CombinedOutput(); err != nil {
		t.Fatalf("import: %v\n%s", err, b)
	}
	abs, _ := filepath.Abs(shot)
	t.Logf("screenshot: %s", abs)

	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 800 || b.Dy() < 600 {
		t.Fatalf("window is %v, want at least 800x600", b)
	}
	if n := colours(img); n < 8 {
		t.Fatalf("screenshot has %d colours: the window looks blank", n)
	}
	return img
}

// windowID finds the X window on display whose name contains name.
func windowID(t *testing.T, display, name string) string {
	t.Helper()
	re := regexp.MustCompile(`^\s*(0x[0-9a-f]+) "([^"]*)"`)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		cmd := exec.Command("xwininfo", "-root", "-tree")
		// Under a locale the machine lacks, xwininfo cannot convert the
		// window's UTF-8 name and prints an error in its place.
		cmd.Env = append(os.Environ(), "DISPLAY="+display, "LC_ALL=C.UTF-8")
		out, err := cmd.Output()
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(out), "\n") {
			if m := re.FindStringSubmatch(line); m != nil && strings.Contains(m[2], name) {
				return m[1]
			}
		}
	}
	t.Fatalf("no window named %q", name)
	return ""
}

// tileGrid reads the home screen's tile grid off a screenshot. The tiles
// are the only large panels of the theme's light grey on the white
// background: along each pixel row, the runs of tile grey at least a fifth
// of the window wide are tiles (a run crossing an icon or a title is cut
// shorter and not counted); the most common count over the rows that have
// any is the number of columns. Down a line just inside the left edge of
// the first column, the grey runs at least a twelfth of the window high
// are its rows.
func tileGrid(img image.Image) (cols, rows int) {
	b := img.Bounds()
	grey := func(x, y int) bool {
		r, g, bl, _ := img.At(x, y).RGBA()
		r, g, bl = r>>8, g>>8, bl>>8
		return r >= 225 && r <= 250 && g >= 225 && g <= 250 && bl >= 225 && bl <= 250
	}
	counts := map[int]int{}
	firstX := -1
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		n, run, start := 0, 0, 0
		for x := b.Min.X; x <= b.Max.X; x++ {
			if x < b.Max.X && grey(x, y) {
				if run == 0 {
					start = x
				}
				run++
				continue
			}
			if run >= b.Dx()/5 {
				n++
				if firstX < 0 || start < firstX {
					firstX = start
				}
			}
			run = 0
		}
		if n > 0 {
			counts[n]++
		}
	}
	best := 0
	for n, c := range counts {
		if c > best {
			cols, best = n, c
		}
	}
	if firstX < 0 {
		return 0, 0
	}
	x := firstX + b.Dx()/50
	run := 0
	for y := b.Min.Y; y <= b.Max.Y; y++ {
		if y < b.Max.Y && grey(x, y) {
			run++
			continue
		}
		if run >= b.Dy()/12 {
			rows++
		}
		run = 0
	}
	return cols, rows
}

// colours counts distinct colours on a grid of sample points.
func colours(img image.Image) int {
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 7 {
		for x := b.Min.X; x < b.Max.X; x += 7 {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
		}
	}
	return len(seen)
}

// TestWindowLogsToItsFile: the window's one logger reaches its log file,
// kiosk.log beside the database, the owner's only: the sync agent's
// failures against a district that does not answer are there, without the
// token.
func TestWindowLogsToItsFile(t *testing.T) {
	if os.Getenv("DISPLAY") == "" {
		t.Skip("no DISPLAY: the window needs an X server (scripts/test.sh starts Xvfb)")
	}
	bin := kioskBinary(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "kiosk.db")
	if out, err := exec.Command(bin, "demo", "--db", db).CombinedOutput(); err != nil {
		t.Fatalf("kiosk demo: %v\n%s", err, out)
	}
	// A district address where nothing listens.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ln.Close()
	const tok = "jzk_7.windowlogtokensecret0123456789abcdef"
	cmd := exec.Command(bin, "--db", db, "--district", url)
	cmd.Env = append(os.Environ(), "LANG=zh_CN.UTF-8", tokenEnv+"="+tok)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	path := filepath.Join(dir, logName)
	var got []byte
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if got, _ = os.ReadFile(path); strings.Contains(string(got), "sync did not finish") {
			break
		}
	}
	if !strings.Contains(string(got), "sync did not finish") {
		t.Fatalf("the agent's failure is not in %s:\n%s", path, got)
	}
	if strings.Contains(string(got), tok) || strings.Contains(string(got), "windowlogtokensecret") {
		t.Errorf("the log file holds the token:\n%s", got)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("log file: %v, %v; want mode 0600", st, err)
	}
}
