package bonus

import "errors"

// Refusals. Decide wraps them with the field or the numbers involved; callers
// match with errors.Is.
var (
	ErrInsufficientBalance = errors.New("insufficient bonus balance")
	ErrUnknownPayment      = errors.New("no points were accrued for this payment")
	ErrInvalidPoints       = errors.New("points must be positive")
	ErrInvalidCommand      = errors.New("invalid bonus command")
	ErrUnknownCommand      = errors.New("unknown bonus command")
	ErrUnknownEvent        = errors.New("unknown bonus event")
)
