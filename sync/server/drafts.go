package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"jiezhen/data"
)

// Content drafts (docs/ADMIN.md, "Content and review"): the back office's
// editors write an item as a draft, outside the feed; a reviewer who is
// neither its author nor its last editor publishes it through the same
// checks and the same write as `districtd publish` (publishTx), at once
// or at its publish-at time, and withdraws it through Unpublish's
// (unpublishTx), by hand or at its expire-at time. Every move is a row of
// its history. Nothing of a draft reaches the feed, a bundle or the
// website before it is published.

// DraftState is where a draft is in its lifecycle.
type DraftState string

const (
	DraftDraft     DraftState = "draft"     // 草稿: the editors' to change
	DraftPending   DraftState = "pending"   // 待审核: waiting for a reviewer
	DraftScheduled DraftState = "scheduled" // 待发布: approved, published at its publish-at
	DraftPublished DraftState = "published" // 已发布
	DraftWithdrawn DraftState = "withdrawn" // 已撤下
	// DraftReplaced: was published, and a later draft of the same item
	// has been published since.
	DraftReplaced DraftState = "replaced"
)

// DraftStates lists the states in lifecycle order.
var DraftStates = []DraftState{DraftDraft, DraftPending, DraftScheduled, DraftPublished, DraftWithdrawn, DraftReplaced}

// Label is the state's name in the language.
func (s DraftState) Label(l data.Lang) string {
	names := map[DraftState][2]string{
		DraftDraft:     {"草稿", "Draft"},
		DraftPending:   {"待审核", "Waiting for review"},
		DraftScheduled: {"待发布", "Scheduled"},
		DraftPublished: {"已发布", "Published"},
		DraftWithdrawn: {"已撤下", "Withdrawn"},
		DraftReplaced:  {"已被新版本替代", "Replaced by a later version"},
	}
	v, ok := names[s]
	switch {
	case !ok:
		return string(s)
	case l == data.EN:
		return v[1]
	}
	return v[0]
}

// DraftKinds are the kinds the back office drafts: every content kind
// but streets and staff accounts, which districtd's commands manage.
var DraftKinds = []data.Kind{data.KindNotice, data.KindCatalog, data.KindService, data.KindProvider, data.KindConsultation, data.KindCalendar}

// Draft is one draft of a content item.
type Draft struct {
	ID     int64
	Kind   data.Kind
	ItemID string
	Street string // "" for district-wide
	Body   json.RawMessage
	State  DraftState
	// BaseVersion is the published item's version the draft was made
	// from, 0 for a new item; PublishedVersion the version publishing
	// it made.
	BaseVersion, PublishedVersion  int64
	AuthorID, EditorID, ReviewerID int64
	Author, Editor, Reviewer       string
	Reason                         string // the last rejection's reason
	PublishAt, ExpireAt            *time.Time
	CreatedAt, UpdatedAt           time.Time
}

// DraftEvent is one move of a draft. By 0 is the district's scheduler.
type DraftEvent struct {
	At       time.Time
	ByID     int64
	By       string
	From, To DraftState
	Note     string
}

// DraftFilter selects drafts. Streets, when not nil, are the only streets
// whose drafts are listed, with the district-wide ones; the other fields
// select all when empty.
type DraftFilter struct {
	Streets []string
	Street  string // one street ("-" for the district-wide ones)
	State   DraftState
	Kind    data.Kind
	Author  int64
	// NotBy leaves out the drafts this user wrote or last changed: those
	// it may not review.
	NotBy int64
	Limit int
}

