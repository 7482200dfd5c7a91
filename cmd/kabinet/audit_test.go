package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/audit/audittest"
	"github.com/kabinet/kabinet/internal/dbtest"
)

// auditBackend points the commands at a fresh database of each dialect,
// with two streams of events in it and no audit key anywhere yet.
func auditBackend(t *testing.T, fn func(t *testing.T, b dbtest.Backend, keyFile string)) {
	dbtest.Each(t, func(t *testing.T, b dbtest.Backend) {
		if b.Pool != nil {
			t.Setenv("KABINET_DATABASE_URL", b.Pool.Config().ConnString())
		} else {
			t.Setenv("KABINET_DATABASE_URL", "sqlite:"+b.Path)
		}
		dir := t.TempDir()
		t.Setenv("KABINET_DATA_DIR", dir)
		for _, name := range []string{"KABINET_AUDIT_KEY", "KABINET_AUDIT_KEY_FILE", "KABINET_AUDIT_PUBLIC_KEY"} {
			t.Setenv(name, "")
		}
		for stream, n := range map[string]int{"policy-1": 5, "client-1": 2} {
			evs := make([]eventstore.Event, n)
			for i := range evs {
				evs[i] = eventstore.Event{ID: uuid.New(), Type: "test.happened", SchemaVersion: 1,
					Data: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i+1)), OccurredAt: time.Now()}
			}
			_, err := b.Store.Append(context.Background(), stream, eventstore.NoStream, evs...)
			require.NoError(t, err)
		}
		fn(t, b, filepath.Join(dir, "audit.key"))
	})
}

func TestAuditCheckpointAndVerify(t *testing.T) {
	auditBackend(t, func(t *testing.T, b dbtest.Backend, keyFile string) {
		out, err := kabinet(t, "audit", "verify")
		require.NoError(t, err, out)
		assert.Contains(t, out, "no signed checkpoint yet")
		assert.NoFileExists(t, keyFile, "verify never makes a key")

		out, err = kabinet(t, "audit", "checkpoint")
		require.NoError(t, err, out)
		assert.Contains(t, out, "created the audit signing key "+keyFile)
		assert.Contains(t, out, "keep it apart from the database and its backups")
		assert.Contains(t, out, "signed checkpoint 1: 2 stream heads")
		info, err := os.Stat(keyFile)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
		public := regexp.MustCompile(`KABINET_AUDIT_PUBLIC_KEY=([0-9a-f]{64})`).FindStringSubmatch(out)
		require.Len(t, public, 2, out)

		out, err = kabinet(t, "audit", "verify")
		require.NoError(t, err, out)
		assert.Contains(t, out, "intact: checkpoint 1 of ")

		out, err = kabinet(t, "audit", "checkpoint")
		require.NoError(t, err, out)
		assert.NotContains(t, out, "created", "the key file is made once")
		assert.Contains(t, out, "signed checkpoint 2: 2 stream heads")

		// Verify where only the public key is.
		t.Setenv("KABINET_AUDIT_KEY_FILE", filepath.Join(t.TempDir(), "absent.key"))
		t.Setenv("KABINET_AUDIT_PUBLIC_KEY", public[1])
		out, err = kabinet(t, "audit", "verify", "--stream", "policy-1")
		require.NoError(t, err, out)
		assert.Contains(t, out, "intact: checkpoint 2 of ")

		// A checkpoint and no key to check it with.
		t.Setenv("KABINET_AUDIT_PUBLIC_KEY", "")
		out, err = kabinet(t, "audit", "verify")
		assert.Equal(t, 2, exitCode(err), out)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "no key is configured to check it")

		// Another key.
		t.Setenv("KABINET_AUDIT_KEY", "0101010101010101010101010101010101010101010101010101010101010101")
		out, err = kabinet(t, "audit", "verify")
		assert.Equal(t, 1, exitCode(err), out)
		assert.Contains(t, out, "BROKEN checkpoint 2: it names signing key")
	})
}

func TestAuditVerifyCatchesARewriteThatOnlyTheSignatureSees(t *testing.T) {
	auditBackend(t, func(t *testing.T, b dbtest.Backend, _ string) {
		out, err := kabinet(t, "audit", "checkpoint")
		require.NoError(t, err, out)

		require.NoError(t, audittest.Rewrite(context.Background(), b.DB, "policy-1", 2, `{"n":0}`))
		require.NoError(t, b.Store.(verifier).Verify(context.Background(), ""), "the chains and heads were recomputed, so the store alone sees nothing")

		out, err = kabinet(t, "audit", "verify")
		assert.Equal(t, 1, exitCode(err), out)
		assert.Contains(t, out, "BROKEN policy-1 version 5: audit checkpoint 1 signed hash")

		out, err = kabinet(t, "audit", "checkpoint")
		assert.Equal(t, 1, exitCode(err), "a new checkpoint must not vouch for the rewrite: %s", out)
		out, err = kabinet(t, "audit", "verify")
		assert.Equal(t, 1, exitCode(err), out)
		assert.Contains(t, out, "BROKEN policy-1 version 5", "still checked against checkpoint 1")
	})
}

func TestAuditVerifyCatchesTamperedRows(t *testing.T) {
	for name, tc := range map[string]struct {
		tamper func(dbtest.Backend) error
		want   string
	}{
		"payload updated": {func(b dbtest.Backend) error {
			return audittest.SetData(context.Background(), b.DB, "policy-1", 3, `{"n":0}`)
		}, "BROKEN policy-1 version 3"},
		"middle event deleted": {func(b dbtest.Backend) error {
			return audittest.Delete(context.Background(), b.DB, "policy-1", 2)
		}, "BROKEN policy-1 version 2"},
		"last event deleted": {func(b dbtest.Backend) error {
			return audittest.Delete(context.Background(), b.DB, "policy-1", 5)
		}, "BROKEN policy-1 version 5"},
		"rows swapped": {func(b dbtest.Backend) error {
			return audittest.SwapVersions(context.Background(), b.DB, "client-1", 1, 2)
		}, "BROKEN client-1 version 1"},
		"last event deleted with its head": {func(b dbtest.Backend) error {
			return audittest.Truncate(context.Background(), b.DB, "policy-1")
		}, "BROKEN policy-1 version 5"},
	} {
		t.Run(name, func(t *testing.T) {
			auditBackend(t, func(t *testing.T, b dbtest.Backend, _ string) {
				out, err := kabinet(t, "audit", "checkpoint")
				require.NoError(t, err, out)
				require.NoError(t, tc.tamper(b))
				out, err = kabinet(t, "audit", "verify")
				assert.Equal(t, 1, exitCode(err), out)
				assert.Contains(t, out, tc.want)
			})
		})
	}
}

func TestAuditUsage(t *testing.T) {
	for _, args := range [][]string{{"audit"}, {"audit", "nonsense"}, {"audit", "verify", "--nonsense"}} {
		_, err := kabinet(t, args...)
		assert.Error(t, err, "%v", args)
	}
}
