package bus_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/bus"
	"github.com/kabinet/kabinet/adapters/reactions"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/dbtest"
)

// gateway plays a partner that fails some events: a few times, always, or
// with a panic, until it is mended.
type gateway struct {
	mu       sync.Mutex
	flaky    map[uuid.UUID]int // failures left before it succeeds
	broken   map[uuid.UUID]bool
	panics   map[uuid.UUID]bool
	attempts map[uuid.UUID][]time.Time
	mended   atomic.Bool
}

func newGateway() *gateway {
	return &gateway{flaky: map[uuid.UUID]int{}, broken: map[uuid.UUID]bool{}, panics: map[uuid.UUID]bool{}, attempts: map[uuid.UUID][]time.Time{}}
}

func (g *gateway) call(_ context.Context, e eventstore.RecordedEvent) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.attempts[e.ID] = append(g.attempts[e.ID], time.Now())
	switch {
	case g.mended.Load():
		return nil
	case g.panics[e.ID]:
		panic("index out of range")
	case g.broken[e.ID]:
		return errors.New("sms gateway answered 500")
	case g.flaky[e.ID] > 0:
		g.flaky[e.ID]--
		return errors.New("sms gateway answered 429")
	}
	return nil
}

func (g *gateway) tries(id uuid.UUID) []time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]time.Time(nil), g.attempts[id]...)
}

func TestFailingReactionIsRetriedThenPoisonedWithoutBlockingOthers(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, backend dbtest.Backend) {
		in := onBackend(backend)
		ctx := context.Background()
		gw, rec, calm := newGateway(), newRecorder(), newRecorder()
		rs := []reactions.Reaction{
			rec.reaction("SendSMSOnHappened", "a", gw.call),
			calm.reaction("RecordOnHappened", "a", nil),
		}
		cfg := testConfig(t, "a") // MaxRetries 3: four attempts
		stream := newStream()
		events := appendEvents(t, in.store, stream, 8)
		flaky, broken, panicky := events[1], events[3], events[5]
		gw.flaky[flaky.ID] = 2
		gw.broken[broken.ID] = true
		gw.panics[panicky.ID] = true
		start(t, in, rs, cfg)

		// Every event but the two hopeless ones gets through, including those
		// after them: a poisoned event holds nothing back.
		rec.waitFor(t, len(events)-2, 15*time.Second)
		calm.waitFor(t, len(events), 15*time.Second)
		calm.onceEach(t, events)
		assert.Equal(t, 1, rec.times(flaky.ID), "flaky succeeded on a retry")
		assert.Len(t, gw.tries(flaky.ID), 3)
		assert.Zero(t, rec.times(broken.ID))
		assert.Zero(t, rec.times(panicky.ID))
		assert.Equal(t, []int64{1, 2, 3, 5, 7, 8}, rec.versions(stream))

		var failures []bus.Failure
		require.Eventually(t, func() bool {
			var err error
			failures, err = bus.Failed(ctx, in.db)
			return err == nil && len(failures) == 2
		}, 5*time.Second, 10*time.Millisecond)
		byEvent := map[uuid.UUID]bus.Failure{}
		for _, f := range failures {
			byEvent[f.EventID] = f
		}
		f := byEvent[broken.ID]
		assert.Equal(t, "SendSMSOnHappened", f.Reaction)
		assert.Equal(t, stream, f.Stream)
		assert.Equal(t, int64(4), f.Version)
		assert.Equal(t, "test.happened", f.EventType)
		assert.Equal(t, "sms gateway answered 500", f.Reason)
		assert.Equal(t, 4, f.Attempts, "one attempt and MaxRetries retries")
		assert.True(t, f.RetriedAt.IsZero())
		assert.Contains(t, byEvent[panicky.ID].Reason, "panicked")
		assert.Equal(t, 4, byEvent[panicky.ID].Attempts)

		// The retries backed off: 5, 10 and 20 ms, less at most 20% jitter.
		tries := gw.tries(broken.ID)
		require.Len(t, tries, 4)
		assert.GreaterOrEqual(t, tries[3].Sub(tries[0]), 28*time.Millisecond)

		// An operator retry that fails again keeps the entry, with one more attempt.
		results, err := bus.Retry(ctx, in.db, in.store, rs, f.ID)
		require.NoError(t, err)
		require.Len(t, results, 1)
		require.Error(t, results[0].Err)
		again, err := bus.Failed(ctx, in.db)
		require.NoError(t, err)
		require.Len(t, again, 2)
		for _, g := range again {
			if g.ID == f.ID {
				assert.Equal(t, 5, g.Attempts)
				assert.False(t, g.RetriedAt.IsZero())
			}
		}

		// Mended, the retry of one entry carries it out and clears it...
		gw.mended.Store(true)
		results, err = bus.Retry(ctx, in.db, in.store, rs, f.ID)
		require.NoError(t, err)
		require.Len(t, results, 1)
		require.NoError(t, results[0].Err)
		assert.Equal(t, 1, rec.times(broken.ID))
		left, err := bus.Failed(ctx, in.db)
		require.NoError(t, err)
		require.Len(t, left, 1)
		assert.Equal(t, panicky.ID, left[0].EventID)

		// ...and --all clears the rest; a second run finds nothing to do.
		results, err = bus.Retry(ctx, in.db, in.store, rs, bus.AllFailures)
		require.NoError(t, err)
		require.Len(t, results, 1)
		require.NoError(t, results[0].Err)
		left, err = bus.Failed(ctx, in.db)
		require.NoError(t, err)
		assert.Empty(t, left)
		results, err = bus.Retry(ctx, in.db, in.store, rs, bus.AllFailures)
		require.NoError(t, err)
		assert.Empty(t, results)
		rec.onceEach(t, events)

		_, err = bus.Retry(ctx, in.db, in.store, rs, f.ID)
		assert.ErrorIs(t, err, bus.ErrFailureNotFound)
	})
}

