package eventstoretest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/eventstore"
)

func testRoundTrip(t *testing.T, newBackend Factory) {
	s := newBackend(t, nil).Store
	stream := newStream("policy")
	in := newEvents(3)
	before := time.Now().Add(-time.Second)
	res := mustAppend(t, s, stream, eventstore.NoStream, in...)
	assert.Equal(t, int64(1), res.FirstVersion)
	assert.Equal(t, int64(3), res.LastVersion)
	assert.False(t, res.Duplicate)

	got, err := s.Load(ctxT(t), stream, 0)
	require.NoError(t, err)
	require.Len(t, got, 3)
	for i, e := range got {
		assert.Equal(t, in[i].ID, e.ID)
		assert.Equal(t, stream, e.Stream)
		assert.Equal(t, int64(i+1), e.Version, "versions start at 1 with no gaps")
		assert.Equal(t, in[i].Type, e.Type)
		assert.Equal(t, 1, e.SchemaVersion)
		assert.JSONEq(t, string(in[i].Data), string(e.Data))
		assert.Equal(t, string(in[i].Data), string(e.Data), "data comes back byte for byte")
		assert.Equal(t, in[i].Metadata, e.Metadata)
		assert.True(t, in[i].OccurredAt.Truncate(time.Microsecond).Equal(e.OccurredAt), "occurred_at kept to the microsecond: %v vs %v", in[i].OccurredAt, e.OccurredAt)
		assert.True(t, e.RecordedAt.After(before), "recorded_at is store time")
		assert.Len(t, e.Hash, 32)
		if i > 0 {
			assert.True(t, got[i-1].Position.Less(e.Position), "positions grow within an append")
			assert.False(t, e.RecordedAt.Before(got[i-1].RecordedAt))
		}
	}
	assert.Equal(t, res.Position, got[2].Position, "the result names the last event's position")

	more := mustAppend(t, s, stream, eventstore.Exactly(3), newEvent())
	assert.Equal(t, int64(4), more.FirstVersion)
	assert.True(t, res.Position.Less(more.Position))
}

func testLoadFrom(t *testing.T, newBackend Factory) {
	s := newBackend(t, nil).Store
	stream := newStream("claim")
	mustAppend(t, s, stream, eventstore.NoStream, newEvents(5)...)
	got, err := s.Load(ctxT(t), stream, 3)
	require.NoError(t, err)
	require.Len(t, got, 3)
	assert.Equal(t, int64(3), got[0].Version)

	got, err = s.Load(ctxT(t), stream, 6)
	require.NoError(t, err, "past the end of an existing stream is empty, not an error")
	assert.Empty(t, got)

	_, err = s.Load(ctxT(t), newStream("claim"), 0)
	assert.ErrorIs(t, err, eventstore.ErrStreamNotFound)
}

func testExpectedVersion(t *testing.T, newBackend Factory) {
	s := newBackend(t, nil).Store
	ctx := ctxT(t)
	stream := newStream("client")

	_, err := s.Append(ctx, stream, eventstore.Exactly(1), newEvent())
	assertConflict(t, err, stream, 0)
	_, err = s.Load(ctx, stream, 0)
	require.ErrorIs(t, err, eventstore.ErrStreamNotFound, "a conflict on a new stream creates nothing")

	mustAppend(t, s, stream, eventstore.NoStream, newEvent())
	_, err = s.Append(ctx, stream, eventstore.NoStream, newEvent())
	assertConflict(t, err, stream, 1)

	mustAppend(t, s, stream, eventstore.Exactly(1), newEvent())
	for _, wrong := range []int64{1, 3, 7} {
		_, err = s.Append(ctx, stream, eventstore.Exactly(wrong), newEvent(), newEvent())
		assertConflict(t, err, stream, 2)
	}
	res := mustAppend(t, s, stream, eventstore.Any, newEvent())
	assert.Equal(t, int64(3), res.LastVersion)
	res = mustAppend(t, s, newStream("client"), eventstore.Any, newEvent())
	assert.Equal(t, int64(1), res.LastVersion, "Any creates a stream")

	got, err := s.Load(ctx, stream, 0)
	require.NoError(t, err)
	assert.Len(t, got, 3, "conflicts wrote nothing")
}

func assertConflict(t *testing.T, err error, stream string, actual int64) {
	t.Helper()
	require.ErrorIs(t, err, eventstore.ErrConcurrencyConflict)
	var ce *eventstore.ConflictError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, stream, ce.Stream)
	assert.Equal(t, actual, ce.Actual)
	assert.Contains(t, err.Error(), stream)
}

