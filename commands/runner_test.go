package commands_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/commands"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/eventstore/memory"
)

// The counter is the smallest aggregate with a rule: it counts up to a limit.

type counterState struct{ Total int }

type incremented struct {
	By    int `json:"by"`
	Total int `json:"total"`
}

type increment struct{ By int }

var errOverLimit = errors.New("counter would pass its limit")

const counterLimit = 10

func counterDecide(s counterState, c increment, _ time.Time) ([]incremented, error) {
	switch {
	case c.By == 0:
		return nil, nil
	case s.Total+c.By > counterLimit:
		return nil, fmt.Errorf("increment by %d from %d: %w", c.By, s.Total, errOverLimit)
	}
	return []incremented{{By: c.By, Total: s.Total + c.By}}, nil
}

func counter() commands.Aggregate[counterState, incremented, increment] {
	return commands.Aggregate[counterState, incremented, increment]{
		Name:   "counter",
		Evolve: func(s counterState, e incremented) counterState { return counterState{Total: e.Total} },
		Decide: counterDecide,
		Encode: func(e incremented) (string, []byte, error) {
			data, err := json.Marshal(e)
			return "counter.incremented", data, err
		},
		Decode: func(typ string, _ int, data []byte) (incremented, error) {
			var e incremented
			if typ != "counter.incremented" {
				return e, fmt.Errorf("unknown event type %q", typ)
			}
			return e, json.Unmarshal(data, &e)
		},
		SchemaVersion: 1,
	}
}

var now = time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)

func newRunner(store eventstore.Store) *commands.Runner {
	return commands.New(store, commands.ClockFunc(func() time.Time { return now }))
}

func TestExecuteAppends(t *testing.T) {
	ctx := context.Background()
	store := memory.New(memory.Options{})
	id := uuid.New()

	res, err := commands.Execute(ctx, newRunner(store), counter(), id, uuid.New(), increment{By: 3})
	require.NoError(t, err)

	stream := eventstore.StreamName("counter", id)
	assert.Equal(t, commands.Result{Stream: stream, Version: 1, Position: eventstore.Position{Seq: 1}, Events: 1}, res)
	state, version, history, err := commands.Load(ctx, store, counter(), id)
	require.NoError(t, err)
	assert.Equal(t, counterState{Total: 3}, state)
	assert.Equal(t, int64(1), version)
	require.Len(t, history, 1)
	assert.Equal(t, now, history[0].OccurredAt)
	assert.Equal(t, 1, history[0].SchemaVersion)
}

func TestLoadMissingStreamIsZeroState(t *testing.T) {
	state, version, history, err := commands.Load(context.Background(), memory.New(memory.Options{}), counter(), uuid.New())
	require.NoError(t, err)
	assert.Equal(t, counterState{}, state)
	assert.Zero(t, version)
	assert.Empty(t, history)
}

func TestExecuteRefusalWritesNothing(t *testing.T) {
	ctx := context.Background()
	store := memory.New(memory.Options{})
	_, err := commands.Execute(ctx, newRunner(store), counter(), uuid.New(), uuid.New(), increment{By: counterLimit + 1})
	assert.ErrorIs(t, err, errOverLimit)
	all, err := store.ReadAll(ctx, eventstore.Position{}, 100)
	require.NoError(t, err)
	assert.Empty(t, all)
}

func TestExecuteNothingDecided(t *testing.T) {
	ctx := context.Background()
	store := memory.New(memory.Options{})
	r, id := newRunner(store), uuid.New()
	first, err := commands.Execute(ctx, r, counter(), id, uuid.New(), increment{By: 2})
	require.NoError(t, err)
	res, err := commands.Execute(ctx, r, counter(), id, uuid.New(), increment{By: 0})
	require.NoError(t, err)
	assert.Equal(t, commands.Result{Stream: first.Stream, Version: 1, Position: first.Position}, res)
}

func TestExecuteNeedsCommandID(t *testing.T) {
	_, err := commands.Execute(context.Background(), newRunner(memory.New(memory.Options{})), counter(), uuid.New(), uuid.Nil, increment{By: 1})
	assert.ErrorIs(t, err, commands.ErrNoCommandID)
	assert.ErrorContains(t, err, "command_id")
}

