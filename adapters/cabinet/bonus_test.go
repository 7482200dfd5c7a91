package cabinet_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
	"github.com/kabinet/kabinet/domain/money"
)

// accrue credits c with the points of a payment and waits for the ledger.
func accrue(t *testing.T, k *cabinettest.Kit, c cabinettest.Client, p cabinettest.Policy, ref, amount string) {
	t.Helper()
	res, err := k.Deps.Bonuses.AccrueBonus(t.Context(), uuid.New(), c.ID, ref, money.MustParse(amount), p.ID)
	waitFor(t, k, res, err)
}

func TestSpendBonus(t *testing.T) {
	t.Parallel()
	eachDatabase(t, testSpendBonus)
}

func testSpendBonus(t *testing.T, o cabinettest.Options) {
	k := newKit(t, o)
	c := k.Client(t)
	mine := session(k, c.Session.SessionToken)

	e := refused(t, k, "SpendBonus", mine, &cabinet.SpendBonusRequest{OrderRef: "ORDER-1", Points: 10})
	wantError(t, e, cabinet.CodeInsufficientBalance, "points")

	p := k.Policy(t, c, cabinettest.PolicyOptions{})
	accrue(t, k, c, p, "PAY-B-1", "50000.00") // 500 points at one point per 100 KZT
	acc := call[cabinet.GetBonusAccountResponse](t, k, "GetBonusAccount", mine, &cabinet.GetBonusAccountRequest{})
	require.Equal(t, int64(500), acc.Balance)

	spent := call[cabinet.SpendBonusResponse](t, k, "SpendBonus", mine, &cabinet.SpendBonusRequest{OrderRef: "ORDER-1", Points: 120})
	assert.Equal(t, cabinet.SpendBonusResponse{Spent: 120, Balance: 380}, *spent)
	again := call[cabinet.SpendBonusResponse](t, k, "SpendBonus", mine, &cabinet.SpendBonusRequest{OrderRef: "ORDER-1", Points: 120})
	assert.Equal(t, spent, again, "the same order spends once")
	e = refused(t, k, "SpendBonus", mine, &cabinet.SpendBonusRequest{OrderRef: "ORDER-2", Points: 381})
	wantError(t, e, cabinet.CodeInsufficientBalance, "points")

	acc = call[cabinet.GetBonusAccountResponse](t, k, "GetBonusAccount", mine, &cabinet.GetBonusAccountRequest{})
	assert.Equal(t, int64(380), acc.Balance, "the ledger shows the spend at once")
	assert.Equal(t, int64(500), acc.Accrued)
	assert.Equal(t, int64(120), acc.Spent)
	require.Len(t, acc.Entries, 2)
	assert.Equal(t, cabinet.BonusEntry{Seq: acc.Entries[0].Seq, Kind: "spent", Points: 120, Delta: -120, At: acc.Entries[0].At, OrderRef: "ORDER-1"}, acc.Entries[0])
	assert.Equal(t, cabinet.BonusEntry{Seq: acc.Entries[1].Seq, Kind: "accrued", Points: 500, Delta: 500, At: acc.Entries[1].At,
		PolicyID: p.ID.String(), PaymentRef: "PAY-B-1", Amount: "50000.00", Reason: "purchase"}, acc.Entries[1])

	page := call[cabinet.GetBonusAccountResponse](t, k, "GetBonusAccount", mine, &cabinet.GetBonusAccountRequest{Limit: 1})
	require.Len(t, page.Entries, 1)
	assert.Equal(t, "spent", page.Entries[0].Kind)
	require.NotZero(t, page.NextBefore)
	page = call[cabinet.GetBonusAccountResponse](t, k, "GetBonusAccount", mine, &cabinet.GetBonusAccountRequest{Limit: 1, Before: page.NextBefore})
	require.Len(t, page.Entries, 1)
	assert.Equal(t, "accrued", page.Entries[0].Kind)

	for _, tc := range []struct {
		name  string
		req   cabinet.SpendBonusRequest
		field string
	}{
		{"no order", cabinet.SpendBonusRequest{Points: 1}, "orderRef"},
		{"no points", cabinet.SpendBonusRequest{OrderRef: "ORDER-3"}, "points"},
		{"negative points", cabinet.SpendBonusRequest{OrderRef: "ORDER-3", Points: -5}, "points"},
	} {
		wantError(t, refused(t, k, "SpendBonus", mine, &tc.req), cabinet.CodeInvalidArgument, tc.field)
	}
	e = refused(t, k, "GetBonusAccount", mine, &cabinet.GetBonusAccountRequest{Limit: 500})
	wantError(t, e, cabinet.CodeInvalidArgument, "limit")
}

func TestConcurrentSpendsNeverOverdraw(t *testing.T) {
	t.Parallel()
	eachDatabase(t, testConcurrentSpendsNeverOverdraw)
}

func testConcurrentSpendsNeverOverdraw(t *testing.T, o cabinettest.Options) {
	k := newKit(t, o)
	c := k.Client(t)
	mine := session(k, c.Session.SessionToken)
	p := k.Policy(t, c, cabinettest.PolicyOptions{})
	accrue(t, k, c, p, "PAY-C-1", "100000.00") // 1000 points

	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		spent  []int64
		errors []error
	)
	for i := range 10 {
		wg.Go(func() {
			resp, err := k.Call(t.Context(), "SpendBonus", mine, &cabinet.SpendBonusRequest{OrderRef: fmt.Sprintf("ORDER-C-%d", i), Points: 300})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errors = append(errors, err)
				return
			}
			spent = append(spent, resp.(*cabinet.SpendBonusResponse).Spent)
		})
	}
	wg.Wait()

	assert.Len(t, spent, 3, "1000 points pay for three orders of 300")
	for _, err := range errors {
		e, _ := cabinet.ErrorOf(err)
		assert.Equal(t, cabinet.CodeInsufficientBalance, e.Code, "%v", err)
	}
	acc := call[cabinet.GetBonusAccountResponse](t, k, "GetBonusAccount", mine, &cabinet.GetBonusAccountRequest{})
	assert.Equal(t, int64(100), acc.Balance)
	assert.Equal(t, int64(900), acc.Spent)
	assert.Len(t, acc.Entries, 4)
}
