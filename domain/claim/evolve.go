package claim

import "slices"

// Evolve applies one event to the state. It trusts the event: it never
// validates, so history replays whatever today's rules say.
func Evolve(s State, e Event) State {
	switch e := e.(type) {
	case Reported:
		s.ID = e.ClaimID
		s.ClientID = e.ClientID
		s.PolicyID = e.PolicyID
		s.Number = e.Number
		s.Kind = e.Kind
		s.Description = e.Description
		s.ReportedAt = e.ReportedAt
		s.Status = StatusReported
	case StatusChanged:
		s.Status = e.To
		if e.To == StatusPaid {
			s.Payout = e.Payout
		}
		if e.DecisionRef != "" {
			s.DecisionRef = e.DecisionRef
		}
		if e.To.Terminal() {
			s.ClosedAt = e.ChangedAt
		}
	case DocumentsRequested:
		for _, d := range e.Documents {
			s.missing = append(withoutKind(s.missing, d.Kind), d)
		}
	case DocumentReceived:
		s.missing = withoutKind(s.missing, e.Kind)
		// Clip so that append copies instead of writing into an array another state shares.
		s.received = append(slices.Clip(s.received), ReceivedDocument{
			Kind: e.Kind, BlobRef: e.BlobRef, SHA256: e.SHA256, ReceivedAt: e.ReceivedAt,
		})
	}
	return s
}

// withoutKind returns a new slice without the requests for kind.
func withoutKind(ds []DocumentRequest, kind DocumentKind) []DocumentRequest {
	out := make([]DocumentRequest, 0, len(ds)+1)
	for _, d := range ds {
		if d.Kind != kind {
			out = append(out, d)
		}
	}
	return out
}
