// Package partnerhttp is the HTTP client every partner port of kabinet talks
// through (KIAS, ESBD, the SMS gateway, the payment provider): JSON in and
// out, a timeout on every attempt, and retries that are safe to make.
//
// # Timeouts
//
// Each attempt is bounded by Config.AttemptTimeout; the call as a whole is
// bounded by the caller's ctx and by Config.MaxAttempts. A call never waits
// past ctx's deadline: a backoff or a Retry-After that would end after it
// gives up at once.
//
// # Retries
//
// An attempt is repeated only when it cannot have been refused for good: a
// transport error (connection refused or reset, a timed-out attempt), a 5xx
// answer, or 429. Such an answer with Retry-After (seconds or an HTTP date)
// waits as long as the partner asked, up to Config.MaxRetryAfter; otherwise
// the wait is an exponential backoff of which a random half is spent. Any
// other 4xx is returned at once.
//
// # Idempotency
//
// Every write (any method but GET, HEAD and OPTIONS) carries an
// Idempotency-Key header, the same on every attempt of one call, so that a
// retry after a lost answer is recognised by the partner. The caller may give
// the key (Request.IdempotencyKey), for example one derived from an event ID
// so that a redelivered event makes no second call; otherwise each call gets a
// fresh random key.
//
// # Errors
//
// Every failure is an *Error naming the partner, the method, the route and
// the status. Bodies are never read into errors or logs: partners' answers and
// kabinet's requests carry personal data. For the same reason an error names
// Request.Route (a pattern such as "/clients/{iin}") rather than the path
// itself, and transport errors are stripped of the URL.
//
// ReplayWrites is the partner's side of the same contract, for the
// simulators that stand in for partners in tests and the embedded default.
//
// A Client is safe for concurrent use.
package partnerhttp
