package readmodels_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/eventstore/eventstoretest"
	"github.com/kabinet/kabinet/internal/dbtest"
	"github.com/kabinet/kabinet/internal/synth"
	"github.com/kabinet/kabinet/projections"
	"github.com/kabinet/kabinet/projections/readmodels"
)

// Every read model builds from a realistic log on both databases, and
// gives the same rows whether the log arrives in small batches, so that a
// client's history spans many of them, or in one: a rebuild in batches of
// a few dozen events is compared with a replay in one batch (Verify).
func TestEveryReadModelBuildsTheSameInAnyBatches(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, b dbtest.Backend) {
		ctx := context.Background()
		n, err := synth.Fill(ctx, b.Store, 1500, 2, 5, time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC))
		require.NoError(t, err)
		require.Len(t, eventstoretest.ReadVisible(t, b.Store, eventstore.Position{}, 1000, int(n)), int(n), "the whole log is visible")

		res, err := projections.RebuildAll(ctx, b.DB, b.Store, readmodels.All(), projections.RebuildOptions{BatchSize: 29})
		require.NoError(t, err)
		require.Len(t, res, len(readmodels.All()))
		for _, p := range readmodels.All() {
			diffs, err := projections.Verify(ctx, b.DB, b.Store, p, 3)
			require.NoError(t, err, p.Name())
			assert.Empty(t, diffs, p.Name())
		}
	})
}
