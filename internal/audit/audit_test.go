package audit_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/audit"
	"github.com/kabinet/kabinet/internal/audit/audittest"
	"github.com/kabinet/kabinet/internal/dbtest"
)

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func events(n int) []eventstore.Event {
	out := make([]eventstore.Event, n)
	for i := range out {
		out[i] = eventstore.Event{
			ID: uuid.New(), Type: "test.happened", SchemaVersion: 1,
			Data:       json.RawMessage(fmt.Sprintf(`{"n":%d,"text":"Қазақстан"}`, i+1)),
			Metadata:   eventstore.Metadata{Actor: "operator:1"},
			OccurredAt: time.Date(2026, 3, 1, 10, 0, 0, 123456000, time.UTC),
		}
	}
	return out
}

func appendTo(t *testing.T, s eventstore.Store, stream string, n int) eventstore.AppendResult {
	t.Helper()
	res, err := s.Append(ctxT(t), stream, eventstore.Any, events(n)...)
	require.NoError(t, err)
	return res
}

// verify is what kabinet audit verify does: the store's chains and heads,
// then the latest checkpoint.
func verify(ctx context.Context, b dbtest.Backend, pub ed25519.PublicKey) error {
	if err := b.Store.Verify(ctx, ""); err != nil {
		return err
	}
	cp, err := audit.Latest(ctx, b.DB)
	if err != nil {
		return err
	}
	return audit.Check(ctx, b.DB, pub, cp, "")
}

func newKey(t *testing.T) ed25519.PrivateKey {
	_, key, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	return key
}

func public(key ed25519.PrivateKey) ed25519.PublicKey { return key.Public().(ed25519.PublicKey) }

func TestSignAndCheckAnIntactLog(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, b dbtest.Backend) {
		ctx, key := ctxT(t), newKey(t)
		_, err := audit.Latest(ctx, b.DB)
		require.ErrorIs(t, err, audit.ErrNoCheckpoint)

		// Names whose byte order differs from a locale's order: the
		// digest must not depend on the database's collation.
		streams := []string{"policy-B", "policy-a", "policy-Z", "policy-a.b", "policy-a_b", "policy-ab", "client-1"}
		var last eventstore.AppendResult
		for i, s := range streams {
			last = appendTo(t, b.Store, s, i+1)
		}
		now := time.Date(2026, 3, 2, 9, 30, 0, 123456789, time.UTC)
		cp, err := audit.Sign(ctx, b.DB, key, now)
		require.NoError(t, err)
		assert.Positive(t, cp.ID)
		assert.Equal(t, int64(len(streams)), cp.Streams)
		assert.Equal(t, last.Position, cp.Position, "the newest event the heads cover")
		assert.Equal(t, now.Truncate(time.Microsecond), cp.At)
		assert.Equal(t, audit.Fingerprint(public(key)), cp.KeyFingerprint)

		got, err := audit.Latest(ctx, b.DB)
		require.NoError(t, err)
		assert.Equal(t, cp, got, "the stored checkpoint reads back as signed")
		require.NoError(t, verify(ctx, b, public(key)))
		require.NoError(t, audit.Check(ctx, b.DB, public(key), cp, "policy-a_b"))

		// Streams grow and new ones appear after a checkpoint.
		appendTo(t, b.Store, "policy-a", 3)
		appendTo(t, b.Store, "policy-new", 1)
		require.NoError(t, verify(ctx, b, public(key)))

		next, err := audit.Sign(ctx, b.DB, key, now.Add(time.Hour))
		require.NoError(t, err)
		assert.Greater(t, next.ID, cp.ID)
		assert.Equal(t, int64(len(streams)+1), next.Streams)
		require.NoError(t, verify(ctx, b, public(key)))
	})
}

func TestSignAnEmptyLog(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, b dbtest.Backend) {
		ctx, key := ctxT(t), newKey(t)
		cp, err := audit.Sign(ctx, b.DB, key, time.Now())
		require.NoError(t, err)
		assert.Zero(t, cp.Streams)
		assert.True(t, cp.Position.IsZero())
		require.NoError(t, verify(ctx, b, public(key)))
	})
}

