package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/eventstore"
)

// batch is an append's events in the form they are stored and hashed,
// computed before the write lock is taken.
type batch struct {
	stream  string
	rows    []eventstore.StoredRow // no version, recorded_at or hash yet
	digests [][]byte
	idsJSON string // the IDs as a JSON array, for the duplicate lookup
}

func newBatch(stream string, events []eventstore.Event) batch {
	b := batch{stream: stream, rows: make([]eventstore.StoredRow, len(events)), digests: make([][]byte, len(events))}
	ids := make([]string, len(events))
	for i, e := range events {
		c, meta := eventstore.Canonical(e)
		b.rows[i] = eventstore.StoredRow{
			ID: c.ID, Stream: stream, Type: c.Type, SchemaVersion: c.SchemaVersion,
			Data: c.Data, Metadata: meta, OccurredAt: c.OccurredAt,
		}
		b.digests[i] = eventstore.RowDigest(b.rows[i])
		ids[i] = c.ID.String()
	}
	j, _ := json.Marshal(ids) // strings always marshal
	b.idsJSON = string(j)
	return b
}

// Append implements eventstore.Store.
func (s *Store) Append(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events ...eventstore.Event) (eventstore.AppendResult, error) {
	op := "append to " + stream
	if err := s.check(ctx); err != nil {
		return eventstore.AppendResult{}, fmt.Errorf("%s: %w", op, err)
	}
	if err := eventstore.ValidateAppend(stream, expected, events); err != nil {
		return eventstore.AppendResult{}, err
	}
	b := newBatch(stream, events)

	tx, err := s.write.BeginTx(ctx, nil) // BEGIN IMMEDIATE: waits here for the write lock
	if err != nil {
		return eventstore.AppendResult{}, translate(ctx, op, err)
	}
	res, err := s.appendIn(ctx, tx, expected, b)
	if err != nil || res.Duplicate {
		_ = tx.Rollback() // nothing was written
		return res, err
	}
	if err := tx.Commit(); err != nil {
		return eventstore.AppendResult{}, translate(ctx, op, err)
	}
	s.wake.Notify()
	return res, nil
}

// AppendTx appends inside a write transaction the caller owns, begun on DB,
// under the same rules as Append. On error it leaves the transaction as it
// was before the call (unless ctx ended, which makes database/sql roll the
// whole transaction back). The events become visible when the caller commits;
// call Committed then, so that subscribers wake at once instead of at
// their next poll. The result's Position is valid only if the commit
// succeeds.
func (s *Store) AppendTx(ctx context.Context, tx *sql.Tx, stream string, expected eventstore.ExpectedVersion, events ...eventstore.Event) (eventstore.AppendResult, error) {
	op := "append to " + stream
	if err := s.check(ctx); err != nil {
		return eventstore.AppendResult{}, fmt.Errorf("%s: %w", op, err)
	}
	if err := eventstore.ValidateAppend(stream, expected, events); err != nil {
		return eventstore.AppendResult{}, err
	}
	b := newBatch(stream, events)
	// The savepoint keeps the append all-or-nothing inside a transaction
	// that the caller may still commit after an error.
	if _, err := tx.ExecContext(ctx, `SAVEPOINT kabinet_append`); err != nil {
		return eventstore.AppendResult{}, translate(ctx, op, err)
	}
	res, err := s.appendIn(ctx, tx, expected, b)
	if err != nil {
		if ctx.Err() != nil {
			return eventstore.AppendResult{}, err // database/sql has rolled the whole transaction back
		}
		for _, undo := range []string{`ROLLBACK TO kabinet_append`, `RELEASE kabinet_append`} {
			if _, uerr := tx.ExecContext(ctx, undo); uerr != nil {
				return eventstore.AppendResult{}, errors.Join(err, translate(ctx, op+": undo", uerr))
			}
		}
		return eventstore.AppendResult{}, err
	}
	if _, err := tx.ExecContext(ctx, `RELEASE kabinet_append`); err != nil {
		return eventstore.AppendResult{}, translate(ctx, op, err)
	}
	return res, nil
}

// Committed tells the store that a transaction used with AppendTx has
// committed, and wakes subscribers.
func (s *Store) Committed() { s.wake.Notify() }

