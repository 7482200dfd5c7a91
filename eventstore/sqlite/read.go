package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/eventstore"
)

const columns = `seq, event_id, stream, version, type, schema_version, data, metadata, occurred_at, recorded_at, hash`

// scanEvents reads rows of `columns` into events, decoding metadata.
func scanEvents(rows *sql.Rows, capacity int) ([]eventstore.RecordedEvent, error) {
	defer rows.Close()
	out := make([]eventstore.RecordedEvent, 0, capacity)
	for rows.Next() {
		var (
			e                  eventstore.RecordedEvent
			seq                int64
			id                 string
			data, meta         []byte
			occurred, recorded int64
		)
		if err := rows.Scan(&seq, &id, &e.Stream, &e.Version, &e.Type, &e.SchemaVersion,
			&data, &meta, &occurred, &recorded, &e.Hash); err != nil {
			return nil, err
		}
		var err error
		if e.ID, err = uuid.Parse(id); err != nil {
			return nil, fmt.Errorf("event id of %s version %d: %w", e.Stream, e.Version, err)
		}
		if err := json.Unmarshal(meta, &e.Metadata); err != nil {
			return nil, fmt.Errorf("metadata of %s version %d: %w", e.Stream, e.Version, err)
		}
		e.Data = json.RawMessage(data)
		e.Position = eventstore.Position{Seq: uint64(seq)}
		e.OccurredAt, e.RecordedAt = time.UnixMicro(occurred).UTC(), time.UnixMicro(recorded).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

func (s *Store) query(ctx context.Context, op string, capacity int, query string, args ...any) ([]eventstore.RecordedEvent, error) {
	if err := s.check(ctx); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, translate(ctx, op, err)
	}
	events, err := scanEvents(rows, capacity)
	if err != nil {
		return nil, translate(ctx, op, err)
	}
	if err := s.opts.Upcasters.ApplyAll(events); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return events, nil
}

// Load implements eventstore.Store.
func (s *Store) Load(ctx context.Context, stream string, from int64) ([]eventstore.RecordedEvent, error) {
	op := "load " + stream
	events, err := s.query(ctx, op, 16,
		`SELECT `+columns+` FROM events WHERE stream = ? AND version >= ? ORDER BY version`, stream, max(from, 1))
	if err == nil && len(events) == 0 {
		return nil, s.notFound(ctx, op, stream, from)
	}
	return events, err
}

// notFound tells "no such stream" from "no events at or after from", which
// is an empty result.
func (s *Store) notFound(ctx context.Context, op, stream string, from int64) error {
	if from > 1 {
		var exists bool
		err := s.read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM events WHERE stream = ?)`, stream).Scan(&exists)
		if err != nil {
			return translate(ctx, op, err)
		}
		if exists {
			return nil
		}
	}
	return fmt.Errorf("%s: %w", op, eventstore.ErrStreamNotFound)
}

// LoadAsOf implements eventstore.Store. On the occurred axis the result may
// skip versions: an event recorded later can have happened earlier.
func (s *Store) LoadAsOf(ctx context.Context, stream string, at time.Time, axis eventstore.TimeAxis) ([]eventstore.RecordedEvent, error) {
	col := "recorded_at"
	if axis == eventstore.ByOccurred {
		col = "occurred_at"
	}
	op := fmt.Sprintf("load %s as of %s by %s time", stream, at.Format(time.RFC3339Nano), axis)
	// Stored times are whole microseconds, so "at or before at" is "at or
	// before at's microsecond, rounded down".
	events, err := s.query(ctx, op, 16,
		`SELECT `+columns+` FROM events WHERE stream = ? AND `+col+` <= ? ORDER BY version`, stream, at.UnixMicro())
	if err == nil && len(events) == 0 {
		return nil, fmt.Errorf("%s: %w", op, eventstore.ErrStreamNotFound)
	}
	return events, err
}

// ReadAll implements eventstore.Store. Positions of this store have Tx 0;
// a cursor with another Tx comes from another store and is refused rather
// than read as "after everything".
func (s *Store) ReadAll(ctx context.Context, after eventstore.Position, limit int) ([]eventstore.RecordedEvent, error) {
	if after.Tx != 0 {
		return nil, fmt.Errorf("read all after %s: not a position of this store (its positions are 0:seq)", after)
	}
	if limit <= 0 || after.Seq >= math.MaxInt64 {
		if err := s.check(ctx); err != nil {
			return nil, fmt.Errorf("read all: %w", err)
		}
		return nil, nil
	}
	return s.query(ctx, "read all", min(limit, 1024),
		`SELECT `+columns+` FROM events WHERE seq > ? ORDER BY seq LIMIT ?`, int64(after.Seq), limit)
}

// Subscribe implements eventstore.Store. Appends in this process wake it at
// once; it polls for anything else.
func (s *Store) Subscribe(ctx context.Context, opts eventstore.SubscribeOptions, handle func(context.Context, []eventstore.RecordedEvent) error) error {
	if err := s.check(ctx); err != nil {
		return fmt.Errorf("subscribe: %w", err)
	}
	return eventstore.Follow(ctx, s, &s.wake, opts, handle)
}

// Streams lists stream IDs with the given prefix ("policy-"), in name order.
func (s *Store) Streams(ctx context.Context, prefix string) ([]string, error) {
	if err := s.check(ctx); err != nil {
		return nil, fmt.Errorf("list streams: %w", err)
	}
	// substr instead of LIKE: '_' in a prefix is a LIKE wildcard.
	rows, err := s.read.QueryContext(ctx, `SELECT stream FROM event_streams
WHERE substr(stream, 1, length(?1)) = ?1 AND version > 0 ORDER BY stream`, prefix)
	if err != nil {
		return nil, translate(ctx, "list streams", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, translate(ctx, "list streams", err)
		}
		out = append(out, name)
	}
	return out, translate(ctx, "list streams", rows.Err())
}
