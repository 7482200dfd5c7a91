package claim

import (
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/domain/money"
)

// Command is a request to change a claim; the set is closed to this package.
type Command interface{ isCommand() }

// ReportClaim opens a claim. The handler has checked that PolicyID belongs to
// ClientID and passes a new ClaimID.
type ReportClaim struct {
	ClaimID     uuid.UUID
	ClientID    uuid.UUID
	PolicyID    uuid.UUID
	Number      string
	Kind        string
	Description string
	ReportedAt  time.Time // when the client reported it; zero means now
}

// ChangeClaimStatus moves the claim to another stage.
type ChangeClaimStatus struct {
	To          Status
	Reason      string
	Payout      money.KZT // required (positive) when To is paid, zero otherwise
	DecisionRef string
}

// RequestClaimDocuments asks the client for documents.
type RequestClaimDocuments struct {
	Documents []DocumentRequest
}

// ReceiveClaimDocument records a requested document stored in the blob store.
type ReceiveClaimDocument struct {
	Kind    DocumentKind
	BlobRef string
	SHA256  string // hex; upper case is accepted and stored lower case
}

func (ReportClaim) isCommand()           {}
func (ChangeClaimStatus) isCommand()     {}
func (RequestClaimDocuments) isCommand() {}
func (ReceiveClaimDocument) isCommand()  {}
