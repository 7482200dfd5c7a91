package cabinet

import (
	"context"
	"errors"
	"strings"

	"github.com/kabinet/kabinet/projections/claims"
)

// ListClaims lists the client's claims, in settlement or settled.
func (s *Service) ListClaims(ctx context.Context, c Caller, req *ListClaimsRequest) (*ListClaimsResponse, error) {
	filter := claims.Filter(strings.TrimSpace(req.Filter))
	if filter == "" {
		filter = claims.All
	}
	list, err := claims.List(ctx, s.d.DB, c.ClientID, filter)
	if errors.Is(err, claims.ErrUnknownFilter) {
		return nil, invalid("filter", "must be one of all, in_settlement, settled")
	}
	if err != nil {
		return nil, err
	}
	out := &ListClaimsResponse{Claims: make([]ClaimSummary, len(list))}
	for i, cl := range list {
		out.Claims[i] = claimSummary(cl)
	}
	return out, nil
}

// GetClaim returns one of the client's claims with its timeline and
// documents; anyone else's answers NOT_FOUND.
func (s *Service) GetClaim(ctx context.Context, c Caller, req *GetClaimRequest) (*GetClaimResponse, error) {
	id, err := parseID("claimId", req.ClaimID)
	if err != nil {
		return nil, err
	}
	d, err := claims.Get(ctx, s.d.DB, c.ClientID, id)
	if err != nil {
		return nil, err
	}
	out := ClaimDetails{
		Summary: claimSummary(d.Summary), Description: d.Description, DecisionRef: d.DecisionRef,
		Timeline: make([]ClaimEvent, len(d.Timeline)), Missing: make([]ClaimDocument, len(d.Missing)),
		Received: make([]ClaimDocument, len(d.Received)),
	}
	for i, e := range d.Timeline {
		ev := ClaimEvent{At: dateTime(e.At), Kind: string(e.Kind), From: string(e.From), To: string(e.To),
			Reason: e.Reason, DecisionRef: e.DecisionRef, Documents: []ClaimDocument{}}
		if !e.Payout.IsZero() {
			ev.Payout = amount(e.Payout)
		}
		for _, r := range e.Requested {
			ev.Documents = append(ev.Documents, ClaimDocument{Kind: string(r.Kind), Title: r.Title, At: dateTime(e.At)})
		}
		if e.Received != nil {
			ev.Documents = append(ev.Documents, receivedDocument(*e.Received))
		}
		out.Timeline[i] = ev
	}
	for i, m := range d.Missing {
		out.Missing[i] = ClaimDocument{Kind: string(m.Kind), Title: m.Title, At: dateTime(m.RequestedAt)}
	}
	for i, r := range d.Received {
		out.Received[i] = receivedDocument(r)
	}
	return &GetClaimResponse{Claim: out}, nil
}

func receivedDocument(r claims.ReceivedDocument) ClaimDocument {
	return ClaimDocument{Kind: string(r.Kind), Title: r.Title, At: dateTime(r.ReceivedAt), SHA256: r.SHA256}
}

func claimSummary(c claims.Summary) ClaimSummary {
	out := ClaimSummary{
		ClaimID: c.ClaimID.String(), Number: c.Number, Kind: c.Kind, PolicyID: c.PolicyID.String(),
		PolicyNumber: c.PolicyNumber, Status: c.Status, Stage: string(c.Stage),
		ReportedAt: dateTime(c.ReportedAt), LastChangeAt: dateTime(c.LastChangeAt), ClosedAt: dateTime(c.ClosedAt),
		MissingCount: int64(c.MissingCount),
	}
	if !c.Payout.IsZero() {
		out.Payout = amount(c.Payout)
	}
	return out
}
