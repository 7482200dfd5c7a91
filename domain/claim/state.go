package claim

import (
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/domain/money"
)

// State is a claim as its events built it. The zero value is a claim that
// has not been reported.
type State struct {
	ID          uuid.UUID
	ClientID    uuid.UUID
	PolicyID    uuid.UUID
	Number      string
	Kind        string
	Description string
	ReportedAt  time.Time
	Status      Status
	Payout      money.KZT // set once paid
	DecisionRef string    // the last decision reference KIAS gave
	ClosedAt    time.Time // when the claim reached a terminal stage

	// Evolve never writes into these slices in place, so states that share
	// them stay independent.
	missing  []DocumentRequest
	received []ReceivedDocument
}

// ReceivedDocument is a document on file for the claim.
type ReceivedDocument struct {
	Kind       DocumentKind
	BlobRef    string
	SHA256     string
	ReceivedAt time.Time
}

// Exists reports whether the claim has been reported.
func (s State) Exists() bool { return s.ID != uuid.Nil }

// Closed reports whether the claim is in a terminal stage.
func (s State) Closed() bool { return s.Status.Terminal() }

// Missing lists the documents still outstanding, in the order they were asked for.
func (s State) Missing() []DocumentKind {
	kinds := make([]DocumentKind, len(s.missing))
	for i, d := range s.missing {
		kinds[i] = d.Kind
	}
	return kinds
}

// MissingDocuments is Missing with the titles the client is shown.
func (s State) MissingDocuments() []DocumentRequest { return slices.Clone(s.missing) }

// Received lists the documents on file, in the order they arrived.
func (s State) Received() []ReceivedDocument { return slices.Clone(s.received) }

func (s State) isMissing(kind DocumentKind) bool {
	return slices.ContainsFunc(s.missing, func(d DocumentRequest) bool { return d.Kind == kind })
}
