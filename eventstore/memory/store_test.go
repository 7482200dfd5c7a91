package memory_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/eventstore/memory"
)

var t0 = time.Date(2025, 3, 1, 9, 30, 0, 123456789, time.UTC)

func event(typ, data string) eventstore.Event {
	return eventstore.Event{
		ID:            uuid.New(),
		Type:          typ,
		SchemaVersion: 1,
		Data:          json.RawMessage(data),
		Metadata:      eventstore.Metadata{CommandID: "c1", Actor: "client"},
		OccurredAt:    t0,
	}
}

// steppingClock returns the given times in turn, then repeats the last one.
func steppingClock(times ...time.Time) func() time.Time {
	return func() time.Time {
		t := times[0]
		if len(times) > 1 {
			times = times[1:]
		}
		return t
	}
}

func TestAppendLoadAndChain(t *testing.T) {
	ctx := context.Background()
	s := memory.New(memory.Options{Now: steppingClock(t0, t0.Add(-time.Hour))})
	stream := eventstore.StreamName("policy", uuid.New())

	first, err := s.Append(ctx, stream, eventstore.NoStream, event("policy.issued", `{"n":1}`))
	require.NoError(t, err)
	// The clock steps back an hour; recorded_at must not.
	second, err := s.Append(ctx, stream, eventstore.Exactly(1), event("policy.paid", `{"n":2}`), event("policy.paid", `{"n":3}`))
	require.NoError(t, err)

	assert.Equal(t, eventstore.AppendResult{FirstVersion: 1, LastVersion: 1, Position: eventstore.Position{Seq: 1}}, first)
	assert.Equal(t, eventstore.AppendResult{FirstVersion: 2, LastVersion: 3, Position: eventstore.Position{Seq: 3}}, second)

	got, err := s.Load(ctx, stream, 0)
	require.NoError(t, err)
	require.Len(t, got, 3)
	var prev []byte
	for i, e := range got {
		assert.Equal(t, int64(i+1), e.Version)
		assert.Equal(t, t0.Truncate(time.Microsecond), e.RecordedAt, "recorded_at never goes back")
		assert.Equal(t, t0.Truncate(time.Microsecond), e.OccurredAt, "occurred_at is kept at microseconds")
		c, meta := eventstore.Canonical(e.Event)
		digest := eventstore.Digest(e.ID, stream, e.Type, e.SchemaVersion, c.Data, meta, c.OccurredAt)
		assert.Equal(t, eventstore.ChainHash(prev, e.Version, e.RecordedAt, digest), e.Hash)
		prev = e.Hash
	}
	assert.Equal(t, "client", got[0].Metadata.Actor)
	assert.NoError(t, s.Verify(ctx, ""))

	// Readers get copies: changing one does not change the store.
	got[0].Data[2] = 'X'
	again, err := s.Load(ctx, stream, 1)
	require.NoError(t, err)
	assert.JSONEq(t, `{"n":1}`, string(again[0].Data))
}

func TestAppendRefusals(t *testing.T) {
	ctx := context.Background()
	s := memory.New(memory.Options{})
	stream := eventstore.StreamName("policy", uuid.New())
	issued := event("policy.issued", `{}`)
	_, err := s.Append(ctx, stream, eventstore.NoStream, issued)
	require.NoError(t, err)

	_, err = s.Append(ctx, stream, eventstore.NoStream, event("policy.paid", `{}`))
	var conflict *eventstore.ConflictError
	require.ErrorAs(t, err, &conflict)
	assert.Equal(t, eventstore.ConflictError{Stream: stream, Expected: eventstore.NoStream, Actual: 1}, *conflict)

	// The same event again is the first answer, whatever the expected version.
	res, err := s.Append(ctx, stream, eventstore.Exactly(7), issued)
	require.NoError(t, err)
	assert.Equal(t, eventstore.AppendResult{FirstVersion: 1, LastVersion: 1, Position: eventstore.Position{Seq: 1}, Duplicate: true}, res)

	changed := issued
	changed.Data = json.RawMessage(`{"other":true}`)
	_, err = s.Append(ctx, stream, eventstore.Any, changed)
	assert.ErrorIs(t, err, eventstore.ErrDuplicateEvent, "same id, other content")
	_, err = s.Append(ctx, eventstore.StreamName("policy", uuid.New()), eventstore.Any, issued)
	assert.ErrorIs(t, err, eventstore.ErrDuplicateEvent, "same id, other stream")
	_, err = s.Append(ctx, stream, eventstore.Any, issued, event("policy.paid", `{}`))
	assert.ErrorIs(t, err, eventstore.ErrDuplicateEvent, "stored and new ids mixed")

	second := event("policy.paid", `{}`)
	_, err = s.Append(ctx, stream, eventstore.Any, second)
	require.NoError(t, err)
	_, err = s.Append(ctx, stream, eventstore.Any, second, issued)
	assert.ErrorIs(t, err, eventstore.ErrDuplicateEvent, "stored ids in another order")

	_, err = s.Append(ctx, "Policy", eventstore.Any, event("policy.paid", `{}`))
	assert.ErrorIs(t, err, eventstore.ErrInvalidEvent)

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = s.Append(cancelled, stream, eventstore.Any, event("policy.paid", `{}`))
	assert.ErrorIs(t, err, context.Canceled)

	all, err := s.ReadAll(ctx, eventstore.Position{}, 100)
	require.NoError(t, err)
	assert.Len(t, all, 2, "no refused append wrote anything")
}

