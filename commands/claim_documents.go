package commands

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/domain/claim"
)

// claimCompleteIndex derives the command ID of the stage change that follows
// a document receipt: EventID(receipt command ID, claimCompleteIndex). It is
// far above the index of any event one command writes, and it never changes,
// or a repeated receipt would move the stage under a new command.
const claimCompleteIndex = 1000

// claimCompleteReason is the reason recorded when the last missing document
// moves a claim to documents_complete.
const claimCompleteReason = "all requested documents received"

// ReceiveClaimDocument records a document the client uploaded for a claim
// they reported (claim.ErrClaimNotFound for anyone else's claim).
//
// When that was the last missing document and the claim waits in
// documents_requested, the handler also moves it to documents_complete, so
// the client sees at once that nothing more is needed. The claim aggregate
// keeps documents and stages apart, so this is a second command, run with the
// ID EventID(commandID, 1000): deterministic, so repeating the receipt never
// moves the stage twice, and a repeat after a crash between the two appends
// completes the move. Its condition is checked on the state it is appended
// on, so a concurrent upload or stage change cannot make it stale. The Result
// covers both: the later version and position, the events of both, and
// Duplicate only when neither wrote anything now.
func (c *Claims) ReceiveClaimDocument(ctx context.Context, commandID, clientID, claimID uuid.UUID, cmd claim.ReceiveClaimDocument) (Result, error) {
	if _, err := c.Owned(ctx, claimID, clientID); err != nil {
		return Result{}, err
	}
	received, err := c.execute(ctx, claimID, commandID, cmd)
	if err != nil {
		return Result{}, err
	}
	complete := claimAggregate()
	complete.Decide = claimCompleteDecide
	moved, err := Execute(ctx, c.runner, complete, claimID, EventID(commandID, claimCompleteIndex),
		claim.Command(claim.ChangeClaimStatus{To: claim.StatusDocumentsComplete, Reason: claimCompleteReason}))
	if err != nil {
		return Result{}, err
	}
	if moved.Events == 0 {
		return received, nil
	}
	return Result{
		Stream:    received.Stream,
		Version:   moved.Version,
		Position:  moved.Position,
		Events:    received.Events + moved.Events,
		Duplicate: received.Duplicate && moved.Duplicate,
	}, nil
}

// claimCompleteDecide decides the stage change only while the claim waits
// in documents_requested with nothing missing; otherwise there is nothing to do.
func claimCompleteDecide(s claim.State, cmd claim.Command, now time.Time) ([]claim.Event, error) {
	if s.Status != claim.StatusDocumentsRequested || len(s.Missing()) > 0 {
		return nil, nil
	}
	return claim.Decide(s, cmd, now)
}
