package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Signed content bundles (.jzb files) brought on a USB drive or left in
// the database's folder: a screen lists them for import, and a watcher of
// the mount folders offers the one on a drive just plugged in. The
// verification and the apply are the importer's (kiosk import's code);
// this file only finds files and shows what happens.

// BundleImporter verifies and applies a bundle file as `kiosk import`
// does. progress, which may be nil, is called from the importer's
// goroutine with the bytes read so far and the file's size.
type BundleImporter interface {
	Import(ctx context.Context, path string, progress func(done, total int)) (BundleResult, error)
}

// BundleResult is what an import did.
type BundleResult struct {
	// Applied is false when the kiosk had the bundle's changes already:
	// nothing changed.
	Applied                      bool
	Upserted, Deleted, Unchanged int
}

// A refusal is an error with a RefusalKind method naming the reason
// (the bundle.refused.KIND strings); other errors show as a failure.
type refusal interface{ RefusalKind() string }

// DefaultMountDirs are where desktop Linux mounts removable drives.
var DefaultMountDirs = []string{"/media", "/run/media"}

// Watching drives: the mount folders are read every mountPollTicks
// seconds, down to mountDepth levels (/media/USER/LABEL/file.jzb is
// three), at most mountMaxEntries directory entries per scan, so a large
// drive costs nothing noticeable.
const (
	mountPollTicks  = 3
	mountDepth      = 4
	mountMaxEntries = 5000
)

// bundleFile is a .jzb file found on disk.
type bundleFile struct {
	Path string
	Size int64
	Mod  time.Time
}

func (f bundleFile) key() string { return fmt.Sprintf("%s|%d|%d", f.Path, f.Size, f.Mod.UnixNano()) }

// findBundles lists the .jzb files in dirs, depth levels down (1: the
// folders themselves), newest first. Hidden entries and symbolic links to
// folders are skipped; folders that cannot be read are passed over.
func findBundles(dirs []string, depth int) []bundleFile {
	var out []bundleFile
	seen := map[string]bool{}
	budget := mountMaxEntries
	var visit func(dir string, level int)
	visit = func(dir string, level int) {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return
		}
		for _, de := range entries {
			if budget--; budget < 0 {
				return
			}
			name := de.Name()
			if strings.HasPrefix(name, ".") {
				continue
			}
			p := filepath.Join(dir, name)
			switch {
			case de.IsDir():
				if level < depth {
					visit(p, level+1)
				}
			case de.Type().IsRegular() && strings.EqualFold(filepath.Ext(name), ".jzb"):
				fi, err := de.Info()
				if err != nil || seen[p] {
					continue
				}
				seen[p] = true
				out = append(out, bundleFile{Path: p, Size: fi.Size(), Mod: fi.ModTime()})
			}
		}
	}
	for _, d := range dirs {
		visit(d, 1)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Mod.Equal(out[j].Mod) {
			return out[i].Mod.After(out[j].Mod)
		}
		return out[i].Path < out[j].Path
	})
	return out
}

// bundleSources are the folders the import screen lists: the mount
// folders a few levels down, and the extra folders themselves.
type bundleSources struct {
	mounts, extra []string
}

func (s bundleSources) find() []bundleFile {
	files := findBundles(s.mounts, mountDepth)
	have := map[string]bool{}
	for _, f := range files {
		have[f.Path] = true
	}
	for _, f := range findBundles(s.extra, 1) {
		if !have[f.Path] {
			files = append(files, f)
		}
	}
	return files
}

// openBundleImport opens the screen that lists the bundle files on the
// drives and in the database's folder, for staff to import one. The
// footer opens it (five taps on the kiosk's name), and staff mode may.
func openBundleImport(e *env) {
	e.open(func() string { return e.L("bundle.title") }, func() fyne.CanvasObject { return newBundleList(e) })
}

