package memory

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/kabinet/kabinet/eventstore"
)

// Load implements eventstore.Store.
func (s *Store) Load(ctx context.Context, stream string, from int64) ([]eventstore.RecordedEvent, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if from < 1 {
		from = 1
	}
	out, err := s.collect(stream, false, func(r *row) bool { return r.Version >= from })
	if err != nil {
		return nil, fmt.Errorf("load %s from version %d: %w", stream, from, err)
	}
	return out, nil
}

// LoadAsOf implements eventstore.Store. On the occurred axis the result may
// skip versions: an event recorded later can have happened earlier.
func (s *Store) LoadAsOf(ctx context.Context, stream string, at time.Time, axis eventstore.TimeAxis) ([]eventstore.RecordedEvent, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out, err := s.collect(stream, true, func(r *row) bool {
		if axis == eventstore.ByOccurred {
			return !r.OccurredAt.After(at)
		}
		return !r.RecordedAt.After(at)
	})
	if err != nil {
		return nil, fmt.Errorf("load %s as of %s by %s time: %w", stream, at.Format(time.RFC3339Nano), axis, err)
	}
	return out, nil
}

// collect copies and upcasts the stream's rows that keep accepts. A stream
// without rows is ErrStreamNotFound; so is one without accepted rows when
// noneIsMissing (a stream as of a time before it began). Load past the end
// of a stream is an empty result.
func (s *Store) collect(stream string, noneIsMissing bool, keep func(*row) bool) ([]eventstore.RecordedEvent, error) {
	s.mu.RLock()
	rows := s.streams[stream]
	var out []eventstore.RecordedEvent
	var err error
	for _, r := range rows {
		if !keep(r) {
			continue
		}
		var e eventstore.RecordedEvent
		if e, err = record(r); err != nil {
			break
		}
		out = append(out, e)
	}
	s.mu.RUnlock()
	switch {
	case err != nil:
		return nil, err
	case len(rows) == 0, noneIsMissing && len(out) == 0:
		return nil, eventstore.ErrStreamNotFound
	}
	if err := s.upcasters.ApplyAll(out); err != nil {
		return nil, err
	}
	return out, nil
}

// ReadAll implements eventstore.Store. A limit below 1 reads nothing.
func (s *Store) ReadAll(ctx context.Context, after eventstore.Position, limit int) ([]eventstore.RecordedEvent, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	i := sort.Search(len(s.log), func(i int) bool { return after.Less(s.log[i].pos) })
	rows := s.log[i:]
	if len(rows) > max(limit, 0) {
		rows = rows[:max(limit, 0)]
	}
	out := make([]eventstore.RecordedEvent, 0, len(rows))
	var err error
	for _, r := range rows {
		var e eventstore.RecordedEvent
		if e, err = record(r); err != nil {
			break
		}
		out = append(out, e)
	}
	s.mu.RUnlock()
	if err != nil {
		return nil, fmt.Errorf("read all after %s: %w", after, err)
	}
	if err := s.upcasters.ApplyAll(out); err != nil {
		return nil, fmt.Errorf("read all after %s: %w", after, err)
	}
	return out, nil
}

// Subscribe implements eventstore.Store; every Append wakes it.
func (s *Store) Subscribe(ctx context.Context, opts eventstore.SubscribeOptions, handle func(context.Context, []eventstore.RecordedEvent) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return eventstore.Follow(ctx, s, &s.wake, opts, handle)
}

// record copies a stored row into what readers get, so that no caller can
// reach the stored bytes. Callers hold s.mu.
func record(r *row) (eventstore.RecordedEvent, error) {
	var meta eventstore.Metadata
	if err := json.Unmarshal(r.Metadata, &meta); err != nil {
		return eventstore.RecordedEvent{}, fmt.Errorf("%s version %d: stored metadata: %w", r.Stream, r.Version, err)
	}
	return eventstore.RecordedEvent{
		Event: eventstore.Event{
			ID:            r.ID,
			Type:          r.Type,
			SchemaVersion: r.SchemaVersion,
			Data:          bytes.Clone(r.Data),
			Metadata:      meta,
			OccurredAt:    r.OccurredAt,
		},
		Stream:     r.Stream,
		Version:    r.Version,
		RecordedAt: r.RecordedAt,
		Position:   r.pos,
		Hash:       bytes.Clone(r.Hash),
	}, nil
}
