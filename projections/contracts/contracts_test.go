package contracts_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/commands"
	"github.com/kabinet/kabinet/domain/claim"
	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/domain/policy"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/dbtest"
	"github.com/kabinet/kabinet/internal/sqldb"
	"github.com/kabinet/kabinet/projections"
	"github.com/kabinet/kabinet/projections/claims"
	"github.com/kabinet/kabinet/projections/contracts"
	"github.com/kabinet/kabinet/projections/policies"
)

func TestLookup(t *testing.T) {
	dbtest.Each(t, testLookup)
}

func testLookup(t *testing.T, b dbtest.Backend) {
	ctx := context.Background()
	db, store := b.DB, b.Store
	ids, err := commands.NewKeyedIDs(bytes.Repeat([]byte{1}, 32))
	require.NoError(t, err)
	r := commands.New(store, commands.ClockFunc(func() time.Time { return time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC) }))
	pols, cls := commands.NewPolicies(r, ids), commands.NewClaims(r, ids)

	var last eventstore.Position
	done := func(res commands.Result, err error) {
		t.Helper()
		require.NoError(t, err)
		if last.Less(res.Position) {
			last = res.Position
		}
	}
	issue := func(kias string, holder uuid.UUID, starts, ends string) uuid.UUID {
		t.Helper()
		id, res, err := pols.IssuePolicy(ctx, uuid.New(), policy.IssuePolicy{
			Product: policy.ProductTravel, Number: "ВЗР " + kias, KIASContractID: kias, Insurer: "АО «СК Пример»",
			StartsOn: policy.MustParseDate(starts), EndsOn: policy.MustParseDate(ends),
			Holder:  policy.Holder{ClientID: holder, IIN: kz.MustParseIIN("900115300003")},
			Premium: money.MustParse("9000"), PaymentMethod: policy.PaymentCard,
		})
		done(res, err)
		return id
	}
	catchUp := func() {
		t.Helper()
		require.Eventually(t, func() bool {
			for _, p := range []projections.Projection{policies.Projection{}, claims.Projection{}} {
				g, err := projections.CatchUp(ctx, db, store, p)
				require.NoError(t, err)
				if g.Position.Less(last) {
					return false
				}
			}
			return true
		}, 10*time.Second, 5*time.Millisecond)
	}

	// 20:30 UTC on 1 March is already 2 March in Almaty.
	now := time.Date(2026, 3, 1, 20, 30, 0, 0, time.UTC)
	var (
		endedInAlmaty = uuid.New() // the only policy ended on 1 March: history in Almaty, in force by UTC
		current       = uuid.New()
		upcoming      = uuid.New()
		withClaim     = uuid.New()
		nothing       = uuid.New()
	)
	issue("C-1", endedInAlmaty, "2026-02-01", "2026-03-01")
	issue("C-2", current, "2026-02-01", "2026-03-02")
	issue("C-3", upcoming, "2026-04-01", "2026-04-20")
	claimed := issue("C-4", withClaim, "2025-01-01", "2025-12-31")
	_, res, err := cls.ReportClaim(ctx, uuid.New(), claim.ReportClaim{ClientID: withClaim, PolicyID: claimed, Number: "CLM-1", Kind: "luggage"})
	done(res, err)
	catchUp()

	var lookup commands.ContractLookup = contracts.Lookup{Q: db}
	for _, c := range []struct {
		name         string
		client       uuid.UUID
		policy, open bool
	}{
		{"policy ended yesterday in Almaty", endedInAlmaty, false, false},
		{"policy in force until today", current, true, false},
		{"policy starting later", upcoming, true, false},
		{"ended policy with an open claim", withClaim, false, true},
		{"no contracts", nothing, false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := lookup.HasActivePolicy(ctx, c.client, now)
			require.NoError(t, err)
			assert.Equal(t, c.policy, got, "active policy")
			got, err = lookup.HasOpenClaim(ctx, c.client)
			require.NoError(t, err)
			assert.Equal(t, c.open, got, "open claim")
		})
	}

	t.Run("a settled claim is not open", func(t *testing.T) {
		id := cls.IDFor("CLM-1")
		done(cls.ChangeClaimStatus(ctx, uuid.New(), id, claim.ChangeClaimStatus{To: claim.StatusWithdrawn}))
		catchUp()
		got, err := lookup.HasOpenClaim(ctx, withClaim)
		require.NoError(t, err)
		assert.False(t, got)
	})
	t.Run("a cancellation that has taken effect ends the contract", func(t *testing.T) {
		done(pols.CancelPolicy(ctx, uuid.New(), pols.IDFor("C-2"), policy.CancelPolicy{Reason: "trip cancelled", EffectiveOn: policy.MustParseDate("2026-03-02")}))
		catchUp()
		got, err := lookup.HasActivePolicy(ctx, current, now)
		require.NoError(t, err)
		assert.False(t, got)
	})
	t.Run("without the read models it cannot answer", func(t *testing.T) {
		fresh := dbtest.Postgres
		if b.Dialect() == sqldb.SQLite {
			fresh = dbtest.SQLite
		}
		empty := fresh(t).DB
		_, err := contracts.Lookup{Q: empty}.HasActivePolicy(ctx, current, now)
		assert.Error(t, err)
		_, err = contracts.Lookup{Q: empty}.HasOpenClaim(ctx, current)
		assert.Error(t, err)
	})
}
