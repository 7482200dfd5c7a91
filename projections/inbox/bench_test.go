package inbox_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/domain/notice"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/eventstore/postgres"
	"github.com/kabinet/kabinet/internal/pgtest"
	"github.com/kabinet/kabinet/projections"
	"github.com/kabinet/kabinet/projections/inbox"
)

// benchHistory is eight notices of one client, two of them read.
func benchHistory(n int) []notice.Event {
	at := start.Add(time.Duration(n) * time.Second)
	var events []notice.Event
	var ids []uuid.UUID
	for i := range 8 {
		id := uuid.New()
		ids = append(ids, id)
		events = append(events, notice.Recorded{
			NoticeID: id, Kind: notice.KindExpiringPolicy, Channels: []notice.Channel{notice.ChannelSMS, notice.ChannelInbox},
			Title: "Полис скоро истекает", Body: fmt.Sprintf("Срок действия полиса ОГПО ВТС № %d-%d истекает 31.03.2025.", n, i),
			PolicyID: uuid.New(), OccurredAt: at,
		})
	}
	return append(events, notice.Read{NoticeID: ids[0], ReadAt: at}, notice.Read{NoticeID: ids[3], ReadAt: at})
}

// BenchmarkRebuild compares a rebuild of the model with merely reading and
// decoding the same log, which holds notice events only: the worst case,
// since a real log holds many events this model skips undecoded. The
// speed metric is the rebuild's speed as a share of the read's (the target
// is at least 0.6).
func BenchmarkRebuild(b *testing.B) {
	const clients = 3000
	ctx := context.Background()
	pool, _ := pgtest.New(b)
	store := postgres.New(pool, postgres.Options{})
	b.Cleanup(store.Close)
	for n := range clients {
		history := benchHistory(n)
		events := make([]eventstore.Event, len(history))
		for i, e := range history {
			typ, data, err := notice.EncodeEvent(e)
			require.NoError(b, err)
			events[i] = eventstore.Event{ID: uuid.New(), Type: typ, SchemaVersion: notice.SchemaVersion, Data: data, OccurredAt: start}
		}
		_, err := store.Append(ctx, eventstore.StreamName(notice.Aggregate, uuid.New()), eventstore.NoStream, events...)
		require.NoError(b, err)
	}
	_, err := projections.CatchUp(ctx, pool, store, inbox.Projection{})
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
				_, err := notice.DecodeEvent(e.Type, e.SchemaVersion, e.Data)
				require.NoError(b, err)
			}
			after = batch[len(batch)-1].Position
		}
		read += time.Since(t0)
		res, err := projections.Rebuild(ctx, pool, store, inbox.Projection{}, projections.RebuildOptions{})
		require.NoError(b, err)
		rebuild += res.Elapsed
		events += res.Events
	}
	b.ReportMetric(float64(events)/rebuild.Seconds(), "rebuild-events/s")
	b.ReportMetric(read.Seconds()/rebuild.Seconds(), "rebuild/read-speed")
}
