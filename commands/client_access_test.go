package commands_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/commands"
	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/eventstore"
)

func TestLoginWithOneTimeCode(t *testing.T) {
	clientBackends(t, func(t *testing.T, store eventstore.Store) {
		ctx := context.Background()
		env := newClientEnv(t, store, clientTestConfig())
		id, code := env.registerWithCode()

		got, res, err := env.clients.Login(ctx, uuid.New(), clientIIN.String(), code)
		require.NoError(t, err)
		assert.Equal(t, id, got)
		assert.Equal(t, 1, res.Events)
		assert.Equal(t, []string{client.TypeRegistered, client.TypeAccessCodeIssued, client.TypeLoginSucceeded}, env.types(id))
		assert.Equal(t, clientStart, env.state(id).LastLoginAt.UTC())
		issued := env.state(id).Code
		assert.Equal(t, client.CodeOneTime, issued.Kind)
		assert.Equal(t, clientStart.Add(time.Hour), issued.ExpiresAt.UTC(), "expires after the configured TTL")
	})
}

func TestLoginByPhone(t *testing.T) {
	ctx := context.Background()
	env := newClientEnv(t, clientMemory(), clientTestConfig())
	id, code := env.registerWithCode()

	_, _, err := env.clients.Login(ctx, uuid.New(), "8 701 123 45 67", code)
	require.Error(t, err, "without a directory a phone is no login")
	assert.NotErrorIs(t, err, commands.ErrInvalidCredentials, "a wiring fault is not a wrong password")

	env.clients.SetDirectory(&fakeDirectory{clientByPhone: func(_ context.Context, p kz.Phone) (uuid.UUID, bool, error) {
		return id, p == clientPhone, nil
	}})
	got, _, err := env.clients.Login(ctx, uuid.New(), "8 701 123 45 67", code)
	require.NoError(t, err)
	assert.Equal(t, id, got)

	_, _, err = env.clients.Login(ctx, uuid.New(), clientPhone2.String(), code)
	assert.Equal(t, commands.ErrInvalidCredentials, err, "a number nobody has is an unknown login")
}

func TestLoginWrongCode(t *testing.T) {
	clientBackends(t, func(t *testing.T, store eventstore.Store) {
		env := newClientEnv(t, store, clientTestConfig())
		id, code := env.registerWithCode()

		_, res, err := env.clients.Login(context.Background(), uuid.New(), clientIIN.String(), clientOtherCode(code))
		assert.Equal(t, commands.ErrInvalidCredentials, err)
		assert.Equal(t, commands.Result{}, res)
		assert.Equal(t, 1, env.state(id).FailedAttempts)
		assert.Equal(t, 1, clientCount(env.types(id), client.TypeLoginFailed))
	})
}

func TestLoginLocksAfterFiveFailures(t *testing.T) {
	clientBackends(t, func(t *testing.T, store eventstore.Store) {
		ctx := context.Background()
		env := newClientEnv(t, store, clientTestConfig())
		id, code := env.registerWithCode()
		wrong := clientOtherCode(code)

		for i := 1; i < client.DefaultMaxFailures; i++ {
			_, _, err := env.clients.Login(ctx, uuid.New(), clientIIN.String(), wrong)
			require.Equal(t, commands.ErrInvalidCredentials, err, "attempt %d", i)
		}
		_, _, err := env.clients.Login(ctx, uuid.New(), clientIIN.String(), wrong)
		assert.ErrorIs(t, err, client.ErrLoginLocked, "the failure that locks says so")
		assert.NotContains(t, err.Error(), clientIIN.String())

		before := len(env.history(id))
		_, _, err = env.clients.Login(ctx, uuid.New(), clientIIN.String(), code)
		assert.ErrorIs(t, err, client.ErrLoginLocked, "even the right code is refused while locked")
		env.clock.Advance(client.DefaultLockFor - time.Second)
		_, _, err = env.clients.Login(ctx, uuid.New(), clientIIN.String(), code)
		assert.ErrorIs(t, err, client.ErrLoginLocked, "a second before the lock ends")
		assert.Equal(t, before, len(env.history(id)), "attempts while locked are not recorded")

		env.clock.Advance(time.Second)
		got, _, err := env.clients.Login(ctx, uuid.New(), clientIIN.String(), code)
		require.NoError(t, err, "the lock is over")
		assert.Equal(t, id, got)

		types := env.types(id)
		assert.Equal(t, client.DefaultMaxFailures, clientCount(types, client.TypeLoginFailed))
		assert.Equal(t, 1, clientCount(types, client.TypeLoginLocked))
	})
}

