package kz

import "errors"

// Parse functions refuse input with one of these, wrapped with the rule that failed
// but never with the input itself.
var (
	ErrIINLength      = errors.New("IIN must have 12 digits")
	ErrIINDigits      = errors.New("IIN must contain digits only")
	ErrIINChecksum    = errors.New("IIN check digit does not match")
	ErrIINNeverIssued = errors.New("IIN check digit cannot be computed, so no such IIN is ever issued")

	ErrBINLength      = errors.New("BIN must have 12 digits")
	ErrBINDigits      = errors.New("BIN must contain digits only")
	ErrBINChecksum    = errors.New("BIN check digit does not match")
	ErrBINNeverIssued = errors.New("BIN check digit cannot be computed, so no such BIN is ever issued")

	ErrPhoneFormat    = errors.New("phone must be +7, 8 or 7 followed by 10 digits; spaces, dashes and parentheses are allowed")
	ErrPhoneNotKZ     = errors.New("phone is not a Kazakhstan number")
	ErrPhoneNotMobile = errors.New("phone is not a Kazakhstan mobile number and cannot receive SMS")
)
