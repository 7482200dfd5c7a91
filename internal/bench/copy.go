package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kabinet/kabinet/eventstore"
)

// copyStreamLength is how many events of an import go to one stream.
const copyStreamLength = 100

// CopyEvents is the bulk-import baseline: n new events, copyStreamLength per
// stream, into the events table through one COPY with pgx CopyFrom, with no
// kabinet code (no stream heads, a constant for the chain hash).
func CopyEvents(ctx context.Context, pool *pgxpool.Pool, n int) (int64, error) {
	var (
		i      int
		stream string
	)
	src := pgx.CopyFromFunc(func() ([]any, error) {
		if i == n {
			return nil, nil
		}
		if i%copyStreamLength == 0 {
			stream = eventstore.StreamName("import", uuid.New())
		}
		i++
		e := NewEvent()
		m, err := json.Marshal(e.Metadata)
		if err != nil {
			return nil, err
		}
		return []any{e.ID, stream, int64((i-1)%copyStreamLength + 1), e.Type, int32(e.SchemaVersion),
			string(e.Data), string(m), e.OccurredAt, e.OccurredAt, []byte{0}}, nil
	})
	copied, err := pool.CopyFrom(ctx, pgx.Identifier{"events"},
		[]string{"event_id", "stream", "version", "type", "schema_version", "data", "metadata", "occurred_at", "recorded_at", "hash"}, src)
	if err != nil {
		return copied, fmt.Errorf("copy %d events: %w", n, err)
	}
	return copied, nil
}

// runCopy measures the bulk-import baseline. kabinet has no import path
// yet, so the row carries the baseline alone: there is no kabinet figure
// to put beside it.
func runCopy(ctx context.Context, t target, n int, progress func(string, ...any)) (Row, error) {
	l := t.labels()
	progress("bulk import: %d events through %s", n, l.importMethod)
	if err := t.reset(ctx); err != nil {
		return Row{}, err
	}
	start := time.Now()
	copied, err := t.rawImport(ctx, n)
	if err != nil {
		return Row{}, err
	}
	rate := float64(copied) / time.Since(start).Seconds()
	if err := t.reset(ctx); err != nil {
		return Row{}, err
	}
	return Row{Name: l.importRow, Unit: "events/s", Baseline: ptr(rate), BaselineName: l.importMethod,
		Note: "kabinet's import path is not built yet; only the baseline is measured"}, nil
}