func newBundleList(e *env) fyne.CanvasObject {
	list := container.NewVBox(widget.NewLabel(e.L("loading")))
	var scan func()
	scan = func() {
		load(e, func(context.Context) ([]bundleFile, error) { return e.bundleSrc.find(), nil },
			func(files []bundleFile, _ error) {
				list.Objects = nil
				if len(files) == 0 {
					list.Objects = append(list.Objects, para(e.L("bundle.none")))
				}
				for _, f := range files {
					f := f
					name := filepath.Base(f.Path)
					info := newWrap(e.Lf("bundle.file_info", filepath.Dir(f.Path), sizeText(f.Size), f.Mod.In(e.now().Location()).Format("2006-01-02 15:04")), fyne.TextAlignLeading, fyne.TextStyle{})
					info.Importance = widget.LowImportance
					title := widget.NewLabelWithStyle(name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
					title.Wrapping = fyne.TextWrapBreak
					list.Objects = append(list.Objects, e.card(name, container.NewVBox(title, info), func() {
						openBundleFile(e, f, false)
					}))
				}
				list.Refresh()
			})
	}
	scan()
	rescan := e.button(e.L("bundle.rescan"), theme.ViewRefreshIcon(), scan)
	intro := para(e.L("bundle.intro"))
	return e.scrollPages(container.NewVBox(intro, container.NewHBox(rescan), widget.NewSeparator(), list))
}

// openBundleFile opens the screen that imports one file: what it is, an
// 导入 button, then the progress and the result. offered: the watcher
// found it on a drive just plugged in.
func openBundleFile(e *env, f bundleFile, offered bool) {
	e.open(func() string { return e.L("bundle.title") }, func() fyne.CanvasObject { return newBundleFile(e, f, offered) })
}

func newBundleFile(e *env, f bundleFile, offered bool) fyne.CanvasObject {
	head := e.L("bundle.confirm")
	if offered {
		head = e.L("bundle.found")
	}
	info := fields(
		e.L("bundle.name"), filepath.Base(f.Path),
		e.L("bundle.place"), filepath.Dir(f.Path),
		e.L("bundle.size"), sizeText(f.Size),
		e.L("bundle.time"), f.Mod.In(e.now().Location()).Format("2006-01-02 15:04"),
	)
	hint := para(e.L("bundle.hint"))
	bar := widget.NewProgressBar()
	bar.Hide()
	status := para("")
	status.Hide()
	var run, skip *tapButton
	var box *fyne.Container
	var page fyne.CanvasObject
	// Shown and hidden parts change the box's height: lay it out again.
	relayout := func() {
		box.Refresh()
		page.Refresh()
	}
	done := e.primary(e.L("bundle.done"), theme.ConfirmIcon(), e.back)
	done.Hide()
	run = e.primary(e.L("bundle.import"), theme.DownloadIcon(), func() {
		run.Disable()
		skip.Hide()
		bar.Show()
		status.SetText(e.L("bundle.checking"))
		status.Show()
		relayout()
		progress := func(n, total int) {
			fyne.Do(func() {
				if total > 0 {
					bar.SetValue(float64(n) / float64(total))
				}
				if n >= total {
					status.SetText(e.L("bundle.applying"))
				}
			})
		}
		e.bg(func() {
			res, err := e.bundles.Import(context.Background(), f.Path, progress)
			fyne.Do(func() {
				run.Hide()
				bar.Hide()
				done.Show()
				status.SetText(bundleOutcome(e, res, err))
				if err != nil {
					e.logError(err) // staff read the detail in the log on the health screen
				}
				relayout()
			})
		})
	})
	skip = e.button(e.L("bundle.skip"), theme.CancelIcon(), e.back)
	if e.bundles == nil {
		run.Disable() // a kiosk built without an importer (staff mode may still open the screen)
	}
	box = container.NewVBox(subheading(head), info, hint, bar, status, container.NewHBox(run, skip, done))
	page = e.scrollPages(box)
	return page
}

// bundleOutcome says in plain words what an import did, or why not.
func bundleOutcome(e *env, res BundleResult, err error) string {
	var r refusal
	switch {
	case err != nil && errors.As(err, &r):
		reason := e.L("bundle.refused." + r.RefusalKind())
		if reason == "bundle.refused."+r.RefusalKind() {
			reason = e.L("bundle.refused.other")
		}
		return e.L("bundle.refused") + reason
	case err != nil:
		return e.L("bundle.failed")
	case !res.Applied:
		return e.L("bundle.covered")
	}
	return e.Lf("bundle.applied", res.Upserted, res.Deleted, res.Unchanged)
}

// sizeText is a file size in KB or MB.
func sizeText(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%.0f KB", max(1, float64(n)/1024))
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

// driveWatch notices .jzb files that appear in the mount folders (a drive
// plugged in) and offers each once. The files there when the kiosk starts
// are the baseline: they are on the import screen, not offered.
type driveWatch struct {
	known    map[string]bool // keys of the files seen in the last scan
	started  bool            // the baseline has been taken
	scanning bool
}

// pollDrives scans the mount folders in the background and offers a new
// file by opening its import screen. It runs on the Fyne goroutine.
func (k *Kiosk) pollDrives() {
	w := &k.drives
	if k.bundles == nil || w.scanning {
		return
	}
	w.scanning = true
	mounts := k.bundleSrc.mounts
	load(k.env, func(context.Context) ([]bundleFile, error) { return findBundles(mounts, mountDepth), nil },
		func(files []bundleFile, _ error) {
			w.scanning = false
			now := map[string]bool{}
			var fresh []bundleFile
			for _, f := range files {
				now[f.key()] = true
				if w.started && !w.known[f.key()] {
					fresh = append(fresh, f)
				}
			}
			w.known, w.started = now, true
			if len(fresh) > 0 {
				// The newest first; the others are on the import screen.
				openBundleFile(k.env, fresh[0], true)
			}
		})
}

// The bundle screen is for staff, not residents, so the footer has no
// button for it: five taps on the kiosk's name within secretWindow open
// it. Staff mode opens it from its own screen.
const (
	secretTapsNeeded = 5
	secretWindow     = 3 * time.Second
)

// secretTaps counts the taps on the kiosk's name.
type secretTaps struct{ at []time.Time }

// tap records a tap at now and reports whether it completes the gesture.
func (s *secretTaps) tap(now time.Time) bool {
	keep := s.at[:0]
	for _, t := range s.at {
		if now.Sub(t) < secretWindow {
			keep = append(keep, t)
		}
	}
	s.at = append(keep, now)
	if len(s.at) >= secretTapsNeeded {
		s.at = nil
		return true
	}
	return false
}

// secretArea makes its content tappable without looking tappable.
type secretArea struct {
	widget.BaseWidget
	content fyne.CanvasObject
	onTap   func()
}

func newSecretArea(content fyne.CanvasObject, onTap func()) *secretArea {
	a := &secretArea{content: content, onTap: onTap}
	a.ExtendBaseWidget(a)
	return a
}

func (a *secretArea) Tapped(*fyne.PointEvent) { a.onTap() }

func (a *secretArea) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(a.content)
}
