package claim

import "errors"

// Refusals. Decide wraps them with the field or the stages involved; callers
// match with errors.Is.
var (
	ErrClaimExists          = errors.New("claim already exists")
	ErrClaimNotFound        = errors.New("claim not found")
	ErrClaimClosed          = errors.New("claim is closed")
	ErrInvalidTransition    = errors.New("invalid status transition")
	ErrUnknownStatus        = errors.New("unknown claim status")
	ErrDocumentNotRequested = errors.New("document was not requested")
	ErrPayoutRequired       = errors.New("payout amount required")
	ErrUnexpectedPayout     = errors.New("payout amount only belongs to paid")
	ErrReasonRequired       = errors.New("reason required")
	ErrInvalidClaim         = errors.New("invalid claim")
	ErrInvalidDocument      = errors.New("invalid document")
	ErrUnknownCommand       = errors.New("unknown claim command")
	ErrUnknownEvent         = errors.New("unknown claim event")
)
