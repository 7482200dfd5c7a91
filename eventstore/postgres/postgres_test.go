package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/eventstore/eventstoretest"
	"github.com/kabinet/kabinet/eventstore/postgres"
	"github.com/kabinet/kabinet/internal/migrate"
	"github.com/kabinet/kabinet/internal/pgtest"
)

func newBackend(t *testing.T, up *eventstore.Upcasters) eventstoretest.Backend {
	pool, _ := pgtest.New(t, pgtest.Options{MaxConns: 40})
	s := postgres.New(pool, postgres.Options{Upcasters: up})
	t.Cleanup(s.Close)
	return eventstoretest.Backend{
		Store: s,
		BeginAppend: func(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events ...eventstore.Event) (func() error, func() error, error) {
			tx, err := pool.Begin(ctx)
			if err != nil {
				return nil, nil, err
			}
			// A failed test must not leave the transaction open: closing the pool would wait for it.
			t.Cleanup(func() { _ = tx.Rollback(context.Background()) })
			if _, err := s.AppendInTx(ctx, tx.QueryRow, stream, expected, events...); err != nil {
				_ = tx.Rollback(ctx)
				return nil, nil, err
			}
			commit := func() error {
				if err := tx.Commit(context.Background()); err != nil {
					return err
				}
				s.Committed()
				return nil
			}
			return commit, func() error { return tx.Rollback(context.Background()) }, nil
		},
		Tamper: tamperer{pool},
	}
}

func TestConformance(t *testing.T) {
	eventstoretest.Run(t, newBackend)
}

// tamperer edits rows with plain SQL, as an intruder with database access would.
type tamperer struct{ pool *pgxpool.Pool }

func (tp tamperer) exec(sql string, args ...any) error {
	_, err := tp.pool.Exec(context.Background(), sql, args...)
	return err
}

func (tp tamperer) SetData(stream string, version int64, data []byte) error {
	return tp.exec(`UPDATE events SET data = $3::text::json WHERE stream = $1 AND version = $2`, stream, version, string(data))
}

func (tp tamperer) Delete(stream string, version int64) error {
	return tp.exec(`DELETE FROM events WHERE stream = $1 AND version = $2`, stream, version)
}

func (tp tamperer) Swap(stream string, v1, v2 int64) error {
	ctx := context.Background()
	var id1, id2 uuid.UUID
	err := tp.pool.QueryRow(ctx, `SELECT (SELECT event_id FROM events WHERE stream = $1 AND version = $2),
		(SELECT event_id FROM events WHERE stream = $1 AND version = $3)`, stream, v1, v2).Scan(&id1, &id2)
	if err != nil {
		return err
	}
	// event_id is unique, so move the IDs through a parking value.
	for _, step := range []struct {
		v  int64
		id uuid.UUID
	}{{v1, uuid.New()}, {v2, id1}, {v1, id2}} {
		if err := tp.exec(`UPDATE events SET event_id = $3 WHERE stream = $1 AND version = $2`, stream, step.v, step.id); err != nil {
			return err
		}
	}
	return tp.exec(`UPDATE events e SET type = o.type, schema_version = o.schema_version,
		data = o.data, metadata = o.metadata, occurred_at = o.occurred_at, recorded_at = o.recorded_at, hash = o.hash
		FROM events o
		WHERE e.stream = $1 AND o.stream = $1 AND ((e.version = $2 AND o.version = $3) OR (e.version = $3 AND o.version = $2))`,
		stream, v1, v2)
}

func event() eventstore.Event {
	return eventstore.Event{ID: uuid.New(), Type: "test.happened", SchemaVersion: 1, Data: []byte(`{}`), OccurredAt: time.Now()}
}

