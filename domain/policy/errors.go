package policy

import "errors"

// Refusals. Decide wraps them with the field or numbers involved (never a
// person's name or IIN); callers match with errors.Is.
var (
	ErrPolicyExists           = errors.New("policy already exists")
	ErrPolicyNotFound         = errors.New("policy not found")
	ErrPolicyCancelled        = errors.New("policy is cancelled")
	ErrAlreadyProlonged       = errors.New("policy already prolonged")
	ErrInstallmentNotFound    = errors.New("installment not found")
	ErrInstallmentAlreadyPaid = errors.New("installment already paid")
	ErrInstallmentOutOfOrder  = errors.New("an earlier installment is unpaid")
	ErrPaidByInstallments     = errors.New("policy is paid by installments")
	ErrAmountMismatch         = errors.New("amount does not match")
	ErrOverpayment            = errors.New("payment exceeds the premium")
	ErrDuplicatePayment       = errors.New("payment reference already recorded")
	ErrPaymentNotFound        = errors.New("no payment with this reference")
	ErrOverRefund             = errors.New("refund exceeds what is left of the payment")
	ErrInvalidPolicy          = errors.New("invalid policy")
	ErrInvalidSchedule        = errors.New("invalid installment schedule")
	ErrInvalidPayment         = errors.New("invalid payment")
	ErrInvalidProlongation    = errors.New("invalid prolongation")
	ErrInvalidCancellation    = errors.New("invalid cancellation")
	ErrInvalidDocument        = errors.New("invalid document")
	ErrUnknownCommand         = errors.New("unknown policy command")
	ErrUnknownEvent           = errors.New("unknown policy event")
)
