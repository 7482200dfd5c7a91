package policy

import (
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/domain/money"
)

// Command is a request to change a policy; the set is closed to this package.
type Command interface{ isCommand() }

// IssuePolicy records a contract concluded in KIAS. The handler passes the new
// PolicyID and, for a renewal, the old policy's ID in RenewedFrom.
type IssuePolicy struct {
	PolicyID         uuid.UUID
	Product          Product
	Number           string
	KIASContractID   string
	Insurer          string
	StartsOn         Date
	EndsOn           Date
	Holder           Holder
	InsuredPersons   []Person
	Drivers          []Person
	UnlimitedDrivers bool
	Vehicle          Vehicle
	Premium          money.KZT
	PaymentMethod    PaymentMethod
	Installments     []Installment
	RenewedFrom      uuid.UUID
}

// RecordPayment records money received on a policy not paid by installments.
type RecordPayment struct {
	PaymentRef string
	Amount     money.KZT
	PaidAt     time.Time // zero means now
}

// PayInstallment records the payment of one scheduled installment.
type PayInstallment struct {
	Number     int
	PaymentRef string
	Amount     money.KZT
	PaidAt     time.Time // zero means now
}

// RefundPayment records money paid back to the holder out of a payment
// received, in part or in full (after a cancellation, say). It is accepted on
// a cancelled policy too, since that is when refunds happen.
type RefundPayment struct {
	PaymentRef string    // the payment the money came from
	RefundRef  string    // the provider's reference of the refund, unique per policy
	Amount     money.KZT // at most what is left of the payment
	RefundedAt time.Time // zero means now
}

// ProlongPolicy links this (old) policy to the new policy that renews it.
type ProlongPolicy struct {
	NewPolicyID uuid.UUID
}

// CancelPolicy ends cover from EffectiveOn on.
type CancelPolicy struct {
	Reason      string
	EffectiveOn Date
}

// AttachDocument records a document of the policy stored in the blob store.
type AttachDocument struct {
	Kind    DocumentKind
	BlobRef string
	SHA256  string // hex; upper case is accepted and stored lower case
}

func (IssuePolicy) isCommand()    {}
func (RecordPayment) isCommand()  {}
func (PayInstallment) isCommand() {}
func (RefundPayment) isCommand()  {}
func (ProlongPolicy) isCommand()  {}
func (CancelPolicy) isCommand()   {}
func (AttachDocument) isCommand() {}
