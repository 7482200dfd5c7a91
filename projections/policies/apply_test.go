package policies_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/sqldb"
	"github.com/kabinet/kabinet/projections"
	"github.com/kabinet/kabinet/projections/policies"
)

// applyInto builds the read model into fresh tables named physical, one
// transaction per batch, and returns its rows.
func applyInto(t *testing.T, db sqldb.DB, physical string, batches [][]eventstore.RecordedEvent) []string {
	t.Helper()
	ctx := context.Background()
	p := policies.Projection{}
	tables := projections.Tables{"policies": physical}
	for _, stmt := range p.Schema(db.Dialect(), tables) {
		_, err := db.Exec(ctx, stmt)
		require.NoError(t, err)
	}
	for _, batch := range batches {
		require.NoError(t, db.InTx(ctx, func(tx sqldb.Tx) error { return p.Apply(ctx, tx, tables, batch) }))
	}
	return dump(t, db, physical)
}

// columns is how many columns the policies table has.
const columns = 24

// dump prints every row of table as the driver reads it, in order of
// policy: json as decoded on PostgreSQL, as stored text on SQLite.
func dump(t *testing.T, db sqldb.DB, table string) []string {
	t.Helper()
	rows, err := db.Query(context.Background(), `SELECT * FROM `+table+` ORDER BY policy_id`)
	require.NoError(t, err)
	values := make([]any, columns)
	dest := make([]any, columns)
	for i := range dest {
		dest[i] = &values[i]
	}
	var out []string
	require.NoError(t, sqldb.ForEachRow(rows, dest, func() error {
		out = append(out, fmt.Sprint(values))
		return nil
	}))
	return out
}

// TestApplyIsBatchIndependent pins determinism: the rows are the same
// whether events arrive one per batch or all in one, so a rebuild with any
// batch size equals the live model.
func TestApplyIsBatchIndependent(t *testing.T) {
	eachKit(t, func(t *testing.T, k *kit) {
		for i, c := range bucketCases() {
			holder := uuid.New()
			id := k.issue(t, c.issue(fmt.Sprintf("A-%02d", i), holder))
			if c.then != nil {
				c.then(t, k, holder, id)
			}
		}
		events := k.events(t)
		require.Greater(t, len(events), len(bucketCases()))

		// Events of other aggregates, and policy events this version does not
		// know, are skipped without being decoded.
		foreign := []eventstore.RecordedEvent{
			{Event: eventstore.Event{Type: "client.registered", SchemaVersion: 1, Data: []byte(`not json`)}, Stream: "client-" + uuid.NewString()},
			{Event: eventstore.Event{Type: "policy.renamed", SchemaVersion: 1, Data: []byte(`not json`)}, Stream: "policy-" + uuid.NewString()},
		}
		all := append(append([]eventstore.RecordedEvent{}, foreign...), events...)

		one := make([][]eventstore.RecordedEvent, len(all))
		for i := range all {
			one[i] = all[i : i+1]
		}
		whole := applyInto(t, k.db, "policies_whole", [][]eventstore.RecordedEvent{all})
		require.Len(t, whole, len(bucketCases()))
		assert.Equal(t, whole, applyInto(t, k.db, "policies_one", one))

		k.catchUp(t)
		assert.Equal(t, whole, dump(t, k.db, "policies"))
	})
}

func TestApplyRefusesUndecodableEvents(t *testing.T) {
	eachKit(t, func(t *testing.T, k *kit) {
		bad := []eventstore.RecordedEvent{{Event: eventstore.Event{Type: "policy.payment_received", SchemaVersion: 1, Data: []byte(`{"amount": 12}`)},
			Stream: "policy-" + uuid.NewString(), Version: 2}}
		err := k.db.InTx(context.Background(), func(tx sqldb.Tx) error {
			for _, stmt := range (policies.Projection{}).Schema(tx.Dialect(), projections.Tables{"policies": "policies_bad"}) {
				if _, err := tx.Exec(context.Background(), stmt); err != nil {
					return err
				}
			}
			return policies.Projection{}.Apply(context.Background(), tx, projections.Tables{"policies": "policies_bad"}, bad)
		})
		assert.ErrorContains(t, err, bad[0].Stream+" version 2: decode policy.payment_received",
			"a known event that does not decode stops the projection, naming the stream")
	})
}
