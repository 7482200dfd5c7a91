package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/kabinet/kabinet/eventstore"
)

const appendFuncSQL = `SELECT status, first_version, last_version, last_tx, last_seq
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

// The store's own appends are one statement. The head row moves first (an
// UPDATE at the expected version, or an upsert for Any and NoStream), and its
// RETURNING feeds the event insert, so the version check, the unique event
// ID, the hash chain and the xid8 column cost one round trip. The stream's
// advisory lock is taken in the head statement's qualification (or source
// row) so that, as in kabinet_append, the transaction gets its ID only once
// it holds the lock. A statement that returns no rows lost the version check;
// a unique violation on event_id is a repeat or a clash. Both rare cases are
// told apart afterwards by resolve.
var (
	appendExactSQL        = appendSQL(true, false)
	appendUpsertSQL       = appendSQL(false, false)
	appendExactSingleSQL  = appendSQL(true, true)
	appendUpsertSingleSQL = appendSQL(false, true)
)

// appendSQL composes the append statement: exact moves the head with an
// UPDATE at the expected version, otherwise an upsert (Any and NoStream);
// single hashes one event inline, which spares two calls of the PL/pgSQL
// kabinet_chain on the most common append.
func appendSQL(exact, single bool) string {
	const at = "greatest(now(), s.recorded_at)"
	micros := func(t string) string { return "int8send((extract(epoch FROM " + t + ") * 1000000)::bigint)" }
	headHash := func(prev, version, t string) string {
		if single {
			return "sha256(" + prev + " || int8send(" + version + " + 1) || " + micros(t) + " || ($9::bytea[])[1])"
		}
		return "(kabinet_chain(" + prev + ", " + version + ", " + t + ", $9))[$10]"
	}
	set := `SET version = s.version + $10::int, prev_hash = s.head_hash,
	       head_hash = ` + headHash("s.head_hash", "s.version", at) + `,
	       recorded_at = ` + at + `, last_tx = pg_current_xact_id()`
	returning := `RETURNING s.version - $10 AS base, s.prev_hash, s.recorded_at, s.head_hash`
	var head string
	if exact {
		head = `WITH head AS (
	UPDATE event_streams s
	   ` + set + `
	 WHERE s.stream = $1 AND pg_advisory_xact_lock(7310, hashtext($1)) IS NOT NULL AND s.version = $2
	` + returning + `)`
	} else {
		head = `WITH head AS (
	INSERT INTO event_streams AS s (stream, version, prev_hash, head_hash, recorded_at, last_tx)
	SELECT $1, $10::int, '\x'::bytea, ` + headHash("'\\x'::bytea", "0", "now()") + `, now(), pg_current_xact_id()
	  FROM (SELECT pg_advisory_xact_lock(7310, hashtext($1))) AS locked
	ON CONFLICT (stream) DO UPDATE
	   ` + set + `
	 WHERE $2 < 0
	` + returning + `)`
	}
	chain, hash := `,
chain AS MATERIALIZED (
	SELECT h.base, h.recorded_at, kabinet_chain(h.prev_hash, h.base, h.recorded_at, $9) AS hashes FROM head h)`, "c.hashes[i.n]"
	if single {
		chain, hash = `,
chain AS (SELECT h.base, h.recorded_at, h.head_hash FROM head h)`, "c.head_hash"
	}
	return head + chain + `,
ins AS (
	INSERT INTO events (event_id, stream, version, type, schema_version, data, metadata, occurred_at, recorded_at, hash)
	SELECT i.id, $1, c.base + i.n, i.typ, i.sv, i.d::json, i.m::json, i.o, c.recorded_at, ` + hash + `
	  FROM chain c, unnest($3::uuid[], $4::text[], $5::int[], $6::text[], $7::text[], $8::timestamptz[])
	       WITH ORDINALITY AS i(id, typ, sv, d, m, o, n)
	 ORDER BY i.n
	RETURNING version, seq, tx)
