package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sqlitedriver "modernc.org/sqlite"

	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/eventstore/eventstoretest"
	"github.com/kabinet/kabinet/eventstore/sqlite"
	"github.com/kabinet/kabinet/internal/migrate"
)

// open opens a store on path and closes it when the test ends.
func open(t testing.TB, path string, opts sqlite.Options) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path, opts)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, s.Close()) })
	return s
}

func newBackend(t *testing.T, up *eventstore.Upcasters) eventstoretest.Backend {
	path := filepath.Join(t.TempDir(), "events.db")
	s := open(t, path, sqlite.Options{Upcasters: up})
	return eventstoretest.Backend{
		Store: s,
		// The store has one write connection, so a transaction held open
		// here would keep the suite's next Append waiting for good
		// (LateCommitNotSkipped appends while one is open). As the suite
		// allows for single-writer backends, the append runs at commit, and
		// at rollback too, so that a real rollback is exercised.
		// TestHeldWriteTransaction holds one open on purpose.
		BeginAppend: func(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events ...eventstore.Event) (func() error, func() error, error) {
			run := func(keep bool) error {
				tx, err := s.DB().BeginTx(ctx, nil)
				if err != nil {
					return err
				}
				if _, err := s.AppendTx(ctx, tx, stream, expected, events...); err != nil {
					_ = tx.Rollback()
					return err
				}
				if !keep {
					return tx.Rollback()
				}
				if err := tx.Commit(); err != nil {
					return err
				}
				s.Committed()
				return nil
			}
			return func() error { return run(true) }, func() error { return run(false) }, nil
		},
		Tamper: newTamperer(t, path),
	}
}

func TestConformance(t *testing.T) {
	eventstoretest.Run(t, newBackend)
}

// tamperer edits the file with plain SQL over its own connection, as
// someone with access to the file would.
type tamperer struct{ db *sql.DB }

func newTamperer(t *testing.T, path string) tamperer {
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(5000)&_txlock=immediate")
	require.NoError(t, err)
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { _ = db.Close() })
	return tamperer{db}
}

func (tp tamperer) SetData(stream string, version int64, data []byte) error {
	return tp.exec(`UPDATE events SET data = ? WHERE stream = ? AND version = ?`, string(data), stream, version)
}

func (tp tamperer) Delete(stream string, version int64) error {
	return tp.exec(`DELETE FROM events WHERE stream = ? AND version = ?`, stream, version)
}

