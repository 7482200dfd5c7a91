package readmodels_test

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kabinet/kabinet/domain/bonus"
	"github.com/kabinet/kabinet/domain/claim"
	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/domain/notice"
	"github.com/kabinet/kabinet/domain/policy"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/eventstore/postgres"
	"github.com/kabinet/kabinet/internal/pgtest"
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

// decode decodes an event with its aggregate's codec, as every read path does.
func decode(e eventstore.RecordedEvent) error {
	var err error
	switch prefix, _, _ := strings.Cut(e.Stream, "-"); prefix {
	case client.Aggregate:
		_, err = client.DecodeEvent(e.Type, e.SchemaVersion, e.Data)
	case policy.Aggregate:
		_, err = policy.DecodeEvent(e.Type, e.SchemaVersion, e.Data)
	case claim.Aggregate:
		_, err = claim.DecodeEvent(e.Type, e.SchemaVersion, e.Data)
	case bonus.Aggregate:
		_, err = bonus.DecodeEvent(e.Type, e.SchemaVersion, e.Data)
	case notice.Aggregate:
		_, err = notice.DecodeEvent(e.Type, e.SchemaVersion, e.Data)
	}
	return err
}

// peakHeap samples the heap while fn runs.
func peakHeap(fn func()) uint64 {
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		var m runtime.MemStats
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > peak.Load() {
				peak.Store(m.HeapAlloc)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	fn()
	close(done)
	return peak.Load()
}

// BenchmarkRebuild rebuilds every read model from a realistic log beside a
// baseline that reads and decodes the same events without writing.
// Target: rebuild ≥ 0.6× the baseline's events/s, heap flat in the log size.
func BenchmarkRebuild(b *testing.B) {
	ctx := context.Background()
	pool, _ := pgtest.New(b, pgtest.Options{MaxConns: 8})
	store := postgres.New(pool, postgres.Options{})
	defer store.Close()
	n, err := synth.Fill(ctx, store, benchEvents(), 4, 1, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("log: %d events", n)

	b.Run("raw/read-decode", func(b *testing.B) {
		var heap uint64
		for b.Loop() {
			heap = peakHeap(func() {
				var after eventstore.Position
				for {
					batch, err := store.ReadAll(ctx, after, 1000)
					if err != nil {
						b.Fatal(err)
					}
					if len(batch) == 0 {
						return
					}
					for _, e := range batch {
						if err := decode(e); err != nil {
							b.Fatal(err)
						}
					}
					after = batch[len(batch)-1].Position
				}
			})
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
		b.ReportMetric(float64(heap)/(1<<20), "peak-heap-MiB")
	})
	b.Run("kabinet/rebuild-all", func(b *testing.B) {
		var heap uint64
		for b.Loop() {
			heap = peakHeap(func() {
				if _, err := projections.RebuildAll(ctx, pool, store, readmodels.All(), projections.RebuildOptions{}); err != nil {
					b.Fatal(err)
				}
			})
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
		b.ReportMetric(float64(heap)/(1<<20), "peak-heap-MiB")
	})
}