func TestRepeatedCommandReturnsFirstResult(t *testing.T) {
	ctx := context.Background()
	store := memory.New(memory.Options{})
	r, id, cmdID := newRunner(store), uuid.New(), uuid.New()
	first, err := commands.Execute(ctx, r, counter(), id, cmdID, increment{By: 4})
	require.NoError(t, err)
	// Another command moves the state, so deciding the first again would
	// write Total 9 + 4 and be refused by the limit.
	_, err = commands.Execute(ctx, r, counter(), id, uuid.New(), increment{By: 5})
	require.NoError(t, err)

	decided := 0
	agg := counter()
	agg.Decide = func(s counterState, c increment, now time.Time) ([]incremented, error) {
		decided++
		return counterDecide(s, c, now)
	}
	again, err := commands.Execute(ctx, r, agg, id, cmdID, increment{By: 4})
	require.NoError(t, err)

	want := first
	want.Duplicate = true
	assert.Equal(t, want, again)
	assert.Zero(t, decided, "a repeated command is not decided again")
	_, version, _, err := commands.Load(ctx, store, counter(), id)
	require.NoError(t, err)
	assert.Equal(t, int64(2), version, "nothing appended")
}

// barrierStore holds the first n Loads until all n have happened, so that n
// commands all decide on the same version and all but one must retry.
type barrierStore struct {
	eventstore.Store
	n         int32
	loads     atomic.Int32
	barrier   sync.WaitGroup
	conflicts atomic.Int32
}

func newBarrierStore(inner eventstore.Store, n int) *barrierStore {
	s := &barrierStore{Store: inner, n: int32(n)}
	s.barrier.Add(n)
	return s
}

func (s *barrierStore) Load(ctx context.Context, stream string, from int64) ([]eventstore.RecordedEvent, error) {
	events, err := s.Store.Load(ctx, stream, from)
	if s.loads.Add(1) <= s.n {
		s.barrier.Done()
		s.barrier.Wait()
	}
	return events, err
}

func (s *barrierStore) Append(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events ...eventstore.Event) (eventstore.AppendResult, error) {
	res, err := s.Store.Append(ctx, stream, expected, events...)
	if errors.Is(err, eventstore.ErrConcurrencyConflict) {
		s.conflicts.Add(1)
	}
	return res, err
}

func TestConcurrentCommandsRetry(t *testing.T) {
	const writers = 8
	ctx := context.Background()
	store := newBarrierStore(memory.New(memory.Options{}), writers)
	// Each lost race means another writer's command got in, so a writer
	// loses at most writers-1 times.
	r := &commands.Runner{Store: store, Clock: commands.ClockFunc(func() time.Time { return now }), MaxRetries: writers - 1}
	id := uuid.New()

	results := make([]commands.Result, writers)
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			results[i], errs[i] = commands.Execute(ctx, r, counter(), id, uuid.New(), increment{By: 1})
		})
	}
	wg.Wait()

	versions := make(map[int64]bool)
	for i := range writers {
		require.NoError(t, errs[i], "writer %d", i)
		versions[results[i].Version] = true
	}
	assert.Len(t, versions, writers, "every writer got its own version")
	assert.GreaterOrEqual(t, store.conflicts.Load(), int32(writers-1), "all but one writer lost the first race")

	history, err := store.Store.Load(ctx, eventstore.StreamName("counter", id), 1)
	require.NoError(t, err)
	require.Len(t, history, writers)
	for i, e := range history {
		assert.Equal(t, int64(i+1), e.Version)
		assert.True(t, versions[e.Version])
	}
	state, _, _, err := commands.Load(ctx, store.Store, counter(), id)
	require.NoError(t, err)
	assert.Equal(t, writers, state.Total, "no increment was decided on a stale state")
}

// conflictingStore refuses every append as if another writer always won.
type conflictingStore struct {
	eventstore.Store
	appends int
}

func (s *conflictingStore) Append(_ context.Context, stream string, expected eventstore.ExpectedVersion, _ ...eventstore.Event) (eventstore.AppendResult, error) {
	s.appends++
	return eventstore.AppendResult{}, &eventstore.ConflictError{Stream: stream, Expected: expected, Actual: int64(expected) + 1}
}

func TestRetriesAreBounded(t *testing.T) {
	store := &conflictingStore{Store: memory.New(memory.Options{})}
	r := &commands.Runner{Store: store, Clock: commands.ClockFunc(func() time.Time { return now }), MaxRetries: 3}
	_, err := commands.Execute(context.Background(), r, counter(), uuid.New(), uuid.New(), increment{By: 1})
	assert.ErrorIs(t, err, eventstore.ErrConcurrencyConflict)
	var conflict *eventstore.ConflictError
	assert.ErrorAs(t, err, &conflict)
	assert.Equal(t, 4, store.appends, "one attempt and three retries")
}

