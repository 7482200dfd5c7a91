package commands

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/domain/client"
)

// RegisterClient opens the cabinet of the client with cmd.IIN and returns
// the client's ID, which is IDFor(cmd.IIN); cmd.ClientID is left empty or set
// to that ID. An IIN that already has a client is refused with
// client.ErrAlreadyRegistered, also when two registrations race, because the
// second finds the stream taken. The caller then issues the first access code
// with IssueOneTimeCode.
func (c *Clients) RegisterClient(ctx context.Context, cmdID uuid.UUID, cmd client.RegisterClient) (uuid.UUID, Result, error) {
	if cmd.IIN.IsZero() {
		return uuid.Nil, Result{}, fmt.Errorf("register client: iin is required: %w", client.ErrInvalidCommand)
	}
	id := c.IDFor(cmd.IIN)
	if cmd.ClientID != uuid.Nil && cmd.ClientID != id {
		return uuid.Nil, Result{}, fmt.Errorf("register client: client_id must be empty or the ID of the IIN: %w", client.ErrInvalidCommand)
	}
	cmd.ClientID = id
	res, err := c.execute(ctx, id, cmdID, cmd)
	if err != nil {
		return uuid.Nil, Result{}, err
	}
	return id, res, nil
}
