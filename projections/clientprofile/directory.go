package clientprofile

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/commands"
	"github.com/kabinet/kabinet/domain/kz"
)

// Directory finds clients by the phone number they log in with (an IIN
// needs no directory: it gives the client ID itself, see
// commands.Clients.IDFor). Erased clients are not found; a number is found
// at the client it was last changed to. It is safe for concurrent use when Q
// is (an sqldb.DB is).
type Directory struct{ Q Querier }

var _ commands.ClientDirectory = Directory{}

// ClientByPhone implements commands.ClientDirectory: found is false when no
// client, or more than one, has the number, since a shared number cannot
// name a login.
func (d Directory) ClientByPhone(ctx context.Context, phone kz.Phone) (uuid.UUID, bool, error) {
	if phone.IsZero() {
		return uuid.Nil, false, nil
	}
	id, found, err := d.one(ctx, `SELECT client_id FROM `+tableProfiles+` WHERE phone = $1 AND erased_at IS NULL LIMIT 2`, phone.String())
	if err != nil {
		return uuid.Nil, false, fmt.Errorf("client by phone: %w", err)
	}
	return id, found, nil
}

// one runs a query for at most two IDs and reports the ID when there is exactly one.
func (d Directory) one(ctx context.Context, sql string, arg any) (uuid.UUID, bool, error) {
	rows, err := d.Q.Query(ctx, sql, arg)
	if err != nil {
		return uuid.Nil, false, err
	}
	defer rows.Close()
	var ids []uuid.UUID
	for rows.Next() {
		var id uuid.UUID
		if err := rows.Scan(&id); err != nil {
			return uuid.Nil, false, err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return uuid.Nil, false, err
	}
	if len(ids) != 1 {
		return uuid.Nil, false, nil
	}
	return ids[0], true, nil
}
