package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	envconfig "github.com/caarlos0/env/v11"

	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/audit"
)

const auditUsage = "usage: kabinet audit verify [--stream ID] | kabinet audit checkpoint [--no-verify] | kabinet audit access CLIENT"

// auditCmd runs the audit tools: verify (the hash chains, the stream heads
// and the latest signed checkpoint), checkpoint (sign the current heads)
// and access (who read a client's personal data).
func auditCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(auditUsage)
	}
	switch args[0] {
	case "verify":
		return auditVerifyCmd(ctx, args[1:], stdout, stderr)
	case "checkpoint":
		return auditCheckpointCmd(ctx, args[1:], stdout, stderr)
	case "access":
		return auditAccessCmd(ctx, args[1:], stdout, stderr)
	}
	return errors.New(auditUsage)
}

func auditVerifyCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	flags.SetOutput(stderr)
	stream := flags.String("stream", "", "verify only this stream (the checkpoint's signature is checked whole)")
	if err := flags.Parse(args); err != nil {
		return err
	}
	keys, err := loadAuditKeys()
	if err != nil {
		return err
	}
	return withEnv(ctx, func(b *backend) error {
		start := time.Now()
		checked, err := auditVerify(ctx, b, keys, *stream, stdout, stderr)
		if err != nil {
			return err
		}
		if !checked {
			fmt.Fprintln(stdout, "no signed checkpoint yet: a consistent rewrite of chains and heads would go unnoticed; sign one with kabinet audit checkpoint")
		}
		fmt.Fprintf(stdout, "audit verified in %s\n", time.Since(start).Round(time.Millisecond))
		return nil
	})
}

// auditVerify checks the chains and heads, then the latest checkpoint, if
// there is one (checked says whether there was). A broken link or
// checkpoint is reported on stdout and returned as exit 1.
func auditVerify(ctx context.Context, b *backend, keys auditKeys, stream string, stdout, stderr io.Writer) (checked bool, err error) {
	if err := b.verifier().Verify(ctx, stream); err != nil {
		return false, reportBroken(stdout, err)
	}
	fmt.Fprintln(stdout, "intact: every hash chain and stream head verifies")

	cp, err := audit.Latest(ctx, b.db)
	if errors.Is(err, audit.ErrNoCheckpoint) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	pub, err := keys.verifyingKey(stderr)
	if errors.Is(err, errNoAuditKey) {
		return false, fmt.Errorf("audit checkpoint %d is signed by key %s, but no key is configured to check it: set KABINET_AUDIT_PUBLIC_KEY or KABINET_AUDIT_KEY, or KABINET_AUDIT_KEY_FILE to the key's file (%s does not exist)",
			cp.ID, cp.KeyFingerprint, keys.KeyFile)
	}
	if err != nil {
		return false, err
	}
	if err := audit.Check(ctx, b.db, pub, cp, stream); err != nil {
		return false, reportBroken(stdout, err)
	}
	fmt.Fprintf(stdout, "intact: checkpoint %d of %s (%d stream heads, log position %s) verifies with key %s and every head it signed is in its chain\n",
		cp.ID, cp.At.Format(time.RFC3339), cp.Streams, cp.Position, cp.KeyFingerprint)
	return true, nil
}

// reportBroken prints a broken link or checkpoint and makes it exit 1;
// other errors go back as they are.
func reportBroken(stdout io.Writer, err error) error {
	var (
		ce  *eventstore.ChainError
		cpe *audit.CheckpointError
	)
	switch {
	case errors.As(err, &ce):
		fmt.Fprintf(stdout, "BROKEN %s version %d: %s\n", ce.Stream, ce.Version, ce.Reason)
	case errors.As(err, &cpe):
		fmt.Fprintf(stdout, "BROKEN checkpoint %d: %s\n", cpe.ID, cpe.Reason)
	default:
		return err
	}
	return &exitError{code: 1, err: err}
}

func auditCheckpointCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("audit checkpoint", flag.ContinueOnError)
	flags.SetOutput(stderr)
	noVerify := flags.Bool("no-verify", false, "sign without verifying the log and the latest checkpoint first (after changing the key)")
	if err := flags.Parse(args); err != nil {
		return err
	}
	keys, err := loadAuditKeys()
	if err != nil {
		return err
	}
	key, err := keys.signingKey(stdout, stderr)
	if err != nil {
		return err
	}
	return withEnv(ctx, func(b *backend) error {
		if !*noVerify {
			// Signing the heads of a log that was rewritten since the last
			// checkpoint would vouch for the rewrite.
			if _, err := auditVerify(ctx, b, keys.with(key), "", stdout, stderr); err != nil {
				return err
			}
		}
		cp, err := audit.Sign(ctx, b.db, key, time.Now())
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "signed checkpoint %d: %d stream heads up to log position %s at %s, key %s\n",
			cp.ID, cp.Streams, cp.Position, cp.At.Format(time.RFC3339), cp.KeyFingerprint)
		fmt.Fprintf(stdout, "note its number outside the database: a verify that reports an older checkpoint means newer ones were deleted\n")
		return nil
	})
}

