package claims_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
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
	"github.com/kabinet/kabinet/projections/policies"
)

var start = time.Date(2026, 2, 2, 9, 0, 0, 0, time.UTC)

type kit struct {
	t        testing.TB
	at       time.Time           // the handlers' clock; tick moves it
	last     eventstore.Position // of the last event a command wrote
	db       sqldb.DB
	store    eventstore.Store
	policies *commands.Policies
	claims   *commands.Claims
}

func newKit(t *testing.T, b dbtest.Backend) *kit {
	t.Helper()
	ids, err := commands.NewKeyedIDs(bytes.Repeat([]byte{1}, 32))
	require.NoError(t, err)
	k := &kit{t: t, at: start, db: b.DB, store: b.Store}
	r := commands.New(b.Store, commands.ClockFunc(func() time.Time { return k.at }))
	k.policies, k.claims = commands.NewPolicies(r, ids), commands.NewClaims(r, ids)
	return k
}

// tick moves the clock a minute on and returns the new time.
func (k *kit) tick() time.Time {
	k.at = k.at.Add(time.Minute)
	return k.at
}

// done checks a command and remembers where its events landed.
func (k *kit) done(res commands.Result, err error) {
	k.t.Helper()
	require.NoError(k.t, err)
	if k.last.Less(res.Position) {
		k.last = res.Position
	}
}

// catchUp applies every event the commands wrote to the claims read model
// and to the policies one, which the claim queries take policy numbers
// from. The log holds an event back while an older transaction anywhere in
// the cluster is open, so it waits for the last one.
func (k *kit) catchUp(t *testing.T) {
	t.Helper()
	require.Eventually(t, func() bool {
		for _, p := range []projections.Projection{claims.Projection{}, policies.Projection{}} {
			g, err := projections.CatchUp(context.Background(), k.db, k.store, p)
			require.NoError(t, err)
			if g.Position.Less(k.last) {
				return false
			}
		}
		return true
	}, 10*time.Second, 5*time.Millisecond)
}

// events reads the whole log, waiting for the last event the commands wrote.
func (k *kit) events(t *testing.T) []eventstore.RecordedEvent {
	t.Helper()
	var all []eventstore.RecordedEvent
	require.Eventually(t, func() bool {
		var err error
		all, err = k.store.ReadAll(context.Background(), eventstore.Position{}, 100_000)
		require.NoError(t, err)
		return len(all) > 0 && !all[len(all)-1].Position.Less(k.last)
	}, 10*time.Second, 5*time.Millisecond)
	return all
}

// policy issues a motor policy of holder numbered "OGPO <kias>".
func (k *kit) policy(kias string, holder uuid.UUID, iin string) uuid.UUID {
	k.t.Helper()
	id, res, err := k.policies.IssuePolicy(context.Background(), uuid.New(), policy.IssuePolicy{
		Product: policy.ProductOGPOVTS, Number: "OGPO " + kias, KIASContractID: kias, Insurer: "АО «СК Пример»",
		StartsOn: policy.MustParseDate("2026-01-01"), EndsOn: policy.MustParseDate("2026-12-31"),
		Holder:  policy.Holder{ClientID: holder, IIN: kz.MustParseIIN(iin)},
		Drivers: []policy.Person{{Name: "Ахметова Айгерим", IIN: kz.MustParseIIN("851231400001")}},
		Vehicle: policy.Vehicle{Make: "Toyota", Model: "Camry"},
		Premium: money.MustParse("45000"), PaymentMethod: policy.PaymentCard,
	})
	k.done(res, err)
	return id
}

func (k *kit) report(number string, client, policyID uuid.UUID) uuid.UUID {
	k.t.Helper()
	id, res, err := k.claims.ReportClaim(context.Background(), uuid.New(), claim.ReportClaim{
		ClientID: client, PolicyID: policyID, Number: number, Kind: "road_accident", Description: "rear-ended at a light"})
	k.done(res, err)
	return id
}

func (k *kit) stage(id uuid.UUID, c claim.ChangeClaimStatus) {
	k.t.Helper()
	k.done(k.claims.ChangeClaimStatus(context.Background(), uuid.New(), id, c))
}

func (k *kit) request(id uuid.UUID, docs ...claim.DocumentRequest) {
	k.t.Helper()
	k.done(k.claims.RequestClaimDocuments(context.Background(), uuid.New(), id, claim.RequestClaimDocuments{Documents: docs}))
}

func (k *kit) receive(client, id uuid.UUID, kind claim.DocumentKind) {
	k.t.Helper()
	k.done(k.claims.ReceiveClaimDocument(context.Background(), uuid.New(), client, id, claim.ReceiveClaimDocument{
		Kind: kind, BlobRef: "blob/" + string(kind), SHA256: strings.Repeat("ab", 32)}))
}
