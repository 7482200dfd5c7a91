package commands_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/commands"
	"github.com/kabinet/kabinet/domain/bonus"
	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/eventstore/memory"
)

func TestBonusConfig(t *testing.T) {
	tests := []struct {
		name    string
		rate    string
		wantErr bool
	}{
		{"zero means the default", "0", false},
		{"a share", "0.05", false},
		{"all of it", "1", false},
		{"negative", "-0.01", true},
		{"more than the payment", "1.01", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := commands.BonusConfig{Rate: decimal.RequireFromString(tt.rate)}
			err := cfg.Validate()
			_, newErr := commands.NewBonuses(commands.New(memory.New(memory.Options{}), nil), cfg)
			if tt.wantErr {
				assert.ErrorContains(t, err, "rate")
				assert.Error(t, newErr)
				return
			}
			assert.NoError(t, err)
			assert.NoError(t, newErr)
		})
	}
	b, err := commands.NewBonuses(commands.New(memory.New(memory.Options{}), nil), commands.BonusConfig{})
	require.NoError(t, err)
	assert.True(t, decimal.RequireFromString("0.01").Equal(b.Rate()), "one point per 100 KZT")
}

func TestAccrueBonus(t *testing.T) {
	ctx := context.Background()
	policyEachStore(t, func(t *testing.T, k *policyKit) {
		client, policyID, cmdID := uuid.New(), uuid.New(), uuid.New()
		res, err := k.bonuses.AccrueBonus(ctx, cmdID, client, "pay-1", money.MustParse("45099.99"), policyID)
		require.NoError(t, err)
		assert.Equal(t, 1, res.Events)
		assert.Equal(t, int64(450), k.balance(t, client), "1 %, rounded down")

		res, err = k.bonuses.AccrueBonus(ctx, cmdID, client, "pay-1", money.MustParse("45099.99"), policyID)
		require.NoError(t, err)
		assert.True(t, res.Duplicate)
		res, err = k.bonuses.AccrueBonus(ctx, uuid.New(), client, "pay-1", money.MustParse("45099.99"), policyID)
		require.NoError(t, err)
		assert.Zero(t, res.Events, "the same payment delivered again accrues nothing")
		assert.Equal(t, int64(450), k.balance(t, client))
		assert.Equal(t, []string{bonus.TypeAccrued}, k.events(t, bonus.Aggregate, client))

		small := uuid.New()
		res, err = k.bonuses.AccrueBonus(ctx, uuid.New(), small, "pay-2", money.MustParse("99.99"), policyID)
		require.NoError(t, err)
		assert.Zero(t, res.Events, "less than a point leaves no trace")
		assert.Empty(t, k.events(t, bonus.Aggregate, small))

		_, err = k.bonuses.AccrueBonus(ctx, uuid.New(), uuid.Nil, "pay-3", money.MustParse("1000"), policyID)
		assert.ErrorIs(t, err, bonus.ErrInvalidCommand)
		assert.ErrorContains(t, err, "client_id")
		_, err = k.bonuses.AccrueBonus(ctx, uuid.New(), client, " ", money.MustParse("1000"), policyID)
		assert.ErrorIs(t, err, bonus.ErrInvalidCommand)
	})
}

func TestAccrueBonusAtConfiguredRate(t *testing.T) {
	store := memory.New(memory.Options{})
	b, err := commands.NewBonuses(commands.New(store, nil), commands.BonusConfig{Rate: decimal.RequireFromString("0.05")})
	require.NoError(t, err)
	client := uuid.New()
	_, err = b.AccrueBonus(context.Background(), uuid.New(), client, "pay-1", money.MustParse("45000"), uuid.New())
	require.NoError(t, err)
	balance, err := b.Balance(context.Background(), client)
	require.NoError(t, err)
	assert.Equal(t, int64(2250), balance)
}

