package bus_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/bus"
	"github.com/kabinet/kabinet/adapters/reactions"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/dbtest"
)

func TestGoChannelDeliversEachEventOnceInStreamOrder(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, backend dbtest.Backend) {
		in := onBackend(backend)
		all, changes := newRecorder(), newRecorder()
		rs := []reactions.Reaction{
			all.reaction("RecordOnAnything", "a", nil, "test.happened", "test.changed"),
			changes.reaction("RecordOnChanged", "a", nil, "test.changed"),
		}
		b := start(t, in, rs, testConfig(t, "a"))

		// Writers append to several streams at once while the bus runs.
		const writers, streamsEach, perStream = 4, 2, 10
		var (
			mu      sync.Mutex
			streams = map[string][]eventstore.Event{}
			wg      sync.WaitGroup
			errs    = make(chan error, writers)
		)
		for range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range streamsEach {
					stream := newStream()
					events, err := appendN(in.store, stream, perStream, "test.happened", "test.changed")
					if err != nil {
						errs <- err
						return
					}
					mu.Lock()
					streams[stream] = events
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}

		total := writers * streamsEach * perStream
		all.waitFor(t, total, 15*time.Second)
		changes.waitFor(t, total/2, 15*time.Second)

		for stream, events := range streams {
			all.onceEach(t, events)
			var changed []eventstore.Event
			for _, e := range events {
				if e.Type == "test.changed" {
					changed = append(changed, e)
				}
			}
			changes.onceEach(t, changed)
			assert.Equal(t, []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, all.versions(stream), "stream order")
			assert.Equal(t, []int64{2, 4, 6, 8, 10}, changes.versions(stream), "only its types, in stream order")

			// The reaction is handed the event as stored.
			stored, err := in.store.Load(context.Background(), stream, 0)
			require.NoError(t, err)
			for _, e := range stored {
				assert.Equal(t, e, all.event(e.ID))
			}
		}
		assert.Equal(t, total/2, changes.count(), "no event of another type")

		// A redelivery is skipped: replay the whole log from a reset checkpoint.
		require.NoError(t, b.stop())
		_, err := in.db.Exec(context.Background(), `UPDATE relay_checkpoints SET position_tx = 0, position_seq = 0`)
		require.NoError(t, err)
		start(t, in, rs, testConfig(t, "a-again"))
		waitCheckpoint(t, in.db, lastPosition(t, in.store))
		for _, events := range streams {
			all.onceEach(t, events)
		}
		assert.Equal(t, total, all.count())
		var done int
		require.NoError(t, in.db.QueryRow(context.Background(), `SELECT count(*) FROM reaction_done WHERE reaction = 'RecordOnAnything'`).Scan(&done))
		assert.Equal(t, total, done)
	})
}

func TestRelayStandbyTakesOverFromTheCheckpoint(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, backend dbtest.Backend) {
		in := onBackend(backend)
		other := in.another(t)
		recA, recB := newRecorder(), newRecorder()

		a := start(t, in, []reactions.Reaction{recA.reaction("Record", "a", nil)}, testConfig(t, "a"))
		require.Eventually(t, a.bus.RelayActive, 5*time.Second, 5*time.Millisecond)
		b := start(t, other, []reactions.Reaction{recB.reaction("Record", "b", nil)}, testConfig(t, "b"))

		first := appendEvents(t, in.store, newStream(), 10)
		recA.waitFor(t, len(first), 10*time.Second)
		recA.onceEach(t, first)
		assert.Never(t, b.bus.RelayActive, 200*time.Millisecond, 10*time.Millisecond, "one relay at a time")
		assert.Zero(t, recB.count(), "the standby's in-process bus gets nothing")

		require.NoError(t, a.stop())
		require.Eventually(t, b.bus.RelayActive, 5*time.Second, 5*time.Millisecond, "the standby takes over")

		second := appendEvents(t, other.store, newStream(), 10)
		recB.waitFor(t, len(second), 10*time.Second)
		recB.onceEach(t, second)
		waitCheckpoint(t, in.db, lastPosition(t, in.store))
		assert.Equal(t, len(second), recB.count(), "it starts from the checkpoint, not from the beginning")
		assert.Equal(t, len(first), recA.count())

		cp, err := bus.Checkpoint(context.Background(), in.db, "bus")
		require.NoError(t, err)
		var instance string
		require.NoError(t, in.db.QueryRow(context.Background(), `SELECT instance FROM relay_checkpoints WHERE name = 'bus'`).Scan(&instance))
		assert.Equal(t, "b", instance)
		assert.Equal(t, lastPosition(t, in.store), cp)
	})
}

func TestGoChannelStopMidHandlingLosesNothing(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, backend dbtest.Backend) {
		in := onBackend(backend)
		rec := newRecorder()
		var hangOnce sync.Once
		hung := make(chan struct{})
		hang := func(ctx context.Context, e eventstore.RecordedEvent) error {
			first := false
			hangOnce.Do(func() { first = true })
			if !first {
				return nil
			}
			close(hung)
			<-ctx.Done() // outlasts the drain: the bus cancels it
			return ctx.Err()
		}
		stream := newStream()
		events := appendEvents(t, in.store, stream, 5)
		b := start(t, in, []reactions.Reaction{rec.reaction("Record", "a", hang)}, testConfig(t, "a"))
		select {
		case <-hung:
		case <-time.After(10 * time.Second):
			t.Fatal("the reaction was never given an event")
		}
		require.NoError(t, b.stop())
		assert.Zero(t, rec.count(), "the first event hung, and the others wait behind it")
		cp, err := bus.Checkpoint(context.Background(), in.db, "bus")
		require.NoError(t, err)
		assert.True(t, cp.Less(lastPosition(t, in.store)), "the checkpoint stays before what was not handled")

		start(t, in, []reactions.Reaction{rec.reaction("Record", "a", nil)}, testConfig(t, "a-restarted"))
		rec.waitFor(t, len(events), 10*time.Second)
		rec.onceEach(t, events)
		assert.Equal(t, []int64{1, 2, 3, 4, 5}, rec.versions(stream))
	})
}
