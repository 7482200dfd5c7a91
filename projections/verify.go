package projections

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/sqldb"
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
func Verify(ctx context.Context, db sqldb.DB, store eventstore.Store, p Projection, limit int) ([]Difference, error) {
	if err := check(p); err != nil {
		return nil, err
	}
	liveGen, ok, err := live(ctx, db, p.Name())
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("verify %s: it has no live generation yet", p.Name())
	}
	shadow, _, err := building(ctx, db, p, StateShadow)
	if err != nil {
		return nil, err
	}
	defer func() {
		cleanup, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		_ = dropTables(cleanup, db, p, shadow.Number)
		_, _ = db.Exec(cleanup, `DELETE FROM projection_generations WHERE name = $1 AND generation = $2`, p.Name(), shadow.Number)
	}()

	// Build most of the way without holding anything, never past the live
	// checkpoint (which only moves forward).
	if shadow, err = replayUpTo(ctx, db, store, p, shadow, liveGen.Position, nil, RebuildBatchSize); err != nil {
		return nil, err
	}
	var diffs []Difference
	err = db.InTx(ctx, func(tx sqldb.Tx) error {
		// Hold the apply lock: the live checkpoint stands still while we finish and compare.
		if err := tx.LockXact(ctx, lockApply, p.Name()); err != nil {
			return err
		}
		now, ok, err := live(ctx, tx, p.Name())
		if err != nil || !ok {
			return errors.Join(err, fmt.Errorf("verify %s: the live generation went away", p.Name()))
		}
		if shadow, err = replayUpTo(ctx, db, store, p, shadow, now.Position, tx, RebuildBatchSize); err != nil {
			return err
		}
		diffs, err = compare(ctx, tx, p, now.Number, shadow.Number, limit)
		return err
	})
	return diffs, err
}

// replayUpTo applies events after g's checkpoint up to and including target.
// With tx nil each batch commits on its own.
func replayUpTo(ctx context.Context, db sqldb.DB, store eventstore.Store, p Projection, g Generation, target eventstore.Position, tx sqldb.Tx, batchSize int) (Generation, error) {
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
			g, err = applyBatch(ctx, db, p, g, batch[:cut])
		} else {
			g, err = applyInTx(ctx, tx, p, g, batch[:cut])
		}
		if err != nil {
			return g, err
		}
	}
	return g, nil
}

func compare(ctx context.Context, tx sqldb.Tx, p Projection, liveGen, shadowGen int, limit int) ([]Difference, error) {
	liveT, shadowT := tablesFor(p, liveGen), tablesFor(p, shadowGen)
	var diffs []Difference
	for _, table := range p.Tables() {
		rowJSON, err := rowAsJSON(ctx, tx, liveT[table])
		if err != nil {
			return nil, fmt.Errorf("compare %s: %w", table, err)
		}
		for _, side := range []struct{ name, a, b string }{
			{"live only", liveT[table], shadowT[table]},
			{"replay only", shadowT[table], liveT[table]},
		} {
			// Rows compare as their JSON text: json columns have no equality operator.
			rows, err := tx.Query(ctx, fmt.Sprintf(`SELECT r FROM (SELECT %s AS r FROM %s a
				%s SELECT %s FROM %s a) d ORDER BY r LIMIT %d`,
				rowJSON, ident(side.a), tx.Dialect().Pick("EXCEPT ALL", "EXCEPT"), rowJSON, ident(side.b), limit))
			if err != nil {
				return nil, fmt.Errorf("compare %s: %w", table, err)
			}
			found, err := sqldb.CollectRows(rows, scanOne[string])
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

// rowAsJSON is the expression that turns a row of table (aliased a) into
// JSON text. SQLite has no row_to_json, so the object is spelled out from
// the table's columns; it has no EXCEPT ALL either, which is no loss for
// tables with a primary key.
func rowAsJSON(ctx context.Context, tx sqldb.Tx, table string) (string, error) {
	if tx.Dialect() == sqldb.Postgres {
		return "row_to_json(a)::text", nil
	}
	rows, err := tx.Query(ctx, `SELECT name FROM pragma_table_info($1) ORDER BY cid`, table)
	if err != nil {
		return "", err
	}
	cols, err := sqldb.CollectRows(rows, scanOne[string])
	if err != nil {
		return "", err
	}
	if len(cols) == 0 {
		return "", fmt.Errorf("table %s has no columns", table)
	}
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = fmt.Sprintf("'%s', a.%s", strings.ReplaceAll(c, "'", "''"), ident(c))
	}
	return "json_object(" + strings.Join(parts, ", ") + ")", nil
}

// scanOne reads a row of one column.
func scanOne[T any](row sqldb.Row) (T, error) {
	var v T
	err := row.Scan(&v)
	return v, err
}
