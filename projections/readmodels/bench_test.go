package readmodels_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/eventstore/postgres"
	"github.com/kabinet/kabinet/internal/bench"
	"github.com/kabinet/kabinet/internal/dbtest"
	"github.com/kabinet/kabinet/internal/pgtest"
	"github.com/kabinet/kabinet/internal/sqldb"
	"github.com/kabinet/kabinet/internal/synth"
	"github.com/kabinet/kabinet/projections"
	"github.com/kabinet/kabinet/projections/readmodels"
)

// benchEvents is the size of the log; KABINET_BENCH_EVENTS overrides it
// (the figures in the notes use 1,000,000).
func benchEvents() int64 {
	if n, err := strconv.ParseInt(os.Getenv("KABINET_BENCH_EVENTS"), 10, 64); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// BenchmarkRebuild rebuilds every read model from a realistic log beside a
// baseline that reads and decodes the same events without writing (the
// ReadAll workload of `kabinet bench`).
// Target: rebuild ≥ 0.6× the baseline's events/s, heap flat in the log size.
func BenchmarkRebuild(b *testing.B) {
	pool, _ := pgtest.New(b, pgtest.Options{MaxConns: 8})
	store := postgres.New(pool, postgres.Options{})
	defer store.Close()
	benchRebuild(b, sqldb.FromPgx(pool), store)
}

// BenchmarkRebuildSQLite is BenchmarkRebuild on the embedded SQLite file,
// whose read models write row by row.
func BenchmarkRebuildSQLite(b *testing.B) {
	db := dbtest.SQLite(b)
	benchRebuild(b, db.DB, db.Store)
}

func benchRebuild(b *testing.B, db sqldb.DB, store eventstore.Store) {
	ctx := context.Background()
	n, err := synth.Fill(ctx, store, benchEvents(), 4, 1, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("log: %d events", n)

	b.Run("raw/read-decode", func(b *testing.B) {
		var heap uint64
		for b.Loop() {
			heap = bench.PeakHeap(func() {
				if read, err := bench.ReadAllStore(ctx, store); err != nil || read != n {
					b.Fatalf("read %d events of %d: %v", read, n, err)
				}
			})
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
		b.ReportMetric(float64(heap)/(1<<20), "peak-heap-MiB")
	})
	b.Run("kabinet/rebuild-all", func(b *testing.B) {
		var heap uint64
		for b.Loop() {
			heap = bench.PeakHeap(func() {
				if _, err := projections.RebuildAll(ctx, db, store, readmodels.All(), projections.RebuildOptions{}); err != nil {
					b.Fatal(err)
				}
			})
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
		b.ReportMetric(float64(heap)/(1<<20), "peak-heap-MiB")
	})
}
