package claims_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/domain/claim"
	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/domain/policy"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/dbtest"
	"github.com/kabinet/kabinet/projections"
	"github.com/kabinet/kabinet/projections/claims"
)

// BenchmarkRebuild compares a rebuild through projections.Rebuild with
// merely reading and decoding the same log: per claim, the policy it is
// under (which the projection skips) and a settlement from report to payout
// (11 events), on each dialect. Run with -bench Rebuild -benchtime 5x.
func BenchmarkRebuild(b *testing.B) {
	b.Run("postgres", func(b *testing.B) { benchmarkRebuild(b, dbtest.Postgres(b)) })
	b.Run("sqlite", func(b *testing.B) { benchmarkRebuild(b, dbtest.SQLite(b)) })
}

func benchmarkRebuild(b *testing.B, be dbtest.Backend) {
	ctx := context.Background()
	s := be.Store
	for i := range 1000 {
		seedClaim(b, s, i)
	}
	_, err := projections.CatchUp(ctx, be.DB, s, claims.Projection{})
	require.NoError(b, err)

	var read, rebuild time.Duration
	var events int64
	for b.Loop() {
		t0 := time.Now()
		var at eventstore.Position
		for {
			batch, err := s.ReadAll(ctx, at, projections.DefaultBatchSize)
			require.NoError(b, err)
			if len(batch) == 0 {
				break
			}
			for _, e := range batch {
				if strings.HasPrefix(e.Type, "policy.") {
					_, err = policy.DecodeEvent(e.Type, e.SchemaVersion, e.Data)
				} else {
					_, err = claim.DecodeEvent(e.Type, e.SchemaVersion, e.Data)
				}
				require.NoError(b, err)
			}
			at = batch[len(batch)-1].Position
		}
		read += time.Since(t0)
		res, err := projections.Rebuild(ctx, be.DB, s, claims.Projection{}, projections.RebuildOptions{})
		require.NoError(b, err)
		rebuild += res.Elapsed
		events += res.Events
	}
	b.ReportMetric(float64(events)/rebuild.Seconds(), "rebuild-events/s")
	b.ReportMetric(read.Seconds()/rebuild.Seconds(), "rebuild/read-speed")
}

// seedClaim appends a policy and a claim on it, decided by the aggregates.
func seedClaim(b *testing.B, s eventstore.Store, i int) {
	ctx := context.Background()
	at := start.Add(time.Duration(i) * time.Minute)
	client, policyID, claimID := uuid.New(), uuid.New(), uuid.New()
	issued, err := policy.Decide(policy.State{}, policy.IssuePolicy{
		PolicyID: policyID, Product: policy.ProductTravel, Number: fmt.Sprintf("ВЗР-%d", i), KIASContractID: fmt.Sprintf("K-%d", i),
		Insurer: "АО «СК Пример»", StartsOn: policy.MustParseDate("2026-01-01"), EndsOn: policy.MustParseDate("2026-12-31"),
		Holder:  policy.Holder{ClientID: client, IIN: kz.MustParseIIN("900115300003")},
		Premium: money.MustParse("9000"), PaymentMethod: policy.PaymentCard,
	}, at)
	require.NoError(b, err)
	append1(b, s, policy.Aggregate, policyID, issued[0], policy.EncodeEvent)

	var (
		st     claim.State
		stored []eventstore.Event
	)
	for _, c := range []claim.Command{
		claim.ReportClaim{ClaimID: claimID, ClientID: client, PolicyID: policyID, Number: fmt.Sprintf("CLM-%d", i), Kind: "luggage"},
		claim.RequestClaimDocuments{Documents: []claim.DocumentRequest{idCard, police, photos}},
		claim.ChangeClaimStatus{To: claim.StatusDocumentsRequested},
		claim.ReceiveClaimDocument{Kind: claim.DocumentIDCard, BlobRef: "b/1", SHA256: strings.Repeat("01", 32)},
		claim.ReceiveClaimDocument{Kind: claim.DocumentPoliceReport, BlobRef: "b/2", SHA256: strings.Repeat("02", 32)},
		claim.ReceiveClaimDocument{Kind: claim.DocumentPhotos, BlobRef: "b/3", SHA256: strings.Repeat("03", 32)},
		claim.ChangeClaimStatus{To: claim.StatusDocumentsComplete},
		claim.ChangeClaimStatus{To: claim.StatusAppraisal},
		claim.ChangeClaimStatus{To: claim.StatusPayoutDecision, DecisionRef: "РВ-1"},
		claim.ChangeClaimStatus{To: claim.StatusPaid, Payout: money.MustParse("50000")},
	} {
		evs, err := claim.Decide(st, c, at)
		require.NoError(b, err)
		for _, e := range evs {
			st = claim.Evolve(st, e)
			typ, data, err := claim.EncodeEvent(e)
			require.NoError(b, err)
			stored = append(stored, eventstore.Event{ID: uuid.New(), Type: typ, SchemaVersion: claim.SchemaVersion, Data: data, OccurredAt: at})
		}
	}
	_, err = s.Append(ctx, eventstore.StreamName(claim.Aggregate, claimID), eventstore.NoStream, stored...)
	require.NoError(b, err)
}

func append1[E any](b *testing.B, s eventstore.Store, aggregate string, id uuid.UUID, e E, encode func(E) (string, []byte, error)) {
	typ, data, err := encode(e)
	require.NoError(b, err)
	_, err = s.Append(context.Background(), eventstore.StreamName(aggregate, id), eventstore.NoStream,
		eventstore.Event{ID: uuid.New(), Type: typ, SchemaVersion: 1, Data: data, OccurredAt: start})
	require.NoError(b, err)
}
