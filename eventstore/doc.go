// Package eventstore is the contract every kabinet event store honours. The
// backends live in subpackages (memory, postgres, sqlite) and each passes the
// conformance suite in eventstoretest.
//
// # Streams and versions
//
// A stream is named "<aggregate>-<uuid>" (see StreamName). Its events carry
// versions 1, 2, 3… with no gaps. Append writes all of its events or none.
//
// # Expected version
//
// Append takes an ExpectedVersion: Any (no check), NoStream (the stream must
// not exist) or an exact version (the stream's last version must equal it).
// A mismatch writes nothing and returns an error wrapping
// ErrConcurrencyConflict that names the stream and both versions. A lost race
// is never silent: of N concurrent appends at the same expected version,
// exactly one succeeds.
//
// # Idempotency
//
// Every event has an ID unique in the store. Appending events whose IDs are
// all already stored, in the same stream with the same content, writes
// nothing and returns the result of the first append (whatever the expected
// version says, so a retried command gets its first answer back). An ID that
// is stored with different content, or in another stream, or a batch that
// mixes stored and new IDs, is refused with ErrDuplicateEvent.
//
// # Times
//
// OccurredAt is business time, given by the caller; RecordedAt is set by the
// store when the append commits and never goes backwards within a stream.
// Both are kept at microsecond precision (the caller's value is truncated).
//
// # The global log
//
// Every stored event has a Position in one global log. ReadAll returns events
// in the order their appends became visible: a reader that resumes after the
// last Position it saw never skips an event, even one whose append started
// earlier and committed later, and never sees an event twice. Rolled-back
// appends are never seen. Positions compare with Position.Less; the zero
// Position is before every event.
//
// Subscribe follows the log: it hands batches to a callback in the same order,
// wakes promptly when an append commits (in this process or, where the backend
// can, in another) and polls as a fallback, so a lost wake-up delays delivery
// but never loses an event.
//
// # Upcasting
//
// Load, LoadAsOf, ReadAll and Subscribe pass every event through the store's
// Upcasters, so readers see only the current shape of each event type. The
// stored bytes are never changed; Verify works on them.
//
// # Tamper evidence
//
// Each event's Hash chains it to its predecessor in the stream:
// Hash = SHA-256(prev ‖ version ‖ recorded_at ‖ Digest(envelope)), see
// ChainHash. A head record per stream keeps the last version and hash. Verify
// recomputes the chains from the stored rows and reports the first broken
// link as a *ChainError, so a changed, deleted or reordered row is found.
//
// # Concurrency and errors
//
// A Store is safe for concurrent use. Every method honours ctx. Errors are
// the sentinels below, wrapped with context; no driver type crosses this
// package's boundary.
package eventstore
