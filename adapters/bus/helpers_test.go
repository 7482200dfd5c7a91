package bus_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/adapters/bus"
	"github.com/kabinet/kabinet/adapters/reactions"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/eventstore/postgres"
	"github.com/kabinet/kabinet/internal/dbtest"
	"github.com/kabinet/kabinet/internal/logtest"
	"github.com/kabinet/kabinet/internal/sqldb"
)

// instance is one kabinet process's share of the database: on PostgreSQL a
// pool and a store of its own, so that advisory locks behave as between
// processes.
type instance struct {
	db    sqldb.DB
	store eventstore.Store
	url   string // PostgreSQL only
}

// onBackend is the first instance on a fresh database of either dialect.
func onBackend(b dbtest.Backend) instance {
	in := instance{db: b.DB, store: b.Store}
	if b.Pool != nil {
		in.url = b.Pool.Config().ConnString()
	}
	return in
}

// newDatabase returns a fresh PostgreSQL database and a first instance on it.
func newDatabase(t *testing.T) (instance, string) {
	t.Helper()
	in := onBackend(dbtest.Postgres(t))
	return in, in.url
}

// connect opens another instance on the PostgreSQL database at url.
func connect(t *testing.T, url string) instance {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), url)
	require.NoError(t, err)
	store := postgres.New(pool, postgres.Options{})
	t.Cleanup(func() { store.Close(); pool.Close() })
	return instance{db: sqldb.FromPgx(pool), store: store, url: url}
}

// another is a second instance on in's database: on PostgreSQL a process
// of its own; on SQLite, whose file one process owns, a second bus in the
// same process, over the same DB and store.
func (in instance) another(t *testing.T) instance {
	t.Helper()
	if in.url == "" {
		return in
	}
	return connect(t, in.url)
}

// testConfig keeps every interval short so that the tests take seconds.
func testConfig(t *testing.T, name string) bus.Config {
	cfg, _ := testConfigWithLogs(t, name)
	return cfg
}

// testConfigWithLogs also returns the bus's logs so far.
func testConfigWithLogs(t *testing.T, name string) (bus.Config, func() string) {
	logger, logs := testLogger(t, name)
	return bus.Config{
		Logger:          logger,
		Instance:        name,
		MaxRetries:      3,
		InitialInterval: 5 * time.Millisecond,
		MaxInterval:     40 * time.Millisecond,
		HandlerTimeout:  5 * time.Second,
		DrainTimeout:    300 * time.Millisecond,
		PollInterval:    30 * time.Millisecond,
		AckWait:         time.Second,
		PublishTimeout:  500 * time.Millisecond,
	}, logs
}

// testLogger keeps a bus's logs and prints them when the test fails.
func testLogger(t *testing.T, name string) (*slog.Logger, func() string) {
	return logtest.Capture(t, name, true)
}

// running is a Bus started by start; stop ends it as a shutdown would.
type running struct {
	bus    *bus.Bus
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
	err    error
}

func start(t *testing.T, in instance, rs []reactions.Reaction, cfg bus.Config) *running {
	t.Helper()
	b, err := bus.New(in.db, in.store, rs, cfg)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{bus: b, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- b.Run(ctx) }()
	t.Cleanup(func() { _ = r.stop() })
	return r
}

func (r *running) stop() error {
	r.once.Do(func() {
		r.cancel()
		select {
		case r.err = <-r.done:
		case <-time.After(20 * time.Second):
			r.err = fmt.Errorf("bus did not stop")
		}
	})
	return r.err
}

// appendEvents appends n events to stream, of the given types in turn.
func appendEvents(t *testing.T, s eventstore.Store, stream string, n int, types ...string) []eventstore.Event {
	t.Helper()
	events, err := appendN(s, stream, n, types...)
	require.NoError(t, err)
	return events
}

