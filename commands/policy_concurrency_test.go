package commands_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/domain/policy"
)

// policyRace runs do(i) for i in 0…policyWriters-1 in goroutines released at
// once, and returns their errors by i.
func policyRace(do func(i int) error) []error {
	errs := make([]error, policyWriters)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range policyWriters {
		wg.Go(func() {
			<-start
			errs[i] = do(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// Every writer pays installment 1 with its own payment reference. The barrier
// makes all of them decide on the state where installment 1 is the next one,
// so any of them may win; the losers' appends conflict, they decide again on
// the state with the winner's payment, and the aggregate checks "already
// paid" before "out of order", so each is refused with
// ErrInstallmentAlreadyPaid, never the order error.
func TestConcurrentPaymentsOfOneInstallment(t *testing.T) {
	ctx := context.Background()
	policyEachStore(t, func(t *testing.T, k *policyKit) {
		id := k.issue(t, policyInstallmentsCmd("KIAS-700", policyHolder, 3))
		gate := policyNewBarrierStore(k.store, policyWriters, 2) // ownership, then Execute
		racers := policyNewKit(t, gate)
		errs := policyRace(func(i int) error {
			_, err := racers.policies.PayInstallment(ctx, uuid.New(), policyHolder, id, policy.PayInstallment{
				Number: 1, PaymentRef: fmt.Sprintf("pay-%d", i), Amount: money.MustParse("10000"),
			})
			return err
		})

		winners := 0
		for i, err := range errs {
			if err == nil {
				winners++
				continue
			}
			assert.ErrorIs(t, err, policy.ErrInstallmentAlreadyPaid, "writer %d", i)
		}
		assert.Equal(t, 1, winners)
		assert.GreaterOrEqual(t, gate.conflicts.Load(), int32(policyWriters-1), "every loser decided on a stale state first")
		s := k.policy(t, id)
		assert.True(t, money.MustParse("10000").Equal(s.Paid()), "paid once: %s", s.Paid())
		assert.False(t, s.Premium.LessThan(s.Paid()))
		assert.Len(t, s.Payments(), 1)
		assert.Equal(t, []string{policy.TypeIssued, policy.TypePaymentReceived, policy.TypeInstallmentPaid}, k.events(t, policy.Aggregate, id))
		require.NoError(t, k.store.Verify(ctx, ""))
	})
}

// Writer i pays installment i+1, all at once. The handler does not queue a
// payment that comes early: a writer whose installment is not the next one on
// the state it decides on is refused with ErrInstallmentOutOfOrder at once
// (a refusal is not retried), and only conflicts are retried. Installment 1
// therefore always succeeds, and the successes are the installments 1…m for
// some m, those whose writers happened to decide after their predecessor was
// appended; how many is up to the scheduler. Paying the rest in order then
// completes the schedule.
func TestConcurrentPaymentsOfConsecutiveInstallments(t *testing.T) {
	ctx := context.Background()
	policyEachStore(t, func(t *testing.T, k *policyKit) {
		id := k.issue(t, policyInstallmentsCmd("KIAS-710", policyHolder, policyWriters))
		errs := policyRace(func(i int) error { return policyPayNumber(k, id, i+1) })

		require.NoError(t, errs[0], "installment 1 is never out of order")
		paid := 0
		for i, err := range errs {
			if err == nil {
				paid++
				continue
			}
			assert.ErrorIs(t, err, policy.ErrInstallmentOutOfOrder, "installment %d", i+1)
		}
		s := k.policy(t, id)
		for i, inst := range s.Schedule() {
			assert.Equal(t, i < paid, inst.Paid(), "installment %d: the paid ones are a prefix", inst.Number)
			assert.Equal(t, errs[i] == nil, inst.Paid(), "installment %d: paid exactly when its writer succeeded", inst.Number)
		}
		assert.True(t, money.FromTiyn(int64(paid)*10_000_00).Equal(s.Paid()))
		assert.Len(t, k.events(t, policy.Aggregate, id), 1+2*paid)
		t.Logf("%d of %d installments paid in the race", paid, policyWriters)

		for n := paid + 1; n <= policyWriters; n++ {
			require.NoError(t, policyPayNumber(k, id, n), "installment %d in order", n)
		}
		s = k.policy(t, id)
		assert.True(t, s.Premium.Equal(s.Paid()))
		assert.Empty(t, s.UnpaidInstallments())
		require.NoError(t, k.store.Verify(ctx, ""))
	})
}

// When every writer decides on the same state, the worst case of the race
// above is certain: only installment 1 is paid.
func TestConcurrentPaymentsOfConsecutiveInstallmentsOnOneState(t *testing.T) {
	ctx := context.Background()
	policyEachStore(t, func(t *testing.T, k *policyKit) {
		id := k.issue(t, policyInstallmentsCmd("KIAS-711", policyHolder, policyWriters))
		racers := policyNewKit(t, policyNewBarrierStore(k.store, policyWriters, 2))
		errs := policyRace(func(i int) error { return policyPayNumber(racers, id, i+1) })
		assert.NoError(t, errs[0])
		for i, err := range errs[1:] {
			assert.ErrorIs(t, err, policy.ErrInstallmentOutOfOrder, "installment %d", i+2)
		}
		s := k.policy(t, id)
		assert.True(t, money.MustParse("10000").Equal(s.Paid()))
		assert.Len(t, s.UnpaidInstallments(), policyWriters-1)
		require.NoError(t, k.store.Verify(ctx, ""))
	})
}

// policyPayNumber pays installment n (10 000 KZT) for policyHolder.
func policyPayNumber(k *policyKit, id uuid.UUID, n int) error {
	_, err := k.policies.PayInstallment(context.Background(), uuid.New(), policyHolder, id, policy.PayInstallment{
		Number: n, PaymentRef: fmt.Sprintf("pay-%d", n), Amount: money.MustParse("10000"),
	})
	return err
}
