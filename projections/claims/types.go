package claims

import (
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/domain/claim"
	"github.com/kabinet/kabinet/domain/money"
)

// Filter picks claims by the status the client is shown.
type Filter string

// The filters. The zero Filter means All.
const (
	All          Filter = "all"
	InSettlement Filter = claim.ClientInSettlement
	Settled      Filter = claim.ClientSettled
)

// Summary is a claim as the list shows it.
type Summary struct {
	ClaimID      uuid.UUID
	Number       string // the claim file number in KIAS
	Kind         string // e.g. "road_accident"
	PolicyID     uuid.UUID
	PolicyNumber string       // empty if the policy's issue was never seen
	Status       string       // what the client is shown: claim.ClientInSettlement or claim.ClientSettled
	Stage        claim.Status // the finer stage
	ReportedAt   time.Time
	LastChangeAt time.Time
	ClosedAt     time.Time // zero while open
	Payout       money.KZT // zero unless paid
	MissingCount int       // documents still outstanding
}

// Details is a claim with its timeline and documents.
type Details struct {
	Summary
	Description string
	DecisionRef string // the last decision reference KIAS gave, e.g. the payout order number
	Timeline    []Entry
	Missing     []MissingDocument  // in the order they were asked for
	Received    []ReceivedDocument // in the order they arrived
}

// EntryKind says what a timeline entry records.
type EntryKind string

// The timeline entry kinds.
const (
	EntryReported           EntryKind = "reported"
	EntryStatusChanged      EntryKind = "status_changed"
	EntryDocumentsRequested EntryKind = "documents_requested"
	EntryDocumentReceived   EntryKind = "document_received"
)

// Entry is one thing that happened to a claim.
type Entry struct {
	At          time.Time
	Kind        EntryKind
	From, To    claim.Status // status_changed; To alone for reported
	Reason      string
	Payout      money.KZT // status_changed to paid
	DecisionRef string
	Requested   []RequestedDocument // documents_requested
	Received    *ReceivedDocument   // document_received
}

// RequestedDocument is a document the insurer asked for.
type RequestedDocument struct {
	Kind  claim.DocumentKind
	Title string
}

// MissingDocument is a document the insurer still needs.
type MissingDocument struct {
	Kind        claim.DocumentKind
	Title       string
	RequestedAt time.Time
}

// ReceivedDocument is a document on file for the claim.
type ReceivedDocument struct {
	Kind       claim.DocumentKind
	Title      string // the title it was asked for under
	BlobRef    string
	SHA256     string
	ReceivedAt time.Time
}
