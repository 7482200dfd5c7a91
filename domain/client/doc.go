// Package client is the client aggregate: registration by IIN, the access code,
// login attempts and lock-out, the phone number, notification settings, consent
// to processing personal data, and erasure.
//
// Streams are "client-<client id>". Decisions that need facts from outside the
// stream take them as command fields filled in by the handler: whether the
// current access code was verified, whether a policy number confirms a phone
// change, whether the client has a policy in force or an open claim.
//
// Access codes never reach this package: the handler hashes them (HMAC-SHA256
// hex for a one-time SMS code, an argon2id PHC string for a code the client
// chose) and passes the hash; State exposes the hash, kind and expiry so that
// the handler can verify a login. A one-time code stays valid until it expires
// or is replaced: the cabinet's SMS code is what the client logs in with until
// they choose their own.
//
// Lock-out: after MaxFailures consecutive failed logins (5 by default) the client
// is locked for LockFor (15 minutes by default); attempts while locked are
// refused without counting, and the count starts again after the lock. Each
// further lock-out before a successful login lasts twice the one before, up to
// MaxLockFor.
//
// Consent: withdrawal of a consent the contract needs (every purpose but
// PurposeMarketing) is refused while the client has a policy in force or an open
// claim (Law No. 94-V). Erasure asked for in that situation is recorded and
// deferred with the reason; CompleteErasure then succeeds only once nothing
// holds it back. After Erased every command is refused with ErrErased and the
// state keeps no personal data; the events themselves become unreadable when the
// store destroys the client's key.
//
// New clients get DefaultSettings, recorded in the registration event so that a
// later change of defaults does not rewrite history.
package client
