// Package contracts answers commands.ContractLookup from the read models:
// whether a client holds a policy that is not yet history, and whether a
// client has a claim still in settlement. The client aggregate needs both
// before consent to the processing of personal data is withdrawn or the
// client's data is erased, and cannot see them in its own stream.
//
// The answers are as current as the policies and claims projections: an
// event the runner has not applied yet is not seen. A caller that has just
// issued a policy or reported a claim waits for the projections to pass its
// position first (projections.Runner.WaitFor), as every read-your-write does.
package contracts

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/commands"
	"github.com/kabinet/kabinet/internal/sqldb"
	"github.com/kabinet/kabinet/projections/claims"
	"github.com/kabinet/kabinet/projections/policies"
)

// Querier is what the lookups need of a database handle; an sqldb.DB of
// either dialect satisfies it.
type Querier = sqldb.Querier

// Lookup reads the policies and claims views through Q. It is safe for
// concurrent use when Q is (an sqldb.DB is).
type Lookup struct{ Q Querier }

var _ commands.ContractLookup = Lookup{}

// HasActivePolicy reports whether the client holds a policy that is not
// history on the day on falls on in Asia/Almaty: in force, or concluded and
// starting later, since that contract stands too (see package policies).
func (l Lookup) HasActivePolicy(ctx context.Context, clientID uuid.UUID, on time.Time) (bool, error) {
	return policies.HasInForce(ctx, l.Q, clientID, on)
}

// HasOpenClaim reports whether the client has a claim not yet settled.
func (l Lookup) HasOpenClaim(ctx context.Context, clientID uuid.UUID) (bool, error) {
	return claims.HasOpen(ctx, l.Q, clientID)
}