func TestLoadAsOfAndUpcast(t *testing.T) {
	ctx := context.Background()
	up, err := eventstore.NewUpcasters(eventstore.Upcast{Type: "policy.issued", From: 1, Lift: func(json.RawMessage) (json.RawMessage, error) {
		return json.RawMessage(`{"v":2}`), nil
	}})
	require.NoError(t, err)
	s := memory.New(memory.Options{Upcasters: up, Now: steppingClock(t0, t0.Add(time.Hour))})
	stream := eventstore.StreamName("policy", uuid.New())
	early := event("policy.issued", `{"v":1}`)
	late := event("policy.paid", `{}`)
	late.OccurredAt = t0.Add(-24 * time.Hour) // reported late: happened before the issue was recorded
	_, err = s.Append(ctx, stream, eventstore.Any, early)
	require.NoError(t, err)
	_, err = s.Append(ctx, stream, eventstore.Any, late)
	require.NoError(t, err)

	byRecorded, err := s.LoadAsOf(ctx, stream, t0.Add(time.Minute), eventstore.ByRecorded)
	require.NoError(t, err)
	require.Len(t, byRecorded, 1)
	assert.Equal(t, 2, byRecorded[0].SchemaVersion)
	assert.JSONEq(t, `{"v":2}`, string(byRecorded[0].Data))

	byOccurred, err := s.LoadAsOf(ctx, stream, t0.Add(-time.Hour), eventstore.ByOccurred)
	require.NoError(t, err)
	require.Len(t, byOccurred, 1)
	assert.Equal(t, int64(2), byOccurred[0].Version)

	_, err = s.LoadAsOf(ctx, stream, t0.Add(-48*time.Hour), eventstore.ByOccurred)
	assert.ErrorIs(t, err, eventstore.ErrStreamNotFound)
	_, err = s.Load(ctx, eventstore.StreamName("policy", uuid.New()), 1)
	assert.ErrorIs(t, err, eventstore.ErrStreamNotFound)
	assert.NoError(t, s.Verify(ctx, stream), "upcasting never changes the stored bytes")
}

func TestVerifyFindsTampering(t *testing.T) {
	tests := []struct {
		name        string
		tamper      func(s *memory.Store, stream string)
		wantVersion int64
	}{
		{"changed data", func(s *memory.Store, stream string) { s.TamperData(stream, 2, []byte(`{"n":99}`)) }, 2},
		{"deleted middle row", func(s *memory.Store, stream string) { s.TamperDelete(stream, 2) }, 2},
		{"deleted last row", func(s *memory.Store, stream string) { s.TamperDelete(stream, 3) }, 3},
		{"swapped rows", func(s *memory.Store, stream string) { s.TamperSwap(stream, 1, 3) }, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s := memory.New(memory.Options{})
			stream := eventstore.StreamName("policy", uuid.New())
			_, err := s.Append(ctx, stream, eventstore.NoStream,
				event("policy.issued", `{"n":1}`), event("policy.paid", `{"n":2}`), event("policy.paid", `{"n":3}`))
			require.NoError(t, err)
			require.NoError(t, s.Verify(ctx, stream))

			tt.tamper(s, stream)

			for _, which := range []string{stream, ""} {
				err := s.Verify(ctx, which)
				var broken *eventstore.ChainError
				require.True(t, errors.As(err, &broken), "Verify(%q) = %v", which, err)
				assert.Equal(t, stream, broken.Stream)
				assert.Equal(t, tt.wantVersion, broken.Version)
			}
		})
	}
}

func TestSubscribeWakesOnAppend(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := memory.New(memory.Options{})
	stream := eventstore.StreamName("policy", uuid.New())
	got := make(chan eventstore.RecordedEvent, 10)
	done := make(chan error, 1)
	go func() {
		// A poll interval far longer than the test leaves only the wake-up.
		done <- s.Subscribe(ctx, eventstore.SubscribeOptions{PollInterval: time.Hour}, func(_ context.Context, batch []eventstore.RecordedEvent) error {
			for _, e := range batch {
				got <- e
			}
			return nil
		})
	}()
	for i := 1; i <= 3; i++ {
		_, err := s.Append(ctx, stream, eventstore.Any, event("policy.paid", `{}`))
		require.NoError(t, err)
		select {
		case e := <-got:
			assert.Equal(t, int64(i), e.Version)
		case <-time.After(10 * time.Second):
			t.Fatalf("event %d not delivered", i)
		}
	}
	cancel()
	assert.ErrorIs(t, <-done, context.Canceled)
}
