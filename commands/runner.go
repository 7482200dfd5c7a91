package commands

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/eventstore"
)

// DefaultMaxRetries is how often Execute decides again after losing a race
// when Runner.MaxRetries is zero.
const DefaultMaxRetries = 5

// ErrNoCommandID means Execute was given uuid.Nil as the command ID; without
// one a repeated command could not be recognised.
var ErrNoCommandID = errors.New("command_id is required")

// Aggregate is what the runner needs of a domain aggregate package. S, E and
// C are its State, Event and Command types; the fields are the package's
// functions, for example
//
//	Aggregate[policy.State, policy.Event, policy.Command]{
//		Name: policy.Aggregate, Evolve: policy.Evolve, Decide: policy.Decide,
//		Encode: policy.EncodeEvent, Decode: policy.DecodeEvent,
//		SchemaVersion: policy.SchemaVersion,
//	}
type Aggregate[S, E, C any] struct {
	Name          string // stream prefix: streams are "<Name>-<id>"
	Evolve        func(S, E) S
	Decide        func(S, C, time.Time) ([]E, error)
	Encode        func(E) (string, []byte, error)
	Decode        func(string, int, []byte) (E, error)
	SchemaVersion int // written with every new event; 0 means 1
}

func (a Aggregate[S, E, C]) check() error {
	if a.Name == "" || a.Evolve == nil || a.Decide == nil || a.Encode == nil || a.Decode == nil {
		return fmt.Errorf("aggregate %q: name, evolve, decide, encode and decode are required", a.Name)
	}
	return nil
}

// Result says where a command's events landed.
type Result struct {
	Stream   string
	Version  int64               // the stream's version after the command
	Position eventstore.Position // global position of the command's last event; wait for read models to pass it
	Events   int                 // events the command wrote (0 when it decided nothing)
	// Duplicate is true when the command had already run: nothing was written
	// and the other fields describe the first run.
	Duplicate bool
}

// Runner executes commands against a Store. Store is required; the zero
// values of the others are usable.
type Runner struct {
	Store eventstore.Store
	// Clock gives Decide its now; nil means the system clock.
	Clock Clock
	// MaxRetries bounds how often a command is decided again after a
	// conflict; 0 means DefaultMaxRetries and a negative value means never.
	MaxRetries int
}

// New returns a Runner with the default retry bound.
func New(store eventstore.Store, clock Clock) *Runner {
	return &Runner{Store: store, Clock: clock, MaxRetries: DefaultMaxRetries}
}

func (r *Runner) now() time.Time {
	if r.Clock == nil {
		return time.Now()
	}
	return r.Clock.Now()
}

func (r *Runner) maxRetries() int {
	switch {
	case r.MaxRetries == 0:
		return DefaultMaxRetries
	case r.MaxRetries < 0:
		return 0
	}
	return r.MaxRetries
}

// Load rebuilds the state of aggregate id from its stream and returns it with
// the stream's version and the events it was folded from. A stream that does
// not exist yet is the zero state at version 0, not an error.
func Load[S, E, C any](ctx context.Context, store eventstore.Store, agg Aggregate[S, E, C], id uuid.UUID) (state S, version int64, history []eventstore.RecordedEvent, err error) {
	var zero S
	if err := agg.check(); err != nil {
		return zero, 0, nil, err
	}
	stream := eventstore.StreamName(agg.Name, id)
	history, err = store.Load(ctx, stream, 1)
	if errors.Is(err, eventstore.ErrStreamNotFound) {
		return zero, 0, nil, nil
	}
	if err != nil {
		return zero, 0, nil, err
	}
	for _, rec := range history {
		e, err := agg.Decode(rec.Type, rec.SchemaVersion, rec.Data)
		if err != nil {
			return zero, 0, nil, fmt.Errorf("load %s: decode version %d (%s v%d): %w",
				stream, rec.Version, rec.Type, rec.SchemaVersion, err)
		}
		state = agg.Evolve(state, e)
		version = rec.Version
	}
	return state, version, history, nil
}

