package commands

import (
	"context"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/domain/policy"
)

// RecordPayment records money received on a policy not paid by installments,
// as the payment provider or KIAS reports it.
func (p *Policies) RecordPayment(ctx context.Context, commandID, policyID uuid.UUID, cmd policy.RecordPayment) (Result, error) {
	return p.execute(ctx, policyID, commandID, cmd)
}

// RefundPayment records money paid back out of a payment, as KIAS or the
// payment provider reports it; a refund reported again writes nothing.
func (p *Policies) RefundPayment(ctx context.Context, commandID, policyID uuid.UUID, cmd policy.RefundPayment) (Result, error) {
	return p.execute(ctx, policyID, commandID, cmd)
}

// PayInstallment records the payment of an installment of a policy that
// clientID holds: the cabinet's "pay the next installment". A handler fed by
// KIAS passes the holder from Load.
//
// Installments are paid in order. Of concurrent payments of the same
// installment one is recorded and the others are refused with
// policy.ErrInstallmentAlreadyPaid once they decide again on the state that
// holds the winner. A payment of a later installment is refused with
// policy.ErrInstallmentOutOfOrder when it is decided before the earlier one
// is recorded; it is not queued, so concurrent payments of consecutive
// installments succeed only in the order they happen to be decided in.
func (p *Policies) PayInstallment(ctx context.Context, commandID, clientID, policyID uuid.UUID, cmd policy.PayInstallment) (Result, error) {
	if _, err := p.Owned(ctx, policyID, clientID); err != nil {
		return Result{}, err
	}
	return p.execute(ctx, policyID, commandID, cmd)
}
