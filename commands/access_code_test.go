package commands_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/kabinet/kabinet/commands"
	"github.com/kabinet/kabinet/domain/client"
)

func codeNew(t *testing.T, cfg commands.AccessCodeConfig) *commands.AccessCodes {
	t.Helper()
	codes, err := commands.NewAccessCodes(cfg)
	require.NoError(t, err)
	return codes
}

func TestAccessCodeConfigValidate(t *testing.T) {
	require.NoError(t, commands.AccessCodeConfig{HMACKey: clientKey}.Validate(), "only the key is required")

	err := commands.AccessCodeConfig{
		HMACKey:             []byte("short"),
		Argon2MemoryKiB:     8,
		Argon2Threads:       4,
		Argon2Time:          1000,
		MaxConcurrentHashes: -1,
		OneTimeTTL:          time.Second,
	}.Validate()
	require.Error(t, err)
	for _, want := range []string{"hmac key must be at least 32 bytes", "8 KiB per thread", "argon2 time", "max concurrent hashes", "one-time ttl"} {
		assert.ErrorContains(t, err, want, "every problem is reported at once")
	}
	assert.NotContains(t, err.Error(), "short", "the key is not echoed")

	_, err = commands.NewAccessCodes(commands.AccessCodeConfig{HMACKey: []byte("short")})
	assert.ErrorContains(t, err, "hmac key")
}

func TestAccessCodesDefaults(t *testing.T) {
	codes := codeNew(t, commands.AccessCodeConfig{HMACKey: clientKey})
	assert.Equal(t, "commands.AccessCodes{argon2id m=65536,t=3,p=2}", fmt.Sprint(codes))
	assert.Equal(t, 10*time.Minute, codes.OneTimeTTL())
	hash, err := codes.HashChosen(context.Background(), "2468")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(hash, "$argon2id$v=19$m=65536,t=3,p=2$"), hash)
}

func TestAccessCodesNeverPrintTheKey(t *testing.T) {
	cfg := clientTestConfig()
	codes := codeNew(t, cfg)
	forbidden := []string{string(clientKey), hex.EncodeToString(clientKey), fmt.Sprint(clientKey[:4]), fmt.Sprintf("%d", clientKey[:4])}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		for _, v := range []any{codes, *codes, cfg, &cfg} {
			out := fmt.Sprintf(verb, v)
			for _, f := range forbidden {
				assert.NotContains(t, out, strings.Trim(f, "[]"), "%s of %T", verb, v)
			}
		}
	}
}

func TestNewOneTimeCode(t *testing.T) {
	codes := codeNew(t, clientTestConfig())
	seen := make(map[string]bool)
	for range 200 {
		code, err := codes.NewOneTimeCode()
		require.NoError(t, err)
		require.Len(t, code, 6)
		for _, r := range code {
			require.True(t, r >= '0' && r <= '9', "digits only")
		}
		seen[code] = true
	}
	assert.Greater(t, len(seen), 190, "codes are drawn at random")
}

// TestNewOneTimeCodeRejectsBiasedDraws pins the rejection sampling: a draw
// in the last, incomplete block of 10⁶ below 2³² is thrown away, any other
// draw gives its remainder.
func TestNewOneTimeCodeRejectsBiasedDraws(t *testing.T) {
	const limit = 4_294_000_000 // 4294 · 10⁶ ≤ 2³² < 4295 · 10⁶
	rapid.Check(t, func(t *rapid.T) {
		v := rapid.Uint32().Draw(t, "draw")
		cfg := clientTestConfig()
		cfg.Random = codeRandom(v, 7)
		codes, err := commands.NewAccessCodes(cfg)
		require.NoError(t, err)
		code, err := codes.NewOneTimeCode()
		require.NoError(t, err)
		if v >= limit {
			assert.Equal(t, "000007", code, "a draw at or above the limit is rejected")
		} else {
			assert.Equal(t, fmt.Sprintf("%06d", v%1_000_000), code)
		}
	})

	cfg := clientTestConfig()
	cfg.Random = codeRandom(limit, limit-1)
	code, err := codeNew(t, cfg).NewOneTimeCode()
	require.NoError(t, err)
	assert.Equal(t, "999999", code, "the limit itself is rejected, the draw below it kept")
}

func TestNewOneTimeCodeRandomFails(t *testing.T) {
	cfg := clientTestConfig()
	cfg.Random = iotest.ErrReader(errors.New("entropy gone"))
	_, err := codeNew(t, cfg).NewOneTimeCode()
	assert.ErrorContains(t, err, "entropy gone")
}

func TestHashOneTime(t *testing.T) {
	codes := codeNew(t, clientTestConfig())
	h := codes.HashOneTime("123456")
	assert.Len(t, h, 64)
	_, err := hex.DecodeString(h)
	assert.NoError(t, err)
	assert.Equal(t, strings.ToLower(h), h)
	assert.Equal(t, h, codes.HashOneTime("123456"), "deterministic")
	assert.NotEqual(t, h, codes.HashOneTime("123457"))

	other := clientTestConfig()
	other.HMACKey = bytes.Repeat([]byte{1}, 32)
	assert.NotEqual(t, h, codeNew(t, other).HashOneTime("123456"), "keyed")

	ok, err := codes.Verify(context.Background(), client.AccessCode{Kind: client.CodeOneTime, Hash: h}, "123456")
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = codes.Verify(context.Background(), client.AccessCode{Kind: client.CodeOneTime, Hash: h}, "123457")
	require.NoError(t, err)
	assert.False(t, ok)
}