func TestMetadataReachesEvents(t *testing.T) {
	store := memory.New(memory.Options{})
	id, cmdID := uuid.New(), uuid.New()
	ctx := commands.WithMetadata(context.Background(), eventstore.Metadata{
		CorrelationID: "req-42",
		CausationID:   "msg-7",
		Actor:         "client:123",
		Trace:         "00-abc-def-01",
		CommandID:     "ignored: the runner sets it",
	})
	_, err := commands.Execute(ctx, newRunner(store), counter(), id, cmdID, increment{By: 1})
	require.NoError(t, err)

	history, err := store.Load(context.Background(), eventstore.StreamName("counter", id), 1)
	require.NoError(t, err)
	require.Len(t, history, 1)
	assert.Equal(t, eventstore.Metadata{
		CorrelationID: "req-42",
		CausationID:   "msg-7",
		CommandID:     cmdID.String(),
		Actor:         "client:123",
		Trace:         "00-abc-def-01",
	}, history[0].Metadata)
	assert.Equal(t, commands.EventID(cmdID, 0), history[0].ID)
}

func TestMetadataFromEmptyContext(t *testing.T) {
	assert.Equal(t, eventstore.Metadata{}, commands.MetadataFrom(context.Background()))
}

func TestEventID(t *testing.T) {
	cmd := uuid.MustParse("0192f1a4-0000-7000-8000-000000000001")
	seen := make(map[uuid.UUID]int)
	for i := range 100 {
		id := commands.EventID(cmd, i)
		assert.Equal(t, id, commands.EventID(cmd, i), "deterministic")
		assert.Equal(t, uuid.Version(5), id.Version())
		prev, dup := seen[id]
		assert.False(t, dup, "index %d repeats the ID of index %d", i, prev)
		seen[id] = i
	}
	assert.NotEqual(t, commands.EventID(cmd, 0), commands.EventID(uuid.New(), 0), "distinct per command")
	// Pinned: a changed namespace or encoding would give repeated commands new IDs.
	assert.Equal(t, "b553a2b6-cfe9-5c03-baa6-4a4c0fecb229", commands.EventID(cmd, 0).String())
}

func TestKeyedIDs(t *testing.T) {
	_, err := commands.NewKeyedIDs([]byte("short"))
	require.Error(t, err)
	k, err := commands.NewKeyedIDs(bytes.Repeat([]byte{7}, 32))
	require.NoError(t, err)
	other, err := commands.NewKeyedIDs(bytes.Repeat([]byte{8}, 32))
	require.NoError(t, err)
	a := k.ID("client-iin", "900115300003")
	assert.Equal(t, a, k.ID("client-iin", "900115300003"), "stable")
	assert.NotEqual(t, a, k.ID("client-iin", "851231400001"))
	assert.NotEqual(t, a, k.ID("policy-kias", "900115300003"), "kinds do not share IDs")
	assert.NotEqual(t, a, other.ID("client-iin", "900115300003"), "another key, another ID")
	assert.Equal(t, uuid.Version(8), a.Version())
	assert.NotContains(t, a.String(), "900115")
}

// Regression: a command ID reused for another aggregate used to be retried
// until the retries ran out; it now fails at once.
func TestCommandIDReusedOnAnotherStreamFailsAtOnce(t *testing.T) {
	ctx := context.Background()
	store := memory.New(memory.Options{})
	r := newRunner(store)
	cmdID := uuid.New()
	_, err := commands.Execute(ctx, r, counter(), uuid.New(), cmdID, increment{By: 1})
	require.NoError(t, err)
	var appends atomic.Int32
	r.Store = countingStore{Store: store, appends: &appends}
	_, err = commands.Execute(ctx, r, counter(), uuid.New(), cmdID, increment{By: 1})
	require.ErrorIs(t, err, eventstore.ErrDuplicateEvent)
	assert.Contains(t, err.Error(), "another stream")
	assert.Equal(t, int32(1), appends.Load(), "one append, no retries")
}

type countingStore struct {
	eventstore.Store
	appends *atomic.Int32
}

func (s countingStore) Append(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events ...eventstore.Event) (eventstore.AppendResult, error) {
	s.appends.Add(1)
	return s.Store.Append(ctx, stream, expected, events...)
}
