package notice

import "errors"

// Refusals. Decide wraps them with the field that failed; callers match with
// errors.Is.
var (
	ErrNoticeNotFound = errors.New("notice not found")
	ErrInvalidCommand = errors.New("invalid notice command")
	ErrUnknownCommand = errors.New("unknown notice command")
	ErrUnknownEvent   = errors.New("unknown notice event")
)
