package postgres

import (
	"context"
	"time"
)

// Frontier says how far readers of the global log can see and which open
// transaction, if any, holds them back.
type Frontier struct {
	Xmin uint64 // readers see rows of transactions below this ID
	// The oldest open transaction that has written (or taken an ID); zero
	// values when there is none.
	OldestPID       int32
	OldestXID       uint64
	OldestStartedAt time.Time
	OldestAge       time.Duration
	OldestState     string
	OldestApp       string
	OldestDatabase  string // transaction IDs are cluster-wide: it may be another database's
}

// Held reports whether an open write transaction holds readers back.
func (f Frontier) Held() bool { return f.OldestPID != 0 }

// Frontier reports the read frontier of the global log. Operators watch
// OldestAge: a transaction forgotten open stalls every reader.
func (s *Store) Frontier(ctx context.Context) (Frontier, error) {
	var f Frontier
	err := s.pool.QueryRow(ctx, `SELECT pg_snapshot_xmin(pg_current_snapshot())`).Scan(&f.Xmin)
	if err != nil {
		return f, translate("frontier", err)
	}
	rows, err := s.pool.Query(ctx, `SELECT pid, backend_xid::text::bigint, xact_start, now() - xact_start,
		coalesce(state, ''), coalesce(application_name, ''), coalesce(datname, '')
		FROM pg_stat_activity
		WHERE backend_xid IS NOT NULL AND pid <> pg_backend_pid()
		ORDER BY age(backend_xid) DESC LIMIT 1`)
	if err != nil {
		return f, translate("frontier", err)
	}
	defer rows.Close()
	if rows.Next() {
		var xid int64
		if err := rows.Scan(&f.OldestPID, &xid, &f.OldestStartedAt, &f.OldestAge, &f.OldestState, &f.OldestApp, &f.OldestDatabase); err != nil {
			return f, translate("frontier", err)
		}
		f.OldestXID = uint64(xid)
	}
	return f, translate("frontier", rows.Err())
}
