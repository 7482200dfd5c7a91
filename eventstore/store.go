package eventstore

import (
	"context"
	"time"
)

// Store is an event store. See the package documentation for the guarantees.
type Store interface {
	// Append writes events to the end of stream if its version matches
	// expected. It is atomic and idempotent by event ID.
	Append(ctx context.Context, stream string, expected ExpectedVersion, events ...Event) (AppendResult, error)

	// Load returns the stream's events with versions ≥ from (from < 1 means 1),
	// upcast. A stream with no events returns ErrStreamNotFound.
	Load(ctx context.Context, stream string, from int64) ([]RecordedEvent, error)

	// LoadAsOf returns the stream's events whose time on the given axis is at
	// or before at, upcast: the stream as it stood then. A stream with no
	// events at that time returns ErrStreamNotFound.
	LoadAsOf(ctx context.Context, stream string, at time.Time, axis TimeAxis) ([]RecordedEvent, error)

	// ReadAll returns up to limit events after the given position in global
	// log order, upcast. An empty result means the reader is at the visible end.
	ReadAll(ctx context.Context, after Position, limit int) ([]RecordedEvent, error)

	// Subscribe hands every event after opts.After to handle, in global log
	// order and in batches, until ctx ends (it returns ctx.Err()), a read
	// fails, or handle returns an error (returned as is). The next batch is
	// read only after handle returns.
	Subscribe(ctx context.Context, opts SubscribeOptions, handle func(context.Context, []RecordedEvent) error) error

	// Verify recomputes the hash chain of one stream, or of every stream when
	// stream is "", from the stored rows and their head records. It returns
	// nil when intact and a *ChainError naming the first broken link otherwise.
	Verify(ctx context.Context, stream string) error
}

// SubscribeOptions tune Subscribe. The zero value follows from the start.
type SubscribeOptions struct {
	After        Position      // deliver events after this position
	BatchSize    int           // most events per batch; default 500
	PollInterval time.Duration // fallback poll when no wake-up comes; default 500ms
}

func (o *SubscribeOptions) setDefaults() {
	if o.BatchSize <= 0 {
		o.BatchSize = 500
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 500 * time.Millisecond
	}
}
