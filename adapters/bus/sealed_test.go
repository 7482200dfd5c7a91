package bus_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/bus"
	"github.com/kabinet/kabinet/adapters/reactions"
	"github.com/kabinet/kabinet/domain/wire"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/dbtest"
	"github.com/kabinet/kabinet/internal/pii"
)

// TestSealedEventsAreOpenedForReactions: the relay reads the store's sealed
// payloads, so that the transport never carries personal data in plain
// text, and the reaction gets the event opened.
func TestSealedEventsAreOpenedForReactions(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, backend dbtest.Backend) {
		sealed := sealedStore(t, backend)

		rec := newRecorder()
		b, _ := startSealed(t, backend, sealed, rec)

		stream := eventstore.StreamName("client", uuid.New())
		data, _ := json.Marshal(map[string]string{"name": "Айгерим", "kind": "x"})
		ev := eventstore.Event{ID: uuid.New(), Type: "test.happened", SchemaVersion: 1, Data: data, OccurredAt: time.Now()}
		_, err := sealed.Append(context.Background(), stream, eventstore.NoStream, ev)
		require.NoError(t, err)
		stored, err := backend.Store.Load(context.Background(), stream, 1)
		require.NoError(t, err)
		require.NotContains(t, string(stored[0].Data), "Айгерим", "the log holds the name sealed")

		rec.waitFor(t, 1, 30*time.Second)
		require.NoError(t, b.stop())
		assert.JSONEq(t, string(data), string(rec.event(ev.ID).Data), "the reaction reads the event opened")
	})
}

// TestAnEventThatDoesNotOpenIsSetAside: an event whose sealed member was
// altered in the log cannot be opened, however often it is tried. It goes
// to the poison queue with the reason, and the events after it flow on.
func TestAnEventThatDoesNotOpenIsSetAside(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, backend dbtest.Backend) {
		ctx := context.Background()
		sealed := sealedStore(t, backend)

		stream := eventstore.StreamName("client", uuid.New())
		var events []eventstore.Event
		for _, name := range []string{"Айгерим", "Нурлан", "Дана"} {
			data, _ := json.Marshal(map[string]string{"name": name})
			events = append(events, eventstore.Event{ID: uuid.New(), Type: "test.happened", SchemaVersion: 1, Data: data, OccurredAt: time.Now()})
		}
		_, err := sealed.Append(ctx, stream, eventstore.NoStream, events...)
		require.NoError(t, err)

		// Flip one bit of the second event's ciphertext.
		stored, err := backend.Store.Load(ctx, stream, 2)
		require.NoError(t, err)
		var payload struct {
			Personal struct {
				Owner uuid.UUID `json:"owner"`
				Box   []byte    `json:"box"`
			} `json:"personal"`
		}
		require.NoError(t, json.Unmarshal(stored[1].Data, &payload))
		payload.Personal.Box[len(payload.Personal.Box)-1] ^= 1
		tampered, err := json.Marshal(payload)
		require.NoError(t, err)
		_, err = backend.DB.Exec(ctx, `UPDATE events SET data = $1 WHERE stream = $2 AND version = 2`, string(tampered), stream)
		require.NoError(t, err)

		rec := newRecorder()
		b, in := startSealed(t, backend, sealed, rec)

		rec.waitFor(t, 2, 30*time.Second)
		var failures []bus.Failure
		require.Eventually(t, func() bool {
			failures, err = bus.Failed(ctx, in.db)
			return err == nil && len(failures) == 1
		}, 10*time.Second, 10*time.Millisecond)
		require.NoError(t, b.stop())
		assert.Equal(t, []int64{1, 3}, rec.versions(stream), "the events after it were handled")
		f := failures[0]
		assert.Equal(t, events[1].ID, f.EventID)
		assert.Equal(t, "RecordOnHappened", f.Reaction)
		assert.Contains(t, f.Reason, "open")
		assert.Zero(t, f.Attempts, "the reaction never ran")
		assert.NotContains(t, f.Reason, "Нурлан")
	})
}

// sealedStore wraps the backend's store so that the name in a
// test.happened event is sealed, under a master key of its own.
func sealedStore(t *testing.T, backend dbtest.Backend) *pii.Store {
	t.Helper()
	master := make([]byte, pii.KeySize)
	_, _ = rand.Read(master)
	keys, err := pii.NewKeyring(backend.DB, master)
	require.NoError(t, err)
	return pii.Wrap(backend.Store, pii.NewSealer(keys, wire.Personal{Type: "test.happened", Members: []string{"name"}}))
}

// startSealed starts a bus that relays the sealed payloads of s, as serve
// does, and opens them for rec's reaction to test.happened.
func startSealed(t *testing.T, backend dbtest.Backend, s *pii.Store, rec *recorder) (*running, instance) {
	t.Helper()
	in := onBackend(backend)
	in.store = s.Sealed()
	cfg := testConfig(t, "a")
	cfg.Open = s.Sealer().Open
	return start(t, in, []reactions.Reaction{rec.reaction("RecordOnHappened", "a", nil, "test.happened")}, cfg), in
}
