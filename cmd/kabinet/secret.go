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
)

// serverSecret returns the server secret from KABINET_SECRET (hex), or from
// the secret file, which is created with a new random secret on first start.
// Client and policy IDs derive from it, so it must never change for a data
// set: the file lives beside the data and is backed up with it.
func serverSecret(cfg config) ([]byte, error) {
	if cfg.Secret != "" {
		b, err := hex.DecodeString(strings.TrimSpace(cfg.Secret))
		if err != nil || len(b) < 32 {
			return nil, errors.New("KABINET_SECRET must be at least 64 hex digits (32 bytes)")
		}
		return b, nil
	}
	raw, err := os.ReadFile(cfg.SecretFile)
	if errors.Is(err, fs.ErrNotExist) {
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		if err := os.MkdirAll(filepath.Dir(cfg.SecretFile), 0o700); err != nil {
			return nil, fmt.Errorf("secret file: %w", err)
		}
		f, err := os.OpenFile(cfg.SecretFile, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("secret file: %w", err)
		}
		defer f.Close()
		if _, err := f.WriteString(hex.EncodeToString(b) + "\n"); err != nil {
			return nil, fmt.Errorf("secret file: %w", err)
		}
		return b, f.Sync()
	}
	if err != nil {
		return nil, fmt.Errorf("secret file: %w", err)
	}
	b, err := hex.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil || len(b) < 32 {
		return nil, fmt.Errorf("secret file %s must hold at least 64 hex digits", cfg.SecretFile)
	}
	return b, nil
}
