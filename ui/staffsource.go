package ui

import (
	"context"
	"encoding/json"
	"time"

	"jiezhen/data"
	"jiezhen/data/store"
)

// StaffStore is what staff mode needs from the kiosk's store: the
// accounts and the sign-in with its lock-out, the edits that go to the
// district through the outbox, the conflicts and dead letters waiting for
// a decision, and the kiosk's health. *store.Store satisfies it. Every
// call that changes something takes the staff member who did it, and the
// store records it in the audit log.
type StaffStore interface {
	StaffAccounts(ctx context.Context) ([]data.Staff, error)
	SignIn(ctx context.Context, staffID, pin string, now time.Time) (data.Staff, error)
	AuditAction(ctx context.Context, by data.Staff, action, detail string, now time.Time) error

	Get(ctx context.Context, kind data.Kind, id string) (json.RawMessage, int64, error)
	EditContent(ctx context.Context, by data.Staff, e store.ContentEdit, now time.Time) error
	WaitingEdits(ctx context.Context) (map[string]bool, error)

	Conflicts(ctx context.Context, limit int) ([]store.Conflict, error)
	ResolveConflict(ctx context.Context, by data.Staff, conflictID int64, keepMine bool, now time.Time) error

	DeadLetters(ctx context.Context, limit int) ([]store.DeadLetterItem, error)
	RetryDeadLetter(ctx context.Context, by data.Staff, id string, now time.Time) error
	DiscardDeadLetter(ctx context.Context, by data.Staff, id string, now time.Time) error

	Health(ctx context.Context) (store.Health, error)
}

var _ StaffStore = (*store.Store)(nil)

// waitKey is how WaitingEdits names an item.
func waitKey(kind data.Kind, id string) string { return string(kind) + "/" + id }

// waiting reports whether a staff edit of the item is on its way to the
// district. It reads the database: call it off the Fyne goroutine. A
// kiosk without staff mode has no such edits.
func (e *env) waiting(ctx context.Context, kind data.Kind, id string) bool {
	if e.staffSrc == nil {
		return false
	}
	w, err := e.staffSrc.WaitingEdits(ctx)
	return err == nil && w[waitKey(kind, id)]
}
