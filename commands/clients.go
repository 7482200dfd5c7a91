package commands

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/eventstore"
)

// ContractLookup answers what the client aggregate cannot know from its own
// stream: whether the client has a policy in force or a claim still open. The
// read models implement it. Both methods honour ctx, are safe for concurrent
// use, and return an error only when they cannot answer.
type ContractLookup interface {
	HasActivePolicy(ctx context.Context, clientID uuid.UUID, on time.Time) (bool, error)
	HasOpenClaim(ctx context.Context, clientID uuid.UUID) (bool, error)
}

// ClientDirectory finds a client by the phone number they log in with. found
// is false when no client, or more than one, has the number: a shared number
// cannot name a login. It honours ctx and is safe for concurrent use.
type ClientDirectory interface {
	ClientByPhone(ctx context.Context, phone kz.Phone) (clientID uuid.UUID, found bool, err error)
}

// ErrInvalidCredentials answers a login whose login is unknown or whose code
// is wrong; it is the same error for both so that nobody can find out which
// logins exist by trying.
var ErrInvalidCredentials = errors.New("login or access code is wrong")

// ErrCodeAlreadyIssued means the command ID of IssueOneTimeCode was used
// before. The code stored then was never returned again and cannot be, since
// only its hash is kept, so the caller sends no SMS and asks for a new code
// with a new command ID.
var ErrCodeAlreadyIssued = errors.New("a one-time code was already issued under this command ID; use a new command ID")

// clientIDKind is the natural-key kind of client IDs; changing it would give
// every client a new stream.
const clientIDKind = "client-iin"

// Clients handles the commands of the client aggregate: registration, the
// access code and logins, contact details, settings, consent and erasure.
// It is safe for concurrent use once wired.
type Clients struct {
	runner    *Runner
	ids       *KeyedIDs
	codes     *AccessCodes
	contracts ContractLookup
	directory ClientDirectory
}

// NewClients wires the client handlers; every argument is required. Logins
// by phone also need SetDirectory.
func NewClients(r *Runner, ids *KeyedIDs, codes *AccessCodes, contracts ContractLookup) *Clients {
	return &Clients{runner: r, ids: ids, codes: codes, contracts: contracts}
}

// SetDirectory lets Login accept a phone number; without a directory only an
// IIN is a login. Call it while wiring, before the first command.
func (c *Clients) SetDirectory(d ClientDirectory) { c.directory = d }

// IDFor is the client ID of an IIN: the same IIN always gives the same ID, so
// that the event store's no-stream check makes one IIN one client.
func (c *Clients) IDFor(iin kz.IIN) uuid.UUID { return c.ids.ID(clientIDKind, iin.String()) }

// clientAggregate is the client package as the runner drives it.
func clientAggregate() Aggregate[client.State, client.Event, client.Command] {
	return Aggregate[client.State, client.Event, client.Command]{
		Name:          client.Aggregate,
		Evolve:        client.Evolve,
		Decide:        client.Decide,
		Encode:        client.EncodeEvent,
		Decode:        client.DecodeEvent,
		SchemaVersion: client.SchemaVersion,
	}
}

func (c *Clients) execute(ctx context.Context, clientID, cmdID uuid.UUID, cmd client.Command) (Result, error) {
	return Execute(ctx, c.runner, clientAggregate(), clientID, cmdID, cmd)
}

// load rebuilds a client and returns the stored events it was built from.
func (c *Clients) load(ctx context.Context, clientID uuid.UUID) (client.State, []eventstore.RecordedEvent, error) {
	state, _, history, err := Load(ctx, c.runner.Store, clientAggregate(), clientID)
	if err != nil {
		return client.State{}, nil, fmt.Errorf("load client: %w", err)
	}
	return state, history, nil
}

// clientLookupContracts asks whether a policy is in force now and whether a claim is open.
func (c *Clients) clientLookupContracts(ctx context.Context, clientID uuid.UUID) (activePolicy, openClaim bool, err error) {
	if c.contracts == nil {
		return false, false, errors.New("client contracts: no contract lookup is wired")
	}
	if activePolicy, err = c.contracts.HasActivePolicy(ctx, clientID, c.runner.now()); err != nil {
		return false, false, fmt.Errorf("client contracts: active policy: %w", err)
	}
	if openClaim, err = c.contracts.HasOpenClaim(ctx, clientID); err != nil {
		return false, false, fmt.Errorf("client contracts: open claim: %w", err)
	}
	return activePolicy, openClaim, nil
}

// Load returns the client as their events built it; the zero State (Exists
// false) when there is no such client. It is for the API's reads of the
// client's own state, such as whether the access code is still the one sent
// by SMS.
func (c *Clients) Load(ctx context.Context, clientID uuid.UUID) (client.State, error) {
	state, _, err := c.load(ctx, clientID)
	return state, err
}
