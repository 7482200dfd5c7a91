package commands_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kabinet/kabinet/commands"
	"github.com/kabinet/kabinet/domain/policy"
	"github.com/kabinet/kabinet/eventstore"
)

func TestPolicyIDFor(t *testing.T) {
	k := policyNewKit(t, nil)
	id := k.policies.IDFor("KIAS-1")
	assert.Equal(t, id, k.policies.IDFor(" KIAS-1 "), "spaces do not count")
	assert.NotEqual(t, id, k.policies.IDFor("KIAS-2"))
	assert.NotEqual(t, id, k.claims.IDFor("KIAS-1"), "claims and policies do not share IDs")
}

func TestIssuePolicy(t *testing.T) {
	ctx := context.Background()
	policyEachStore(t, func(t *testing.T, k *policyKit) {
		t.Run("issues under the ID of its KIAS contract", func(t *testing.T) {
			id, res, err := k.policies.IssuePolicy(ctx, uuid.New(), policyIssueCmd("KIAS-100", policyHolder))
			require.NoError(t, err)
			assert.Equal(t, k.policies.IDFor("KIAS-100"), id)
			assert.Equal(t, eventstore.StreamName(policy.Aggregate, id), res.Stream)
			assert.Equal(t, int64(1), res.Version)
			assert.Equal(t, 1, res.Events)
			s := k.policy(t, id)
			assert.Equal(t, id, s.ID)
			assert.Equal(t, policyHolder, s.Holder.ClientID)
			assert.Equal(t, "KIAS-100", s.KIASContractID)
		})
		t.Run("the same command twice writes once", func(t *testing.T) {
			cmdID := uuid.New()
			id, first, err := k.policies.IssuePolicy(ctx, cmdID, policyIssueCmd("KIAS-101", policyHolder))
			require.NoError(t, err)
			again, res, err := k.policies.IssuePolicy(ctx, cmdID, policyIssueCmd("KIAS-101", policyHolder))
			require.NoError(t, err)
			assert.Equal(t, id, again)
			assert.True(t, res.Duplicate)
			assert.Equal(t, first.Version, res.Version)
			assert.Equal(t, first.Position, res.Position)
			assert.Equal(t, []string{policy.TypeIssued}, k.events(t, policy.Aggregate, id))
		})
		t.Run("the same contract under another command is refused", func(t *testing.T) {
			id := k.issue(t, policyIssueCmd("KIAS-102", policyHolder))
			again, _, err := k.policies.IssuePolicy(ctx, uuid.New(), policyIssueCmd(" KIAS-102 ", policyHolder))
			assert.ErrorIs(t, err, policy.ErrPolicyExists)
			assert.Equal(t, id, again, "the ID comes back so a feed can treat the refusal as done")
			assert.Equal(t, []string{policy.TypeIssued}, k.events(t, policy.Aggregate, id))
		})
		t.Run("a policy ID other than the contract's is refused", func(t *testing.T) {
			cmd := policyIssueCmd("KIAS-103", policyHolder)
			cmd.PolicyID = uuid.New()
			_, _, err := k.policies.IssuePolicy(ctx, uuid.New(), cmd)
			assert.ErrorIs(t, err, policy.ErrInvalidPolicy)
			assert.ErrorContains(t, err, "policy_id")
			assert.Empty(t, k.events(t, policy.Aggregate, cmd.PolicyID))
			assert.Empty(t, k.events(t, policy.Aggregate, k.policies.IDFor("KIAS-103")))
		})
		t.Run("the contract's own policy ID is accepted", func(t *testing.T) {
			cmd := policyIssueCmd("KIAS-104", policyHolder)
			cmd.PolicyID = k.policies.IDFor("KIAS-104")
			id, _, err := k.policies.IssuePolicy(ctx, uuid.New(), cmd)
			require.NoError(t, err)
			assert.Equal(t, cmd.PolicyID, id)
		})
		t.Run("a contract ID is required", func(t *testing.T) {
			_, _, err := k.policies.IssuePolicy(ctx, uuid.New(), policyIssueCmd("  ", policyHolder))
			assert.ErrorIs(t, err, policy.ErrInvalidPolicy)
			assert.ErrorContains(t, err, "kias_contract_id")
		})
		t.Run("an invalid policy is the aggregate's refusal", func(t *testing.T) {
			cmd := policyIssueCmd("KIAS-105", policyHolder)
			cmd.Premium = cmd.Premium.Neg()
			id, _, err := k.policies.IssuePolicy(ctx, uuid.New(), cmd)
			assert.ErrorIs(t, err, policy.ErrInvalidPolicy)
			assert.Empty(t, k.events(t, policy.Aggregate, id))
		})
		t.Run("a renewal of another holder's policy is refused", func(t *testing.T) {
			theirs := k.issue(t, policyIssueCmd("KIAS-106", policyStranger))
			cmd := policyIssueCmd("KIAS-107", policyHolder)
			cmd.RenewedFrom = theirs
			id, _, err := k.policies.IssuePolicy(ctx, uuid.New(), cmd)
			assert.ErrorIs(t, err, commands.ErrProlongationHolderMismatch)
			assert.Empty(t, k.events(t, policy.Aggregate, id))
		})
		t.Run("a renewal of an own or unknown policy is accepted", func(t *testing.T) {
			own := k.issue(t, policyIssueCmd("KIAS-108", policyHolder))
			cmd := policyIssueCmd("KIAS-109", policyHolder)
			cmd.RenewedFrom = own
			assert.Equal(t, own, k.policy(t, k.issue(t, cmd)).RenewedFrom)
			cmd = policyIssueCmd("KIAS-110", policyHolder)
			cmd.RenewedFrom = k.policies.IDFor("KIAS-before-the-cabinet")
			k.issue(t, cmd)
		})
	})
}