func TestLoginExpiredCode(t *testing.T) {
	env := newClientEnv(t, clientMemory(), clientTestConfig())
	id, code := env.registerWithCode()
	env.clock.Advance(time.Hour)
	_, _, err := env.clients.Login(context.Background(), uuid.New(), clientIIN.String(), code)
	assert.ErrorIs(t, err, client.ErrCodeExpired)
	assert.Equal(t, 0, clientCount(env.types(id), client.TypeLoginSucceeded))
}

func TestLoginUnknownGivesTheSameError(t *testing.T) {
	clientBackends(t, func(t *testing.T, store eventstore.Store) {
		ctx := context.Background()
		env := newClientEnv(t, store, clientTestConfig())
		env.clients.SetDirectory(&fakeDirectory{clientByPhone: func(context.Context, kz.Phone) (uuid.UUID, bool, error) {
			return uuid.Nil, false, nil
		}})
		for _, login := range []string{clientIIN.String(), "+7 701 123 45 67", "not a login", ""} {
			_, res, err := env.clients.Login(ctx, uuid.New(), login, "123456")
			assert.Equal(t, commands.ErrInvalidCredentials, err, "login %q", login)
			assert.Equal(t, commands.Result{}, res)
		}
		assert.Empty(t, env.streams(), "an unknown login writes nothing")

		_, code := env.registerWithCode()
		_, _, wrongCode := env.clients.Login(ctx, uuid.New(), clientIIN.String(), clientOtherCode(code))
		_, _, unknown := env.clients.Login(ctx, uuid.New(), clientOtherIIN.String(), code)
		assert.Equal(t, wrongCode, unknown, "wrong code and unknown login cannot be told apart")
		assert.Equal(t, wrongCode.Error(), unknown.Error())
	})
}

func TestLoginRepeatedCommand(t *testing.T) {
	clientBackends(t, func(t *testing.T, store eventstore.Store) {
		ctx := context.Background()
		env := newClientEnv(t, store, clientTestConfig())
		id, code := env.registerWithCode()
		cmdID := uuid.New()

		_, first, err := env.clients.Login(ctx, cmdID, clientIIN.String(), code)
		require.NoError(t, err)
		got, again, err := env.clients.Login(ctx, cmdID, clientIIN.String(), code)
		require.NoError(t, err)
		assert.Equal(t, id, got)
		want := first
		want.Duplicate = true
		assert.Equal(t, want, again, "a retried login gets the first result")
		assert.Equal(t, 1, clientCount(env.types(id), client.TypeLoginSucceeded))

		// The ID of a successful login is no ticket: replayed with a wrong
		// code it fails, and the failure counts.
		for i := 1; i <= 2; i++ {
			_, _, err = env.clients.Login(ctx, cmdID, clientIIN.String(), clientOtherCode(code))
			assert.Equal(t, commands.ErrInvalidCredentials, err)
			assert.Equal(t, i, env.state(id).FailedAttempts)
		}
	})
}

func TestIssueOneTimeCode(t *testing.T) {
	clientBackends(t, func(t *testing.T, store eventstore.Store) {
		ctx := context.Background()
		env := newClientEnv(t, store, clientTestConfig())
		id := env.register(clientIIN, clientPhone)
		cmdID := uuid.New()

		code, res, err := env.clients.IssueOneTimeCode(ctx, cmdID, id)
		require.NoError(t, err)
		assert.Len(t, code, 6)
		assert.Equal(t, 1, res.Events)
		assert.Equal(t, env.codes.HashOneTime(code), env.state(id).Code.Hash)

		again, res2, err := env.clients.IssueOneTimeCode(ctx, cmdID, id)
		assert.ErrorIs(t, err, commands.ErrCodeAlreadyIssued)
		assert.Empty(t, again, "no code that was not stored")
		assert.True(t, res2.Duplicate)
		assert.Equal(t, 1, clientCount(env.types(id), client.TypeAccessCodeIssued))
		_, _, err = env.clients.Login(ctx, uuid.New(), clientIIN.String(), code)
		assert.NoError(t, err, "the first code still works")

		// A new code replaces the old one: this is how a code is reset.
		newer, _, err := env.clients.IssueOneTimeCode(ctx, uuid.New(), id)
		require.NoError(t, err)
		if newer != code {
			_, _, err = env.clients.Login(ctx, uuid.New(), clientIIN.String(), code)
			assert.Equal(t, commands.ErrInvalidCredentials, err, "the replaced code is dead")
		}
		_, _, err = env.clients.Login(ctx, uuid.New(), clientIIN.String(), newer)
		assert.NoError(t, err)

		_, _, err = env.clients.IssueOneTimeCode(ctx, uuid.New(), env.clients.IDFor(clientOtherIIN))
		assert.ErrorIs(t, err, client.ErrNotRegistered)
	})
}

