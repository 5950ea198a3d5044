package data

// Running reports whether the case's deadline is running: the district
// owes the next step and the case has a deadline. It stops while a case
// waits for the resident's correction, and once the case is answered,
// completed, refused or merged.
func (c *Case) Running() bool {
	if c.Deadline.IsZero() {
		return false
	}
	switch c.Status {
	case StatusReceived, StatusAccepted, StatusDispatched, StatusInProgress, StatusExtended:
		return true
	}
	return false
}

// WorkdaysLeft counts the working days from today to the case's deadline
// on cal: 0 on the day it is due, negative when it is overdue by that many
// working days. ok is false when the deadline is not running (Running).
func (c *Case) WorkdaysLeft(cal *Calendar, today Date) (left int, ok bool) {
	if !c.Running() {
		return 0, false
	}
	return cal.WorkdaysBetween(today, c.Deadline), true
}