// Swap exchanges everything but the versions. event_id is unique, so the
// first row's ID is parked on a fresh value while the second takes it.
func (tp tamperer) Swap(stream string, v1, v2 int64) error {
	type content struct {
		id, typ, data, meta        string
		schema, occurred, recorded int64
		hash                       []byte
	}
	ctx := context.Background()
	tx, err := tp.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	var c [2]content
	for i, v := range []int64{v1, v2} {
		err := tx.QueryRowContext(ctx, `SELECT event_id, type, data, metadata, schema_version, occurred_at, recorded_at, hash
			FROM events WHERE stream = ? AND version = ?`, stream, v).
			Scan(&c[i].id, &c[i].typ, &c[i].data, &c[i].meta, &c[i].schema, &c[i].occurred, &c[i].recorded, &c[i].hash)
		if err != nil {
			return err
		}
	}
	const set = `UPDATE events SET event_id = ?, type = ?, data = ?, metadata = ?, schema_version = ?,
		occurred_at = ?, recorded_at = ?, hash = ? WHERE stream = ? AND version = ?`
	if _, err := tx.ExecContext(ctx, `UPDATE events SET event_id = ? WHERE stream = ? AND version = ?`, uuid.NewString(), stream, v1); err != nil {
		return err
	}
	for _, step := range []struct {
		c content
		v int64
	}{{c[0], v2}, {c[1], v1}} {
		if _, err := tx.ExecContext(ctx, set, step.c.id, step.c.typ, step.c.data, step.c.meta, step.c.schema,
			step.c.occurred, step.c.recorded, step.c.hash, stream, step.v); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func (tp tamperer) exec(query string, args ...any) error {
	_, err := tp.db.Exec(query, args...)
	return err
}

func event(n int) eventstore.Event {
	return eventstore.Event{
		ID: uuid.New(), Type: "test.happened", SchemaVersion: 1,
		Data:       []byte(fmt.Sprintf(`{"n":%d, "text":"Алматы"}`, n)),
		Metadata:   eventstore.Metadata{CorrelationID: "corr", Actor: "client:1"},
		OccurredAt: time.Now(),
	}
}

func events(n int) []eventstore.Event {
	out := make([]eventstore.Event, n)
	for i := range out {
		out[i] = event(i)
	}
	return out
}

func TestSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "data", "kabinet.db") // Open creates the directory
	a, b := eventstore.StreamName("policy", uuid.New()), eventstore.StreamName("claim", uuid.New())

	s, err := sqlite.Open(ctx, path, sqlite.Options{})
	require.NoError(t, err)
	_, err = s.Append(ctx, a, eventstore.NoStream, events(3)...)
	require.NoError(t, err)
	last, err := s.Append(ctx, b, eventstore.NoStream, events(2)...)
	require.NoError(t, err)
	before, err := s.ReadAll(ctx, eventstore.Position{}, 100)
	require.NoError(t, err)
	heads, err := s.Heads(ctx)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	_, err = s.Load(ctx, a, 0)
	assert.ErrorIs(t, err, eventstore.ErrUnavailable, "a closed store says so")

	s = open(t, path, sqlite.Options{})
	res, err := migrate.SQLite(ctx, s.DB())
	require.NoError(t, err)
	assert.Empty(t, res.Applied, "migrations ran once, at the first Open")
	assert.Positive(t, res.Current)

	after, err := s.ReadAll(ctx, eventstore.Position{}, 100)
	require.NoError(t, err)
	assert.Equal(t, before, after, "every field, hash and position comes back")
	reheads, err := s.Heads(ctx)
	require.NoError(t, err)
	assert.Equal(t, heads, reheads)
	require.NoError(t, s.Verify(ctx, ""))

	more, err := s.Append(ctx, a, eventstore.Exactly(3), event(4))
	require.NoError(t, err)
	assert.Equal(t, int64(4), more.FirstVersion)
	assert.True(t, last.Position.Less(more.Position), "positions continue after a restart")
	require.NoError(t, s.Verify(ctx, a))
}

// NOTES §2.4: with default deferred transactions and one pool, 558 of 800
// concurrent inserts failed with SQLITE_BUSY. The single write connection
// with BEGIN IMMEDIATE must make every one of them succeed, with readers
// running alongside.
func TestConcurrentAppendsNeverBusy(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "events.db"), sqlite.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const goroutines, perGoroutine = 16, 50

	readErr := make(chan error, 1)
	go func() {
		var after eventstore.Position
		for ctx.Err() == nil {
			batch, err := s.ReadAll(ctx, after, 50)
			if err != nil {
				if ctx.Err() == nil {
					readErr <- err
				}
				return
			}
			if len(batch) == 0 {
				time.Sleep(time.Millisecond)
				continue
			}
			after = batch[len(batch)-1].Position
		}
	}()

	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	start := make(chan struct{})
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for i := 0; i < perGoroutine; i++ {
				stream := eventstore.StreamName("client", uuid.New())
				if _, err := s.Append(ctx, stream, eventstore.NoStream, event(i)); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	cancel()
	require.Empty(t, errs, "every append succeeds")
	select {
	case err := <-readErr:
		t.Fatalf("reader failed: %v", err)
	default:
	}

	all, err := s.ReadAll(context.Background(), eventstore.Position{}, 1000)
	require.NoError(t, err)
	require.Len(t, all, goroutines*perGoroutine)
	for i := range all {
		assert.Equal(t, uint64(i+1), all[i].Position.Seq, "the log has no gaps when nothing rolled back")
	}
	require.NoError(t, s.Verify(context.Background(), ""))
}

