package bonus

import (
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/domain/money"
)

func TestCodecRoundTrip(t *testing.T) {
	tests := []struct {
		wire  string
		event Event
		json  string
	}{
		{
			wire: "bonus.accrued",
			event: Accrued{
				PaymentRef: "pay-1", PolicyID: policyID, Points: 150, Reason: "purchase",
				Amount: money.MustParse("15099.99"), Rate: decimal.RequireFromString("0.01"), AccruedAt: now,
			},
			json: `{"payment_ref":"pay-1","policy_id":"0195a1c2-0000-7000-8000-000000000003","points":150,
				"reason":"purchase","amount":"15099.99","rate":"0.01","accrued_at":"2025-03-01T10:00:00Z"}`,
		},
		{
			wire:  "bonus.spent",
			event: Spent{OrderRef: "order-1", Points: 100, SpentAt: now},
			json:  `{"order_ref":"order-1","points":100,"spent_at":"2025-03-01T10:00:00Z"}`,
		},
		{
			wire:  "bonus.reversed",
			event: Reversed{PaymentRef: "pay-1", Points: 30, Shortfall: 120, ReversedAt: now},
			json:  `{"payment_ref":"pay-1","points":30,"shortfall":120,"reversed_at":"2025-03-01T10:00:00Z"}`,
		},
		{
			wire:  "bonus.expired",
			event: Expired{Points: 10, AsOf: asOf, ExpiredAt: now},
			json:  `{"points":10,"as_of":"2025-03-01T00:00:00Z","expired_at":"2025-03-01T10:00:00Z"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.wire, func(t *testing.T) {
			typ, data, err := EncodeEvent(tt.event)
			require.NoError(t, err)
			assert.Equal(t, tt.wire, typ)
			assert.JSONEq(t, tt.json, string(data))

			got, err := DecodeEvent(typ, SchemaVersion, data)
			require.NoError(t, err)
			assert.Equal(t, tt.event, got)
		})
	}
}

type strayEvent struct{}

func (strayEvent) eventType() string { return "bonus.stray" }

func TestCodecRefusesUnknown(t *testing.T) {
	_, _, err := EncodeEvent(strayEvent{})
	assert.ErrorIs(t, err, ErrUnknownEvent)

	_, err = DecodeEvent("bonus.gifted", SchemaVersion, []byte(`{}`))
	assert.ErrorIs(t, err, ErrUnknownEvent)

	_, err = DecodeEvent(TypeSpent, SchemaVersion+1, []byte(`{}`))
	assert.ErrorIs(t, err, ErrUnknownEvent)

	_, err = DecodeEvent(TypeSpent, SchemaVersion, []byte(`{"points":"many"}`))
	assert.Error(t, err)
}
