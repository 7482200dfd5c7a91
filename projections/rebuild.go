package projections

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kabinet/kabinet/eventstore"
)

// RebuildOptions tune Rebuild.
type RebuildOptions struct {
	BatchSize int            // default DefaultBatchSize
	Progress  func(Progress) // called after every batch; may be nil
}

// Progress reports a rebuild under way.
type Progress struct {
	Projection string
	Generation int
	Done       int64 // events applied by this run
	Total      int64 // events this run expected to apply when it started
	Elapsed    time.Duration
}

// Rate is the events per second so far.
func (p Progress) Rate() float64 {
	if p.Elapsed <= 0 {
		return 0
	}
	return float64(p.Done) / p.Elapsed.Seconds()
}

// ETA estimates the time left at the current rate.
func (p Progress) ETA() time.Duration {
	r := p.Rate()
	if r == 0 || p.Done >= p.Total {
		return 0
	}
	return time.Duration(float64(p.Total-p.Done) / r * float64(time.Second))
}

// RebuildResult says what a rebuild did.
type RebuildResult struct {
	Projection string
	Generation int  // the generation now live
	Retired    int  // the generation it replaced, 0 if none
	Resumed    bool // an interrupted build was continued
	Events     int64
	Elapsed    time.Duration
}

// Rate is the events per second of the whole run.
func (r RebuildResult) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Events) / r.Elapsed.Seconds()
}

// Rebuild builds p from the start of the log into a new generation while
// the live one keeps serving, then swaps it in atomically. An interrupted
// rebuild (ctx cancelled, process killed) leaves its generation in state
// "building", and the next Rebuild of the same version resumes it.
func Rebuild(ctx context.Context, pool *pgxpool.Pool, store eventstore.Store, p Projection, opts RebuildOptions) (RebuildResult, error) {
	if err := check(p); err != nil {
		return RebuildResult{}, err
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	start := time.Now()
	if err := dropRetired(ctx, pool, p); err != nil {
		return RebuildResult{}, err
	}
	g, resumed, err := building(ctx, pool, p, StateBuilding)
	if err != nil {
		return RebuildResult{}, err
	}
	res := RebuildResult{Projection: p.Name(), Generation: g.Number, Resumed: resumed}
	total, err := countAfter(ctx, pool, g.Position)
	if err != nil {
		return res, err
	}
	for {
		batch, err := store.ReadAll(ctx, g.Position, opts.BatchSize)
		if err != nil {
			return res, err
		}
		if len(batch) == 0 {
			break
		}
		if g, err = applyBatch(ctx, pool, p, g, batch); err != nil {
			return res, err
		}
		res.Events += int64(len(batch))
		if opts.Progress != nil {
			opts.Progress(Progress{Projection: p.Name(), Generation: g.Number, Done: res.Events, Total: max(total, res.Events), Elapsed: time.Since(start)})
		}
		if len(batch) < opts.BatchSize {
			break // close to the end: the swap applies the rest under the lock
		}
	}
	swapped, retired, err := swap(ctx, pool, store, p, g, opts.BatchSize)
	if err != nil {
		return res, err
	}
	res.Events += swapped
	res.Retired = retired
	res.Elapsed = time.Since(start)
	if retired > 0 {
		if err := dropTables(ctx, pool, p, retired); err != nil {
			return res, err
		}
	}
	return res, nil
}

// building returns the generation to build into: an interrupted one of the
// same version, or a new one. Stale builds of other versions are dropped.
func building(ctx context.Context, pool *pgxpool.Pool, p Projection, state string) (g Generation, resumed bool, err error) {
	var stale []int
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+generationColumns+` FROM projection_generations
			WHERE name = $1 AND state = $2 ORDER BY generation DESC`, p.Name(), state)
		if err != nil {
			return err
		}
		found, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Generation, error) { return scanGeneration(r) })
		if err != nil {
			return err
		}
		for _, f := range found {
			if !resumed && f.Version == p.Version() && state == StateBuilding {
				g, resumed = f, true
				continue
			}
			stale = append(stale, f.Number)
		}
		if _, err := tx.Exec(ctx, `UPDATE projection_generations SET state = 'retired' WHERE name = $1 AND generation = ANY ($2)`, p.Name(), stale); err != nil {
			return err
		}
		if resumed {
			return nil
		}
		g, err = newGeneration(ctx, tx, p, state)
		return err
	})
	if err != nil {
		return g, false, fmt.Errorf("prepare a generation of %s: %w", p.Name(), err)
	}
	for _, n := range stale {
		if err := dropTables(ctx, pool, p, n); err != nil {
			return g, resumed, err
		}
	}
	return g, resumed, nil
}

// swap applies what is left and makes g live, in one transaction holding the
// apply lock: the live runner's next batch waits, then finds its generation
// retired and moves to g.
func swap(ctx context.Context, pool *pgxpool.Pool, store eventstore.Store, p Projection, g Generation, batchSize int) (applied int64, retired int, err error) {
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, lockApply, p.Name()); err != nil {
			return err
		}
		for {
			batch, err := store.ReadAll(ctx, g.Position, batchSize)
			if err != nil {
				return err
			}
			if len(batch) == 0 {
				break
			}
			if g, err = applyInTx(ctx, tx, p, g, batch); err != nil {
				return err
			}
			applied += int64(len(batch))
		}
		err := tx.QueryRow(ctx, `UPDATE projection_generations SET state = 'retired'
			WHERE name = $1 AND state = 'live' RETURNING generation`, p.Name()).Scan(&retired)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE projection_generations SET state = 'live' WHERE name = $1 AND generation = $2`, p.Name(), g.Number); err != nil {
			return err
		}
		return pointViews(ctx, tx, p, g.Number)
	})
	if err != nil {
		return 0, 0, fmt.Errorf("swap in %s generation %d: %w", p.Name(), g.Number, err)
	}
	return applied, retired, nil
}

// dropRetired removes tables a crash left behind after a swap.
func dropRetired(ctx context.Context, pool *pgxpool.Pool, p Projection) error {
	rows, err := pool.Query(ctx, `SELECT generation FROM projection_generations WHERE name = $1 AND state = 'retired'`, p.Name())
	if err != nil {
		return fmt.Errorf("list retired generations of %s: %w", p.Name(), err)
	}
	gens, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		return err
	}
	for _, n := range gens {
		if err := dropTables(ctx, pool, p, n); err != nil {
			return err
		}
	}
	return nil
}

// countAfter counts the visible events after pos, for progress and lag.
func countAfter(ctx context.Context, pool *pgxpool.Pool, pos eventstore.Position) (int64, error) {
	var n int64
	err := pool.QueryRow(ctx, `SELECT count(*) FROM events WHERE (tx, seq) > ($1::xid8, $2::bigint)`, pos.Tx, int64(pos.Seq)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count events: %w", err)
	}
	return n, nil
}