SELECT min(version), max(version), max(tx), max(seq) FROM ins`
}

// Append implements eventstore.Store.
func (s *Store) Append(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events ...eventstore.Event) (eventstore.AppendResult, error) {
	if err := eventstore.ValidateAppend(stream, expected, events); err != nil {
		return eventstore.AppendResult{}, err
	}
	a := newAppendArgs(stream, events)
	query := appendUpsertSQL
	switch {
	case expected > 0 && len(events) == 1:
		query = appendExactSingleSQL
	case expected > 0:
		query = appendExactSQL
	case len(events) == 1:
		query = appendUpsertSingleSQL
	}
	var (
		first, last *int64
		tx          *uint64
		seq         *int64
	)
	err := s.pool.QueryRow(ctx, query, stream, int64(expected),
		a.ids, a.types, a.schemas, a.data, a.meta, a.occurred, a.digests, int32(len(events)),
	).Scan(&first, &last, &tx, &seq)
	switch {
	case err == nil && first != nil:
		s.committed()
		return eventstore.AppendResult{FirstVersion: *first, LastVersion: *last,
			Position: eventstore.Position{Tx: *tx, Seq: uint64(*seq)}}, nil
	case err == nil, isEventIDClash(err):
		return s.resolve(ctx, stream, expected, a)
	}
	return eventstore.AppendResult{}, translate("append to "+stream, err)
}

func isEventIDClash(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == "events_event_id_key"
}

// resolve explains an append that wrote nothing: a repeat of an append that
// is stored (answered with its first result), an event ID stored with other
// content, or a lost version check.
func (s *Store) resolve(ctx context.Context, stream string, expected eventstore.ExpectedVersion, a appendArgs) (eventstore.AppendResult, error) {
	rows, err := s.pool.Query(ctx, `SELECT event_id, stream, version, type, schema_version, data::text, metadata::text,
		occurred_at, tx, seq FROM events WHERE event_id = ANY ($1) ORDER BY version`, a.ids)
	if err != nil {
		return eventstore.AppendResult{}, translate("append to "+stream, err)
	}
	type stored struct {
		id          uuid.UUID
		stream, typ string
		version     int64
		schema      int32
		data, meta  string
		occurred    time.Time
		tx          uint64
		seq         int64
	}
	found, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (stored, error) {
		var x stored
		err := r.Scan(&x.id, &x.stream, &x.version, &x.typ, &x.schema, &x.data, &x.meta, &x.occurred, &x.tx, &x.seq)
		return x, err
	})
	if err != nil {
		return eventstore.AppendResult{}, translate("append to "+stream, err)
	}
	if len(found) > 0 {
		same := len(found) == len(a.ids)
		for i := 0; same && i < len(found); i++ {
			f := found[i]
			same = f.id == a.ids[i] && f.stream == stream && f.version == found[0].version+int64(i) &&
				f.typ == a.types[i] && f.schema == a.schemas[i] && f.data == a.data[i] && f.meta == a.meta[i] &&
				f.occurred.Equal(a.occurred[i])
		}
		if !same {
			return eventstore.AppendResult{}, fmt.Errorf("append to %s: %w: an event id is stored with other content or in another stream", stream, eventstore.ErrDuplicateEvent)
		}
		last := found[len(found)-1]
		return eventstore.AppendResult{FirstVersion: found[0].version, LastVersion: last.version,
			Position: eventstore.Position{Tx: last.tx, Seq: uint64(last.seq)}, Duplicate: true}, nil
	}
	var actual int64
	err = s.pool.QueryRow(ctx, `SELECT coalesce((SELECT version FROM event_streams WHERE stream = $1), 0)`, stream).Scan(&actual)
	if err != nil {
		return eventstore.AppendResult{}, translate("append to "+stream, err)
	}
	return eventstore.AppendResult{}, &eventstore.ConflictError{Stream: stream, Expected: expected, Actual: actual}
}

// AppendInTx appends inside a transaction the caller owns (a pgx.Tx's
// QueryRow); the events become visible, and subscribers are woken, only when
// the caller commits and then calls Committed. It exists for bulk imports
// and for tests that hold a write transaction open.
func (s *Store) AppendInTx(ctx context.Context, queryRow QueryRowFunc, stream string, expected eventstore.ExpectedVersion, events ...eventstore.Event) (eventstore.AppendResult, error) {
	if err := eventstore.ValidateAppend(stream, expected, events); err != nil {
		return eventstore.AppendResult{}, err
	}
	return s.appendInTx(ctx, queryRow, stream, expected, events)
}

// Committed tells the store that a transaction used with AppendInTx has committed.
func (s *Store) Committed() { s.committed() }

// QueryRowFunc is the QueryRow method of a pgx pool, connection or transaction.
type QueryRowFunc func(ctx context.Context, sql string, args ...any) pgx.Row

func (s *Store) appendInTx(ctx context.Context, queryRow QueryRowFunc, stream string, expected eventstore.ExpectedVersion, events []eventstore.Event) (eventstore.AppendResult, error) {
	a := newAppendArgs(stream, events)
	var (
		status      string
		first, last *int64
		tx          *uint64
		seq         *int64
	)
	err := queryRow(ctx, appendFuncSQL, stream, int64(expected),
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
