package bench

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/pgtest"
)

// eachTarget runs fn as a subtest on a fresh scratch database of each
// kind a run measures.
func eachTarget(t *testing.T, fn func(t *testing.T, tg target)) {
	t.Run("postgres", func(t *testing.T) { fn(t, pgTestTarget(t)) })
	t.Run("sqlite", func(t *testing.T) { fn(t, liteTestTarget(t)) })
}

func pgTestTarget(t *testing.T) target {
	t.Helper()
	pool, _ := pgtest.New(t, pgtest.Options{MaxConns: scratchConns})
	tg := newPGTarget("test", pool)
	t.Cleanup(tg.close)
	return tg
}

func liteTestTarget(t *testing.T) target {
	t.Helper()
	files, err := newLiteFiles(filepath.Join(t.TempDir(), "bench.db"))
	require.NoError(t, err)
	tg, err := files.create(context.Background(), "test")
	require.NoError(t, err)
	t.Cleanup(func() {
		tg.close()
		assert.NoError(t, files.dropAll())
	})
	return tg
}

// runTestStorm runs a short storm on tg.
func runTestStorm(t *testing.T, tg target, skip skipHook) stormResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := storm(ctx, tg, time.Second, skip)
	require.NoError(t, err)
	require.NotZero(t, res.correctness.Committed)
	require.NotZero(t, res.correctness.RolledBack, "the storm must roll transactions back")
	return res
}

// skipOne drops the tenth event one reader gets.
func skipOne(reader string) skipHook {
	var n atomic.Int64
	return func(r string, _ eventstore.RecordedEvent) bool {
		return r == reader && n.Add(1) == 10
	}
}

func TestStormPassesWhenEveryReaderSeesEveryCommit(t *testing.T) {
	eachTarget(t, func(t *testing.T, tg target) {
		res := runTestStorm(t, tg, nil)
		c := res.correctness
		assert.True(t, c.OK, "problems: %v", c.Problems)
		assert.True(t, c.ChainsIntact)
		require.Len(t, c.Readers, 2)
		for _, r := range c.Readers {
			assert.Equal(t, c.Committed, r.Seen, r.Name)
			assert.True(t, r.OK(), "%+v", r)
		}
		assert.Len(t, res.lags, c.Committed, "one lag per commit")
	})
}

func TestStormFailsWhenTheTailingReaderSkipsAnEvent(t *testing.T) {
	eachTarget(t, func(t *testing.T, tg target) {
		c := runTestStorm(t, tg, skipOne("tail")).correctness
		assert.False(t, c.OK)
		require.Len(t, c.Readers, 2)
		assert.Equal(t, 1, c.Readers[0].Missing, "%+v", c.Readers[0])
		assert.False(t, c.Readers[0].OK())
		assert.True(t, c.Readers[1].OK(), "the projections were not touched: %+v", c.Readers[1])
		assert.NotEmpty(t, c.Problems)
	})
}

func TestStormFailsWhenTheProjectionsSkipAnEvent(t *testing.T) {
	eachTarget(t, func(t *testing.T, tg target) {
		c := runTestStorm(t, tg, skipOne("projections")).correctness
		assert.False(t, c.OK)
		require.Len(t, c.Readers, 2)
		assert.True(t, c.Readers[0].OK(), "the tailing reader was not touched: %+v", c.Readers[0])
		assert.Equal(t, 1, c.Readers[1].Missing, "%+v", c.Readers[1])
	})
}

func TestCheckCountsEveryKindOfMistake(t *testing.T) {
	a, b, c, gone, stranger := uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New()
	w := writes{committed: map[uuid.UUID]bool{a: true, b: true, c: true}, rolledBack: map[uuid.UUID]bool{gone: true}}
	r := newReader()
	for _, e := range []eventstore.RecordedEvent{
		{Event: eventstore.Event{ID: a}, Stream: "s", Version: 1},
		{Event: eventstore.Event{ID: a}, Stream: "s", Version: 1}, // again, and so out of order
		{Event: eventstore.Event{ID: gone}, Stream: "t", Version: 1},
		{Event: eventstore.Event{ID: stranger}, Stream: "u", Version: 1},
		{Event: eventstore.Event{ID: c}, Stream: "s", Version: 3}, // b, version 2, never came
	} {
		r.see(e)
	}
	got := check("reader", w, r)
	assert.Equal(t, ReaderCheck{Name: "reader", Seen: 5, Missing: 1, Repeated: 1, RolledBack: 1, Unknown: 1, OutOfOrder: 2}, got)
	assert.False(t, got.OK())

	exact := newReader()
	exact.see(eventstore.RecordedEvent{Event: eventstore.Event{ID: a}, Stream: "s", Version: 1})
	exact.see(eventstore.RecordedEvent{Event: eventstore.Event{ID: b}, Stream: "s", Version: 2})
	exact.see(eventstore.RecordedEvent{Event: eventstore.Event{ID: c}, Stream: "s", Version: 3})
	assert.True(t, check("exact", w, exact).OK())
}

func TestPercentileIsNearestRank(t *testing.T) {
	ds := []time.Duration{5, 1, 4, 2, 3, 10, 9, 8, 7, 6}
	assert.Equal(t, time.Duration(5), percentile(ds, 0.5))
	assert.Equal(t, time.Duration(10), percentile(ds, 0.99))
	assert.Equal(t, time.Duration(1), percentile(ds, 0.01))
	assert.Zero(t, percentile(nil, 0.99))
}
