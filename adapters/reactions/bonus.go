package reactions

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/domain/bonus"
	"github.com/kabinet/kabinet/domain/policy"
	"github.com/kabinet/kabinet/eventstore"
)

// accrueBonusOnPaymentReceived credits the policy's holder with points for a
// payment. The bonus account accrues once per payment reference whatever
// the command ID, and the command ID comes from the event as well.
func (s *Set) accrueBonusOnPaymentReceived() Reaction {
	const name = NameAccrueBonusOnPaymentReceived
	return Reaction{
		Name:  name,
		Types: []string{policy.TypePaymentReceived},
		Handle: func(ctx context.Context, e eventstore.RecordedEvent) error {
			ev, err := decodePolicy[policy.PaymentReceived](e)
			if err != nil {
				return err
			}
			policyID, holder, err := s.holderOf(ctx, e)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			ctx = withCause(ctx, e, name)
			res, err := s.d.Bonuses.AccrueBonus(ctx, commandID(e.ID, name, "accrue"), holder, ev.PaymentRef, ev.Amount, policyID)
			if err != nil {
				return fmt.Errorf("%s: policy %s: %w", name, policyID, err)
			}
			s.log.InfoContext(ctx, "bonus accrued", "event_id", e.ID, "policy_id", policyID, "events", res.Events)
			return nil
		},
	}
}

// reverseBonusOnPaymentRefunded takes back the points a refunded payment
// earned. A payment that earned none leaves nothing to reverse; a payment
// already reversed (an earlier partial refund) is not reversed again.
func (s *Set) reverseBonusOnPaymentRefunded() Reaction {
	const name = NameReverseBonusOnPaymentRefunded
	return Reaction{
		Name:  name,
		Types: []string{policy.TypePaymentRefunded},
		Handle: func(ctx context.Context, e eventstore.RecordedEvent) error {
			ev, err := decodePolicy[policy.PaymentRefunded](e)
			if err != nil {
				return err
			}
			policyID, holder, err := s.holderOf(ctx, e)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			ctx = withCause(ctx, e, name)
			res, err := s.d.Bonuses.ReverseBonus(ctx, commandID(e.ID, name, "reverse"), holder, ev.PaymentRef)
			if errors.Is(err, bonus.ErrUnknownPayment) {
				s.log.InfoContext(ctx, "refunded payment earned no points", "event_id", e.ID, "policy_id", policyID)
				return nil
			}
			if err != nil {
				return fmt.Errorf("%s: policy %s: %w", name, policyID, err)
			}
			s.log.InfoContext(ctx, "bonus reversed", "event_id", e.ID, "policy_id", policyID, "events", res.Events)
			return nil
		},
	}
}

// holderOf returns the policy an event of a policy stream belongs to and its holder.
func (s *Set) holderOf(ctx context.Context, e eventstore.RecordedEvent) (policyID, holder uuid.UUID, err error) {
	if policyID, err = streamID(e, policy.Aggregate); err != nil {
		return uuid.Nil, uuid.Nil, err
	}
	st, err := s.d.Policies.Load(ctx, policyID)
	if err != nil {
		return uuid.Nil, uuid.Nil, err
	}
	if !st.Exists() {
		return uuid.Nil, uuid.Nil, fmt.Errorf("policy %s: %w", policyID, policy.ErrPolicyNotFound)
	}
	return policyID, st.Holder.ClientID, nil
}
