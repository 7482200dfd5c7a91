package claims

// The shapes of the jsonb columns: plain strings, so that a replay diff
// reads well and encoding is cheap. Times are RFC 3339 in UTC, amounts
// "150000.00". A change here bumps Projection.Version.

// Timeline entry types, as stored; they mirror the claim event types.
const (
	typeReported           = "reported"
	typeStatusChanged      = "status_changed"
	typeDocumentsRequested = "documents_requested"
	typeDocumentReceived   = "document_received"
)

// entryJSON is one timeline entry; Version is the event's version in the
// claim's stream, which orders the entries.
type entryJSON struct {
	Version     int64           `json:"v"`
	At          string          `json:"at"`
	Type        string          `json:"type"`
	From        string          `json:"from,omitempty"`
	To          string          `json:"to,omitempty"`
	Reason      string          `json:"reason,omitempty"`
	Payout      string          `json:"payout,omitempty"`
	DecisionRef string          `json:"decision_ref,omitempty"`
	Requested   []requestedJSON `json:"requested,omitempty"`
	DocKind     string          `json:"doc_kind,omitempty"`
	BlobRef     string          `json:"blob_ref,omitempty"`
	SHA256      string          `json:"sha256,omitempty"`
}

type requestedJSON struct {
	Kind  string `json:"kind"`
	Title string `json:"title"`
}

type missingJSON struct {
	Kind        string `json:"kind"`
	Title       string `json:"title"`
	RequestedAt string `json:"requested_at"`
}
