package commands

import "time"

// Clock tells the runner what time it is; tests pass a fixed one.
type Clock interface {
	Now() time.Time
}

// ClockFunc turns a function such as time.Now into a Clock.
type ClockFunc func() time.Time

// Now implements Clock.
func (f ClockFunc) Now() time.Time { return f() }
