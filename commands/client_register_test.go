package commands_test

import (
	"context"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/eventstore"
)

func clientRegisterCmd(iin kz.IIN) client.RegisterClient {
	return client.RegisterClient{
		IIN: iin, FirstName: "Айгерим", LastName: "Сапарова", Phone: clientPhone,
		Source: client.SourceESBD,
	}
}

func TestRegisterClient(t *testing.T) {
	clientBackends(t, func(t *testing.T, store eventstore.Store) {
		ctx := context.Background()
		env := newClientEnv(t, store, clientTestConfig())
		cmdID := uuid.New()

		id, res, err := env.clients.RegisterClient(ctx, cmdID, clientRegisterCmd(clientIIN))
		require.NoError(t, err)
		assert.Equal(t, env.clients.IDFor(clientIIN), id)
		assert.Equal(t, env.ids.ID("client-iin", clientIIN.String()), id, "pinned: the kind is part of every client ID")
		assert.Equal(t, eventstore.StreamName(client.Aggregate, id), res.Stream)
		assert.Equal(t, int64(1), res.Version)
		assert.Equal(t, 1, res.Events)
		assert.False(t, res.Duplicate)
		s := env.state(id)
		assert.Equal(t, clientIIN, s.IIN)
		assert.Equal(t, client.SourceESBD, s.Source)
		assert.Equal(t, clientStart, s.RegisteredAt.UTC())

		t.Run("repeated command returns the first result", func(t *testing.T) {
			again, res2, err := env.clients.RegisterClient(ctx, cmdID, clientRegisterCmd(clientIIN))
			require.NoError(t, err)
			assert.Equal(t, id, again)
			want := res
			want.Duplicate = true
			assert.Equal(t, want, res2)
			assert.Equal(t, 1, len(env.history(id)))
		})
		t.Run("the same IIN again is refused", func(t *testing.T) {
			other := clientRegisterCmd(clientIIN)
			other.FirstName = "Другое"
			_, _, err := env.clients.RegisterClient(ctx, uuid.New(), other)
			assert.ErrorIs(t, err, client.ErrAlreadyRegistered)
			assert.Equal(t, 1, len(env.history(id)))
		})
		t.Run("another IIN is another client", func(t *testing.T) {
			other, _, err := env.clients.RegisterClient(ctx, uuid.New(), clientRegisterCmd(clientOtherIIN))
			require.NoError(t, err)
			assert.NotEqual(t, id, other)
		})
		t.Run("client_id must be the IIN's", func(t *testing.T) {
			cmd := clientRegisterCmd(kz.MustParseIIN("770707400009"))
			cmd.ClientID = uuid.New()
			_, _, err := env.clients.RegisterClient(ctx, uuid.New(), cmd)
			assert.ErrorIs(t, err, client.ErrInvalidCommand)
			assert.ErrorContains(t, err, "client_id")

			cmd.ClientID = env.clients.IDFor(cmd.IIN)
			_, _, err = env.clients.RegisterClient(ctx, uuid.New(), cmd)
			assert.NoError(t, err, "the derived ID itself is accepted")
		})
		t.Run("an IIN is required", func(t *testing.T) {
			_, _, err := env.clients.RegisterClient(ctx, uuid.New(), clientRegisterCmd(kz.IIN{}))
			assert.ErrorIs(t, err, client.ErrInvalidCommand)
		})
	})
}

func TestRegisterClientRace(t *testing.T) {
	clientBackends(t, func(t *testing.T, store eventstore.Store) {
		const racers = 6
		env := newClientEnv(t, store, clientTestConfig())
		errs := make([]error, racers)
		var wg sync.WaitGroup
		for i := range racers {
			wg.Go(func() {
				_, _, errs[i] = env.clients.RegisterClient(context.Background(), uuid.New(), clientRegisterCmd(clientIIN))
			})
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			if err == nil {
				won++
				continue
			}
			assert.ErrorIs(t, err, client.ErrAlreadyRegistered)
		}
		assert.Equal(t, 1, won, "one IIN, one client")
		assert.Equal(t, 1, len(env.history(env.clients.IDFor(clientIIN))))
	})
}
