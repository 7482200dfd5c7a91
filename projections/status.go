package projections

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Status is what an operator needs to know about one projection.
type Status struct {
	Name        string
	CodeVersion int        // the version this binary would build
	Live        Generation // zero Number when not installed
	Building    *Generation
	LagEvents   int64         // visible events not yet applied (counted up to 1,000,000)
	Lag         time.Duration // age of the oldest event not yet applied
}

// Statuses reports on the given projections.
func Statuses(ctx context.Context, pool *pgxpool.Pool, projections []Projection) ([]Status, error) {
	gens, err := Generations(ctx, pool)
	if err != nil {
		return nil, err
	}
	out := make([]Status, 0, len(projections))
	for _, p := range projections {
		s := Status{Name: p.Name(), CodeVersion: p.Version()}
		for _, g := range gens {
			switch {
			case g.Name != p.Name():
			case g.State == StateLive:
				s.Live = g
			case g.State == StateBuilding && s.Building == nil:
				b := g
				s.Building = &b
			}
		}
		if s.Live.Number > 0 {
			if s.LagEvents, s.Lag, err = lag(ctx, pool, s.Live); err != nil {
				return nil, err
			}
		}
		out = append(out, s)
	}
	return out, nil
}

func lag(ctx context.Context, pool *pgxpool.Pool, g Generation) (int64, time.Duration, error) {
	var n int64
	err := pool.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM events WHERE (tx, seq) > ($1::xid8, $2::bigint)
		AND tx < pg_snapshot_xmin(pg_current_snapshot()) LIMIT 1000000) x`, g.Position.Tx, int64(g.Position.Seq)).Scan(&n)
	if err != nil || n == 0 {
		return n, 0, wrapLag(g, err)
	}
	var oldest time.Time
	err = pool.QueryRow(ctx, `SELECT recorded_at FROM events WHERE (tx, seq) > ($1::xid8, $2::bigint) ORDER BY tx, seq LIMIT 1`,
		g.Position.Tx, int64(g.Position.Seq)).Scan(&oldest)
	if errors.Is(err, pgx.ErrNoRows) {
		return n, 0, nil
	}
	return n, time.Since(oldest), wrapLag(g, err)
}

func wrapLag(g Generation, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("lag of %s: %w", g.Name, err)
}
