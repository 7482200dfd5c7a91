package claims_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/domain/claim"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/dbtest"
	"github.com/kabinet/kabinet/internal/sqldb"
	"github.com/kabinet/kabinet/projections"
	"github.com/kabinet/kabinet/projections/claims"
)

// applyInto builds the read model into fresh tables with the given suffix,
// one transaction per batch, and returns every row of every table.
func applyInto(t *testing.T, db sqldb.DB, suffix string, batches [][]eventstore.RecordedEvent) map[string][]string {
	t.Helper()
	ctx := context.Background()
	p := claims.Projection{}
	tables := projections.Tables{}
	for _, name := range p.Tables() {
		tables[name] = name + suffix
	}
	for _, stmt := range p.Schema(db.Dialect(), tables) {
		_, err := db.Exec(ctx, stmt)
		require.NoError(t, err)
	}
	for _, batch := range batches {
		require.NoError(t, db.InTx(ctx, func(tx sqldb.Tx) error { return p.Apply(ctx, tx, tables, batch) }))
	}
	return dump(t, db, tables)
}

// claimRow is every column of the claims table, scanned the same way in
// both dialects; the JSON columns come as their stored text, and times in
// UTC ("<nil>" for no closing time).
type claimRow struct {
	ClaimID, ClientID, PolicyID                   uuid.UUID
	Number, Kind, Description, Stage, DecisionRef string
	Settled                                       bool
	PayoutTiyn                                    int64
	ReportedAt, LastChangeAt                      time.Time
	ClosedAt                                      string
	Missing, Timeline                             string
}

func dump(t *testing.T, db sqldb.Querier, tables projections.Tables) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for logical, physical := range tables {
		require.Equal(t, "claims", logical, "dump knows the columns of the claims table only")
		rows, err := db.Query(context.Background(), `SELECT claim_id, client_id, policy_id, number, kind, description,
			stage, decision_ref, settled, payout_tiyn, reported_at, last_change_at, closed_at, missing, timeline
			FROM `+physical+` ORDER BY claim_id`)
		require.NoError(t, err)
		out[logical], err = sqldb.CollectRows(rows, func(row sqldb.Row) (string, error) {
			var (
				r        claimRow
				closedAt *time.Time
			)
			err := row.Scan(&r.ClaimID, &r.ClientID, &r.PolicyID, &r.Number, &r.Kind, &r.Description, &r.Stage,
				&r.DecisionRef, &r.Settled, &r.PayoutTiyn, &r.ReportedAt, &r.LastChangeAt, &closedAt, &r.Missing, &r.Timeline)
			r.ReportedAt, r.LastChangeAt, r.ClosedAt = r.ReportedAt.UTC(), r.LastChangeAt.UTC(), "<nil>"
			if closedAt != nil {
				r.ClosedAt = closedAt.UTC().String()
			}
			return fmt.Sprintf("%+v", r), err
		})
		require.NoError(t, err)
	}
	return out
}

// TestApplyIsBatchIndependent pins determinism: the rows are the same
// whether events arrive one per batch (every change an UPDATE computed in
// SQL) or all in one (every claim folded in Go and inserted whole), and
// equal the live model.
func TestApplyIsBatchIndependent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, b dbtest.Backend) {
		k := newKit(t, b)
		mine := k.policy("P-1", holder, "900115300003")
		askedAgain := map[string]time.Time{}
		for _, number := range []string{"CLM-1", "CLM-2"} {
			k.tick()
			id := k.report(number, holder, mine)
			k.request(id, idCard, police)
			k.stage(id, claim.ChangeClaimStatus{To: claim.StatusDocumentsRequested})
			k.tick()
			k.receive(holder, id, claim.DocumentPoliceReport)
			k.receive(holder, id, claim.DocumentIDCard)
			k.stage(id, claim.ChangeClaimStatus{To: claim.StatusAppraisal})
			k.stage(id, claim.ChangeClaimStatus{To: claim.StatusDocumentsRequested})
			k.request(id, photos, police)
			askedAgain[number] = k.at
			k.receive(holder, id, claim.DocumentPhotos)
		}
		k.tick()
		closed := k.report("CLM-3", holder, mine)
		k.stage(closed, claim.ChangeClaimStatus{To: claim.StatusDocumentsRequested})
		k.stage(closed, claim.ChangeClaimStatus{To: claim.StatusWithdrawn, Reason: "no longer needed"})
		events := k.events(t)

		foreign := []eventstore.RecordedEvent{
			{Event: eventstore.Event{Type: "client.registered", SchemaVersion: 1, Data: []byte(`not json`)}, Stream: "client-" + uuid.NewString()},
			{Event: eventstore.Event{Type: "claim.escalated", SchemaVersion: 1, Data: []byte(`not json`)}, Stream: "claim-" + uuid.NewString()},
			{Event: eventstore.Event{Type: "policy.issued", SchemaVersion: 1, Data: []byte(`not json`)}, Stream: "policy-" + uuid.NewString()},
		}
		all := append(append([]eventstore.RecordedEvent{}, foreign...), events...)
		one := make([][]eventstore.RecordedEvent, len(all))
		for i := range all {
			one[i] = all[i : i+1]
		}
		whole := applyInto(t, k.db, "_whole", [][]eventstore.RecordedEvent{all})
		require.Len(t, whole["claims"], 3)
		assert.Equal(t, whole, applyInto(t, k.db, "_one", one))

		k.catchUp(t)
		live := projections.Tables{}
		for _, name := range (claims.Projection{}).Tables() {
			live[name] = name
		}
		assert.Equal(t, whole, dump(t, k.db, live))
		for _, number := range []string{"CLM-1", "CLM-2"} {
			d, err := claims.Get(context.Background(), k.db, holder, k.claims.IDFor(number))
			require.NoError(t, err)
			assert.Equal(t, []claims.MissingDocument{{Kind: police.Kind, Title: police.Title, RequestedAt: askedAgain[number]}}, d.Missing,
				"the police report, received and asked for again, is missing again; the rest arrived")
		}
	})
}

func TestApplyRefusesUndecodableEvents(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, b dbtest.Backend) {
		k := newKit(t, b)
		bad := []eventstore.RecordedEvent{{Event: eventstore.Event{Type: claim.TypeStatusChanged, SchemaVersion: 1, Data: []byte(`{"to": 7}`)},
			Stream: "claim-" + uuid.NewString(), Version: 3}}
		tables := projections.Tables{}
		for _, name := range (claims.Projection{}).Tables() {
			tables[name] = name + "_bad"
		}
		err := k.db.InTx(context.Background(), func(tx sqldb.Tx) error {
			for _, stmt := range (claims.Projection{}).Schema(b.Dialect(), tables) {
				if _, err := tx.Exec(context.Background(), stmt); err != nil {
					return err
				}
			}
			return claims.Projection{}.Apply(context.Background(), tx, tables, bad)
		})
		assert.ErrorContains(t, err, bad[0].Stream+" version 3: decode claim.status_changed")
	})
}
