package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"image/color"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"jiezhen/data"
	"jiezhen/data/store"
)

// Conflicts: the district refused a staff edit because the item had
// changed since the version the edit was made on. Staff see both versions
// field by field, the differences highlighted, and decide: apply theirs on
// top of the district's current version, or drop it. Nothing is dropped
// without that decision, and StaffStore.ResolveConflict records it.

// openConflicts lists the conflicts waiting for a decision, oldest first.
func openConflicts(e *env) {
	e.open(func() string { return e.L("staff.conflicts") }, func() fyne.CanvasObject { return newConflictList(e) })
}

func newConflictList(e *env) fyne.CanvasObject {
	list := container.NewVBox()
	load(e, func(ctx context.Context) ([]store.Conflict, error) { return e.staffSrc.Conflicts(ctx, 0) },
		func(all []store.Conflict, err error) {
			if err != nil {
				list.Add(e.errorText(err))
				return
			}
			if len(all) == 0 {
				list.Add(para(e.L("staff.no_conflicts")))
				return
			}
			list.Add(staffNote(e.L("staff.conflicts_hint")))
			for _, c := range all {
				c := c
				v := decodeConflict(c)
				title := joinDot(c.ItemKind.Label(e.lang), v.name())
				when := e.Lf("staff.conflict_when", c.CreatedAt.In(e.now().Location()).Format("2006-01-02 15:04"))
				content := container.NewVBox(subheading(title), staffNote(when))
				list.Add(e.card(title, content, func() { openConflict(e, c) }))
			}
		})
	return e.scrollPages(container.NewPadded(list))
}

// conflictView is a conflict decoded for showing: the district's item and
// the edit, each nil when it is a deletion.
type conflictView struct {
	kind           data.Kind
	server, mine   json.RawMessage
	mineIsWithdraw bool
}

// decodeConflict reads the local side, which is the outbox body of the
// edit (the edit with its base version), or the bare item.
func decodeConflict(c store.Conflict) conflictView {
	v := conflictView{kind: c.ItemKind}
	if !isNull(c.Server) {
		v.server = c.Server
	}
	var edit struct {
		Op   data.Op         `json:"op"`
		Item json.RawMessage `json:"item"`
	}
	if json.Unmarshal(c.Local, &edit) == nil && edit.Op != "" {
		if edit.Op == data.OpDelete {
			v.mineIsWithdraw = true
		} else if !isNull(edit.Item) {
			v.mine = edit.Item
		}
	} else if !isNull(c.Local) {
		v.mine = c.Local
	}
	return v
}

func isNull(b json.RawMessage) bool {
	b = bytes.TrimSpace(b)
	return len(b) == 0 || bytes.Equal(b, []byte("null"))
}

// name is the item's name or title, from whichever side has it.
func (v conflictView) name() string {
	for _, raw := range []json.RawMessage{v.mine, v.server} {
		var x struct{ Name, Title string }
		if raw != nil && json.Unmarshal(raw, &x) == nil {
			if x.Name != "" {
				return x.Name
			}
			if x.Title != "" {
				return x.Title
			}
		}
	}
	return ""
}

// fieldValue is one field of an item as the comparison shows it.
type fieldValue struct{ label, value string }

// itemFields lists the fields of an item of kind in reading order, as
// text. An item that does not decode is shown as its JSON.
func (e *env) itemFields(kind data.Kind, raw json.RawMessage) []fieldValue {
	switch kind {
	case data.KindProvider:
		var p data.Provider
		if json.Unmarshal(raw, &p) == nil {
			return []fieldValue{
				{e.L("staff.name"), p.Name},
				{e.L("staff.kind"), p.Kind.Label(e.lang)},
				{e.L("staff.category"), p.Category},
				{e.L("provider.address"), p.Address},
				{e.L("provider.phone"), p.Phone},
				{e.L("provider.hours"), p.Hours.Summary(e.lang)},
				{e.L("provider.services"), strings.Join(p.Services, e.L("list.separator"))},
				{e.L("provider.description"), p.Description},
			}
		}
	case data.KindNotice:
		var n data.Notice
		if json.Unmarshal(raw, &n) == nil {
			pinned := e.L("staff.not_pinned")
			if n.Pinned {
				pinned = e.L("staff.pinned")
			}
			return []fieldValue{
				{e.L("staff.notice_title"), n.Title},
				{e.L("staff.category"), n.Category},
				{e.L("staff.publisher"), n.Publisher},
				{e.L("staff.published"), e.date(n.Published)},
				{e.L("staff.pin"), pinned},
				{e.L("staff.notice_body"), n.Body},
			}
		}
	}
	return []fieldValue{{e.L("staff.raw"), string(raw)}}
}