// draftReader and draftWriter are the drafts' part of ReadTx and Tx.
type draftReader interface {
	Draft(id int64) (Draft, error)
	Drafts(f DraftFilter) ([]Draft, error)
	DraftEvents(id int64) ([]DraftEvent, error)
	// DueDrafts lists the scheduled drafts whose publish-at is at or
	// before now, and the published ones whose expire-at is.
	DueDrafts(now time.Time) ([]Draft, error)
	// StreetItems lists live items of a kind of the streets (nil: all)
	// and the district-wide ones, by id.
	ScopedItems(kind data.Kind, streets []string) ([]Item, error)
	// StaffEdits lists the content edits kiosks' staff made (audit
	// action "edit") of the streets (nil: all), newest first.
	StaffEdits(streets []string, limit int) ([]AuditRecord, error)
}

type draftWriter interface {
	AddDraft(d Draft) (int64, error)
	// PutDraft writes every field of a draft that is there.
	PutDraft(d Draft) error
	AddDraftEvent(id int64, e DraftEvent) error
}

// writesStreet reports whether u may draft items of street ("" for
// district-wide): a user scoped to streets writes only theirs, a user of
// the whole district any.
func writesStreet(u User, street string) bool {
	if len(u.Streets) == 0 {
		return true
	}
	return street != "" && slices.Contains(u.Streets, street)
}

// streetsOf is the streets u's lists are scoped to, nil for all.
func streetsOf(u User) []string {
	if len(u.Streets) == 0 {
		return nil
	}
	return u.Streets
}

// DraftConflict is a move the draft's state or the published item does
// not allow now; its message says why.
func draftConflict(format string, args ...any) error {
	return errorf(http.StatusConflict, "", format, args...)
}

// ErrTwoPerson refuses a review by the draft's author or last editor.
var ErrTwoPerson = errorf(http.StatusForbidden, "", "a draft is reviewed by someone other than its author and its last editor")

// ErrNoReason refuses a rejection without a reason.
var ErrNoReason = errorf(http.StatusUnprocessableEntity, "", "a rejection needs a reason")

// DraftInput is what an editor writes: the item's body and when it is to
// be published and withdrawn (nil: at approval, never).
type DraftInput struct {
	Body                json.RawMessage
	PublishAt, ExpireAt *time.Time
}

// readDraftItem reads a draft's body as publishing would on the day it
// is to be published (the later of today and its publish-at), and
// returns the change with the item's street. A problem is a
// data.ContentErrors or a one-line error.
func (p *Platform) readDraftItem(kind data.Kind, in DraftInput) (data.Change, string, error) {
	if !slices.Contains(DraftKinds, kind) {
		return data.Change{}, "", errorf(http.StatusUnprocessableEntity, "", "%q is not a kind the back office drafts", kind)
	}
	day := p.today()
	if in.PublishAt != nil {
		if d := data.DateOf(in.PublishAt.In(china)); d.After(day) {
			day = d
		}
	}
	if in.PublishAt != nil && in.ExpireAt != nil && !in.ExpireAt.After(*in.PublishAt) {
		return data.Change{}, "", data.ContentErrors{{Kind: kind, Field: "expire_at", Problem: "expire_at is not after publish_at"}}
	}
	c, err := data.ReadItem(kind, in.Body, day)
	if err != nil {
		var ce data.ContentErrors
		if errors.As(err, &ce) {
			return data.Change{}, "", ce
		}
		return data.Change{}, "", errorf(http.StatusUnprocessableEntity, "", "%v", oneLine(err))
	}
	street, err := streetOf(c)
	if err != nil {
		return data.Change{}, "", errorf(http.StatusUnprocessableEntity, "", "%v", err)
	}
	return c, street, nil
}

