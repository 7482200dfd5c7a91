package bench

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/eventstore"
)

// The SQLite baselines write and read the rows the SQLite event store
// does, in the same representation (UUID text, JSON text, Unix
// microseconds), through database/sql on the store's own pools and with no
// kabinet code: no stream head, no hash chain (a constant stands in), and
// the (stream, version) key as the only version check.

// rawLiteInsert is an INSERT of n events of one stream: $1 is the stream,
// $2 recorded_at, and each event has seven parameters after them.
func rawLiteInsert(n int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO events (event_id, stream, version, type, schema_version, data, metadata, occurred_at, recorded_at, hash) VALUES `)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		p := 3 + 7*i
		fmt.Fprintf(&b, "($%d, $1, $%d, $%d, $%d, $%d, $%d, $%d, $2, X'00')", p, p+1, p+2, p+3, p+4, p+5, p+6)
	}
	return b.String()
}

// rawLiteArgs appends an event's seven parameters of rawLiteInsert.
func rawLiteArgs(args []any, e eventstore.Event, version int64) ([]any, error) {
	m, err := json.Marshal(e.Metadata)
	if err != nil {
		return args, err
	}
	return append(args, e.ID.String(), version, e.Type, e.SchemaVersion, string(e.Data), string(m), e.OccurredAt.UnixMicro()), nil
}

// RawAppendSQLite is the baseline of StoreAppend on an SQLite file, given
// the store's write pool: one event is a single-row INSERT, a batch one
// multi-row INSERT, each its own durable transaction. A statement is
// prepared once for each batch size, as pgx's statement cache does for
// the PostgreSQL baseline.
func RawAppendSQLite(db *sql.DB) AppendFunc {
	var stmts sync.Map // batch size → *sql.Stmt
	return func(ctx context.Context, stream string, version int64, events []eventstore.Event) error {
		n := len(events)
		st, ok := stmts.Load(n)
		if !ok {
			prepared, err := db.PrepareContext(ctx, rawLiteInsert(n))
			if err != nil {
				return fmt.Errorf("prepare the INSERT of %d events: %w", n, err)
			}
			var loaded bool
			if st, loaded = stmts.LoadOrStore(n, prepared); loaded {
				_ = prepared.Close()
			}
		}
		args := make([]any, 0, 2+7*n)
		args = append(args, stream, time.Now().UnixMicro())
		for i, e := range events {
			var err error
			if args, err = rawLiteArgs(args, e, version+int64(i)+1); err != nil {
				return err
			}
		}
		_, err := st.(*sql.Stmt).ExecContext(ctx, args...)
		return err
	}
}

// ImportSQLite is the bulk-import baseline on an SQLite file, given the
// store's write pool: n new events, copyStreamLength per stream, through
// one prepared single-row INSERT in one transaction, SQLite's nearest to
// COPY.
func ImportSQLite(ctx context.Context, db *sql.DB, n int) (int64, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("begin the import: %w", err)
	}
	defer func() { _ = tx.Rollback() }() // a no-op after Commit
	st, err := tx.PrepareContext(ctx, rawLiteInsert(1))
	if err != nil {
		return 0, fmt.Errorf("prepare the import: %w", err)
	}
	defer st.Close()
	var (
		stream string
		args   = make([]any, 0, 9)
	)
	for i := range n {
		if i%copyStreamLength == 0 {
			stream = eventstore.StreamName("import", uuid.New())
		}
		e := NewEvent()
		args = append(args[:0], stream, e.OccurredAt.UnixMicro())
		if args, err = rawLiteArgs(args, e, int64(i%copyStreamLength+1)); err != nil {
			return int64(i), err
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return int64(i), fmt.Errorf("import event %d of %d: %w", i+1, n, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("commit the import: %w", err)
	}
	return int64(n), nil
}

// ReadAllRawSQLite is the baseline of ReadAllStore on an SQLite file,
// given the store's read pool: one SELECT of the whole table in log order,
// scanned and decoded as the store and its readers do, with no paging.
func ReadAllRawSQLite(ctx context.Context, db *sql.DB) (int64, error) {
	rows, err := db.QueryContext(ctx, `SELECT seq, event_id, stream, version, type, schema_version, data, metadata,
		occurred_at, recorded_at, hash FROM events ORDER BY seq`)
	if err != nil {
		return 0, fmt.Errorf("select the log: %w", err)
	}
	defer rows.Close()
	var n int64
	for rows.Next() {
		var (
			e                  eventstore.RecordedEvent
			seq                int64
			id                 string
			data, meta         []byte
			occurred, recorded int64
		)
		if err := rows.Scan(&seq, &id, &e.Stream, &e.Version, &e.Type, &e.SchemaVersion,
			&data, &meta, &occurred, &recorded, &e.Hash); err != nil {
			return n, fmt.Errorf("scan the log: %w", err)
		}
		if e.ID, err = uuid.Parse(id); err != nil {
			return n, fmt.Errorf("event id of %s version %d: %w", e.Stream, e.Version, err)
		}
		if err := json.Unmarshal(meta, &e.Metadata); err != nil {
			return n, fmt.Errorf("metadata of %s version %d: %w", e.Stream, e.Version, err)
		}
		e.Data = json.RawMessage(data)
		e.Position = eventstore.Position{Seq: uint64(seq)}
		e.OccurredAt, e.RecordedAt = time.UnixMicro(occurred).UTC(), time.UnixMicro(recorded).UTC()
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
