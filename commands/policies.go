package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/domain/policy"
)

// ErrProlongationHolderMismatch means a policy would be renewed by, or issued
// as the renewal of, a policy of another holder. The policy aggregate sees one
// stream only, so this rule across two policies is the handler's.
var ErrProlongationHolderMismatch = errors.New("the renewing policy belongs to another holder")

// policyIDKind is the natural-key kind of policy IDs; changing it would give
// every policy a new stream.
const policyIDKind = "policy-kias"

// Policies handles the commands of the policy aggregate. A policy's ID is
// derived from its KIAS contract ID, so a contract that arrives twice (the
// KIAS feed replayed, the website retrying a purchase) is one policy: the
// second issue is refused with policy.ErrPolicyExists by the event store's
// no-stream check, not by a lookup that could race.
//
// Handlers that act for a client take its ID and answer a policy of anyone
// else exactly as a policy that does not exist (policy.ErrPolicyNotFound),
// never "forbidden", so that nobody learns which policy IDs exist. Handlers
// fed by KIAS or the payment provider take no client. Checking ownership
// before deciding cannot race: only policy.issued sets the holder. It is
// safe for concurrent use.
type Policies struct {
	runner *Runner
	ids    *KeyedIDs
}

// NewPolicies wires the policy handlers; both arguments are required.
func NewPolicies(r *Runner, ids *KeyedIDs) *Policies {
	return &Policies{runner: r, ids: ids}
}

// IDFor is the policy ID of a KIAS contract ID. Surrounding spaces do not
// count, as the policy aggregate trims them too.
func (p *Policies) IDFor(kiasContractID string) uuid.UUID {
	return p.ids.ID(policyIDKind, strings.TrimSpace(kiasContractID))
}

// policyAggregate is the policy package as the runner drives it.
func policyAggregate() Aggregate[policy.State, policy.Event, policy.Command] {
	return Aggregate[policy.State, policy.Event, policy.Command]{
		Name:          policy.Aggregate,
		Evolve:        policy.Evolve,
		Decide:        policy.Decide,
		Encode:        policy.EncodeEvent,
		Decode:        policy.DecodeEvent,
		SchemaVersion: policy.SchemaVersion,
	}
}

// Load returns the policy as its events built it; the zero State (Exists
// false) when there is no such policy. It checks no ownership: it is for
// handlers fed by KIAS, not for a client's request.
func (p *Policies) Load(ctx context.Context, policyID uuid.UUID) (policy.State, error) {
	s, _, _, err := Load(ctx, p.runner.Store, policyAggregate(), policyID)
	if err != nil {
		return policy.State{}, fmt.Errorf("load policy %s: %w", policyID, err)
	}
	return s, nil
}

// Owned returns the policy if clientID holds it. A policy of another client
// gives the same error as one that does not exist, wrapping
// policy.ErrPolicyNotFound, so that its existence is not revealed.
func (p *Policies) Owned(ctx context.Context, policyID, clientID uuid.UUID) (policy.State, error) {
	s, err := p.Load(ctx, policyID)
	if err != nil {
		return policy.State{}, err
	}
	if !s.Exists() || clientID == uuid.Nil || s.Holder.ClientID != clientID {
		return policy.State{}, fmt.Errorf("policy %s: %w", policyID, policy.ErrPolicyNotFound)
	}
	return s, nil
}

func (p *Policies) execute(ctx context.Context, policyID, commandID uuid.UUID, cmd policy.Command) (Result, error) {
	return Execute(ctx, p.runner, policyAggregate(), policyID, commandID, cmd)
}

// CancelPolicy records a cancellation reported by KIAS.
func (p *Policies) CancelPolicy(ctx context.Context, commandID, policyID uuid.UUID, cmd policy.CancelPolicy) (Result, error) {
	return p.execute(ctx, policyID, commandID, cmd)
}

// AttachDocument records a policy document (the PDF, an addendum, a receipt)
// stored in the blob store.
func (p *Policies) AttachDocument(ctx context.Context, commandID, policyID uuid.UUID, cmd policy.AttachDocument) (Result, error) {
	return p.execute(ctx, policyID, commandID, cmd)
}
