package commands

import (
	"context"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/domain/kz"
)

// ChangePhone replaces the client's mobile number. When a number is on file
// the client must name one of their policies; the caller checks it against
// the client's policies and says so in policyVerified, else the change is
// refused with client.ErrPhoneConfirmationRequired. The same number again
// writes nothing.
func (c *Clients) ChangePhone(ctx context.Context, cmdID, clientID uuid.UUID, phone kz.Phone, policyNumber string, policyVerified bool) (Result, error) {
	return c.execute(ctx, clientID, cmdID, client.ChangePhone{Phone: phone, PolicyNumber: policyNumber, PolicyVerified: policyVerified})
}

// ChangeSettings replaces the client's settings as a whole; settings equal
// to the current ones write nothing.
func (c *Clients) ChangeSettings(ctx context.Context, cmdID, clientID uuid.UUID, settings client.Settings) (Result, error) {
	return c.execute(ctx, clientID, cmdID, client.ChangeSettings{Settings: settings})
}
