package bonusledger_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/domain/bonus"
	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/eventstore/postgres"
	"github.com/kabinet/kabinet/internal/pgtest"
	"github.com/kabinet/kabinet/projections"
	"github.com/kabinet/kabinet/projections/bonusledger"
)

// benchHistory is six movements of one account.
func benchHistory(n int) []bonus.Event {
	at := start.Add(time.Duration(n) * time.Second)
	rate := decimal.RequireFromString("0.01")
	return []bonus.Event{
		bonus.Accrued{PaymentRef: fmt.Sprintf("pay-%d-1", n), PolicyID: uuid.New(), Points: 450, Reason: "purchase", Amount: money.MustParse("45000"), Rate: rate, AccruedAt: at},
		bonus.Accrued{PaymentRef: fmt.Sprintf("pay-%d-2", n), PolicyID: uuid.New(), Points: 150, Reason: "purchase", Amount: money.MustParse("15000"), Rate: rate, AccruedAt: at},
		bonus.Spent{OrderRef: fmt.Sprintf("order-%d", n), Points: 300, SpentAt: at},
		bonus.Reversed{PaymentRef: fmt.Sprintf("pay-%d-1", n), Points: 300, Shortfall: 150, ReversedAt: at},
		bonus.Accrued{PaymentRef: fmt.Sprintf("pay-%d-3", n), Points: 50, Reason: "promo", Amount: money.MustParse("5000"), Rate: rate, AccruedAt: at},
		bonus.Expired{Points: 20, AsOf: start, ExpiredAt: at},
	}
}

// BenchmarkRebuild compares a rebuild of the model with merely reading and
// decoding the same log, which holds bonus events only: the worst case,
// since a real log holds many events this model skips undecoded. The
// speed metric is the rebuild's speed as a share of the read's (the target
// is at least 0.6).
func BenchmarkRebuild(b *testing.B) {
	const clients = 5000
	ctx := context.Background()
	pool, _ := pgtest.New(b)
	store := postgres.New(pool, postgres.Options{})
	b.Cleanup(store.Close)
	for n := range clients {
		history := benchHistory(n)
		events := make([]eventstore.Event, len(history))
		for i, e := range history {
			typ, data, err := bonus.EncodeEvent(e)
			require.NoError(b, err)
			events[i] = eventstore.Event{ID: uuid.New(), Type: typ, SchemaVersion: bonus.SchemaVersion, Data: data, OccurredAt: start}
		}
		_, err := store.Append(ctx, eventstore.StreamName(bonus.Aggregate, uuid.New()), eventstore.NoStream, events...)
		require.NoError(b, err)
	}
	_, err := projections.CatchUp(ctx, pool, store, bonusledger.Projection{})
	require.NoError(b, err)

	b.ResetTimer()
	var read, rebuild time.Duration
	var events int64
	for range b.N {
		t0 := time.Now()
		var after eventstore.Position
		for {
			batch, err := store.ReadAll(ctx, after, projections.DefaultBatchSize)
			require.NoError(b, err)
			if len(batch) == 0 {
				break
			}
			for _, e := range batch {
				_, err := bonus.DecodeEvent(e.Type, e.SchemaVersion, e.Data)
				require.NoError(b, err)
			}
			after = batch[len(batch)-1].Position
		}
		read += time.Since(t0)
		res, err := projections.Rebuild(ctx, pool, store, bonusledger.Projection{}, projections.RebuildOptions{})
		require.NoError(b, err)
		rebuild += res.Elapsed
		events += res.Events
	}
	b.ReportMetric(float64(events)/rebuild.Seconds(), "rebuild-events/s")
	b.ReportMetric(read.Seconds()/rebuild.Seconds(), "rebuild/read-speed")
}
