package bonus

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/domain/wire/wiretest"
)

// FuzzDecodeEvent feeds the codec what a damaged or hostile event store row
// could hold. Whatever decodes must encode again under the same name to the
// same JSON, and Evolve must take it without panicking: replaying history
// never fails.
func FuzzDecodeEvent(f *testing.F) {
	for _, e := range []Event{
		accrued("pay-1", 150),
		Accrued{PaymentRef: "pay-2", PolicyID: policyID, Points: 1, Reason: "purchase", Amount: money.MustParse("99.99"), Rate: onePct, AccruedAt: now},
		Spent{OrderRef: "order-1", Points: 100, SpentAt: now},
		Reversed{PaymentRef: "pay-1", Points: 30, Shortfall: 120, ReversedAt: now},
		Expired{Points: 10, AsOf: asOf, ExpiredAt: now},
	} {
		typ, data, err := EncodeEvent(e)
		require.NoError(f, err)
		f.Add(typ, data)
	}
	f.Add(TypeAccrued, []byte(`{"amount":"1.234","rate":"1e400","points":-1}`))
	f.Add(TypeSpent, []byte(`{"points":9223372036854775807,"spent_at":"0000-01-01T00:00:00Z"}`))
	f.Add(TypeExpired, []byte(`{"points":1,"as_of":"2025-13-01T00:00:00Z"}`))
	history := []Event{accrued("pay-1", 150), Spent{OrderRef: "o", Points: 10, SpentAt: now}}
	f.Fuzz(func(t *testing.T, typ string, data []byte) {
		e, ok := wiretest.RoundTrip(t, DecodeEvent, EncodeEvent, SchemaVersion, typ, data)
		if !ok {
			return
		}

		Evolve(State{}, e)
		Evolve(fold(history), e)
	})
}