// Execute runs cmd, identified by commandID, against aggregate id: load,
// decide, append with the loaded version, and on a lost race reload and
// decide again (see the package documentation). A refusal from Decide is
// returned unwrapped.
func Execute[S, E, C any](ctx context.Context, r *Runner, agg Aggregate[S, E, C], id uuid.UUID, commandID uuid.UUID, cmd C) (Result, error) {
	stream := eventstore.StreamName(agg.Name, id)
	if commandID == uuid.Nil {
		return Result{}, fmt.Errorf("%s: %w", stream, ErrNoCommandID)
	}
	if err := agg.check(); err != nil {
		return Result{}, err
	}
	meta := MetadataFrom(ctx)
	meta.CommandID = commandID.String()
	schema := agg.SchemaVersion
	if schema < 1 {
		schema = 1
	}
	retries := r.maxRetries()
	clashed := false // the last append met this command's event IDs
	for attempt := 0; ; attempt++ {
		state, version, history, err := Load(ctx, r.Store, agg, id)
		if err != nil {
			return Result{}, fmt.Errorf("command %s: %w", commandID, err)
		}
		if res, ok := firstRun(stream, history, meta.CommandID); ok {
			return res, nil
		}
		if clashed {
			// The IDs are stored, but not in this stream: the command ID
			// was used for another aggregate. Retrying cannot help.
			return Result{}, fmt.Errorf("command %s on %s: %w: the command ID was already used on another stream",
				commandID, stream, eventstore.ErrDuplicateEvent)
		}
		now := r.now()
		decided, err := agg.Decide(state, cmd, now)
		if err != nil {
			return Result{}, err
		}
		if len(decided) == 0 {
			res := Result{Stream: stream, Version: version}
			if n := len(history); n > 0 {
				res.Position = history[n-1].Position
			}
			return res, nil
		}
		events := make([]eventstore.Event, len(decided))
		for i, e := range decided {
			typ, data, err := agg.Encode(e)
			if err != nil {
				return Result{}, fmt.Errorf("command %s on %s: encode event %d: %w", commandID, stream, i, err)
			}
			events[i] = eventstore.Event{
				ID:            EventID(commandID, i),
				Type:          typ,
				SchemaVersion: schema,
				Data:          data,
				Metadata:      meta,
				OccurredAt:    now,
			}
		}
		appended, err := r.Store.Append(ctx, stream, eventstore.Exactly(version), events...)
		if err == nil {
			return Result{
				Stream:    stream,
				Version:   appended.LastVersion,
				Position:  appended.Position,
				Events:    len(events),
				Duplicate: appended.Duplicate,
			}, nil
		}
		// A duplicate ID means this command's events got in between our load
		// and append; the reload finds them and returns the first result.
		clashed = errors.Is(err, eventstore.ErrDuplicateEvent)
		lost := errors.Is(err, eventstore.ErrConcurrencyConflict) || clashed
		if !lost {
			return Result{}, fmt.Errorf("command %s: %w", commandID, err)
		}
		if attempt >= retries {
			return Result{}, fmt.Errorf("command %s: gave up after %d attempts: %w", commandID, attempt+1, err)
		}
		if err := backoff(ctx, attempt); err != nil {
			return Result{}, fmt.Errorf("command %s: %w", commandID, err)
		}
	}
}

// firstRun finds the events an earlier run of the command wrote and returns
// that run's result.
func firstRun(stream string, history []eventstore.RecordedEvent, commandID string) (Result, bool) {
	res := Result{Stream: stream, Duplicate: true}
	for _, e := range history {
		if e.Metadata.CommandID == commandID {
			res.Version, res.Position = e.Version, e.Position
			res.Events++
		}
	}
	return res, res.Events > 0
}

// backoff waits a little before the next attempt, with jitter so that
// writers that collided do not collide again in step. The first retry goes
// at once: most conflicts are a single other writer that has finished.
func backoff(ctx context.Context, attempt int) error {
	if attempt == 0 {
		return nil
	}
	limit := time.Duration(1<<min(attempt, 6)) * time.Millisecond
	t := time.NewTimer(rand.N(limit))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
