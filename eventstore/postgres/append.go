package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/kabinet/kabinet/eventstore"
)

const appendSQL = `SELECT status, first_version, last_version, last_tx, last_seq
FROM kabinet_append($1, $2, $3, $4, $5, $6, $7, $8, $9)`

// appendArgs are kabinet_append's parameters for one batch.
type appendArgs struct {
	ids      []uuid.UUID
	types    []string
	schemas  []int32
	data     []string
	meta     []string
	occurred []time.Time
	digests  [][]byte
}

func newAppendArgs(stream string, events []eventstore.Event) appendArgs {
	n := len(events)
	a := appendArgs{
		ids: make([]uuid.UUID, n), types: make([]string, n), schemas: make([]int32, n),
		data: make([]string, n), meta: make([]string, n), occurred: make([]time.Time, n),
		digests: make([][]byte, n),
	}
	for i, e := range events {
		e, meta := eventstore.Canonical(e)
		a.ids[i], a.types[i], a.schemas[i] = e.ID, e.Type, int32(e.SchemaVersion)
		a.data[i], a.meta[i], a.occurred[i] = string(e.Data), string(meta), e.OccurredAt
		a.digests[i] = eventstore.Digest(e.ID, stream, e.Type, e.SchemaVersion, e.Data, meta, e.OccurredAt)
	}
	return a
}

// Append implements eventstore.Store.
func (s *Store) Append(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events ...eventstore.Event) (eventstore.AppendResult, error) {
	if err := eventstore.ValidateAppend(stream, expected, events); err != nil {
		return eventstore.AppendResult{}, err
	}
	res, err := s.appendWith(ctx, s.pool.QueryRow, stream, expected, events)
	if err == nil && !res.Duplicate {
		s.committed()
	}
	return res, err
}

// AppendInTx appends inside a transaction the caller owns (a pgx.Tx's
// QueryRow); the events become visible, and subscribers are woken, only when
// the caller commits and then calls Committed. It exists for bulk imports
// and for tests that hold a write transaction open.
func (s *Store) AppendInTx(ctx context.Context, queryRow QueryRowFunc, stream string, expected eventstore.ExpectedVersion, events ...eventstore.Event) (eventstore.AppendResult, error) {
	if err := eventstore.ValidateAppend(stream, expected, events); err != nil {
		return eventstore.AppendResult{}, err
	}
	return s.appendWith(ctx, queryRow, stream, expected, events)
}

// Committed tells the store that a transaction used with AppendInTx has committed.
func (s *Store) Committed() { s.committed() }

// QueryRowFunc is the QueryRow method of a pgx pool, connection or transaction.
type QueryRowFunc func(ctx context.Context, sql string, args ...any) pgx.Row

func (s *Store) appendWith(ctx context.Context, queryRow QueryRowFunc, stream string, expected eventstore.ExpectedVersion, events []eventstore.Event) (eventstore.AppendResult, error) {
	a := newAppendArgs(stream, events)
	var (
		status      string
		first, last *int64
		tx          *uint64
		seq         *int64
	)
	err := queryRow(ctx, appendSQL, stream, int64(expected),
		a.ids, a.types, a.schemas, a.data, a.meta, a.occurred, a.digests,
	).Scan(&status, &first, &last, &tx, &seq)
	if err != nil {
		return eventstore.AppendResult{}, translate("append to "+stream, err)
	}
	switch status {
	case "ok", "duplicate":
		return eventstore.AppendResult{
			FirstVersion: *first, LastVersion: *last,
			Position:  eventstore.Position{Tx: *tx, Seq: uint64(*seq)},
			Duplicate: status == "duplicate",
		}, nil
	case "conflict":
		return eventstore.AppendResult{}, &eventstore.ConflictError{Stream: stream, Expected: expected, Actual: *last}
	case "order_conflict":
		return eventstore.AppendResult{}, fmt.Errorf("append to %s: %w: the transaction wrote before a younger one appended to the stream; append in a new transaction",
			stream, &eventstore.ConflictError{Stream: stream, Expected: expected, Actual: *last})
	case "duplicate_mismatch":
		return eventstore.AppendResult{}, fmt.Errorf("append to %s: %w: an event id is stored with other content or in another stream", stream, eventstore.ErrDuplicateEvent)
	}
	return eventstore.AppendResult{}, fmt.Errorf("append to %s: unexpected status %q", stream, status)
}

// committed wakes local subscribers now and owes other processes a NOTIFY.
func (s *Store) committed() {
	s.start()
	s.wake.Notify()
	select {
	case s.pending <- struct{}{}:
	default: // one is owed already; it will cover this commit too
	}
}