func TestChangeAccessCode(t *testing.T) {
	clientBackends(t, func(t *testing.T, store eventstore.Store) {
		ctx := context.Background()
		env := newClientEnv(t, store, clientTestConfig())
		id, code := env.registerWithCode()

		_, err := env.clients.ChangeAccessCode(ctx, uuid.New(), id, code, "1111")
		assert.ErrorIs(t, err, commands.ErrWeakAccessCode)
		assert.Equal(t, 2, len(env.history(id)), "a weak code writes nothing and costs no attempt")

		_, err = env.clients.ChangeAccessCode(ctx, uuid.New(), id, clientOtherCode(code), "2468")
		assert.ErrorIs(t, err, client.ErrCurrentCodeNotVerified)
		assert.Equal(t, 1, env.state(id).FailedAttempts, "a wrong current code counts as a failed login")

		cmdID := uuid.New()
		res, err := env.clients.ChangeAccessCode(ctx, cmdID, id, code, "2468")
		require.NoError(t, err)
		assert.Equal(t, 1, res.Events)
		s := env.state(id)
		assert.Equal(t, client.CodeChosen, s.Code.Kind)
		assert.True(t, strings.HasPrefix(s.Code.Hash, "$argon2id$v=19$m=1024,t=1,p=1$"))
		assert.True(t, s.Code.ExpiresAt.IsZero(), "a chosen code does not expire")

		again, err := env.clients.ChangeAccessCode(ctx, cmdID, id, code, "2468")
		require.NoError(t, err)
		assert.True(t, again.Duplicate)
		assert.Equal(t, res.Version, again.Version)

		_, _, err = env.clients.Login(ctx, uuid.New(), clientIIN.String(), code)
		assert.Equal(t, commands.ErrInvalidCredentials, err, "the one-time code is replaced")
		_, _, err = env.clients.Login(ctx, uuid.New(), clientIIN.String(), "2468")
		assert.NoError(t, err)

		_, err = env.clients.ChangeAccessCode(ctx, uuid.New(), id, "2468", "97531")
		require.NoError(t, err, "a chosen code is changed with itself as current")
		_, _, err = env.clients.Login(ctx, uuid.New(), clientIIN.String(), "97531")
		assert.NoError(t, err)

		_, err = env.clients.ChangeAccessCode(ctx, uuid.New(), env.clients.IDFor(clientOtherIIN), "2468", "97531")
		assert.ErrorIs(t, err, client.ErrNotRegistered)
	})
}

func TestChangeAccessCodeLocks(t *testing.T) {
	ctx := context.Background()
	env := newClientEnv(t, clientMemory(), clientTestConfig())
	id, code := env.registerWithCode()
	var err error
	for range client.DefaultMaxFailures {
		_, err = env.clients.ChangeAccessCode(ctx, uuid.New(), id, clientOtherCode(code), "2468")
	}
	assert.ErrorIs(t, err, client.ErrLoginLocked, "the fifth wrong current code locks")
	_, err = env.clients.ChangeAccessCode(ctx, uuid.New(), id, code, "2468")
	assert.ErrorIs(t, err, client.ErrLoginLocked)
	assert.Equal(t, client.CodeOneTime, env.state(id).Code.Kind)
}

// TestNoPlainCodeIsStored scans every stored byte of every event for the
// codes a client used.
func TestNoPlainCodeIsStored(t *testing.T) {
	clientBackends(t, func(t *testing.T, store eventstore.Store) {
		ctx := context.Background()
		cfg := clientTestConfig()
		cfg.Random = codeRandom(591_837) // fixes the one-time code
		env := newClientEnv(t, store, cfg)
		id, code := env.registerWithCode()
		require.Equal(t, "591837", code)
		const chosen = "80531"

		_, _, err := env.clients.Login(ctx, uuid.New(), clientIIN.String(), code)
		require.NoError(t, err)
		_, _, err = env.clients.Login(ctx, uuid.New(), clientIIN.String(), "000000")
		require.Error(t, err)
		_, err = env.clients.ChangeAccessCode(ctx, uuid.New(), id, code, chosen)
		require.NoError(t, err)
		_, _, err = env.clients.Login(ctx, uuid.New(), clientIIN.String(), chosen)
		require.NoError(t, err)

		assert.Equal(t, []string{eventstore.StreamName(client.Aggregate, id)}, env.streams())
		all := env.history(id)
		require.Len(t, all, 6)
		var issued, changed bool
		for _, e := range all {
			meta, err := json.Marshal(e.Metadata)
			require.NoError(t, err)
			for _, raw := range [][]byte{e.Data, meta, []byte(e.Type)} {
				assert.False(t, bytes.Contains(raw, []byte(code)), "one-time code in %s", e.Type)
				assert.False(t, bytes.Contains(raw, []byte(chosen)), "chosen code in %s", e.Type)
			}
			// The hashes are there instead: the scan looked at the right bytes.
			switch e.Type {
			case client.TypeAccessCodeIssued:
				issued = bytes.Contains(e.Data, []byte(env.codes.HashOneTime(code)))
			case client.TypeAccessCodeChanged:
				changed = bytes.Contains(e.Data, []byte(`"hash":"$argon2id$`))
			}
		}
		assert.True(t, issued, "the HMAC of the one-time code is stored")
		assert.True(t, changed, "the argon2id hash of the chosen code is stored")
	})
}

