package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/eventstore"
)

// verifyRowsSQL returns every event with its stream's head, in the order
// the chains are walked. The head columns are NULL when the head is missing.
const verifyRowsSQL = `SELECT e.event_id, e.stream, e.version, e.type, e.schema_version, e.data, e.metadata,
	e.occurred_at, e.recorded_at, e.hash, h.version, h.head_hash
FROM events e LEFT JOIN event_streams h ON h.stream = e.stream`

// orphanHeadSQL finds a head that claims events when its stream has none.
const orphanHeadSQL = `SELECT h.stream, h.version, h.head_hash FROM event_streams h
WHERE h.version > 0 AND NOT EXISTS (SELECT 1 FROM events e WHERE e.stream = h.stream)`

// Verify implements eventstore.Store. It walks the rows in (stream,
// version) order in one read transaction, a consistent snapshot, and checks
// each stream as soon as its rows are read, so memory is bounded by the
// longest stream.
func (s *Store) Verify(ctx context.Context, stream string) error {
	op := "verify"
	if stream != "" {
		op = "verify " + stream
	}
	if err := s.check(ctx); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return translate(ctx, op, err)
	}
	defer func() { _ = tx.Rollback() }()

	where, args := "", []any{}
	if stream != "" {
		where, args = " WHERE e.stream = ?", []any{stream}
	}
	rows, err := tx.QueryContext(ctx, verifyRowsSQL+where+" ORDER BY e.stream, e.version", args...)
	if err != nil {
		return translate(ctx, op, err)
	}
	defer rows.Close()

	var (
		current string
		head    *eventstore.Head
		chain   []eventstore.StoredRow
		seen    bool
	)
	flush := func() error {
		if len(chain) == 0 {
			return nil
		}
		err := eventstore.VerifyStream(current, head, chain)
		chain = chain[:0]
		return err
	}
	for rows.Next() {
		var (
			r                  eventstore.StoredRow
			id                 string
			data, meta         []byte
			occurred, recorded int64
			headVersion        sql.NullInt64
			headHash           []byte
		)
		if err := rows.Scan(&id, &r.Stream, &r.Version, &r.Type, &r.SchemaVersion, &data, &meta,
			&occurred, &recorded, &r.Hash, &headVersion, &headHash); err != nil {
			return translate(ctx, op, err)
		}
		if r.Stream != current {
			if err := flush(); err != nil {
				return err
			}
			current, head, seen = r.Stream, nil, true
			if headVersion.Valid {
				head = &eventstore.Head{Stream: r.Stream, Version: headVersion.Int64, Hash: headHash}
			}
		}
		if r.ID, err = uuid.Parse(id); err != nil {
			// An unreadable ID cannot match the hash it was stored under.
			return &eventstore.ChainError{Stream: r.Stream, Version: r.Version, Reason: fmt.Sprintf("stored event id %q is not a UUID", id)}
		}
		r.Data, r.Metadata = data, meta
		r.OccurredAt, r.RecordedAt = time.UnixMicro(occurred).UTC(), time.UnixMicro(recorded).UTC()
		chain = append(chain, r)
	}
	if err := rows.Err(); err != nil {
		return translate(ctx, op, err)
	}
	if err := flush(); err != nil {
		return err
	}

	// A head whose events are all gone claims versions that do not exist.
	where = ""
	if stream != "" {
		where = " AND h.stream = ?"
	}
	var orphan eventstore.Head
	err = tx.QueryRowContext(ctx, orphanHeadSQL+where+" ORDER BY h.stream LIMIT 1", args...).
		Scan(&orphan.Stream, &orphan.Version, &orphan.Hash)
	switch {
	case err == nil:
		return eventstore.VerifyStream(orphan.Stream, &orphan, nil)
	case !errors.Is(err, sql.ErrNoRows):
		return translate(ctx, op, err)
	case stream != "" && !seen:
		return fmt.Errorf("%s: %w", op, eventstore.ErrStreamNotFound)
	}
	return nil
}

// Heads returns every stream's head record in stream order, for signing
// checkpoints.
func (s *Store) Heads(ctx context.Context) ([]eventstore.Head, error) {
	if err := s.check(ctx); err != nil {
		return nil, fmt.Errorf("read heads: %w", err)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT stream, version, head_hash FROM event_streams ORDER BY stream`)
	if err != nil {
		return nil, translate(ctx, "read heads", err)
	}
	defer rows.Close()
	var out []eventstore.Head
	for rows.Next() {
		var h eventstore.Head
		if err := rows.Scan(&h.Stream, &h.Version, &h.Hash); err != nil {
			return nil, translate(ctx, "read heads", err)
		}
		out = append(out, h)
	}
	return out, translate(ctx, "read heads", rows.Err())
}
