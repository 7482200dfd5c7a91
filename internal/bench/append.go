package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/errgroup"

	"github.com/kabinet/kabinet/eventstore"
)

// NewEvent returns an event as the append workloads write it: a payment of
// the size and shape the cabinet records most.
func NewEvent() eventstore.Event {
	return eventstore.Event{
		ID: uuid.New(), Type: "policy.payment_received", SchemaVersion: 1,
		Data:       []byte(`{"payment_ref":"PAY-1234567","amount":"12500.00","paid_at":"2026-03-01T10:00:00+05:00"}`),
		Metadata:   eventstore.Metadata{CorrelationID: "c0ffee", CommandID: uuid.NewString(), Actor: "website"},
		OccurredAt: time.Now(),
	}
}

// AppendFunc appends one transaction's events to stream, whose version
// before them is version.
type AppendFunc func(ctx context.Context, stream string, version int64, events []eventstore.Event) error

// StoreAppend appends through the store with the expected-version check.
func StoreAppend(s eventstore.Store) AppendFunc {
	return func(ctx context.Context, stream string, version int64, events []eventstore.Event) error {
		_, err := s.Append(ctx, stream, eventstore.Exactly(version), events...)
		return err
	}
}

// The PostgreSQL baseline writes the same rows to the same table with plain
// pgx and no kabinet code: no stream head, no hash chain (a constant stands
// in), and the (stream, version) primary key as the only version check. One
// event is a single-row INSERT; a batch is one multi-row INSERT.
const (
	rawInsertOneSQL = `INSERT INTO events (event_id, stream, version, type, schema_version, data, metadata, occurred_at, recorded_at, hash)
VALUES ($1, $2, $3, $4, $5, $6::json, $7::json, $8, now(), '\x00'::bytea)`
	rawInsertManySQL = `INSERT INTO events (event_id, stream, version, type, schema_version, data, metadata, occurred_at, recorded_at, hash)
SELECT i.id, $1, $2 + i.n, i.typ, i.sv, i.d::json, i.m::json, i.o, now(), '\x00'::bytea
FROM unnest($3::uuid[], $4::text[], $5::int[], $6::text[], $7::text[], $8::timestamptz[]) WITH ORDINALITY AS i(id, typ, sv, d, m, o, n)`
)

// RawAppend is the baseline of StoreAppend on PostgreSQL.
func RawAppend(pool *pgxpool.Pool) AppendFunc {
	return func(ctx context.Context, stream string, version int64, events []eventstore.Event) error {
		if len(events) == 1 {
			e := events[0]
			m, err := json.Marshal(e.Metadata)
			if err != nil {
				return err
			}
			_, err = pool.Exec(ctx, rawInsertOneSQL, e.ID, stream, version+1, e.Type, int32(e.SchemaVersion), string(e.Data), string(m), e.OccurredAt)
			return err
		}
		n := len(events)
		ids, types, schemas := make([]uuid.UUID, n), make([]string, n), make([]int32, n)
		data, meta, occurred := make([]string, n), make([]string, n), make([]time.Time, n)
		for i, e := range events {
			m, err := json.Marshal(e.Metadata)
			if err != nil {
				return err
			}
			ids[i], types[i], schemas[i], data[i], meta[i], occurred[i] = e.ID, e.Type, int32(e.SchemaVersion), string(e.Data), string(m), e.OccurredAt
		}
		_, err := pool.Exec(ctx, rawInsertManySQL, stream, version, ids, types, schemas, data, meta, occurred)
		return err
	}
}

// Write runs writers goroutines, each appending transactions of perTx new
// events to a stream of its own, for as long as more returns true (it is
// called before every transaction, from every writer). It returns the
// number of events written.
func Write(ctx context.Context, writers, perTx int, more func() bool, appendFn AppendFunc) (int64, error) {
	counts := make([]int64, writers)
	g, ctx := errgroup.WithContext(ctx)
	for w := range writers {
		g.Go(func() error {
			stream := eventstore.StreamName("bench", uuid.New())
			version := int64(0)
			events := make([]eventstore.Event, perTx)
			for ctx.Err() == nil && more() {
				for i := range events {
					events[i] = NewEvent()
				}
				if err := appendFn(ctx, stream, version, events); err != nil {
					return fmt.Errorf("writer %d: %w", w, err)
				}
				version += int64(perTx)
			}
			counts[w] = version
			return ctx.Err()
		})
	}
	err := g.Wait()
	var total int64
	for _, c := range counts {
		total += c
	}
	return total, err
}

// appendCase is one append workload of the issue.
type appendCase struct {
	name           string
	writers, perTx int
}

var appendCases = []appendCase{
	{"append 1 event/tx, 1 writer", 1, 1},
	{"append 1 event/tx, 8 writers", 8, 1},
	{"append 10 events/tx, 1 writer", 1, 10},
	{"append 100 events/tx, 1 writer", 1, 100},
}

// appendTarget is the target ratio for every append size.
const appendTarget = 0.8

// runAppends measures each append workload beside its baseline. Each
// measurement starts on empty tables after a checkpoint, and the two sides
// alternate, so that neither inherits the other's table size or WAL debt.
func runAppends(ctx context.Context, t target, sz Sizes, progress func(string, ...any)) ([]Row, error) {
	var rows []Row
	l := t.labels()
	for _, c := range appendCases {
		progress("%s: kabinet and %s, %d round(s) of %s each", c.name, l.raw, sz.AppendRounds, sz.AppendDuration)
		var kabinet, raw []float64
		for range sz.AppendRounds {
			for _, side := range []struct {
				fn  AppendFunc
				out *[]float64
			}{{StoreAppend(t.store()), &kabinet}, {t.rawAppend(), &raw}} {
				if err := t.reset(ctx); err != nil {
					return nil, err
				}
				rate, err := timedWrite(ctx, c.writers, c.perTx, sz.AppendDuration, side.fn)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", c.name, err)
				}
				*side.out = append(*side.out, rate)
			}
		}
		baseline := l.insertOne
		if c.perTx > 1 {
			baseline = l.insertMany
		}
		rows = append(rows, rateRow(c.name, median(kabinet), median(raw), baseline, appendTarget,
			"expected-version check, durable commit"))
	}
	return rows, t.reset(ctx)
}

// timedWrite runs Write for d and returns events per second.
func timedWrite(ctx context.Context, writers, perTx int, d time.Duration, fn AppendFunc) (float64, error) {
	start := time.Now()
	deadline := start.Add(d)
	n, err := Write(ctx, writers, perTx, func() bool { return time.Now().Before(deadline) }, fn)
	if err != nil {
		return 0, err
	}
	return float64(n) / time.Since(start).Seconds(), nil
}
