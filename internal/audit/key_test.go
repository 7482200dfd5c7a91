package audit_test

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/internal/audit"
)

func TestParseKeysInEveryForm(t *testing.T) {
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = byte(i * 7)
	}
	key := ed25519.NewKeyFromSeed(seed)
	pub := key.Public().(ed25519.PublicKey)
	der, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	pubDER, err := x509.MarshalPKIXPublicKey(pub)
	require.NoError(t, err)

	for name, text := range map[string]string{
		"hex seed":                hex.EncodeToString(seed),
		"hex seed with a newline": hex.EncodeToString(seed) + "\n",
		"base64 seed":             base64.StdEncoding.EncodeToString(seed),
		"raw url base64 seed":     base64.RawURLEncoding.EncodeToString(seed),
		"hex private key":         hex.EncodeToString(key),
		"base64 private key":      base64.StdEncoding.EncodeToString(key),
		"PEM PKCS #8 private key": string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
	} {
		got, err := audit.ParsePrivateKey(text)
		if assert.NoError(t, err, name) {
			assert.Equal(t, key, got, name)
		}
	}
	for name, text := range map[string]string{
		"hex":           hex.EncodeToString(pub),
		"base64":        base64.StdEncoding.EncodeToString(pub),
		"PEM PKIX":      string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})),
		"PublicKeyText": audit.PublicKeyText(pub),
	} {
		got, err := audit.ParsePublicKey(text)
		if assert.NoError(t, err, name) {
			assert.Equal(t, pub, got, name)
		}
	}
}

func TestParseKeyRefusesWithoutEchoingTheKey(t *testing.T) {
	seed := bytesOf(0xa5)
	stranger := ed25519.NewKeyFromSeed(bytesOf(0x5a)).Public().(ed25519.PublicKey)
	for name, text := range map[string]string{
		"31 bytes":                  hex.EncodeToString(seed[:31]),
		"neither hex nor base64":    hex.EncodeToString(seed) + "!?",
		"another seed's public key": hex.EncodeToString(append(append([]byte{}, seed...), stranger...)),
		"PEM of the wrong type":     string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: seed})),
	} {
		_, err := audit.ParsePrivateKey(text)
		if assert.Error(t, err, name) {
			assert.NotContains(t, err.Error(), "a5a5a5", "%s: the error must not quote the key", name)
		}
	}
	_, err := audit.ParsePublicKey(hex.EncodeToString(seed[:31]))
	assert.Error(t, err, "31 bytes are no Ed25519 public key")
}

func bytesOf(b byte) []byte {
	out := make([]byte, 32)
	for i := range out {
		out[i] = b
	}
	return out
}

func TestKeyFileIsCreatedOnceForItsOwnerOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "audit.key")
	key, err := audit.CreateKeyFile(path)
	require.NoError(t, err)
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())

	read, err := audit.ReadKeyFile(path)
	require.NoError(t, err)
	assert.Equal(t, key, read)

	_, err = audit.CreateKeyFile(path)
	assert.ErrorIs(t, err, os.ErrExist, "replacing the key would orphan every checkpoint it signed")
	read, err = audit.ReadKeyFile(path)
	require.NoError(t, err)
	assert.Equal(t, key, read, "the refused create left the file alone")
}

func TestFingerprintTellsKeysApart(t *testing.T) {
	a := ed25519.NewKeyFromSeed(bytesOf(1)).Public().(ed25519.PublicKey)
	b := ed25519.NewKeyFromSeed(bytesOf(2)).Public().(ed25519.PublicKey)
	assert.Len(t, audit.Fingerprint(a), 16)
	assert.Equal(t, audit.Fingerprint(a), audit.Fingerprint(append(ed25519.PublicKey{}, a...)))
	assert.NotEqual(t, audit.Fingerprint(a), audit.Fingerprint(b))
}
