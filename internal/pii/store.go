package pii

import (
	"context"
	"time"

	"github.com/kabinet/kabinet/eventstore"
)

// Store is an event store that seals personal data on the way in and opens
// it on every way out, so that everything above it (commands, projections,
// reactions, replay) reads plain events, while the table, its hash chains
// and any copy of it hold the personal data only sealed.
type Store struct {
	eventstore.Store
	s *Sealer
}

// Wrap seals and opens the events of inner with s.
func Wrap(inner eventstore.Store, s *Sealer) *Store {
	return &Store{Store: inner, s: s}
}

// Sealed is the wrapped store, which reads events with their personal data
// sealed: for a reader that only passes events on, such as the bus's relay.
func (st *Store) Sealed() eventstore.Store { return st.Store }

// Sealer is the store's sealer.
func (st *Store) Sealer() *Sealer { return st.s }

// Append seals the events' personal data and appends them. The caller's
// events are not changed.
func (st *Store) Append(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events ...eventstore.Event) (eventstore.AppendResult, error) {
	out := make([]eventstore.Event, len(events))
	for i, e := range events {
		if err := st.s.Seal(ctx, stream, &e); err != nil {
			return eventstore.AppendResult{}, err
		}
		out[i] = e
	}
	return st.Store.Append(ctx, stream, expected, out...)
}

// Load reads a stream with its personal data opened.
func (st *Store) Load(ctx context.Context, stream string, from int64) ([]eventstore.RecordedEvent, error) {
	return st.opened(ctx)(st.Store.Load(ctx, stream, from))
}

// LoadAsOf reads a stream as it stood at a time, opened.
func (st *Store) LoadAsOf(ctx context.Context, stream string, at time.Time, axis eventstore.TimeAxis) ([]eventstore.RecordedEvent, error) {
	return st.opened(ctx)(st.Store.LoadAsOf(ctx, stream, at, axis))
}

// ReadAll reads the global log, opened.
func (st *Store) ReadAll(ctx context.Context, after eventstore.Position, limit int) ([]eventstore.RecordedEvent, error) {
	return st.opened(ctx)(st.Store.ReadAll(ctx, after, limit))
}

// Subscribe hands opened batches to handle.
func (st *Store) Subscribe(ctx context.Context, opts eventstore.SubscribeOptions, handle func(context.Context, []eventstore.RecordedEvent) error) error {
	return st.Store.Subscribe(ctx, opts, func(ctx context.Context, batch []eventstore.RecordedEvent) error {
		if err := st.s.OpenAll(ctx, batch); err != nil {
			return err
		}
		return handle(ctx, batch)
	})
}

func (st *Store) opened(ctx context.Context) func([]eventstore.RecordedEvent, error) ([]eventstore.RecordedEvent, error) {
	return func(events []eventstore.RecordedEvent, err error) ([]eventstore.RecordedEvent, error) {
		if err != nil {
			return nil, err
		}
		if err := st.s.OpenAll(ctx, events); err != nil {
			return nil, err
		}
		return events, nil
	}
}
