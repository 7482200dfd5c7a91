// Package audittest changes the event log behind the store's back with
// plain SQL, the way someone with write access to the database could, on
// PostgreSQL and SQLite alike, so that tests can check that verification
// notices. It bypasses the hash chain on purpose; nothing but tests should
// import it. Every function fails when the rows it names do not exist.
package audittest

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/sqldb"
)

// SetData replaces one event's stored payload and leaves its hash alone.
func SetData(ctx context.Context, db sqldb.DB, stream string, version int64, data string) error {
	return db.InTx(ctx, func(tx sqldb.Tx) error {
		return setRow(ctx, tx, stream, version, data, nil)
	})
}

// Delete removes one event and leaves its stream head alone.
func Delete(ctx context.Context, db sqldb.DB, stream string, version int64) error {
	return db.InTx(ctx, func(tx sqldb.Tx) error {
		return exactlyOne(tx.Exec(ctx, `DELETE FROM events WHERE stream = $1 AND version = $2`, stream, version))
	})
}

// SwapData swaps the payloads of two events of a stream.
func SwapData(ctx context.Context, db sqldb.DB, stream string, v1, v2 int64) error {
	return db.InTx(ctx, func(tx sqldb.Tx) error {
		rows, err := storedRows(ctx, tx, stream)
		if err != nil {
			return err
		}
		r1, r2, err := pick(rows, v1, v2)
		if err != nil {
			return err
		}
		if err := setRow(ctx, tx, stream, v1, string(r2.Data), nil); err != nil {
			return err
		}
		return setRow(ctx, tx, stream, v2, string(r1.Data), nil)
	})
}

// SwapVersions gives each of two events the other's version, so that the
// stream reads them in each other's place.
func SwapVersions(ctx context.Context, db sqldb.DB, stream string, v1, v2 int64) error {
	// (stream, version) is unique, so one row moves through a free version.
	parked := int64(1) << 40
	return db.InTx(ctx, func(tx sqldb.Tx) error {
		for _, step := range [][2]int64{{v1, parked}, {v2, v1}, {parked, v2}} {
			if err := exactlyOne(tx.Exec(ctx, `UPDATE events SET version = $3 WHERE stream = $1 AND version = $2`,
				stream, step[0], step[1])); err != nil {
				return err
			}
		}
		return nil
	})
}

// Rewrite replaces one event's payload and then does what the store would
// have done had it been written that way: it recomputes the hash chain from
// that event to the end of the stream and moves the head to the new last
// hash. The store's Verify finds nothing wrong afterwards.
func Rewrite(ctx context.Context, db sqldb.DB, stream string, version int64, data string) error {
	return db.InTx(ctx, func(tx sqldb.Tx) error {
		rows, err := storedRows(ctx, tx, stream)
		if err != nil {
			return err
		}
		if version < 1 || version > int64(len(rows)) {
			return fmt.Errorf("rewrite %s: no version %d among %d events", stream, version, len(rows))
		}
		rows[version-1].Data = []byte(data)
		var prev []byte // the first event chains to nothing
		if version > 1 {
			prev = rows[version-2].Hash
		}
		for i := version - 1; i < int64(len(rows)); i++ {
			r := &rows[i]
			r.Hash = eventstore.ChainHash(prev, r.Version, r.RecordedAt, eventstore.RowDigest(*r))
			if err := setRow(ctx, tx, stream, r.Version, string(r.Data), r.Hash); err != nil {
				return err
			}
			prev = r.Hash
		}
		return setHead(ctx, tx, rows)
	})
}

