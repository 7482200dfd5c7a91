package audit

import (
	"errors"
	"fmt"
)

// ErrNoCheckpoint means no checkpoint has been signed yet.
var ErrNoCheckpoint = errors.New("no audit checkpoint")

// ErrCheckpointInvalid means a checkpoint does not verify: its signature,
// its key or its signed heads were changed, or it was signed by another key.
var ErrCheckpointInvalid = errors.New("audit checkpoint does not verify")

// CheckpointError says which checkpoint does not verify and why.
type CheckpointError struct {
	ID     int64
	Reason string
}

func (e *CheckpointError) Error() string {
	return fmt.Sprintf("%s: checkpoint %d: %s", ErrCheckpointInvalid, e.ID, e.Reason)
}

func (e *CheckpointError) Unwrap() error { return ErrCheckpointInvalid }
