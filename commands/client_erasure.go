package commands

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/eventstore"
)

// RequestErasure records the client's request to erase their personal data.
// While a policy is in force or a claim is open the request is deferred, and
// the reason is returned ("" when nothing holds it back; the caller then
// runs the erasure and CompleteErasure). A request while one is pending
// writes nothing and returns the pending request's reason.
func (c *Clients) RequestErasure(ctx context.Context, cmdID, clientID uuid.UUID) (client.ErasureReason, Result, error) {
	activePolicy, openClaim, err := c.clientLookupContracts(ctx, clientID)
	if err != nil {
		return "", Result{}, err
	}
	res, err := c.execute(ctx, clientID, cmdID, client.RequestErasure{HasActivePolicy: activePolicy, HasOpenClaim: openClaim})
	if err != nil {
		return "", Result{}, err
	}
	// The stream, not this call's lookup, says whether the recorded request
	// waits: a repeated or redundant request decided nothing now.
	state, _, err := c.load(ctx, clientID)
	if err != nil {
		return "", Result{}, fmt.Errorf("request erasure: %w", err)
	}
	return state.ErasureDeferredBy, res, nil
}

// CompleteErasure destroys the client's personal data and records it. It
// first decides on the current state, so that a refusal comes before
// anything is destroyed: client.ErrErasureBlocked while a policy is in force
// or a claim is open, client.ErrErasureNotRequested when no erasure is
// pending. Then destroyKey (nil when there is no key to destroy) destroys the
// client's encryption key, which makes the personal data in their events
// unreadable, and only then is client.Erased appended, so the log never
// claims an erasure that did not happen. destroyKey must be idempotent: if
// the append fails, the command is run again and destroys again.
func (c *Clients) CompleteErasure(ctx context.Context, cmdID, clientID uuid.UUID, destroyKey func(context.Context, uuid.UUID) error) (Result, error) {
	if cmdID == uuid.Nil {
		return Result{}, fmt.Errorf("complete erasure: %w", ErrNoCommandID)
	}
	state, history, err := c.load(ctx, clientID)
	if err != nil {
		return Result{}, fmt.Errorf("complete erasure: %w", err)
	}
	if res, ok := firstRun(eventstore.StreamName(client.Aggregate, clientID), history, cmdID.String()); ok {
		return res, nil
	}
	activePolicy, openClaim, err := c.clientLookupContracts(ctx, clientID)
	if err != nil {
		return Result{}, err
	}
	cmd := client.CompleteErasure{HasActivePolicy: activePolicy, HasOpenClaim: openClaim}
	if _, err := client.Decide(state, cmd, c.runner.now()); err != nil {
		return Result{}, err
	}
	if destroyKey != nil {
		if err := destroyKey(ctx, clientID); err != nil {
			return Result{}, fmt.Errorf("complete erasure: destroy key: %w", err)
		}
	}
	return c.execute(ctx, clientID, cmdID, cmd)
}
