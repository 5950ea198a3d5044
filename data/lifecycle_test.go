package data

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// allowedMoves is docs/DOMAIN.md's lifecycles written out again as "from>to",
// independently of lifecycle.go's table.
var allowedMoves = map[CaseKind][]string{
	CaseApplication: {
		"submitted>received",
		"received>accepted", "received>correction", "received>refused",
		"correction>received", "correction>refused",
		"accepted>in_progress", "accepted>completed",
		"in_progress>completed",
		"completed>rated",
	},
	CaseAppeal: {
		"submitted>received",
		"received>dispatched", "received>replied", "received>merged",
		"dispatched>in_progress", "dispatched>merged",
		"in_progress>replied",
		"replied>completed",
		"completed>rated",
	},
	CaseDisclosure: {
		"submitted>received",
		"received>correction", "correction>received",
		"received>in_progress",
		"received>extended", "in_progress>extended",
		"received>replied", "in_progress>replied", "extended>replied",
		"replied>completed",
		"completed>rated",
	},
}

var allStatuses = []Status{StatusSubmitted, StatusReceived, StatusAccepted, StatusCorrection, StatusRefused, StatusDispatched,
	StatusInProgress, StatusExtended, StatusReplied, StatusCompleted, StatusMerged, StatusRated}

func TestCanMoveEveryPair(t *testing.T) {
	for kind, moves := range allowedMoves {
		statuses := kind.Statuses()
		for _, from := range allStatuses {
			for _, to := range allStatuses {
				allowed := slices.Contains(moves, string(from)+">"+string(to))
				err := kind.CanMove(from, to)
				if allowed != (err == nil) {
					t.Errorf("%s: CanMove(%s, %s) = %v, want allowed=%v", kind, from, to, err, allowed)
				}
				if allowed && (!slices.Contains(statuses, from) || !slices.Contains(statuses, to)) {
					t.Errorf("%s: move %s>%s uses a status missing from Statuses() %v", kind, from, to, statuses)
				}
			}
		}
	}
}

func TestStatuses(t *testing.T) {
	tests := []struct {
		kind CaseKind
		want string
	}{
		{CaseApplication, "submitted received accepted correction refused in_progress completed rated"},
		{CaseAppeal, "submitted received dispatched in_progress replied completed rated merged"},
		{CaseDisclosure, "submitted received correction in_progress extended replied completed rated"},
		{"petition", ""},
	}
	for _, tt := range tests {
		var got []string
		for _, s := range tt.kind.Statuses() {
			got = append(got, string(s))
		}
		if strings.Join(got, " ") != tt.want {
			t.Errorf("%s.Statuses() = %v, want %s", tt.kind, got, tt.want)
		}
	}
	// The returned slice is the caller's to change.
	CaseAppeal.Statuses()[0] = "x"
	if CaseAppeal.Statuses()[0] != StatusSubmitted {
		t.Error("Statuses() shares its backing array")
	}
}

func TestFinalAndNext(t *testing.T) {
	tests := []struct {
		kind  CaseKind
		s     Status
		final bool
	}{
		{CaseApplication, StatusRated, true},
		{CaseApplication, StatusRefused, true},
		{CaseApplication, StatusCorrection, false},
		{CaseAppeal, StatusMerged, true},
		{CaseAppeal, StatusCompleted, false},
		{CaseDisclosure, StatusRated, true},
		{CaseDisclosure, StatusRefused, false}, // not a disclosure status at all
		{"petition", StatusRated, false},
	}
	for _, tt := range tests {
		if got := tt.kind.Final(tt.s); got != tt.final {
			t.Errorf("%s.Final(%s) = %v, want %v", tt.kind, tt.s, got, tt.final)
		}
	}
	if got := CaseAppeal.Next(StatusReceived); !slices.Equal(got, []Status{StatusDispatched, StatusReplied, StatusMerged}) {
		t.Errorf("appeal Next(received) = %v", got)
	}
}

