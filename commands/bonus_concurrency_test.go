package commands_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/domain/bonus"
)

// Eight orders of 30 points each race for a balance of 100. The barrier makes
// every writer decide on the full balance first, so without the version check
// all eight would be appended and the balance would end at -140. With it,
// exactly the three the balance covers succeed, in whatever order, and the
// rest are refused once they decide again on a balance below 30.
func TestConcurrentSpendsNeverOverdraw(t *testing.T) {
	const (
		balance = 100
		price   = 30
	)
	ctx := context.Background()
	policyEachStore(t, func(t *testing.T, k *policyKit) {
		client := uuid.New()
		k.accrue(t, client, balance)
		gate := policyNewBarrierStore(k.store, policyWriters, 1)
		racers := policyNewKit(t, gate)

		errs := policyRace(func(i int) error {
			_, err := racers.bonuses.SpendBonus(ctx, uuid.New(), client, fmt.Sprintf("order-%d", i), price)
			return err
		})

		spent := 0
		for i, err := range errs {
			if err == nil {
				spent++
				continue
			}
			assert.ErrorIs(t, err, bonus.ErrInsufficientBalance, "writer %d", i)
		}
		assert.Equal(t, balance/price, spent)
		assert.GreaterOrEqual(t, gate.conflicts.Load(), int32(policyWriters-1), "every loser decided on a stale balance first")
		left := k.balance(t, client)
		assert.GreaterOrEqual(t, left, int64(0))
		assert.Equal(t, int64(balance-price*spent), left)
		assert.Len(t, k.events(t, bonus.Aggregate, client), 1+spent)
		require.NoError(t, k.store.Verify(ctx, ""))
	})
}
