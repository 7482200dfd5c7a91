package projections

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/sqldb"
)

// Generation is one build of a projection and its checkpoint.
type Generation struct {
	Name      string
	Number    int
	Version   int
	State     string // building, live, retired or shadow
	Position  eventstore.Position
	Events    int64
	AppliedAt time.Time // zero before the first batch
	LastEvent time.Time // recorded_at of the last applied event
	LastError string
}

// Generation states.
const (
	StateBuilding = "building"
	StateLive     = "live"
	StateRetired  = "retired"
	StateShadow   = "shadow"
)

// Lock keys (two-int advisory locks; the first int names the purpose).
const (
	lockRunner = 7311 // session lock: which process runs a projection
	lockApply  = 7313 // transaction lock: held by every batch and by a swap
)

// errCheckpointMoved means another transaction moved the checkpoint or
// retired the generation first; the caller reloads and carries on.
var errCheckpointMoved = errors.New("projection checkpoint moved")

const generationColumns = `name, generation, version, state, position_tx, position_seq, events,
	applied_at, last_event_recorded_at, last_error`

func scanGeneration(row sqldb.Row) (Generation, error) {
	var (
		g        Generation
		tx, seq  int64
		app, rec *time.Time
	)
	err := row.Scan(&g.Name, &g.Number, &g.Version, &g.State, &tx, &seq, &g.Events, &app, &rec, &g.LastError)
	g.Position = eventstore.Position{Tx: uint64(tx), Seq: uint64(seq)}
	if app != nil {
		g.AppliedAt = *app
	}
	if rec != nil {
		g.LastEvent = *rec
	}
	return g, err
}

// live returns the projection's live generation, or ok=false when it has none.
func live(ctx context.Context, q sqldb.Querier, name string) (Generation, bool, error) {
	g, err := scanGeneration(q.QueryRow(ctx, `SELECT `+generationColumns+` FROM projection_generations
		WHERE name = $1 AND state = 'live'`, name))
	if sqldb.IsNoRows(err) {
		return Generation{}, false, nil
	}
	return g, err == nil, err
}

// Generations lists every generation of every projection, newest first.
func Generations(ctx context.Context, db sqldb.Querier) ([]Generation, error) {
	rows, err := db.Query(ctx, `SELECT `+generationColumns+` FROM projection_generations ORDER BY name, generation DESC`)
	if err != nil {
		return nil, fmt.Errorf("list projection generations: %w", err)
	}
	return sqldb.CollectRows(rows, scanGeneration)
}

