package bench

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/sqldb"
	"github.com/kabinet/kabinet/projections"
)

// recorder is a projection that writes down every event the runner hands
// it, in the order it gets them. It runs beside the read models on the same
// runner, so what it saw is what the runner delivered to every projection;
// the read models keep only what they fold, and could not tell a skipped or
// repeated event from a quiet one.
type recorder struct {
	skip func(eventstore.RecordedEvent) bool // test hook: drop these
}

const recorderTable = "bench_delivered"

func (recorder) Name() string     { return "bench_delivered" }
func (recorder) Version() int     { return 1 }
func (recorder) Tables() []string { return []string{recorderTable} }

func (recorder) Schema(d sqldb.Dialect, t projections.Tables) []string {
	table := pgx.Identifier{t[recorderTable]}.Sanitize()
	if d == sqldb.SQLite {
		// An INTEGER PRIMARY KEY is the rowid, which grows with each insert
		// into a table nothing is deleted from.
		return []string{`CREATE TABLE ` + table + ` (
		n        INTEGER PRIMARY KEY,
		event_id TEXT NOT NULL,
		stream   TEXT NOT NULL,
		version  INTEGER NOT NULL)`}
	}
	return []string{`CREATE TABLE ` + table + ` (
		n        bigint GENERATED ALWAYS AS IDENTITY,
		event_id uuid NOT NULL,
		stream   text NOT NULL,
		version  bigint NOT NULL)`}
}

func (r recorder) Apply(ctx context.Context, tx sqldb.Tx, t projections.Tables, batch []eventstore.RecordedEvent) error {
	table := pgx.Identifier{t[recorderTable]}.Sanitize()
	if tx.Dialect() == sqldb.SQLite {
		for _, e := range batch {
			if r.skip != nil && r.skip(e) {
				continue
			}
			if _, err := tx.Exec(ctx, `INSERT INTO `+table+` (event_id, stream, version) VALUES ($1, $2, $3)`,
				e.ID, e.Stream, e.Version); err != nil {
				return err
			}
		}
		return nil
	}
	ids, streams, versions := make([]uuid.UUID, 0, len(batch)), make([]string, 0, len(batch)), make([]int64, 0, len(batch))
	for _, e := range batch {
		if r.skip != nil && r.skip(e) {
			continue
		}
		ids, streams, versions = append(ids, e.ID), append(streams, e.Stream), append(versions, e.Version)
	}
	_, err := tx.Exec(ctx, `INSERT INTO `+table+` (event_id, stream, version)
		SELECT id, stream, version FROM unnest($1::uuid[], $2::text[], $3::bigint[]) WITH ORDINALITY AS i(id, stream, version, n)
		ORDER BY n`, ids, streams, versions)
	return err
}

// delivered reads what the recorder got, in delivery order, into a reader.
func delivered(ctx context.Context, db sqldb.DB) (*reader, error) {
	rows, err := db.Query(ctx, `SELECT event_id, stream, version FROM `+recorderTable+` ORDER BY n`)
	if err != nil {
		return nil, fmt.Errorf("read what the projections were given: %w", err)
	}
	defer rows.Close()
	r := newReader()
	for rows.Next() {
		var e eventstore.RecordedEvent
		if err := rows.Scan(&e.ID, &e.Stream, &e.Version); err != nil {
			return nil, fmt.Errorf("read what the projections were given: %w", err)
		}
		r.see(e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read what the projections were given: %w", err)
	}
	return r, nil
}
