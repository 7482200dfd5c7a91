package clientprofile

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/kabinet/kabinet/domain/client"
	"github.com/kabinet/kabinet/domain/kz"
	"github.com/kabinet/kabinet/internal/sqldb"
)

// Querier is what the queries need of a pool, a connection or a transaction.
type Querier = sqldb.Querier

// ErrNotFound means no client with this ID is registered (or, for
// Settings, that the client was erased).
var ErrNotFound = errors.New("client not found")

// ErasureState says where a client's erasure stands.
type ErasureState string

// Erasure states.
const (
	ErasureNone      ErasureState = ""
	ErasureRequested ErasureState = "requested" // asked for, nothing holds it back
	ErasureDeferred  ErasureState = "deferred"  // asked for, waits for a policy or claim to end
	ErasureErased    ErasureState = "erased"
)

// Erasure is the state of the client's erasure request.
type Erasure struct {
	State       ErasureState
	RequestedAt time.Time
	DeferredBy  client.ErasureReason // set while deferred
	ErasedAt    time.Time
}

// Consent is a consent on file.
type Consent struct {
	Purpose     client.Purpose
	Scope       []string
	GivenAt     time.Time
	ExpiresAt   time.Time // zero: until withdrawn
	WithdrawnAt time.Time // zero unless withdrawn
}

// Active reports whether the consent holds at now.
func (c Consent) Active(now time.Time) bool {
	return c.WithdrawnAt.IsZero() && (c.ExpiresAt.IsZero() || now.Before(c.ExpiresAt))
}

// Profile is what the cabinet knows of a client. After an erasure only
// ClientID, RegisteredAt and Erasure are set.
type Profile struct {
	ClientID     uuid.UUID
	RegisteredAt time.Time
	Source       client.Source
	KIASClientID string
	IIN          kz.IIN
	Phone        kz.Phone
	PhoneMasked  string // "+7 701 *** ** 67"
	FirstName    string
	LastName     string
	Settings     client.Settings
	Consents     []Consent // by purpose
	LockedUntil  time.Time // logins are refused before it
	LastLoginAt  time.Time
	Erasure      Erasure
}

// Locked reports whether logins are refused at now.
func (p Profile) Locked(now time.Time) bool { return now.Before(p.LockedUntil) }

// Erased reports whether the client's personal data was erased.
func (p Profile) Erased() bool { return p.Erasure.State == ErasureErased }

const profileSQL = `SELECT registered_at, coalesce(source, ''), coalesce(kias_client_id, ''), coalesce(iin, ''),
	coalesce(phone, ''), coalesce(first_name, ''), coalesce(last_name, ''), settings, consents, locked_until,
	last_login_at, erasure_requested_at, erasure_deferred_by, erased_at
	FROM ` + tableProfiles + ` WHERE client_id = $1`

// Get returns the client's profile, or ErrNotFound.
func Get(ctx context.Context, q Querier, clientID uuid.UUID) (Profile, error) {
	p := Profile{ClientID: clientID}
	var (
		source, iin, phone, deferred string
		settings                     *string
		consents                     []byte
		locked, login, req, erased   *time.Time
	)
	err := q.QueryRow(ctx, profileSQL, clientID).Scan(&p.RegisteredAt, &source, &p.KIASClientID, &iin, &phone,
		&p.FirstName, &p.LastName, &settings, &consents, &locked, &login, &req, &deferred, &erased)
	if sqldb.IsNoRows(err) {
		return Profile{}, fmt.Errorf("client profile: %w", ErrNotFound)
	}
	if err != nil {
		return Profile{}, fmt.Errorf("client profile: %w", err)
	}
	p.RegisteredAt = p.RegisteredAt.UTC()
	p.Source = client.Source(source)
	if iin != "" {
		if p.IIN, err = kz.ParseIIN(iin); err != nil {
			return Profile{}, fmt.Errorf("client profile: stored iin: %w", err)
		}
	}
	if phone != "" {
		if p.Phone, err = kz.ParsePhone(phone); err != nil {
			return Profile{}, fmt.Errorf("client profile: stored phone: %w", err)
		}
		p.PhoneMasked = p.Phone.Masked()
	}
	if settings != nil {
		if err := json.Unmarshal([]byte(*settings), &p.Settings); err != nil {
			return Profile{}, fmt.Errorf("client profile: stored settings: %w", err)
		}
	}
	if p.Consents, err = decodeConsents(consents); err != nil {
		return Profile{}, fmt.Errorf("client profile: %w", err)
	}
	p.LockedUntil, p.LastLoginAt = utc(locked), utc(login)
	p.Erasure = Erasure{RequestedAt: utc(req), DeferredBy: client.ErasureReason(deferred), ErasedAt: utc(erased)}
	switch {
	case erased != nil:
		p.Erasure.State = ErasureErased
	case req != nil && deferred != "":
		p.Erasure.State = ErasureDeferred
	case req != nil:
		p.Erasure.State = ErasureRequested
	}
	return p, nil
}

// Settings returns the client's settings, or ErrNotFound when the client is
// not registered or was erased.
func Settings(ctx context.Context, q Querier, clientID uuid.UUID) (client.Settings, error) {
	var raw string
	err := q.QueryRow(ctx, `SELECT settings FROM `+tableProfiles+` WHERE client_id = $1 AND erased_at IS NULL`, clientID).Scan(&raw)
	if sqldb.IsNoRows(err) {
		return client.Settings{}, fmt.Errorf("client settings: %w", ErrNotFound)
	}
	if err != nil {
		return client.Settings{}, fmt.Errorf("client settings: %w", err)
	}
	var s client.Settings
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return client.Settings{}, fmt.Errorf("client settings: stored settings: %w", err)
	}
	return s, nil
}

// decodeConsents reads the consents column, sorted by purpose.
func decodeConsents(raw []byte) ([]Consent, error) {
	if raw == nil {
		return nil, nil
	}
	var stored map[client.Purpose]storedConsent
	if err := json.Unmarshal(raw, &stored); err != nil {
		return nil, fmt.Errorf("stored consents: %w", err)
	}
	if len(stored) == 0 {
		return nil, nil
	}
	out := make([]Consent, 0, len(stored))
	for purpose, c := range stored {
		out = append(out, Consent{Purpose: purpose, Scope: c.Scope, GivenAt: c.GivenAt.UTC(), ExpiresAt: utc(c.ExpiresAt), WithdrawnAt: utc(c.WithdrawnAt)})
	}
	slices.SortFunc(out, func(a, b Consent) int { return strings.Compare(string(a.Purpose), string(b.Purpose)) })
	return out, nil
}

func utc(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// PendingErasures returns the clients whose erasure was asked for and is not
// done yet, oldest request first: deferred ones, and any that a crash left
// between request and completion.
func PendingErasures(ctx context.Context, q Querier) ([]uuid.UUID, error) {
	rows, err := q.Query(ctx, `SELECT client_id FROM client_profiles
		WHERE erasure_requested_at IS NOT NULL AND erased_at IS NULL
		ORDER BY erasure_requested_at, client_id`)
	if err != nil {
		return nil, fmt.Errorf("pending erasures: %w", err)
	}
	ids, err := sqldb.CollectRows(rows, func(r sqldb.Row) (uuid.UUID, error) {
		var id uuid.UUID
		return id, r.Scan(&id)
	})
	if err != nil {
		return nil, fmt.Errorf("pending erasures: %w", err)
	}
	return ids, nil
}