// A write transaction held open on DB keeps other writers waiting and its
// events invisible; once it commits, readers see its events before those
// of the appends that waited for it.
func TestHeldWriteTransaction(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "events.db"), sqlite.Options{})
	ctx := context.Background()
	held, waiting := event(1), event(2)

	tx, err := s.DB().BeginTx(ctx, nil)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback() }()
	_, err = s.AppendTx(ctx, tx, eventstore.StreamName("a", uuid.New()), eventstore.NoStream, held)
	require.NoError(t, err)

	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, err = s.Append(short, eventstore.StreamName("b", uuid.New()), eventstore.NoStream, event(3))
	require.ErrorIs(t, err, context.DeadlineExceeded, "another writer waits for the open transaction")

	done := make(chan error, 1)
	go func() {
		_, err := s.Append(ctx, eventstore.StreamName("b", uuid.New()), eventstore.NoStream, waiting)
		done <- err
	}()
	visible, err := s.ReadAll(ctx, eventstore.Position{}, 10)
	require.NoError(t, err, "readers do not wait for the writer")
	assert.Empty(t, visible, "nothing of the open transaction is visible")

	require.NoError(t, tx.Commit())
	s.Committed()
	require.NoError(t, <-done)
	visible, err = s.ReadAll(ctx, eventstore.Position{}, 10)
	require.NoError(t, err)
	require.Len(t, visible, 2)
	assert.Equal(t, []uuid.UUID{held.ID, waiting.ID}, []uuid.UUID{visible[0].ID, visible[1].ID})
}

// AppendTx leaves the caller's transaction as it was when it refuses, so the
// caller's own writes can still commit.
func TestAppendTxRefusalKeepsCallerWork(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "events.db"), sqlite.Options{})
	ctx := context.Background()
	stream := eventstore.StreamName("policy", uuid.New())
	_, err := s.Append(ctx, stream, eventstore.NoStream, event(1))
	require.NoError(t, err)

	_, err = s.DB().ExecContext(ctx, `CREATE TABLE checkpoint (name TEXT PRIMARY KEY, position INTEGER NOT NULL)`)
	require.NoError(t, err)
	tx, err := s.DB().BeginTx(ctx, nil)
	require.NoError(t, err)
	_, err = tx.ExecContext(ctx, `INSERT INTO checkpoint VALUES ('policies', 1)`)
	require.NoError(t, err)
	_, err = s.AppendTx(ctx, tx, stream, eventstore.NoStream, event(2))
	require.ErrorIs(t, err, eventstore.ErrConcurrencyConflict)
	res, err := s.AppendTx(ctx, tx, stream, eventstore.Exactly(1), event(3))
	require.NoError(t, err)
	require.NoError(t, tx.Commit())
	s.Committed()

	var position int64
	require.NoError(t, s.ReadDB().QueryRowContext(ctx, `SELECT position FROM checkpoint`).Scan(&position))
	assert.Equal(t, int64(1), position)
	got, err := s.Load(ctx, stream, 0)
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, res.Position, got[1].Position)
	require.NoError(t, s.Verify(ctx, stream))
}

func TestOpenRefusesWhatIsNotAFile(t *testing.T) {
	for _, path := range []string{"", ":memory:", "file::memory:?cache=shared", filepath.Join(t.TempDir(), "x.db?_txlock=deferred")} {
		_, err := sqlite.Open(context.Background(), path, sqlite.Options{})
		assert.Error(t, err, "path %q", path)
	}
}

// The read pool is query_only: nothing written through it reaches the file.
func TestReadPoolCannotWrite(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "events.db"), sqlite.Options{})
	_, err := s.ReadDB().Exec(`CREATE TABLE intruder (x INTEGER)`)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "readonly")
}

// A writer outside the store (another process, say) that holds the write
// lock past busy_timeout makes an append fail with ErrUnavailable, and the
// driver's error type stays inside the package.
func TestLockedFileIsUnavailable(t *testing.T) {
	t.Parallel() // waits out the store's 5 s busy_timeout
	path := filepath.Join(t.TempDir(), "events.db")
	s := open(t, path, sqlite.Options{})
	other := newTamperer(t, path)
	tx, err := other.db.Begin() // BEGIN IMMEDIATE: takes the write lock
	require.NoError(t, err)
	defer func() { _ = tx.Rollback() }()

	_, err = s.Append(context.Background(), eventstore.StreamName("a", uuid.New()), eventstore.NoStream, event(1))
	require.ErrorIs(t, err, eventstore.ErrUnavailable)
	var driverErr *sqlitedriver.Error
	assert.False(t, errors.As(err, &driverErr), "no driver type crosses the boundary: %v", err)
}
