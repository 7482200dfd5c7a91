package commands_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/commands"
	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/eventstore"
)

func clientConsent(p client.Purpose) client.GiveConsent {
	return client.GiveConsent{Purpose: p, Scope: []string{"iin", "name", "phone"}}
}

func TestWithdrawConsent(t *testing.T) {
	clientBackends(t, func(t *testing.T, store eventstore.Store) {
		ctx := context.Background()
		env := newClientEnv(t, store, clientTestConfig())
		id := env.register(clientIIN, clientPhone)
		for _, p := range []client.Purpose{client.PurposePersonalData, client.PurposeMarketing} {
			_, err := env.clients.GiveConsent(ctx, uuid.New(), id, clientConsent(p))
			require.NoError(t, err)
		}
		var asked []time.Time
		policyActive, claimOpen := true, false
		env.contracts.activePolicy = func(_ context.Context, got uuid.UUID, on time.Time) (bool, error) {
			assert.Equal(t, id, got)
			asked = append(asked, on)
			return policyActive, nil
		}
		env.contracts.openClaim = func(context.Context, uuid.UUID) (bool, error) { return claimOpen, nil }

		_, err := env.clients.WithdrawConsent(ctx, uuid.New(), id, client.PurposePersonalData)
		assert.ErrorIs(t, err, client.ErrConsentRequiredByContract, "refused while a policy is in force")
		assert.Equal(t, []time.Time{clientStart}, asked, "asked about today, by the runner's clock")

		calls := env.contracts.calls.Load()
		res, err := env.clients.WithdrawConsent(ctx, uuid.New(), id, client.PurposeMarketing)
		require.NoError(t, err, "marketing is not tied to contracts")
		assert.Equal(t, 1, res.Events)
		assert.Equal(t, calls, env.contracts.calls.Load(), "and asks no one")

		policyActive, claimOpen = false, true
		_, err = env.clients.WithdrawConsent(ctx, uuid.New(), id, client.PurposePersonalData)
		assert.ErrorIs(t, err, client.ErrConsentRequiredByContract, "refused while a claim is open")

		claimOpen = false
		_, err = env.clients.WithdrawConsent(ctx, uuid.New(), id, client.PurposePersonalData)
		require.NoError(t, err)
		c, ok := env.state(id).ConsentFor(client.PurposePersonalData)
		require.True(t, ok)
		assert.False(t, c.Active(clientStart))
		assert.Equal(t, 2, clientCount(env.types(id), client.TypeConsentWithdrawn))
	})
}

func TestWithdrawConsentLookupFails(t *testing.T) {
	env := newClientEnv(t, clientMemory(), clientTestConfig())
	id := env.register(clientIIN, clientPhone)
	_, err := env.clients.GiveConsent(context.Background(), uuid.New(), id, clientConsent(client.PurposePersonalData))
	require.NoError(t, err)
	down := errors.New("read model unavailable")
	env.contracts.openClaim = func(context.Context, uuid.UUID) (bool, error) { return false, down }
	_, err = env.clients.WithdrawConsent(context.Background(), uuid.New(), id, client.PurposePersonalData)
	assert.ErrorIs(t, err, down, "no answer is no permission")
	assert.Zero(t, clientCount(env.types(id), client.TypeConsentWithdrawn))
}

