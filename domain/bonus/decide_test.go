package bonus

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/domain/money"
)

var (
	now      = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	asOf     = time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	policyID = uuid.MustParse("0195a1c2-0000-7000-8000-000000000003")
	onePct   = decimal.RequireFromString("0.01")
)

func accrued(ref string, points int64) Accrued {
	return Accrued{
		PaymentRef: ref, PolicyID: policyID, Points: points, Reason: DefaultAccrualReason,
		Amount: money.FromTiyn(points * 100 * 100), Rate: onePct, AccruedAt: now,
	}
}

func accrueCmd(ref string, amount string) AccrueBonus {
	return AccrueBonus{PaymentRef: ref, PolicyID: policyID, Amount: money.MustParse(amount), Rate: onePct}
}

func fold(events []Event) State {
	var s State
	for _, e := range events {
		s = Evolve(s, e)
	}
	return s
}

type decideCase struct {
	name    string
	given   []Event
	when    Command
	want    []Event
	wantErr error
}

func runDecide(t *testing.T, tests []decideCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decide(fold(tt.given), tt.when, now)
			if tt.wantErr != nil {
				require.Error(t, err)
				assert.ErrorIs(t, err, tt.wantErr)
				assert.Empty(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestAccrueBonus(t *testing.T) {
	runDecide(t, []decideCase{
		{
			name: "one percent of a payment, rounded down",
			when: accrueCmd("pay-1", "15 099.99"),
			want: []Event{Accrued{
				PaymentRef: "pay-1", PolicyID: policyID, Points: 150, Reason: "purchase",
				Amount: money.MustParse("15099.99"), Rate: onePct, AccruedAt: now,
			}},
		},
		{
			name: "reason from the command",
			when: AccrueBonus{PaymentRef: "pay-1", Amount: money.MustParse("1000"), Rate: decimal.RequireFromString("0.05"), Reason: "promo"},
			want: []Event{Accrued{
				PaymentRef: "pay-1", Points: 50, Reason: "promo",
				Amount: money.MustParse("1000"), Rate: decimal.RequireFromString("0.05"), AccruedAt: now,
			}},
		},
		{
			name:  "same payment twice accrues once",
			given: []Event{accrued("pay-1", 150)},
			when:  accrueCmd("pay-1", "15000"),
			want:  nil,
		},
		{
			name:  "a reversed payment is not accrued again",
			given: []Event{accrued("pay-1", 150), Reversed{PaymentRef: "pay-1", Points: 150, ReversedAt: now}},
			when:  accrueCmd("pay-1", "15000"),
			want:  nil,
		},
		{
			name: "less than one point gives no event",
			when: accrueCmd("pay-1", "99.99"),
			want: nil,
		},
		{
			name: "zero rate gives no event",
			when: AccrueBonus{PaymentRef: "pay-1", Amount: money.MustParse("1000")},
			want: nil,
		},
		{name: "payment ref required", when: accrueCmd(" ", "1000"), wantErr: ErrInvalidCommand},
		{name: "negative amount", when: accrueCmd("pay-1", "-1000"), wantErr: ErrInvalidCommand},
		{
			name:    "negative rate",
			when:    AccrueBonus{PaymentRef: "pay-1", Amount: money.MustParse("1000"), Rate: decimal.RequireFromString("-0.01")},
			wantErr: ErrInvalidCommand,
		},
		{
			name:    "rate above one",
			when:    AccrueBonus{PaymentRef: "pay-1", Amount: money.MustParse("1000"), Rate: decimal.RequireFromString("1.5")},
			wantErr: ErrInvalidCommand,
		},
	})
}

func TestSpendBonus(t *testing.T) {
	runDecide(t, []decideCase{
		{
			name:  "spend part of the balance",
			given: []Event{accrued("pay-1", 150)},
			when:  SpendBonus{OrderRef: "order-1", Points: 100},
			want:  []Event{Spent{OrderRef: "order-1", Points: 100, SpentAt: now}},
		},
		{
			name:  "spend the whole balance",
			given: []Event{accrued("pay-1", 150)},
			when:  SpendBonus{OrderRef: "order-1", Points: 150},
			want:  []Event{Spent{OrderRef: "order-1", Points: 150, SpentAt: now}},
		},
		{
			name:    "more than the balance",
			given:   []Event{accrued("pay-1", 150)},
			when:    SpendBonus{OrderRef: "order-1", Points: 151},
			wantErr: ErrInsufficientBalance,
		},
		{
			name:    "empty account",
			when:    SpendBonus{OrderRef: "order-1", Points: 1},
			wantErr: ErrInsufficientBalance,
		},
		{
			name:  "same order twice spends once",
			given: []Event{accrued("pay-1", 150), Spent{OrderRef: "order-1", Points: 100, SpentAt: now}},
			when:  SpendBonus{OrderRef: "order-1", Points: 100},
			want:  nil,
		},
		{
			name:  "a repeated order is not refused even when the balance is now short",
			given: []Event{accrued("pay-1", 150), Spent{OrderRef: "order-1", Points: 150, SpentAt: now}},
			when:  SpendBonus{OrderRef: "order-1", Points: 150},
			want:  nil,
		},
		{name: "zero points", given: []Event{accrued("pay-1", 150)}, when: SpendBonus{OrderRef: "order-1"}, wantErr: ErrInvalidPoints},
		{name: "negative points", given: []Event{accrued("pay-1", 150)}, when: SpendBonus{OrderRef: "order-1", Points: -5}, wantErr: ErrInvalidPoints},
		{name: "order ref required", given: []Event{accrued("pay-1", 150)}, when: SpendBonus{Points: 5}, wantErr: ErrInvalidCommand},
	})
}

func TestReverseBonus(t *testing.T) {
	runDecide(t, []decideCase{
		{
			name:  "take back all accrued points",
			given: []Event{accrued("pay-1", 150), accrued("pay-2", 40)},
			when:  ReverseBonus{PaymentRef: "pay-1"},
			want:  []Event{Reversed{PaymentRef: "pay-1", Points: 150, ReversedAt: now}},
		},
		{
			name:  "points already spent: take what is there and record the shortfall",
			given: []Event{accrued("pay-1", 150), Spent{OrderRef: "order-1", Points: 120, SpentAt: now}},
			when:  ReverseBonus{PaymentRef: "pay-1"},
			want:  []Event{Reversed{PaymentRef: "pay-1", Points: 30, Shortfall: 120, ReversedAt: now}},
		},
		{
			name: "nothing left: the reversal is still recorded",
			given: []Event{
				accrued("pay-1", 150), Spent{OrderRef: "order-1", Points: 150, SpentAt: now},
			},
			when: ReverseBonus{PaymentRef: "pay-1"},
			want: []Event{Reversed{PaymentRef: "pay-1", Points: 0, Shortfall: 150, ReversedAt: now}},
		},
		{
			name:  "twice reverses once",
			given: []Event{accrued("pay-1", 150), Reversed{PaymentRef: "pay-1", Points: 150, ReversedAt: now}},
			when:  ReverseBonus{PaymentRef: "pay-1"},
			want:  nil,
		},
		{name: "unknown payment", given: []Event{accrued("pay-1", 150)}, when: ReverseBonus{PaymentRef: "pay-9"}, wantErr: ErrUnknownPayment},
		{name: "payment ref required", when: ReverseBonus{}, wantErr: ErrInvalidCommand},
	})
}

func TestExpireBonus(t *testing.T) {
	runDecide(t, []decideCase{
		{
			name:  "expire part of the balance",
			given: []Event{accrued("pay-1", 150)},
			when:  ExpireBonus{Points: 100, AsOf: asOf},
			want:  []Event{Expired{Points: 100, AsOf: asOf, ExpiredAt: now}},
		},
		{
			name:  "capped at the balance",
			given: []Event{accrued("pay-1", 150), Spent{OrderRef: "order-1", Points: 100, SpentAt: now}},
			when:  ExpireBonus{Points: 100, AsOf: asOf},
			want:  []Event{Expired{Points: 50, AsOf: asOf, ExpiredAt: now}},
		},
		{
			name: "empty balance gives no event",
			when: ExpireBonus{Points: 100, AsOf: asOf},
			want: nil,
		},
		{
			name:  "the same as-of date twice expires once, whatever the clock time",
			given: []Event{accrued("pay-1", 150), Expired{Points: 10, AsOf: asOf, ExpiredAt: now}},
			when:  ExpireBonus{Points: 10, AsOf: asOf.Add(13 * time.Hour)},
			want:  nil,
		},
		{
			name:  "another as-of date expires again",
			given: []Event{accrued("pay-1", 150), Expired{Points: 10, AsOf: asOf, ExpiredAt: now}},
			when:  ExpireBonus{Points: 10, AsOf: asOf.AddDate(0, 1, 0)},
			want:  []Event{Expired{Points: 10, AsOf: asOf.AddDate(0, 1, 0), ExpiredAt: now}},
		},
		{name: "zero points", given: []Event{accrued("pay-1", 150)}, when: ExpireBonus{AsOf: asOf}, wantErr: ErrInvalidPoints},
		{name: "as-of required", given: []Event{accrued("pay-1", 150)}, when: ExpireBonus{Points: 1}, wantErr: ErrInvalidCommand},
	})
}

type unknownCommand struct{}

func (unknownCommand) isCommand() {}

func TestDecideUnknownCommand(t *testing.T) {
	_, err := Decide(State{}, unknownCommand{}, now)
	assert.ErrorIs(t, err, ErrUnknownCommand)
}

func TestInsufficientBalanceSaysHowMuch(t *testing.T) {
	_, err := Decide(fold([]Event{accrued("pay-1", 150)}), SpendBonus{OrderRef: "o", Points: 500}, now)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "500")
	assert.Contains(t, err.Error(), "150")
}

func TestEvolve(t *testing.T) {
	s := fold([]Event{
		accrued("pay-1", 150),
		accrued("pay-2", 40),
		Spent{OrderRef: "order-1", Points: 170, SpentAt: now},
		Reversed{PaymentRef: "pay-1", Points: 20, Shortfall: 130, ReversedAt: now},
		Expired{Points: 0, AsOf: asOf, ExpiredAt: now},
	})
	assert.True(t, s.Exists())
	assert.Equal(t, int64(0), s.Balance)
	assert.Equal(t, int64(130), s.Shortfall)

	p, ok := s.AccruedFor("pay-2")
	assert.True(t, ok)
	assert.Equal(t, int64(40), p)
	_, ok = s.AccruedFor("pay-3")
	assert.False(t, ok)

	r, ok := s.ReversalOf("pay-1")
	assert.True(t, ok)
	assert.Equal(t, int64(130), r.Shortfall)
	_, ok = s.ReversalOf("pay-2")
	assert.False(t, ok)

	p, ok = s.SpentOn("order-1")
	assert.True(t, ok)
	assert.Equal(t, int64(170), p)

	_, ok = s.ExpiredAsOf(asOf.Add(5 * time.Hour))
	assert.True(t, ok)
	assert.False(t, State{}.Exists())
}

func TestEvolveLeavesEarlierStatesAlone(t *testing.T) {
	before := fold([]Event{accrued("pay-1", 150)})
	after := Evolve(before, accrued("pay-2", 10))
	_ = Evolve(after, Spent{OrderRef: "order-1", Points: 5, SpentAt: now})

	_, ok := before.AccruedFor("pay-2")
	assert.False(t, ok, "Evolve must not write into the maps of the state it was given")
	_, ok = after.SpentOn("order-1")
	assert.False(t, ok)
}
