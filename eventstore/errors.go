package eventstore

import (
	"errors"
	"fmt"
)

var (
	// ErrConcurrencyConflict means the stream's version was not the expected one.
	ErrConcurrencyConflict = errors.New("concurrency conflict")
	// ErrStreamNotFound means the stream has no events.
	ErrStreamNotFound = errors.New("stream not found")
	// ErrDuplicateEvent means an event ID is already stored with other content.
	ErrDuplicateEvent = errors.New("duplicate event id")
	// ErrInvalidEvent means an event or stream name is malformed; nothing was written.
	ErrInvalidEvent = errors.New("invalid event")
	// ErrChainBroken means a hash chain or stream head does not verify.
	ErrChainBroken = errors.New("hash chain broken")
	// ErrUnavailable means the backend could not be reached; the call may be retried.
	ErrUnavailable = errors.New("event store unavailable")
)

// ConflictError is the concrete error behind ErrConcurrencyConflict.
type ConflictError struct {
	Stream   string
	Expected ExpectedVersion
	Actual   int64 // the stream's last version; 0 if it does not exist
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("append to %s: expected version %s, stream is at %d: %v",
		e.Stream, e.Expected, e.Actual, ErrConcurrencyConflict)
}

func (e *ConflictError) Unwrap() error { return ErrConcurrencyConflict }

// ChainError names the first broken link that Verify found.
type ChainError struct {
	Stream  string
	Version int64 // the first version that does not verify (0: the head record)
	Reason  string
}

func (e *ChainError) Error() string {
	return fmt.Sprintf("%s at %s version %d: %s", ErrChainBroken, e.Stream, e.Version, e.Reason)
}

func (e *ChainError) Unwrap() error { return ErrChainBroken }
