package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kabinet/kabinet/eventstore"
)

const columns = `seq, tx, event_id, stream, version, type, schema_version, data, metadata, occurred_at, recorded_at, hash`

// scanEvents reads rows of `columns` into events, decoding metadata.
func scanEvents(rows pgx.Rows, capacity int) ([]eventstore.RecordedEvent, error) {
	defer rows.Close()
	out := make([]eventstore.RecordedEvent, 0, capacity)
	for rows.Next() {
		var (
			e    eventstore.RecordedEvent
			seq  int64
			meta []byte
		)
		if err := rows.Scan(&seq, &e.Position.Tx, &e.ID, &e.Stream, &e.Version, &e.Type, &e.SchemaVersion,
			&e.Data, &meta, &e.OccurredAt, &e.RecordedAt, &e.Hash); err != nil {
			return nil, err
		}
		e.Position.Seq = uint64(seq)
		if err := json.Unmarshal(meta, &e.Metadata); err != nil {
			return nil, fmt.Errorf("metadata of %s version %d: %w", e.Stream, e.Version, err)
		}
		e.OccurredAt, e.RecordedAt = e.OccurredAt.UTC(), e.RecordedAt.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

func (s *Store) query(ctx context.Context, op string, capacity int, sql string, args ...any) ([]eventstore.RecordedEvent, error) {
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, translate(op, err)
	}
	events, err := scanEvents(rows, capacity)
	if err != nil {
		return nil, translate(op, err)
	}
	if err := s.opts.Upcasters.ApplyAll(events); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return events, nil
}

// Load implements eventstore.Store.
func (s *Store) Load(ctx context.Context, stream string, from int64) ([]eventstore.RecordedEvent, error) {
	events, err := s.query(ctx, "load "+stream, 16,
		`SELECT `+columns+` FROM events WHERE stream = $1 AND version >= $2 ORDER BY version`, stream, max(from, 1))
	if err == nil && len(events) == 0 {
		return nil, s.notFound(ctx, stream, from)
	}
	return events, err
}

// notFound tells "no such stream" from "no events at or after from".
func (s *Store) notFound(ctx context.Context, stream string, from int64) error {
	if from <= 1 {
		return fmt.Errorf("load %s: %w", stream, eventstore.ErrStreamNotFound)
	}
	var exists bool
	if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM events WHERE stream = $1)`, stream).Scan(&exists); err != nil {
		return translate("load "+stream, err)
	}
	if !exists {
		return fmt.Errorf("load %s: %w", stream, eventstore.ErrStreamNotFound)
	}
	return nil
}

// LoadAsOf implements eventstore.Store.
func (s *Store) LoadAsOf(ctx context.Context, stream string, at time.Time, axis eventstore.TimeAxis) ([]eventstore.RecordedEvent, error) {
	col := "recorded_at"
	if axis == eventstore.ByOccurred {
		col = "occurred_at"
	}
	events, err := s.query(ctx, "load "+stream+" as of", 16,
		`SELECT `+columns+` FROM events WHERE stream = $1 AND `+col+` <= $2 ORDER BY version`, stream, at)
	if err == nil && len(events) == 0 {
		return nil, fmt.Errorf("load %s as of %s (%s): %w", stream, at.Format(time.RFC3339), axis, eventstore.ErrStreamNotFound)
	}
	return events, err
}

// readAllSQL releases only rows of ended transactions; see the package doc.
const readAllSQL = `SELECT ` + columns + ` FROM events
WHERE (tx, seq) > ($1::xid8, $2::bigint) AND tx < pg_snapshot_xmin(pg_current_snapshot())
ORDER BY tx, seq LIMIT $3`

// ReadAll implements eventstore.Store.
func (s *Store) ReadAll(ctx context.Context, after eventstore.Position, limit int) ([]eventstore.RecordedEvent, error) {
	if limit <= 0 {
		return nil, nil
	}
	return s.query(ctx, "read all", min(limit, 1024), readAllSQL, after.Tx, int64(after.Seq), limit)
}

// Subscribe implements eventstore.Store.
func (s *Store) Subscribe(ctx context.Context, opts eventstore.SubscribeOptions, handle func(context.Context, []eventstore.RecordedEvent) error) error {
	s.start()
	return eventstore.Follow(ctx, s, &s.wake, opts, handle)
}

// Streams lists stream IDs with the given prefix ("policy-"), in name order.
func (s *Store) Streams(ctx context.Context, prefix string) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT stream FROM event_streams WHERE stream LIKE $1 || '%' AND version > 0 ORDER BY stream`, prefix)
	if err != nil {
		return nil, translate("list streams", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return out, translate("list streams", err)
}