func testInvalidAppend(t *testing.T, newBackend Factory) {
	s := newBackend(t, nil).Store
	stream := newStream("policy")
	valid := newEvent()
	cases := map[string]func() (string, []eventstore.Event){
		"no events":       func() (string, []eventstore.Event) { return stream, nil },
		"empty stream":    func() (string, []eventstore.Event) { return "", []eventstore.Event{newEvent()} },
		"stream no id":    func() (string, []eventstore.Event) { return "policy", []eventstore.Event{newEvent()} },
		"stream with NUL": func() (string, []eventstore.Event) { return "policy-a\x00b", []eventstore.Event{newEvent()} },
		"nil id": func() (string, []eventstore.Event) {
			e := newEvent()
			e.ID = uuid.Nil
			return stream, []eventstore.Event{e}
		},
		"go type name": func() (string, []eventstore.Event) {
			e := newEvent()
			e.Type = "*policy.Issued"
			return stream, []eventstore.Event{e}
		},
		"schema 0": func() (string, []eventstore.Event) {
			e := newEvent()
			e.SchemaVersion = 0
			return stream, []eventstore.Event{e}
		},
		"bad json": func() (string, []eventstore.Event) {
			e := newEvent()
			e.Data = []byte(`{"a":`)
			return stream, []eventstore.Event{e}
		},
		"no occurred_at": func() (string, []eventstore.Event) {
			e := newEvent()
			e.OccurredAt = time.Time{}
			return stream, []eventstore.Event{e}
		},
		"same id twice": func() (string, []eventstore.Event) { return stream, []eventstore.Event{valid, valid} },
	}
	for name, mk := range cases {
		t.Run(name, func(t *testing.T) {
			st, evs := mk()
			_, err := s.Append(ctxT(t), st, eventstore.Any, evs...)
			assert.ErrorIs(t, err, eventstore.ErrInvalidEvent)
		})
	}
	assert.Empty(t, readAllFrom(t, s, eventstore.Position{}, 100), "invalid appends wrote nothing")
}

func testConcurrentSameVersion(t *testing.T, newBackend Factory) {
	s := newBackend(t, nil).Store
	stream := newStream("bonus")
	mustAppend(t, s, stream, eventstore.NoStream, newEvents(2)...)
	const writers = 8
	for round := 0; round < 5; round++ {
		var (
			wg        sync.WaitGroup
			start     = make(chan struct{})
			wins      = make(chan eventstore.AppendResult, writers)
			conflicts = make(chan error, writers)
		)
		expected := eventstore.Exactly(int64(2 + round))
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				res, err := s.Append(context.Background(), stream, expected, newEvent())
				if err != nil {
					conflicts <- err
					return
				}
				wins <- res
			}()
		}
		close(start)
		wg.Wait()
		close(wins)
		close(conflicts)
		require.Len(t, wins, 1, "round %d: exactly one writer wins", round)
		for err := range conflicts {
			require.ErrorIs(t, err, eventstore.ErrConcurrencyConflict)
		}
		assert.Equal(t, int64(3+round), (<-wins).LastVersion)
	}
	got, err := s.Load(ctxT(t), stream, 0)
	require.NoError(t, err)
	assert.Len(t, got, 7)
}

func testIdempotent(t *testing.T, newBackend Factory) {
	s := newBackend(t, nil).Store
	ctx := ctxT(t)
	stream := newStream("policy")
	batch := newEvents(3)
	first := mustAppend(t, s, stream, eventstore.NoStream, batch...)
	mustAppend(t, s, stream, eventstore.Exactly(3), newEvent())

	again, err := s.Append(ctx, stream, eventstore.NoStream, batch...)
	require.NoError(t, err, "a repeated append answers with its first result whatever the expected version")
	assert.True(t, again.Duplicate)
	assert.Equal(t, first.FirstVersion, again.FirstVersion)
	assert.Equal(t, first.LastVersion, again.LastVersion)
	assert.Equal(t, first.Position, again.Position)

	changed := batch[1]
	changed.Data = []byte(`{"other":true}`)
	_, err = s.Append(ctx, stream, eventstore.Any, changed)
	assert.ErrorIs(t, err, eventstore.ErrDuplicateEvent, "same id, other content")

	_, err = s.Append(ctx, newStream("policy"), eventstore.Any, batch[0])
	assert.ErrorIs(t, err, eventstore.ErrDuplicateEvent, "same id in another stream")

	_, err = s.Append(ctx, stream, eventstore.Any, newEvent(), batch[2])
	assert.ErrorIs(t, err, eventstore.ErrDuplicateEvent, "a batch mixing stored and new ids")

	_, err = s.Append(ctx, stream, eventstore.Any, batch[1], batch[0])
	assert.ErrorIs(t, err, eventstore.ErrDuplicateEvent, "the same events in another order")

	all := ReadVisible(t, s, eventstore.Position{}, 100, 4)
	assert.Len(t, all, 4, "refused and repeated appends wrote nothing")
}

func testContextCancelled(t *testing.T, newBackend Factory) {
	s := newBackend(t, nil).Store
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	stream := newStream("policy")
	_, err := s.Append(ctx, stream, eventstore.Any, newEvent())
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.Canceled), "got %v", err)
	_, err = s.Load(ctx, stream, 0)
	assert.ErrorIs(t, err, context.Canceled)
	_, err = s.ReadAll(ctx, eventstore.Position{}, 10)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Empty(t, readAllFrom(t, s, eventstore.Position{}, 10), "a cancelled append wrote nothing")

	mustAppend(t, s, stream, eventstore.Any, newEvent())
	ctx, cancel = context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- s.Subscribe(ctx, eventstore.SubscribeOptions{}, func(context.Context, []eventstore.RecordedEvent) error { return nil })
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		assert.ErrorIs(t, err, context.Canceled)
	case <-time.After(10 * time.Second):
		t.Fatal("Subscribe did not return after its context was cancelled")
	}
}
