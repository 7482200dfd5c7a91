package policies_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/projections/policies"
)

// TestErasureScrubsThePeopleAndTheVehicle: the policies of an erased client
// keep their contract data and lose the people and the vehicle, and still
// read.
func TestErasureScrubsThePeopleAndTheVehicle(t *testing.T) {
	eachKit(t, func(t *testing.T, k *kit) {
		ctx := context.Background()
		holder, other := uuid.New(), uuid.New()
		id := k.issue(t, motor("K-ER-1", holder, "2026-01-01", "2026-12-31"))
		kept := k.issue(t, motor("K-ER-2", other, "2026-01-01", "2026-12-31"))

		typ, data, err := client.EncodeEvent(client.Erased{ErasedAt: commandTime})
		require.NoError(t, err)
		res, err := k.store.Append(ctx, eventstore.StreamName(client.Aggregate, holder), eventstore.Any,
			eventstore.Event{ID: uuid.New(), Type: typ, SchemaVersion: 1, Data: data, OccurredAt: commandTime})
		require.NoError(t, err)
		k.last = res.Position
		k.catchUp(t)

		d, err := policies.Get(ctx, k.db, holder, id, now)
		require.NoError(t, err, "an erased client's policy still reads")
		assert.Equal(t, "OGPO K-ER-1", d.Number)
		assert.Empty(t, d.Holder.Name)
		assert.Empty(t, d.Drivers)
		assert.True(t, d.Vehicle.IsZero())

		d, err = policies.Get(ctx, k.db, other, kept, now)
		require.NoError(t, err)
		assert.Equal(t, "Ахметов Ерлан", d.Holder.Name, "another client's policy is untouched")
		assert.NotEmpty(t, d.Drivers)
	})
}
