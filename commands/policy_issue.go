package commands

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/domain/policy"
)

// IssuePolicy records a contract concluded in KIAS and returns its policy ID,
// IDFor(cmd.KIASContractID). cmd.PolicyID may be left empty; any other ID is
// refused. The ID comes back with policy.ErrPolicyExists too, so that a feed
// delivering the contract again can treat the refusal as done.
//
// A renewal (cmd.RenewedFrom) of a policy the cabinet holds must have the same
// holder (ErrProlongationHolderMismatch). A renewed policy the cabinet has
// never seen is accepted: it may predate the cabinet.
func (p *Policies) IssuePolicy(ctx context.Context, commandID uuid.UUID, cmd policy.IssuePolicy) (uuid.UUID, Result, error) {
	kias := strings.TrimSpace(cmd.KIASContractID)
	if kias == "" {
		return uuid.Nil, Result{}, fmt.Errorf("kias_contract_id: required: %w", policy.ErrInvalidPolicy)
	}
	id := p.IDFor(kias)
	switch cmd.PolicyID {
	case uuid.Nil:
		cmd.PolicyID = id
	case id:
	default:
		return uuid.Nil, Result{}, fmt.Errorf("policy_id %s: not the ID of the KIAS contract, leave it empty: %w", cmd.PolicyID, policy.ErrInvalidPolicy)
	}
	if cmd.RenewedFrom != uuid.Nil && cmd.RenewedFrom != id {
		old, err := p.Load(ctx, cmd.RenewedFrom)
		if err != nil {
			return id, Result{}, err
		}
		if old.Exists() && old.Holder.ClientID != cmd.Holder.ClientID {
			return id, Result{}, fmt.Errorf("policy %s renews %s: %w", id, cmd.RenewedFrom, ErrProlongationHolderMismatch)
		}
	}
	res, err := p.execute(ctx, id, commandID, cmd)
	return id, res, err
}

// ProlongPolicy links a policy that clientID holds to the new policy that
// renews it (the cabinet's "prolong" button, once the new contract is
// concluded). The new policy must already be issued (policy.ErrPolicyNotFound)
// with the same holder (ErrProlongationHolderMismatch), and if it names the
// policy it renews, that must be this one (policy.ErrInvalidProlongation).
// Holders never change, so the check made before deciding still holds when
// the link is appended.
func (p *Policies) ProlongPolicy(ctx context.Context, commandID, clientID, policyID, newPolicyID uuid.UUID) (Result, error) {
	old, err := p.Owned(ctx, policyID, clientID)
	if err != nil {
		return Result{}, err
	}
	// A missing or self-referring new ID is the aggregate's refusal to make.
	if newPolicyID != uuid.Nil && newPolicyID != policyID {
		renewal, err := p.Load(ctx, newPolicyID)
		if err != nil {
			return Result{}, err
		}
		switch {
		case !renewal.Exists():
			return Result{}, fmt.Errorf("new policy %s: %w", newPolicyID, policy.ErrPolicyNotFound)
		case renewal.Holder.ClientID != old.Holder.ClientID:
			return Result{}, fmt.Errorf("policy %s renewed by %s: %w", policyID, newPolicyID, ErrProlongationHolderMismatch)
		case renewal.RenewedFrom != uuid.Nil && renewal.RenewedFrom != policyID:
			return Result{}, fmt.Errorf("new policy %s renews %s, not %s: %w", newPolicyID, renewal.RenewedFrom, policyID, policy.ErrInvalidProlongation)
		}
	}
	return p.execute(ctx, policyID, commandID, policy.ProlongPolicy{NewPolicyID: newPolicyID})
}