func TestErasureDeferredThenCompleted(t *testing.T) {
	clientBackends(t, func(t *testing.T, store eventstore.Store) {
		ctx := context.Background()
		env := newClientEnv(t, store, clientTestConfig())
		id, code := env.registerWithCode()
		policyActive := true
		env.contracts.activePolicy = func(context.Context, uuid.UUID, time.Time) (bool, error) { return policyActive, nil }
		var destroyed []uuid.UUID
		destroy := func(_ context.Context, got uuid.UUID) error {
			destroyed = append(destroyed, got)
			return nil
		}

		reason, res, err := env.clients.RequestErasure(ctx, uuid.New(), id)
		require.NoError(t, err)
		assert.Equal(t, client.ErasureActivePolicy, reason)
		assert.Equal(t, 2, res.Events)
		assert.Equal(t, []string{client.TypeErasureRequested, client.TypeErasureDeferred}, env.types(id)[2:])

		reason, res, err = env.clients.RequestErasure(ctx, uuid.New(), id)
		require.NoError(t, err)
		assert.Equal(t, client.ErasureActivePolicy, reason, "a pending request keeps its reason")
		assert.Zero(t, res.Events)

		_, err = env.clients.CompleteErasure(ctx, uuid.New(), id, destroy)
		assert.ErrorIs(t, err, client.ErrErasureBlocked)
		assert.Empty(t, destroyed, "nothing is destroyed while the erasure is blocked")

		policyActive = false
		cmdID := uuid.New()
		done, err := env.clients.CompleteErasure(ctx, cmdID, id, destroy)
		require.NoError(t, err)
		assert.Equal(t, 1, done.Events)
		assert.Equal(t, []uuid.UUID{id}, destroyed)
		s := env.state(id)
		assert.True(t, s.Erased())
		assert.True(t, s.IIN.IsZero(), "the state keeps no personal data")

		again, err := env.clients.CompleteErasure(ctx, cmdID, id, destroy)
		require.NoError(t, err)
		assert.True(t, again.Duplicate)
		assert.Len(t, destroyed, 1, "a repeated command destroys nothing more")

		_, _, err = env.clients.Login(ctx, uuid.New(), clientIIN.String(), code)
		assert.Equal(t, commands.ErrInvalidCredentials, err, "an erased client is an unknown login")
		_, _, err = env.clients.RegisterClient(ctx, uuid.New(), clientRegisterCmd(clientIIN))
		assert.ErrorIs(t, err, client.ErrErased)
	})
}

func TestErasureWithoutContracts(t *testing.T) {
	ctx := context.Background()
	env := newClientEnv(t, clientMemory(), clientTestConfig())
	id := env.register(clientIIN, clientPhone)

	_, err := env.clients.CompleteErasure(ctx, uuid.New(), id, nil)
	assert.ErrorIs(t, err, client.ErrErasureNotRequested)

	reason, _, err := env.clients.RequestErasure(ctx, uuid.New(), id)
	require.NoError(t, err)
	assert.Empty(t, reason, "nothing holds it back")

	failing := errors.New("key store down")
	_, err = env.clients.CompleteErasure(ctx, uuid.New(), id, func(context.Context, uuid.UUID) error { return failing })
	assert.ErrorIs(t, err, failing)
	assert.False(t, env.state(id).Erased(), "not recorded as erased when the key survived")

	_, err = env.clients.CompleteErasure(ctx, uuid.New(), id, nil)
	require.NoError(t, err)
	assert.True(t, env.state(id).Erased())
}

func TestChangePhoneAndSettings(t *testing.T) {
	clientBackends(t, func(t *testing.T, store eventstore.Store) {
		ctx := context.Background()
		env := newClientEnv(t, store, clientTestConfig())
		id := env.register(clientIIN, clientPhone)

		_, err := env.clients.ChangePhone(ctx, uuid.New(), id, clientPhone2, "", false)
		assert.ErrorIs(t, err, client.ErrPhoneConfirmationRequired)
		_, err = env.clients.ChangePhone(ctx, uuid.New(), id, clientPhone2, "OGPO-0001", false)
		assert.ErrorIs(t, err, client.ErrPhoneConfirmationRequired, "a policy number nobody checked")
		res, err := env.clients.ChangePhone(ctx, uuid.New(), id, clientPhone2, "OGPO-0001", true)
		require.NoError(t, err)
		assert.Equal(t, 1, res.Events)
		assert.Equal(t, clientPhone2, env.state(id).Phone)

		settings := client.DefaultSettings()
		settings.Email = "aigerim@example.kz"
		settings.Notifications.ClaimStatus.Email = true
		settings.AutoProlongation = true
		res, err = env.clients.ChangeSettings(ctx, uuid.New(), id, settings)
		require.NoError(t, err)
		assert.Equal(t, 1, res.Events)
		assert.Equal(t, settings, env.state(id).Settings)

		res, err = env.clients.ChangeSettings(ctx, uuid.New(), id, settings)
		require.NoError(t, err)
		assert.Zero(t, res.Events, "the same settings write nothing")

		settings.Email = ""
		_, err = env.clients.ChangeSettings(ctx, uuid.New(), id, settings)
		assert.ErrorIs(t, err, client.ErrInvalidSettings)
	})
}
