package policy

import (
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Decide checks a command against the policy and returns the events it
// causes, or a refusal wrapping one of the Err sentinels. It depends on
// nothing but its arguments. No events and no error means the command
// repeats what is already recorded.
func Decide(s State, c Command, now time.Time) ([]Event, error) {
	now = stamp(now)
	if c, ok := c.(IssuePolicy); ok {
		return issuePolicy(s, c, now)
	}
	if !s.Exists() {
		return nil, fmt.Errorf("%T: %w", c, ErrPolicyNotFound)
	}
	if c, ok := c.(AttachDocument); ok {
		return attachDocument(s, c, now)
	}
	if c, ok := c.(RefundPayment); ok {
		return refundPayment(s, c, now)
	}
	// A cancelled policy still takes documents (a cancellation notice) and
	// refunds, nothing else.
	if s.Cancelled {
		return nil, fmt.Errorf("%T on policy %s: %w", c, s.Number, ErrPolicyCancelled)
	}
	switch c := c.(type) {
	case RecordPayment:
		return recordPayment(s, c, now)
	case PayInstallment:
		return payInstallment(s, c, now)
	case ProlongPolicy:
		return prolongPolicy(s, c, now)
	case CancelPolicy:
		return cancelPolicy(s, c, now)
	default:
		return nil, fmt.Errorf("%T: %w", c, ErrUnknownCommand)
	}
}

func prolongPolicy(s State, c ProlongPolicy, now time.Time) ([]Event, error) {
	switch {
	case c.NewPolicyID == uuid.Nil:
		return nil, fmt.Errorf("new_policy_id: required: %w", ErrInvalidProlongation)
	case c.NewPolicyID == s.ID:
		return nil, fmt.Errorf("new_policy_id: a policy cannot renew itself: %w", ErrInvalidProlongation)
	case s.RenewedBy == c.NewPolicyID:
		return nil, nil
	case s.Prolonged():
		return nil, fmt.Errorf("policy %s renewed by %s: %w", s.Number, s.RenewedBy, ErrAlreadyProlonged)
	}
	return []Event{Prolonged{NewPolicyID: c.NewPolicyID, ProlongedAt: now}}, nil
}

func cancelPolicy(s State, c CancelPolicy, now time.Time) ([]Event, error) {
	reason := strings.TrimSpace(c.Reason)
	switch {
	case reason == "":
		return nil, fmt.Errorf("reason: required: %w", ErrInvalidCancellation)
	case !c.EffectiveOn.Valid():
		return nil, fmt.Errorf("effective_on: required, a real day: %w", ErrInvalidCancellation)
	case c.EffectiveOn.After(s.EndsOn):
		return nil, fmt.Errorf("effective_on %s: after the term ends on %s: %w", c.EffectiveOn, s.EndsOn, ErrInvalidCancellation)
	}
	return []Event{Cancelled{Reason: reason, EffectiveOn: c.EffectiveOn, CancelledAt: now}}, nil
}

func attachDocument(s State, c AttachDocument, now time.Time) ([]Event, error) {
	kind := DocumentKind(strings.TrimSpace(string(c.Kind)))
	ref := strings.TrimSpace(c.BlobRef)
	hash := strings.ToLower(strings.TrimSpace(c.SHA256))
	switch {
	case kind == "":
		return nil, fmt.Errorf("kind: required: %w", ErrInvalidDocument)
	case ref == "":
		return nil, fmt.Errorf("blob_ref: required: %w", ErrInvalidDocument)
	case !isSHA256(hash):
		return nil, fmt.Errorf("sha256: want 64 hex digits: %w", ErrInvalidDocument)
	}
	for _, d := range s.documents {
		if d.Kind == kind && d.SHA256 == hash {
			return nil, nil
		}
	}
	return []Event{DocumentAttached{Kind: kind, BlobRef: ref, SHA256: hash, AttachedAt: now}}, nil
}

func isSHA256(h string) bool {
	b, err := hex.DecodeString(h)
	return err == nil && len(b) == 32
}

// stamp brings a time to UTC at the event store's microsecond precision, so
// that a decided event equals the copy the store gives back.
func stamp(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