const (
	knownSQL = `SELECT event_id, stream, version, type, schema_version, data, metadata, occurred_at, seq
FROM events WHERE event_id IN (SELECT value FROM json_each(?))`
	headSQL   = `SELECT version, head_hash, recorded_at FROM event_streams WHERE stream = ?`
	insertSQL = `INSERT INTO events (event_id, stream, version, type, schema_version, data, metadata, occurred_at, recorded_at, hash)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	moveHeadSQL = `INSERT INTO event_streams (stream, version, head_hash, recorded_at) VALUES (?, ?, ?, ?)
ON CONFLICT (stream) DO UPDATE SET version = excluded.version, head_hash = excluded.head_hash, recorded_at = excluded.recorded_at`
)

// appendIn is the append proper. tx holds the write lock, so what it reads
// cannot change before it writes.
func (s *Store) appendIn(ctx context.Context, tx *sql.Tx, expected eventstore.ExpectedVersion, b batch) (eventstore.AppendResult, error) {
	op := "append to " + b.stream
	// Idempotency comes before the version check: a retried append gets its
	// first answer back whatever it expected.
	if res, dup, err := s.duplicate(ctx, tx, b); dup || err != nil {
		return res, err
	}

	var (
		actual     int64
		prev       []byte
		lastMicros int64
	)
	err := tx.QueryRowContext(ctx, headSQL, b.stream).Scan(&actual, &prev, &lastMicros)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return eventstore.AppendResult{}, translate(ctx, op, err)
	}
	if expected != eventstore.Any && int64(expected) != actual {
		return eventstore.AppendResult{}, &eventstore.ConflictError{Stream: b.stream, Expected: expected, Actual: actual}
	}

	// Time in a stream never goes backwards, even if the clock does.
	micros := max(time.Now().UnixMicro(), lastMicros)
	recordedAt := time.UnixMicro(micros).UTC()

	ins, err := tx.PrepareContext(ctx, insertSQL)
	if err != nil {
		return eventstore.AppendResult{}, translate(ctx, op, err)
	}
	defer ins.Close()
	var seq int64
	for i, r := range b.rows {
		version := actual + int64(i) + 1
		hash := eventstore.ChainHash(prev, version, recordedAt, b.digests[i])
		res, err := ins.ExecContext(ctx, r.ID.String(), b.stream, version, r.Type, r.SchemaVersion,
			string(r.Data), string(r.Metadata), r.OccurredAt.UnixMicro(), micros, hash)
		if err != nil {
			return eventstore.AppendResult{}, translate(ctx, op, err)
		}
		if seq, err = res.LastInsertId(); err != nil {
			return eventstore.AppendResult{}, translate(ctx, op, err)
		}
		prev = hash
	}
	last := actual + int64(len(b.rows))
	if _, err := tx.ExecContext(ctx, moveHeadSQL, b.stream, last, prev, micros); err != nil {
		return eventstore.AppendResult{}, translate(ctx, op, err)
	}
	return eventstore.AppendResult{
		FirstVersion: actual + 1, LastVersion: last,
		Position: eventstore.Position{Seq: uint64(seq)},
	}, nil
}

// duplicate applies the idempotency rule. It reports dup when every event is
// already stored in this stream with the same content, one after the other
// in the same order, and returns ErrDuplicateEvent when only some are, or
// any differs or lives in another stream.
func (s *Store) duplicate(ctx context.Context, tx *sql.Tx, b batch) (eventstore.AppendResult, bool, error) {
	op := "append to " + b.stream
	rows, err := tx.QueryContext(ctx, knownSQL, b.idsJSON)
	if err != nil {
		return eventstore.AppendResult{}, false, translate(ctx, op, err)
	}
	defer rows.Close()
	type stored struct {
		eventstore.StoredRow
		seq int64
	}
	var known map[uuid.UUID]stored
	for rows.Next() {
		var (
			r          stored
			data, meta string
			occurred   int64
			id         string
		)
		if err := rows.Scan(&id, &r.Stream, &r.Version, &r.Type, &r.SchemaVersion, &data, &meta, &occurred, &r.seq); err != nil {
			return eventstore.AppendResult{}, false, translate(ctx, op, err)
		}
		if r.ID, err = uuid.Parse(id); err != nil {
			return eventstore.AppendResult{}, false, fmt.Errorf("%s: stored event id %q: %w", op, id, err)
		}
		r.Data, r.Metadata, r.OccurredAt = []byte(data), []byte(meta), time.UnixMicro(occurred).UTC()
		if known == nil {
			known = make(map[uuid.UUID]stored, len(b.rows))
		}
		known[r.ID] = r
	}
	if err := rows.Err(); err != nil {
		return eventstore.AppendResult{}, false, translate(ctx, op, err)
	}
	if len(known) == 0 {
		return eventstore.AppendResult{}, false, nil
	}
	if len(known) != len(b.rows) {
		return eventstore.AppendResult{}, false, fmt.Errorf("%s: %d of %d event ids are already stored: %w",
			op, len(known), len(b.rows), eventstore.ErrDuplicateEvent)
	}
	var res eventstore.AppendResult
	for i, r := range b.rows {
		old := known[r.ID]
		switch {
		case old.Stream != b.stream:
			return res, false, fmt.Errorf("%s: event %d: id %s is stored in another stream: %w", op, i, r.ID, eventstore.ErrDuplicateEvent)
		case !bytes.Equal(eventstore.RowDigest(old.StoredRow), b.digests[i]):
			return res, false, fmt.Errorf("%s: event %d: id %s is stored with other content: %w", op, i, r.ID, eventstore.ErrDuplicateEvent)
		case i == 0:
			res.FirstVersion = old.Version
		case old.Version != res.FirstVersion+int64(i):
			return res, false, fmt.Errorf("%s: event %d: id %s is stored, but not in this order: %w", op, i, r.ID, eventstore.ErrDuplicateEvent)
		}
		res.LastVersion, res.Position = old.Version, eventstore.Position{Seq: uint64(old.seq)}
	}
	res.Duplicate = true
	return res, true, nil
}
