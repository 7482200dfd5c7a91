package audit

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"time"

	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/sqldb"
)

// Checkpoint is a signed record of every stream head at one moment.
type Checkpoint struct {
	ID             int64
	At             time.Time           // when it was signed, to the microsecond; signed
	Streams        int64               // how many heads were signed
	Position       eventstore.Position // of the newest event the heads cover; signed
	HeadsDigest    []byte              // SHA-256 over the signed heads (see the package doc)
	Signature      []byte              // Ed25519 over the message in the package doc
	KeyFingerprint string              // Fingerprint of the public key that verifies it
}

// message is what cp's signature covers.
func (cp Checkpoint) message() []byte {
	return signedMessage(cp.At, cp.Position, cp.Streams, cp.HeadsDigest)
}

// Sign reads every stream head and the position of the newest event in one
// snapshot, signs them with key and stores the checkpoint with a copy of
// the heads. now is the time it records. Appends may go on meanwhile on
// PostgreSQL; on SQLite they wait for it, like for any write.
func Sign(ctx context.Context, db sqldb.DB, key ed25519.PrivateKey, now time.Time) (Checkpoint, error) {
	cp := Checkpoint{
		At:             time.UnixMicro(now.UnixMicro()).UTC(),
		KeyFingerprint: Fingerprint(key.Public().(ed25519.PublicKey)),
	}
	err := db.InTx(ctx, func(tx sqldb.Tx) error {
		if tx.Dialect() == sqldb.Postgres {
			// The heads, the log's end and the copy of the heads must come
			// from one snapshot while appends go on. SQLite's write
			// transaction has the file to itself already.
			if _, err := tx.Exec(ctx, `SET TRANSACTION ISOLATION LEVEL REPEATABLE READ`); err != nil {
				return err
			}
		}
		d, err := digestCurrentHeads(ctx, tx)
		if err != nil {
			return err
		}
		if cp.Position, err = lastPosition(ctx, tx); err != nil {
			return err
		}
		cp.Streams, cp.HeadsDigest = d.count(), d.sum()
		cp.Signature = ed25519.Sign(key, cp.message())
		if err := tx.QueryRow(ctx, `INSERT INTO audit_checkpoints
			(created_at, streams, position_tx, position_seq, heads_digest, signature, key_fingerprint)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			cp.At, cp.Streams, int64(cp.Position.Tx), int64(cp.Position.Seq), cp.HeadsDigest, cp.Signature, cp.KeyFingerprint,
		).Scan(&cp.ID); err != nil {
			return fmt.Errorf("store checkpoint: %w", err)
		}
		res, err := tx.Exec(ctx, `INSERT INTO audit_checkpoint_heads (checkpoint_id, stream, version, hash)
			SELECT $1, stream, version, head_hash FROM event_streams WHERE version > 0`, cp.ID)
		if err != nil {
			return fmt.Errorf("store checkpoint heads: %w", err)
		}
		if n := res.RowsAffected(); n != cp.Streams {
			return fmt.Errorf("store checkpoint heads: copied %d heads but signed %d", n, cp.Streams)
		}
		return nil
	})
	if err != nil {
		return Checkpoint{}, fmt.Errorf("sign audit checkpoint: %w", err)
	}
	return cp, nil
}

// digestCurrentHeads hashes every stream head that has events.
func digestCurrentHeads(ctx context.Context, q sqldb.Querier) (*headsDigest, error) {
	rows, err := q.Query(ctx, `SELECT stream, version, head_hash FROM event_streams WHERE version > 0 ORDER BY stream`+byteOrder(q))
	if err != nil {
		return nil, fmt.Errorf("read stream heads: %w", err)
	}
	d := newHeadsDigest()
	var h eventstore.Head
	if err := sqldb.ForEachRow(rows, []any{&h.Stream, &h.Version, &h.Hash}, func() error { return d.add(h) }); err != nil {
		return nil, fmt.Errorf("read stream heads: %w", err)
	}
	return d, nil
}

// byteOrder is the collation that sorts text as Go compares strings, to
// follow an ORDER BY: PostgreSQL's default collation follows the locale,
// SQLite's BINARY compares bytes already.
func byteOrder(q sqldb.Querier) string {
	return q.Dialect().Pick(` COLLATE "C"`, ``)
}

// lastPosition is the position of the newest event the transaction sees
// (zero for an empty log).
func lastPosition(ctx context.Context, q sqldb.Querier) (eventstore.Position, error) {
	var tx, seq int64
	err := q.QueryRow(ctx, q.Dialect().Pick(
		`SELECT tx::text::bigint, seq FROM events ORDER BY tx DESC, seq DESC LIMIT 1`,
		`SELECT 0, seq FROM events ORDER BY seq DESC LIMIT 1`)).Scan(&tx, &seq)
	if sqldb.IsNoRows(err) {
		return eventstore.Position{}, nil
	}
	if err != nil {
		return eventstore.Position{}, fmt.Errorf("end of the log: %w", err)
	}
	return eventstore.Position{Tx: uint64(tx), Seq: uint64(seq)}, nil
}

// Latest returns the newest checkpoint, or ErrNoCheckpoint.
func Latest(ctx context.Context, q sqldb.Querier) (Checkpoint, error) {
	var (
		cp      Checkpoint
		tx, seq int64
	)
	err := q.QueryRow(ctx, `SELECT id, created_at, streams, position_tx, position_seq, heads_digest, signature, key_fingerprint
		FROM audit_checkpoints ORDER BY id DESC LIMIT 1`).
		Scan(&cp.ID, &cp.At, &cp.Streams, &tx, &seq, &cp.HeadsDigest, &cp.Signature, &cp.KeyFingerprint)
	if sqldb.IsNoRows(err) {
		return Checkpoint{}, ErrNoCheckpoint
	}
	if err != nil {
		return Checkpoint{}, fmt.Errorf("read the latest audit checkpoint: %w", err)
	}
	cp.At = cp.At.UTC()
	cp.Position = eventstore.Position{Tx: uint64(tx), Seq: uint64(seq)}
	return cp, nil
}