// errNoAuditKey means neither a key nor a public key is configured.
var errNoAuditKey = errors.New("no audit key configured")

// auditKeys is where the checkpoint key comes from. The signing key is
// kept outside the database, so that access to the database alone cannot
// sign a rewritten log.
type auditKeys struct {
	// Key is the private key itself (hex or base64 seed, or PEM).
	Key string `env:"KABINET_AUDIT_KEY"`
	// KeyFile holds the private key when Key is empty; default
	// DataDir/audit.key, created by the first checkpoint.
	KeyFile string `env:"KABINET_AUDIT_KEY_FILE"`
	// PublicKey lets verify run where the private key is not (hex,
	// base64 or PEM).
	PublicKey string `env:"KABINET_AUDIT_PUBLIC_KEY"`

	key ed25519.PrivateKey // already resolved, if set
}

func loadAuditKeys() (auditKeys, error) {
	cfg, err := loadConfig()
	if err != nil {
		return auditKeys{}, err
	}
	var k auditKeys
	if err := envconfig.Parse(&k); err != nil {
		return auditKeys{}, fmt.Errorf("configuration: %w", err)
	}
	if k.KeyFile == "" {
		k.KeyFile = filepath.Join(cfg.DataDir, "audit.key")
	}
	return k, nil
}

// with is k with the private key already resolved.
func (k auditKeys) with(key ed25519.PrivateKey) auditKeys {
	k.key = key
	return k
}

// signingKey returns the private key: KABINET_AUDIT_KEY, or the key file,
// which is created with a new key if it does not exist.
func (k auditKeys) signingKey(stdout, stderr io.Writer) (ed25519.PrivateKey, error) {
	key, err := k.privateKey(stderr)
	if errors.Is(err, errNoAuditKey) {
		if key, err = audit.CreateKeyFile(k.KeyFile); err != nil {
			return nil, err
		}
		pub := key.Public().(ed25519.PublicKey)
		fmt.Fprintf(stdout, "created the audit signing key %s (key %s, readable by its owner only)\n", k.KeyFile, audit.Fingerprint(pub))
		fmt.Fprintln(stdout, "keep it apart from the database and its backups: whoever holds both can sign a rewritten log")
		fmt.Fprintf(stdout, "verify needs only the public key: KABINET_AUDIT_PUBLIC_KEY=%s\n", audit.PublicKeyText(pub))
	}
	if err != nil {
		return nil, err
	}
	if k.PublicKey != "" {
		pub, err := audit.ParsePublicKey(k.PublicKey)
		if err != nil {
			return nil, fmt.Errorf("KABINET_AUDIT_PUBLIC_KEY: %w", err)
		}
		if !pub.Equal(key.Public()) {
			return nil, fmt.Errorf("KABINET_AUDIT_PUBLIC_KEY (key %s) does not belong to the signing key (key %s): verify would refuse the checkpoint",
				audit.Fingerprint(pub), audit.Fingerprint(key.Public().(ed25519.PublicKey)))
		}
	}
	return key, nil
}

// verifyingKey returns the public key that checks checkpoints:
// KABINET_AUDIT_PUBLIC_KEY, else the one of the private key. It never
// creates a key file.
func (k auditKeys) verifyingKey(stderr io.Writer) (ed25519.PublicKey, error) {
	if k.PublicKey != "" {
		pub, err := audit.ParsePublicKey(k.PublicKey)
		if err != nil {
			return nil, fmt.Errorf("KABINET_AUDIT_PUBLIC_KEY: %w", err)
		}
		return pub, nil
	}
	key, err := k.privateKey(stderr)
	if err != nil {
		return nil, err
	}
	return key.Public().(ed25519.PublicKey), nil
}

// privateKey reads KABINET_AUDIT_KEY or the key file; errNoAuditKey when
// neither is there.
func (k auditKeys) privateKey(stderr io.Writer) (ed25519.PrivateKey, error) {
	if k.key != nil {
		return k.key, nil
	}
	if k.Key != "" {
		key, err := audit.ParsePrivateKey(k.Key)
		if err != nil {
			return nil, fmt.Errorf("KABINET_AUDIT_KEY: %w", err)
		}
		return key, nil
	}
	info, err := os.Stat(k.KeyFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errNoAuditKey
	}
	if err != nil {
		return nil, fmt.Errorf("KABINET_AUDIT_KEY_FILE: %w", err)
	}
	if info.Mode().Perm()&0o077 != 0 {
		fmt.Fprintf(stderr, "warning: the audit key file %s can be read by others (mode %s); chmod 600 it\n", k.KeyFile, info.Mode().Perm())
	}
	return audit.ReadKeyFile(k.KeyFile)
}
