package projections

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/dbtest"
	"github.com/kabinet/kabinet/internal/sqldb"
)

// one is a minimal projection for the swap's own tests.
type one struct{}

func (one) Name() string     { return "one" }
func (one) Version() int     { return 1 }
func (one) Tables() []string { return []string{"one_rows"} }
func (one) Schema(_ sqldb.Dialect, t Tables) []string {
	return []string{`CREATE TABLE ` + t["one_rows"] + ` (event_id uuid PRIMARY KEY)`}
}
func (one) Apply(ctx context.Context, tx sqldb.Tx, t Tables, batch []eventstore.RecordedEvent) error {
	for _, e := range batch {
		if _, err := tx.Exec(ctx, `INSERT INTO `+t["one_rows"]+` VALUES ($1)`, e.ID); err != nil {
			return err
		}
	}
	return nil
}

// Regression: a second swap of a generation that another rebuild already
// swapped in used to retire it (its own live generation) and report it as
// replaced, whose tables the caller then tried to drop.
func TestSecondSwapOfTheSameGenerationIsRefused(t *testing.T) {
	b := dbtest.Postgres(t)
	pool, s := b.DB, b.Store
	ctx := context.Background()
	_, err := s.Append(ctx, eventstore.StreamName("t", uuid.New()), eventstore.NoStream,
		eventstore.Event{ID: uuid.New(), Type: "test.happened", SchemaVersion: 1, Data: []byte(`{}`), OccurredAt: time.Now()})
	require.NoError(t, err)
	// The log shows an event once no older transaction anywhere in the
	// cluster is open; other tests' transactions may hold it back a moment.
	require.Eventually(t, func() bool {
		evs, err := s.ReadAll(ctx, eventstore.Position{}, 10)
		require.NoError(t, err)
		return len(evs) == 1
	}, 10*time.Second, 5*time.Millisecond)

	g, _, err := building(ctx, pool, one{}, StateBuilding)
	require.NoError(t, err)
	_, retired, err := swap(ctx, pool, s, one{}, g, 100)
	require.NoError(t, err)
	assert.Zero(t, retired)
	_, _, err = swap(ctx, pool, s, one{}, g, 100)
	require.Error(t, err)
	assert.True(t, errors.Is(err, errCheckpointMoved), "got %v", err)
	lv, ok, err := live(ctx, pool, "one")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, g.Number, lv.Number, "the generation stays live")
	var rows int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM one_rows`).Scan(&rows))
	assert.Equal(t, 1, rows)
}