func TestHashChosenAndVerify(t *testing.T) {
	ctx := context.Background()
	codes := codeNew(t, clientTestConfig())
	h, err := codes.HashChosen(ctx, "2468")
	require.NoError(t, err)
	assert.Regexp(t, `^\$argon2id\$v=19\$m=1024,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`, h, "16-byte salt, 32-byte hash")
	assert.NotContains(t, h, "2468")

	again, err := codes.HashChosen(ctx, "2468")
	require.NoError(t, err)
	assert.NotEqual(t, h, again, "a fresh salt every time")

	chosen := client.AccessCode{Kind: client.CodeChosen, Hash: h}
	ok, err := codes.Verify(ctx, chosen, "2468")
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = codes.Verify(ctx, chosen, "2469")
	require.NoError(t, err)
	assert.False(t, ok)

	// Raised parameters: hashes made with the old ones still verify, because
	// the parameters are read from the stored string.
	raised := clientTestConfig()
	raised.Argon2MemoryKiB, raised.Argon2Time, raised.Argon2Threads = 2048, 2, 2
	ok, err = codeNew(t, raised).Verify(ctx, chosen, "2468")
	require.NoError(t, err)
	assert.True(t, ok)
}

func TestVerifyOddStates(t *testing.T) {
	ctx := context.Background()
	codes := codeNew(t, clientTestConfig())
	ok, err := codes.Verify(ctx, client.AccessCode{}, "")
	require.NoError(t, err)
	assert.False(t, ok, "no code set verifies nothing, not even an empty code")

	long := strings.Repeat("1", 129)
	ok, err = codes.Verify(ctx, client.AccessCode{Kind: client.CodeOneTime, Hash: codes.HashOneTime(long)}, long)
	require.NoError(t, err)
	assert.False(t, ok, "overlong input is refused before hashing")

	_, err = codes.Verify(ctx, client.AccessCode{Kind: "pin", Hash: "x"}, "2468")
	assert.ErrorContains(t, err, "kind")

	for _, stored := range []string{
		"$argon2i$v=19$m=1024,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=16$m=1024,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$t=1,m=1024,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=1024,t=0,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=1024,t=1,p=1$!!$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaA",
	} {
		ok, err := codes.Verify(ctx, client.AccessCode{Kind: client.CodeChosen, Hash: stored}, "2468")
		assert.False(t, ok)
		assert.Error(t, err, stored)
		if err != nil {
			assert.NotContains(t, err.Error(), "2468", "the code is never echoed")
			assert.NotContains(t, err.Error(), "c2FsdHNhbHRzYWx0", "the stored hash is never echoed")
		}
	}
}

func TestHashingWaitsForASlot(t *testing.T) {
	cfg := clientTestConfig()
	cfg.MaxConcurrentHashes = 2
	codes := codeNew(t, cfg)
	h, err := codes.HashChosen(context.Background(), "2468")
	require.NoError(t, err)

	release := commands.HoldHashSlots(codes)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err = codes.HashChosen(ctx, "2468")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	_, err = codes.Verify(ctx, client.AccessCode{Kind: client.CodeChosen, Hash: h}, "2468")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	// One-time codes need no slot: HMAC is cheap.
	ok, err := codes.Verify(ctx, client.AccessCode{Kind: client.CodeOneTime, Hash: codes.HashOneTime("1")}, "1")
	require.NoError(t, err)
	assert.True(t, ok)

	release()
	ok, err = codes.Verify(context.Background(), client.AccessCode{Kind: client.CodeChosen, Hash: h}, "2468")
	require.NoError(t, err)
	assert.True(t, ok, "slots come back")
}

func TestValidateChosen(t *testing.T) {
	codes := codeNew(t, clientTestConfig())
	for _, tc := range []struct {
		code string
		rule string // "" when allowed
	}{
		{"2468", ""},
		{"1357", ""},
		{"0071", ""},
		{"123455", ""},
		{"839201746512", ""},
		{"123", "4 to 12 digits"},
		{"1234567890123", "4 to 12 digits"},
		{"12a4", "4 to 12 digits"},
		{"１２３４", "4 to 12 digits"},
		{"", "4 to 12 digits"},
		{"1111", "one digit repeated"},
		{"00000000", "one digit repeated"},
		{"1234", "consecutive digits"},
		{"4321", "consecutive digits"},
		{"8901", "consecutive digits"},
		{"3210987", "consecutive digits"},
	} {
		err := codes.ValidateChosen(tc.code)
		if tc.rule == "" {
			assert.NoError(t, err, tc.code)
			continue
		}
		if assert.ErrorIs(t, err, commands.ErrWeakAccessCode, tc.code) {
			assert.ErrorContains(t, err, tc.rule, tc.code)
			if tc.code != "" {
				assert.NotContains(t, err.Error(), tc.code, "the code is never echoed")
			}
		}
	}
}

func TestArgon2PHCRoundTrip(t *testing.T) {
	codes := codeNew(t, clientTestConfig())
	h, err := codes.HashChosen(context.Background(), "2468")
	require.NoError(t, err)
	again, err := commands.ReencodeArgon2(h)
	require.NoError(t, err)
	assert.Equal(t, h, again)
}

func FuzzArgon2PHC(f *testing.F) {
	f.Add("$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA")
	f.Add("$argon2id$v=19$m=65536,t=3,p=2$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA")
	f.Add("$argon2id$v=19$m=1024,t=1,p=300$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA")
	f.Add("$argon2id$v=19$m=,t=1,p=1$$")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		out, err := commands.ReencodeArgon2(s)
		if err != nil {
			return
		}
		// What was accepted is a well-formed string that reads back the same.
		again, err := commands.ReencodeArgon2(out)
		require.NoError(t, err)
		assert.Equal(t, out, again)
	})
}