// newGeneration creates the next generation's tables and row in tx.
func newGeneration(ctx context.Context, tx sqldb.Tx, p Projection, state string) (Generation, error) {
	var number int
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(generation), 0) + 1 FROM projection_generations WHERE name = $1`, p.Name()).Scan(&number); err != nil {
		return Generation{}, fmt.Errorf("next generation of %s: %w", p.Name(), err)
	}
	for _, stmt := range p.Schema(tx.Dialect(), tablesFor(p, number)) {
		if _, err := tx.Exec(ctx, stmt); err != nil {
			return Generation{}, fmt.Errorf("create tables of %s generation %d: %w", p.Name(), number, err)
		}
	}
	_, err := tx.Exec(ctx, `INSERT INTO projection_generations (name, generation, version, state) VALUES ($1, $2, $3, $4)`,
		p.Name(), number, p.Version(), state)
	if err != nil {
		return Generation{}, fmt.Errorf("record %s generation %d: %w", p.Name(), number, err)
	}
	return Generation{Name: p.Name(), Number: number, Version: p.Version(), State: state}, nil
}

// pointViews makes the logical views read generation g, in the order of
// p.Tables(), so that every swap takes the views' locks in one order.
func pointViews(ctx context.Context, tx sqldb.Tx, p Projection, g int) error {
	physicals := tablesFor(p, g)
	for _, logical := range p.Tables() {
		physical := physicals[logical]
		if _, err := tx.Exec(ctx, `DROP VIEW IF EXISTS `+ident(logical)); err != nil {
			return fmt.Errorf("drop view %s: %w", logical, err)
		}
		if _, err := tx.Exec(ctx, `CREATE VIEW `+ident(logical)+` AS SELECT * FROM `+ident(physical)); err != nil {
			return fmt.Errorf("create view %s: %w", logical, err)
		}
	}
	return nil
}

// dropTables removes a generation's tables.
func dropTables(ctx context.Context, db sqldb.DB, p Projection, g int) error {
	for _, physical := range tablesFor(p, g) {
		if _, err := db.Exec(ctx, `DROP TABLE IF EXISTS `+ident(physical)); err != nil {
			return fmt.Errorf("drop %s: %w", physical, err)
		}
	}
	return nil
}

// install makes sure the projection has a live generation: on first use it
// creates generation 1, points the views at it and starts it at the
// beginning of the log.
func install(ctx context.Context, db sqldb.DB, p Projection) (Generation, error) {
	if err := check(p); err != nil {
		return Generation{}, err
	}
	var g Generation
	err := db.InTx(ctx, func(tx sqldb.Tx) error {
		if err := tx.LockXact(ctx, lockApply, p.Name()); err != nil {
			return err
		}
		cur, ok, err := live(ctx, tx, p.Name())
		if err != nil || ok {
			g = cur
			return err
		}
		if g, err = newGeneration(ctx, tx, p, StateLive); err != nil {
			return err
		}
		return pointViews(ctx, tx, p, g.Number)
	})
	if err != nil {
		return Generation{}, fmt.Errorf("install projection %s: %w", p.Name(), err)
	}
	return g, nil
}

// applyBatch applies events to generation g and moves its checkpoint, in one
// transaction that holds the projection's apply lock. It returns the
// generation as it now stands, or errCheckpointMoved.
func applyBatch(ctx context.Context, db sqldb.DB, p Projection, g Generation, batch []eventstore.RecordedEvent) (Generation, error) {
	if len(batch) == 0 {
		return g, nil
	}
	err := db.InTx(ctx, func(tx sqldb.Tx) error {
		var err error
		g, err = applyInTx(ctx, tx, p, g, batch)
		return err
	})
	return g, err
}

// applyInTx is applyBatch inside a caller's transaction.
//
// The transaction commits without waiting for the WAL flush: a read model is
// derived data, and since its rows and checkpoint commit together, a crash
// can only leave it at an earlier checkpoint, from which it is re-applied.
// Batches, rebuilds above all, do not wait for a disk sync each.
func applyInTx(ctx context.Context, tx sqldb.Tx, p Projection, g Generation, batch []eventstore.RecordedEvent) (Generation, error) {
	if err := tx.Relaxed(ctx); err != nil {
		return g, err
	}
	if err := tx.LockXact(ctx, lockApply, p.Name()); err != nil {
		return g, err
	}
	last := batch[len(batch)-1]
	// The compare-and-set comes first so that a loser stops before applying.
	tag, err := tx.Exec(ctx, `UPDATE projection_generations
		SET position_tx = $5, position_seq = $6, events = events + $7, applied_at = now(),
		    last_event_recorded_at = $8, last_error = ''
		WHERE name = $1 AND generation = $2 AND position_tx = $3 AND position_seq = $4 AND state = $9`,
		g.Name, g.Number, int64(g.Position.Tx), int64(g.Position.Seq),
		int64(last.Position.Tx), int64(last.Position.Seq), len(batch), last.RecordedAt, g.State)
	if err != nil {
		return g, fmt.Errorf("move checkpoint of %s: %w", g.Name, err)
	}
	if tag.RowsAffected() == 0 {
		return g, errCheckpointMoved
	}
	if err := p.Apply(ctx, tx, tablesFor(p, g.Number), batch); err != nil {
		return g, fmt.Errorf("apply %d events to %s at %s: %w", len(batch), g.Name, batch[0].Position, err)
	}
	g.Position, g.Events, g.LastEvent = last.Position, g.Events+int64(len(batch)), last.RecordedAt
	return g, nil
}
