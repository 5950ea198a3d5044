package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"jiezhen/data"
	"jiezhen/data/store"
)

// The kiosk's health for staff: the connection (and why the last sync
// did not finish, such as a token of another street), the kiosk's number (and
// that its references will be replaced when it has none), the last sync, what waits
// to go out, what the district refused (dead letters, to retry or
// discard), conflicts, the content held and the feed's cursor, the
// trusted bundle keys and the disk space left; 立即同步 and the USB
// transfers.

// healthInfo is everything the health screen shows, read in one go.
type healthInfo struct {
	h       store.Health
	dead    []store.DeadLetterItem
	online  bool
	started bool   // the sync source answered
	syncErr string // why the last sync did not finish (SyncErrorSource)
	// wrong: the address that answered the last request, not as the
	// district does (WrongAnswerSource), its status and the URL to use.
	wrong, use string
	status     int
	printerErr error // the printer's answer to Check; nil: ready
}

func openHealth(e *env) {
	st := &healthState{}
	e.open(func() string { return e.L("staff.health") }, func() fyne.CanvasObject { return newHealth(e, st) })
}

// healthState is what the screen keeps across rebuilds.
type healthState struct {
	note string // the answer to the last button
}

func newHealth(e *env, st *healthState) fyne.CanvasObject {
	box := container.NewStack(widget.NewLabel(e.L("loading")))
	load(e, func(ctx context.Context) (healthInfo, error) {
		var in healthInfo
		var err error
		if in.h, err = e.staffSrc.Health(ctx); err != nil {
			return in, err
		}
		if in.dead, err = e.staffSrc.DeadLetters(ctx, 0); err != nil {
			return in, err
		}
		if e.sync != nil {
			in.online, _, _ = e.sync.SyncStatus()
			in.started = true
			if es, ok := e.sync.(SyncErrorSource); ok {
				in.syncErr = es.SyncError()
			}
			if w, ok := e.sync.(WrongAnswerSource); ok {
				in.wrong, in.status, in.use = w.WrongAnswer()
			}
		}
		if e.printer != nil {
			in.printerErr = e.printer.Check(ctx)
		}
		return in, nil
	}, func(in healthInfo, err error) {
		if err != nil {
			box.Objects = []fyne.CanvasObject{e.errorText(err)}
		} else {
			box.Objects = []fyne.CanvasObject{e.healthView(in, st)}
		}
		box.Refresh()
	})
	return box
}