// SaveDraft stores a new draft (id 0) or changes a draft in state draft;
// the item must pass the checks publishing makes. A new draft of an item
// that is published must be made with EditItem. Saving moves the draft
// onto the published item's current version: what it changes is shown
// against that one.
func (p *Platform) SaveDraft(ctx context.Context, u User, id int64, kind data.Kind, in DraftInput) (Draft, error) {
	if !u.Has(RoleEditor) {
		return Draft{}, ErrForbidden
	}
	c, street, err := p.readDraftItem(kind, in)
	if err != nil {
		return Draft{}, err
	}
	if !writesStreet(u, street) {
		return Draft{}, ErrForbidden
	}
	now := p.clock()
	var d Draft
	err = p.store.Write(ctx, func(tx Tx) error {
		if err := knownStreetOrDistrict(tx, street); err != nil {
			return err
		}
		cur, err := tx.Item(c.Kind, c.ID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		if id == 0 {
			if err == nil && !cur.Deleted {
				return draftConflict("%s %q is published already: edit it from its page", c.Kind, c.ID)
			}
			d = Draft{Kind: c.Kind, ItemID: c.ID, State: DraftDraft, AuthorID: u.ID, Author: u.Name, CreatedAt: now}
		} else {
			if d, err = tx.Draft(id); err != nil {
				return err
			}
			if !writesStreet(u, d.Street) {
				return ErrForbidden
			}
			if d.State != DraftDraft {
				return draftConflict("the draft is %s: only a draft in 草稿 is changed", d.State)
			}
			if d.Kind != c.Kind || d.ItemID != c.ID {
				return draftConflict("the draft is of %s %q, not %s %q", d.Kind, d.ItemID, c.Kind, c.ID)
			}
		}
		d.Street, d.Body, d.BaseVersion = street, c.Body, cur.Version
		d.EditorID, d.Editor, d.UpdatedAt = u.ID, u.Name, now
		d.PublishAt, d.ExpireAt = in.PublishAt, in.ExpireAt
		if id == 0 {
			if d.ID, err = tx.AddDraft(d); err != nil {
				return err
			}
			return tx.AddDraftEvent(d.ID, DraftEvent{At: now, ByID: u.ID, By: u.Name, To: DraftDraft})
		}
		return tx.PutDraft(d)
	})
	return d, err
}

// knownStreetOrDistrict refuses an item of a street the district has not
// published.
func knownStreetOrDistrict(tx ReadTx, street string) error {
	if street == "" {
		return nil
	}
	if err := knownStreet(tx, street); err != nil {
		return errorf(http.StatusUnprocessableEntity, "", "%v", err)
	}
	return nil
}

// EditItem makes a draft of a published item, with its version: the
// editor changes it as a new draft.
func (p *Platform) EditItem(ctx context.Context, u User, kind data.Kind, itemID string) (Draft, error) {
	if !u.Has(RoleEditor) {
		return Draft{}, ErrForbidden
	}
	if !slices.Contains(DraftKinds, kind) {
		return Draft{}, ErrNotFound
	}
	now := p.clock()
	var d Draft
	err := p.store.Write(ctx, func(tx Tx) error {
		cur, err := tx.Item(kind, itemID)
		if err != nil {
			return err
		}
		if cur.Deleted {
			return ErrNotFound
		}
		if !writesStreet(u, cur.Street) {
			return ErrForbidden
		}
		d = Draft{Kind: kind, ItemID: itemID, Street: cur.Street, Body: cur.Body, State: DraftDraft, BaseVersion: cur.Version,
			AuthorID: u.ID, Author: u.Name, EditorID: u.ID, Editor: u.Name, CreatedAt: now, UpdatedAt: now}
		if d.ID, err = tx.AddDraft(d); err != nil {
			return err
		}
		return tx.AddDraftEvent(d.ID, DraftEvent{At: now, ByID: u.ID, By: u.Name, To: DraftDraft, Note: fmt.Sprintf("version %d", cur.Version)})
	})
	return d, err
}

// Draft reads one draft with its history; a draft of a street u does not
// see is ErrForbidden.
func (p *Platform) Draft(ctx context.Context, u User, id int64) (Draft, []DraftEvent, error) {
	var d Draft
	var evs []DraftEvent
	err := p.store.Read(ctx, func(tx ReadTx) (err error) {
		if d, err = tx.Draft(id); err != nil {
			return err
		}
		if !u.SeesStreet(d.Street) {
			d = Draft{}
			return ErrForbidden
		}
		evs, err = tx.DraftEvents(id)
		return err
	})
	return d, evs, err
}

// Drafts lists the drafts f selects among those u sees, newest change
// first.
func (p *Platform) Drafts(ctx context.Context, u User, f DraftFilter) ([]Draft, error) {
	f.Streets = streetsOf(u)
	if f.Street != "" && f.Street != "-" && !u.SeesStreet(f.Street) {
		return nil, ErrForbidden
	}
	var out []Draft
	err := p.store.Read(ctx, func(tx ReadTx) (err error) {
		out, err = tx.Drafts(f)
		return err
	})
	return out, err
}

// ScopedContent lists the live items of a kind u sees: those of u's
// streets and the district-wide ones.
func (p *Platform) ScopedContent(ctx context.Context, u User, kind data.Kind) ([]Item, error) {
	var out []Item
	err := p.store.Read(ctx, func(tx ReadTx) (err error) {
		out, err = tx.ScopedItems(kind, streetsOf(u))
		return err
	})
	return out, err
}

// StaffEdits lists the content edits street staff made on kiosks of the
// streets u sees, newest first, at most limit.
func (p *Platform) StaffEdits(ctx context.Context, u User, limit int) ([]AuditRecord, error) {
	var out []AuditRecord
	err := p.store.Read(ctx, func(tx ReadTx) (err error) {
		out, err = tx.StaffEdits(streetsOf(u), limit)
		return err
	})
	return out, err
}

// move runs one move of a draft in a write transaction: fn checks the
// draft and changes it (and may publish); the draft and its event are
// written after it.
func (p *Platform) move(ctx context.Context, u User, id int64, to func(tx Tx, d *Draft, now time.Time) (DraftState, string, error)) (Draft, error) {
	now := p.clock()
	var d Draft
	err := p.store.Write(ctx, func(tx Tx) (err error) {
		if d, err = tx.Draft(id); err != nil {
			return err
		}
		if !u.SeesStreet(d.Street) {
			return ErrForbidden
		}
		from := d.State
		state, note, err := to(tx, &d, now)
		if err != nil {
			return err
		}
		d.State, d.UpdatedAt = state, now
		if err := tx.PutDraft(d); err != nil {
			return err
		}
		return tx.AddDraftEvent(d.ID, DraftEvent{At: now, ByID: u.ID, By: u.Name, From: from, To: state, Note: note})
	})
	return d, err
}

// SubmitDraft sends a draft for review: its item must pass publishing's
// checks.
func (p *Platform) SubmitDraft(ctx context.Context, u User, id int64) (Draft, error) {
	if !u.Has(RoleEditor) {
		return Draft{}, ErrForbidden
	}
	return p.move(ctx, u, id, func(tx Tx, d *Draft, _ time.Time) (DraftState, string, error) {
		if !writesStreet(u, d.Street) {
			return "", "", ErrForbidden
		}
		if d.State != DraftDraft {
			return "", "", draftConflict("the draft is %s, not 草稿", d.State.Label(data.ZH))
		}
		if _, _, err := p.readDraftItem(d.Kind, DraftInput{Body: d.Body, PublishAt: d.PublishAt, ExpireAt: d.ExpireAt}); err != nil {
			return "", "", err
		}
		d.Reason = ""
		return DraftPending, "", nil
	})
}

// RejectDraft sends a draft waiting for review back to its editors with a
// reason, which it needs.
func (p *Platform) RejectDraft(ctx context.Context, u User, id int64, reason string) (Draft, error) {
	if !u.Has(RoleReviewer) {
		return Draft{}, ErrForbidden
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return Draft{}, ErrNoReason
	}
	if err := data.CheckFields(struct {
		Reason string `json:"reason" limit:"text"`
	}{reason}); err != nil {
		return Draft{}, errorf(http.StatusUnprocessableEntity, "", "%v", err)
	}
	return p.move(ctx, u, id, func(tx Tx, d *Draft, _ time.Time) (DraftState, string, error) {
		if d.State != DraftPending {
			return "", "", draftConflict("the draft is %s, not 待审核", d.State.Label(data.ZH))
		}
		if d.AuthorID == u.ID || d.EditorID == u.ID {
			return "", "", ErrTwoPerson
		}
		d.Reason, d.ReviewerID, d.Reviewer = reason, u.ID, u.Name
		return DraftDraft, reason, nil
	})
}

// ApproveDraft publishes a draft waiting for review, or schedules it when
// its publish-at is still to come. The reviewer is neither its author
// nor its last editor (ErrTwoPerson).
func (p *Platform) ApproveDraft(ctx context.Context, u User, id int64) (Draft, error) {
	if !u.Has(RoleReviewer) {
		return Draft{}, ErrForbidden
	}
	d, err := p.move(ctx, u, id, func(tx Tx, d *Draft, now time.Time) (DraftState, string, error) {
		if d.State != DraftPending {
			return "", "", draftConflict("the draft is %s, not 待审核", d.State.Label(data.ZH))
		}
		if d.AuthorID == u.ID || d.EditorID == u.ID {
			return "", "", ErrTwoPerson
		}
		d.ReviewerID, d.Reviewer = u.ID, u.Name
		if d.PublishAt != nil && d.PublishAt.After(now) {
			// Checked now as on its day; checked again when published.
			if _, _, err := p.readDraftItem(d.Kind, DraftInput{Body: d.Body, PublishAt: d.PublishAt, ExpireAt: d.ExpireAt}); err != nil {
				return "", "", err
			}
			return DraftScheduled, "", nil
		}
		if err := p.publishDraftTx(tx, d); err != nil {
			return "", "", err
		}
		return DraftPublished, fmt.Sprintf("version %d", d.PublishedVersion), nil
	})
	if err == nil && d.State == DraftPublished {
		p.log.Info("draft published", "draft", d.ID, "kind", string(d.Kind), "id", d.ItemID, "version", d.PublishedVersion)
	}
	return d, err
}

// WithdrawDraft takes a published draft's item out of the feed
// (Unpublish's write), or a scheduled draft off the schedule.
func (p *Platform) WithdrawDraft(ctx context.Context, u User, id int64, note string) (Draft, error) {
	if !u.Has(RoleReviewer) {
		return Draft{}, ErrForbidden
	}
	note = strings.TrimSpace(note)
	if err := data.CheckFields(struct {
		Note string `json:"note" limit:"text"`
	}{note}); err != nil {
		return Draft{}, errorf(http.StatusUnprocessableEntity, "", "%v", err)
	}
	d, err := p.move(ctx, u, id, func(tx Tx, d *Draft, now time.Time) (DraftState, string, error) {
		switch d.State {
		case DraftScheduled:
			return DraftWithdrawn, note, nil
		case DraftPublished:
			if _, err := unpublishTx(tx, d.Kind, d.ItemID, now); err != nil {
				return "", "", err
			}
			return DraftWithdrawn, note, nil
		}
		return "", "", draftConflict("the draft is %s: only a published or scheduled draft is withdrawn", d.State.Label(data.ZH))
	})
	if err == nil {
		p.log.Info("draft withdrawn", "draft", d.ID, "kind", string(d.Kind), "id", d.ItemID)
	}
	return d, err
}

// publishDraftTx publishes a draft's item in tx through publishing's own
// checks and write, onto the version the draft was made from; an earlier
// published draft of the item becomes replaced.
func (p *Platform) publishDraftTx(tx Tx, d *Draft) error {
	c, _, err := p.readDraftItem(d.Kind, DraftInput{Body: d.Body})
	if err != nil {
		return err
	}
	cur, err := tx.Item(d.Kind, d.ItemID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	if cur.Version != d.BaseVersion {
		return draftConflict("%s %q has changed since the draft was made (version %d, now %d): open the draft, check it and send it again",
			d.Kind, d.ItemID, d.BaseVersion, cur.Version)
	}
	var res PublishResult
	if err := p.publishTx(tx, []data.Change{c}, nil, &res); err != nil {
		return err
	}
	after, err := tx.Item(d.Kind, d.ItemID)
	if err != nil {
		return err
	}
	d.PublishedVersion = after.Version
	older, err := tx.Drafts(DraftFilter{State: DraftPublished, Kind: d.Kind})
	if err != nil {
		return err
	}
	for _, o := range older {
		if o.ItemID != d.ItemID || o.ID == d.ID {
			continue
		}
		from := o.State
		o.State, o.UpdatedAt = DraftReplaced, d.UpdatedAt
		if err := tx.PutDraft(o); err != nil {
			return err
		}
		if err := tx.AddDraftEvent(o.ID, DraftEvent{At: p.clock(), From: from, To: DraftReplaced, Note: fmt.Sprintf("draft %d", d.ID)}); err != nil {
			return err
		}
	}
	return nil
}

// ScheduleResult counts what RunSchedule did.
type ScheduleResult struct {
	Published, Withdrawn int
	// Failed are the scheduled drafts that could not be published (the
	// item changed meanwhile, or a check fails on the day): each goes
	// back to 草稿 with the reason.
	Failed int
}

// RunSchedule publishes every scheduled draft whose publish-at has come
// and withdraws every published one whose expire-at has, in one write
// transaction: run by several districtd processes at once, each draft
// moves once (the second finds it moved). serve runs it on a ticker and
// the back office before it lists or shows drafts.
func (p *Platform) RunSchedule(ctx context.Context) (ScheduleResult, error) {
	var res ScheduleResult
	now := p.clock()
	// A read first: most of the time nothing is due, and a write would
	// queue behind the pushes for nothing.
	var due []Draft
	if err := p.store.Read(ctx, func(tx ReadTx) (err error) {
		due, err = tx.DueDrafts(now)
		return err
	}); err != nil || len(due) == 0 {
		return res, err
	}
	err := p.store.Write(ctx, func(tx Tx) error {
		res = ScheduleResult{}
		due, err := tx.DueDrafts(now)
		if err != nil {
			return err
		}
		for _, d := range due {
			from := d.State
			ev := DraftEvent{At: now, From: from}
			switch from {
			case DraftScheduled:
				// Each draft in its own savepoint would need the store's
				// help; a refusal is known before anything is written.
				if err := p.publishDraftTx(tx, &d); err != nil {
					var se *Error
					var ce data.ContentErrors
					if !errors.As(err, &se) && !errors.As(err, &ce) {
						return err
					}
					d.State, d.Reason = DraftDraft, oneLine(err).Error()
					ev.Note = d.Reason
					res.Failed++
				} else {
					d.State = DraftPublished
					ev.Note = fmt.Sprintf("version %d", d.PublishedVersion)
					res.Published++
				}
			case DraftPublished:
				cur, err := tx.Item(d.Kind, d.ItemID)
				if err != nil && !errors.Is(err, ErrNotFound) {
					return err
				}
				if err == nil && !cur.Deleted && cur.Version == d.PublishedVersion {
					if _, err := unpublishTx(tx, d.Kind, d.ItemID, now); err != nil {
						return err
					}
				}
				d.State = DraftWithdrawn
				res.Withdrawn++
			default:
				continue
			}
			ev.To, d.UpdatedAt = d.State, now
			if err := tx.PutDraft(d); err != nil {
				return err
			}
			if err := tx.AddDraftEvent(d.ID, ev); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return ScheduleResult{}, err
	}
	if res != (ScheduleResult{}) {
		p.log.Info("content schedule", "published", res.Published, "withdrawn", res.Withdrawn, "failed", res.Failed)
	}
	return res, nil
}
