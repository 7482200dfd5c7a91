package policies_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/domain/policy"
	"github.com/kabinet/kabinet/projections/policies"
)

func TestARefundLowersWhatIsPaid(t *testing.T) {
	ctx := context.Background()
	eachKit(t, func(t *testing.T, k *kit) {
		holder := uuid.New()
		id := k.issue(t, motor("D-REFUND", holder, "2026-01-01", "2026-12-31"))
		k.done(k.policies.RecordPayment(ctx, uuid.New(), id, policy.RecordPayment{PaymentRef: "KASPI-1", Amount: money.MustParse("45000")}))
		k.catchUp(t) // the refund then updates a row already written, not the batch's insert
		k.done(k.policies.CancelPolicy(ctx, uuid.New(), id, policy.CancelPolicy{Reason: "sold the car", EffectiveOn: policy.MustParseDate("2026-04-01")}))
		k.done(k.policies.RefundPayment(ctx, uuid.New(), id, policy.RefundPayment{PaymentRef: "KASPI-1", RefundRef: "R-1", Amount: money.MustParse("30000")}))
		k.catchUp(t)

		d, err := policies.Get(ctx, k.db, holder, id, now)
		require.NoError(t, err)
		assert.Equal(t, money.MustParse("15000").String(), d.Paid.String())
	})
}
