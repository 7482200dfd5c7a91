package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/kabinet/kabinet/eventstore"
)

// Verify implements eventstore.Store. It streams the events in (stream,
// version) order, so memory stays bounded by the longest stream.
func (s *Store) Verify(ctx context.Context, stream string) error {
	heads, err := s.heads(ctx, stream)
	if err != nil {
		return err
	}
	where, args := "", []any{}
	if stream != "" {
		where, args = "WHERE stream = $1", []any{stream}
	}
	rows, err := s.pool.Query(ctx, `SELECT event_id, stream, version, type, schema_version, data::text, metadata::text,
		occurred_at, recorded_at, hash FROM events `+where+` ORDER BY stream, version`, args...)
	if err != nil {
		return translate("verify", err)
	}
	defer rows.Close()

	var (
		current string
		batch   []eventstore.StoredRow
	)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		head, ok := heads[current]
		delete(heads, current)
		var hp *eventstore.Head
		if ok {
			hp = &head
		}
		err := eventstore.VerifyStream(current, hp, batch)
		batch = batch[:0]
		return err
	}
	for rows.Next() {
		var (
			r          eventstore.StoredRow
			data, meta string
		)
		if err := rows.Scan(&r.ID, &r.Stream, &r.Version, &r.Type, &r.SchemaVersion, &data, &meta,
			&r.OccurredAt, &r.RecordedAt, &r.Hash); err != nil {
			return translate("verify", err)
		}
		r.Data, r.Metadata = []byte(data), []byte(meta)
		if r.Stream != current {
			if err := flush(); err != nil {
				return err
			}
			current = r.Stream
		}
		batch = append(batch, r)
	}
	if err := rows.Err(); err != nil {
		return translate("verify", err)
	}
	if err := flush(); err != nil {
		return err
	}
	for name, h := range heads {
		if h.Version > 0 {
			return eventstore.VerifyStream(name, &h, nil)
		}
	}
	return nil
}

// Heads returns every stream's head record, for signing checkpoints.
func (s *Store) Heads(ctx context.Context) ([]eventstore.Head, error) {
	m, err := s.heads(ctx, "")
	if err != nil {
		return nil, err
	}
	out := make([]eventstore.Head, 0, len(m))
	for _, h := range m {
		out = append(out, h)
	}
	return out, nil
}

func (s *Store) heads(ctx context.Context, stream string) (map[string]eventstore.Head, error) {
	where, args := "", []any{}
	if stream != "" {
		where, args = "WHERE stream = $1", []any{stream}
	}
	rows, err := s.pool.Query(ctx, `SELECT stream, version, head_hash FROM event_streams `+where, args...)
	if err != nil {
		return nil, translate("verify heads", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (eventstore.Head, error) {
		var h eventstore.Head
		err := r.Scan(&h.Stream, &h.Version, &h.Hash)
		return h, err
	})
	if err != nil {
		return nil, translate("verify heads", err)
	}
	m := make(map[string]eventstore.Head, len(list))
	for _, h := range list {
		m[h.Stream] = h
	}
	if stream != "" && len(m) == 0 {
		return nil, fmt.Errorf("verify %s: %w", stream, eventstore.ErrStreamNotFound)
	}
	return m, nil
}
