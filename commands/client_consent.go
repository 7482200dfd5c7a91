package commands

import (
	"context"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/domain/client"
)

// GiveConsent records the client's consent to process personal data for a
// purpose; giving the same consent again writes nothing.
func (c *Clients) GiveConsent(ctx context.Context, cmdID, clientID uuid.UUID, cmd client.GiveConsent) (Result, error) {
	return c.execute(ctx, clientID, cmdID, cmd)
}

// WithdrawConsent ends a consent. A consent the contract needs is refused
// with client.ErrConsentRequiredByContract while the client has a policy in
// force or an open claim, which the ContractLookup is asked about now. The
// answer is a snapshot of the read models: a policy issued a moment later is
// not seen, as it would not be by a person handling the request either.
func (c *Clients) WithdrawConsent(ctx context.Context, cmdID, clientID uuid.UUID, purpose client.Purpose) (Result, error) {
	cmd := client.WithdrawConsent{Purpose: purpose}
	// Marketing consent is not tied to contracts; its withdrawal asks no one.
	if purpose.RequiredByContract() {
		activePolicy, openClaim, err := c.clientLookupContracts(ctx, clientID)
		if err != nil {
			return Result{}, err
		}
		cmd.HasActiveContracts = activePolicy || openClaim
	}
	return c.execute(ctx, clientID, cmdID, cmd)
}