func TestPolicyOwned(t *testing.T) {
	ctx := context.Background()
	policyEachStore(t, func(t *testing.T, k *policyKit) {
		id := k.issue(t, policyIssueCmd("KIAS-200", policyHolder))
		s, err := k.policies.Owned(ctx, id, policyHolder)
		require.NoError(t, err)
		assert.Equal(t, id, s.ID)

		_, theirs := k.policies.Owned(ctx, id, policyStranger)
		assert.ErrorIs(t, theirs, policy.ErrPolicyNotFound)
		_, nobody := k.policies.Owned(ctx, id, uuid.Nil)
		assert.ErrorIs(t, nobody, policy.ErrPolicyNotFound)
		missingID := k.policies.IDFor("KIAS-never-issued")
		_, missing := k.policies.Owned(ctx, missingID, policyStranger)
		assert.ErrorIs(t, missing, policy.ErrPolicyNotFound)
		assert.Equal(t, strings.ReplaceAll(missing.Error(), missingID.String(), "ID"),
			strings.ReplaceAll(theirs.Error(), id.String(), "ID"),
			"another client's policy reads exactly as a missing one")
	})
}

func TestProlongPolicy(t *testing.T) {
	ctx := context.Background()
	policyEachStore(t, func(t *testing.T, k *policyKit) {
		t.Run("links the renewal", func(t *testing.T) {
			old := k.issue(t, policyIssueCmd("KIAS-300", policyHolder))
			renewal := k.issue(t, policyIssueCmd("KIAS-301", policyHolder))
			cmdID := uuid.New()
			res, err := k.policies.ProlongPolicy(ctx, cmdID, policyHolder, old, renewal)
			require.NoError(t, err)
			assert.Equal(t, 1, res.Events)
			assert.Equal(t, renewal, k.policy(t, old).RenewedBy)

			again, err := k.policies.ProlongPolicy(ctx, cmdID, policyHolder, old, renewal)
			require.NoError(t, err)
			assert.True(t, again.Duplicate)
			assert.Equal(t, []string{policy.TypeIssued, policy.TypeProlonged}, k.events(t, policy.Aggregate, old))
		})
		t.Run("another client's policy is not found", func(t *testing.T) {
			old := k.issue(t, policyIssueCmd("KIAS-310", policyStranger))
			renewal := k.issue(t, policyIssueCmd("KIAS-311", policyStranger))
			_, err := k.policies.ProlongPolicy(ctx, uuid.New(), policyHolder, old, renewal)
			assert.ErrorIs(t, err, policy.ErrPolicyNotFound)
			assert.Equal(t, []string{policy.TypeIssued}, k.events(t, policy.Aggregate, old))
		})
		t.Run("a renewal of another holder is refused", func(t *testing.T) {
			old := k.issue(t, policyIssueCmd("KIAS-320", policyHolder))
			theirs := k.issue(t, policyIssueCmd("KIAS-321", policyStranger))
			_, err := k.policies.ProlongPolicy(ctx, uuid.New(), policyHolder, old, theirs)
			assert.ErrorIs(t, err, commands.ErrProlongationHolderMismatch)
			assert.False(t, k.policy(t, old).Prolonged())
		})
		t.Run("the renewal must be issued", func(t *testing.T) {
			old := k.issue(t, policyIssueCmd("KIAS-330", policyHolder))
			_, err := k.policies.ProlongPolicy(ctx, uuid.New(), policyHolder, old, k.policies.IDFor("KIAS-331"))
			assert.ErrorIs(t, err, policy.ErrPolicyNotFound)
			assert.ErrorContains(t, err, "new policy")
			assert.False(t, k.policy(t, old).Prolonged())
		})
		t.Run("a renewal of another policy is refused", func(t *testing.T) {
			old := k.issue(t, policyIssueCmd("KIAS-340", policyHolder))
			other := k.issue(t, policyIssueCmd("KIAS-341", policyHolder))
			cmd := policyIssueCmd("KIAS-342", policyHolder)
			cmd.RenewedFrom = other
			renewal := k.issue(t, cmd)
			_, err := k.policies.ProlongPolicy(ctx, uuid.New(), policyHolder, old, renewal)
			assert.ErrorIs(t, err, policy.ErrInvalidProlongation)
			assert.False(t, k.policy(t, old).Prolonged())
		})
		t.Run("a policy cannot renew itself", func(t *testing.T) {
			old := k.issue(t, policyIssueCmd("KIAS-350", policyHolder))
			_, err := k.policies.ProlongPolicy(ctx, uuid.New(), policyHolder, old, old)
			assert.ErrorIs(t, err, policy.ErrInvalidProlongation)
		})
	})
}
