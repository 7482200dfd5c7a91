package cabinet

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/kabinet/kabinet/commands"
	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/sqldb"
	"github.com/kabinet/kabinet/projections/clientprofile"
	"github.com/kabinet/kabinet/projections/contracts"
)

// Partners are the partner ports the Service calls.
type Partners struct {
	KIAS     KIAS
	ESBD     ESBD
	SMS      SMS
	Payments Payments
}

// Assembly is what Assemble needs to wire the command handlers.
type Assembly struct {
	DB          sqldb.DB
	Store       eventstore.Store
	Projections Waiter
	Partners    Partners
	// Secret is the server secret (at least 32 bytes) from which the keys of
	// derived IDs and of one-time code hashes are drawn. It must stay the
	// same for the life of the data: client and policy IDs depend on it.
	Secret []byte
	Clock  commands.Clock // nil means the system clock
	// AccessCodes tunes code hashing; its HMACKey is drawn from Secret.
	AccessCodes commands.AccessCodeConfig
	Bonus       commands.BonusConfig
}

// Assemble wires the command handlers on a store and returns the Deps of a
// Service, with RenderPolicy and Keys left for the caller.
func Assemble(a Assembly) (Deps, error) {
	if len(a.Secret) < 32 {
		return Deps{}, errors.New("cabinet: the server secret must have at least 32 bytes")
	}
	if a.DB == nil || a.Store == nil {
		return Deps{}, errors.New("cabinet: Assembly needs DB and Store")
	}
	ids, err := commands.NewKeyedIDs(subkey(a.Secret, "kabinet ids v1"))
	if err != nil {
		return Deps{}, err
	}
	a.AccessCodes.HMACKey = subkey(a.Secret, "kabinet one-time codes v1")
	codes, err := commands.NewAccessCodes(a.AccessCodes)
	if err != nil {
		return Deps{}, fmt.Errorf("cabinet: %w", err)
	}
	clock := a.Clock
	if clock == nil {
		clock = commands.ClockFunc(time.Now)
	}
	r := commands.New(a.Store, clock)
	clients := commands.NewClients(r, ids, codes, contracts.Lookup{Q: a.DB})
	clients.SetDirectory(clientprofile.Directory{Q: a.DB})
	bonuses, err := commands.NewBonuses(r, a.Bonus)
	if err != nil {
		return Deps{}, fmt.Errorf("cabinet: %w", err)
	}
	return Deps{
		DB: a.DB, Projections: a.Projections,
		Clients: clients, Policies: commands.NewPolicies(r, ids), Claims: commands.NewClaims(r, ids),
		Bonuses: bonuses, Notices: commands.NewNotices(r), Codes: codes,
		KIAS: a.Partners.KIAS, ESBD: a.Partners.ESBD, SMS: a.Partners.SMS, Payments: a.Partners.Payments,
	}, nil
}

// Subkey derives a key for one purpose from the server secret, so that
// every use has its own key and none reveals another.
func Subkey(secret []byte, purpose string) []byte { return subkey(secret, purpose) }

func subkey(secret []byte, purpose string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}
