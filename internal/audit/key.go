package audit

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The key parsers never put the text they were given into an error: it
// is a secret, and errors end up in logs.

// ParsePrivateKey reads an Ed25519 private key: a PEM "PRIVATE KEY" block
// (PKCS #8, as `openssl genpkey -algorithm ed25519` writes it and
// [CreateKeyFile] does), or the 32-byte seed or the 64-byte private key in
// hex or base64.
func ParsePrivateKey(text string) (ed25519.PrivateKey, error) {
	text = strings.TrimSpace(text)
	if strings.HasPrefix(text, "-----BEGIN") {
		return parsePEMPrivateKey(text)
	}
	raw, ok := decodeBytes(text, ed25519.SeedSize, ed25519.PrivateKeySize)
	if !ok {
		return nil, errors.New("private key: want a PEM PRIVATE KEY, or a 32-byte seed or 64-byte Ed25519 private key in hex or base64")
	}
	if len(raw) == ed25519.SeedSize {
		return ed25519.NewKeyFromSeed(raw), nil
	}
	key := ed25519.NewKeyFromSeed(raw[:ed25519.SeedSize])
	if !bytes.Equal(key, raw) {
		return nil, errors.New("private key: the public half of the 64 bytes does not belong to the seed in the first 32")
	}
	return key, nil
}

func parsePEMPrivateKey(text string) (ed25519.PrivateKey, error) {
	block, _ := pem.Decode([]byte(text))
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, errors.New("private key: want a PEM block of type PRIVATE KEY (PKCS #8)")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, errors.New("private key: the PEM block is not a PKCS #8 private key")
	}
	key, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("private key: want Ed25519, the PEM block holds a %T", k)
	}
	return key, nil
}

// ParsePublicKey reads an Ed25519 public key: a PEM "PUBLIC KEY" block
// (PKIX), or its 32 bytes in hex or base64.
func ParsePublicKey(text string) (ed25519.PublicKey, error) {
	text = strings.TrimSpace(text)
	if strings.HasPrefix(text, "-----BEGIN") {
		block, _ := pem.Decode([]byte(text))
		if block == nil || block.Type != "PUBLIC KEY" {
			return nil, errors.New("public key: want a PEM block of type PUBLIC KEY")
		}
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("public key: %w", err)
		}
		pub, ok := k.(ed25519.PublicKey)
		if !ok {
			return nil, fmt.Errorf("public key: want Ed25519, the PEM block holds a %T", k)
		}
		return pub, nil
	}
	raw, ok := decodeBytes(text, ed25519.PublicKeySize)
	if !ok {
		return nil, errors.New("public key: want a PEM PUBLIC KEY or 32 bytes in hex or base64")
	}
	return ed25519.PublicKey(raw), nil
}

// decodeBytes reads hex or any of the usual base64 alphabets, and accepts
// the result only if it has one of the given lengths.
func decodeBytes(text string, sizes ...int) ([]byte, bool) {
	fits := func(b []byte) bool {
		for _, n := range sizes {
			if len(b) == n {
				return true
			}
		}
		return false
	}
	if b, err := hex.DecodeString(text); err == nil && fits(b) {
		return b, true
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(text); err == nil && fits(b) {
			return b, true
		}
	}
	return nil, false
}

// PublicKeyText is pub as ParsePublicKey reads it back: 64 hex digits.
func PublicKeyText(pub ed25519.PublicKey) string { return hex.EncodeToString(pub) }

// Fingerprint names a public key in checkpoints and messages: the first
// 8 bytes of its SHA-256, in hex.
func Fingerprint(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// ReadKeyFile reads the private key in the file at path.
func ReadKeyFile(path string) (ed25519.PrivateKey, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("audit key file: %w", err)
	}
	key, err := ParsePrivateKey(string(raw))
	if err != nil {
		return nil, fmt.Errorf("audit key file %s: %w", path, err)
	}
	return key, nil
}

// CreateKeyFile makes a new random key and writes it to path as a PEM
// PKCS #8 block, readable by its owner only. It refuses to overwrite a file
// that exists: replacing the key would leave every earlier checkpoint
// unverifiable.
func CreateKeyFile(path string) (ed25519.PrivateKey, error) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("audit key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("audit key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("audit key file: %w", err)
	}
	if err := writeNewFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})); err != nil {
		return nil, fmt.Errorf("audit key file: %w", err)
	}
	return key, nil
}

// writeNewFile writes b to a file that must not exist yet, mode 0600, and
// removes it again if the write does not complete, so that a retry can
// create it.
func writeNewFile(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
	}
	return err
}