func TestCanMoveErrors(t *testing.T) {
	tests := []struct {
		kind     CaseKind
		from, to Status
		want     string
	}{
		{CaseAppeal, StatusSubmitted, StatusCompleted,
			`cannot move an appeal from "submitted" (已提交) to "completed" (已办结)`},
		{CaseApplication, StatusCompleted, StatusInProgress,
			`cannot move an application from "completed" (已办结) to "in_progress" (办理中)`},
		{CaseDisclosure, StatusExtended, StatusExtended,
			`cannot move a disclosure request from "extended" (已延期) to "extended" (已延期)`},
		{CaseDisclosure, StatusReceived, StatusCompleted,
			`cannot move a disclosure request from "received" (已接收) to "completed" (已办结)`},
		{CaseDisclosure, StatusReceived, StatusRefused,
			`cannot move a disclosure request from "received" (已接收) to "refused" (不予受理): "refused" (不予受理) is not a status of a disclosure request`},
		{CaseApplication, StatusDispatched, StatusInProgress,
			`"dispatched" (已派单) is not a status of an application`},
		{CaseAppeal, StatusReceived, "closed",
			`cannot move an appeal from "received" (已接收) to "closed": "closed" is not a status of an appeal`},
		{CaseAppeal, "", StatusReceived, `"" is not a status of an appeal`},
		{"petition", StatusSubmitted, StatusReceived, `unknown case kind "petition"`},
	}
	for _, tt := range tests {
		err := tt.kind.CanMove(tt.from, tt.to)
		if err == nil || err.Error() != tt.want && !strings.HasSuffix(err.Error(), tt.want) {
			t.Errorf("%s.CanMove(%s, %s) = %v, want %q", tt.kind, tt.from, tt.to, err, tt.want)
		}
	}
}

type move struct {
	to     Status
	reason string
}

// walk applies moves to a new case of kind k, an hour apart, and returns
// the case and the first error.
func walk(k CaseKind, moves ...move) (*Case, error) {
	c := &Case{Kind: k, Status: StatusSubmitted}
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for _, m := range moves {
		at = at.Add(time.Hour)
		if err := c.Move(m.to, at, m.reason); err != nil {
			return c, err
		}
	}
	return c, nil
}

func TestMovePaths(t *testing.T) {
	tests := []struct {
		name    string
		kind    CaseKind
		moves   []move
		wantErr string // "" for success
	}{
		{"application done", CaseApplication, []move{{"received", ""}, {"accepted", ""}, {"in_progress", ""}, {"completed", "准予登记"}, {"rated", ""}}, ""},
		{"on-the-spot application", CaseApplication, []move{{"received", ""}, {"accepted", ""}, {"completed", "即办"}}, ""},
		{"corrected and accepted", CaseApplication, []move{{"received", ""}, {"correction", "缺户口簿复印件"}, {"received", ""}, {"accepted", ""}}, ""},
		{"corrected twice is fine for applications", CaseApplication, []move{{"received", ""}, {"correction", "a"}, {"received", ""}, {"correction", "b"}}, ""},
		{"refused", CaseApplication, []move{{"received", ""}, {"refused", "不属于本街道受理范围"}}, ""},
		{"refused without reason", CaseApplication, []move{{"received", ""}, {"refused", ""}}, "needs a reason"},
		{"correction without reason", CaseApplication, []move{{"received", ""}, {"correction", " "}}, "needs a reason"},
		{"completed without reason", CaseApplication, []move{{"received", ""}, {"accepted", ""}, {"completed", ""}}, "needs a reason"},
		{"refused after rating", CaseApplication, []move{{"received", ""}, {"accepted", ""}, {"completed", "ok"}, {"rated", ""}, {"refused", "x"}},
			`from "rated" (已评价) to "refused" (不予受理)`},

		{"appeal done", CaseAppeal, []move{{"received", ""}, {"dispatched", ""}, {"in_progress", ""}, {"replied", ""}, {"completed", "已修复路灯"}, {"rated", ""}}, ""},
		{"enquiry answered at once", CaseAppeal, []move{{"received", ""}, {"replied", ""}, {"completed", "已答复"}}, ""},
		{"merged", CaseAppeal, []move{{"received", ""}, {"dispatched", ""}, {"merged", "与 JZ2026-0012 同一事项"}}, ""},
		{"merged without reason", CaseAppeal, []move{{"received", ""}, {"merged", ""}}, "needs a reason"},
		{"merged in progress", CaseAppeal, []move{{"received", ""}, {"dispatched", ""}, {"in_progress", ""}, {"merged", "x"}},
			`from "in_progress" (办理中) to "merged" (已合并)`},
		{"completed before reply", CaseAppeal, []move{{"received", ""}, {"dispatched", ""}, {"completed", "x"}},
			`cannot move an appeal from "dispatched" (已派单) to "completed" (已办结)`},

		{"disclosure done", CaseDisclosure, []move{{"received", ""}, {"in_progress", ""}, {"replied", ""}, {"completed", "予以公开"}, {"rated", ""}}, ""},
		{"disclosure extended", CaseDisclosure, []move{{"received", ""}, {"correction", "请说明所需信息的名称"}, {"received", ""}, {"in_progress", ""}, {"extended", "需征求第三方意见"}, {"replied", ""}, {"completed", "x"}}, ""},
		{"extended from received", CaseDisclosure, []move{{"received", ""}, {"extended", "x"}, {"replied", ""}}, ""},
		{"extended without reason", CaseDisclosure, []move{{"received", ""}, {"extended", ""}}, "needs a reason"},
		{"extension then reply", CaseDisclosure, []move{{"received", ""}, {"extended", "a"}, {"replied", ""}, {"completed", "x"}},
			""},
		{"second correction", CaseDisclosure, []move{{"received", ""}, {"correction", "a"}, {"received", ""}, {"correction", "b"}},
			`cannot move a disclosure request to "correction" (待补正) twice`},
		{"disclosure refused", CaseDisclosure, []move{{"received", ""}, {"refused", "x"}}, `"refused" (不予受理) is not a status of a disclosure request`},
		{"skip received", CaseDisclosure, []move{{"in_progress", ""}}, `from "submitted" (已提交) to "in_progress" (办理中)`},
		{"unknown status", CaseDisclosure, []move{{"received", ""}, {"answered", ""}}, `"answered" is not a status`},
		{"unknown kind", "petition", []move{{"received", ""}}, `unknown case kind "petition"`},
	}
	for _, tt := range tests {
		c, err := walk(tt.kind, tt.moves...)
		if tt.wantErr == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
				continue
			}
			last := tt.moves[len(tt.moves)-1]
			if c.Status != last.to || len(c.History) != len(tt.moves) {
				t.Errorf("%s: status %s with %d transitions, want %s with %d", tt.name, c.Status, len(c.History), last.to, len(tt.moves))
			}
			for i, tr := range c.History {
				from := StatusSubmitted
				if i > 0 {
					from = tt.moves[i-1].to
				}
				if tr.From != from || tr.To != tt.moves[i].to || tr.Reason != strings.TrimSpace(tt.moves[i].reason) || tr.At.IsZero() {
					t.Errorf("%s: transition %d = %+v", tt.name, i, tr)
				}
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: error = %v, want it to mention %q", tt.name, err, tt.wantErr)
		}
	}
}

