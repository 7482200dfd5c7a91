package client

import (
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/domain/kz"
)

// State is a client as their events built it. The zero value is a client that
// is not registered.
type State struct {
	ID           uuid.UUID
	IIN          kz.IIN
	FirstName    string
	LastName     string
	Phone        kz.Phone
	Source       Source
	KIASClientID string
	RegisteredAt time.Time

	Code           AccessCode
	FailedAttempts int       // consecutive failed logins since the last success or lock
	Locks          int       // lock-outs since the last successful login; each lasts twice the one before
	LockedUntil    time.Time // logins are refused before this instant
	LastLoginAt    time.Time

	Settings Settings

	ErasureRequestedAt time.Time     // zero unless an erasure is pending or done
	ErasureDeferredBy  ErasureReason // why the pending erasure waits, if it does
	ErasedAt           time.Time

	// Evolve copies the map before writing, so states that share it stay independent.
	consents map[Purpose]Consent
}

// AccessCode is the hash of the client's current access code and how to check it.
type AccessCode struct {
	Kind      CodeKind
	Hash      string
	ExpiresAt time.Time // zero for CodeChosen
	IssuedAt  time.Time
}

// Consent is a consent on file.
type Consent struct {
	Scope       []string
	ExpiresAt   time.Time // zero: until withdrawn
	GivenAt     time.Time
	WithdrawnAt time.Time // zero unless withdrawn
}

// Exists reports whether the client was registered (erased clients still exist).
func (s State) Exists() bool { return s.ID != uuid.Nil }

// Erased reports whether the client's personal data was erased.
func (s State) Erased() bool { return !s.ErasedAt.IsZero() }

// Locked reports whether logins are refused at now.
func (s State) Locked(now time.Time) bool { return now.Before(s.LockedUntil) }

// ErasurePending reports whether an erasure was requested and not yet done.
func (s State) ErasurePending() bool { return !s.ErasureRequestedAt.IsZero() && !s.Erased() }

// ConsentFor returns the consent on file for a purpose, active or not.
func (s State) ConsentFor(p Purpose) (Consent, bool) {
	c, ok := s.consents[p]
	c.Scope = slices.Clone(c.Scope)
	return c, ok
}

// Purposes lists the purposes with a consent on file, active or not, sorted.
func (s State) Purposes() []Purpose {
	ps := make([]Purpose, 0, len(s.consents))
	for p := range s.consents {
		ps = append(ps, p)
	}
	slices.Sort(ps)
	return ps
}

// Active reports whether the consent holds at now.
func (c Consent) Active(now time.Time) bool {
	return !c.GivenAt.IsZero() && c.WithdrawnAt.IsZero() && (c.ExpiresAt.IsZero() || now.Before(c.ExpiresAt))
}

// IsSet reports whether an access code was issued.
func (c AccessCode) IsSet() bool { return c.Hash != "" }

// Expired reports whether the code can no longer be used at now.
func (c AccessCode) Expired(now time.Time) bool {
	return !c.ExpiresAt.IsZero() && !now.Before(c.ExpiresAt)
}

// String describes the code without its hash, so that logging a state does
// not hand out material for an offline guess.
func (c AccessCode) String() string {
	if !c.IsSet() {
		return "no access code"
	}
	if c.ExpiresAt.IsZero() {
		return string(c.Kind) + " access code"
	}
	return string(c.Kind) + " access code, expires " + c.ExpiresAt.UTC().Format(time.RFC3339)
}

// GoString keeps %#v from printing the hash too.
func (c AccessCode) GoString() string { return "client.AccessCode{" + c.String() + "}" }
