package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kabinet/kabinet/eventstore"
)

// Options tune a Store. The zero value is usable.
type Options struct {
	Upcasters     *eventstore.Upcasters // applied on every read path
	Logger        *slog.Logger          // default: discard
	NotifyChannel string                // LISTEN/NOTIFY channel; default "kabinet_events"
}

func (o *Options) setDefaults() {
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.NotifyChannel == "" {
		o.NotifyChannel = "kabinet_events"
	}
}

// Store is the PostgreSQL event store. It is safe for concurrent use. Close
// stops its background listener and notifier; it does not close the pool.
type Store struct {
	pool *pgxpool.Pool
	opts Options

	wake    eventstore.Notifier // in-process subscribers
	pending chan struct{}       // a NOTIFY is owed to other processes

	startOnce sync.Once
	stop      context.CancelFunc
	done      sync.WaitGroup
}

var _ eventstore.Store = (*Store)(nil)

// New returns a store on a migrated database (see internal/migrate).
func New(pool *pgxpool.Pool, opts Options) *Store {
	opts.setDefaults()
	return &Store{pool: pool, opts: opts, pending: make(chan struct{}, 1)}
}

// Close stops the background goroutines and waits for them.
func (s *Store) Close() {
	s.startOnce.Do(func() {}) // nothing starts after Close
	if s.stop != nil {
		s.stop()
	}
	s.done.Wait()
}

// start runs the LISTEN loop and the NOTIFY sender until Close.
func (s *Store) start() {
	s.startOnce.Do(func() {
		ctx, cancel := context.WithCancel(context.Background())
		s.stop = cancel
		s.done.Add(2)
		go func() { defer s.done.Done(); s.listen(ctx) }()
		go func() { defer s.done.Done(); s.notifyLoop(ctx) }()
	})
}

// translate maps driver errors to the contract's sentinels at this boundary.
func translate(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w", op, err)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case pgErr.Code == "23505" && pgErr.ConstraintName == "events_event_id_key":
			return fmt.Errorf("%s: %w", op, eventstore.ErrDuplicateEvent)
		case pgErr.Code == "40P01" || pgErr.Code == "40001": // deadlock (crossed event IDs), serialization
			return fmt.Errorf("%s: %w: %s", op, eventstore.ErrConcurrencyConflict, pgErr.Message)
		case len(pgErr.Code) == 5 && pgErr.Code[:2] == "22": // data exception: bad JSON, NUL in text
			return fmt.Errorf("%s: %w: %s", op, eventstore.ErrInvalidEvent, pgErr.Message)
		case pgErr.Code[:2] == "08" || pgErr.Code[:2] == "57" || pgErr.Code[:2] == "53": // connection, shutdown, resources
			return fmt.Errorf("%s: %w: %s", op, eventstore.ErrUnavailable, pgErr.Code)
		}
		return fmt.Errorf("%s: postgres %s: %s", op, pgErr.Code, pgErr.Message)
	}
	if pgconn.SafeToRetry(err) || pgconn.Timeout(err) || isConnectError(err) {
		return fmt.Errorf("%s: %w", op, eventstore.ErrUnavailable)
	}
	return fmt.Errorf("%s: %w", op, err)
}

func isConnectError(err error) bool {
	var ce *pgconn.ConnectError
	return errors.As(err, &ce)
}
