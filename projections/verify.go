package projections

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kabinet/kabinet/eventstore"
)

// Difference is one row that the live read model and a fresh replay of the
// log disagree on.
type Difference struct {
	Projection string
	Table      string
	Side       string // "live only" or "replay only"
	Row        string // the row as JSON
}

// Verify replays the log into a shadow generation up to exactly the live
// generation's checkpoint and compares the two table by table. It returns
// up to limit differences per table and side; none means the live read
// model is what the log says it should be. The shadow is dropped afterwards.
func Verify(ctx context.Context, pool *pgxpool.Pool, store eventstore.Store, p Projection, limit int) ([]Difference, error) {
	if err := check(p); err != nil {
		return nil, err
	}
	liveGen, ok, err := live(ctx, pool, p.Name())
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("verify %s: it has no live generation yet", p.Name())
	}
	shadow, _, err := building(ctx, pool, p, StateShadow)
	if err != nil {
		return nil, err
	}
	defer func() {
		cleanup, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		_ = dropTables(cleanup, pool, p, shadow.Number)
		_, _ = pool.Exec(cleanup, `DELETE FROM projection_generations WHERE name = $1 AND generation = $2`, p.Name(), shadow.Number)
	}()

	// Build most of the way without holding anything, never past the live
	// checkpoint (which only moves forward).
	if shadow, err = replayUpTo(ctx, pool, store, p, shadow, liveGen.Position, nil, RebuildBatchSize); err != nil {
		return nil, err
	}
	var diffs []Difference
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		// Hold the apply lock: the live checkpoint stands still while we finish and compare.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, lockApply, p.Name()); err != nil {
			return err
		}
		now, ok, err := live(ctx, tx, p.Name())
		if err != nil || !ok {
			return errors.Join(err, fmt.Errorf("verify %s: the live generation went away", p.Name()))
		}
		if shadow, err = replayUpTo(ctx, pool, store, p, shadow, now.Position, tx, RebuildBatchSize); err != nil {
			return err
		}
		diffs, err = compare(ctx, tx, p, now.Number, shadow.Number, limit)
		return err
	})
	return diffs, err
}

// replayUpTo applies events after g's checkpoint up to and including target.
// With tx nil each batch commits on its own.
func replayUpTo(ctx context.Context, pool *pgxpool.Pool, store eventstore.Store, p Projection, g Generation, target eventstore.Position, tx pgx.Tx, batchSize int) (Generation, error) {
	for g.Position.Less(target) {
		batch, err := store.ReadAll(ctx, g.Position, batchSize)
		if err != nil {
			return g, err
		}
		cut := sort.Search(len(batch), func(i int) bool { return target.Less(batch[i].Position) })
		if cut == 0 {
			return g, nil
		}
		if tx == nil {
			g, err = applyBatch(ctx, pool, p, g, batch[:cut])
		} else {
			g, err = applyInTx(ctx, tx, p, g, batch[:cut])
		}
		if err != nil {
			return g, err
		}
	}
	return g, nil
}

func compare(ctx context.Context, tx pgx.Tx, p Projection, liveGen, shadowGen int, limit int) ([]Difference, error) {
	liveT, shadowT := tablesFor(p, liveGen), tablesFor(p, shadowGen)
	var diffs []Difference
	for _, table := range p.Tables() {
		for _, side := range []struct{ name, a, b string }{
			{"live only", liveT[table], shadowT[table]},
			{"replay only", shadowT[table], liveT[table]},
		} {
			// Rows compare as their JSON text: json columns have no equality operator.
			rows, err := tx.Query(ctx, fmt.Sprintf(`SELECT r FROM (SELECT row_to_json(a)::text AS r FROM %s a
				EXCEPT ALL SELECT row_to_json(b)::text FROM %s b) d ORDER BY r LIMIT %d`,
				ident(side.a), ident(side.b), limit))
			if err != nil {
				return nil, fmt.Errorf("compare %s: %w", table, err)
			}
			found, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				return nil, fmt.Errorf("compare %s: %w", table, err)
			}
			for _, row := range found {
				diffs = append(diffs, Difference{Projection: p.Name(), Table: table, Side: side.name, Row: row})
			}
		}
	}
	return diffs, nil
}
