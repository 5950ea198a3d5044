package ui

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"

	"jiezhen/data/store"
)

// Taking the outbox out on a USB drive: when the line has been down for
// days, staff write what waits to a file on a drive, encrypted to the
// district's key (Options.ExportOutbox does the writing), and carry it to
// the district. The screen lists the drives that are mounted; a tap
// writes the file there.

// exportState is what the export screen keeps across rebuilds.
type exportState struct {
	note    string
	problem string
	busy    bool
}

func openExport(e *env) {
	st := &exportState{}
	e.open(func() string { return e.L("staff.export") }, func() fyne.CanvasObject { return newExport(e, st) })
}

func newExport(e *env, st *exportState) fyne.CanvasObject {
	list := container.NewVBox(staffNote(e.L("staff.export_hint")))
	if st.note != "" {
		list.Add(subheading(st.note))
	}
	if st.problem != "" {
		list.Add(e.problemText(st.problem))
	}
	drives := e.drives
	load(e, func(context.Context) ([]string, error) { return drives() }, func(dirs []string, err error) {
		switch {
		case err != nil:
			list.Add(e.errorText(err))
		case len(dirs) == 0:
			list.Add(para(e.L("staff.no_drives")))
		}
		for _, dir := range dirs {
			dir := dir
			b := e.button(e.Lf("staff.export_to", dir), theme.DownloadIcon(), func() { e.exportTo(st, dir) })
			b.min *= 1.5
			list.Add(b)
		}
		list.Add(e.button(e.L("staff.look_again"), theme.ViewRefreshIcon(), e.refresh))
	})
	return e.scrollPages(container.NewPadded(list))
}

// exportTo writes the outbox to a new file in dir, off the Fyne
// goroutine, and records who did it.
func (e *env) exportTo(st *exportState, dir string) {
	if st.busy || e.staff == nil || e.export == nil {
		return
	}
	st.busy, st.note, st.problem = true, "", ""
	by, now := *e.staff, e.now()
	name := fmt.Sprintf("jiezhen-outbox-%s-%s.age", e.street.Code, now.Format("20060102-150405"))
	path := filepath.Join(dir, name)
	export := e.export
	load(e, func(ctx context.Context) (int, error) {
		n, err := export(ctx, path)
		if err != nil {
			return 0, err
		}
		return n, e.staffSrc.AuditAction(ctx, by, store.AuditOutboxExport, fmt.Sprintf("%d items to %s", n, path), now)
	}, func(n int, err error) {
		st.busy = false
		if err != nil {
			st.problem = e.L("staff.export_failed") + "\n" + e.errText(err)
		} else {
			st.note = e.Lf("staff.exported", n, path)
		}
		e.refresh()
	})
}

// mountedDrives lists where removable drives are mounted: the mount points
// under roots (/media, /run/media) in /proc/mounts.
func mountedDrives(roots []string) ([]string, error) {
	f, err := os.Open("/proc/mounts")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return drivesIn(f, roots)
}

// drivesIn reads a mounts table such as /proc/mounts.
func drivesIn(r io.Reader, roots []string) ([]string, error) {
	var out []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		// Spaces and tabs in mount points are written as octal escapes.
		dir := strings.NewReplacer(`\040`, " ", `\011`, "\t", `\134`, `\`).Replace(fields[1])
		for _, root := range roots {
			if strings.HasPrefix(dir, strings.TrimSuffix(root, "/")+"/") {
				out = append(out, dir)
				break
			}
		}
	}
	return out, sc.Err()
}
