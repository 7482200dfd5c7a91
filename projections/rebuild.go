package projections

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"golang.org/x/sync/errgroup"

	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/sqldb"
)

// RebuildOptions tune Rebuild.
type RebuildOptions struct {
	BatchSize int            // default RebuildBatchSize
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
func Rebuild(ctx context.Context, db sqldb.DB, store eventstore.Store, p Projection, opts RebuildOptions) (RebuildResult, error) {
	res, err := RebuildAll(ctx, db, store, []Projection{p}, opts)
	if len(res) == 0 {
		return RebuildResult{Projection: p.Name()}, err
	}
	return res[0], err
}

// RebuildAll rebuilds several projections in one pass over the log: each
// batch is read once and applied to every projection's new generation in one
// transaction. Each projection is then swapped in on its own.
func RebuildAll(ctx context.Context, db sqldb.DB, store eventstore.Store, ps []Projection, opts RebuildOptions) ([]RebuildResult, error) {
	if len(ps) == 0 {
		return nil, nil
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = RebuildBatchSize
	}
	start := time.Now()
	gens := make([]Generation, len(ps))
	results := make([]RebuildResult, len(ps))
	names := make([]string, len(ps))
	from := eventstore.Position{}
	for i, p := range ps {
		if err := check(p); err != nil {
			return nil, err
		}
		if err := dropRetired(ctx, db, p); err != nil {
			return nil, err
		}
		g, resumed, err := building(ctx, db, p, StateBuilding)
		if err != nil {
			return nil, err
		}
		gens[i], names[i] = g, p.Name()
		results[i] = RebuildResult{Projection: p.Name(), Generation: g.Number, Resumed: resumed}
		if i == 0 || g.Position.Less(from) {
			from = g.Position
		}
	}
	total, err := countAfter(ctx, db, from)
	if err != nil {
		return results, err
	}
	// Build up to the end of the log as it stands now; what comes after is
	// applied by the swap up to its own end, and then by the live runner.
	// Chasing the end instead would never finish while writers outpace us.
	target, err := logEnd(ctx, db)
	if err != nil {
		return results, err
	}
	label := strings.Join(names, ", ")
	var done int64
	// The next batch is read while this one is applied: reading and writing
	// then run on separate connections and cores instead of taking turns.
	readCtx, stopReading := context.WithCancel(ctx)
	defer stopReading()
	batches := prefetch(readCtx, store, from, opts.BatchSize)
	for {
		var (
			batch []eventstore.RecordedEvent
			err   error
		)
		select {
		case r := <-batches:
			batch, err = r.batch, r.err
		case <-ctx.Done():
			err = ctx.Err()
		}
		if err != nil {
			return results, err
		}
		if len(batch) == 0 {
			break
		}
		// Each projection applies its part in a transaction of its own, all
		// at once: the database writes on every core.
		group, gctx := errgroup.WithContext(ctx)
		for i, p := range ps {
			todo := after(batch, gens[i].Position)
			if len(todo) == 0 {
				continue
			}
			group.Go(func() error {
				g, err := applyBatch(gctx, db, p, gens[i], todo)
				if err != nil {
					return err
				}
				gens[i] = g
				results[i].Events += int64(len(todo))
				return nil
			})
		}
		if err := group.Wait(); err != nil {
			return results, fmt.Errorf("rebuild %s: %w", label, err)
		}
		from = batch[len(batch)-1].Position
		done += int64(len(batch))
		if opts.Progress != nil {
			opts.Progress(Progress{Projection: label, Generation: gens[0].Number, Done: done, Total: max(total, done), Elapsed: time.Since(start)})
		}
		if len(batch) < opts.BatchSize || !from.Less(target) {
			break // close to the end: each swap applies the rest under its lock
		}
	}
	for i, p := range ps {
		swapped, retired, err := swap(ctx, db, store, p, gens[i], opts.BatchSize)
		if err != nil {
			return results, err
		}
		results[i].Events += swapped
		results[i].Retired = retired
		results[i].Elapsed = time.Since(start)
		if retired > 0 {
			if err := dropTables(ctx, db, p, retired); err != nil {
				return results, err
			}
		}
	}
	return results, nil
}

type readResult struct {
	batch []eventstore.RecordedEvent
	err   error
}

// prefetch reads the log from pos in batches, one ahead of its consumer,
// and ends with an empty batch (the visible end, or a short batch's end) or
// an error.
func prefetch(ctx context.Context, store eventstore.Store, pos eventstore.Position, size int) <-chan readResult {
	out := make(chan readResult, 1)
	go func() {
		for {
			batch, err := store.ReadAll(ctx, pos, size)
			select {
			case out <- readResult{batch, err}:
			case <-ctx.Done():
				return
			}
			if err != nil || len(batch) == 0 {
				return
			}
			if len(batch) < size {
				select {
				case out <- readResult{}:
				case <-ctx.Done():
				}
				return
			}
			pos = batch[len(batch)-1].Position
		}
	}()
	return out
}

// after returns the tail of batch that comes after pos.
func after(batch []eventstore.RecordedEvent, pos eventstore.Position) []eventstore.RecordedEvent {
	i := sort.Search(len(batch), func(i int) bool { return pos.Less(batch[i].Position) })
	return batch[i:]
}

// building returns the generation to build into: an interrupted one of the
// same version, or a new one. Stale builds of other versions are dropped.
func building(ctx context.Context, db sqldb.DB, p Projection, state string) (g Generation, resumed bool, err error) {
	var stale []int
	err = db.InTx(ctx, func(tx sqldb.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+generationColumns+` FROM projection_generations
			WHERE name = $1 AND state = $2 ORDER BY generation DESC`, p.Name(), state)
		if err != nil {
			return err
		}
		found, err := sqldb.CollectRows(rows, scanGeneration)
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
		for _, n := range stale {
			if _, err := tx.Exec(ctx, `UPDATE projection_generations SET state = 'retired' WHERE name = $1 AND generation = $2`, p.Name(), n); err != nil {
				return err
			}
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
		if err := dropTables(ctx, db, p, n); err != nil {
			return g, resumed, err
		}
	}
	return g, resumed, nil
}

// swap applies what is left and makes g live, in one transaction holding the
// apply lock: the live runner's next batch waits, then finds its generation
// retired and moves to g.
//
// Re-pointing a view needs its exclusive lock, and a query that reads several
// views locks them in its own order, so a swap and a query can deadlock. The
// swap therefore waits for view locks only briefly (below PostgreSQL's
// deadlock check) and, on a timeout or deadlock, rolls back and tries again
// until ctx ends: it gives way, queries never fail. Only a projection with
// several views can meet a deadlock at all.
func swap(ctx context.Context, db sqldb.DB, store eventstore.Store, p Projection, g Generation, batchSize int) (applied int64, retired int, err error) {
	for attempt := 1; ; attempt++ {
		applied, retired, err = swapOnce(ctx, db, store, p, g, batchSize)
		var pgErr *pgconn.PgError
		if err == nil || ctx.Err() != nil || !errors.As(err, &pgErr) || (pgErr.Code != "55P03" && pgErr.Code != "40P01") {
			return applied, retired, err
		}
		sleep(ctx, min(time.Duration(attempt)*10*time.Millisecond, 200*time.Millisecond))
	}
}

func swapOnce(ctx context.Context, db sqldb.DB, store eventstore.Store, p Projection, g Generation, batchSize int) (applied int64, retired int, err error) {
	err = db.InTx(ctx, func(tx sqldb.Tx) error {
		if err := tx.LockXact(ctx, lockApply, p.Name()); err != nil {
			return err
		}
		end, err := logEnd(ctx, db)
		if err != nil {
			return err
		}
		before := g.Events
		if g, err = replayUpTo(ctx, db, store, p, g, end, tx, batchSize); err != nil {
			return err
		}
		applied = g.Events - before
		err = tx.QueryRow(ctx, `UPDATE projection_generations SET state = 'retired'
			WHERE name = $1 AND state = 'live' AND generation <> $2 RETURNING generation`, p.Name(), g.Number).Scan(&retired)
		if err != nil && !sqldb.IsNoRows(err) {
			return err
		}
		// Promote g only if it is still the one being built: another rebuild
		// may have swapped it in, or retired it, meanwhile. (On failure the
		// transaction rolls back the retirement above.)
		tag, err := tx.Exec(ctx, `UPDATE projection_generations SET state = 'live'
			WHERE name = $1 AND generation = $2 AND state = $3`, p.Name(), g.Number, g.State)
		if err != nil {
			return err
		}
		if tag.RowsAffected() != 1 {
			return fmt.Errorf("generation %d is no longer being built: %w", g.Number, errCheckpointMoved)
		}
		if tx.Dialect() == sqldb.Postgres {
			if _, err := tx.Exec(ctx, `SET LOCAL lock_timeout = '100ms'`); err != nil {
				return err
			}
		}
		return pointViews(ctx, tx, p, g.Number)
	})
	if err != nil {
		return 0, 0, fmt.Errorf("swap in %s generation %d: %w", p.Name(), g.Number, err)
	}
	return applied, retired, nil
}

// dropRetired removes tables a crash left behind after a swap.
func dropRetired(ctx context.Context, db sqldb.DB, p Projection) error {
	rows, err := db.Query(ctx, `SELECT generation FROM projection_generations WHERE name = $1 AND state = 'retired'`, p.Name())
	if err != nil {
		return fmt.Errorf("list retired generations of %s: %w", p.Name(), err)
	}
	gens, err := sqldb.CollectRows(rows, scanOne[int])
	if err != nil {
		return err
	}
	for _, n := range gens {
		if err := dropTables(ctx, db, p, n); err != nil {
			return err
		}
	}
	return nil
}