// TestConcurrentWrongLoginsLockOnce sends eight wrong codes at once. Every
// attempt decides on the stream as it is when it appends, so the count goes
// 1…5 without gaps or repeats, one lock follows, and the rest are refused.
func TestConcurrentWrongLoginsLockOnce(t *testing.T) {
	clientBackends(t, func(t *testing.T, store eventstore.Store) {
		const attackers = 8
		setup := newClientEnv(t, store, clientTestConfig())
		id, code := setup.registerWithCode()
		// The barrier holds the attackers' first loads until all have
		// loaded, so they all check the code against the same state.
		env := newClientEnv(t, newClientBarrierStore(store, attackers), clientTestConfig())

		errs := make([]error, attackers)
		var wg sync.WaitGroup
		for i := range attackers {
			wg.Go(func() {
				_, _, errs[i] = env.clients.Login(context.Background(), uuid.New(), clientIIN.String(), clientOtherCode(code))
			})
		}
		wg.Wait()

		var invalid, locked int
		for i, err := range errs {
			switch {
			case errors.Is(err, commands.ErrInvalidCredentials):
				invalid++
			case errors.Is(err, client.ErrLoginLocked):
				locked++
				// Regression: an attacker whose decision met a lock made by
				// another got a plain error, and the API no Retry-After.
				var le *commands.LockedError
				if assert.ErrorAs(t, err, &le, "attacker %d: the lock says until when", i) {
					assert.True(t, le.Until.After(clientStart), "attacker %d: until %s", i, le.Until)
				}
			default:
				t.Errorf("attacker %d: unexpected %v", i, err)
			}
		}
		assert.Equal(t, client.DefaultMaxFailures-1, invalid, "failures before the locking one")
		assert.Equal(t, attackers-invalid, locked, "the locking failure and the refused ones")

		var attempts []int
		for _, rec := range setup.history(id) {
			e, err := client.DecodeEvent(rec.Type, rec.SchemaVersion, rec.Data)
			require.NoError(t, err)
			if f, ok := e.(client.LoginFailed); ok {
				attempts = append(attempts, f.Attempts)
			}
		}
		assert.Equal(t, []int{1, 2, 3, 4, 5}, attempts, "no attempt lost or counted twice")
		assert.Equal(t, 1, clientCount(setup.types(id), client.TypeLoginLocked))
		assert.True(t, setup.state(id).Locked(clientStart))
	})
}

// TestLoginRechecksWhenTheCodeChanges pins a race: the code is replaced
// between the check and the decision. The login must not succeed with the
// replaced code.
func TestLoginRechecksWhenTheCodeChanges(t *testing.T) {
	clientBackends(t, func(t *testing.T, store eventstore.Store) {
		ctx := context.Background()
		cfg := clientTestConfig()
		cfg.Random = codeRandom(111_111, 222_222)
		setup := newClientEnv(t, store, cfg)
		id, old := setup.registerWithCode()
		var fresh string
		// Load 1 is the login's check; before load 2, the runner's, a new
		// code is issued.
		hooked := &clientHookStore{Store: store, at: 2, hook: func() { fresh = setup.issue(id) }}
		env := newClientEnv(t, hooked, clientTestConfig())

		_, _, err := env.clients.Login(ctx, uuid.New(), clientIIN.String(), old)
		require.Equal(t, "222222", fresh, "the hook ran")
		assert.Equal(t, commands.ErrInvalidCredentials, err)
		types := setup.types(id)
		assert.Zero(t, clientCount(types, client.TypeLoginSucceeded))
		assert.Equal(t, 1, clientCount(types, client.TypeLoginFailed), "checked again against the new code")
	})
}

// clientOtherCode is a code that differs from code.
func clientOtherCode(code string) string {
	if code == "000000" {
		return "000001"
	}
	return "000000"
}