func TestMoveExtendedOnce(t *testing.T) {
	// The lifecycle itself has no way back to a status that can extend, so
	// a second extension can only come with a history recorded elsewhere.
	c := &Case{Kind: CaseDisclosure, Status: StatusInProgress, History: []Transition{
		{From: StatusReceived, To: StatusExtended, At: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Reason: "a"},
	}}
	err := c.Move(StatusExtended, time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), "again")
	if err == nil || !strings.Contains(err.Error(), `to "extended" (已延期) twice`) {
		t.Fatalf("second extension: %v", err)
	}
	if c.Status != StatusInProgress || len(c.History) != 1 {
		t.Errorf("a refused move changed the case: %s, %d transitions", c.Status, len(c.History))
	}
}

func TestMoveReasonAndTime(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	c := &Case{Kind: CaseApplication, Status: StatusReceived}
	err := c.Move(StatusRefused, at, "")
	if !errors.Is(err, ErrNoReason) {
		t.Errorf("refusal without reason: %v, want ErrNoReason", err)
	}
	if err := c.Move(StatusAccepted, time.Time{}, ""); err == nil {
		t.Error("a move with no time was accepted")
	}
	if err := c.Move(StatusAccepted, at, ""); err != nil {
		t.Fatal(err)
	}
	if err := c.Move(StatusInProgress, at.Add(-time.Minute), ""); err == nil || !strings.Contains(err.Error(), "before the last move") {
		t.Errorf("move back in time: %v", err)
	}
	if err := c.Move(StatusInProgress, at, ""); err != nil {
		t.Errorf("move at the same instant: %v", err)
	}
	for _, s := range allStatuses {
		want := s == StatusRefused || s == StatusCorrection || s == StatusExtended || s == StatusMerged || s == StatusCompleted
		if NeedsReason(s) != want {
			t.Errorf("NeedsReason(%s) = %v", s, !want)
		}
	}
}
