package policy

import (
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/domain/money"
)

// State is a policy as its events built it. The zero value is a policy that
// has not been issued.
type State struct {
	ID               uuid.UUID
	Product          Product
	Number           string
	KIASContractID   string
	Insurer          string
	StartsOn         Date
	EndsOn           Date
	Holder           Holder
	UnlimitedDrivers bool
	Vehicle          Vehicle
	Premium          money.KZT
	PaymentMethod    PaymentMethod
	RenewedFrom      uuid.UUID
	IssuedAt         time.Time

	RenewedBy    uuid.UUID // set once prolonged
	Cancelled    bool
	CancelledOn  Date // first day without cover
	CancelReason string

	// Evolve never writes into these slices in place, so states that share
	// them stay independent.
	insured   []Person
	drivers   []Person
	schedule  []ScheduledInstallment
	payments  []Payment
	documents []Document
	paid      money.KZT
}

// ScheduledInstallment is an installment and whether it has been paid.
type ScheduledInstallment struct {
	Installment
	PaymentRef string // empty while unpaid
	PaidAt     time.Time
}

// Paid reports whether the installment has been paid.
func (i ScheduledInstallment) Paid() bool { return i.PaymentRef != "" }

// Payment is money received towards the premium.
type Payment struct {
	Ref      string
	Amount   money.KZT
	PaidAt   time.Time
	Refunded money.KZT // paid back so far
	Refunds  []Refund  // in order
}

// Refund is money paid back out of a payment.
type Refund struct {
	Ref    string
	Amount money.KZT
}

// Document is a document of the policy on file.
type Document struct {
	Kind       DocumentKind
	BlobRef    string
	SHA256     string
	AttachedAt time.Time
}

// Exists reports whether the policy has been issued.
func (s State) Exists() bool { return s.ID != uuid.Nil }

// Prolonged reports whether a newer policy renews this one.
func (s State) Prolonged() bool { return s.RenewedBy != uuid.Nil }

// Paid is the money received so far.
func (s State) Paid() money.KZT { return s.paid }

// Outstanding is the part of the premium not yet paid.
func (s State) Outstanding() money.KZT { return s.Premium.Sub(s.paid) }

// InsuredPersons lists the insured persons.
func (s State) InsuredPersons() []Person { return slices.Clone(s.insured) }

// Drivers lists the permitted drivers.
func (s State) Drivers() []Person { return slices.Clone(s.drivers) }

// Schedule lists the installments in due order, paid or not.
func (s State) Schedule() []ScheduledInstallment { return slices.Clone(s.schedule) }

// Payments lists the payments received, in order.
func (s State) Payments() []Payment { return slices.Clone(s.payments) }

// Documents lists the documents on file, in order.
func (s State) Documents() []Document { return slices.Clone(s.documents) }

// UnpaidInstallments lists the installments still to pay, in due order.
func (s State) UnpaidInstallments() []Installment {
	var out []Installment
	for _, i := range s.schedule {
		if !i.Paid() {
			out = append(out, i.Installment)
		}
	}
	return out
}

// NextInstallment is the first unpaid installment, the one the cabinet offers to pay.
func (s State) NextInstallment() (Installment, bool) {
	for _, i := range s.schedule {
		if !i.Paid() {
			return i.Installment, true
		}
	}
	return Installment{}, false
}

// InForce reports whether the policy covers the day on: issued, within its
// term (both ends inclusive) and before the day a cancellation takes effect.
func (s State) InForce(on Date) bool {
	if !s.Exists() || on.Before(s.StartsOn) || on.After(s.EndsOn) {
		return false
	}
	return !s.Cancelled || on.Before(s.CancelledOn)
}

func (s State) payment(ref string) (Payment, bool) {
	for _, p := range s.payments {
		if p.Ref == ref {
			return p, true
		}
	}
	return Payment{}, false
}
