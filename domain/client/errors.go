package client

import "errors"

// Refusals. Decide wraps them with the field or rule that failed, never with
// personal data; callers match with errors.Is.
var (
	ErrAlreadyRegistered         = errors.New("client is already registered")
	ErrNotRegistered             = errors.New("client is not registered")
	ErrErased                    = errors.New("client was erased")
	ErrLoginLocked               = errors.New("login is locked after too many failed attempts")
	ErrNoAccessCode              = errors.New("no access code was issued")
	ErrCodeExpired               = errors.New("access code has expired")
	ErrCurrentCodeNotVerified    = errors.New("current access code was not verified")
	ErrInvalidAccessCode         = errors.New("invalid access code hash")
	ErrPhoneConfirmationRequired = errors.New("replacing the phone on file needs a verified policy number")
	ErrInvalidSettings           = errors.New("invalid settings")
	ErrConsentNotGiven           = errors.New("consent was never given for this purpose")
	ErrConsentRequiredByContract = errors.New("consent is required while a policy is in force or a claim is open")
	ErrErasureNotRequested       = errors.New("erasure was not requested")
	ErrErasureBlocked            = errors.New("erasure must wait for active contracts to end")
	ErrInvalidCommand            = errors.New("invalid client command")
	ErrUnknownCommand            = errors.New("unknown client command")
	ErrUnknownEvent              = errors.New("unknown client event")
)
