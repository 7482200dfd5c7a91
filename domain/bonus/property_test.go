package bonus

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/kabinet/kabinet/domain/money"
)

// genCommand draws from small pools of references so that repeats, reversals of
// known payments and spends near the balance all happen often.
func genCommand() *rapid.Generator[Command] {
	ref := func(prefix string) *rapid.Generator[string] {
		return rapid.Map(rapid.IntRange(1, 4), func(i int) string { return fmt.Sprintf("%s-%d", prefix, i) })
	}
	rates := []string{"0", "0.01", "0.05", "0.5", "1"}
	return rapid.OneOf(
		rapid.Custom(func(t *rapid.T) Command {
			return AccrueBonus{
				PaymentRef: ref("pay").Draw(t, "payment"),
				Amount:     money.FromTiyn(rapid.Int64Range(0, 10_000_000).Draw(t, "tiyn")),
				Rate:       decimal.RequireFromString(rapid.SampledFrom(rates).Draw(t, "rate")),
			}
		}),
		rapid.Custom(func(t *rapid.T) Command {
			return SpendBonus{OrderRef: ref("order").Draw(t, "order"), Points: rapid.Int64Range(-1, 60_000).Draw(t, "points")}
		}),
		rapid.Custom(func(t *rapid.T) Command {
			return ReverseBonus{PaymentRef: ref("pay").Draw(t, "payment")}
		}),
		rapid.Custom(func(t *rapid.T) Command {
			day := rapid.IntRange(0, 3).Draw(t, "day")
			return ExpireBonus{
				Points: rapid.Int64Range(0, 60_000).Draw(t, "points"),
				AsOf:   time.Date(2025, 1, 1+day, 0, 0, 0, 0, time.UTC),
			}
		}),
	)
}

func TestPropertyBalanceAndReplay(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		var (
			s       State
			history []Event
			states  []State // states[i] is the state after history[:i+1]
		)
		clock := now
		for i := range rapid.IntRange(1, 60).Draw(rt, "steps") {
			cmd := genCommand().Draw(rt, fmt.Sprintf("cmd%d", i))
			clock = clock.Add(time.Hour)
			events, err := Decide(s, cmd, clock)
			if err != nil {
				require.Empty(rt, events)
				if sp, ok := cmd.(SpendBonus); ok && errors.Is(err, ErrInsufficientBalance) {
					require.Greater(rt, sp.Points, s.Balance, "refused a spend the balance covers")
				}
				continue
			}
			for _, e := range events {
				s = Evolve(s, e)
				history = append(history, e)
				states = append(states, s)
				require.GreaterOrEqual(rt, s.Balance, int64(0), "balance went negative after %T", e)
			}
			if len(events) > 0 {
				again, err := Decide(s, cmd, clock)
				require.NoError(rt, err)
				require.Empty(rt, again, "a repeated %T must decide nothing", cmd)
			}
		}

		// Replay equals state, also through the codec, and every intermediate
		// state is still what its prefix folds to (nothing was shared and mutated).
		var replayed State
		var ledger int64
		for i, e := range history {
			typ, data, err := EncodeEvent(e)
			require.NoError(rt, err)
			decoded, err := DecodeEvent(typ, SchemaVersion, data)
			require.NoError(rt, err)
			replayed = Evolve(replayed, decoded)
			require.Equal(rt, states[i], replayed, "state after event %d", i)

			switch e := e.(type) {
			case Accrued:
				ledger += e.Points
			case Spent:
				ledger -= e.Points
			case Reversed:
				ledger -= e.Points
			case Expired:
				ledger -= e.Points
			}
		}
		require.Equal(rt, s, replayed)
		require.Equal(rt, ledger, s.Balance, "balance is the sum of the ledger")
	})
}
