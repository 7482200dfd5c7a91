package claim

import (
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/domain/money"
	"github.com/kabinet/kabinet/domain/wire"
)

// Aggregate is the stream prefix: streams are "claim-<uuid>".
const Aggregate = "claim"

// Event is one fact in a claim stream; the set is closed to this package.
type Event interface{ eventType() string }

// Wire names of the events. They are stored and never change.
const (
	TypeReported           = "claim.reported"
	TypeStatusChanged      = "claim.status_changed"
	TypeDocumentsRequested = "claim.documents_requested"
	TypeDocumentReceived   = "claim.document_received"
)

// Personal is the personal data in claim events, sealed with the client's
// key: the client's own account of what happened.
var Personal = []wire.Personal{
	{Type: TypeReported, Owner: "client_id", Members: []string{"description"}},
}

// Reported opens a claim: a client reported an insured event under a policy.
type Reported struct {
	ClaimID     uuid.UUID `json:"claim_id"`
	ClientID    uuid.UUID `json:"client_id"`
	PolicyID    uuid.UUID `json:"policy_id"`
	Number      string    `json:"number"` // the claim file number in KIAS
	Kind        string    `json:"kind"`   // e.g. "road_accident", "theft"; an open set from KIAS
	Description string    `json:"description,omitempty"`
	ReportedAt  time.Time `json:"reported_at"`
}

// StatusChanged moves a claim from one stage to another.
type StatusChanged struct {
	From        Status    `json:"from"`
	To          Status    `json:"to"`
	Reason      string    `json:"reason,omitempty"`
	Payout      money.KZT `json:"payout,omitzero"`        // set when To is paid
	DecisionRef string    `json:"decision_ref,omitempty"` // e.g. the payout order (РВ) number in KIAS
	ChangedAt   time.Time `json:"changed_at"`
}

// DocumentsRequested records documents the insurer needs, in the order asked.
type DocumentsRequested struct {
	Documents   []DocumentRequest `json:"documents"`
	RequestedAt time.Time         `json:"requested_at"`
}

// DocumentReceived records that a requested document arrived; the scan itself
// lives in the blob store.
type DocumentReceived struct {
	Kind       DocumentKind `json:"kind"`
	BlobRef    string       `json:"blob_ref"`
	SHA256     string       `json:"sha256"` // lower-case hex of the blob's SHA-256
	ReceivedAt time.Time    `json:"received_at"`
}

func (Reported) eventType() string           { return TypeReported }
func (StatusChanged) eventType() string      { return TypeStatusChanged }
func (DocumentsRequested) eventType() string { return TypeDocumentsRequested }
func (DocumentReceived) eventType() string   { return TypeDocumentReceived }

// DocumentKind names a document for a claim. The set is open (KIAS configures
// the documents per claim kind); the constants are the common ones.
type DocumentKind string

// Common document kinds.
const (
	DocumentIDCard       DocumentKind = "id_card"
	DocumentPoliceReport DocumentKind = "police_report"
	DocumentPhotos       DocumentKind = "photos"
	DocumentBankDetails  DocumentKind = "bank_details"
)

// DocumentRequest is one document the insurer asks for, with the title the
// client is shown.
type DocumentRequest struct {
	Kind  DocumentKind `json:"kind"`
	Title string       `json:"title"`
}
