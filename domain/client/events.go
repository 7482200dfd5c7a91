package client

import (
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/domain/wire"
)

// Aggregate is the stream prefix: streams are "client-<client id>".
const Aggregate = "client"

// Event is one fact in a client stream; the set is closed to this package.
type Event interface{ eventType() string }

// Wire names of the events. They are stored and never change.
const (
	TypeRegistered        = "client.registered"
	TypeAccessCodeIssued  = "client.access_code_issued"
	TypeAccessCodeChanged = "client.access_code_changed"
	TypeLoginFailed       = "client.login_failed"
	TypeLoginSucceeded    = "client.login_succeeded"
	TypeLoginLocked       = "client.login_locked"
	TypePhoneChanged      = "client.phone_changed"
	TypeSettingsChanged   = "client.settings_changed"
	TypeConsentGiven      = "client.consent_given"
	TypeConsentWithdrawn  = "client.consent_withdrawn"
	TypeErasureRequested  = "client.erasure_requested"
	TypeErasureDeferred   = "client.erasure_deferred"
	TypeErased            = "client.erased"
)

// Personal is the personal data in client events: sealed with the client's
// key, it reads as absent once the client is erased.
var Personal = []wire.Personal{
	{Type: TypeRegistered, Members: []string{"iin", "first_name", "last_name", "phone", "kias_client_id", "settings.email"}},
	{Type: TypePhoneChanged, Members: []string{"old", "new"}},
	{Type: TypeSettingsChanged, Members: []string{"settings.email"}},
}

// Registered opens a client's cabinet.
type Registered struct {
	ClientID     uuid.UUID `json:"client_id"`
	IIN          kz.IIN    `json:"iin"`
	FirstName    string    `json:"first_name"`
	LastName     string    `json:"last_name"`
	Phone        kz.Phone  `json:"phone"`
	Source       Source    `json:"source"`
	KIASClientID string    `json:"kias_client_id,omitempty"`
	Settings     Settings  `json:"settings"`
	RegisteredAt time.Time `json:"registered_at"`
}

// AccessCodeIssued gives the client a new access code, by SMS or of their choice.
type AccessCodeIssued struct {
	Kind      CodeKind  `json:"kind"`
	Hash      string    `json:"hash"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	IssuedAt  time.Time `json:"issued_at"`
}

// AccessCodeChanged replaces the access code with one the client chose after
// proving they knew the current one.
type AccessCodeChanged struct {
	Kind      CodeKind  `json:"kind"`
	Hash      string    `json:"hash"`
	ChangedAt time.Time `json:"changed_at"`
}

// LoginFailed counts a wrong access code; Attempts is the number of consecutive
// failures including this one.
type LoginFailed struct {
	Attempts int       `json:"attempts"`
	FailedAt time.Time `json:"failed_at"`
}

// LoginSucceeded records a login with the right access code.
type LoginSucceeded struct {
	SucceededAt time.Time `json:"succeeded_at"`
}

// LoginLocked refuses logins until Until.
type LoginLocked struct {
	Until    time.Time `json:"until"`
	LockedAt time.Time `json:"locked_at"`
}

// PhoneChanged replaces the client's mobile number. ConfirmedByPolicy is the
// policy number that proved the client's identity when a number was on file.
type PhoneChanged struct {
	Old               kz.Phone  `json:"old"`
	New               kz.Phone  `json:"new"`
	ConfirmedByPolicy string    `json:"confirmed_by_policy,omitempty"`
	ChangedAt         time.Time `json:"changed_at"`
}

// SettingsChanged records the client's settings as a whole after a change.
type SettingsChanged struct {
	Settings  Settings  `json:"settings"`
	ChangedAt time.Time `json:"changed_at"`
}

// ConsentGiven records consent to process personal data for a purpose; it
// replaces an earlier consent for the same purpose. A zero ExpiresAt means
// until withdrawn.
type ConsentGiven struct {
	Purpose   Purpose   `json:"purpose"`
	Scope     []string  `json:"scope"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	GivenAt   time.Time `json:"given_at"`
}

// ConsentWithdrawn ends a consent.
type ConsentWithdrawn struct {
	Purpose     Purpose   `json:"purpose"`
	WithdrawnAt time.Time `json:"withdrawn_at"`
}

// ErasureRequested records the client's request to erase their data.
type ErasureRequested struct {
	RequestedAt time.Time `json:"requested_at"`
}

// ErasureDeferred records why a requested erasure has to wait.
type ErasureDeferred struct {
	Reason     ErasureReason `json:"reason"`
	DeferredAt time.Time     `json:"deferred_at"`
}

// Erased records that the client's personal data was destroyed.
type Erased struct {
	ErasedAt time.Time `json:"erased_at"`
}

func (Registered) eventType() string        { return TypeRegistered }
func (AccessCodeIssued) eventType() string  { return TypeAccessCodeIssued }
func (AccessCodeChanged) eventType() string { return TypeAccessCodeChanged }
func (LoginFailed) eventType() string       { return TypeLoginFailed }
func (LoginSucceeded) eventType() string    { return TypeLoginSucceeded }
func (LoginLocked) eventType() string       { return TypeLoginLocked }
func (PhoneChanged) eventType() string      { return TypePhoneChanged }
func (SettingsChanged) eventType() string   { return TypeSettingsChanged }
func (ConsentGiven) eventType() string      { return TypeConsentGiven }
func (ConsentWithdrawn) eventType() string  { return TypeConsentWithdrawn }
func (ErasureRequested) eventType() string  { return TypeErasureRequested }
func (ErasureDeferred) eventType() string   { return TypeErasureDeferred }
func (Erased) eventType() string            { return TypeErased }
