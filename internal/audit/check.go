package audit

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"

	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/sqldb"
)

// signedHeadsSQL reads a checkpoint's heads in byte order of stream, each
// with the hash of the event now stored at that version (NULL if none).
const signedHeadsSQL = `SELECT h.stream, h.version, h.hash, e.hash
FROM audit_checkpoint_heads h LEFT JOIN events e ON e.stream = h.stream AND e.version = h.version
WHERE h.checkpoint_id = $1 ORDER BY h.stream`

// Check verifies cp with pub and then that every head it signed is still
// in the log: the event at that stream and version has exactly the signed
// hash. With stream set, only that stream's head is compared; the
// signature is always checked over all of them.
//
// It returns nil, a *CheckpointError when the checkpoint itself does not
// verify (another key, a changed row, changed or missing signed heads), or
// an *eventstore.ChainError naming the first signed head, in byte order of
// stream, that the log no longer holds. Run it after the store's Verify:
// it trusts each chain from its signed head backwards only because Verify
// has recomputed it.
func Check(ctx context.Context, db sqldb.Querier, pub ed25519.PublicKey, cp Checkpoint, stream string) error {
	invalid := func(format string, args ...any) error {
		return &CheckpointError{ID: cp.ID, Reason: fmt.Sprintf(format, args...)}
	}
	if fp := Fingerprint(pub); fp != cp.KeyFingerprint {
		return invalid("it names signing key %s but the configured key is %s", cp.KeyFingerprint, fp)
	}
	if !ed25519.Verify(pub, cp.message(), cp.Signature) {
		return invalid("the signature does not match the checkpoint's time, position, count and heads digest: the row was changed")
	}

	rows, err := db.Query(ctx, signedHeadsSQL+byteOrder(db), cp.ID)
	if err != nil {
		return fmt.Errorf("read the heads of audit checkpoint %d: %w", cp.ID, err)
	}
	var (
		d      = newHeadsDigest()
		h      eventstore.Head
		stored []byte
		broken error
	)
	err = sqldb.ForEachRow(rows, []any{&h.Stream, &h.Version, &h.Hash, &stored}, func() error {
		if err := d.add(h); err != nil {
			return err
		}
		if broken == nil && (stream == "" || stream == h.Stream) {
			broken = compareHead(cp.ID, h, stored)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read the heads of audit checkpoint %d: %w", cp.ID, err)
	}

	// The heads are only evidence once they are known to be the signed ones.
	if d.count() != cp.Streams {
		return invalid("it signed %d stream heads but %d are stored with it: signed heads were deleted or added", cp.Streams, d.count())
	}
	if !bytes.Equal(d.sum(), cp.HeadsDigest) {
		return invalid("the stored copy of its signed heads does not match the signed digest: a signed head was changed")
	}
	return broken
}

// compareHead checks one signed head against the hash stored at its
// version (nil when there is no event there).
func compareHead(id int64, h eventstore.Head, stored []byte) error {
	switch {
	case stored == nil:
		return &eventstore.ChainError{Stream: h.Stream, Version: h.Version,
			Reason: fmt.Sprintf("audit checkpoint %d signed this version, but the stream has no event at it", id)}
	case !bytes.Equal(stored, h.Hash):
		return &eventstore.ChainError{Stream: h.Stream, Version: h.Version,
			Reason: fmt.Sprintf("audit checkpoint %d signed hash %x… for this version, the stored event has %x…: it or an event before it was rewritten",
				id, h.Hash[:min(8, len(h.Hash))], stored[:min(8, len(stored))])}
	}
	return nil
}
