package reactions_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
	"github.com/kabinet/kabinet/adapters/reactions"
	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/domain/policy"
)

func TestBonusFollowsPayments(t *testing.T) {
	eachBackend(t, func(t *testing.T, db backend) {
		h := newHarness(t, db)
		ctx := context.Background()
		c := h.k.Client(t)

		t.Run("a payment accrues points once, a refund reverses them once", func(t *testing.T) {
			p := h.k.Policy(t, c, cabinettest.PolicyOptions{}) // paid 36 000 ₸ in full
			paid := h.policyEvent(t, p.ID, policy.TypePaymentReceived)
			require.NoError(t, h.handle(t, reactions.NameAccrueBonusOnPaymentReceived, paid))
			require.NoError(t, h.handle(t, reactions.NameAccrueBonusOnPaymentReceived, paid))
			balance, err := h.k.Deps.Bonuses.Balance(ctx, c.ID)
			require.NoError(t, err)
			assert.Equal(t, int64(360), balance, "one point per 100 ₸, accrued once")

			_, err = h.k.Deps.Policies.RefundPayment(ctx, uuid.New(), p.ID, policy.RefundPayment{
				PaymentRef: "PAY-" + p.Number, RefundRef: "REF-1", Amount: money.MustParse("36000.00")})
			require.NoError(t, err)
			refunded := h.policyEvent(t, p.ID, policy.TypePaymentRefunded)
			require.NoError(t, h.handle(t, reactions.NameReverseBonusOnPaymentRefunded, refunded))
			require.NoError(t, h.handle(t, reactions.NameReverseBonusOnPaymentRefunded, refunded))
			balance, err = h.k.Deps.Bonuses.Balance(ctx, c.ID)
			require.NoError(t, err)
			assert.Equal(t, int64(0), balance)
		})

		t.Run("a refund of a payment that earned nothing is nothing to do", func(t *testing.T) {
			p := h.k.Policy(t, c, cabinettest.PolicyOptions{})
			_, err := h.k.Deps.Policies.RefundPayment(ctx, uuid.New(), p.ID, policy.RefundPayment{
				PaymentRef: "PAY-" + p.Number, RefundRef: "REF-2", Amount: money.MustParse("100.00")})
			require.NoError(t, err)
			before, err := h.k.Deps.Bonuses.Balance(ctx, c.ID)
			require.NoError(t, err)
			require.NoError(t, h.handle(t, reactions.NameReverseBonusOnPaymentRefunded, h.policyEvent(t, p.ID, policy.TypePaymentRefunded)))
			after, err := h.k.Deps.Bonuses.Balance(ctx, c.ID)
			require.NoError(t, err)
			assert.Equal(t, before, after)
		})
	})
}
