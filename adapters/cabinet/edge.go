package cabinet

import (
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
)

// What both edges read and answer the same way, kept here so that SOAP and
// JSON cannot drift apart.

// MaxRequestBytes is the largest request body either protocol accepts.
const MaxRequestBytes = 1 << 20

// RequestID is the caller's X-Request-ID when it is a sensible token
// (printable ASCII, at most 128 bytes), or a new one. Edges echo it and log
// with it.
func RequestID(h http.Header) string {
	id := h.Get("X-Request-ID")
	if id == "" || len(id) > 128 {
		return uuid.NewString()
	}
	for i := range len(id) {
		if id[i] < 0x21 || id[i] > 0x7e {
			return uuid.NewString()
		}
	}
	return id
}

// CredentialsFrom reads the headers a request says who sends it with:
// X-API-Key, Authorization: Bearer, Idempotency-Key; requestID is the
// request's RequestID.
func CredentialsFrom(h http.Header, requestID string) Credentials {
	c := Credentials{APIKey: h.Get("X-API-Key"), IdempotencyKey: h.Get("Idempotency-Key"), CorrelationID: requestID}
	if scheme, token, ok := strings.Cut(strings.TrimSpace(h.Get("Authorization")), " "); ok && strings.EqualFold(scheme, "Bearer") {
		c.SessionToken = strings.TrimSpace(token)
	}
	return c
}

// RetryAfterSeconds is RetryAfter rounded up to whole seconds; 0 when the
// error says nothing of when to try again.
func (e *Error) RetryAfterSeconds() int64 {
	if e.RetryAfter <= 0 {
		return 0
	}
	return int64((e.RetryAfter + time.Second - 1) / time.Second)
}
