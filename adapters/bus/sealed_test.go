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
		master := make([]byte, pii.KeySize)
		_, _ = rand.Read(master)
		keys, err := pii.NewKeyring(backend.DB, master)
		require.NoError(t, err)
		sealed := pii.Wrap(backend.Store, pii.NewSealer(keys, wire.Personal{Type: "test.happened", Members: []string{"name"}}))

		rec := newRecorder()
		in := onBackend(backend)
		in.store = sealed.Sealed()
		cfg := testConfig(t, "a")
		cfg.Open = sealed.Sealer().Open
		b := start(t, in, []reactions.Reaction{rec.reaction("RecordOnHappened", "a", nil, "test.happened")}, cfg)

		stream := eventstore.StreamName("client", uuid.New())
		data, _ := json.Marshal(map[string]string{"name": "Айгерим", "kind": "x"})
		ev := eventstore.Event{ID: uuid.New(), Type: "test.happened", SchemaVersion: 1, Data: data, OccurredAt: time.Now()}
		_, err = sealed.Append(context.Background(), stream, eventstore.NoStream, ev)
		require.NoError(t, err)
		stored, err := backend.Store.Load(context.Background(), stream, 1)
		require.NoError(t, err)
		require.NotContains(t, string(stored[0].Data), "Айгерим", "the log holds the name sealed")

		rec.waitFor(t, 1, 30*time.Second)
		require.NoError(t, b.stop())
		assert.JSONEq(t, string(data), string(rec.event(ev.ID).Data), "the reaction reads the event opened")
	})
}