// diffTint is the background of a field that differs: white text is not
// used on it, and the theme's text on it keeps more than 12:1.
var diffTint = color.NRGBA{0xff, 0xec, 0xb3, 0xff}

// openConflict shows one conflict side by side with the two choices.
func openConflict(e *env, c store.Conflict) {
	e.open(func() string { return e.L("staff.conflict") }, func() fyne.CanvasObject { return newConflict(e, c) })
}

func newConflict(e *env, c store.Conflict) fyne.CanvasObject {
	v := decodeConflict(c)
	side := func(raw json.RawMessage) []fieldValue {
		if raw == nil {
			return nil
		}
		return e.itemFields(v.kind, raw)
	}
	theirs, mine := side(v.server), side(v.mine)
	// The labels of whichever side has fields; a deleted side shows a note.
	labels := theirs
	if labels == nil {
		labels = mine
	}
	cell := func(text string, differs bool) fyne.CanvasObject {
		l := para(text)
		if differs {
			l.TextStyle.Bold = true
			bg := canvas.NewRectangle(diffTint)
			bg.CornerRadius = 4
			return container.NewStack(bg, l)
		}
		return l
	}
	head := container.NewGridWithColumns(2,
		subheading(e.Lf("staff.theirs", c.ServerVersion)),
		subheading(e.Lf("staff.mine", c.BaseVersion)))
	rows := container.NewVBox(staffNote(e.L("staff.conflict_hint")), head, widget.NewSeparator())
	switch {
	case theirs == nil || mine == nil:
		t, m := e.L("staff.deleted_there"), e.L("staff.withdrawn_here")
		if theirs != nil {
			t = e.L("staff.still_there")
		}
		if mine != nil {
			m = e.L("staff.edited_here")
		}
		if !v.mineIsWithdraw && mine == nil {
			m = e.L("staff.raw") + " " + string(c.Local)
		}
		rows.Add(container.NewGridWithColumns(2, cell(t, true), cell(m, true)))
		for _, f := range labels {
			rows.Add(fieldLabel(f.label, false))
			tv, mv := "", ""
			if theirs != nil {
				tv = f.value
			} else {
				mv = f.value
			}
			rows.Add(container.NewGridWithColumns(2, cell(tv, false), cell(mv, false)))
		}
	default:
		for i, f := range theirs {
			mv := ""
			if i < len(mine) {
				mv = mine[i].value
			}
			differs := f.value != mv
			text := f.label
			if differs {
				text += e.L("staff.differs")
			}
			rows.Add(fieldLabel(text, differs))
			rows.Add(container.NewGridWithColumns(2, cell(f.value, differs), cell(mv, differs)))
		}
	}
	name := v.name()
	decide := func(keepMine bool) func() {
		return func() {
			title, question, ok := e.L("staff.drop_mine"), e.Lf("staff.drop_confirm", name), e.L("staff.drop_ok")
			if keepMine {
				title, question, ok = e.L("staff.keep_mine"), e.Lf("staff.keep_confirm", name), e.L("staff.keep_ok")
			}
			openConfirm(e, title, question, ok, func(ctx context.Context, by data.Staff, now time.Time) error {
				return e.staffSrc.ResolveConflict(ctx, by, c.ID, keepMine, now)
			}, func() { e.back(); e.back() })
		}
	}
	drop := e.button(e.L("staff.drop_mine"), theme.CancelIcon(), decide(false))
	keep := e.primary(e.L("staff.keep_mine"), theme.ConfirmIcon(), decide(true))
	bar := container.NewVBox(widget.NewSeparator(), container.NewGridWithColumns(2, drop, keep))
	return container.NewBorder(subheading(joinDot(c.ItemKind.Label(e.lang), name)), bar, nil, nil, e.scrollPages(rows))
}

// fieldLabel names a field above its two versions: muted, so the values
// stand out, unless the versions differ.
func fieldLabel(text string, differs bool) *widget.Label {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	if !differs {
		l.Importance = widget.LowImportance
	}
	return l
}
