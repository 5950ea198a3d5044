package main

import (
	"bufio"
	"image"
	"image/png"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestSmokeWindow starts the real kiosk binary on the X display with the
// demo content, waits for its first frame and saves a screenshot of the
// window, which CI keeps as an artefact: demo/smoke-home.png, or the
// directory named by JIEZHEN_ARTIFACTS. On a portrait screen (Xvfb
// -screen 0 1080x1920x24) the shot is smoke-home-portrait.png, and the
// window must have opened portrait, at the screen's size.
func TestSmokeWindow(t *testing.T) {
	if os.Getenv("DISPLAY") == "" {
		t.Skip("no DISPLAY: the smoke test needs an X server (scripts/test.sh starts Xvfb)")
	}
	for _, tool := range []string{"xwininfo", "import"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (x11-utils, imagemagick): %v", tool, err)
		}
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "kiosk")
	// -race, like the test run itself: the binary then reuses the packages
	// the test build compiled, instead of compiling Fyne's OpenGL bindings
	// once more (about three minutes on a cold CI machine).
	if out, err := exec.Command("go", "build", "-race", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	db := filepath.Join(dir, "kiosk.db")
	if out, err := exec.Command(bin, "demo", "--db", db).CombinedOutput(); err != nil {
		t.Fatalf("kiosk demo: %v\n%s", err, out)
	}

	cmd := exec.Command(bin, "--db", db)
	cmd.Env = append(os.Environ(), "LANG=zh_CN.UTF-8", "JIEZHEN_FIRST_FRAME=1")
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

	id := windowID(t, "Jiezhen")
	out := os.Getenv("JIEZHEN_ARTIFACTS")
	if out == "" {
		out = filepath.Join("..", "..", "demo")
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	screenW, screenH := rootSize(t)
	portrait := screenH > screenW
	shot := filepath.Join(out, "smoke-home.png")
	if portrait {
		shot = filepath.Join(out, "smoke-home-portrait.png")
	}
	if b, err := exec.Command("import", "-window", id, shot).CombinedOutput(); err != nil {
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
	if b := img.Bounds(); portrait && (b.Dy() <= b.Dx() || b.Dx() > screenW || b.Dy() < screenH*3/4) {
		t.Fatalf("on a %dx%d screen the window is %dx%d: it does not follow the screen", screenW, screenH, b.Dx(), b.Dy())
	}
}

// rootSize is the X screen's size.
func rootSize(t *testing.T) (w, h int) {
	t.Helper()
	out, err := exec.Command("xwininfo", "-root").Output()
	if err != nil {
		t.Fatalf("xwininfo -root: %v", err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		line = strings.TrimSpace(line)
		if v, ok := strings.CutPrefix(line, "Width: "); ok {
			w, _ = strconv.Atoi(v)
		}
		if v, ok := strings.CutPrefix(line, "Height: "); ok {
			h, _ = strconv.Atoi(v)
		}
	}
	return w, h
}

// windowID finds the X window whose name contains name.
func windowID(t *testing.T, name string) string {
	t.Helper()
	re := regexp.MustCompile(`^\s*(0x[0-9a-f]+) "([^"]*)"`)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		cmd := exec.Command("xwininfo", "-root", "-tree")
		// Under a locale the machine lacks, xwininfo cannot convert the
		// window's UTF-8 name and prints an error in its place.
		cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
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
