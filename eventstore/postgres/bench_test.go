package postgres_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/eventstore/postgres"
	"github.com/kabinet/kabinet/internal/bench"
	"github.com/kabinet/kabinet/internal/pgtest"
)

// Each kabinet benchmark has a raw twin that does the same SQL work with
// plain pgx: the same table, the same version check (the (stream, version)
// primary key), no store code. Compare the pair's events/s from one run.
// The workloads are those of `kabinet bench` (internal/bench).

func reportRate(b *testing.B, events int64) {
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
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
			runWriters(b, tc.writers, tc.perTx, bench.StoreAppend(s))
		})
		b.Run("raw/"+tc.name, func(b *testing.B) {
			pool, _ := pgtest.New(b, pgtest.Options{MaxConns: 16})
			runWriters(b, tc.writers, tc.perTx, bench.RawAppend(pool))
		})
	}
}

// runWriters appends b.N transactions of perTx events from the given number
// of goroutines, each to its own stream.
func runWriters(b *testing.B, writers, perTx int, appendFn bench.AppendFunc) {
	var next atomic.Int64
	b.ResetTimer()
	n, err := bench.Write(context.Background(), writers, perTx, func() bool { return next.Add(1) <= int64(b.N) }, appendFn)
	if err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	reportRate(b, n)
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
			events[j] = bench.NewEvent()
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
			n, err := bench.ReadAllStore(ctx, s)
			if err != nil {
				b.Fatal(err)
			}
			if n != readAllEvents {
				b.Fatalf("read %d events, want %d", n, readAllEvents)
			}
		}
		reportRate(b, int64(b.N*readAllEvents))
	})
	b.Run("raw/one-select", func(b *testing.B) {
		for b.Loop() {
			n, err := bench.ReadAllRaw(ctx, pool)
			if err != nil {
				b.Fatal(err)
			}
			if n != readAllEvents {
				b.Fatalf("read %d events, want %d", n, readAllEvents)
			}
		}
		reportRate(b, int64(b.N*readAllEvents))
	})
}
