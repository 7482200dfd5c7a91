package sms

import (
	"errors"
	"fmt"
)

// Errors of Client.Send. None of them, nor anything wrapped in them, quotes
// the phone, the text or the gateway's own description of the error.
var (
	// ErrRejected means the gateway refused this message: retrying the same
	// request cannot succeed. Error codes 1 (bad parameters), 5 (bad date),
	// 6 (message forbidden by its text or sender name), 7 (bad phone
	// number) and 8 (the number cannot be reached), and an HTTP 4xx answer
	// other than 401, 403 and 429. Not retried.
	ErrRejected = errors.New("sms gateway rejected the message")
	// ErrCredentials means the gateway refused kabinet's login, password or
	// API key, or the address it calls from: error code 2, HTTP 401 or 403.
	// An operator has to fix the configuration. Not retried.
	ErrCredentials = errors.New("sms gateway refused the credentials")
	// ErrBalance means the gateway account has no money left: error code 3.
	// An operator has to top it up. Not retried.
	ErrBalance = errors.New("sms gateway account balance is too low")
	// ErrThrottled means the gateway asks kabinet to slow down: error code
	// 4 (the address is blocked for a while), 9 (too many requests at once)
	// or HTTP 429. Retried with backoff, honouring Retry-After.
	ErrThrottled = errors.New("sms gateway is throttling requests")
	// ErrUnavailable means the gateway did not answer within the timeout,
	// could not be reached or failed (HTTP 5xx). Retried with backoff.
	ErrUnavailable = errors.New("sms gateway unavailable")
)

// Error codes of the send API, as an SMSC-style gateway answers them in
// {"error": "...", "error_code": N}.
const (
	codeBadParameters = 1
	codeCredentials   = 2
	codeBalance       = 3
	codeIPBlocked     = 4
	codeDateFormat    = 5
	codeForbidden     = 6
	codePhoneFormat   = 7
	codeUndeliverable = 8
	codeTooMany       = 9
)

// codeMeaning says in kabinet's words what a code means.
var codeMeaning = map[int]string{
	codeBadParameters: "bad parameters",
	codeCredentials:   "wrong login, password or calling address",
	codeBalance:       "not enough money on the account",
	codeIPBlocked:     "the calling address is blocked for a while",
	codeDateFormat:    "bad date format",
	codeForbidden:     "message forbidden by its text or sender name",
	codePhoneFormat:   "invalid phone number",
	codeUndeliverable: "the number cannot be reached",
	codeTooMany:       "too many requests at once",
}

// codeError maps an error code to an error; the gateway's description is
// left out, since a gateway may quote the request in it.
func codeError(code int) error {
	detail := fmt.Sprintf("error code %d, %s", code, codeMeaning[code])
	switch code {
	case codeBadParameters, codeDateFormat, codeForbidden, codePhoneFormat, codeUndeliverable:
		return fmt.Errorf("%w: %s", ErrRejected, detail)
	case codeCredentials:
		return fmt.Errorf("%w: %s", ErrCredentials, detail)
	case codeBalance:
		return fmt.Errorf("%w: %s", ErrBalance, detail)
	case codeIPBlocked, codeTooMany:
		return &retryable{err: fmt.Errorf("%w: %s", ErrThrottled, detail)}
	}
	return fmt.Errorf("sms gateway answered with unknown error code %d", code)
}
