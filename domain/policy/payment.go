package policy

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kabinet/kabinet/domain/money"
)

func recordPayment(s State, c RecordPayment, now time.Time) ([]Event, error) {
	if s.PaymentMethod == PaymentInstallments {
		return nil, fmt.Errorf("record payment on policy %s: pay an installment instead: %w", s.Number, ErrPaidByInstallments)
	}
	p, err := newPayment(c.PaymentRef, c.Amount, c.PaidAt, now)
	if err != nil {
		return nil, err
	}
	if prev, ok := s.payment(p.PaymentRef); ok {
		if prev.Amount.Equal(p.Amount) {
			return nil, nil
		}
		return nil, fmt.Errorf("payment %s recorded with %s, now %s: %w", p.PaymentRef, prev.Amount, p.Amount, ErrAmountMismatch)
	}
	if err := checkOverpayment(s, p); err != nil {
		return nil, err
	}
	return []Event{p}, nil
}

func payInstallment(s State, c PayInstallment, now time.Time) ([]Event, error) {
	idx := -1
	for i, inst := range s.schedule {
		if inst.Number == c.Number {
			idx = i
			break
		}
	}
	if idx < 0 {
		return nil, fmt.Errorf("installment %d of policy %s: %w", c.Number, s.Number, ErrInstallmentNotFound)
	}
	inst := s.schedule[idx]
	if inst.Paid() && inst.PaymentRef == strings.TrimSpace(c.PaymentRef) && inst.Amount.Equal(c.Amount) {
		return nil, nil // the same payment reported again (by KIAS and the provider, say)
	}
	if inst.Paid() {
		return nil, fmt.Errorf("installment %d paid by %s: %w", c.Number, inst.PaymentRef, ErrInstallmentAlreadyPaid)
	}
	if next, _ := s.NextInstallment(); next.Number != c.Number {
		return nil, fmt.Errorf("installment %d before installment %d: %w", c.Number, next.Number, ErrInstallmentOutOfOrder)
	}
	if !c.Amount.Equal(inst.Amount) {
		return nil, fmt.Errorf("installment %d is %s, paid %s: %w", c.Number, inst.Amount, c.Amount, ErrAmountMismatch)
	}
	p, err := newPayment(c.PaymentRef, c.Amount, c.PaidAt, now)
	if err != nil {
		return nil, err
	}
	if _, ok := s.payment(p.PaymentRef); ok {
		return nil, fmt.Errorf("payment %s: %w", p.PaymentRef, ErrDuplicatePayment)
	}
	if err := checkOverpayment(s, p); err != nil {
		return nil, err
	}
	return []Event{p, InstallmentPaid{Number: c.Number, PaymentRef: p.PaymentRef, Amount: p.Amount, PaidAt: p.PaidAt}}, nil
}

func newPayment(ref string, amount money.KZT, paidAt, now time.Time) (PaymentReceived, error) {
	ref = strings.TrimSpace(ref)
	switch {
	case ref == "":
		return PaymentReceived{}, fmt.Errorf("payment_ref: required: %w", ErrInvalidPayment)
	case !amount.IsPositive():
		return PaymentReceived{}, fmt.Errorf("amount %s: must be positive: %w", amount, ErrInvalidPayment)
	}
	at := now
	if !paidAt.IsZero() {
		at = stamp(paidAt)
	}
	return PaymentReceived{PaymentRef: ref, Amount: amount, PaidAt: at}, nil
}

func checkOverpayment(s State, p PaymentReceived) error {
	if total := s.paid.Add(p.Amount); s.Premium.LessThan(total) {
		return fmt.Errorf("paid %s + %s exceeds premium %s: %w", s.paid, p.Amount, s.Premium, ErrOverpayment)
	}
	return nil
}

func refundPayment(s State, c RefundPayment, now time.Time) ([]Event, error) {
	ref, refund := strings.TrimSpace(c.PaymentRef), strings.TrimSpace(c.RefundRef)
	switch {
	case ref == "":
		return nil, fmt.Errorf("payment_ref: required: %w", ErrInvalidPayment)
	case refund == "":
		return nil, fmt.Errorf("refund_ref: required: %w", ErrInvalidPayment)
	case !c.Amount.IsPositive():
		return nil, fmt.Errorf("amount %s: must be positive: %w", c.Amount, ErrInvalidPayment)
	}
	for _, q := range s.payments {
		for _, r := range q.Refunds {
			if r.Ref != refund {
				continue
			}
			if q.Ref == ref && r.Amount.Equal(c.Amount) {
				return nil, nil // the same refund reported again
			}
			return nil, fmt.Errorf("refund %s recorded for payment %s with %s: %w", refund, q.Ref, r.Amount, ErrAmountMismatch)
		}
	}
	p, ok := s.payment(ref)
	if !ok {
		return nil, fmt.Errorf("refund of payment %s: %w", ref, ErrPaymentNotFound)
	}
	if !s.Cancelled && slices.ContainsFunc(s.schedule, func(i ScheduledInstallment) bool { return i.PaymentRef == ref }) {
		return nil, fmt.Errorf("refund %s of installment payment %s: the policy must be cancelled first: %w", refund, ref, ErrInvalidPayment)
	}
	if left := p.Amount.Sub(p.Refunded); left.LessThan(c.Amount) {
		return nil, fmt.Errorf("refund %s of payment %s: %s left, refunding %s: %w", refund, ref, left, c.Amount, ErrOverRefund)
	}
	at := now
	if !c.RefundedAt.IsZero() {
		at = stamp(c.RefundedAt)
	}
	return []Event{PaymentRefunded{PaymentRef: ref, RefundRef: refund, Amount: c.Amount, RefundedAt: at}}, nil
}
