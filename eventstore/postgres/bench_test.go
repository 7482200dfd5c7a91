package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/eventstore/postgres"
	"github.com/kabinet/kabinet/internal/pgtest"
)

// Each kabinet benchmark has a raw twin that does the same SQL work with
// plain pgx: the same table, the same version check (the (stream, version)
// primary key), no store code. Compare the pair's events/s from one run.

func benchEvent() eventstore.Event {
	return eventstore.Event{
		ID: uuid.New(), Type: "policy.payment_received", SchemaVersion: 1,
		Data:       []byte(`{"payment_ref":"PAY-1234567","amount":"12500.00","paid_at":"2026-03-01T10:00:00+05:00"}`),
		Metadata:   eventstore.Metadata{CorrelationID: "c0ffee", CommandID: uuid.NewString(), Actor: "website"},
		OccurredAt: time.Now(),
	}
}

func reportRate(b *testing.B, events int64) {
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

const rawInsertSQL = `INSERT INTO events (event_id, stream, version, type, schema_version, data, metadata, occurred_at, recorded_at, hash)
SELECT i.id, $1, $2 + i.n, i.typ, i.sv, i.d::json, i.m::json, i.o, now(), '\x00'::bytea
FROM unnest($3::uuid[], $4::text[], $5::int[], $6::text[], $7::text[], $8::timestamptz[]) WITH ORDINALITY AS i(id, typ, sv, d, m, o, n)`

// rawAppend is the baseline: one multi-row INSERT at the expected version.
func rawAppend(ctx context.Context, pool *pgxpool.Pool, stream string, version int64, events []eventstore.Event) error {
	n := len(events)
	ids, types, schemas := make([]uuid.UUID, n), make([]string, n), make([]int32, n)
	data, meta, occurred := make([]string, n), make([]string, n), make([]time.Time, n)
	for i, e := range events {
		m, _ := json.Marshal(e.Metadata)
		ids[i], types[i], schemas[i], data[i], meta[i], occurred[i] = e.ID, e.Type, int32(e.SchemaVersion), string(e.Data), string(m), e.OccurredAt
	}
	_, err := pool.Exec(ctx, rawInsertSQL, stream, version, ids, types, schemas, data, meta, occurred)
	return err
}

func BenchmarkAppend(b *testing.B) {
	for _, tc := range []struct {
		name           string
		writers, perTx int
	}{
		{"1writer/1event", 1, 1},
		{"8writers/1event", 8, 1},
		{"1writer/10events", 1, 10},
		{"1writer/100events", 1, 100},
	} {
		b.Run("kabinet/"+tc.name, func(b *testing.B) {
			pool, _ := pgtest.New(b, pgtest.Options{MaxConns: 16})
			s := postgres.New(pool, postgres.Options{})
			defer s.Close()
			runWriters(b, tc.writers, tc.perTx, func(ctx context.Context, stream string, version int64, events []eventstore.Event) error {
				_, err := s.Append(ctx, stream, eventstore.Exactly(version), events...)
				return err
			})
		})
		b.Run("raw/"+tc.name, func(b *testing.B) {
			pool, _ := pgtest.New(b, pgtest.Options{MaxConns: 16})
			runWriters(b, tc.writers, tc.perTx, func(ctx context.Context, stream string, version int64, events []eventstore.Event) error {
				return rawAppend(ctx, pool, stream, version, events)
			})
		})
	}
}

// runWriters appends b.N transactions of perTx events from the given number
// of goroutines, each to its own stream.
func runWriters(b *testing.B, writers, perTx int, appendFn func(context.Context, string, int64, []eventstore.Event) error) {
	ctx := context.Background()
	batches := make([][]eventstore.Event, 64)
	for i := range batches {
		batches[i] = make([]eventstore.Event, perTx)
	}
	var next atomic.Int64
	b.ResetTimer()
	done := make(chan error, writers)
	for w := 0; w < writers; w++ {
		go func() {
			stream := eventstore.StreamName("bench", uuid.New())
			version := int64(0)
			events := make([]eventstore.Event, perTx)
			for next.Add(1) <= int64(b.N) {
				for i := range events {
					events[i] = benchEvent()
				}
				if err := appendFn(ctx, stream, version, events); err != nil {
					done <- err
					return
				}
				version += int64(perTx)
			}
			done <- nil
		}()
	}
	for w := 0; w < writers; w++ {
		if err := <-done; err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	reportRate(b, int64(b.N*perTx))
}

const readAllEvents = 50_000

func fill(b *testing.B) *pgxpool.Pool {
	b.Helper()
	pool, _ := pgtest.New(b)
	s := postgres.New(pool, postgres.Options{})
	defer s.Close()
	ctx := context.Background()
	for i := 0; i < readAllEvents/100; i++ {
		events := make([]eventstore.Event, 100)
		for j := range events {
			events[j] = benchEvent()
		}
		if _, err := s.Append(ctx, eventstore.StreamName("bench", uuid.New()), eventstore.NoStream, events...); err != nil {
			b.Fatal(err)
		}
	}
	return pool
}

func BenchmarkReadAll(b *testing.B) {
	pool := fill(b)
	ctx := context.Background()
	b.Run("kabinet/pages-of-1000", func(b *testing.B) {
		s := postgres.New(pool, postgres.Options{})
		defer s.Close()
		for b.Loop() {
			var after eventstore.Position
			n := 0
			for {
				batch, err := s.ReadAll(ctx, after, 1000)
				if err != nil {
					b.Fatal(err)
				}
				if len(batch) == 0 {
					break
				}
				n += len(batch)
				after = batch[len(batch)-1].Position
			}
			if n != readAllEvents {
				b.Fatalf("read %d events, want %d", n, readAllEvents)
			}
		}
		reportRate(b, int64(b.N*readAllEvents))
	})
	b.Run("raw/one-select", func(b *testing.B) {
		for b.Loop() {
			rows, err := pool.Query(ctx, `SELECT seq, tx, event_id, stream, version, type, schema_version, data, metadata,
				occurred_at, recorded_at, hash FROM events ORDER BY tx, seq`)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for rows.Next() {
				var (
					e    eventstore.RecordedEvent
					seq  int64
					meta []byte
				)
				if err := rows.Scan(&seq, &e.Position.Tx, &e.ID, &e.Stream, &e.Version, &e.Type, &e.SchemaVersion,
					&e.Data, &meta, &e.OccurredAt, &e.RecordedAt, &e.Hash); err != nil {
					b.Fatal(err)
				}
				if err := json.Unmarshal(meta, &e.Metadata); err != nil {
					b.Fatal(err)
				}
				n++
			}
			if rows.Err() != nil || n != readAllEvents {
				b.Fatal(fmt.Sprint(rows.Err(), n))
			}
		}
		reportRate(b, int64(b.N*readAllEvents))
	})
}
