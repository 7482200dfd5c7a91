package partnerhttp

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrTimeout means an attempt got no complete answer within
// Config.AttemptTimeout.
var ErrTimeout = errors.New("partner did not answer in time")

// Error is a failed call. It names the route, never the path, and never
// holds a body.
type Error struct {
	Partner  string
	Method   string
	Route    string
	Status   int // the last answer's HTTP status; 0 when none arrived
	Attempts int // attempts made; 0 when the request could not be built
	// RetryAfter is set when the partner asked to wait longer than the
	// client would, or than ctx allowed: the caller may try again then.
	RetryAfter time.Duration
	// Err is the cause of a failure without a usable answer (a transport
	// error, ErrTimeout, ctx's error, an undecodable answer); nil when the
	// partner answered with a non-2xx status.
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s", e.Partner, e.Method, e.Route)
	switch {
	case e.Err != nil && e.Status != 0:
		fmt.Fprintf(&b, ": status %d: %v", e.Status, e.Err)
	case e.Err != nil:
		fmt.Fprintf(&b, ": %v", e.Err)
	default:
		fmt.Fprintf(&b, ": status %d", e.Status)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	return b.String()
}

// Unwrap returns the cause, nil for a plain non-2xx answer.
func (e *Error) Unwrap() error { return e.Err }

// Temporary reports whether trying again later may succeed: no answer
// arrived, or the partner answered 429 or 5xx.
func (e *Error) Temporary() bool {
	if e.Attempts == 0 {
		return false
	}
	if e.Status == 0 {
		return true
	}
	return e.Status == 429 || e.Status >= 500
}

// StatusOf returns the HTTP status a call failed with, 0 when err is not an
// *Error or no answer arrived.
func StatusOf(err error) int {
	var e *Error
	if errors.As(err, &e) && e.Err == nil {
		return e.Status
	}
	return 0
}