func TestSpendBonus(t *testing.T) {
	ctx := context.Background()
	policyEachStore(t, func(t *testing.T, k *policyKit) {
		client := uuid.New()
		k.accrue(t, client, 100)

		cmdID := uuid.New()
		res, err := k.bonuses.SpendBonus(ctx, cmdID, client, "order-1", 30)
		require.NoError(t, err)
		assert.Equal(t, 1, res.Events)
		assert.Equal(t, int64(70), k.balance(t, client))

		res, err = k.bonuses.SpendBonus(ctx, cmdID, client, "order-1", 30)
		require.NoError(t, err)
		assert.True(t, res.Duplicate)
		res, err = k.bonuses.SpendBonus(ctx, uuid.New(), client, "order-1", 30)
		require.NoError(t, err)
		assert.Zero(t, res.Events, "an order is paid with points once")
		assert.Equal(t, int64(70), k.balance(t, client))

		_, err = k.bonuses.SpendBonus(ctx, uuid.New(), client, "order-2", 71)
		assert.ErrorIs(t, err, bonus.ErrInsufficientBalance)
		_, err = k.bonuses.SpendBonus(ctx, uuid.New(), client, "order-3", 0)
		assert.ErrorIs(t, err, bonus.ErrInvalidPoints)
		_, err = k.bonuses.SpendBonus(ctx, uuid.New(), uuid.New(), "order-4", 1)
		assert.ErrorIs(t, err, bonus.ErrInsufficientBalance, "an account with no history has nothing to spend")
		assert.Equal(t, int64(70), k.balance(t, client))
		assert.Equal(t, []string{bonus.TypeAccrued, bonus.TypeSpent}, k.events(t, bonus.Aggregate, client))
	})
}

func TestReverseBonus(t *testing.T) {
	ctx := context.Background()
	policyEachStore(t, func(t *testing.T, k *policyKit) {
		client := uuid.New()
		_, err := k.bonuses.AccrueBonus(ctx, uuid.New(), client, "pay-1", money.MustParse("45000"), uuid.New())
		require.NoError(t, err)
		_, err = k.bonuses.SpendBonus(ctx, uuid.New(), client, "order-1", 400)
		require.NoError(t, err)

		_, err = k.bonuses.ReverseBonus(ctx, uuid.New(), client, "pay-unknown")
		assert.ErrorIs(t, err, bonus.ErrUnknownPayment)

		res, err := k.bonuses.ReverseBonus(ctx, uuid.New(), client, "pay-1")
		require.NoError(t, err)
		assert.Equal(t, 1, res.Events)
		assert.Equal(t, int64(0), k.balance(t, client), "takes what is left, never below zero")
		res, err = k.bonuses.ReverseBonus(ctx, uuid.New(), client, "pay-1")
		require.NoError(t, err)
		assert.Zero(t, res.Events, "reversed once")

		s, _, _, err := commands.Load(ctx, k.store, commands.Aggregate[bonus.State, bonus.Event, bonus.Command]{
			Name: bonus.Aggregate, Evolve: bonus.Evolve, Decide: bonus.Decide, Encode: bonus.EncodeEvent, Decode: bonus.DecodeEvent,
		}, client)
		require.NoError(t, err)
		assert.Equal(t, int64(400), s.Shortfall)
	})
}

func TestExpireBonus(t *testing.T) {
	ctx := context.Background()
	asOf := time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)
	policyEachStore(t, func(t *testing.T, k *policyKit) {
		client := uuid.New()
		k.accrue(t, client, 100)

		res, err := k.bonuses.ExpireBonus(ctx, uuid.New(), client, 30, asOf)
		require.NoError(t, err)
		assert.Equal(t, 1, res.Events)
		assert.Equal(t, int64(70), k.balance(t, client))
		res, err = k.bonuses.ExpireBonus(ctx, uuid.New(), client, 30, asOf)
		require.NoError(t, err)
		assert.Zero(t, res.Events, "once per as-of date")

		_, err = k.bonuses.ExpireBonus(ctx, uuid.New(), client, 500, asOf.AddDate(0, 0, 1))
		require.NoError(t, err)
		assert.Equal(t, int64(0), k.balance(t, client), "capped at the balance")
		_, err = k.bonuses.ExpireBonus(ctx, uuid.New(), client, 0, asOf.AddDate(0, 0, 2))
		assert.ErrorIs(t, err, bonus.ErrInvalidPoints)
	})
}

func TestBonusBalanceOfNewClient(t *testing.T) {
	policyEachStore(t, func(t *testing.T, k *policyKit) {
		assert.Zero(t, k.balance(t, uuid.New()))
	})
}
