package claim

import (
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Decide checks a command against the claim and returns the events it
// causes, or a refusal wrapping one of the Err sentinels. It depends on
// nothing but its arguments. No events and no error means the command
// repeats what is already recorded.
func Decide(s State, c Command, now time.Time) ([]Event, error) {
	now = stamp(now)
	if r, ok := c.(ReportClaim); ok {
		return reportClaim(s, r, now)
	}
	if !s.Exists() {
		return nil, fmt.Errorf("%T: %w", c, ErrClaimNotFound)
	}
	if s.Closed() {
		return nil, fmt.Errorf("claim %s is %s: %w", s.Number, s.Status, ErrClaimClosed)
	}
	switch c := c.(type) {
	case ChangeClaimStatus:
		return changeStatus(s, c, now)
	case RequestClaimDocuments:
		return requestDocuments(s, c, now)
	case ReceiveClaimDocument:
		return receiveDocument(s, c, now)
	default:
		return nil, fmt.Errorf("%T: %w", c, ErrUnknownCommand)
	}
}

func reportClaim(s State, c ReportClaim, now time.Time) ([]Event, error) {
	if s.Exists() {
		return nil, fmt.Errorf("claim %s: %w", s.ID, ErrClaimExists)
	}
	invalid := func(field, rule string) error {
		return fmt.Errorf("%s: %s: %w", field, rule, ErrInvalidClaim)
	}
	switch {
	case c.ClaimID == uuid.Nil:
		return nil, invalid("claim_id", "required")
	case c.ClientID == uuid.Nil:
		return nil, invalid("client_id", "required")
	case c.PolicyID == uuid.Nil:
		return nil, invalid("policy_id", "required")
	case strings.TrimSpace(c.Number) == "":
		return nil, invalid("number", "required")
	case strings.TrimSpace(c.Kind) == "":
		return nil, invalid("kind", "required")
	case stamp(c.ReportedAt).After(now):
		return nil, invalid("reported_at", "must not be in the future")
	}
	at := now
	if !c.ReportedAt.IsZero() {
		at = stamp(c.ReportedAt)
	}
	return []Event{Reported{
		ClaimID:     c.ClaimID,
		ClientID:    c.ClientID,
		PolicyID:    c.PolicyID,
		Number:      strings.TrimSpace(c.Number),
		Kind:        strings.TrimSpace(c.Kind),
		Description: strings.TrimSpace(c.Description),
		ReportedAt:  at,
	}}, nil
}

func changeStatus(s State, c ChangeClaimStatus, now time.Time) ([]Event, error) {
	if !c.To.Valid() {
		return nil, fmt.Errorf("to %q: %w", c.To, ErrUnknownStatus)
	}
	if c.To == s.Status {
		return nil, nil
	}
	if !CanTransition(s.Status, c.To) {
		return nil, fmt.Errorf("from %s to %s: %w", s.Status, c.To, ErrInvalidTransition)
	}
	switch {
	case c.To == StatusPaid && !c.Payout.IsPositive():
		return nil, fmt.Errorf("payout %s: must be positive when paid: %w", c.Payout, ErrPayoutRequired)
	case c.To != StatusPaid && !c.Payout.IsZero():
		return nil, fmt.Errorf("payout %s with status %s: %w", c.Payout, c.To, ErrUnexpectedPayout)
	case c.To == StatusRefused && strings.TrimSpace(c.Reason) == "":
		return nil, fmt.Errorf("refusal: %w", ErrReasonRequired)
	}
	return []Event{StatusChanged{
		From:        s.Status,
		To:          c.To,
		Reason:      strings.TrimSpace(c.Reason),
		Payout:      c.Payout,
		DecisionRef: strings.TrimSpace(c.DecisionRef),
		ChangedAt:   now,
	}}, nil
}

func requestDocuments(s State, c RequestClaimDocuments, now time.Time) ([]Event, error) {
	if len(c.Documents) == 0 {
		return nil, fmt.Errorf("documents: at least one required: %w", ErrInvalidDocument)
	}
	seen := make(map[DocumentKind]bool, len(c.Documents))
	var fresh []DocumentRequest
	for i, d := range c.Documents {
		d.Kind = DocumentKind(strings.TrimSpace(string(d.Kind)))
		d.Title = strings.TrimSpace(d.Title)
		switch {
		case d.Kind == "":
			return nil, fmt.Errorf("documents[%d].kind: required: %w", i, ErrInvalidDocument)
		case d.Title == "":
			return nil, fmt.Errorf("documents[%d].title: required: %w", i, ErrInvalidDocument)
		case seen[d.Kind]:
			return nil, fmt.Errorf("documents[%d].kind %q: asked twice: %w", i, d.Kind, ErrInvalidDocument)
		}
		seen[d.Kind] = true
		if !s.isMissing(d.Kind) {
			fresh = append(fresh, d)
		}
	}
	if len(fresh) == 0 {
		return nil, nil
	}
	return []Event{DocumentsRequested{Documents: fresh, RequestedAt: now}}, nil
}

func receiveDocument(s State, c ReceiveClaimDocument, now time.Time) ([]Event, error) {
	hash := strings.ToLower(strings.TrimSpace(c.SHA256))
	ref := strings.TrimSpace(c.BlobRef)
	switch {
	case c.Kind == "":
		return nil, fmt.Errorf("kind: required: %w", ErrInvalidDocument)
	case ref == "":
		return nil, fmt.Errorf("blob_ref: required: %w", ErrInvalidDocument)
	case !isSHA256(hash):
		return nil, fmt.Errorf("sha256: want 64 hex digits: %w", ErrInvalidDocument)
	}
	if !s.isMissing(c.Kind) {
		for _, d := range s.received {
			if d.Kind == c.Kind && d.SHA256 == hash {
				return nil, nil
			}
		}
		return nil, fmt.Errorf("kind %q: %w", c.Kind, ErrDocumentNotRequested)
	}
	return []Event{DocumentReceived{Kind: c.Kind, BlobRef: ref, SHA256: hash, ReceivedAt: now}}, nil
}

func isSHA256(h string) bool {
	b, err := hex.DecodeString(h)
	return err == nil && len(b) == 32
}

// stamp brings a time to UTC at the event store's microsecond precision, so
// that a decided event equals the copy the store gives back.
func stamp(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
