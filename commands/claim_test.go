package commands_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/commands"
	"github.com/kabinet/kabinet/domain/claim"
	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/domain/policy"
	"github.com/kabinet/kabinet/eventstore"
)

func claimReportCmd(number string, client, policyID uuid.UUID) claim.ReportClaim {
	return claim.ReportClaim{ClientID: client, PolicyID: policyID, Number: number, Kind: "road_accident", Description: "rear-ended at a light"}
}

// report reports a claim and fails the test if it is refused.
func (k *policyKit) report(t *testing.T, number string, client, policyID uuid.UUID) uuid.UUID {
	t.Helper()
	id, _, err := k.claims.ReportClaim(context.Background(), uuid.New(), claimReportCmd(number, client, policyID))
	require.NoError(t, err)
	return id
}

func TestReportClaim(t *testing.T) {
	ctx := context.Background()
	policyEachStore(t, func(t *testing.T, k *policyKit) {
		own := k.issue(t, policyIssueCmd("KIAS-800", policyHolder))
		theirs := k.issue(t, policyIssueCmd("KIAS-801", policyStranger))

		t.Run("opens a claim under the ID of its KIAS number", func(t *testing.T) {
			cmdID := uuid.New()
			id, res, err := k.claims.ReportClaim(ctx, cmdID, claimReportCmd("CLM-1", policyHolder, own))
			require.NoError(t, err)
			assert.Equal(t, k.claims.IDFor("CLM-1"), id)
			assert.Equal(t, eventstore.StreamName(claim.Aggregate, id), res.Stream)
			s := k.claim(t, id)
			assert.Equal(t, claim.StatusReported, s.Status)
			assert.Equal(t, policyHolder, s.ClientID)
			assert.Equal(t, own, s.PolicyID)

			_, again, err := k.claims.ReportClaim(ctx, cmdID, claimReportCmd("CLM-1", policyHolder, own))
			require.NoError(t, err)
			assert.True(t, again.Duplicate)
			_, _, err = k.claims.ReportClaim(ctx, uuid.New(), claimReportCmd(" CLM-1", policyHolder, own))
			assert.ErrorIs(t, err, claim.ErrClaimExists)
			assert.Equal(t, []string{claim.TypeReported}, k.events(t, claim.Aggregate, id))
		})
		t.Run("a claim on another client's policy is refused", func(t *testing.T) {
			id, _, err := k.claims.ReportClaim(ctx, uuid.New(), claimReportCmd("CLM-2", policyHolder, theirs))
			assert.ErrorIs(t, err, commands.ErrPolicyNotOwned)
			assert.ErrorIs(t, err, policy.ErrPolicyNotFound, "edges answer it as not found")
			assert.Empty(t, k.events(t, claim.Aggregate, id))

			missing := k.policies.IDFor("KIAS-never-issued")
			_, _, missingErr := k.claims.ReportClaim(ctx, uuid.New(), claimReportCmd("CLM-2", policyHolder, missing))
			assert.ErrorIs(t, missingErr, commands.ErrPolicyNotOwned)
			assert.Equal(t, strings.ReplaceAll(missingErr.Error(), missing.String(), "ID"),
				strings.ReplaceAll(err.Error(), theirs.String(), "ID"),
				"another client's policy reads exactly as a missing one")
		})
		t.Run("a claim with no client is refused", func(t *testing.T) {
			_, _, err := k.claims.ReportClaim(ctx, uuid.New(), claimReportCmd("CLM-3", uuid.Nil, own))
			assert.ErrorIs(t, err, commands.ErrPolicyNotOwned)
		})
		t.Run("a claim ID other than the number's is refused", func(t *testing.T) {
			cmd := claimReportCmd("CLM-4", policyHolder, own)
			cmd.ClaimID = uuid.New()
			_, _, err := k.claims.ReportClaim(ctx, uuid.New(), cmd)
			assert.ErrorIs(t, err, claim.ErrInvalidClaim)
			assert.ErrorContains(t, err, "claim_id")
			_, _, err = k.claims.ReportClaim(ctx, uuid.New(), claimReportCmd(" ", policyHolder, own))
			assert.ErrorIs(t, err, claim.ErrInvalidClaim)
			assert.ErrorContains(t, err, "number")
		})
	})
}

func TestChangeClaimStatus(t *testing.T) {
	ctx := context.Background()
	policyEachStore(t, func(t *testing.T, k *policyKit) {
		id := k.report(t, "CLM-10", policyHolder, k.issue(t, policyIssueCmd("KIAS-810", policyHolder)))

		_, err := k.claims.ChangeClaimStatus(ctx, uuid.New(), id, claim.ChangeClaimStatus{To: claim.StatusPaid, Payout: money.MustParse("1000")})
		assert.ErrorIs(t, err, claim.ErrInvalidTransition)
		cmdID := uuid.New()
		res, err := k.claims.ChangeClaimStatus(ctx, cmdID, id, claim.ChangeClaimStatus{To: claim.StatusWithdrawn, Reason: "settled privately"})
		require.NoError(t, err)
		assert.Equal(t, 1, res.Events)
		res, err = k.claims.ChangeClaimStatus(ctx, cmdID, id, claim.ChangeClaimStatus{To: claim.StatusWithdrawn, Reason: "settled privately"})
		require.NoError(t, err)
		assert.True(t, res.Duplicate)
		assert.Equal(t, claim.ClientSettled, k.claim(t, id).Status.ClientFacing())

		_, err = k.claims.ChangeClaimStatus(ctx, uuid.New(), k.claims.IDFor("CLM-11"), claim.ChangeClaimStatus{To: claim.StatusWithdrawn})
		assert.ErrorIs(t, err, claim.ErrClaimNotFound)
	})
}

func TestClaimOwned(t *testing.T) {
	ctx := context.Background()
	policyEachStore(t, func(t *testing.T, k *policyKit) {
		id := k.report(t, "CLM-20", policyHolder, k.issue(t, policyIssueCmd("KIAS-820", policyHolder)))
		s, err := k.claims.Owned(ctx, id, policyHolder)
		require.NoError(t, err)
		assert.Equal(t, id, s.ID)
		_, err = k.claims.Owned(ctx, id, policyStranger)
		assert.ErrorIs(t, err, claim.ErrClaimNotFound)
		_, err = k.claims.Owned(ctx, k.claims.IDFor("CLM-21"), policyHolder)
		assert.ErrorIs(t, err, claim.ErrClaimNotFound)
	})
}