// Two stores on one database stand for two kabinet processes: an append in
// one must wake a subscriber of the other through NOTIFY, not the poll.
func TestSubscribeWakesAcrossProcesses(t *testing.T) {
	pool, _ := pgtest.New(t)
	writer, reader := postgres.New(pool, postgres.Options{}), postgres.New(pool, postgres.Options{})
	t.Cleanup(writer.Close)
	t.Cleanup(reader.Close)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan uuid.UUID, 10)
	go func() {
		_ = reader.Subscribe(ctx, eventstore.SubscribeOptions{PollInterval: time.Hour}, func(_ context.Context, b []eventstore.RecordedEvent) error {
			for _, e := range b {
				got <- e.ID
			}
			return nil
		})
	}()
	// The listener wakes subscribers once when it connects; append after that.
	time.Sleep(300 * time.Millisecond)
	for i := 0; i < 3; i++ {
		e := event()
		_, err := writer.Append(ctx, eventstore.StreamName("x", uuid.New()), eventstore.NoStream, e)
		require.NoError(t, err)
		select {
		case id := <-got:
			assert.Equal(t, e.ID, id)
		case <-time.After(20 * time.Second):
			t.Fatalf("append %d in another process did not wake the subscriber", i)
		}
	}
}

// An open write transaction holds readers back: Frontier must name it, and
// the events behind it must flow as soon as it ends.
func TestFrontierReportsHeldTransaction(t *testing.T) {
	pool, _ := pgtest.New(t)
	s := postgres.New(pool, postgres.Options{})
	t.Cleanup(s.Close)
	ctx := context.Background()
	// Whether the frontier is held before the test's own transaction cannot
	// be asserted: transaction IDs are cluster-wide, and tests of other
	// packages write in other databases of the same server meanwhile.

	tx, err := pool.Begin(ctx)
	require.NoError(t, err)
	defer tx.Rollback(ctx)
	_, err = tx.Exec(ctx, `SELECT pg_current_xact_id()`)
	require.NoError(t, err)
	behind := event()
	_, err = s.Append(ctx, eventstore.StreamName("x", uuid.New()), eventstore.NoStream, behind)
	require.NoError(t, err)

	time.Sleep(20 * time.Millisecond)
	f, err := s.Frontier(ctx)
	require.NoError(t, err)
	require.True(t, f.Held())
	assert.Greater(t, f.OldestAge, time.Duration(0))
	assert.NotZero(t, f.OldestPID)
	visible, err := s.ReadAll(ctx, eventstore.Position{}, 10)
	require.NoError(t, err)
	assert.Empty(t, visible, "a commit behind an open transaction waits")

	require.NoError(t, tx.Rollback(ctx))
	// Other databases' transactions may hold it a moment longer.
	require.Eventually(t, func() bool {
		visible, err = s.ReadAll(ctx, eventstore.Position{}, 10)
		require.NoError(t, err)
		return len(visible) == 1
	}, 10*time.Second, 5*time.Millisecond)
	assert.Equal(t, behind.ID, visible[0].ID)
}

func TestMigrateIsIdempotent(t *testing.T) {
	pool, _ := pgtest.New(t)
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	res, err := migrate.Postgres(context.Background(), db)
	require.NoError(t, err)
	assert.Empty(t, res.Applied, "the template is migrated already")
	assert.Positive(t, res.Current)
}

// A commit that no notification announces (here: written with plain SQL
// through kabinet_append, bypassing the store) is still delivered, by the
// fallback poll.
func TestSubscribeCatchesUpWithoutNotification(t *testing.T) {
	pool, _ := pgtest.New(t)
	s := postgres.New(pool, postgres.Options{})
	t.Cleanup(s.Close)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan uuid.UUID, 1)
	go func() {
		_ = s.Subscribe(ctx, eventstore.SubscribeOptions{PollInterval: 100 * time.Millisecond}, func(_ context.Context, b []eventstore.RecordedEvent) error {
			for _, e := range b {
				got <- e.ID
			}
			return nil
		})
	}()
	time.Sleep(300 * time.Millisecond) // past the listener's first wake-up
	id := uuid.New()
	var status string
	err := pool.QueryRow(ctx, `SELECT status FROM kabinet_append($1, 0, $2, $3, $4, $5, $6, $7, $8)`,
		eventstore.StreamName("x", uuid.New()), []uuid.UUID{id}, []string{"test.happened"}, []int32{1},
		[]string{`{}`}, []string{`{}`}, []time.Time{time.Now()}, [][]byte{make([]byte, 32)}).Scan(&status)
	require.NoError(t, err)
	require.Equal(t, "ok", status)
	select {
	case seen := <-got:
		assert.Equal(t, id, seen)
	case <-time.After(20 * time.Second):
		t.Fatal("an unannounced commit was never delivered")
	}
}
