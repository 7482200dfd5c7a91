package eventstoretest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/eventstore"
)

var counter atomic.Int64

// newEvent makes a distinct event of type "test.happened".
func newEvent() eventstore.Event {
	n := counter.Add(1)
	return eventstore.Event{
		ID:            uuid.New(),
		Type:          "test.happened",
		SchemaVersion: 1,
		Data:          []byte(fmt.Sprintf(`{"n":%d,"text":"Қазақстан \"quoted\" \\ back"}`, n)),
		Metadata: eventstore.Metadata{
			CorrelationID: "corr-" + fmt.Sprint(n), CausationID: "cause", CommandID: uuid.NewString(),
			Actor: "client:42", Trace: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
		},
		OccurredAt: time.Date(2026, 3, 1, 10, 0, 0, 123456789, time.FixedZone("ALMT", 5*3600)),
	}
}

func newEvents(n int) []eventstore.Event {
	out := make([]eventstore.Event, n)
	for i := range out {
		out[i] = newEvent()
	}
	return out
}

func newStream(aggregate string) string { return eventstore.StreamName(aggregate, uuid.New()) }

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// mustAppend appends and fails the test on error.
func mustAppend(t *testing.T, s eventstore.Store, stream string, expected eventstore.ExpectedVersion, events ...eventstore.Event) eventstore.AppendResult {
	t.Helper()
	res, err := s.Append(ctxT(t), stream, expected, events...)
	require.NoError(t, err)
	return res
}

// readAllFrom drains the visible log after the given position.
func readAllFrom(t *testing.T, s eventstore.Store, after eventstore.Position, limit int) []eventstore.RecordedEvent {
	t.Helper()
	var out []eventstore.RecordedEvent
	for {
		batch, err := s.ReadAll(ctxT(t), after, limit)
		require.NoError(t, err)
		if len(batch) == 0 {
			return out
		}
		out = append(out, batch...)
		after = batch[len(batch)-1].Position
	}
}

func ids(events []eventstore.RecordedEvent) []uuid.UUID {
	out := make([]uuid.UUID, len(events))
	for i, e := range events {
		out[i] = e.ID
	}
	return out
}

func eventIDs(events []eventstore.Event) []uuid.UUID {
	out := make([]uuid.UUID, len(events))
	for i, e := range events {
		out[i] = e.ID
	}
	return out
}

// ReadVisible reads the log after the given position until at least want
// events are visible. A write transaction open anywhere on the database
// server (another test, another process) holds the visible end back for a
// while; a reader that needs its own writes waits for them, as this does.
func ReadVisible(t *testing.T, s eventstore.Store, after eventstore.Position, limit, want int) []eventstore.RecordedEvent {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := readAllFrom(t, s, after, limit)
		if len(got) >= want || time.Now().After(deadline) {
			return got
		}
		time.Sleep(5 * time.Millisecond)
	}
}
