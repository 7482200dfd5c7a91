package cabinet

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/kabinet/kabinet/internal/sqldb"
)

// Code is a stable, machine-readable error code. Both protocols carry it:
// SOAP as the fault's code, JSON as the problem's "code" member.
type Code string

// The codes. New codes may be added; existing ones never change meaning.
const (
	CodeInvalidArgument           Code = "INVALID_ARGUMENT"             // a field is missing or malformed; Field names it
	CodeMalformedRequest          Code = "MALFORMED_REQUEST"            // the body is not a request at all (bad XML/JSON, DTD, too large)
	CodeUnknownOperation          Code = "UNKNOWN_OPERATION"            // no operation of that name
	CodeUnknownNamespace          Code = "UNKNOWN_NAMESPACE"            // the request element is not in urn:kabinet:v1
	CodeAuthFailed                Code = "AUTH_FAILED"                  // no API key, or a wrong one
	CodeForbidden                 Code = "FORBIDDEN"                    // the key's role may not call the operation
	CodeSessionRequired           Code = "SESSION_REQUIRED"             // the operation needs a client session; none, unknown, expired or ended
	CodeNotFound                  Code = "NOT_FOUND"                    // no such thing among the caller's own
	CodeInvalidCredentials        Code = "INVALID_CREDENTIALS"          // login or access code wrong
	CodeLocked                    Code = "LOCKED"                       // too many wrong codes; RetryAfter says when to try again
	CodeRateLimited               Code = "RATE_LIMITED"                 // too many requests; RetryAfter says when to try again
	CodeCodeExpired               Code = "CODE_EXPIRED"                 // the SMS code or access code has expired
	CodeAlreadyRegistered         Code = "ALREADY_REGISTERED"           // the IIN already has a cabinet
	CodeAlreadyExists             Code = "ALREADY_EXISTS"               // the policy or claim is already recorded
	CodeConflict                  Code = "CONFLICT"                     // the state does not allow it now (already paid, out of order…)
	CodeInsufficientBalance       Code = "INSUFFICIENT_BALANCE"         // not enough bonus points
	CodeWeakAccessCode            Code = "WEAK_ACCESS_CODE"             // the chosen access code breaks the rule
	CodePhoneConfirmation         Code = "PHONE_CONFIRMATION"           // replacing a phone on file needs one of the client's policy numbers
	CodeConsentRequired           Code = "CONSENT_REQUIRED"             // the client withdrew, or let expire, a consent the operation needs
	CodeConsentRequiredByContract Code = "CONSENT_REQUIRED_BY_CONTRACT" // a policy in force or an open claim needs the consent: it cannot be withdrawn now
	CodeUnavailable               Code = "UNAVAILABLE"                  // a partner system or the database did not answer; try again later
	CodeInternal                  Code = "INTERNAL"                     // anything else; details are logged, never returned
)

// Error is what a caller is told when an operation fails.
type Error struct {
	Code       Code
	Field      string // the request field at fault, if one is
	Message    string // for a person reading logs; never personal data
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Status is the HTTP status of the error on the JSON API.
func (e *Error) Status() int {
	switch e.Code {
	case CodeInvalidArgument, CodeMalformedRequest, CodeUnknownNamespace, CodeWeakAccessCode, CodePhoneConfirmation:
		return http.StatusBadRequest
	case CodeUnknownOperation, CodeNotFound:
		return http.StatusNotFound
	case CodeAuthFailed, CodeSessionRequired, CodeInvalidCredentials:
		return http.StatusUnauthorized
	case CodeForbidden:
		return http.StatusForbidden
	case CodeLocked, CodeRateLimited:
		return http.StatusTooManyRequests
	case CodeCodeExpired, CodeAlreadyRegistered, CodeAlreadyExists, CodeConflict, CodeInsufficientBalance, CodeConsentRequired, CodeConsentRequiredByContract:
		return http.StatusConflict
	case CodeUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// Sender reports whether the caller is at fault (a SOAP Client/Sender
// fault); otherwise the server is (Server/Receiver).
func (e *Error) Sender() bool { return e.Status() < 500 }

func invalid(field, format string, args ...any) *Error {
	return &Error{Code: CodeInvalidArgument, Field: field, Message: fmt.Sprintf(format, args...)}
}

func failure(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorOf turns any error an operation returned into the Error the caller
// sees, through the one table of domain errors (refusals.go). ok is false
// for an error nobody mapped: the caller then gets CodeInternal, and the
// edge logs the original once.
func ErrorOf(err error) (e *Error, ok bool) {
	if errors.As(err, &e) {
		return e, true
	}
	for _, r := range refusals {
		if errors.Is(err, r.err) {
			return &Error{Code: r.code, Field: r.field, Message: r.err.Error()}, true
		}
	}
	if sqldb.IsUnavailable(err) {
		// The database is restarting or out of reach: the caller may try
		// again, as for a partner that did not answer.
		return &Error{Code: CodeUnavailable, Message: "the database is unavailable, try again later"}, true
	}
	return &Error{Code: CodeInternal, Message: "internal error"}, false
}
