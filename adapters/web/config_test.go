package web

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConfigValidateNamesEveryProblem(t *testing.T) {
	err := Config{Key: []byte("short"), PurchaseURL: "/buy"}.Validate()
	require.Error(t, err)
	for _, want := range []string{"APIKey is required", "Key has 5 bytes", `PurchaseURL "/buy"`} {
		assert.Contains(t, err.Error(), want)
	}
	assert.NoError(t, Config{APIKey: "kb_x", Key: bytes.Repeat([]byte{1}, 32), PurchaseURL: "https://example.kz/buy"}.Validate())
}

func TestNewRefusesWhatItCannotServe(t *testing.T) {
	_, err := New(nil, Config{APIKey: "kb_x", Key: testKey})
	assert.ErrorContains(t, err, "a cabinet service is required")
}

func TestPagesParse(t *testing.T) {
	pages, err := parsePages()
	require.NoError(t, err)
	for _, name := range []string{"login", "reset", "register", "register_phone", "register_code", "access_code",
		"policies", "policy", "pay", "renewal", "claims", "claim", "bonus", "notifications", "profile", "settings", "message"} {
		assert.Contains(t, pages, name)
	}
	assert.NotContains(t, pages, "_layout")
}
