package policy

import (
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/domain/wire"
)

// Aggregate is the stream prefix: streams are "policy-<uuid>".
const Aggregate = "policy"

// Event is one fact in a policy stream; the set is closed to this package.
type Event interface{ eventType() string }

// Wire names of the events. They are stored and never change.
const (
	TypeIssued           = "policy.issued"
	TypePaymentReceived  = "policy.payment_received"
	TypeInstallmentPaid  = "policy.installment_paid"
	TypeProlonged        = "policy.prolonged"
	TypeCancelled        = "policy.cancelled"
	TypeDocumentAttached = "policy.document_attached"
	TypePaymentRefunded  = "policy.payment_refunded"
)

// Personal is the personal data in policy events, sealed with the
// policyholder's key: the people on the policy and the vehicle, which names
// its owner as surely as a name does.
var Personal = []wire.Personal{
	{Type: TypeIssued, Owner: "holder.client_id", Members: []string{"holder.iin", "holder.name", "insured_persons", "drivers", "vehicle"}},
}

// Issued is a concluded contract as KIAS holds it: everything the policy
// details screen shows.
type Issued struct {
	PolicyID         uuid.UUID     `json:"policy_id"`
	Product          Product       `json:"product"`
	Number           string        `json:"number"`
	KIASContractID   string        `json:"kias_contract_id"`
	Insurer          string        `json:"insurer"`
	StartsOn         Date          `json:"starts_on"`
	EndsOn           Date          `json:"ends_on"` // the last day of cover, inclusive
	Holder           Holder        `json:"holder"`
	InsuredPersons   []Person      `json:"insured_persons,omitempty"`
	Drivers          []Person      `json:"drivers,omitempty"`
	UnlimitedDrivers bool          `json:"unlimited_drivers,omitempty"`
	Vehicle          Vehicle       `json:"vehicle,omitzero"`
	Premium          money.KZT     `json:"premium"`
	PaymentMethod    PaymentMethod `json:"payment_method"`
	Installments     []Installment `json:"installments,omitempty"`
	RenewedFrom      uuid.UUID     `json:"renewed_from,omitzero"` // the policy this one renews
	IssuedAt         time.Time     `json:"issued_at"`
}

// PaymentReceived is money received towards the premium, including every
// paid installment: bonus accrual and "paid so far" read this event alone.
type PaymentReceived struct {
	PaymentRef string    `json:"payment_ref"` // the payment provider's reference, unique per policy
	Amount     money.KZT `json:"amount"`
	PaidAt     time.Time `json:"paid_at"`
}

// InstallmentPaid marks a scheduled installment paid. It always follows the
// PaymentReceived with the same reference and amount.
type InstallmentPaid struct {
	Number     int       `json:"number"`
	PaymentRef string    `json:"payment_ref"`
	Amount     money.KZT `json:"amount"`
	PaidAt     time.Time `json:"paid_at"`
}

// PaymentRefunded is money paid back out of a payment received; Paid goes
// down by Amount, and the bonus points the payment earned are reversed.
type PaymentRefunded struct {
	PaymentRef string    `json:"payment_ref"`
	RefundRef  string    `json:"refund_ref"`
	Amount     money.KZT `json:"amount"`
	RefundedAt time.Time `json:"refunded_at"`
}

// Prolonged links this policy to the new policy that renews it.
type Prolonged struct {
	NewPolicyID uuid.UUID `json:"new_policy_id"`
	ProlongedAt time.Time `json:"prolonged_at"`
}

// Cancelled ends cover from EffectiveOn on.
type Cancelled struct {
	Reason      string    `json:"reason"`
	EffectiveOn Date      `json:"effective_on"` // the first day without cover
	CancelledAt time.Time `json:"cancelled_at"`
}

// DocumentAttached records a document of the policy kept in the blob store.
type DocumentAttached struct {
	Kind       DocumentKind `json:"kind"`
	BlobRef    string       `json:"blob_ref"`
	SHA256     string       `json:"sha256"` // lower-case hex of the blob's SHA-256
	AttachedAt time.Time    `json:"attached_at"`
}

func (Issued) eventType() string           { return TypeIssued }
func (PaymentReceived) eventType() string  { return TypePaymentReceived }
func (InstallmentPaid) eventType() string  { return TypeInstallmentPaid }
func (Prolonged) eventType() string        { return TypeProlonged }
func (Cancelled) eventType() string        { return TypeCancelled }
func (DocumentAttached) eventType() string { return TypeDocumentAttached }
func (PaymentRefunded) eventType() string  { return TypePaymentRefunded }
