package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/domain/claim"
	"github.com/kabinet/kabinet/domain/policy"
)

// ErrPolicyNotOwned refuses a claim on a policy that is not the reporting
// client's. It also wraps policy.ErrPolicyNotFound, and reads the same whether
// the policy is another client's or does not exist, so that the refusal
// reveals nothing about other clients' policies.
var ErrPolicyNotOwned = errors.New("policy is not one of the client's policies")

// claimIDKind is the natural-key kind of claim IDs; changing it would give
// every claim a new stream.
const claimIDKind = "claim-kias"

// Claims handles the commands of the claim aggregate. A claim's ID is derived
// from its KIAS claim file number, so a claim reported twice is one claim (the
// second is refused with claim.ErrClaimExists). The claim aggregate records
// the policy it is given; that the policy is the client's is checked here,
// against the policy's stream. It is safe for concurrent use.
type Claims struct {
	runner *Runner
	ids    *KeyedIDs
}

// NewClaims wires the claim handlers; both arguments are required.
func NewClaims(r *Runner, ids *KeyedIDs) *Claims {
	return &Claims{runner: r, ids: ids}
}

// IDFor is the claim ID of a KIAS claim file number. Surrounding spaces do
// not count, as the claim aggregate trims them too.
func (c *Claims) IDFor(kiasClaimNumber string) uuid.UUID {
	return c.ids.ID(claimIDKind, strings.TrimSpace(kiasClaimNumber))
}

// claimAggregate is the claim package as the runner drives it.
func claimAggregate() Aggregate[claim.State, claim.Event, claim.Command] {
	return Aggregate[claim.State, claim.Event, claim.Command]{
		Name:          claim.Aggregate,
		Evolve:        claim.Evolve,
		Decide:        claim.Decide,
		Encode:        claim.EncodeEvent,
		Decode:        claim.DecodeEvent,
		SchemaVersion: claim.SchemaVersion,
	}
}

// Owned returns the claim if clientID reported it. Another client's claim
// gives the same error as one that does not exist, wrapping
// claim.ErrClaimNotFound.
func (c *Claims) Owned(ctx context.Context, claimID, clientID uuid.UUID) (claim.State, error) {
	s, _, _, err := Load(ctx, c.runner.Store, claimAggregate(), claimID)
	if err != nil {
		return claim.State{}, fmt.Errorf("load claim %s: %w", claimID, err)
	}
	if !s.Exists() || clientID == uuid.Nil || s.ClientID != clientID {
		return claim.State{}, fmt.Errorf("claim %s: %w", claimID, claim.ErrClaimNotFound)
	}
	return s, nil
}

// Load returns the claim as its events built it, the zero State when there is
// none. It checks no ownership: it is for handlers fed by KIAS.
func (c *Claims) Load(ctx context.Context, claimID uuid.UUID) (claim.State, error) {
	s, _, _, err := Load(ctx, c.runner.Store, claimAggregate(), claimID)
	if err != nil {
		return claim.State{}, fmt.Errorf("load claim %s: %w", claimID, err)
	}
	return s, nil
}

func (c *Claims) execute(ctx context.Context, claimID, commandID uuid.UUID, cmd claim.Command) (Result, error) {
	return Execute(ctx, c.runner, claimAggregate(), claimID, commandID, cmd)
}

// ReportClaim opens a claim of cmd.ClientID on cmd.PolicyID and returns its
// ID, IDFor(cmd.Number); cmd.ClaimID may be left empty, any other ID is
// refused. The policy must exist and be held by the client (ErrPolicyNotOwned
// otherwise); holders never change, so the check cannot go stale before the
// claim is appended. The ID comes back with claim.ErrClaimExists too.
func (c *Claims) ReportClaim(ctx context.Context, commandID uuid.UUID, cmd claim.ReportClaim) (uuid.UUID, Result, error) {
	number := strings.TrimSpace(cmd.Number)
	if number == "" {
		return uuid.Nil, Result{}, fmt.Errorf("number: required: %w", claim.ErrInvalidClaim)
	}
	id := c.IDFor(number)
	switch cmd.ClaimID {
	case uuid.Nil:
		cmd.ClaimID = id
	case id:
	default:
		return uuid.Nil, Result{}, fmt.Errorf("claim_id %s: not the ID of the KIAS claim number, leave it empty: %w", cmd.ClaimID, claim.ErrInvalidClaim)
	}
	s, _, _, err := Load(ctx, c.runner.Store, policyAggregate(), cmd.PolicyID)
	if err != nil {
		return id, Result{}, fmt.Errorf("claim %s: load policy %s: %w", id, cmd.PolicyID, err)
	}
	if !s.Exists() || cmd.ClientID == uuid.Nil || s.Holder.ClientID != cmd.ClientID {
		return id, Result{}, fmt.Errorf("claim %s on policy %s: %w: %w", id, cmd.PolicyID, ErrPolicyNotOwned, policy.ErrPolicyNotFound)
	}
	res, err := c.execute(ctx, id, commandID, cmd)
	return id, res, err
}

// ChangeClaimStatus mirrors a change of the claim's stage in KIAS.
func (c *Claims) ChangeClaimStatus(ctx context.Context, commandID, claimID uuid.UUID, cmd claim.ChangeClaimStatus) (Result, error) {
	return c.execute(ctx, claimID, commandID, cmd)
}

// RequestClaimDocuments records documents KIAS asks the client for. It does
// not move the stage; KIAS reports documents_requested with ChangeClaimStatus.
func (c *Claims) RequestClaimDocuments(ctx context.Context, commandID, claimID uuid.UUID, cmd claim.RequestClaimDocuments) (Result, error) {
	return c.execute(ctx, claimID, commandID, cmd)
}
