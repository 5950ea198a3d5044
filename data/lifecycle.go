package data

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// lifecycle is one kind's statuses in display order and the moves allowed
// out of each.
type lifecycle struct {
	statuses []Status
	moves    map[Status][]Status
}

// lifecycles follow the procedures in docs/DOMAIN.md. A move not listed here is
// refused, so a case can never skip a step the resident is owed (e.g. a
// disclosure request cannot be completed without a reply).
var lifecycles = map[CaseKind]lifecycle{
	CaseApplication: {
		statuses: []Status{StatusSubmitted, StatusReceived, StatusAccepted, StatusCorrection, StatusRefused, StatusInProgress, StatusCompleted, StatusRated},
		moves: map[Status][]Status{
			StatusSubmitted:  {StatusReceived},
			StatusReceived:   {StatusAccepted, StatusCorrection, StatusRefused},
			StatusCorrection: {StatusReceived, StatusRefused},
			// Straight to completed: an 即办件 is done on the spot.
			StatusAccepted:   {StatusInProgress, StatusCompleted},
			StatusInProgress: {StatusCompleted},
			StatusCompleted:  {StatusRated},
		},
	},
	CaseAppeal: {
		statuses: []Status{StatusSubmitted, StatusReceived, StatusDispatched, StatusInProgress, StatusReplied, StatusCompleted, StatusRated, StatusMerged},
		moves: map[Status][]Status{
			StatusSubmitted: {StatusReceived},
			// Straight to replied: an enquiry answered at once.
			StatusReceived:   {StatusDispatched, StatusReplied, StatusMerged},
			StatusDispatched: {StatusInProgress, StatusMerged},
			StatusInProgress: {StatusReplied},
			StatusReplied:    {StatusCompleted},
			StatusCompleted:  {StatusRated},
		},
	},
	CaseDisclosure: {
		statuses: []Status{StatusSubmitted, StatusReceived, StatusCorrection, StatusInProgress, StatusExtended, StatusReplied, StatusCompleted, StatusRated},
		moves: map[Status][]Status{
			StatusSubmitted:  {StatusReceived},
			StatusReceived:   {StatusCorrection, StatusInProgress, StatusExtended, StatusReplied},
			StatusCorrection: {StatusReceived},
			StatusInProgress: {StatusExtended, StatusReplied},
			StatusExtended:   {StatusReplied},
			StatusReplied:    {StatusCompleted},
			StatusCompleted:  {StatusRated},
		},
	},
}

// Valid reports whether k is a known case kind.
func (k CaseKind) Valid() bool {
	_, ok := lifecycles[k]
	return ok
}

// Statuses lists the statuses a case of kind k can have, in the order the
// kiosk shows them; nil for an unknown kind.
func (k CaseKind) Statuses() []Status {
	return slices.Clone(lifecycles[k].statuses)
}

// Next lists the statuses a case of kind k may move to from from.
func (k CaseKind) Next(from Status) []Status {
	return slices.Clone(lifecycles[k].moves[from])
}

// Final reports whether no move leads out of s for kind k (rated, refused,
// merged).
func (k CaseKind) Final(s Status) bool {
	lc, ok := lifecycles[k]
	return ok && slices.Contains(lc.statuses, s) && len(lc.moves[s]) == 0
}

func (k CaseKind) noun() string {
	switch k {
	case CaseApplication:
		return "an application"
	case CaseAppeal:
		return "an appeal"
	case CaseDisclosure:
		return "a disclosure request"
	}
	return fmt.Sprintf("a %q case", string(k))
}

// quoteStatus names a status for error messages with its Chinese label, so
// that a district clerk reading a log recognises it.
func quoteStatus(s Status) string {
	zh := s.Label(ZH)
	if zh == string(s) {
		return fmt.Sprintf("%q", string(s))
	}
	return fmt.Sprintf("%q (%s)", string(s), zh)
}

// CanMove returns nil if a case of kind k may move from one status to the
// other, or an error naming both.
func (k CaseKind) CanMove(from, to Status) error {
	lc, ok := lifecycles[k]
	if !ok {
		return fmt.Errorf("unknown case kind %q", string(k))
	}
	for _, s := range []Status{from, to} {
		if !slices.Contains(lc.statuses, s) {
			return fmt.Errorf("cannot move %s from %s to %s: %s is not a status of %s",
				k.noun(), quoteStatus(from), quoteStatus(to), quoteStatus(s), k.noun())
		}
	}
	if !slices.Contains(lc.moves[from], to) {
		return fmt.Errorf("cannot move %s from %s to %s", k.noun(), quoteStatus(from), quoteStatus(to))
	}
	return nil
}

// NeedsReason reports whether a move to s must say why: every refusal,
// correction notice, extension, merge and closure carries its reason.
func NeedsReason(s Status) bool {
	switch s {
	case StatusRefused, StatusCorrection, StatusExtended, StatusMerged, StatusCompleted:
		return true
	}
	return false
}

// ErrNoReason is returned by Move when a move that must say why does not.
var ErrNoReason = errors.New("this move needs a reason")

// Move moves c to status to at time at (the district's clock) and records
// the transition. It refuses moves the kind's lifecycle does not allow,
// moves that need a reason and lack one, a second extension of a
// disclosure request, a second correction notice on one (the 2019
// regulations allow one of each), and a time earlier than the last
// recorded move. On error c is unchanged.
func (c *Case) Move(to Status, at time.Time, reason string) error {
	if err := c.Kind.CanMove(c.Status, to); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if NeedsReason(to) && reason == "" {
		return fmt.Errorf("move to %s: %w", quoteStatus(to), ErrNoReason)
	}
	if c.Kind == CaseDisclosure && (to == StatusExtended || to == StatusCorrection) {
		for _, t := range c.History {
			if t.To == to {
				return fmt.Errorf("cannot move a disclosure request to %s twice: it is allowed once", quoteStatus(to))
			}
		}
	}
	if at.IsZero() {
		return fmt.Errorf("move to %s: no time given", quoteStatus(to))
	}
	if n := len(c.History); n > 0 && at.Before(c.History[n-1].At) {
		return fmt.Errorf("move to %s at %s: before the last move at %s",
			quoteStatus(to), at.Format(time.RFC3339), c.History[n-1].At.Format(time.RFC3339))
	}
	c.History = append(c.History, Transition{From: c.Status, To: to, At: at, Reason: reason})
	c.Status = to
	return nil
}
