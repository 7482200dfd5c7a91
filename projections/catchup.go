package projections

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kabinet/kabinet/eventstore"
)

// DefaultBatchSize is how many events one transaction applies.
const DefaultBatchSize = 500

// CatchUp installs p if it has no live generation and applies every event
// visible now to the live generation, batch by batch. It returns the
// generation as it stands afterwards. Other runners may apply at the same
// time: a batch that loses the race is simply re-read.
func CatchUp(ctx context.Context, pool *pgxpool.Pool, store eventstore.Store, p Projection) (Generation, error) {
	g, err := install(ctx, pool, p)
	if err != nil {
		return g, err
	}
	for {
		batch, err := store.ReadAll(ctx, g.Position, DefaultBatchSize)
		if err != nil || len(batch) == 0 {
			return g, err
		}
		next, err := applyBatch(ctx, pool, p, g, batch)
		if errors.Is(err, errCheckpointMoved) {
			// Another applier or a swap moved on: continue from the live generation.
			if next, err = install(ctx, pool, p); err != nil {
				return g, err
			}
		} else if err != nil {
			return g, err
		}
		g = next
	}
}
