package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kabinet/kabinet/domain/bonus"
	"github.com/kabinet/kabinet/domain/claim"
	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/domain/notice"
	"github.com/kabinet/kabinet/domain/policy"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/projections"
	"github.com/kabinet/kabinet/projections/readmodels"
)

// Decode decodes an event's data with its aggregate's codec, as every
// reader of the log does; events of streams no aggregate owns pass.
func Decode(e eventstore.RecordedEvent) error {
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
	if err != nil {
		return fmt.Errorf("decode %s version %d: %w", e.Stream, e.Version, err)
	}
	return nil
}

// ReadAllPage is the page size of the ReadAll workload.
const ReadAllPage = 1000

// ReadAllStore reads the whole log through s.ReadAll in pages and decodes
// every event; it returns how many it read.
func ReadAllStore(ctx context.Context, s eventstore.Store) (int64, error) {
	var (
		after eventstore.Position
		n     int64
	)
	for {
		batch, err := s.ReadAll(ctx, after, ReadAllPage)
		if err != nil {
			return n, err
		}
		if len(batch) == 0 {
			return n, nil
		}
		for _, e := range batch {
			if err := Decode(e); err != nil {
				return n, err
			}
		}
		n += int64(len(batch))
		after = batch[len(batch)-1].Position
	}
}

// ReadAllRaw is the baseline of ReadAllStore on PostgreSQL: one SELECT of
// the whole table in log order, scanned and decoded as the store and its
// readers do, with no paging and no visibility condition.
func ReadAllRaw(ctx context.Context, pool *pgxpool.Pool) (int64, error) {
	rows, err := pool.Query(ctx, `SELECT seq, tx, event_id, stream, version, type, schema_version, data, metadata,
		occurred_at, recorded_at, hash FROM events ORDER BY tx, seq`)
	if err != nil {
		return 0, fmt.Errorf("select the log: %w", err)
	}
	defer rows.Close()
	var n int64
	for rows.Next() {
		var (
			e    eventstore.RecordedEvent
			seq  int64
			meta []byte
		)
		if err := rows.Scan(&seq, &e.Position.Tx, &e.ID, &e.Stream, &e.Version, &e.Type, &e.SchemaVersion,
			&e.Data, &meta, &e.OccurredAt, &e.RecordedAt, &e.Hash); err != nil {
			return n, fmt.Errorf("scan the log: %w", err)
		}
		e.Position.Seq = uint64(seq)
		if err := json.Unmarshal(meta, &e.Metadata); err != nil {
			return n, fmt.Errorf("metadata of %s version %d: %w", e.Stream, e.Version, err)
		}
		e.OccurredAt, e.RecordedAt = e.OccurredAt.UTC(), e.RecordedAt.UTC()
		if err := Decode(e); err != nil {
			return n, err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("read the log: %w", err)
	}
	return n, nil
}

// Targets of the issue for reading.
const (
	readAllTarget = 0.8
	rebuildTarget = 0.6
)

// runReadAll measures ReadAll beside its baseline on a log of want events,
// the median of rounds runs of each; it returns the row and kabinet's rate.
func runReadAll(ctx context.Context, t target, want int64, rounds int, progress func(string, ...any)) (Row, float64, error) {
	progress("ReadAll of %d events with decoding: kabinet and raw SELECT, %d round(s)", want, rounds)
	var rates [2][]float64
	for range rounds {
		for i, read := range []func() (int64, error){
			func() (int64, error) { return ReadAllStore(ctx, t.store()) },
			func() (int64, error) { return t.rawRead(ctx) },
		} {
			start := time.Now()
			n, err := read()
			if err != nil {
				return Row{}, 0, fmt.Errorf("read all: %w", err)
			}
			if n != want {
				return Row{}, 0, fmt.Errorf("read all: read %d events of %d", n, want)
			}
			rates[i] = append(rates[i], float64(n)/time.Since(start).Seconds())
		}
	}
	kabinet, raw := median(rates[0]), median(rates[1])
	name := fmt.Sprintf("ReadAll of %s events, decoded", count(want))
	return rateRow(name, kabinet, raw, "one SELECT, same decoding", readAllTarget,
		fmt.Sprintf("pages of %d", ReadAllPage)), kabinet, nil
}

// runRebuild rebuilds every read model from the log and compares its rate
// with the ReadAll figure: a rebuild reads the log as ReadAll does and
// writes every read model besides.
func runRebuild(ctx context.Context, t target, events int64, readAll float64, progress func(string, ...any)) (Row, error) {
	progress("rebuild of all read models from %d events", events)
	var (
		results []projections.RebuildResult
		err     error
	)
	start := time.Now()
	heap := PeakHeap(func() {
		results, err = projections.RebuildAll(ctx, t.db(), t.store(), readmodels.All(), projections.RebuildOptions{})
	})
	elapsed := time.Since(start)
	if err != nil {
		return Row{}, fmt.Errorf("rebuild: %w", err)
	}
	for _, r := range results {
		if r.Events != events {
			return Row{}, fmt.Errorf("rebuild: %s applied %d events of %d", r.Projection, r.Events, events)
		}
	}
	return rateRow(fmt.Sprintf("rebuild of %d read models", len(results)), float64(events)/elapsed.Seconds(), readAll,
		"kabinet ReadAll above", rebuildTarget, fmt.Sprintf("peak heap %.0f MiB", float64(heap)/(1<<20))), nil
}

// PeakHeap samples the heap every 50 ms while fn runs and returns the most
// it saw in use.
func PeakHeap(fn func()) uint64 {
	var peak atomic.Uint64
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var m runtime.MemStats
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&m)
			peak.Store(max(peak.Load(), m.HeapAlloc))
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	fn()
	close(done)
	<-sampled
	return peak.Load()
}

// count formats n with thousands separators: 1,000,000.
func count(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
