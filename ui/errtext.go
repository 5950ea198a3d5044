package ui

import (
	"context"
	"errors"

	"jiezhen/data"
	"jiezhen/data/store"
)

// errText words err for the screen in the kiosk's language: residents and
// staff never see Go's error text. The errors the store and the domain
// name (sentinels and typed errors) have their own messages; anything else
// is one plain sentence. The error itself goes to the kiosk's log, where
// staff can read it on the health screen.
func (e *env) errText(err error) string {
	e.logError(err)
	var fe *data.FieldError
	switch {
	case errors.As(err, &fe):
		return fe.Reason.Message(e.lang)
	case errors.Is(err, store.ErrNotFound):
		return e.L("error.not_found")
	case errors.Is(err, store.ErrDamaged):
		return e.L("damaged.title")
	case errors.Is(err, store.ErrRedacted):
		return e.L("error.redacted")
	case errors.Is(err, store.ErrEdit):
		return e.L("error.edit_refused")
	case errors.Is(err, store.ErrNoToken):
		return e.L("staff.no_token")
	case errors.Is(err, store.ErrNoPINKey):
		return e.L("staff.no_pin_key")
	case errors.Is(err, data.ErrNotOpen):
		return e.L("opinion.closed")
	case errors.Is(err, context.DeadlineExceeded):
		return e.L("error.timeout")
	}
	var ce data.ContentErrors
	if errors.As(err, &ce) {
		return e.L("error.content")
	}
	return e.L("error.unexpected")
}

// logError records an error whose message the screen shows in words.
func (e *env) logError(err error) {
	if err != nil && e.log != nil {
		e.log.Warn("ui: shown to the user in words", "error", err)
	}
}