func (e *env) healthView(in healthInfo, st *healthState) fyne.CanvasObject {
	h := in.h
	state := e.L("sync.offline")
	if in.online {
		state = e.L("sync.online")
	}
	last := e.L("sync.never")
	if h.LastSync != nil {
		last = h.LastSync.In(e.now().Location()).Format("2006-01-02 15:04")
		if ago := e.now().Sub(*h.LastSync); ago >= time.Hour {
			last += "  " + e.Lf("staff.ago", ago.Round(time.Hour).Hours())
		}
	}

	// Items waiting, by kind, in a fixed order.
	var kinds []data.ItemKind
	total := 0
	for k, n := range h.Waiting {
		kinds = append(kinds, k)
		total += n
	}
	slices.Sort(kinds)
	var waiting []string
	for _, k := range kinds {
		waiting = append(waiting, e.outboxKind(k), strconv.Itoa(h.Waiting[k]))
	}

	var counts []string
	for _, k := range data.ContentKinds {
		counts = append(counts, k.Label(e.lang), strconv.Itoa(h.Counts[k]))
	}
	keys := e.L("staff.no_keys")
	if len(h.TrustedKeys) > 0 {
		keys = ""
		for i, k := range h.TrustedKeys {
			if i > 0 {
				keys += "\n"
			}
			keys += shortKey(k)
		}
	}

	number := strconv.FormatInt(e.kioskID, 10)
	if e.kioskID == 0 {
		number = e.L("staff.kiosk_number_none")
	}

	conn := subheading(e.L("staff.connection"))
	conn.Wrapping = fyne.TextWrapOff
	box := container.NewVBox(
		container.NewHBox(conn, container.NewCenter(badge(state, in.online))),
		fields(
			e.L("staff.kiosk_number"), number,
			e.L("staff.last_sync"), last,
			e.L("staff.waiting_total"), strconv.Itoa(total),
			e.L("staff.conflicts"), strconv.Itoa(h.Conflicts),
			e.L("staff.dead_letters"), strconv.Itoa(h.DeadLetters),
			e.L("staff.cursor"), strconv.FormatInt(h.Cursor, 10),
			e.L("staff.disk_free"), humanBytes(h.DiskFree),
		),
	)
	if in.wrong != "" {
		box.Add(para(e.Lf("staff.not_district", in.wrong, in.status)))
		if in.use != "" {
			box.Add(para(e.Lf("staff.use_district", in.use)))
		}
	} else if in.syncErr != "" {
		box.Add(para(e.Lf("staff.sync_error", in.syncErr)))
	}
	if e.kioskID == 0 {
		box.Add(para(e.L("staff.kiosk_number_missing")))
	}
	box.Add(subheading(e.L("staff.printer")))
	box.Add(e.printerHealth(in.printerErr))
	box.Add(subheading(e.L("staff.waiting_by_kind")))
	if len(waiting) == 0 {
		box.Add(para(e.L("staff.waiting_none")))
	} else {
		box.Add(fields(waiting...))
	}
	if h.Conflicts > 0 {
		box.Add(e.button(e.Lf("staff.open_conflicts", h.Conflicts), theme.WarningIcon(), func() { openConflicts(e) }))
	}
	box.Add(subheading(e.L("staff.dead_letters")))
	if len(in.dead) == 0 {
		box.Add(para(e.L("staff.no_dead_letters")))
	}
	for _, d := range in.dead {
		box.Add(e.deadLetterRow(d, st))
	}
	box.Add(subheading(e.L("staff.content")))
	box.Add(fields(counts...))
	box.Add(subheading(e.L("staff.trusted_keys")))
	box.Add(para(keys))

	// The actions stay in place under the page.
	var actions []fyne.CanvasObject
	if e.syncNow != nil {
		actions = append(actions, e.primary(e.L("staff.sync_now"), theme.ViewRefreshIcon(), func() {
			e.syncNow()
			st.note = e.L("staff.sync_asked")
			e.refresh()
		}))
	}
	if e.bundles != nil {
		actions = append(actions, e.button(e.L("staff.import"), theme.UploadIcon(), func() { openBundleImport(e) }))
	}
	if e.export != nil {
		actions = append(actions, e.button(e.L("staff.export"), theme.DownloadIcon(), func() { openExport(e) }))
	}
	if e.readLog != nil {
		actions = append(actions, e.button(e.L("staff.log"), theme.DocumentIcon(), func() { openLog(e) }))
	}
	bar := container.NewVBox(widget.NewSeparator())
	if st.note != "" {
		bar.Add(para(st.note))
	}
	bar.Add(container.NewHBox(actions...))
	return container.NewBorder(nil, bar, nil, nil, e.scrollPages(container.NewPadded(box)))
}