// TestTamperedLogFailsVerification changes the database the way someone
// with access to it could. Every change must make verification fail naming
// the stream and version; the first five are caught by the chains, the
// consistent rewrites only by the signed checkpoint.
func TestTamperedLogFailsVerification(t *testing.T) {
	const victim, bystander = "policy-victim", "policy-bystander"
	cases := []struct {
		name       string
		tamper     func(context.Context, dbtest.Backend) error
		consistent bool  // the chains and heads still verify afterwards
		grow       int   // events appended to the victim after the checkpoint, before the tampering
		want       int64 // the version verification names
	}{
		{name: "payload updated", want: 3, tamper: func(ctx context.Context, b dbtest.Backend) error {
			return audittest.SetData(ctx, b.DB, victim, 3, `{"n":0}`)
		}},
		{name: "middle event deleted", want: 2, tamper: func(ctx context.Context, b dbtest.Backend) error {
			return audittest.Delete(ctx, b.DB, victim, 2)
		}},
		{name: "last event deleted", want: 5, tamper: func(ctx context.Context, b dbtest.Backend) error {
			return audittest.Delete(ctx, b.DB, victim, 5)
		}},
		{name: "payloads swapped", want: 2, tamper: func(ctx context.Context, b dbtest.Backend) error {
			return audittest.SwapData(ctx, b.DB, victim, 2, 4)
		}},
		{name: "versions swapped", want: 2, tamper: func(ctx context.Context, b dbtest.Backend) error {
			return audittest.SwapVersions(ctx, b.DB, victim, 2, 4)
		}},
		{name: "payload rewritten with chain and head", consistent: true, want: 5, tamper: func(ctx context.Context, b dbtest.Backend) error {
			return audittest.Rewrite(ctx, b.DB, victim, 3, `{"n":0}`)
		}},
		{name: "rewritten after the stream grew", consistent: true, grow: 2, want: 5, tamper: func(ctx context.Context, b dbtest.Backend) error {
			return audittest.Rewrite(ctx, b.DB, victim, 1, `{"n":0}`)
		}},
		{name: "last event deleted with its head", consistent: true, want: 5, tamper: func(ctx context.Context, b dbtest.Backend) error {
			return audittest.Truncate(ctx, b.DB, victim)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, b dbtest.Backend) {
				ctx, key := ctxT(t), newKey(t)
				appendTo(t, b.Store, bystander, 2)
				appendTo(t, b.Store, victim, 5)
				_, err := audit.Sign(ctx, b.DB, key, time.Now())
				require.NoError(t, err)
				if tc.grow > 0 {
					appendTo(t, b.Store, victim, tc.grow)
				}
				require.NoError(t, verify(ctx, b, public(key)), "intact before the tampering")

				require.NoError(t, tc.tamper(ctx, b))
				if tc.consistent {
					require.NoError(t, b.Store.Verify(ctx, ""), "a consistent rewrite that only the signature can catch")
				}
				err = verify(ctx, b, public(key))
				var ce *eventstore.ChainError
				require.ErrorAs(t, err, &ce)
				assert.Equal(t, victim, ce.Stream, "%v", err)
				assert.Equal(t, tc.want, ce.Version, "%v", err)
				assert.ErrorIs(t, err, eventstore.ErrChainBroken)
			})
		})
	}
}

// TestTamperedCheckpointFailsVerification changes the checkpoint instead
// of the log: that must not pass either.
func TestTamperedCheckpointFailsVerification(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, b dbtest.Backend) {
		ctx, key, intruder := ctxT(t), newKey(t), newKey(t)
		appendTo(t, b.Store, "policy-1", 3)
		appendTo(t, b.Store, "policy-2", 2)
		sign := func(k ed25519.PrivateKey) audit.Checkpoint {
			cp, err := audit.Sign(ctx, b.DB, k, time.Now())
			require.NoError(t, err)
			return cp
		}
		exec := func(sql string, args ...any) {
			res, err := b.DB.Exec(ctx, sql, args...)
			require.NoError(t, err)
			require.Equal(t, int64(1), res.RowsAffected(), sql)
		}
		invalid := func(wantReason string) {
			t.Helper()
			err := verify(ctx, b, public(key))
			var cpe *audit.CheckpointError
			require.ErrorAs(t, err, &cpe)
			assert.ErrorIs(t, err, audit.ErrCheckpointInvalid)
			assert.Contains(t, cpe.Reason, wantReason)
		}

		cp := sign(key)
		exec(`UPDATE audit_checkpoints SET created_at = $2 WHERE id = $1`, cp.ID, cp.At.Add(time.Hour))
		invalid("the signature does not match")

		cp = sign(key)
		exec(`UPDATE audit_checkpoint_heads SET hash = $3 WHERE checkpoint_id = $1 AND stream = $2`, cp.ID, "policy-2", make([]byte, 32))
		invalid("a signed head was changed")

		cp = sign(key)
		exec(`DELETE FROM audit_checkpoint_heads WHERE checkpoint_id = $1 AND stream = $2`, cp.ID, "policy-1")
		invalid("signed heads were deleted")

		// The intruder signs the rewritten log with a key of their own…
		require.NoError(t, audittest.Rewrite(ctx, b.DB, "policy-1", 2, `{"n":0}`))
		cp = sign(intruder)
		invalid("the configured key is " + audit.Fingerprint(public(key)))
		// …and claims it is the operator's.
		exec(`UPDATE audit_checkpoints SET key_fingerprint = $2 WHERE id = $1`, cp.ID, audit.Fingerprint(public(key)))
		invalid("the signature does not match")
	})
}

// TestSignTakesOneSnapshot signs while appends go on: every checkpoint's
// stored heads must be the ones it signed, and all of them must verify.
func TestSignTakesOneSnapshot(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, b dbtest.Backend) {
		ctx, key := ctxT(t), newKey(t)
		stop := make(chan struct{})
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			failure error
		)
		for w := range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					stream := fmt.Sprintf("policy-%d-%d", w, i%5)
					if _, err := b.Store.Append(ctx, stream, eventstore.Any, events(2)...); err != nil {
						mu.Lock()
						failure = errors.Join(failure, err)
						mu.Unlock()
						return
					}
				}
			}()
		}
		var signed []audit.Checkpoint
		for range 5 {
			cp, err := audit.Sign(ctx, b.DB, key, time.Now())
			require.NoError(t, err)
			signed = append(signed, cp)
		}
		close(stop)
		wg.Wait()
		require.NoError(t, failure)
		require.NoError(t, b.Store.Verify(ctx, ""))
		for _, cp := range signed {
			assert.NoError(t, audit.Check(ctx, b.DB, public(key), cp, ""), "checkpoint %d", cp.ID)
		}
	})
}
