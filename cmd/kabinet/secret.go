package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/kabinet/kabinet/internal/pii"
)

// serverSecret returns the server secret from KABINET_SECRET (hex), or from
// the secret file, which is created with a new random secret on first start.
// Client and policy IDs derive from it, so it must never change for a data
// set: the file lives beside the data and is backed up with it.
func serverSecret(cfg config) ([]byte, error) {
	return keyMaterial("KABINET_SECRET", cfg.Secret, cfg.SecretFile, func(n int) bool { return n >= 32 }, "at least 64 hex digits (32 bytes)")
}

// masterKey returns the master key from KABINET_MASTER_KEY (hex), or from
// the master key file, created with a new random key on first start.
func masterKey(cfg config) ([]byte, error) {
	return keyMaterial("KABINET_MASTER_KEY", cfg.MasterKey, cfg.MasterKeyFile, func(n int) bool { return n == pii.KeySize }, "exactly 64 hex digits (32 bytes)")
}

// keyMaterial reads a key from the hex value of the environment variable
// env, or else from file, which is made with random bytes when missing.
func keyMaterial(env, value, file string, sizeOK func(int) bool, want string) ([]byte, error) {
	if value != "" {
		b, err := hex.DecodeString(strings.TrimSpace(value))
		if err != nil || !sizeOK(len(b)) {
			return nil, fmt.Errorf("%s must be %s", env, want)
		}
		return b, nil
	}
	raw, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
			return nil, fmt.Errorf("key file: %w", err)
		}
		f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			// Another process made it first: use theirs.
			return keyMaterial(env, value, file, sizeOK, want)
		}
		if err != nil {
			return nil, fmt.Errorf("key file: %w", err)
		}
		defer f.Close()
		if _, err := f.WriteString(hex.EncodeToString(b) + "\n"); err != nil {
			return nil, fmt.Errorf("key file: %w", err)
		}
		return b, f.Sync()
	}
	if err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	b, err := hex.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil || !sizeOK(len(b)) {
		return nil, fmt.Errorf("key file %s must hold %s", file, want)
	}
	return b, nil
}
