package cabinet_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/cabinet"
	"github.com/kabinet/kabinet/adapters/cabinet/cabinettest"
)

// A caller's name holds one key at a time: a new key replaces the old one
// and may change the role, a revoked key stops working at once, and only
// the key's hash is stored.
func TestAPIKeys(t *testing.T) {
	t.Parallel()
	eachDatabase(t, testAPIKeys)
}

func testAPIKeys(t *testing.T, o cabinettest.Options) {
	k := newKit(t, o)
	ctx := t.Context()
	// answer is the code a call of op with an empty request gets with key:
	// INVALID_ARGUMENT means the key was let through to the operation.
	answer := func(op, key string) cabinet.Code {
		t.Helper()
		operation, ok := cabinet.Lookup(op)
		require.True(t, ok)
		return refused(t, k, op, cabinet.Credentials{APIKey: key}, operation.NewRequest()).Code
	}

	first, err := cabinet.CreateAPIKey(ctx, k.DB, " partner ", cabinet.RoleWebsite)
	require.NoError(t, err)
	assert.Regexp(t, `^kb_[A-Za-z0-9_-]{43}$`, first)
	assert.Equal(t, cabinet.CodeInvalidArgument, answer("Login", first))
	assert.Equal(t, cabinet.CodeForbidden, answer("IssuePolicy", first))
	var stored []byte
	require.NoError(t, k.DB.QueryRow(ctx, `SELECT key_hash FROM api_keys WHERE name = $1`, "partner").Scan(&stored))
	assert.Len(t, stored, 32)
	assert.NotContains(t, string(stored), first[3:], "the key itself is not stored")

	second, err := cabinet.CreateAPIKey(ctx, k.DB, "partner", cabinet.RoleInsurer)
	require.NoError(t, err)
	assert.NotEqual(t, first, second)
	assert.Equal(t, cabinet.CodeAuthFailed, answer("Login", first), "the new key replaces the old one")
	assert.Equal(t, cabinet.CodeInvalidArgument, answer("IssuePolicy", second))
	assert.Equal(t, cabinet.CodeForbidden, answer("Login", second), "and takes its role")

	ok, err := cabinet.RevokeAPIKey(ctx, k.DB, "partner")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, cabinet.CodeAuthFailed, answer("IssuePolicy", second))
	ok, err = cabinet.RevokeAPIKey(ctx, k.DB, "partner")
	require.NoError(t, err)
	assert.False(t, ok, "a revoked key is revoked once")
	ok, err = cabinet.RevokeAPIKey(ctx, k.DB, "nobody")
	require.NoError(t, err)
	assert.False(t, ok)

	third, err := cabinet.CreateAPIKey(ctx, k.DB, "partner", cabinet.RoleWebsite)
	require.NoError(t, err)
	assert.Equal(t, cabinet.CodeInvalidArgument, answer("Login", third), "a revoked name may get a new key")
	assert.Equal(t, cabinet.CodeAuthFailed, answer("IssuePolicy", second))
	assert.Equal(t, cabinet.CodeInvalidArgument, answer("Login", k.WebsiteKey), "other callers' keys are untouched")

	_, err = cabinet.CreateAPIKey(ctx, k.DB, " ", cabinet.RoleWebsite)
	assert.ErrorContains(t, err, "name")
	_, err = cabinet.CreateAPIKey(ctx, k.DB, "partner", cabinet.Role("admin"))
	assert.ErrorContains(t, err, "role")
	assert.Equal(t, cabinet.CodeInvalidArgument, answer("Login", third), "a refused key changes nothing")
}
