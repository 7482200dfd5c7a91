package policy

import "slices"

// Evolve applies one event to the state. It trusts the event: it never
// validates, so history replays whatever today's rules say.
func Evolve(s State, e Event) State {
	switch e := e.(type) {
	case Issued:
		s.ID = e.PolicyID
		s.Product = e.Product
		s.Number = e.Number
		s.KIASContractID = e.KIASContractID
		s.Insurer = e.Insurer
		s.StartsOn = e.StartsOn
		s.EndsOn = e.EndsOn
		s.Holder = e.Holder
		s.insured = slices.Clone(e.InsuredPersons)
		s.drivers = slices.Clone(e.Drivers)
		s.UnlimitedDrivers = e.UnlimitedDrivers
		s.Vehicle = e.Vehicle
		s.Premium = e.Premium
		s.PaymentMethod = e.PaymentMethod
		s.schedule = nil
		for _, i := range e.Installments {
			s.schedule = append(s.schedule, ScheduledInstallment{Installment: i})
		}
		s.RenewedFrom = e.RenewedFrom
		s.IssuedAt = e.IssuedAt
	case PaymentReceived:
		// Clip so that append copies instead of writing into an array another state shares.
		s.payments = append(slices.Clip(s.payments), Payment{Ref: e.PaymentRef, Amount: e.Amount, PaidAt: e.PaidAt})
		s.paid = s.paid.Add(e.Amount)
	case InstallmentPaid:
		i := slices.IndexFunc(s.schedule, func(i ScheduledInstallment) bool { return i.Number == e.Number })
		if i >= 0 {
			s.schedule = slices.Clone(s.schedule)
			s.schedule[i].PaymentRef = e.PaymentRef
			s.schedule[i].PaidAt = e.PaidAt
		}
	case PaymentRefunded:
		i := slices.IndexFunc(s.payments, func(p Payment) bool { return p.Ref == e.PaymentRef })
		if i >= 0 {
			s.payments = slices.Clone(s.payments)
			s.payments[i].Refunded = s.payments[i].Refunded.Add(e.Amount)
			s.payments[i].Refunds = append(slices.Clip(s.payments[i].Refunds), Refund{Ref: e.RefundRef, Amount: e.Amount})
		}
		s.paid = s.paid.Sub(e.Amount)
	case Prolonged:
		s.RenewedBy = e.NewPolicyID
	case Cancelled:
		s.Cancelled = true
		s.CancelledOn = e.EffectiveOn
		s.CancelReason = e.Reason
	case DocumentAttached:
		s.documents = append(slices.Clip(s.documents), Document{
			Kind: e.Kind, BlobRef: e.BlobRef, SHA256: e.SHA256, AttachedAt: e.AttachedAt,
		})
	}
	return s
}
