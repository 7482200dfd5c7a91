package client

import (
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/domain/kz"
)

// Command is a request to change a client; the set is closed to this package.
type Command interface{ isCommand() }

// Defaults of RecordLoginAttempt when its limits are zero.
const (
	DefaultMaxFailures = 5
	DefaultLockFor     = 15 * time.Minute
)

// RegisterClient opens the cabinet of a client found in KIAS or ESBD, created
// by an online purchase, or typed in by the client.
type RegisterClient struct {
	ClientID     uuid.UUID
	IIN          kz.IIN
	FirstName    string
	LastName     string
	Phone        kz.Phone
	Source       Source
	KIASClientID string // when KIAS knows the client
}

// IssueAccessCode sets a new access code. Hash is HMAC-SHA256 hex for
// CodeOneTime (with ExpiresAt in the future) and an argon2id PHC string for
// CodeChosen (without ExpiresAt).
type IssueAccessCode struct {
	Kind      CodeKind
	Hash      string
	ExpiresAt time.Time
}

// ChangeAccessCode replaces the code with one the client chose. The handler
// verifies the current code and says so in CurrentVerified; Hash is the
// argon2id PHC string of the new code.
type ChangeAccessCode struct {
	Hash            string
	CurrentVerified bool
}

// RecordLoginAttempt records the outcome of checking an access code. Zero limits
// mean DefaultMaxFailures and DefaultLockFor.
type RecordLoginAttempt struct {
	Success     bool
	MaxFailures int
	LockFor     time.Duration
}

// ChangePhone replaces the mobile number. When a number is on file the handler
// checks PolicyNumber against the client's policies and sets PolicyVerified.
type ChangePhone struct {
	Phone          kz.Phone
	PolicyNumber   string
	PolicyVerified bool
}

// ChangeSettings replaces the client's settings as a whole.
type ChangeSettings struct {
	Settings Settings
}

// GiveConsent records consent for a purpose over a scope of data categories
// (e.g. "iin", "name", "phone", "documents"). A zero ExpiresAt means until withdrawn.
type GiveConsent struct {
	Purpose   Purpose
	Scope     []string
	ExpiresAt time.Time
}

// WithdrawConsent ends a consent. HasActiveContracts is true when the client
// has a policy in force or an open claim.
type WithdrawConsent struct {
	Purpose            Purpose
	HasActiveContracts bool
}

// RequestErasure asks to erase the client's personal data; it is deferred
// while a policy is in force or a claim is open.
type RequestErasure struct {
	HasActivePolicy bool
	HasOpenClaim    bool
}

// CompleteErasure records that the personal data was destroyed; the handler
// sends it after destroying the client's key, once nothing holds it back.
type CompleteErasure struct {
	HasActivePolicy bool
	HasOpenClaim    bool
}

func (RegisterClient) isCommand()     {}
func (IssueAccessCode) isCommand()    {}
func (ChangeAccessCode) isCommand()   {}
func (RecordLoginAttempt) isCommand() {}
func (ChangePhone) isCommand()        {}
func (ChangeSettings) isCommand()     {}
func (GiveConsent) isCommand()        {}
func (WithdrawConsent) isCommand()    {}
func (RequestErasure) isCommand()     {}
func (CompleteErasure) isCommand()    {}