// appendN is appendEvents for goroutines other than the test's.
func appendN(s eventstore.Store, stream string, n int, types ...string) ([]eventstore.Event, error) {
	if len(types) == 0 {
		types = []string{"test.happened"}
	}
	out := make([]eventstore.Event, n)
	for i := range n {
		data, _ := json.Marshal(map[string]int{"n": i})
		out[i] = eventstore.Event{
			ID: uuid.New(), Type: types[i%len(types)], SchemaVersion: 1, Data: data, OccurredAt: time.Now(),
			Metadata: eventstore.Metadata{CorrelationID: "corr-" + stream, CausationID: "cause", Actor: "test"},
		}
		if _, err := s.Append(context.Background(), stream, eventstore.Any, out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// lastPosition is the position of the last event in the log.
func lastPosition(t *testing.T, s eventstore.Store) eventstore.Position {
	t.Helper()
	var last eventstore.Position
	for {
		batch, err := s.ReadAll(context.Background(), last, 1000)
		require.NoError(t, err)
		if len(batch) == 0 {
			return last
		}
		last = batch[len(batch)-1].Position
	}
}

// waitCheckpoint waits until the relay has published up to pos.
func waitCheckpoint(t *testing.T, db sqldb.DB, pos eventstore.Position) {
	t.Helper()
	require.Eventually(t, func() bool {
		cp, err := bus.Checkpoint(context.Background(), db, "bus")
		return err == nil && !cp.Less(pos)
	}, 15*time.Second, 10*time.Millisecond, "relay checkpoint should reach %s", pos)
}

func newStream() string { return eventstore.StreamName("test", uuid.New()) }

// recorder is a reaction's memory of what it was given, shared by every
// instance that runs the reaction.
type recorder struct {
	mu      sync.Mutex
	calls   map[uuid.UUID]int    // successful runs per event
	by      map[uuid.UUID]string // the instance that ran it
	order   map[string][]int64   // versions per stream, in the order run
	events  map[uuid.UUID]eventstore.RecordedEvent
	started map[uuid.UUID]int // runs begun, failed ones included
}

func newRecorder() *recorder {
	return &recorder{calls: map[uuid.UUID]int{}, by: map[uuid.UUID]string{}, order: map[string][]int64{},
		events: map[uuid.UUID]eventstore.RecordedEvent{}, started: map[uuid.UUID]int{}}
}

// reaction records every event it is given. before, when set, runs first
// and may fail the attempt.
func (r *recorder) reaction(name, instance string, before func(context.Context, eventstore.RecordedEvent) error, types ...string) reactions.Reaction {
	if len(types) == 0 {
		types = []string{"test.happened"}
	}
	return reactions.Reaction{Name: name, Types: types, Handle: func(ctx context.Context, e eventstore.RecordedEvent) error {
		r.mu.Lock()
		r.started[e.ID]++
		r.mu.Unlock()
		if before != nil {
			if err := before(ctx, e); err != nil {
				return err
			}
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		r.calls[e.ID]++
		r.by[e.ID] = instance
		r.order[e.Stream] = append(r.order[e.Stream], e.Version)
		r.events[e.ID] = e
		return nil
	}}
}

// times is how often the reaction ran on the event.
func (r *recorder) times(id uuid.UUID) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls[id]
}

// versions are the versions of stream the reaction ran on, in that order.
func (r *recorder) versions(stream string) []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int64(nil), r.order[stream]...)
}

// event is the event as the reaction was handed it.
func (r *recorder) event(id uuid.UUID) eventstore.RecordedEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.events[id]
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.calls)
}

// waitFor waits until the reaction has run on n distinct events.
func (r *recorder) waitFor(t *testing.T, n int, within time.Duration) {
	t.Helper()
	require.Eventually(t, func() bool { return r.count() >= n }, within, 10*time.Millisecond,
		"want %d events handled", n)
}

// onceEach checks that each of the events was run exactly once.
func (r *recorder) onceEach(t *testing.T, events []eventstore.Event) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range events {
		require.Equal(t, 1, r.calls[e.ID], "event %s (%s)", e.ID, e.Type)
	}
}

// natsServer runs an in-process NATS server with JetStream, storing in dir,
// on port (0: a random one).
func natsServer(t *testing.T, port int, dir string) *server.Server {
	t.Helper()
	if port == 0 {
		port = server.RANDOM_PORT
	}
	s, err := server.NewServer(&server.Options{
		Host: "127.0.0.1", Port: port, JetStream: true, StoreDir: dir, NoLog: true, NoSigs: true,
	})
	require.NoError(t, err)
	go s.Start()
	require.True(t, s.ReadyForConnections(10*time.Second), "NATS server did not start")
	t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	return s
}

func natsPort(s *server.Server) int { return s.Addr().(*net.TCPAddr).Port }