// Truncate deletes a stream's last event and moves its head back to the
// event before, as if the last append had never happened. The store's
// Verify finds nothing wrong afterwards.
func Truncate(ctx context.Context, db sqldb.DB, stream string) error {
	return db.InTx(ctx, func(tx sqldb.Tx) error {
		rows, err := storedRows(ctx, tx, stream)
		if err != nil {
			return err
		}
		if len(rows) < 2 {
			return fmt.Errorf("truncate %s: want at least 2 events, have %d", stream, len(rows))
		}
		last := rows[len(rows)-1]
		if err := exactlyOne(tx.Exec(ctx, `DELETE FROM events WHERE stream = $1 AND version = $2`, stream, last.Version)); err != nil {
			return err
		}
		return setHead(ctx, tx, rows[:len(rows)-1])
	})
}

// storedRows reads a stream's events as stored, in version order.
func storedRows(ctx context.Context, tx sqldb.Tx, stream string) ([]eventstore.StoredRow, error) {
	rows, err := tx.Query(ctx, tx.Dialect().Pick(
		`SELECT event_id, version, type, schema_version, data::text, metadata::text, occurred_at, recorded_at, hash
		FROM events WHERE stream = $1 ORDER BY version`,
		`SELECT event_id, version, type, schema_version, data, metadata, occurred_at, recorded_at, hash
		FROM events WHERE stream = $1 ORDER BY version`), stream)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", stream, err)
	}
	out, err := sqldb.CollectRows(rows, func(row sqldb.Row) (eventstore.StoredRow, error) {
		var (
			r          = eventstore.StoredRow{Stream: stream}
			id         uuid.UUID
			data, meta string
			occ, rec   time.Time
		)
		err := row.Scan(&id, &r.Version, &r.Type, &r.SchemaVersion, &data, &meta, &occ, &rec, &r.Hash)
		r.ID, r.Data, r.Metadata, r.OccurredAt, r.RecordedAt = id, []byte(data), []byte(meta), occ, rec
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", stream, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("read %s: no events", stream)
	}
	return out, nil
}

func pick(rows []eventstore.StoredRow, v1, v2 int64) (r1, r2 eventstore.StoredRow, err error) {
	var found int
	for _, r := range rows {
		switch r.Version {
		case v1:
			r1, found = r, found+1
		case v2:
			r2, found = r, found+1
		}
	}
	if found != 2 {
		return r1, r2, fmt.Errorf("versions %d and %d: found %d of them", v1, v2, found)
	}
	return r1, r2, nil
}

// setRow writes one event's payload, and its hash unless hash is nil.
func setRow(ctx context.Context, tx sqldb.Tx, stream string, version int64, data string, hash []byte) error {
	set := tx.Dialect().Pick(`data = $3::json`, `data = $3`)
	args := []any{stream, version, data}
	if hash != nil {
		set += `, hash = $4`
		args = append(args, hash)
	}
	return exactlyOne(tx.Exec(ctx, `UPDATE events SET `+set+` WHERE stream = $1 AND version = $2`, args...))
}

// setHead points the stream's head at the last of rows, as an append
// would have left it.
func setHead(ctx context.Context, tx sqldb.Tx, rows []eventstore.StoredRow) error {
	last := rows[len(rows)-1]
	if tx.Dialect() == sqldb.SQLite {
		return exactlyOne(tx.Exec(ctx, `UPDATE event_streams SET version = $2, head_hash = $3 WHERE stream = $1`,
			last.Stream, last.Version, last.Hash))
	}
	// PostgreSQL also keeps the head before the last append (prev_hash);
	// an append of one event leaves it at the previous event's hash.
	prev := []byte{}
	if len(rows) > 1 {
		prev = rows[len(rows)-2].Hash
	}
	return exactlyOne(tx.Exec(ctx, `UPDATE event_streams SET version = $2, head_hash = $3, prev_hash = $4 WHERE stream = $1`,
		last.Stream, last.Version, last.Hash, prev))
}

func exactlyOne(res sqldb.Result, err error) error {
	if err != nil {
		return err
	}
	if n := res.RowsAffected(); n != 1 {
		return fmt.Errorf("changed %d rows, want 1", n)
	}
	return nil
}