func TestRetryOfAReactionThisBinaryDoesNotRun(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, backend dbtest.Backend) {
		in := onBackend(backend)
		ctx := context.Background()
		events := appendEvents(t, in.store, newStream(), 1)
		gw := newGateway()
		gw.broken[events[0].ID] = true
		rec := newRecorder()
		rs := []reactions.Reaction{rec.reaction("SendSMSOnHappened", "a", gw.call)}
		b := start(t, in, rs, testConfig(t, "a"))
		require.Eventually(t, func() bool {
			f, err := bus.Failed(ctx, in.db)
			return err == nil && len(f) == 1
		}, 10*time.Second, 10*time.Millisecond)
		require.NoError(t, b.stop())

		results, err := bus.Retry(ctx, in.db, in.store, nil, bus.AllFailures)
		require.NoError(t, err)
		require.Len(t, results, 1)
		assert.ErrorIs(t, results[0].Err, bus.ErrUnknownReaction)
		left, err := bus.Failed(ctx, in.db)
		require.NoError(t, err)
		assert.Len(t, left, 1, "the entry stays")
	})
}

func TestPoisonReasonIsTruncated(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, backend dbtest.Backend) {
		in := onBackend(backend)
		ctx := context.Background()
		events := appendEvents(t, in.store, newStream(), 1)
		long := strings.Repeat("ошибка ", 400) // multi-byte runes across the cut
		rs := []reactions.Reaction{{Name: "FailOnHappened", Types: []string{"test.happened"},
			Handle: func(context.Context, eventstore.RecordedEvent) error { return errors.New(long) }}}
		start(t, in, rs, testConfig(t, "a"))
		var failures []bus.Failure
		require.Eventually(t, func() bool {
			var err error
			failures, err = bus.Failed(ctx, in.db)
			return err == nil && len(failures) == 1
		}, 10*time.Second, 10*time.Millisecond)
		assert.Equal(t, events[0].ID, failures[0].EventID)
		assert.LessOrEqual(t, len(failures[0].Reason), 1000+len("…"))
		assert.True(t, strings.HasPrefix(long, strings.TrimSuffix(failures[0].Reason, "…")))
	})
}

// An error that quotes text PostgreSQL refuses (a NUL, invalid UTF-8) made
// the poison queue's insert fail, and the event came back for ever; its
// reason is now stored with those replaced.
func TestPoisonReasonIsStoredAsText(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, backend dbtest.Backend) {
		in := onBackend(backend)
		events := appendEvents(t, in.store, newStream(), 1)
		rs := []reactions.Reaction{{Name: "FailOnHappened", Types: []string{"test.happened"},
			Handle: func(context.Context, eventstore.RecordedEvent) error {
				return errors.New("template \"a\x00b\xff\": missing key")
			}}}
		start(t, in, rs, testConfig(t, "a"))
		var failures []bus.Failure
		require.Eventually(t, func() bool {
			var err error
			failures, err = bus.Failed(context.Background(), in.db)
			return err == nil && len(failures) == 1
		}, 10*time.Second, 10*time.Millisecond)
		assert.Equal(t, events[0].ID, failures[0].EventID)
		assert.Equal(t, "template \"a\uFFFDb\uFFFD\": missing key", failures[0].Reason)
	})
}