// deadLetterRow is a refused item with its reference (a case's), its
// reason and 重试 / 丢弃; once the retention sweep removed its personal
// data it says so, and only 丢弃 is left. The sweep runs in the
// background, so a 重试 shown before it may meet a redacted item: nothing
// is sent, and the screen comes back saying why, with only 丢弃.
func (e *env) deadLetterRow(d store.DeadLetterItem, st *healthState) fyne.CanvasObject {
	ref := ""
	if d.Ref != "" {
		ref = data.FormatReference(d.Ref)
	}
	what := joinDot(e.outboxKind(d.Kind), ref, d.FailedAt.In(e.now().Location()).Format("2006-01-02 15:04"))
	// The heading wraps: in English 长者模式 it is longer than the room
	// 重试 and 丢弃 leave beside it.
	head := newWrap(what, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	text := container.NewVBox(head)
	for _, line := range e.refusalLines(d) {
		text.Add(para(line))
	}
	discard := e.button(e.L("staff.discard"), theme.DeleteIcon(), func() {
		openConfirm(e, e.L("staff.discard"), e.Lf("staff.discard_confirm", what), e.L("staff.discard_ok"),
			func(ctx context.Context, by data.Staff, now time.Time) error {
				return e.staffSrc.DiscardDeadLetter(ctx, by, d.ID, now)
			}, e.back)
	})
	if d.RedactedAt != nil {
		text.Add(para(e.Lf("staff.dead_redacted", d.RedactedAt.In(e.now().Location()).Format("2006-01-02 15:04"))))
		return container.NewBorder(nil, widget.NewSeparator(), nil, discard, text)
	}
	retry := e.button(e.L("staff.retry"), theme.ViewRefreshIcon(), func() {
		redacted := false
		openConfirm(e, e.L("staff.retry"), e.Lf("staff.retry_confirm", what), e.L("staff.retry_ok"),
			func(ctx context.Context, by data.Staff, now time.Time) error {
				err := e.staffSrc.RetryDeadLetter(ctx, by, d.ID, now)
				if errors.Is(err, store.ErrRedacted) {
					redacted = true
					return nil
				}
				return err
			}, func() {
				if redacted {
					st.note = e.L("staff.retry_redacted")
				}
				e.back()
			})
	})
	return container.NewBorder(nil, widget.NewSeparator(), nil, container.NewHBox(retry, discard), text)
}

// printerHealth is the receipt printer's state: the device or queue,
// whether it can print now and how the last print went.
func (e *env) printerHealth(checked error) fyne.CanvasObject {
	if e.printer == nil {
		return para(e.L("staff.printer_none"))
	}
	state := e.L("staff.printer_ready")
	if checked != nil {
		state = e.printErrText(checked)
	}
	box := container.NewVBox(container.NewHBox(widget.NewLabel(e.printer.String()),
		container.NewCenter(badge(state, checked == nil))))
	if l := e.printed; !l.at.IsZero() {
		at := l.at.In(e.now().Location()).Format("2006-01-02 15:04")
		if l.err != nil {
			box.Add(e.problemText(e.Lf("staff.printer_last_failed", at, e.printErrText(l.err))))
		} else {
			box.Add(para(e.Lf("staff.printer_last_ok", at)))
		}
	}
	return box
}

// refusalLines explain why the district refused a dead letter: for a kind
// of refusal the kiosk knows (one with a "refusal." translation), its explanation in the
// kiosk's language, then the district's own sentence (in English, naming
// the fields and items) as the detail; otherwise the district's sentence
// alone.
func (e *env) refusalLines(d store.DeadLetterItem) []string {
	if d.Code == "" || !hasKey("refusal."+d.Code) {
		return []string{e.Lf("staff.reason", d.Reason)}
	}
	lines := []string{e.Lf("staff.reason", e.L("refusal."+d.Code))}
	if d.Reason != "" {
		lines = append(lines, e.Lf("staff.refusal_detail", d.Reason))
	}
	return lines
}

// outboxKind names an outbox item kind; an unknown one shows as it is.
func (e *env) outboxKind(k data.ItemKind) string {
	if k.Valid() {
		return e.L("staff.outbox_" + string(k))
	}
	return string(k)
}

// shortKey shows the start and end of a long key.
func shortKey(k string) string {
	if len(k) <= 20 {
		return k
	}
	return k[:10] + "…" + k[len(k)-6:]
}

// humanBytes writes a size as people read it: 12.3 GB.
func humanBytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "KMGTPE"[exp])
}
