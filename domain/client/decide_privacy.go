package client

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

func giveConsent(s State, c GiveConsent, now time.Time) ([]Event, error) {
	if err := checkPurpose(c.Purpose); err != nil {
		return nil, fmt.Errorf("give consent: %w", err)
	}
	if len(c.Scope) == 0 || slices.ContainsFunc(c.Scope, func(x string) bool { return strings.TrimSpace(x) == "" }) {
		return nil, fmt.Errorf("give consent: scope must list at least one data category, none empty: %w", ErrInvalidCommand)
	}
	if !c.ExpiresAt.IsZero() && !now.Before(c.ExpiresAt) {
		return nil, fmt.Errorf("give consent: expires_at must be after now: %w", ErrInvalidCommand)
	}
	if prev, ok := s.consents[c.Purpose]; ok && prev.Active(now) &&
		slices.Equal(prev.Scope, c.Scope) && prev.ExpiresAt.Equal(c.ExpiresAt) {
		return nil, nil
	}
	return []Event{ConsentGiven{
		Purpose:   c.Purpose,
		Scope:     slices.Clone(c.Scope),
		ExpiresAt: c.ExpiresAt,
		GivenAt:   now,
	}}, nil
}

func withdrawConsent(s State, c WithdrawConsent, now time.Time) ([]Event, error) {
	if err := checkPurpose(c.Purpose); err != nil {
		return nil, fmt.Errorf("withdraw consent: %w", err)
	}
	prev, ok := s.consents[c.Purpose]
	if !ok {
		return nil, fmt.Errorf("withdraw consent for %s: %w", c.Purpose, ErrConsentNotGiven)
	}
	if !prev.Active(now) {
		return nil, nil
	}
	if c.HasActiveContracts && c.Purpose.RequiredByContract() {
		return nil, fmt.Errorf("withdraw consent for %s: %w", c.Purpose, ErrConsentRequiredByContract)
	}
	return []Event{ConsentWithdrawn{Purpose: c.Purpose, WithdrawnAt: now}}, nil
}

func checkPurpose(p Purpose) error {
	if strings.TrimSpace(string(p)) == "" || len(p) > MaxPurposeLength {
		return fmt.Errorf("purpose must be a code of 1 to %d characters: %w", MaxPurposeLength, ErrInvalidCommand)
	}
	return nil
}

func requestErasure(s State, c RequestErasure, now time.Time) ([]Event, error) {
	if s.ErasurePending() {
		return nil, nil
	}
	events := []Event{ErasureRequested{RequestedAt: now}}
	if reason, blocked := erasureBlocker(c.HasActivePolicy, c.HasOpenClaim); blocked {
		events = append(events, ErasureDeferred{Reason: reason, DeferredAt: now})
	}
	return events, nil
}

func completeErasure(s State, c CompleteErasure, now time.Time) ([]Event, error) {
	if !s.ErasurePending() {
		return nil, fmt.Errorf("complete erasure: %w", ErrErasureNotRequested)
	}
	if reason, blocked := erasureBlocker(c.HasActivePolicy, c.HasOpenClaim); blocked {
		return nil, fmt.Errorf("complete erasure: %s: %w", reason, ErrErasureBlocked)
	}
	return []Event{Erased{ErasedAt: now}}, nil
}

// erasureBlocker names what holds an erasure back; a policy in force is named
// first, since it usually outlasts the claim made under it.
func erasureBlocker(activePolicy, openClaim bool) (ErasureReason, bool) {
	switch {
	case activePolicy:
		return ErasureActivePolicy, true
	case openClaim:
		return ErasureOpenClaim, true
	}
	return "", false
}
