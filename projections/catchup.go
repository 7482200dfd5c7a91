package projections

import (
	"context"
	"errors"

	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/sqldb"
)

// DefaultBatchSize is how many events one transaction of the live runner
// applies: small enough to keep read-your-writes waits short.
const DefaultBatchSize = 500

// RebuildBatchSize is the default batch of a rebuild, which has a whole log
// to get through: larger batches spread the per-transaction cost thinner
// (0.56x to 0.62x of read-and-decode speed going from 1,000 to 2,500, see
// readmodels.BenchmarkRebuild) at a few tens of MiB of heap.
const RebuildBatchSize = 2500

// CatchUp installs p if it has no live generation and applies every event
// visible now to the live generation, batch by batch. It returns the
// generation as it stands afterwards. Other runners may apply at the same
// time: a batch that loses the race is simply re-read.
func CatchUp(ctx context.Context, db sqldb.DB, store eventstore.Store, p Projection) (Generation, error) {
	g, err := install(ctx, db, p)
	if err != nil {
		return g, err
	}
	for {
		batch, err := store.ReadAll(ctx, g.Position, DefaultBatchSize)
		if err != nil || len(batch) == 0 {
			return g, err
		}
		next, err := applyBatch(ctx, db, p, g, batch)
		if errors.Is(err, errCheckpointMoved) {
			// Another applier or a swap moved on: continue from the live generation.
			if next, err = install(ctx, db, p); err != nil {
				return g, err
			}
		} else if err != nil {
			return g, err
		}
		g = next
	}
}
