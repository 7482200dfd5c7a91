package kias

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/internal/partnerhttp"
)

// History returns what KIAS holds for a client as feed changes, oldest
// first: every policy_issued whose holder has the IIN, the payments,
// installments and cancellations of those contracts, and the claims on them
// with their status changes and document requests. Each change carries the
// ID it has in the feed. An IIN KIAS does not know has an empty history.
//
// A change that cannot be decoded comes back with its ID, cursor and kind
// only, marked so that FeedPoller.Import rejects it; one whose ID and kind
// are unreadable too makes the whole history an error.
func (c *Client) History(ctx context.Context, iin kz.IIN) ([]Change, error) {
	var h historyJSON
	err := c.http.Do(ctx, partnerhttp.Request{Method: http.MethodGet, Path: clientPath(iin, "/history"), Route: "/clients/{iin}/history"}, &h)
	switch {
	case isNotFound(err):
		return nil, nil
	case err != nil:
		return nil, err
	}
	out := make([]Change, 0, len(h.Changes))
	for i, raw := range h.Changes {
		ch, ok := decodeChange(raw)
		if !ok {
			return nil, fmt.Errorf("kias history: change %d has no readable id", i)
		}
		out = append(out, ch)
	}
	return out, nil
}

// History returns the client's history (see Client.History), derived from
// the changes appended with AppendChange.
func (s *Simulator) History(ctx context.Context, iin kz.IIN) ([]Change, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// The contracts first and then their claims, over the whole feed, so
	// that a change KIAS recorded out of order still counts as the client's.
	contracts := map[string]bool{}
	for _, c := range s.changes {
		if c.Kind != ChangePolicyIssued || c.Policy == nil {
			continue
		}
		holder, err := kz.ParseIIN(strings.TrimSpace(c.Policy.Holder.IIN))
		if id := ref(c.Policy.ContractID); err == nil && holder == iin && id != "" {
			contracts[id] = true
		}
	}
	claims := map[string]bool{}
	for _, c := range s.changes {
		if c.Kind != ChangeClaimReported || c.Claim == nil || !contracts[ref(c.Claim.ContractID)] {
			continue
		}
		if number := ref(c.Claim.Number); number != "" {
			claims[number] = true
		}
	}
	var out []Change
	for _, c := range s.changes {
		if concerns(c, contracts, claims) {
			out = append(out, c)
		}
	}
	return out, nil
}

// concerns reports whether c is about one of the contracts or claims.
func concerns(c Change, contracts, claims map[string]bool) bool {
	switch {
	case c.Kind == ChangePolicyIssued && c.Policy != nil:
		return contracts[ref(c.Policy.ContractID)]
	case (c.Kind == ChangePaymentReceived || c.Kind == ChangeInstallmentPaid) && c.Payment != nil:
		return contracts[ref(c.Payment.ContractID)]
	case c.Kind == ChangePolicyCancelled && c.Cancellation != nil:
		return contracts[ref(c.Cancellation.ContractID)]
	case c.Kind == ChangeClaimReported && c.Claim != nil:
		return claims[ref(c.Claim.Number)]
	case c.Kind == ChangeClaimStatusChanged && c.ClaimStatus != nil:
		return claims[ref(c.ClaimStatus.Number)]
	case c.Kind == ChangeClaimDocumentsRequested && c.ClaimDocuments != nil:
		return claims[ref(c.ClaimDocuments.Number)]
	}
	return false
}

// ref is a contract ID or claim number as kabinet compares them: surrounding
// spaces do not count (commands.Policies.IDFor, commands.Claims.IDFor).
func ref(s string) string { return strings.TrimSpace(s) }
