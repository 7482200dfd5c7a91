package clientprofile_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/projections/clientprofile"
)

func TestErasure(t *testing.T) {
	for _, tt := range []struct {
		name        string
		incremental bool // apply after every step instead of once at the end
	}{
		{"step by step", true},
		{"whole history in one batch", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			eachEnv(t, func(t *testing.T, e *env) {
				ctx := context.Background()
				step := func() {
					if tt.incremental {
						e.catchUp()
					}
				}
				id := e.register(iinA, phoneA, "Айгерим", "Сапарова")
				other := e.register(iinB, phoneA, "Ерлан", "Ахметов") // shares the number
				e.issue(id)
				e.wrote(e.clients.GiveConsent(ctx, uuid.New(), id, client.GiveConsent{Purpose: client.PurposePersonalData, Scope: []string{"iin"}}))
				settings := client.DefaultSettings()
				settings.Email = "aigerim@example.kz"
				e.wrote(e.clients.ChangeSettings(ctx, uuid.New(), id, settings))
				step()

				e.contracts.set(true)
				e.clock.Advance(time.Hour)
				reason, res, err := e.clients.RequestErasure(ctx, uuid.New(), id)
				e.wrote(res, err)
				require.Equal(t, client.ErasureActivePolicy, reason)
				step()
				if tt.incremental {
					p := e.get(id)
					assert.Equal(t, clientprofile.Erasure{
						State: clientprofile.ErasureDeferred, RequestedAt: start.Add(time.Hour), DeferredBy: client.ErasureActivePolicy,
					}, p.Erasure)
					assert.Equal(t, iinA, p.IIN, "nothing is scrubbed while the erasure waits")
					pending, err := clientprofile.PendingErasures(ctx, e.db)
					require.NoError(t, err)
					assert.Equal(t, []uuid.UUID{id}, pending)
				}

				e.contracts.set(false)
				e.clock.Advance(time.Hour)
				e.wrote(e.clients.CompleteErasure(ctx, uuid.New(), id, nil))
				e.catchUp()

				assert.Equal(t, clientprofile.Profile{
					ClientID: id, RegisteredAt: start,
					Erasure: clientprofile.Erasure{State: clientprofile.ErasureErased, RequestedAt: start.Add(time.Hour), ErasedAt: start.Add(2 * time.Hour)},
				}, e.get(id), "only the ID and the dates stay")
				assert.True(t, e.get(id).Erased())
				pending, err := clientprofile.PendingErasures(ctx, e.db)
				require.NoError(t, err)
				assert.Empty(t, pending, "an erased client waits for nothing")

				var scrubbed bool
				require.NoError(t, e.db.QueryRow(ctx, `SELECT iin IS NULL AND phone IS NULL AND first_name IS NULL AND last_name IS NULL
					AND settings IS NULL AND kias_client_id IS NULL AND consents IS NULL
					FROM client_profiles WHERE client_id = $1`, id).Scan(&scrubbed))
				assert.True(t, scrubbed, "the row itself holds no personal data")

				_, err = clientprofile.Settings(ctx, e.db, id)
				assert.ErrorIs(t, err, clientprofile.ErrNotFound)
				got, found := e.byPhone(phoneA)
				assert.True(t, found, "the number is no longer shared with an erased client")
				assert.Equal(t, other, got)
				assert.Equal(t, "Ерлан", e.get(other).FirstName, "other clients stay")
				e.noDrift()
			})
		})
	}
}

func TestErasureRequestedWithoutHindrance(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		id := e.register(iinA, phoneA, "Айгерим", "Сапарова")
		reason, res, err := e.clients.RequestErasure(context.Background(), uuid.New(), id)
		e.wrote(res, err)
		require.Empty(t, reason)
		e.catchUp()
		assert.Equal(t, clientprofile.Erasure{State: clientprofile.ErasureRequested, RequestedAt: start}, e.get(id).Erasure)
		pending, err := clientprofile.PendingErasures(context.Background(), e.db)
		require.NoError(t, err)
		assert.Equal(t, []uuid.UUID{id}, pending, "a request a crash left undone is pending")
		_, found := e.byPhone(phoneA)
		assert.True(t, found, "a client is found until the erasure is done")
	})
}
