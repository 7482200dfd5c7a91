package projections

import (
	"context"
	"fmt"
	"time"

	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/sqldb"
)

// The few questions the runner asks of the event log directly, in each
// dialect. On PostgreSQL only transactions below the snapshot's xmin are
// visible in log order (eventstore/postgres); on SQLite every committed row
// is, and positions are the seq alone.

// logEnd is the position of the last visible event (zero for an empty log).
func logEnd(ctx context.Context, db sqldb.DB) (eventstore.Position, error) {
	var tx, seq int64
	err := db.QueryRow(ctx, db.Dialect().Pick(
		`SELECT tx::text::bigint, seq FROM events WHERE tx < pg_snapshot_xmin(pg_current_snapshot())
		ORDER BY tx DESC, seq DESC LIMIT 1`,
		`SELECT 0, seq FROM events ORDER BY seq DESC LIMIT 1`)).Scan(&tx, &seq)
	if sqldb.IsNoRows(err) {
		return eventstore.Position{}, nil
	}
	if err != nil {
		return eventstore.Position{}, fmt.Errorf("end of the log: %w", err)
	}
	return eventstore.Position{Tx: uint64(tx), Seq: uint64(seq)}, nil
}

// countAfter counts the visible events after pos, for progress.
func countAfter(ctx context.Context, db sqldb.DB, pos eventstore.Position) (int64, error) {
	var n int64
	err := db.QueryRow(ctx, db.Dialect().Pick(
		`SELECT count(*) FROM events WHERE (tx, seq) > ($1::xid8, $2::bigint)`,
		`SELECT count(*) FROM events WHERE seq > $1`), afterArgs(db, pos)...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count events: %w", err)
	}
	return n, nil
}

// logAfter counts the visible events after pos, up to limit, and gives the
// recorded time of the first of them.
func logAfter(ctx context.Context, db sqldb.DB, pos eventstore.Position, limit int) (int64, time.Time, error) {
	var n int64
	err := db.QueryRow(ctx, db.Dialect().Pick(
		`SELECT count(*) FROM (SELECT 1 FROM events WHERE (tx, seq) > ($1::xid8, $2::bigint)
		AND tx < pg_snapshot_xmin(pg_current_snapshot()) LIMIT $3) x`,
		`SELECT count(*) FROM (SELECT 1 FROM events WHERE seq > $1 LIMIT $2) x`),
		append(afterArgs(db, pos), limit)...).Scan(&n)
	if err != nil || n == 0 {
		return n, time.Time{}, err
	}
	var oldest time.Time
	err = db.QueryRow(ctx, db.Dialect().Pick(
		`SELECT recorded_at FROM events WHERE (tx, seq) > ($1::xid8, $2::bigint) ORDER BY tx, seq LIMIT 1`,
		`SELECT recorded_at FROM events WHERE seq > $1 ORDER BY seq LIMIT 1`),
		afterArgs(db, pos)...).Scan(&oldest)
	if sqldb.IsNoRows(err) {
		return n, time.Time{}, nil
	}
	return n, oldest, err
}

// afterArgs is the arguments that name pos in the queries above.
func afterArgs(db sqldb.DB, pos eventstore.Position) []any {
	if db.Dialect() == sqldb.SQLite {
		return []any{int64(pos.Seq)}
	}
	return []any{pos.Tx, int64(pos.Seq)}
}
